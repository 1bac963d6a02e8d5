import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bundle, Measure, MeasureReport, Resource } from 'fhir/r4.js';
import { FhirError } from '../../fhir/errors.js';
import { parseJson, serializeJson } from '../../fhir/json.js';
import { csvToMeasureReports, measureReportsToCsv, type FromCsvOptions } from '../../csv/index.js';
import { isCsvIssue } from '../../csv/issues.js';
import { UsageError, type CliIo, type Command } from '../command.js';

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

Exit codes: 0 converted, 1 the input has errors (one line each: FILE:row N column "X": message),
2 the command was called wrongly.`;

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

const VALUE_OPTIONS = new Set(['--measure', '--map', '--out', '--subject', '--reporter', '--period-start', '--period-end']);

function parseArgs(args: string[]): Args {
  const [mode, ...rest] = args;
  if (mode !== 'to-csv' && mode !== 'from-csv') {
    throw new UsageError(mode ? `unknown mode '${mode}' (to-csv or from-csv)` : 'name a mode: to-csv or from-csv');
  }
  const values = new Map<string, string[]>();
  const files: string[] = [];
  let ndjson = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_OPTIONS.has(name)) {
      const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else if (arg === '--ndjson') {
      ndjson = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option '${arg}'`);
    } else {
      files.push(arg);
    }
  }
  const single = (name: string): string | undefined => {
    const list = values.get(name);
    if (list && list.length > 1) throw new UsageError(`${name} given twice`);
    return list?.[0];
  };
  const measure = single('--measure');
  if (!measure) throw new UsageError('--measure MEASURE.json is required');
  const fromOnly = ['--subject', '--reporter', '--period-start', '--period-end'].filter((o) => values.has(o));
  if (mode === 'to-csv') {
    if (ndjson || fromOnly.length) throw new UsageError(`${ndjson ? '--ndjson' : fromOnly[0]} belongs to from-csv`);
    if (files.length === 0) throw new UsageError('name at least one MeasureReport or Bundle file');
  } else if (files.length !== 1) {
    throw new UsageError(files.length ? `one CSV file only (got ${files.length})` : 'name the CSV file to read (- for standard input)');
  }
  const optional = (name: string, key: keyof Args): Partial<Args> => {
    const v = single(name);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    mode,
    measure,
    map: values.get('--map') ?? [],
    files,
    ndjson,
    ...optional('--out', 'out'),
    ...optional('--subject', 'subject'),
    ...optional('--reporter', 'reporter'),
    ...optional('--period-start', 'periodStart'),
    ...optional('--period-end', 'periodEnd'),
  };
}

/** A file the user named that cannot be used: one line, exit 1. */
class InputError extends Error {}

async function readResource(path: string, cwd: string): Promise<Resource> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return parseJson(text);
  } catch (err) {
    if (err instanceof FhirError) throw new InputError(`${path}: ${err.message}`);
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
      const where = [issue.row !== undefined ? `row ${issue.row}` : '', issue.column !== undefined ? `column ${JSON.stringify(issue.column)}` : '']
        .filter(Boolean)
        .join(' ');
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
      if (parsed.mode === 'to-csv') {
        source = parsed.files.join(', ');
        const csv = measureReportsToCsv(reportsOf(parsed.files, io.cwd), measure as Measure, { map: parsed.map });
        await pipeline(csv, sink(parsed.out, io));
      } else {
        const file = parsed.files[0] as string;
        source = file === '-' ? '<stdin>' : file;
        const input = file === '-' ? process.stdin : createReadStream(resolve(io.cwd, file));
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
      return 0;
    } catch (err) {
      // A half-written file would pass for a result.
      if (parsed.out) await rm(resolve(io.cwd, parsed.out), { force: true });
      if (err instanceof InputError) io.stderr(`${err.message}\n`);
      else if (err instanceof FhirError) io.stderr(formatError(err, source));
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') io.stderr(`${source}: cannot read (ENOENT)\n`);
      else throw err;
      return 1;
    }
  },
};
