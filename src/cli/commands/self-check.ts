import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { catalogue } from '../../../ig/index.js';
import { suites as allSuites } from '../../../suites/index.js';
import { defaultConfig, loadConfig } from '../../config/load.js';
import { parseCommandArgs } from '../args.js';
import type { CliIo, Command } from '../command.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { startProgress } from '../progress.js';
import { selectSuites } from '../selection.js';
import { selfCheck, selfCheckRuns, type SelfCheckResult } from '../self-check.js';

const usage = `Usage: measure-conformance self-check [--suite GLOB]... [--config FILE]

Tests the tests: runs each selected suite against its clean reference simulator (every test must
pass, and every requirement it cites must get a passing check of its own), then once per fault mode
a test names as its negative control (that test must fail, or warn when it checks only SHOULDs).
Prints each test's fault-detection result, the requirements left without positive evidence, and
both scores; the runs' progress goes to stderr (none with --quiet).
${exitCodesHelp({ 0: 'every fault detected and every cited requirement proved (or its gap explained)', 1: 'some test cannot fail, does not pass cleanly, or leaves a cited requirement unproved' })}`;

export const selfCheckCommand: Command = {
  name: 'self-check',
  summary: 'prove each test fails under its negative-control fault mode (fault-detection score)',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, { suite: { type: 'string', multiple: true }, config: { type: 'string' } });
    const path = resolve(io.cwd, values.config ?? 'config.yaml');
    const { config } = values.config !== undefined || existsSync(path) ? loadConfig(path, io.env) : defaultConfig();
    const { suites } = selectSuites(allSuites, { ...config, sut: undefined }, { suite: values.suite ?? [], actor: [] });
    const progress = startProgress(io, 'self-check runs', { total: selfCheckRuns(suites) });
    let result: SelfCheckResult;
    try {
      result = await selfCheck(suites, catalogue(), config, io.signal, (done, _total, next) => progress.update(done, next ? `· ${next}` : ''));
    } finally {
      progress.finish();
    }
    const { controls, proved, unproved } = result;
    for (const o of controls) {
      io.stdout(`${o.ok ? 'DETECTED ' : 'MISSED   '} ${o.test}  fault ${o.fault}: clean ${o.clean}, faulty ${o.faulty}${o.reason ? `  (${o.reason})` : ''}\n`);
    }
    for (const u of unproved) {
      io.stdout(`${u.gap ? 'GAP      ' : 'UNPROVED '} ${u.test}  ${u.requirement}: ${u.gap ?? u.seen}\n`);
    }
    const detected = controls.filter((o) => o.ok).length;
    const unexplained = unproved.filter((u) => !u.gap).length;
    io.stdout(`Fault-detection score: ${detected}/${controls.length} tests fail under their negative control\n`);
    io.stdout(
      `Positive evidence: ${proved}/${proved + unproved.length} cited requirements proved by a passing check of their own against the clean simulators${unproved.length - unexplained ? ` (${unproved.length - unexplained} more with a written reason why the reference cannot show them)` : ''}\n`,
    );
    return detected === controls.length && unexplained === 0 ? EXIT.ok : EXIT.failed;
  },
};
