import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { harness } from '../../harness.js';
import { redactDeep } from '../../http/redact.js';
import { k6Script } from '../../load/k6.js';
import type { LoadBounds, LoadModel, LoadResult } from '../../load/model.js';
import { runLoad, scenarioState, SutUnreachable } from '../../load/run.js';
import { ScenarioSetupError, type Scenario } from '../../load/scenario.js';
import { SCENARIOS, scenarioNamed } from '../../load/scenarios/index.js';
import { renderLoadSummary } from '../../load/summary.js';
import { parseThreshold, type Threshold } from '../../load/thresholds.js';
import { writeLoadReport } from '../../load/write.js';
import { simulatorById } from '../../../simulators/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { startProgress } from '../progress.js';
import { sutHttpConfig } from '../selection.js';
import { configFrom, folderTimestamp } from '../sut-config.js';

const usage = `Usage: measure-conformance load [--config FILE] [--sut URL] --scenario NAME [options]

Plays a transaction of the suites many times over against the SUT and measures it as a load tool
does, while judging every answer as the suites do: an error under load is a finding with the
requirement ids the suites cite. Without a SUT, the bundled simulator of the scenario's actor runs
in this process (to try the command; its figures include the simulator's own work).

Scenarios:
${Object.values(SCENARIOS)
  .map((s) => `  ${s.id.padEnd(16)} ${s.title}`)
  .join('\n')}

Load:
  --rate R            open model: R requests per second (also R/s), whatever the SUT's speed
  --max-in-flight N   open model: at most N requests outstanding (default 1000); the report says
                      how many waited, and their wait counts in their latency
  --concurrency C     closed model: C clients, each sending when its last answer came (default 10)
  --duration D        how long the load lasts, e.g. 30s, 2m, 500ms (default 30s unless --requests)
  --requests N        stop after N HTTP requests in total (with --duration: whichever comes first)
  --ramp D            grow the rate (or the clients) linearly from zero over D
  --facilities N      facilities (or clients) the scenario spreads its reports over (default 10)
  --invalid-share P   share of flows sending an invalid report, 0..1 or a percentage (default 0)
  --validate N        answers validated against the profile, sampled over the run (default 50)
Output:
  --out DIR           report folder for load.html and load.json (default <report.dir>/load-<time>,
                      and <report.dir>/latest-load)
  --threshold EXPR    exit 1 when missed (repeatable): p50 p90 p99 p99.9 max mean in ms or s,
                      errors as a count or a percentage, rps, findings; e.g. 'p99<500ms', 'errors<0.1%'
  --keep-data         leave what the run wrote in the SUT (default: deleted where the SUT allows)
  --export k6 FILE    write the scenario as a k6 script instead of running it

Progress (elapsed time, requests sent and answered, errors) goes to stderr; --quiet drops it.

${exitCodesHelp({ 0: 'no threshold missed (without --threshold: no finding under a SHALL requirement)', 1: 'a threshold missed, or such a finding', 3: 'the SUT cannot be reached' })}`;

const OPTIONS = {
  config: { type: 'string' },
  sut: { type: 'string' },
  scenario: { type: 'string' },
  rate: { type: 'string' },
  'max-in-flight': { type: 'string' },
  concurrency: { type: 'string' },
  duration: { type: 'string' },
  requests: { type: 'string' },
  ramp: { type: 'string' },
  facilities: { type: 'string' },
  'invalid-share': { type: 'string' },
  validate: { type: 'string' },
  out: { type: 'string' },
  threshold: { type: 'string', multiple: true },
  'keep-data': { type: 'boolean' },
  export: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

function count(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, not '${text}'`);
  return Number(text);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${name} must be a duration such as 30s, 2m, 500ms or 1h, not '${text}'`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}

function share(text: string | undefined): number {
  if (text === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)(%)?$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(value >= 0 && value <= 1)) throw new UsageError(`--invalid-share must be between 0 and 1 (or 0% and 100%), not '${text}'`);
  return value;
}

function modelOf(values: Values): LoadModel {
  if (values.rate !== undefined && values.concurrency !== undefined) throw new UsageError('--rate (open model) and --concurrency (closed model) exclude each other: choose one');
  if (values.rate !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(\/s)?$/.exec(values.rate.trim());
    const rate = m ? Number(m[1]) : Number.NaN;
    if (!(rate > 0)) throw new UsageError(`--rate must be a positive number of requests per second, e.g. 200 or 200/s, not '${values.rate}'`);
    return { type: 'open', rate, maxInFlight: count('max-in-flight', values['max-in-flight'], 1) ?? 1000 };
  }
  if (values['max-in-flight'] !== undefined) throw new UsageError('--max-in-flight applies to the open model: give --rate too');
  return { type: 'closed', concurrency: count('concurrency', values.concurrency, 1) ?? 10 };
}

/** Exit code of a finished run: thresholds decide when given, SHALL findings otherwise. */
export function loadExitCode(result: LoadResult): ExitCode {
  if (result.thresholds.length) return result.thresholds.every((t) => t.passed) ? EXIT.ok : EXIT.failed;
  return result.findings.some((f) => f.expectation === 'SHALL') ? EXIT.failed : EXIT.ok;
}

