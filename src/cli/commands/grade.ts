import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultConfig, loadConfig } from '../../config/load.js';
import { createProgressPrinter, renderSummary, useColour, writeReports } from '../../report/index.js';
import type { RunResults, Suite } from '../../engine/index.js';
import { parseCommandArgs } from '../args.js';
import { InputError, UsageError, type CliIo, type Command } from '../command.js';
import { exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { readInputFile } from '../input.js';
import { checkOptions } from '../selection.js';
import { suites as allSuites } from '../../../suites/index.js';
import { CaptureError, readCapture, type CaptureEntry, type LoadedCapture } from '../connectathon/capture-file.js';
import type { Side } from '../connectathon/exchange-log.js';
import { gradeRecorded, suitesFor } from '../connectathon/grading.js';
import { gradingConfig } from '../connectathon/serving.js';
import { transactions, type Transaction } from '../connectathon/transactions.js';
import { exitCode } from './run.js';

const gradable = (): string[] => transactions().flatMap((t) => [t.client.id, ...(t.server ? [t.server.id] : [])]);

const usage = `Usage: measure-conformance grade CAPTURE... [--as SUITE-ID]... [--client KEY] [--base URL] [--option NAME]... [--out DIR] [--config FILE] [--fail-on LEVEL]

Grades recorded exchanges again, offline, with the current suites, and writes the usual reports
(index.html, results.json, junit.xml, FHIR TestReports). CAPTURE is a capture file exported from
the inspector of serve or proxy (it knows its transaction and which sides it lets judge) or a HAR
file (which knows neither: --as names the suite). A client suite judges the client's requests; a
transaction's server suite judges the server's answers recorded through the proxy, with the
answer checks. What the traffic does not show was never asked of the system: it is "not observed"
(skipped), never a failure.

  --as SUITE-ID   the suite(s) to grade with (repeatable): ${gradable().join(', ')}
  --client KEY    only this client's exchanges (as the inspector names clients), when the
                  capture holds several clients of one transaction
  --base URL      the FHIR base of a HAR's traffic, when it holds requests to several
  --option NAME   an option the system claims (repeatable); default every option of the suite,
                  whose tests then judge what the traffic shows of it
  --out DIR       report folder (default: <report.dir>/<timestamp>, and <report.dir>/latest)
  --config FILE   configuration (default ./config.yaml when it exists): report.dir, attestations,
                  sut.madxRuleSet and sut.measure
  --fail-on LEVEL shall (default), should, or never, as for run

${exitCodesHelp({ 0: 'what the traffic shows meets the --fail-on level', 1: 'it does not' })}`;

/** One suite over its share of the captured traffic. */
interface Job {
  transaction: Transaction;
  side: Side;
  entries: CaptureEntry[];
}

function suiteOfAs(id: string): { transaction: Transaction; side: Side } {
  for (const t of transactions()) {
    if (t.client.id === id) return { transaction: t, side: 'client' };
    if (t.server?.id === id) return { transaction: t, side: 'server' };
  }
  throw new UsageError(`--as ${id}: not a suite that grades recorded traffic; suites: ${gradable().join(', ')}`);
}

function jobsOf(captures: readonly LoadedCapture[], as: readonly string[]): Job[] {
  const entries = captures.flatMap((c) => c.entries);
  if (as.length) {
    return as.map((id) => {
      const { transaction, side } = suiteOfAs(id);
      const mine = entries.filter((e) => e.transaction === undefined || e.transaction === transaction.id);
      if (mine.length === 0) throw new UsageError(`--as ${id}: the capture holds no exchange of ${transaction.id}`);
      if (side === 'server' && mine.some((e) => e.sides && !e.sides.includes('server'))) {
        throw new UsageError(`--as ${id}: the capture's exchanges were answered by the project's own simulator (recorded by serve), so only their client side can be graded`);
      }
      return { transaction, side, entries: mine };
    });
  }
  const har = captures.find((c) => c.kind === 'har');
  if (har) throw new UsageError(`${har.file} is a HAR file, which does not say what it holds: name the suite with --as (${gradable().join(', ')})`);
  const jobs: Job[] = [];
  for (const t of transactions()) {
    const mine = entries.filter((e) => e.transaction === t.id);
    for (const side of ['client', 'server'] as const) if (mine.some((e) => e.sides?.includes(side))) jobs.push({ transaction: t, side, entries: mine });
  }
  if (jobs.length === 0)
    throw new UsageError(
      `the capture holds no exchange a suite grades (transactions: ${transactions()
        .map((t) => t.id)
        .join(', ')})`,
    );
  return jobs;
}

/** The job's entries of one client (the one named, or the only one). */
function oneClient(job: Job, client: string | undefined): CaptureEntry[] {
  const clients = [...new Set(job.entries.map((e) => e.client))];
  if (client !== undefined) {
    const mine = job.entries.filter((e) => e.client === client);
    if (mine.length === 0) throw new UsageError(`--client ${client}: no exchange of ${job.transaction.id} comes from it; clients: ${clients.join('; ')}`);
    return mine;
  }
  if (clients.length > 1) throw new UsageError(`the capture holds ${job.transaction.id} traffic of ${clients.length} clients (${clients.join('; ')}): grade one at a time with --client`);
  return job.entries;
}

/** The one base URL a suite's traffic went to: the captured bases must agree on their path. */
function baseOf(job: Job, entries: readonly CaptureEntry[]): string {
  const paths = [...new Set(entries.map((e) => new URL(e.baseUrl).pathname.replace(/\/+$/, '')))];
  if (paths.length > 1) throw new UsageError(`the ${job.transaction.id} exchanges went to different FHIR bases (${paths.join(', ')}); grade them apart`);
  return entries[0]!.baseUrl;
}

export const gradeCommand: Command = {
  name: 'grade',
  summary: 'grade recorded exchanges (a capture or HAR file) offline and write the reports',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        as: { type: 'string', multiple: true },
        client: { type: 'string' },
        base: { type: 'string' },
        option: { type: 'string', multiple: true },
        out: { type: 'string' },
        config: { type: 'string' },
        'fail-on': { type: 'string' },
      },
      { name: 'CAPTURE', min: 1, max: Infinity },
    );
    const configPath = resolve(io.cwd, values.config ?? 'config.yaml');
    const { config } = values.config !== undefined || existsSync(configPath) ? loadConfig(configPath, io.env) : defaultConfig();
    const failOn = values['fail-on'] ?? config.report.failOn;
    if (!['shall', 'should', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be shall, should or never, not ${JSON.stringify(failOn)}`);
    if (values.option?.length) checkOptions(allSuites, values.option, '--option');
    if (values.base !== undefined && !/^https?:\/\/[^/]/.test(values.base)) throw new UsageError(`--base must be an absolute http(s) URL, not ${JSON.stringify(values.base)}`);

    const captures: LoadedCapture[] = [];
    for (const file of positionals) {
      const text = await readInputFile(file, io.cwd);
      try {
        captures.push(readCapture(file, text, values.base ? { base: values.base } : {}));
      } catch (err) {
        if (err instanceof CaptureError) throw new InputError(err.message);
        throw err;
      }
    }
    const jobs = jobsOf(captures, values.as ?? []);
    const source = positionals.join(', ');
    const parts = jobs.map((job) => {
      const entries = oneClient(job, values.client);
      const suite: Suite<object> = suitesFor(job.transaction, [job.side]).map((s) => s.suite)[0] ?? missingAnswerChecks(job);
      return { suite, traffic: { baseUrl: baseOf(job, entries), exchanges: entries.map((e) => e.exchange), source } };
    });
    const clients = [...new Set(jobs.flatMap((j) => oneClient(j, values.client).map((e) => e.client)))];
    const stream = { write: (text: string) => io.stdout(text), isTTY: io.isTTY === true };
    const progress = createProgressPrinter(stream, { total: parts.reduce((n, p) => n + p.suite.tests.length, 0), env: io.env });
    let results: RunResults;
    try {
      results = await gradeRecorded(parts, {
        ...(values.option?.length ? { options: values.option } : {}),
        config: gradingConfig(config),
        ...(config.attestations ? { attestations: config.attestations } : {}),
        signal: io.signal,
        sut: { name: `${clients.join('; ')} (recorded: ${source})`, simulated: false },
      });
    } finally {
      progress.finish();
    }
    const reportDir = resolve(io.cwd, config.report.dir);
    const outDir = values.out
      ? resolve(io.cwd, values.out)
      : join(
          reportDir,
          new Date(results.startedAt)
            .toISOString()
            .replace(/[:]/g, '-')
            .replace(/\.\d+Z$/, 'Z'),
        );
    const written = await writeReports(results, outDir, values.out ? {} : { latestDir: join(reportDir, 'latest') });
    io.stdout(`${renderSummary(results, { files: [written.html, written.json, written.junit], colour: useColour(stream, io.env) })}\n`);
    return exitCode(results, failOn as 'shall' | 'should' | 'never');
  },
};

function missingAnswerChecks(job: Job): never {
  throw new UsageError(`the project has no answer checks for the server side of ${job.transaction.id}`);
}
