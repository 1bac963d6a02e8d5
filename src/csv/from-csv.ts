import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import type {
  CodeableConcept,
  Measure,
  MeasureGroup,
  MeasureReport,
  MeasureReportGroup,
  MeasureReportGroupPopulation,
  MeasureReportGroupStratifier,
  MeasureReportGroupStratifierStratum,
  Quantity,
  Reference,
} from 'fhir/r4.js';
import { needsNumberText, setNumberText } from '../fhir/decimal.js';
import { FhirError } from '../fhir/errors.js';
import { instant, nowDateTime, toFhirDateTime } from './dates.js';
import { IssueCollector } from './issues.js';
import { planColumns, type ColumnPlan, type MeasureColumn } from './map.js';
import { KEY_COLUMNS, type KeyColumn } from './measure-columns.js';
import { parseParty, partyFor } from './party.js';
import { stratifierName } from './report-rows.js';

export const DATA_ABSENT_REASON = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

export interface FromCsvOptions {
  /** Values of the `map` parameter (CSV.md §4), in the order given. */
  map?: readonly string[];
  /** `subject` parameter of `$report-csv`: `Type/id` or `system|value` [A25]; fills a missing column, lends its system [A12]. */
  subject?: string;
  /** `reporter` parameter of `$report-csv`, as `subject`. */
  reporter?: string;
  /** `period-start` parameter: the period when the CSV has no period columns, else the earliest start allowed [A24]. */
  periodStart?: string;
  /** `period-end` parameter, as `periodStart`. */
  periodEnd?: string;
  /** Columns that are neither key columns nor measure codes: an error (default) or ignored (CSV.md §3.2 step 6). With a map they are always ignored. */
  unknownColumns?: 'error' | 'ignore';
  /** Stop after this many errors (default 20). */
  maxErrors?: number;
  /**
   * Reports kept open while reading (default 1000): a report is finished once this many later
   * reports have started, so memory stays bounded; a row for an already finished report is an
   * error telling the sender to keep a report's rows together.
   */
  maxOpenReports?: number;
  /** `MeasureReport.date` of every report produced (default: now, precise to the second). */
  date?: string;
  /** Zone offset (`±hh:mm`) for dates and dateTimes without one (default: the server's local zone) [A13]. */
  timezoneOffset?: string;
}

type Role = { key: KeyColumn } | { slot: number };

/** What the header row says about each column. */
interface Header {
  names: string[];
  roles: Array<Role | undefined>;
  keyAt: Partial<Record<KeyColumn, number>>;
  /** Measure columns present in the file; a value slot each. */
  slots: MeasureColumn[];
  /** Slot of each Measure code present: `g` for a group score, `g.p` for a population count. */
  slotOf: Map<string, number>;
}

interface StratumDraft {
  row: number;
  stratifier: string;
  stratum: string;
  values: string[];
}

/** A report being assembled from its rows. */
interface Draft {
  firstRow: number;
  subject: string;
  reporter: string;
  start: string;
  end: string;
  main: Array<string | undefined>;
  mainRow: number[];
  strata: Map<string, StratumDraft>;
}

const COUNT = /^[0-9]+$/;
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const MAX_INTEGER = 2147483647;

function readHeader(names: string[], plan: ColumnPlan, opts: FromCsvOptions, issues: IssueCollector): Header {
  const byName = new Map<string, Role>();
  for (const k of KEY_COLUMNS) byName.set(plan.keys[k], { key: k });
  const columnOf = new Map<string, MeasureColumn>();
  for (const c of plan.measure) if (!byName.has(c.column)) columnOf.set(c.column, c);
  const header: Header = { names, roles: [], keyAt: {}, slots: [], slotOf: new Map() };
  const firstAt = new Map<string, number>();
  names.forEach((name, i) => {
    const earlier = firstAt.get(name);
    if (earlier !== undefined) {
      issues.add('duplicate', `column appears twice (columns ${earlier + 1} and ${i + 1})`, 1, name);
      header.roles.push(undefined);
      return;
    }
    firstAt.set(name, i);
    const key = byName.get(name);
    const measureColumn = columnOf.get(name);
    if (key && 'key' in key) {
      header.keyAt[key.key] = i;
      header.roles.push(key);
    } else if (measureColumn) {
      const slot = header.slots.length;
      header.slots.push(measureColumn);
      header.slotOf.set(measureColumn.kind === 'group' ? `${measureColumn.group}` : `${measureColumn.group}.${measureColumn.population}`, slot);
      header.roles.push({ slot });
    } else {
      if (!plan.selected && (opts.unknownColumns ?? 'error') === 'error') {
        issues.add('not-found', 'unknown column: not a key column nor a group or population code of the Measure (use map to rename or select columns)', 1, name);
      }
      header.roles.push(undefined);
    }
  });
  const has = (k: KeyColumn): boolean => header.keyAt[k] !== undefined;
  const missing = (k: KeyColumn, why: string): void => issues.add('required', `missing required column "${plan.keys[k]}": ${why}`, 1);
  if (!has('subject') && !opts.subject) missing('subject', 'give a subject column or the subject parameter');
  if (has('period') && (has('period-start') || has('period-end'))) {
    issues.add('invalid', `both "${plan.keys.period}" and "${plan.keys['period-start']}"/"${plan.keys['period-end']}" columns`, 1, plan.keys.period);
  } else if (has('period-start') !== has('period-end')) {
    missing(has('period-start') ? 'period-end' : 'period-start', 'period-start and period-end go together');
  } else if (!has('period') && !has('period-start') && !(opts.periodStart && opts.periodEnd)) {
    missing('period', 'give period or period-start and period-end columns, or the period-start and period-end parameters');
  }
  if (has('stratifier') !== has('stratum')) missing(has('stratifier') ? 'stratum' : 'stratifier', 'stratifier and stratum go together');
  return header;
}

