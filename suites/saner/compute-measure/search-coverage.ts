/**
 * The Measure drives what the Measure Computer searches: the SUT computes the bundled
 * ComputeSearchCoverage Measure (one population per resource type and R4 search parameter of the
 * Data Source's CapabilityStatement, each query using that parameter alone; see
 * simulators/data-source/coverage.ts), and each SANER-CM-MC search row gets its own verdict from
 * the searches that reached the Data Source and the count the computer reported. Rows naming a
 * parameter R4 lacks keep their not-applicable reason (digest §7 D8); a MAY parameter the computer
 * did not use is "not used (MAY)", not a failure. Every population of this Measure can be
 * evaluated; the one that cannot is ComputeUnevaluable's (unevaluable.ts).
 */
import { test } from '../../../src/engine/index.js';
import { computeMeasureRequirements } from '../../../ig/saner/compute-measure-capabilities.js';
import { COVERAGE_MEASURE_ID, COVERAGE_MEASURE_URL, COVERAGE_MEASURE_VERSION, COVERED_PARAMETERS } from '../../../simulators/data-source/coverage.js';
import { compute, noReport, noteComputation, type Computation } from './computation.js';
import { countOf, expectedFor } from './expected.js';
import type { ComputeFixture } from './site.js';

const COVERAGE = { id: COVERAGE_MEASURE_ID, url: COVERAGE_MEASURE_URL };

interface Row {
  id: string;
  type: string;
  /** The search parameter, or undefined for the row of the type's search interaction. */
  parameter?: string;
  /** A MAY row: unused, it is not decided. */
  optional: boolean;
}

/** The Measure Computer's search rows this Measure decides: a covered type's search, and each covered parameter. */
const ROWS: readonly Row[] = computeMeasureRequirements.flatMap((r): Row[] => {
  if (!r.id.startsWith('SANER-CM-MC-') || r.notTestedReason) return [];
  const match = /^(\w+)\.(interaction\[search-type\]|searchParam\[([^\]]+)\])$/.exec(r.element ?? '');
  const [, type = '', , parameter] = match ?? [];
  const covered = COVERED_PARAMETERS[type];
  if (!match || !covered) return [];
  const optional = r.expectation === 'MAY';
  if (parameter === undefined) return [{ id: r.id, type, optional }];
  return covered.includes(parameter) ? [{ id: r.id, type, parameter, optional }] : [];
});

const uses = (search: Computation['searches'][number], parameter: string): boolean => search.params.some(([name]) => name.split(':')[0] === parameter);

export const searchCoverageTest = test<ComputeFixture>('The computer searches each Data Source resource type and parameter the Measure asks for', {
  requirements: ROWS.map((r) => r.id),
  negativeControl: 'skip-search-types',
  description: `Has the SUT compute ${COVERAGE_MEASURE_ID} for the same day (its trigger, or $evaluate-measure on the stand-in): one population per resource type and R4 search parameter of the Data Source's CapabilityStatement, each query using that parameter alone with values that match some of the generated resources. Each SANER-CM-MC row passes when a search of that type (with that parameter) reached the Data Source and was answered, and the population's count equals the generator's expected count; a MAY parameter the computer did not use is left undecided (not used).`,
  async run(t) {
    const { period, site } = t.fixture;
    const result = expectedFor(t.fixture.expected, COVERAGE_MEASURE_URL, COVERAGE_MEASURE_VERSION, period.start);
    if (!result) throw new Error(`the Data Source generator has no expected results for ${COVERAGE_MEASURE_URL}|${COVERAGE_MEASURE_VERSION} on ${period.start}`);
    const computation = await compute(t.env, site, period, COVERAGE);
    noteComputation(t, computation);
    const report = computation.report;
    if (!report) t.note(noReport(computation));
    for (const row of ROWS) {
      const searches = computation.searches.filter((s) => s.type === row.type && s.succeeded);
      if (row.parameter === undefined) {
        t.expect(
          searches.length > 0,
          searches.length
            ? `the computer searched ${row.type} and the Data Source answered (${searches.length} search(es))`
            : `no search of ${row.type} was answered; expected one for the Measure's ${row.type} populations`,
          { requirement: row.id },
        );
        continue;
      }
      const parameter = row.parameter;
      const used = searches.filter((s) => uses(s, parameter));
      if (used.length === 0 && row.optional) {
        t.undecided(row.id, `not used (MAY): no answered search of ${row.type} used ${parameter}`);
        continue;
      }
      t.expect(
        used.length > 0,
        used.length
          ? `the computer searched ${row.type} with ${parameter} and the Data Source answered (${used[0]!.line})`
          : `no answered search of ${row.type} used ${parameter}; expected one for population ${row.type}-${parameter}`,
        { requirement: row.id },
      );
      const want = result.groups.find((g) => g.code === row.type)?.populations[`${row.type}-${parameter}`];
      const got = report ? countOf(report, `${row.type}/${row.type}-${parameter}`) : undefined;
      t.expect(got !== undefined && got === want, `the reported count of ${row.type}-${parameter} is ${got ?? 'missing'}${got === want ? '' : `; expected ${want ?? '?'}`}`, { requirement: row.id });
    }
  },
});
