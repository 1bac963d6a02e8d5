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
import { selfCheck, selfCheckRuns } from '../self-check.js';

const usage = `Usage: measure-conformance self-check [--suite GLOB]... [--config FILE]

Tests the tests: runs each selected suite against its clean reference simulator (every test must
pass), then once per fault mode a test names as its negative control (that test must fail, or warn
when it checks only SHOULDs). Prints each test's fault-detection result and the score; the runs'
progress goes to stderr (none with --quiet).
${exitCodesHelp({ 0: 'every fault detected', 1: 'some test cannot fail or does not pass cleanly' })}`;

export const selfCheckCommand: Command = {
  name: 'self-check',
  summary: 'prove each test fails under its negative-control fault mode (fault-detection score)',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, { suite: { type: 'string', multiple: true }, config: { type: 'string' } });
    const path = resolve(io.cwd, values.config ?? 'config.yaml');
    const { config } = values.config !== undefined || existsSync(path) ? loadConfig(path, io.env) : defaultConfig();
    const suites = selectSuites(allSuites, { ...config, sut: undefined }, { suite: values.suite ?? [], actor: [] });
    const progress = startProgress(io, 'self-check runs', { total: selfCheckRuns(suites) });
    let outcomes;
    try {
      outcomes = await selfCheck(suites, catalogue(), config, io.signal, (done, _total, next) => progress.update(done, next ? `· ${next}` : ''));
    } finally {
      progress.finish();
    }
    for (const o of outcomes) {
      io.stdout(`${o.ok ? 'DETECTED ' : 'MISSED   '} ${o.test}  fault ${o.fault}: clean ${o.clean}, faulty ${o.faulty}${o.reason ? `  (${o.reason})` : ''}\n`);
    }
    const detected = outcomes.filter((o) => o.ok).length;
    io.stdout(`Fault-detection score: ${detected}/${outcomes.length} tests fail under their negative control\n`);
    return detected === outcomes.length ? EXIT.ok : EXIT.failed;
  },
};
