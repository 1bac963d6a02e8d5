// The CSV layout rules (CSV.md §3.1) as the Measure Source suite judges a $read-csv header: derived
// from the Measure and the report, so a header passes when it follows the rules and fails, saying
// what, when it does not.
import { describe, expect, it } from 'vitest';
import type { Measure, MeasureReport } from 'fhir/r4.js';
import { measureReportsToCsvString } from '../../src/csv/index.js';
import { seedResources } from '../../simulators/measure-source/index.js';
import { headerOf, layoutProblems, measureColumns } from '../../suites/saner/query-measure/csv-layout.js';

const seed = seedResources();
const stratifiedDay = seed.find((r): r is MeasureReport => r.resourceType === 'MeasureReport' && (r as MeasureReport).group !== undefined)!;
/** The same day's report without its strata. */
const day: MeasureReport = { ...stratifiedDay, group: stratifiedDay.group!.map(({ stratifier: _strata, ...g }) => g) };
/** The day's report with a period whose start equals its end, which CSV.md §3.1 writes as one period column. */
const report: MeasureReport = { ...day, period: { start: '2020-04-01', end: '2020-04-01' } };
const measure = seed.find((r): r is Measure => r.resourceType === 'Measure' && (r as Measure).url === report.measure?.split('|')[0])!;
const codes = measureColumns(measure);

describe('the CSV layout rules', () => {
  it('the Measure gives group codes each followed by its population codes', () => {
    expect(codes.length).toBeGreaterThan(3);
    expect(codes[0]).toBe(measure.group![0]!.code!.coding![0]!.code);
    expect(codes[1]).toBe(measure.group![0]!.population![0]!.code!.coding![0]!.code);
  });

  it('a header laid out by the rules passes, whether written by this project or by hand', async () => {
    const csv = await measureReportsToCsvString([report], measure);
    expect(layoutProblems(headerOf(csv)!, [report], measure)).toEqual([]);
    expect(layoutProblems(['subject', 'reporter', 'period', ...codes], [report], measure)).toEqual([]);
    // Quoted heads are read as RFC 4180 reads them.
    expect(headerOf(`"subject","reporter","period",${codes.map((c) => `"${c}"`).join(',')}\r\n`)).toEqual(['subject', 'reporter', 'period', ...codes]);
  });

  it('two period columns are right for one report, and required when start and end differ', async () => {
    expect(layoutProblems(['subject', 'reporter', 'period-start', 'period-end', ...codes], [report], measure)).toEqual([]);
    expect(layoutProblems(['subject', 'reporter', 'period-start', 'period-end', ...codes], [day], measure)).toEqual([]);
    expect(layoutProblems(headerOf(await measureReportsToCsvString([day], measure))!, [day], measure)).toEqual([]);
    expect(layoutProblems(['subject', 'reporter', 'period', ...codes], [day], measure)).toEqual([
      "it has one period column although a report's period start and end differ; expected period-start and period-end",
    ]);
  });

  it('fails heads in another case, a missing population, columns out of order and strata columns without strata', () => {
    expect(layoutProblems(['subject', 'reporter', 'period', ...codes.map((c) => c.toLowerCase())], [report], measure)[0]).toMatch(/^its measure columns are missing .*; not codes of the Measure: /);
    expect(layoutProblems(['subject', 'reporter', 'period', ...codes.slice(0, -1)], [report], measure)).toEqual([
      `its measure columns are missing ${codes.at(-1)}; expected each group code of ${measure.url} followed by its population codes, in the Measure's order`,
    ]);
    expect(layoutProblems(['subject', 'reporter', 'period', ...[...codes].reverse()], [report], measure)).toEqual([
      `its measure columns are out of order; expected each group code of ${measure.url} followed by its population codes, in the Measure's order`,
    ]);
    expect(layoutProblems(['subject', 'reporter', 'period', 'stratifier', 'stratum', ...codes], [report], measure)).toContain('it has stratifier and stratum columns although no report has strata');
  });

  it('a report with strata needs the stratifier and stratum columns after the period', async () => {
    expect(layoutProblems(headerOf(await measureReportsToCsvString([stratifiedDay], measure))!, [stratifiedDay], measure)).toEqual([]);
    const stratified: MeasureReport = { ...report, group: [{ ...report.group![0]!, stratifier: [{ code: [{ text: 'age' }], stratum: [{ value: { text: '0-17' } }] }] }, ...report.group!.slice(1)] };
    expect(layoutProblems(['subject', 'reporter', 'period', 'stratifier', 'stratum', ...codes], [stratified], measure)).toEqual([]);
    expect(layoutProblems(['subject', 'reporter', 'period', ...codes], [stratified], measure)[0]).toMatch(
      /^its key columns are .*; expected "subject,reporter,period,stratifier,stratum" first \(the reports have strata\)$/,
    );
  });
});