/** Checks one measure cell; returns the trimmed text, '' for an empty cell, undefined when bad. */
function checkCell(text: string, column: MeasureColumn, row: number, name: string, issues: IssueCollector): string | undefined {
  const value = text.trim();
  if (value === '') return '';
  if (column.kind === 'group') {
    if (DECIMAL.test(value)) return value;
    issues.add('value', `${JSON.stringify(text)} is not a decimal score`, row, name);
    return undefined;
  }
  if (COUNT.test(value)) {
    if (Number(value) <= MAX_INTEGER) return String(Number(value));
    issues.add('value', `count ${value} is larger than a FHIR integer allows`, row, name);
  } else if (/^-\s*[0-9]/.test(value)) issues.add('value', `count ${value} is negative`, row, name);
  else issues.add('value', `${JSON.stringify(text)} is not a non-negative integer count`, row, name);
  return undefined;
}

interface Builder {
  measure: Measure;
  header: Header;
  subject?: Reference;
  reporter?: Reference;
  date: string;
  /** Stratifier codes by group and CSV name, looked up in the Measure once. */
  stratifierCodes: Map<number, Map<string, CodeableConcept>>;
}

function population(b: Builder, values: Array<string | undefined>, g: number, p: number, code: CodeableConcept | undefined): MeasureReportGroupPopulation {
  const slot = b.header.slotOf.get(`${g}.${p}`);
  const value = slot === undefined ? undefined : values[slot];
  const out: MeasureReportGroupPopulation = {};
  if (code) out.code = code;
  if (value) out.count = Number(value);
  else out._count = { extension: [{ url: DATA_ABSENT_REASON, valueCode: slot === undefined ? 'unsupported' : 'unknown' }] };
  return out;
}

function score(b: Builder, values: Array<string | undefined>, g: number): Quantity | undefined {
  const slot = b.header.slotOf.get(`${g}`);
  const value = slot === undefined ? undefined : values[slot];
  if (!value) return undefined;
  const measureScore = { value: Number(value) };
  if (needsNumberText(value)) setNumberText(measureScore, 'value', value);
  return measureScore;
}

/** Whether a stratified row carries any value for group `g` [A16]. */
function touchesGroup(b: Builder, values: string[], g: number): boolean {
  return b.header.slots.some((c, slot) => c.group === g && values[slot] !== '');
}

/** The Measure's code of the stratifier a CSV names, or a text-only code when the Measure has none such. */
function stratifierCode(b: Builder, g: number, name: string): CodeableConcept {
  let byName = b.stratifierCodes.get(g);
  if (!byName) {
    byName = new Map();
    b.stratifierCodes.set(g, byName);
  }
  let code = byName.get(name);
  if (!code) {
    const group: MeasureGroup | undefined = b.measure.group?.[g];
    code = group?.stratifier?.find((ms) => stratifierName(ms.code ? [ms.code] : undefined) === name)?.code ?? { text: name };
    byName.set(name, code);
  }
  return code;
}

