/**
 * The Measure drives what the Measure Computer searches: the SUT computes the bundled
 * ComputeSearchCoverage Measure (one population per resource type and R4 search parameter of the
 * Data Source's CapabilityStatement, each query using that parameter alone; see
 * simulators/data-source/coverage.ts), and each SANER-CM-MC search row gets its own verdict from
 * the searches that reached the Data Source and the count the computer reported. Rows naming a
 * parameter R4 lacks keep their not-applicable reason (digest §7 D8). The Measure's last group
 * searches a type the Data Source does not serve, which a computer reports as an evaluation error
 * rather than a number (SANER-CM-PG-006).
 */
import type { MeasureReport, MeasureReportGroupPopulation, OperationOutcome } from 'fhir/r4.js';
import { test, type TestContext } from '../../../src/engine/index.js';
import { computeMeasureRequirements } from '../../../ig/saner/compute-measure-capabilities.js';
import { COVERAGE_MEASURE_ID, COVERAGE_MEASURE_URL, COVERAGE_MEASURE_VERSION, COVERED_PARAMETERS, UNEVALUABLE } from '../../../simulators/data-source/coverage.js';
import { EVALUATION_ERROR_EXTENSION } from '../../../simulators/measure-computer/report.js';
import { answered, compute, type Computation, type ComputeFixture, type Search } from './computation.js';
import { countOf, expectedFor } from './expected.js';
import { siteAt } from './site.js';

type T = TestContext<ComputeFixture>;

const COVERAGE = { id: COVERAGE_MEASURE_ID, url: COVERAGE_MEASURE_URL };
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

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

function coverage(t: T): Computation {
  return t.require(t.fixture.coverage, `the computer computed ${COVERAGE_MEASURE_ID} (the search-coverage test has to run first)`);
}

const searchCoverageTest = test<ComputeFixture>('The computer searches each Data Source resource type and parameter the Measure asks for', {
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
    t.fixture.coverage = computation;
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

function unevaluablePopulation(report: MeasureReport): MeasureReportGroupPopulation | undefined {
  const named = (c: { text?: string; coding?: Array<{ code?: string }> } | undefined, code: string) => c?.text === code || (c?.coding ?? []).some((x) => x.code === code);
  return (report.group ?? []).find((g) => named(g.code, UNEVALUABLE.group))?.population?.find((p) => named(p.code, UNEVALUABLE.code));
}

/** An evaluation error the report carries: R5's MeasureReport.error as an extension, or a contained OperationOutcome with an error. */
function reportsError(report: MeasureReport): boolean {
  const extension = (report.extension ?? []).some((e) => e.url === EVALUATION_ERROR_EXTENSION);
  const outcome = (report.contained ?? []).some((r) => r.resourceType === 'OperationOutcome' && ((r as OperationOutcome).issue ?? []).some((i) => i.severity === 'error' || i.severity === 'fatal'));
  return extension || outcome;
}

const unevaluableTest = test<ComputeFixture>('A population the Data Source cannot answer is reported as an evaluation error, not a count', {
  requirements: 'SANER-CM-PG-006',
  negativeControl: 'count-unevaluable-as-zero',
  description: `In the same computation, ${UNEVALUABLE.code} queries ${UNEVALUABLE.expression}, a type the Data Source does not serve (it answers 404). The population should carry no count (data-absent-reason error allowed) and the report an evaluation error; a number is a warning.`,
  run(t) {
    const report = t.require(coverage(t).report, `the computer produced a report of ${COVERAGE_MEASURE_ID}`);
    const population = t.require(unevaluablePopulation(report), `the report has group ${UNEVALUABLE.group} with population ${UNEVALUABLE.code}`);
    t.expect(population.count === undefined, `${UNEVALUABLE.code} carries no count (got ${population.count ?? 'none'})`);
    const absent = (population._count?.extension ?? []).find((e) => e.url === DATA_ABSENT);
    if (absent) t.expectEqual(absent.valueCode, 'error', 'the count\'s data-absent-reason is error');
    t.expect(absent !== undefined || reportsError(report), 'the report says the population could not be evaluated (data-absent-reason error on the count, or an evaluation error on the report)');
  },
});

export const searchCoverageTests = [searchCoverageTest, unevaluableTest];
