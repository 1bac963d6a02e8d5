import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import type { Bundle, Measure, MeasureReport, Resource } from 'fhir/r4.js';
import { FhirError } from '../../fhir/errors.js';
import { parseJson, serializeJson } from '../../fhir/json.js';
import { csvToMeasureReports, measureReportsToCsv, planColumns, type FromCsvOptions } from '../../csv/index.js';
import { isCsvIssue } from '../../csv/issues.js';
import { parseCommandArgs } from '../args.js';
import { InputError, UsageError, type CliIo, type Command } from '../command.js';
import { EXIT, exitCodesHelp } from '../exit-codes.js';
import { readInputFile, unreadable } from '../input.js';

const USAGE = `Usage:
  measure-conformance csv to-csv --measure MEASURE.json [--map M]... [--out FILE] REPORT.json|BUNDLE.json...
  measure-conformance csv from-csv --measure MEASURE.json [--map M]... [--subject S] [--reporter R]
                                   [--period-start D --period-end D] [--ndjson] [--out FILE] FILE.csv

Converts SANER MeasureReports to the CSV of the CSV Option and back, driven by the Measure.

to-csv    writes one CSV with the rows of every MeasureReport given (files holding a MeasureReport
          or a Bundle of them), columns named by the Measure's group and population codes.
from-csv  reads a CSV (- for standard input) and writes the MeasureReports it holds as a Bundle of
          type collection, or one report per line with --ndjson (for huge files: nothing is held).

Options:
  --measure FILE       the Measure (JSON) that names the columns (required)
  --map M              column mapping [system|]code[$column],... (repeatable; order = column order)
  --subject S          from-csv: subject when the CSV has no subject column (Type/id or system|value)
  --reporter R         from-csv: reporter, as --subject
  --period-start D     from-csv: period when the CSV has no period columns, else the bounds its rows
  --period-end D         must fall in
  --ndjson             from-csv: write NDJSON instead of a Bundle
  --out FILE           write to FILE instead of standard output
  --help               this text

${exitCodesHelp({ 0: 'converted', 1: 'the input has errors (one line each: FILE:row N column "X": message)' })}`;

interface Args {
  mode: 'to-csv' | 'from-csv';
  measure: string;
  map: string[];
  files: string[];
  out?: string;
  ndjson: boolean;
  subject?: string;
  reporter?: string;
  periodStart?: string;
  periodEnd?: string;
}

const OPTIONS = {
  measure: { type: 'string' },
  map: { type: 'string', multiple: true },
  out: { type: 'string' },
  subject: { type: 'string' },
  reporter: { type: 'string' },
  'period-start': { type: 'string' },
  'period-end': { type: 'string' },
  ndjson: { type: 'boolean' },
} as const;

const FROM_CSV_ONLY = ['subject', 'reporter', 'period-start', 'period-end', 'ndjson'] as const;

function parseArgs(args: string[]): Args {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, { name: 'file', min: 0, max: Infinity });
  const [mode, ...files] = positionals;
  if (mode !== 'to-csv' && mode !== 'from-csv') {
    throw new UsageError(mode ? `unknown mode '${mode}' (to-csv or from-csv)` : 'name a mode: to-csv or from-csv');
  }
  if (!values.measure) throw new UsageError('--measure MEASURE.json is required');
  if (mode === 'to-csv') {
    const misplaced = FROM_CSV_ONLY.find((o) => values[o] !== undefined);
    if (misplaced) throw new UsageError(`--${misplaced} belongs to from-csv`);
    if (files.length === 0) throw new UsageError('name at least one MeasureReport or Bundle file');
  } else if (files.length !== 1) {
    throw new UsageError(files.length ? `one CSV file only (got ${files.length})` : 'name the CSV file to read (- for standard input)');
  }
  return {
    mode,
    measure: values.measure,
    map: values.map ?? [],
    files,
    ndjson: values.ndjson === true,
    ...(values.out ? { out: values.out } : {}),
    ...(values.subject ? { subject: values.subject } : {}),
    ...(values.reporter ? { reporter: values.reporter } : {}),
    ...(values['period-start'] ? { periodStart: values['period-start'] } : {}),
    ...(values['period-end'] ? { periodEnd: values['period-end'] } : {}),
  };
}

/** A file whose content is not FHIR JSON: invalid input content, exit 1 (its message names the file). */
class InvalidContent extends Error {}

/** A file the user named, parsed; an unreadable one is an InputError (exit 2), one that is not FHIR JSON InvalidContent (exit 1). */
async function readResource(path: string, cwd: string): Promise<Resource> {
  const text = await readInputFile(path, cwd);
  try {
    return parseJson(text);
  } catch (err) {
    if (err instanceof FhirError) throw new InvalidContent(`${path}: ${err.message}`);
    throw err;
  }
}

