/**
 * SANER-CM-PG-006 on a Measure of its own: the SUT computes the bundled ComputeUnevaluable for the
 * suite's day (one more trigger, or `$evaluate-measure` on the stand-in), whose one group holds a
 * population the Data Source answers and one on a type it does not serve. The failing population
 * lives apart from ComputeSearchCoverage so that a computer which gives up a whole Measure over it
 * fails only this test, not every search row.
 */
import type { CodeableConcept, MeasureReport, MeasureReportGroupPopulation, OperationOutcome } from 'fhir/r4.js';
import { test } from '../../../src/engine/index.js';
import { EVALUABLE, PARTLY_EVALUABLE_GROUP, UNEVALUABLE, UNEVALUABLE_MEASURE_ID, UNEVALUABLE_MEASURE_URL, UNEVALUABLE_MEASURE_VERSION } from '../../../simulators/data-source/unevaluable.js';
import { EVALUATION_ERROR_EXTENSION } from '../../../ig/saner/canonicals.js';
import { compute, noReport, noteComputation } from './computation.js';
import { countOf, expectedFor } from './expected.js';
import type { ComputeFixture } from './site.js';

const MEASURE = { id: UNEVALUABLE_MEASURE_ID, url: UNEVALUABLE_MEASURE_URL };
const REQUIREMENT = 'SANER-CM-PG-006';
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

function unevaluablePopulation(report: MeasureReport): MeasureReportGroupPopulation | undefined {
  const named = (c: Pick<CodeableConcept, 'text' | 'coding'> | undefined, code: string) => c?.text === code || (c?.coding ?? []).some((x) => x.code === code);
  return (report.group ?? []).find((g) => named(g.code, PARTLY_EVALUABLE_GROUP))?.population?.find((p) => named(p.code, UNEVALUABLE.code));
}

/** An evaluation error the report carries: R5's MeasureReport.error as an extension, or a contained OperationOutcome with an error. */
function reportsError(report: MeasureReport): boolean {
  const extension = (report.extension ?? []).some((e) => e.url === EVALUATION_ERROR_EXTENSION);
  const outcome = (report.contained ?? []).some((r) => r.resourceType === 'OperationOutcome' && ((r as OperationOutcome).issue ?? []).some((i) => i.severity === 'error' || i.severity === 'fatal'));
  return extension || outcome;
}

export const unevaluableTest = test<ComputeFixture>('A population the Data Source cannot answer is reported as an evaluation error, not a count', {
  requirements: REQUIREMENT,
  negativeControl: 'count-unevaluable-as-zero',
  description: `Has the SUT compute ${UNEVALUABLE_MEASURE_ID} for the same day (its trigger, or $evaluate-measure on the stand-in). Its group ${PARTLY_EVALUABLE_GROUP} holds ${EVALUABLE.code} (${EVALUABLE.expression}, which the Data Source answers) and ${UNEVALUABLE.code} (${UNEVALUABLE.expression}, a type the Data Source does not serve: it answers 404). ${UNEVALUABLE.code} should carry no count (data-absent-reason error allowed) and the report an evaluation error; a number, or no report after searching, is a warning (with nothing sent it is not decided). ${EVALUABLE.code}'s count is noted, not judged.`,
  async run(t) {
    const { period, site } = t.fixture;
    const computation = await compute(t.env, site, period, MEASURE);
    noteComputation(t, computation);
    const report = computation.report;
    if (!report) {
      // A computer that gave up the whole Measure over one population reported no error; one that never computed shows nothing.
      if (computation.dataSourceRequests.length === 0)
        return t.undecided(REQUIREMENT, `${noReport(computation)}, and it sent the Data Source nothing, so how it reports what it cannot evaluate cannot be seen`);
      t.expect(false, `${noReport(computation)}, after ${computation.dataSourceRequests.length} request(s) to the Data Source: the population it could evaluate was lost with the one it could not`, {
        requirement: REQUIREMENT,
      });
      return;
    }
    const expected = expectedFor(t.fixture.expected, UNEVALUABLE_MEASURE_URL, UNEVALUABLE_MEASURE_VERSION, period.start)?.groups[0]?.populations[EVALUABLE.code];
    t.note(`${EVALUABLE.code}: reported ${countOf(report, `${PARTLY_EVALUABLE_GROUP}/${EVALUABLE.code}`) ?? 'no count'}, expected ${expected ?? '?'}`);
    const population = unevaluablePopulation(report);
    if (!population) {
      t.expect(false, `the report has no population ${UNEVALUABLE.code} in group ${PARTLY_EVALUABLE_GROUP}; expected it reported, as an evaluation error`, { requirement: REQUIREMENT });
      return;
    }
    t.expect(
      population.count === undefined,
      population.count === undefined ? `${UNEVALUABLE.code} carries no count` : `${UNEVALUABLE.code} carries the count ${population.count}; expected none, the Data Source could not answer its query`,
      { requirement: REQUIREMENT },
    );
    const absent = (population._count?.extension ?? []).find((e) => e.url === DATA_ABSENT);
    if (absent)
      t.expect(absent.valueCode === 'error', `the count's data-absent-reason is ${absent.valueCode ?? '(no code)'}${absent.valueCode === 'error' ? '' : '; expected error'}`, {
        requirement: REQUIREMENT,
      });
    const said = absent !== undefined || reportsError(report);
    t.expect(
      said,
      said
        ? 'the report says the population could not be evaluated'
        : 'the report carries neither a data-absent-reason on the count nor an evaluation error; expected one saying the population could not be evaluated',
      { requirement: REQUIREMENT },
    );
  },
});
