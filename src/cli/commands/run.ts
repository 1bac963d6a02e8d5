import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runSuites, type RunResults, type Suite } from '../../engine/index.js';
import { defaultConfig, loadConfig, type LoadedConfig } from '../../config/load.js';
import { createProgressPrinter, renderSummary, useColour, writeReports } from '../../report/index.js';
import { redactDeep } from '../../http/redact.js';
import { capabilityTitles, catalogue } from '../../../ig/index.js';
import { suites as allSuites } from '../../../suites/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { ConfigError } from '../../config/load.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { idMatcher, unmatchedGlobs } from '../glob.js';
import { didYouMean } from '../near-miss.js';
import { checkOptions, launcher, planFor, selectSuites, sutHttpConfig } from '../selection.js';

const usage = `Usage: measure-conformance run [options]

Runs the selected suites and writes index.html, results.json, junit.xml and FHIR TestReports.
Without a SUT (no 'sut' in config.yaml and no --sut), every suite runs against the bundled
reference simulators.

Options:
  --config FILE       configuration (default ./config.yaml when it exists)
  --sut URL           test the FHIR server at URL (shortcut for a config naming only sut.baseUrl)
  --suite GLOB        only suites whose id matches (repeatable), e.g. 'saner/*': * matches anything,
                      / included; ?, {a,b} and [..] as in the shell; '!GLOB' leaves suites out
  --test ID|GLOB      only these tests (repeatable), by id (suite id/test slug, as \`list\` prints) or
                      slug; each runs with its suite's setup, e.g. 'fhir-core/fhir-server/metadata-*'
  --actor NAME        only suites testing this actor (repeatable), e.g. MeasureSource
  --option NAME       an actor option the SUT claims (repeatable), e.g. Pull, CSV
  --seed              first load the project's fixtures into the SUT (PUT with their ids), for a SUT
                      that accepts writes and holds no suitable data of its own
  --no-tls            with no SUT, serve the mADX and RPC Content Consumer simulators over plain
                      http instead of https with a certificate made for the run (local debugging;
                      their https tests are then left to a person)
  --out DIR           report folder; <report.dir>/latest is left as it is (default: <report.dir>/<timestamp>,
                      and <report.dir>/latest then shows this run)
  --fail-on LEVEL     shall (default): exit 1 when a SHALL requirement fails or errors;
                      should: also when a SHOULD is not met; never: exit 0 whatever the verdicts

${exitCodesHelp({ 0: 'conformant at the --fail-on level', 1: 'not conformant at that level', 3: 'the SUT cannot be reached' })}`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run the conformance suites and write the reports',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, {
      config: { type: 'string' },
      sut: { type: 'string' },
      suite: { type: 'string', multiple: true },
      test: { type: 'string', multiple: true },
      actor: { type: 'string', multiple: true },
      option: { type: 'string', multiple: true },
      out: { type: 'string' },
      'fail-on': { type: 'string' },
      seed: { type: 'boolean' },
      'no-tls': { type: 'boolean' },
    });
    const loaded = configFrom(values.config, values.sut, io);
    const { config, secrets } = loaded;
    if (values['no-tls']) config.simulators.referenceTls = false;
    if (values.option?.length) {
      checkOptions(allSuites, values.option, '--option');
      config.sut = { ...(config.sut ?? { name: 'SUT' }), options: values.option };
    }
    if (values.seed) {
      if (!config.sut?.baseUrl) throw new UsageError('--seed loads fixtures into a SUT: name one with --sut URL or sut.baseUrl in config.yaml');
      config.sut.seed = true;
    }
    const failOn = values['fail-on'] ?? config.report.failOn;
    if (!['shall', 'should', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be shall, should or never, not ${JSON.stringify(failOn)}`);

    const selected = selectSuites(allSuites, config, { suite: values.suite ?? [], actor: values.actor ?? [] });
    for (const note of selected.notes) io.stderr(`note: ${note}\n`);
    const suites = onlyTests(selected.suites, values.test ?? []);
    checkAttestations(loaded);
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
        launch: launcher(config),
        http: sutHttpConfig(config, secrets),
        timeouts: { testMs: config.timeouts.testMs, waitMs: config.timeouts.waitMs },
        signal: io.signal,
        sut: config.sut
          ? { name: config.sut.name, ...(config.sut.baseUrl ? { baseUrl: config.sut.baseUrl } : {}), simulated: !config.sut.baseUrl }
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
    // A report put elsewhere on purpose is not the latest run of the project's reports folder.
    const written = await writeReports(results, outDir, values.out ? {} : { latestDir: join(reportDir, 'latest') });
    io.stdout(`${renderSummary(results, { files: [written.html, written.json, written.junit], colour: useColour(stream, io.env) })}\n`);
    return exitCode(results, failOn as 'shall' | 'should' | 'never');
  },
};

/**
 * With --test, each selected suite keeps only the tests named (by `suite/slug` id or by slug); the
 * suite still builds its whole environment, so a test re-run alone gets the setup it always has.
 */
function onlyTests(suites: Suite<object>[], globs: readonly string[]): Suite<object>[] {
  if (globs.length === 0) return suites;
  const matches = idMatcher(globs);
  const kept = suites
    .map((s) => ({ ...s, tests: s.tests.filter((t) => matches(`${s.id}/${t.slug}`) || matches(t.slug)) }))
    .filter((s) => s.tests.length > 0);
  if (kept.length === 0) {
    const ids = suites.flatMap((s) => s.tests.flatMap((t) => [`${s.id}/${t.slug}`, t.slug]));
    const unmatched = unmatchedGlobs(globs, ids, 'test of the selected suites');
    throw new UsageError(`no test matches --test ${globs.join(' ')}${unmatched ? ` (${unmatched})` : ''}; \`measure-conformance list\` prints the test ids`);
  }
  return kept;
}

/** An attestation keyed by an id no requirement has is a typo: name its line in the config file and the nearest ids. */
function checkAttestations(loaded: LoadedConfig): void {
  const ids = catalogue().all().map((r) => r.id);
  for (const id of Object.keys(loaded.config.attestations ?? {})) {
    if (catalogue().get(id)) continue;
    const near = didYouMean(id, ids);
    throw new ConfigError(
      loaded.file ?? 'config.yaml',
      loaded.lineOf?.(['attestations', id]),
      `attestations.${id}`,
      `no requirement has this id${near}${near ? '' : ' (measure-conformance list --requirements prints them)'}`,
    );
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
export function exitCode(results: RunResults, failOn: 'shall' | 'should' | 'never'): ExitCode {
  if (failOn === 'never') return 0;
  const levels = failOn === 'shall' ? ['SHALL'] : ['SHALL', 'SHOULD', 'SHOULD-NOT'];
  const unmet = results.requirements.some(
    (r) => levels.includes(r.expectation) && (r.verdict === 'fail' || r.verdict === 'error' || (failOn === 'should' && r.verdict === 'warning')),
  );
  return unmet ? EXIT.failed : EXIT.ok;
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}
