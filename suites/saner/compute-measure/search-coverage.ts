/**
 * The Measure drives what the Measure Computer searches: the SUT computes the bundled
 * ComputeSearchCoverage Measure (one population per resource type and R4 search parameter of the
 * Data Source's CapabilityStatement, each query using that parameter alone; see
 * simulators/data-source/coverage.ts), and each SANER-CM-MC search row gets its own verdict from
 * the searches that reached the Data Source and the count the computer reported. Rows naming a
 * parameter R4 lacks keep their not-applicable reason (digest §7 D8). Every population of this
 * Measure can be evaluated; the one that cannot is ComputeUnevaluable's (unevaluable.ts).
 */
import { test } from '../../../src/engine/index.js';
import { computeMeasureRequirements } from '../../../ig/saner/compute-measure-capabilities.js';
import { COVERAGE_MEASURE_ID, COVERAGE_MEASURE_URL, COVERAGE_MEASURE_VERSION, COVERED_PARAMETERS } from '../../../simulators/data-source/coverage.js';
import { answered, compute, type ComputeFixture, type Search } from './computation.js';
import { countOf, expectedFor } from './expected.js';
import { siteAt } from './site.js';

const COVERAGE = { id: COVERAGE_MEASURE_ID, url: COVERAGE_MEASURE_URL };

interface Row {
  id: string;
  type: string;
  /** The search parameter, or undefined for the row of the type's search interaction. */
  parameter?: string;
}

/** The Measure Computer's search rows this Measure decides: a covered type's search, and each covered parameter. */
const ROWS: readonly Row[] = computeMeasureRequirements.flatMap((r): Row[] => {
  if (!r.id.startsWith('SANER-CM-MC-') || r.notTestedReason) return [];
  const match = /^(\w+)\.(interaction\[search-type\]|searchParam\[([^\]]+)\])$/.exec(r.element ?? '');
  const [, type = '', , parameter] = match ?? [];
  const covered = COVERED_PARAMETERS[type];
  if (!match || !covered) return [];
  if (parameter === undefined) return [{ id: r.id, type }];
  return covered.includes(parameter) ? [{ id: r.id, type, parameter }] : [];
});

const uses = (search: Search, parameter: string): boolean => search.params.some(([name]) => name.split(':')[0] === parameter);

export const searchCoverageTest = test<ComputeFixture>('The computer searches each Data Source resource type and parameter the Measure asks for', {
  requirements: ROWS.map((r) => r.id),
  negativeControl: 'skip-search-types',
  description:
    `Has the SUT compute ${COVERAGE_MEASURE_ID} for the same day (its trigger, or $evaluate-measure on the stand-in): one population per resource type and R4 search parameter of the Data Source's CapabilityStatement, each query using that parameter alone with values that match some of the generated resources. Each SANER-CM-MC row passes when a search of that type (with that parameter) reached the Data Source and was answered, and the population's count equals the generator's expected count.`,
  async run(t) {
    const site = t.require(siteAt(t.simulator.baseUrl), 'the public-health side runs beside the Data Source simulator');
    const periods = site.dataSource.expected.periods;
    const period = (t.fixture.period ??= periods[Math.min(2, periods.length - 1)]!);
    const result = t.require(expectedFor(site.dataSource.expected, COVERAGE_MEASURE_URL, COVERAGE_MEASURE_VERSION, period.start), `the Data Source generator has expected results for ${COVERAGE_MEASURE_URL}`);
    const computation = await compute(t, site, period, t.simulator.baseUrl, () => t.simulator.exchanges(), COVERAGE);
    const report = computation.report;
    for (const row of ROWS) {
      const searches = computation.searches.filter((s) => s.type === row.type && answered(s));
      if (row.parameter === undefined) {
        t.expect(searches.length > 0, `the computer searched ${row.type} and the Data Source answered (${searches.length} search(es))`, { requirement: row.id });
        continue;
      }
      const parameter = row.parameter;
      const path = `${row.type}/${row.type}-${parameter}`;
      const want = result.groups.find((g) => g.code === row.type)?.populations[`${row.type}-${parameter}`];
      t.expect(searches.some((s) => uses(s, parameter)), `the computer searched ${row.type} with ${parameter} and the Data Source answered`, { requirement: row.id });
      const got = report ? countOf(report, path) : undefined;
      t.expect(got !== undefined && got === want, `the reported count of ${row.type}-${parameter} is the expected ${want ?? '?'} (got ${got ?? 'none'})`, { requirement: row.id });
    }
  },
});