function stratifiers(b: Builder, draft: Draft, g: number): MeasureReportGroupStratifier[] {
  const measureGroup = b.measure.group?.[g];
  const byName = new Map<string, MeasureReportGroupStratifierStratum[]>();
  for (const s of draft.strata.values()) {
    if (!touchesGroup(b, s.values, g)) continue;
    let list = byName.get(s.stratifier);
    if (!list) {
      list = [];
      byName.set(s.stratifier, list);
    }
    // The CSV does not carry the component code; the stratifier's code stands in for it [A27].
    const componentCode = stratifierCode(b, g, s.stratifier);
    const stratum: MeasureReportGroupStratifierStratum = { component: [{ code: componentCode, value: { coding: [{ code: s.stratum }] } }] };
    const measureScore = score(b, s.values, g);
    if (measureScore) stratum.measureScore = measureScore;
    stratum.population = (measureGroup?.population ?? []).map((mp, p) => population(b, s.values, g, p, mp.code));
    list.push(stratum);
  }
  return [...byName].map(([name, stratum]) => ({ code: [stratifierCode(b, g, name)], stratum }));
}

function buildReport(b: Builder, draft: Draft): MeasureReport {
  const subject = partyFor(draft.subject, b.subject);
  const reporter = partyFor(draft.reporter, b.reporter);
  const report: MeasureReport = {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: b.measure.url ?? `Measure/${b.measure.id ?? ''}`,
    ...(subject ? { subject } : {}),
    date: b.date,
    ...(reporter ? { reporter } : {}),
    period: { start: draft.start, end: draft.end },
  };
  report.group = (b.measure.group ?? []).map((mg, g) => {
    const group: MeasureReportGroup = {};
    if (mg.code) group.code = mg.code;
    group.population = (mg.population ?? []).map((mp, p) => population(b, draft.main, g, p, mp.code));
    const measureScore = score(b, draft.main, g);
    if (measureScore) group.measureScore = measureScore;
    const strat = stratifiers(b, draft, g);
    if (strat.length) group.stratifier = strat;
    return group;
  });
  return report;
}

function parameterDate(name: string, text: string | undefined, offset: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = toFhirDateTime(text, offset);
  if (value) return value;
  throw FhirError.of(400, 'value', `parameter "${name}": ${JSON.stringify(text)} is not an ISO 8601 date or dateTime`, name);
}

/**
 * Records in the batches the parser already holds: one await per batch instead of one per
 * record, which is most of the per-row cost on large files.
 */
async function* recordBatches(parser: Readable): AsyncGenerator<string[][]> {
  for await (const first of parser as AsyncIterable<string[]>) {
    const batch = [first];
    for (let next = parser.read() as string[] | null; next !== null; next = parser.read() as string[] | null) batch.push(next);
    yield batch;
  }
}

function toReadable(input: Readable | string | Uint8Array): Readable {
  return typeof input === 'string' || input instanceof Uint8Array ? Readable.from([input]) : input;
}

/**
 * CSV -> MeasureReports of one Measure (CSV.md §3.2), one per (period, subject, reporter), read
 * as a stream: rows are parsed as they arrive and reports are yielded once finished, so memory is
 * bounded by `maxOpenReports`, not by the file. Every problem is a 400 FhirError naming
 * `row N, column "X"` (header = row 1); several are collected (up to `maxErrors`) and thrown once
 * reading stops. Reports are yielded only while the input is error-free: a consumer that must be
 * all-or-nothing should collect them first ({@link readCsvMeasureReports}).
 */
