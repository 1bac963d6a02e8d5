import { join, resolve } from 'node:path';
import type { CapabilityStatement } from 'fhir/r4.js';
import { newRunId, runSuites, WriteLog, type RunResults, type Suite, type WriteRecord } from '../../engine/index.js';
import { deletesOf } from '../../../ig/applicability.js';
import { applicability, decide, describeClaims, readMetadata, referenceClaims, SutUnreachable, type Metadata } from '../claims.js';
import { seedSut, unseed, type Seeded } from '../seed.js';
import type { LoadedConfig } from '../../config/load.js';
import { createProgressPrinter, publishToGitHub, renderSummary, useColour, writeReports } from '../../report/index.js';
import { redactDeep } from '../../http/redact.js';
import { TransportError } from '../../http/client.js';
import { capabilityTitles, catalogue } from '../../../ig/index.js';
import { suites as allSuites } from '../../../suites/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { ConfigError } from '../../config/load.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { idMatcher, unmatchedGlobs } from '../glob.js';
import { didYouMean } from '../near-miss.js';
import { checkOptions, launcher, planFor, selectSuites, sutHttpConfig } from '../selection.js';
import { configFrom, folderTimestamp } from '../sut-config.js';

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
  --read-only         write nothing into the SUT: tests that would write end skip ("--read-only")
  --keep-data         keep what the run wrote into the SUT instead of deleting it (and putting back
                      what it replaced) when each suite ends
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
      'read-only': { type: 'boolean' },
      'keep-data': { type: 'boolean' },
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
    if (config.sut?.seed && values['read-only']) {
      throw new UsageError(`${values.seed ? '--seed' : 'sut.seed in the config'} writes the fixtures into the SUT, which --read-only forbids: choose one`);
    }
    const failOn = values['fail-on'] ?? config.report.failOn;
    if (!['shall', 'should', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be shall, should or never, not ${JSON.stringify(failOn)}`);

    const selected = selectSuites(allSuites, config, { suite: values.suite ?? [], actor: values.actor ?? [] });
    for (const note of selected.notes) io.stderr(`note: ${note}\n`);
    const suites = onlyTests(selected.suites, values.test ?? []);
    checkAttestations(loaded);

    // A SUT that does not answer at all is told in one line and exit code 3, before any suite runs.
    let metadata: Metadata | undefined;
    if (config.sut?.baseUrl && suites.some((s) => s.role === 'server')) {
      try {
        metadata = await readMetadata(config, secrets);
      } catch (err) {
        if (err instanceof SutUnreachable) {
          io.stderr(`measure-conformance run: ${err.message}\n`);
          return EXIT.unreachable;
        }
        throw err;
      }
    }
    const claims = config.sut
      ? decide(suites, config, metadata ?? { unread: 'the SUT has no base URL (a client SUT shows no CapabilityStatement)' }, {
          suite: values.suite ?? [],
          actor: values.actor ?? [],
          option: values.option ?? [],
        })
      : referenceClaims(suites);
    if (config.sut) io.stdout(`What the SUT claims${metadata && 'unread' in metadata ? ` (${metadata.unread})` : ''}:\n${describeClaims(claims)}\n`);
    const statement = metadata && 'statement' in metadata ? metadata.statement : undefined;
    const writes = config.sut?.baseUrl ? { log: new WriteLog(newRunId()), readOnly: values['read-only'] === true, keepData: values['keep-data'] === true, deletes: deletesOf(statement) } : undefined;
    // The named data set goes in once, before every suite, and comes out once, after the last.
    let seeded: Seeded | undefined;
    if (config.sut?.seed && writes) {
      try {
        seeded = await seedSut(config, secrets, writes.log, statement);
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        // What went in before the SUT stopped answering is taken out if it can be, and listed if not.
        io.stderr(`measure-conformance run: seeding stopped: ${err.message}\n`);
        await unseed(config, secrets, writes.log, { keep: false, deletes: writes.deletes }).catch(() => undefined);
        io.stderr(`${describeWrites(writes.log.records())}\n`);
        return EXIT.unreachable;
      }
      io.stdout(
        `Seeded the SUT with ${seeded.seeded.length} resource(s) of the project's SANER fixtures (fixtures/saner)${seeded.notes.length ? `:\n${seeded.notes.map((n) => `  ${n}`).join('\n')}` : ''}\n`,
      );
    }
    const stream = { write: (text: string) => io.stdout(text), isTTY: io.isTTY === true };
    const progress = createProgressPrinter(stream, { total: suites.reduce((n, s) => n + s.tests.length, 0), env: io.env });
    let results: RunResults;
    try {
      results = await runSuites({
        suites,
        catalogue: catalogue(),
        capabilityTitles,
        ...(config.attestations ? { attestations: config.attestations } : {}),
        plan: (suite) => planFor(suite, config, [], claims, seeded?.seeded),
        launch: launcher(config),
        ...(writes ? { writes } : {}),
        // Against one SUT the suites take turns: one suite's writes (undone when it ends) never meet another's searches.
        ...(config.sut?.baseUrl ? { concurrency: 1 } : {}),
        http: sutHttpConfig(config, secrets),
        timeouts: { testMs: config.timeouts.testMs, waitMs: config.timeouts.waitMs },
        signal: io.signal,
        sut: config.sut
          ? {
              name: config.sut.name,
              ...(config.sut.baseUrl ? { baseUrl: config.sut.baseUrl } : {}),
              simulated: false,
              ...sutSoftware(statement),
              ...(metadata && 'unread' in metadata
                ? { assumption: `${metadata.unread}; the run took the SUT to claim what config and the command line name, and every selected actor where they name none` }
                : {}),
            }
          : { name: 'bundled reference simulators', simulated: true },
        onProgress: (event) => {
          if (event.type === 'test-start') progress.testStarted({ id: event.test, title: event.title, suite: event.suite });
          if (event.type === 'test-end') progress.testFinished(redactDeep(event.result, secrets));
        },
      });
    } finally {
      progress.finish();
    }

    if (seeded && writes) {
      try {
        await unseed(config, secrets, writes.log, { keep: writes.keepData, deletes: writes.deletes });
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        io.stderr(`measure-conformance run: removing the seeded data stopped: ${err.message}\n`);
      }
      results = { ...results, writes: writes.log.records() };
    }
    results = redactDeep({ ...results, applicability: applicability(claims, suites) }, secrets);
    const reportDir = resolve(io.cwd, config.report.dir);
    const outDir = values.out ? resolve(io.cwd, values.out) : join(reportDir, folderTimestamp(new Date(results.startedAt)));
    // A report put elsewhere on purpose is not the latest run of the project's reports folder.
    const written = await writeReports(results, outDir, values.out ? {} : { latestDir: join(reportDir, 'latest') });
    io.stdout(`${renderSummary(results, { files: [written.html, written.json, written.junit], colour: useColour(stream, io.env) })}\n`);
    if (results.writes) io.stdout(`${describeWrites(results.writes)}\n`);
    await publishToGitHub(results, io);
    // An interrupted run decided too little to call the SUT conformant.
    if (results.interrupted) return EXIT.failed;
    const stopped = results.suites.filter((s) => s.stopped);
    if (stopped.length) {
      for (const s of stopped) io.stderr(`measure-conformance run: ${s.id} stopped: ${s.stopped}\n`);
      return EXIT.unreachable;
    }
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
  const kept = suites.map((s) => ({ ...s, tests: s.tests.filter((t) => matches(`${s.id}/${t.slug}`) || matches(t.slug)) })).filter((s) => s.tests.length > 0);
  if (kept.length === 0) {
    const ids = suites.flatMap((s) => s.tests.flatMap((t) => [`${s.id}/${t.slug}`, t.slug]));
    const unmatched = unmatchedGlobs(globs, ids, 'test of the selected suites');
    throw new UsageError(`no test matches --test ${globs.join(' ')}${unmatched ? ` (${unmatched})` : ''}; \`measure-conformance list\` prints the test ids`);
  }
  return kept;
}