interface Target {
  baseUrl: string;
  name: string;
  simulated: boolean;
  close(): Promise<void>;
}

/** The configured SUT, or the scenario's bundled simulator started here. */
async function targetFor(scenario: Scenario<unknown>, loaded: LoadedConfig): Promise<Target> {
  const sut = loaded.config.sut;
  if (sut?.baseUrl) return { baseUrl: sut.baseUrl, name: sut.name, simulated: false, close: async () => {} };
  const sim = simulatorById(scenario.simulator);
  if (!sim) throw new Error(`no bundled simulator ${scenario.simulator} for scenario ${scenario.id}`);
  const server = await sim.start({ host: loaded.config.simulators.host });
  return { baseUrl: server.url, name: sim.title, simulated: true, close: () => server.close() };
}

export const loadCommand: Command = {
  name: 'load',
  summary: "the suites' transactions as load, measured like a load tool and judged like the suites",
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, { name: 'FILE', min: 0, max: 1 });
    if (values.export === undefined && positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.export !== undefined && (values.export !== 'k6' || positionals.length !== 1)) throw new UsageError('--export takes the format and a file: --export k6 FILE');
    if (!values.scenario) throw new UsageError(`--scenario is required: one of ${Object.keys(SCENARIOS).join(', ')}`);
    const scenario = scenarioNamed(values.scenario);
    if (!scenario) throw new UsageError(`unknown scenario '${values.scenario}'; scenarios: ${Object.keys(SCENARIOS).join(', ')}`);
    const model = modelOf(values);
    const requests = count('requests', values.requests, 1);
    const durationMs = parseDuration('duration', values.duration) ?? (requests === undefined ? 30_000 : undefined);
    if (durationMs === 0) throw new UsageError('--duration must be longer than 0');
    const bounds: LoadBounds = { ...(durationMs !== undefined ? { durationMs } : {}), ...(requests !== undefined ? { requests } : {}), rampMs: parseDuration('ramp', values.ramp) ?? 0 };
    const facilities = count('facilities', values.facilities, 1) ?? 10;
    const invalidShare = share(values['invalid-share']);
    const validateSample = count('validate', values.validate, 0) ?? 50;
    let thresholds: Threshold[];
    try {
      thresholds = (values.threshold ?? []).map(parseThreshold);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const loaded = configFrom(values.config, values.sut, io);
    const http = sutHttpConfig(loaded.config, loaded.secrets);
    const target = await targetFor(scenario, loaded);
    const secrets = [...loaded.secrets];
    try {
      if (values.export !== undefined) {
        const file = resolve(io.cwd, positionals[0]!);
        const { state } = await scenarioState({ scenario, baseUrl: target.baseUrl, http, facilities, invalidShare });
        const script = k6Script({ scenario, script: scenario.k6(state), baseUrl: target.baseUrl, model, bounds, facilities, invalidShare, thresholds, http, version: harness.version });
        await writeFile(file, redactDeep(script, secrets));
        io.stdout(`k6 script for ${scenario.id} written to ${file}\n`);
        if (target.simulated) io.stdout(`(no SUT was named: the script's default base URL is the bundled simulator this command started and stopped; set SUT_BASE_URL when you run it)\n`);
        return EXIT.ok;
      }
      const progress = startProgress(io, `load ${scenario.id}`, {
        ...(bounds.durationMs !== undefined ? { total: bounds.durationMs } : {}),
        format: (ms) => `${Math.round(ms / 1000)} s`,
      });
      const raw = await runLoad({
        scenario,
        baseUrl: target.baseUrl,
        sut: { name: target.name, simulated: target.simulated },
        http,
        model,
        bounds,
        facilities,
        invalidShare,
        validateSample,
        keepData: values['keep-data'] === true,
        thresholds,
        signal: io.signal,
        onProgress: (p) => progress.update(p.elapsedMs, `${p.sent.toLocaleString('en-US')} sent, ${p.completed.toLocaleString('en-US')} answered, ${p.errors.toLocaleString('en-US')} errors`),
      }).finally(() => progress.finish());
      const result = redactDeep(raw, secrets);
      const reportDir = resolve(io.cwd, loaded.config.report.dir);
      const outDir = values.out ? resolve(io.cwd, values.out) : join(reportDir, `load-${folderTimestamp(new Date(result.startedAt))}`);
      const written = await writeLoadReport(result, outDir, values.out ? undefined : join(reportDir, 'latest-load'));
      io.stdout(`${renderLoadSummary(result, [written.html, written.json])}\n`);
      return loadExitCode(result);
    } catch (err) {
      if (err instanceof SutUnreachable) {
        io.stderr(`measure-conformance load: ${redactDeep(err.message, secrets)}\n`);
        return EXIT.unreachable;
      }
      if (err instanceof ScenarioSetupError) {
        io.stderr(`measure-conformance load: scenario ${scenario.id}: ${redactDeep(err.message, secrets)}\n`);
        return EXIT.usage;
      }
      throw err;
    } finally {
      await target.close();
    }
  },
};