export async function* csvToMeasureReports(input: Readable | string | Uint8Array, measure: Measure, opts: FromCsvOptions = {}): AsyncGenerator<MeasureReport> {
  const plan = planColumns(measure, opts.map);
  const offset = opts.timezoneOffset;
  const paramStart = parameterDate('period-start', opts.periodStart, offset);
  const paramEnd = parameterDate('period-end', opts.periodEnd, offset);
  if ((paramStart === undefined) !== (paramEnd === undefined)) {
    throw FhirError.of(400, 'required', 'parameters "period-start" and "period-end" go together', paramStart ? 'period-end' : 'period-start');
  }
  if (paramStart && paramEnd && instant(paramStart) > instant(paramEnd)) {
    throw FhirError.of(400, 'value', `parameter "period-start" ${paramStart} is after "period-end" ${paramEnd}`, 'period-start');
  }
  const issues = new IssueCollector(opts.maxErrors ?? 20);
  const maxOpen = Math.max(1, opts.maxOpenReports ?? 1000);
  const source = toReadable(input);
  const parser = parse({ bom: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] });
  const onSourceError = (err: Error): void => {
    parser.destroy(err);
  };
  source.once('error', onSourceError);
  source.pipe(parser);

  const rowContext: RowContext = { paramStart, paramEnd, offset, subjectParam: opts.subject, dates: new Map() };
  let header: Header | undefined;
  let builder: Builder | undefined;
  const open = new Map<string, Draft>();
  const finished = new Set<string>();
  let lastKey: string | undefined;
  let lastDraft: Draft | undefined;
  let row = 0;
  const finish = (key: string, draft: Draft): MeasureReport | undefined => {
    open.delete(key);
    if (key === lastKey) lastDraft = undefined;
    finished.add(key);
    return issues.failed || !builder ? undefined : buildReport(builder, draft);
  };
  try {
    reading: for await (const batch of recordBatches(parser)) {
      for (const record of batch) {
        row++;
        if (!header) {
          header = readHeader(record, plan, opts, issues);
          if (issues.failed) break reading;
          builder = {
            measure,
            header,
            ...(opts.subject ? { subject: parseParty(opts.subject) } : {}),
            ...(opts.reporter ? { reporter: parseParty(opts.reporter) } : {}),
            date: opts.date ?? nowDateTime(),
            stratifierCodes: new Map(),
          };
          continue;
        }
        if (record.length === 1 && record[0] === '') continue;
        const keyed = readRow(record, row, header, plan, issues, rowContext);
        if (issues.full) break reading;
        if (!keyed) continue;
        if (finished.has(keyed.key)) {
          issues.add(
            'invalid',
            `rows of subject ${JSON.stringify(keyed.subject)}, reporter ${JSON.stringify(keyed.reporter)}, period ${keyed.start}/${keyed.end} are too far apart: their report was already finished after ${maxOpen} other reports started; keep a report's rows together`,
            row,
          );
          continue;
        }
        let draft = keyed.key === lastKey ? lastDraft : open.get(keyed.key);
        if (draft) {
          if (draft !== lastDraft) {
            open.delete(keyed.key);
            open.set(keyed.key, draft);
          }
        } else {
          draft = { firstRow: row, subject: keyed.subject, reporter: keyed.reporter, start: keyed.start, end: keyed.end, main: [], mainRow: [], strata: new Map() };
          open.set(keyed.key, draft);
        }
        lastKey = keyed.key;
        lastDraft = draft;
        merge(draft, keyed, row, header, plan, issues);
        if (issues.full) break reading;
        if (open.size > maxOpen) {
          const [oldKey, oldDraft] = open.entries().next().value as [string, Draft];
          const report = finish(oldKey, oldDraft);
          if (report) yield report;
        }
      }
    }
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    issues.add('structure', `not valid CSV: ${err.message}`, Number(err.records) + 1);
  } finally {
    source.off('error', onSourceError);
    source.unpipe(parser);
    parser.destroy();
    // Stopping early (consumer break, too many errors) must not leave a file handle open.
    if (!source.readableEnded) source.destroy();
  }
  if (!header && !issues.failed) issues.add('required', 'the CSV is empty: a header row is required', 1);
  if (issues.failed) throw issues.toError();
  for (const [key, draft] of [...open].sort((a, b) => a[1].firstRow - b[1].firstRow)) {
    const report = finish(key, draft);
    if (report) yield report;
  }
}

interface KeyedRow {
  key: string;
  subject: string;
  reporter: string;
  start: string;
  end: string;
  stratifier: string;
  stratum: string;
  values: string[];
}

interface RowContext {
  paramStart: string | undefined;
  paramEnd: string | undefined;
  offset: string | undefined;
  subjectParam: string | undefined;
  dates: Map<string, string | undefined>;
}

function keyCell(record: string[], header: Header, k: KeyColumn): string | undefined {
  const at = header.keyAt[k];
  return at === undefined ? undefined : (record[at] as string);
}

function dateCell(record: string[], row: number, header: Header, k: KeyColumn, plan: ColumnPlan, issues: IssueCollector, ctx: RowContext): string | undefined {
  const text = keyCell(record, header, k);
  if (text === undefined) return undefined;
  let value = ctx.dates.get(text);
  if (value === undefined && !ctx.dates.has(text)) {
    // Files repeat the same few periods on every row; parse each once (bounded for odd files).
    if (ctx.dates.size > 1000) ctx.dates.clear();
    value = toFhirDateTime(text, ctx.offset);
    ctx.dates.set(text, value);
  }
  if (!value) issues.add('value', text.trim() ? `${JSON.stringify(text)} is not an ISO 8601 date or dateTime` : 'empty period', row, plan.keys[k]);
  return value;
}