async function* reportsOf(files: string[], cwd: string): AsyncGenerator<MeasureReport> {
  for (const file of files) {
    const resource = await readResource(file, cwd);
    if (resource.resourceType === 'MeasureReport') yield resource as MeasureReport;
    else if (resource.resourceType === 'Bundle') {
      for (const entry of (resource as Bundle).entry ?? []) {
        if (entry.resource?.resourceType === 'MeasureReport') yield entry.resource as MeasureReport;
      }
    } else throw new InputError(`${file}: a ${resource.resourceType}, expected a MeasureReport or a Bundle`);
  }
}

function formatError(err: FhirError, file: string): string {
  return err.issues
    .map((issue) => {
      if (!isCsvIssue(issue) || (issue.row === undefined && issue.column === undefined)) return `${file}: ${issue.message}\n`;
      const where = [issue.row !== undefined ? `row ${issue.row}` : '', issue.column !== undefined ? `column ${JSON.stringify(issue.column)}` : ''].filter(Boolean).join(' ');
      return `${file}:${where}: ${issue.detail}\n`;
    })
    .join('');
}

/** Where output goes: a file, or the command's stdout callback. */
function sink(out: string | undefined, io: CliIo): Writable {
  if (out) return createWriteStream(resolve(io.cwd, out));
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      io.stdout(String(chunk));
      done();
    },
  });
}

/** The opening of the Bundle waits for the first report, so an input rejected early prints nothing on stdout. */
async function* bundleText(reports: AsyncIterable<MeasureReport>, ndjson: boolean): AsyncGenerator<string> {
  if (ndjson) {
    for await (const report of reports) yield `${serializeJson(report)}\n`;
    return;
  }
  const open = '{"resourceType":"Bundle","type":"collection","entry":[';
  let first = true;
  for await (const report of reports) {
    yield `${first ? open : ','}\n{"resource":${serializeJson(report)}}`;
    first = false;
  }
  yield `${first ? open : ''}\n]}\n`;
}

export const csvCommand: Command = {
  name: 'csv',
  summary: 'convert SANER MeasureReports to CSV and back (CSV Option)',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseArgs(args);
    let source = parsed.measure;
    try {
      const measure = await readResource(parsed.measure, io.cwd);
      if (measure.resourceType !== 'Measure') throw new InputError(`${parsed.measure}: a ${measure.resourceType}, expected a Measure`);
      checkMap(measure as Measure, parsed.map);
      if (parsed.mode === 'to-csv') {
        source = parsed.files.join(', ');
        const csv = measureReportsToCsv(reportsOf(parsed.files, io.cwd), measure as Measure, { map: parsed.map });
        await pipeline(csv, sink(parsed.out, io));
      } else {
        const file = parsed.files[0] as string;
        source = file === '-' ? '<stdin>' : file;
        const input = file === '-' ? process.stdin : await openInput(file, io.cwd);
        const opts: FromCsvOptions = {
          map: parsed.map,
          ...(parsed.subject ? { subject: parsed.subject } : {}),
          ...(parsed.reporter ? { reporter: parsed.reporter } : {}),
          ...(parsed.periodStart ? { periodStart: parsed.periodStart } : {}),
          ...(parsed.periodEnd ? { periodEnd: parsed.periodEnd } : {}),
        };
        const reports = csvToMeasureReports(input, measure as Measure, opts);
        await pipeline(Readable.from(bundleText(reports, parsed.ndjson)), sink(parsed.out, io));
      }
      return EXIT.ok;
    } catch (err) {
      // A half-written file would pass for a result.
      if (parsed.out) await rm(resolve(io.cwd, parsed.out), { force: true });
      if (err instanceof FhirError) io.stderr(formatError(err, source));
      else if (err instanceof InvalidContent) io.stderr(`${err.message}\n`);
      else throw err;
      return EXIT.failed;
    }
  },
};

/** A --map that names no column of the Measure is a mistake in the call, found before any data is read. */
function checkMap(measure: Measure, map: readonly string[]): void {
  try {
    planColumns(measure, map);
  } catch (err) {
    if (err instanceof FhirError) throw new UsageError(`--map: ${err.issues.map((i) => (isCsvIssue(i) ? i.detail : i.message)).join('; ')}`);
    throw err;
  }
}

/** The CSV file, opened before conversion starts so a missing one is an input error, not a half-written output. */
async function openInput(file: string, cwd: string): Promise<Readable> {
  const stream = createReadStream(resolve(cwd, file));
  try {
    await once(stream, 'open');
  } catch (err) {
    throw unreadable(file, err);
  }
  return stream;
}
