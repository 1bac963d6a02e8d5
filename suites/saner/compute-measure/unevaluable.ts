/**
 * SANER-CM-PG-006 on a Measure of its own: the SUT computes the bundled ComputeUnevaluable for the
 * suite's day (one more trigger, or `$evaluate-measure` on the stand-in), whose one group holds a
 * population the Data Source answers and one on a type it does not serve. The failing population
 * lives apart from ComputeSearchCoverage so that a computer which gives up a whole Measure over it
 * fails only this test, not every search row.
 */
import type { MeasureReport, MeasureReportGroupPopulation, OperationOutcome } from 'fhir/r4.js';
import { test } from '../../../src/engine/index.js';
import {
  EVALUABLE,
  PARTLY_EVALUABLE_GROUP,
  UNEVALUABLE,
  UNEVALUABLE_MEASURE_ID,
  UNEVALUABLE_MEASURE_URL,
  UNEVALUABLE_MEASURE_VERSION,
} from '../../../simulators/data-source/unevaluable.js';
import { EVALUATION_ERROR_EXTENSION } from '../../../ig/saner/canonicals.js';
import { compute, type ComputeFixture } from './computation.js';
import { countOf, expectedFor } from './expected.js';
import { siteAt } from './site.js';

const MEASURE = { id: UNEVALUABLE_MEASURE_ID, url: UNEVALUABLE_MEASURE_URL };
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

function unevaluablePopulation(report: MeasureReport): MeasureReportGroupPopulation | undefined {
  const named = (c: { text?: string; coding?: Array<{ code?: string }> } | undefined, code: string) => c?.text === code || (c?.coding ?? []).some((x) => x.code === code);
  return (report.group ?? []).find((g) => named(g.code, PARTLY_EVALUABLE_GROUP))?.population?.find((p) => named(p.code, UNEVALUABLE.code));
}

/** An evaluation error the report carries: R5's MeasureReport.error as an extension, or a contained OperationOutcome with an error. */
function reportsError(report: MeasureReport): boolean {
  const extension = (report.extension ?? []).some((e) => e.url === EVALUATION_ERROR_EXTENSION);
  const outcome = (report.contained ?? []).some((r) => r.resourceType === 'OperationOutcome' && ((r as OperationOutcome).issue ?? []).some((i) => i.severity === 'error' || i.severity === 'fatal'));
  return extension || outcome;
}

export const unevaluableTest = test<ComputeFixture>('A population the Data Source cannot answer is reported as an evaluation error, not a count', {
  requirements: 'SANER-CM-PG-006',
  negativeControl: 'count-unevaluable-as-zero',
  description: `Has the SUT compute ${UNEVALUABLE_MEASURE_ID} for the same day (its trigger, or $evaluate-measure on the stand-in). Its group ${PARTLY_EVALUABLE_GROUP} holds ${EVALUABLE.code} (${EVALUABLE.expression}, which the Data Source answers) and ${UNEVALUABLE.code} (${UNEVALUABLE.expression}, a type the Data Source does not serve: it answers 404). ${UNEVALUABLE.code} should carry no count (data-absent-reason error allowed) and the report an evaluation error; a number is a warning. ${EVALUABLE.code}'s count is noted, not judged.`,
  async run(t) {
    const site = t.require(siteAt(t.simulator.baseUrl), 'the public-health side runs beside the Data Source simulator');
    const periods = site.dataSource.expected.periods;
    const period = (t.fixture.period ??= periods[Math.min(2, periods.length - 1)]!);
    const computation = await compute(t, site, period, t.simulator.baseUrl, () => t.simulator.exchanges(), MEASURE);
    const report = t.require(computation.report, `the computer produced a report of ${UNEVALUABLE_MEASURE_ID}`);
    const expected = expectedFor(site.dataSource.expected, UNEVALUABLE_MEASURE_URL, UNEVALUABLE_MEASURE_VERSION, period.start)?.groups[0]?.populations[EVALUABLE.code];
    t.note(`${EVALUABLE.code}: reported ${countOf(report, `${PARTLY_EVALUABLE_GROUP}/${EVALUABLE.code}`) ?? 'no count'}, expected ${expected ?? '?'}`);
    const population = t.require(unevaluablePopulation(report), `the report has group ${PARTLY_EVALUABLE_GROUP} with population ${UNEVALUABLE.code}`);
    t.expect(population.count === undefined, `${UNEVALUABLE.code} carries no count (got ${population.count ?? 'none'})`);
    const absent = (population._count?.extension ?? []).find((e) => e.url === DATA_ABSENT);
    if (absent) t.expectEqual(absent.valueCode, 'error', 'the count\'s data-absent-reason is error');
    t.expect(absent !== undefined || reportsError(report), 'the report says the population could not be evaluated (data-absent-reason error on the count, or an evaluation error on the report)');
  },
});
