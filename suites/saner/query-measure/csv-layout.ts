/**
 * The column layout CSV.md §3.1 gives a CSV of MeasureReports, derived from the Measure and the
 * reports themselves (not from this project's converter), so a Source's CSV is judged by the rules:
 * `subject`, `reporter`, the period as one `period` column (start = end) or `period-start` and
 * `period-end`, `stratifier` and `stratum` exactly when a report has strata, then each group's code
 * followed by its populations' codes, in the Measure's order, each named by its first coding.
 */
import { parse } from 'csv-parse/sync';
import type { Measure, MeasureReport } from 'fhir/r4.js';

/** The header row of a CSV, read as RFC 4180 (quoted heads included); undefined when it has none. */
export function headerOf(csv: string): string[] | undefined {
  try {
    const rows = parse(csv, { to_line: 1, bom: true, relax_column_count: true }) as string[][];
    return rows[0];
  } catch {
    return undefined;
  }
}

/** The measure columns in order: each group's code, then its populations' codes (first codings). */
export function measureColumns(measure: Measure): string[] {
  return (measure.group ?? []).flatMap((g) => [g.code?.coding?.[0]?.code, ...(g.population ?? []).map((p) => p.code?.coding?.[0]?.code)]).filter((c): c is string => c !== undefined);
}

/**
 * What breaks the layout rules, one line each (empty when the header follows them). With several
 * reports, a single `period` column is expected only when every report's start equals its end.
 */
export function layoutProblems(header: readonly string[], reports: readonly MeasureReport[], measure: Measure): string[] {
  const problems: string[] = [];
  const samePeriod = reports.every((r) => r.period?.start !== undefined && r.period.start === (r.period.end ?? r.period.start));
  const periods = header.includes('period') ? ['period'] : ['period-start', 'period-end'];
  if (!samePeriod && periods.length === 1) problems.push("it has one period column although a report's period start and end differ; expected period-start and period-end");
  const stratified = reports.some((r) => (r.group ?? []).some((g) => (g.stratifier ?? []).some((s) => (s.stratum ?? []).length > 0)));
  const keys = ['subject', 'reporter', ...periods, ...(stratified ? ['stratifier', 'stratum'] : [])];
  const leading = header.slice(0, keys.length);
  if (leading.join(',') !== keys.join(','))
    problems.push(`its key columns are ${JSON.stringify(leading.join(','))}; expected ${JSON.stringify(keys.join(','))} first${stratified ? ' (the reports have strata)' : ''}`);
  if (!stratified && (header.includes('stratifier') || header.includes('stratum'))) problems.push('it has stratifier and stratum columns although no report has strata');
  const expected = measureColumns(measure);
  const rest = header.slice(keys.length);
  if (rest.join(',') !== expected.join(',')) {
    const missing = expected.filter((c) => !rest.includes(c));
    const unknown = rest.filter((c) => !expected.includes(c));
    const why = [
      missing.length ? `missing ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}` : '',
      unknown.length ? `not codes of the Measure: ${unknown.slice(0, 4).join(', ')}${unknown.length > 4 ? ` and ${unknown.length - 4} more` : ''}` : '',
    ].filter(Boolean);
    problems.push(
      `its measure columns ${why.length ? `are ${why.join('; ')}` : 'are out of order'}; expected each group code of ${measure.url} followed by its population codes, in the Measure's order`,
    );
  }
  return problems;
}