function readRow(record: string[], row: number, header: Header, plan: ColumnPlan, issues: IssueCollector, ctx: RowContext): KeyedRow | undefined {
  const width = header.names.length;
  if (record.length !== width) {
    if (record.length < width) {
      issues.add('structure', `row has ${record.length} cells, the header has ${width}: the cell is missing`, row, header.names[record.length]);
    } else {
      issues.add('structure', `row has ${record.length} cells, the header has ${width}`, row, `#${width + 1}`);
    }
    return undefined;
  }
  const before = issues.issues.length;
  const subject = keyCell(record, header, 'subject') ?? '';
  if (!subject && !ctx.subjectParam) issues.add('required', 'empty subject and no subject parameter', row, plan.keys.subject);
  const reporter = keyCell(record, header, 'reporter') ?? '';
  let start: string | undefined;
  let end: string | undefined;
  const single = header.keyAt.period !== undefined;
  if (single) start = end = dateCell(record, row, header, 'period', plan, issues, ctx);
  else if (header.keyAt['period-start'] !== undefined) {
    start = dateCell(record, row, header, 'period-start', plan, issues, ctx);
    end = dateCell(record, row, header, 'period-end', plan, issues, ctx);
  } else {
    start = ctx.paramStart;
    end = ctx.paramEnd;
  }
  if (start && end && start !== end) {
    if (!single && instant(start) > instant(end)) {
      issues.add('value', `period-start ${start} is after period-end ${end}`, row, plan.keys['period-start']);
    }
  }
  if (start && end && ctx.paramStart && ctx.paramEnd && (instant(start) < instant(ctx.paramStart) || instant(end) > instant(ctx.paramEnd))) {
    const column = single ? plan.keys.period : plan.keys['period-start'];
    issues.add('value', `period ${start}/${end} is outside the period-start/period-end parameters ${ctx.paramStart}/${ctx.paramEnd}`, row, column);
  }
  const stratifier = (keyCell(record, header, 'stratifier') ?? '').trim();
  const stratum = (keyCell(record, header, 'stratum') ?? '').trim();
  if (!stratifier !== !stratum) {
    issues.add('required', `${stratifier ? 'stratum' : 'stratifier'} is empty while ${stratifier ? 'stratifier' : 'stratum'} is not`, row, plan.keys[stratifier ? 'stratum' : 'stratifier']);
  }
  const values: string[] = new Array<string>(header.slots.length);
  for (let i = 0; i < width; i++) {
    const role = header.roles[i];
    if (!role || !('slot' in role)) continue;
    const column = header.slots[role.slot] as MeasureColumn;
    values[role.slot] = checkCell(record[i] as string, column, row, header.names[i] as string, issues) ?? '';
  }
  if (issues.issues.length > before || !start || !end) return undefined;
  return { key: `${start}\u0000${end}\u0000${subject}\u0000${reporter}`, subject, reporter, start, end, stratifier, stratum, values };
}

/**
 * Adds a row to its report: unstratified rows fill values not yet given (a different value for
 * the same cell is a conflict), stratified rows add one stratum each; the same (stratifier,
 * stratum) twice in a report is the error the IG names.
 */
function merge(draft: Draft, keyed: KeyedRow, row: number, header: Header, plan: ColumnPlan, issues: IssueCollector): void {
  if (keyed.stratifier) {
    const pair = `${keyed.stratifier}\u0000${keyed.stratum}`;
    const earlier = draft.strata.get(pair);
    if (earlier) {
      issues.add(
        'duplicate',
        `duplicate stratifier/stratum pair ${keyed.stratifier}/${keyed.stratum} for subject ${JSON.stringify(keyed.subject)}, period ${keyed.start}/${keyed.end} (first at row ${earlier.row})`,
        row,
        plan.keys.stratum,
      );
      return;
    }
    draft.strata.set(pair, { row, stratifier: keyed.stratifier, stratum: keyed.stratum, values: keyed.values });
    return;
  }
  for (let slot = 0; slot < keyed.values.length; slot++) {
    const value = keyed.values[slot] as string;
    const had = draft.main[slot];
    if (had === undefined || had === '') {
      draft.main[slot] = value;
      draft.mainRow[slot] = row;
    } else if (value !== '' && value !== had) {
      const name = (header.slots[slot] as MeasureColumn).column;
      issues.add('conflict', `${value} conflicts with ${had} given at row ${draft.mainRow[slot]} for the same report`, row, name);
    }
  }
}

/** All reports of a CSV, or the 400 FhirError listing its problems: for all-or-nothing consumers such as `$report-csv`. */
export async function readCsvMeasureReports(input: Readable | string | Uint8Array, measure: Measure, opts: FromCsvOptions = {}): Promise<MeasureReport[]> {
  const reports: MeasureReport[] = [];
  for await (const report of csvToMeasureReports(input, measure, opts)) reports.push(report);
  return reports;
}