/** An attestation keyed by an id no requirement has is a typo: name its line in the config file and the nearest ids. */
function checkAttestations(loaded: LoadedConfig): void {
  const ids = catalogue()
    .all()
    .map((r) => r.id);
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

/** 0: conformant at the chosen level; 1: not. A requirement whose test errored is not shown to be met. */
export function exitCode(results: RunResults, failOn: 'shall' | 'should' | 'never'): ExitCode {
  if (failOn === 'never') return 0;
  const levels = failOn === 'shall' ? ['SHALL'] : ['SHALL', 'SHOULD', 'SHOULD-NOT'];
  const unmet = results.requirements.some((r) => levels.includes(r.expectation) && (r.verdict === 'fail' || r.verdict === 'error' || (failOn === 'should' && r.verdict === 'warning')));
  return unmet ? EXIT.failed : EXIT.ok;
}

/** What the run wrote into the SUT and what became of it, in one line and a list of what stayed. */
function describeWrites(writes: readonly WriteRecord[]): string {
  if (writes.length === 0) return 'Wrote nothing into the SUT.';
  const count = (c: WriteRecord['cleanup']) => writes.filter((w) => w.cleanup === c).length;
  const stayed = writes.filter((w) => w.cleanup === 'kept' || w.cleanup === 'not-removed');
  const lines = stayed.slice(0, 20).map((w) => `  ${w.type}/${w.id} (${w.by}): ${w.cleanup}${w.note ? `, ${w.note}` : ''}`);
  return `Wrote ${writes.length} resource(s) into the SUT: ${count('deleted')} deleted, ${count('restored')} put back as they were, ${count('kept')} kept, ${count('not-removed')} could not be removed.${lines.length ? `\nStill in the SUT:\n${lines.join('\n')}${stayed.length > 20 ? `\n  … ${stayed.length - 20} more (results.json lists them)` : ''}` : ''}`;
}

/** The SUT's software as its CapabilityStatement names it. */
function sutSoftware(cs: CapabilityStatement | undefined): Pick<RunResults['sut'], 'software'> {
  if (!cs) return {};
  const software = {
    ...(cs.software?.name ? { name: cs.software.name } : {}),
    ...(cs.software?.version ? { version: cs.software.version } : {}),
    ...(cs.fhirVersion ? { fhirVersion: cs.fhirVersion } : {}),
  };
  return Object.keys(software).length ? { software } : {};
}
