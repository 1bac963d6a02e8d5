import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { catalogue } from '../../../ig/index.js';
import { suites as allSuites } from '../../../suites/index.js';
import { defaultConfig, loadConfig } from '../../config/load.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { selectSuites } from '../selection.js';
import { selfCheck } from '../self-check.js';

const usage = `Usage: measure-conformance self-check [--suite GLOB]... [--config FILE]

Tests the tests: runs each selected suite against its clean reference simulator (every test must
pass, and every requirement it cites must get a passing check of its own), then once per fault mode
a test names as its negative control (that test must fail, or warn when it checks only SHOULDs).
Prints each test's fault-detection result, the requirements left without positive evidence, and
both scores.
Exit codes: 0 every fault detected and every cited requirement proved (or its gap explained),
1 otherwise, 2 usage error.`;

export const selfCheckCommand: Command = {
  name: 'self-check',
  summary: "prove each test fails under its negative-control fault mode (fault-detection score)",
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    let values: { suite?: string[]; config?: string };
    try {
      ({ values } = parseArgs({ args, strict: true, options: { suite: { type: 'string', multiple: true }, config: { type: 'string' } } }));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const path = resolve(io.cwd, values.config ?? 'config.yaml');
    const { config } = values.config !== undefined || existsSync(path) ? loadConfig(path, io.env) : defaultConfig();
    const { suites } = selectSuites(allSuites, { ...config, sut: undefined }, { suite: values.suite ?? [], actor: [] });
    const { controls, proved, unproved } = await selfCheck(suites, catalogue(), config, io.signal);
    for (const o of controls) {
      io.stdout(`${o.ok ? 'DETECTED ' : 'MISSED   '} ${o.test}  fault ${o.fault}: clean ${o.clean}, faulty ${o.faulty}${o.reason ? `  (${o.reason})` : ''}\n`);
    }
    for (const u of unproved) {
      io.stdout(`${u.gap ? 'GAP      ' : 'UNPROVED '} ${u.test}  ${u.requirement}: ${u.gap ?? u.seen}\n`);
    }
    const detected = controls.filter((o) => o.ok).length;
    const unexplained = unproved.filter((u) => !u.gap).length;
    io.stdout(`Fault-detection score: ${detected}/${controls.length} tests fail under their negative control\n`);
    io.stdout(`Positive evidence: ${proved}/${proved + unproved.length} cited requirements proved by a passing check of their own against the clean simulators${unproved.length - unexplained ? ` (${unproved.length - unexplained} more with a written reason why the reference cannot show them)` : ''}\n`);
    return detected === controls.length && unexplained === 0 ? 0 : 1;
  },
};
