import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runSuites, type RunResults } from '../../engine/index.js';
import { defaultConfig, loadConfig, type LoadedConfig } from '../../config/load.js';
import { createProgressPrinter, publishToGitHub, redactDeep, renderSummary, useColour, writeReports } from '../../report/index.js';
import { capabilityTitles, catalogue } from '../../../ig/index.js';
import { suites as allSuites } from '../../../suites/index.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { planFor, selectSuites, sutHttpConfig } from '../selection.js';

const usage = `Usage: measure-conformance run [options]

Runs the selected suites and writes index.html, results.json, junit.xml and FHIR TestReports.
Without a SUT (no 'sut' in config.yaml and no --sut), every suite runs against the bundled
reference simulators.

Options:
  --config FILE       configuration (default ./config.yaml when it exists)
  --sut URL           test the FHIR server at URL (shortcut for a config naming only sut.baseUrl)
  --suite GLOB        only suites whose id matches (repeatable; * matches anything), e.g. 'saner/*'
  --actor NAME        only suites testing this actor (repeatable), e.g. MeasureSource
  --option NAME       an actor option the SUT claims (repeatable), e.g. Pull, CSV
  --seed              first load the project's fixtures into the SUT (PUT with their ids), for a SUT
                      that accepts writes and holds no suitable data of its own
  --no-tls            with no SUT, serve the mADX and RPC Content Consumer simulators over plain
                      http instead of https with a certificate made for the run (local debugging;
                      their https tests are then left to a person)
  --out DIR           report folder (default <report.dir>/<timestamp>, and <report.dir>/latest)
  --fail-on LEVEL     shall (default): exit 1 when a SHALL requirement fails or errors;
                      should: also when a SHOULD is not met; never: exit 0 whatever the verdicts

Exit codes: 0 conformant at the --fail-on level, 1 not, 2 harness or configuration error.`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run the conformance suites and write the reports',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCliArgs(args);
    const loaded = configFrom(values.config, values.sut, io);
    const { config, secrets } = loaded;
    if (values['no-tls']) config.simulators.referenceTls = false;
    if (values.option?.length) config.sut = { ...(config.sut ?? { name: 'SUT' }), options: values.option };
    if (values.seed) {
      if (!config.sut?.baseUrl) throw new UsageError('--seed loads fixtures into a SUT: name one with --sut URL or sut.baseUrl in config.yaml');
      config.sut.seed = true;
    }
    const failOn = values['fail-on'] ?? config.report.failOn;
    if (!['shall', 'should', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be shall, should or never, not ${JSON.stringify(failOn)}`);

    const suites = selectSuites(allSuites, config, { suite: values.suite ?? [], actor: values.actor ?? [] });
    const unknownAttested = Object.keys(config.attestations ?? {}).filter((id) => !catalogue().get(id));
    if (unknownAttested.length) throw new UsageError(`attestations: no requirement has the id ${unknownAttested.join(', ')} (measure-conformance list --requirements prints them)`);
    const stream = { write: (text: string) => io.stdout(text), isTTY: io.isTTY === true };
    const progress = createProgressPrinter(stream, { total: suites.reduce((n, s) => n + s.tests.length, 0), env: io.env });
    let results: RunResults;
    try {
      results = await runSuites({
        suites,
        catalogue: catalogue(),
        capabilityTitles,
        ...(config.attestations ? { attestations: config.attestations } : {}),
        plan: (suite) => planFor(suite, config),
        http: sutHttpConfig(config, secrets),
        timeouts: { testMs: config.timeouts.testMs, waitMs: config.timeouts.waitMs },
        signal: io.signal,
        sut: config.sut
          ? { name: config.sut.name, ...(config.sut.baseUrl ? { baseUrl: config.sut.baseUrl } : {}), simulated: false }
          : { name: 'bundled reference simulators', simulated: true },
        onProgress: (event) => {
          if (event.type === 'test-start') progress.testStarted({ id: event.test, title: event.title, suite: event.suite });
          if (event.type === 'test-end') progress.testFinished(redactDeep(event.result, secrets));
        },
      });
    } finally {
      progress.finish();
    }

    results = redactDeep(results, secrets);
    const reportDir = resolve(io.cwd, config.report.dir);
    const outDir = values.out ? resolve(io.cwd, values.out) : join(reportDir, timestamp(new Date(results.startedAt)));
    const written = await writeReports(results, outDir, { latestDir: join(reportDir, 'latest') });
    io.stdout(`${renderSummary(results, { files: [written.html, written.json, written.junit], colour: useColour(stream, io.env) })}\n`);
    await publishToGitHub(results, io);
    return exitCode(results, failOn as 'shall' | 'should' | 'never');
  },
};

function parseCliArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        sut: { type: 'string' },
        suite: { type: 'string', multiple: true },
        actor: { type: 'string', multiple: true },
        option: { type: 'string', multiple: true },
        out: { type: 'string' },
        'fail-on': { type: 'string' },
        seed: { type: 'boolean' },
        'no-tls': { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function configFrom(file: string | undefined, sutUrl: string | undefined, io: CliIo): LoadedConfig {
  const path = resolve(io.cwd, file ?? 'config.yaml');
  const loaded = file !== undefined || existsSync(path) ? loadConfig(path, io.env) : defaultConfig();
  if (sutUrl !== undefined) {
    if (!/^https?:\/\/[^/]/.test(sutUrl)) throw new UsageError(`--sut must be an absolute http(s) URL, not ${JSON.stringify(sutUrl)}`);
    loaded.config.sut = { ...(loaded.config.sut ?? { name: sutUrl }), baseUrl: sutUrl };
  }
  return loaded;
}

/** 0: conformant at the chosen level; 1: not. A requirement whose test errored is not shown to be met. */
export function exitCode(results: RunResults, failOn: 'shall' | 'should' | 'never'): number {
  if (failOn === 'never') return 0;
  const levels = failOn === 'shall' ? ['SHALL'] : ['SHALL', 'SHOULD', 'SHOULD-NOT'];
  const unmet = results.requirements.some(
    (r) => levels.includes(r.expectation) && (r.verdict === 'fail' || r.verdict === 'error' || (failOn === 'should' && r.verdict === 'warning')),
  );
  return unmet ? 1 : 0;
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}
