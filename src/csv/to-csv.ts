import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Measure, MeasureReport } from 'fhir/r4.js';
import { planColumns, type ColumnPlan } from './map.js';
import { cellIndex, hasSamePeriodBounds, hasStrata, headerRow, reportRows, type CsvLayout } from './report-rows.js';

export interface ToCsvOptions {
  /** Values of the `map` parameter (CSV.md §4), in the order given. */
  map?: readonly string[];
  /**
   * Fixes the key-column layout instead of deriving it from the reports. Give it when streaming
   * many reports: deriving it from a stream reads ahead until a report with distinct period
   * bounds and a report with strata have been seen, which may be the whole input.
   */
  layout?: Partial<CsvLayout>;
  /** Record separator; RFC 4180 (the default) says CRLF [A10]. */
  eol?: '\r\n' | '\n';
}

type Reports = Iterable<MeasureReport> | AsyncIterable<MeasureReport>;

async function* asAsync(reports: Reports): AsyncGenerator<MeasureReport> {
  yield* reports;
}

/** Text is handed on in pieces of about this size: one stream chunk per row costs more than the row. */
const CHUNK = 64 * 1024;

async function* csvText(reports: Reports, measure: Measure, plan: ColumnPlan, opts: ToCsvOptions): AsyncGenerator<string> {
  let period = opts.layout?.period;
  let strata = opts.layout?.strata;
  const source = asAsync(reports)[Symbol.asyncIterator]();
  const ahead: MeasureReport[] = [];
  while (period === undefined || strata === undefined) {
    const next = await source.next();
    if (next.done) break;
    ahead.push(next.value);
    if (period === undefined && !hasSamePeriodBounds(next.value)) period = 'split';
    if (strata === undefined && hasStrata(next.value)) strata = true;
  }
  const layout: CsvLayout = { period: period ?? 'single', strata: strata ?? false };
  const cells = cellIndex(plan, layout);
  const format = { record_delimiter: opts.eol ?? '\r\n' } as const;
  let pending = stringify([headerRow(plan, layout)], format);
  let ordinal = 0;
  const add = (report: MeasureReport): void => {
    pending += stringify(reportRows(report, ordinal++, measure, plan, layout, cells), format);
  };
  for (let r = ahead.shift(); r; r = ahead.shift()) {
    add(r);
    if (pending.length >= CHUNK) {
      yield pending;
      pending = '';
    }
  }
  for (let next = await source.next(); !next.done; next = await source.next()) {
    add(next.value);
    if (pending.length >= CHUNK) {
      yield pending;
      pending = '';
    }
  }
  yield pending;
}

/**
 * MeasureReports of one Measure -> canonical (or remapped) CSV as a text stream (CSV.md §3.1).
 * A bad `map` throws a 400 FhirError at once; a report that does not fit the Measure makes the
 * stream fail with a 400 FhirError naming the report. The result is also an AsyncIterable of
 * string chunks.
 */
export function measureReportsToCsv(reports: Reports, measure: Measure, opts: ToCsvOptions = {}): Readable {
  const plan = planColumns(measure, opts.map);
  return Readable.from(csvText(reports, measure, plan, opts), { objectMode: false });
}

/** The same as {@link measureReportsToCsv}, collected into one string (for `$read-csv`-sized output). */
export async function measureReportsToCsvString(reports: Reports, measure: Measure, opts: ToCsvOptions = {}): Promise<string> {
  let text = '';
  for await (const chunk of measureReportsToCsv(reports, measure, opts)) text += String(chunk);
  return text;
}
