/**
 * SANER Compute Measure (COMPUTE-MX), Measure Computer side: the SUT computes the bundled
 * computable Measure ComputeCovidImpact (fixtures/compute) from the harness's Data Source and
 * reports it, as the test plan's Measure Computer unit test (SANER-TP-005) and integration tests
 * INT-1 and INT-2 ask.
 *
 * Set-up. The suite's simulator is the reference Data Source (seeded generator, 200 patients, a
 * week of data) whose generator knows the expected counts, scores and strata for every day and
 * both Measure versions. Beside it the suite runs the public-health side (Measure Definition Source
 * holding Measure v1, its Library and ValueSets; Measure Consumer taking pushes) and, when a test
 * needs it, a second Data Source without `:in` (see site.ts). The reporting period is the third day
 * of the data.
 *
 * The SUT. A configured SUT is made to compute by its trigger (`sut.triggers.MeasureComputer`),
 * told the servers, the Measure, the period, subject and reporter in `MC_*` variables (docs in
 * README's config section); under the Pull Option its reports are read from `sut.baseUrl`. With no
 * SUT the reference Measure Computer stands in, driven through its `$evaluate-measure?report=true`,
 * pointed at the public-health side for definitions and pushes, and given the run's faults (the
 * negative controls: off-by-one, drop-stratifier, no-push, stale-measure, skip-data-source,
 * ignore-period, no-in-fallback, period-end-inclusive, no-metadata, skip-search-types,
 * count-unevaluable-as-zero, and the evaluate-* faults).
 *
 * The first test makes one computation and later tests judge it; the search-coverage test
 * (search-coverage.ts) has the second bundled Measure, ComputeSearchCoverage, computed for the
 * same day, deciding the SANER-CM-MC search rows; the unevaluable test (unevaluable.ts) has the
 * third, ComputeUnevaluable, computed, deciding SANER-CM-PG-006; the `$evaluate-measure` tests
 * (evaluate-measure.ts) call the operation themselves where the computer offers it; the `:in` test
 * and the changed-Measure test (last, as it publishes v2) compute again.
 */
import type { Measure, MeasureReport } from 'fhir/r4.js';
import { defineSuite, test, type TestContext } from '../../../src/engine/index.js';
import { MEASURE_COMPUTER_CM } from '../../../ig/saner/capabilities.js';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../../ig/saner/profiles.js';
import { computeFixtures } from '../../../simulators/data-source/index.js';
import { COMPUTE_MEASURE_URL } from '../../../ig/saner/canonicals.js';
import { reportOf, succeeded } from '../produce-measure/source-pushes.js';
import { evaluateMeasureTests } from './evaluate-measure.js';
import { searchCoverageTest } from './search-coverage.js';
import { answered, compute, computerBase, REPORTER, SUBJECT, type Computation, type ComputeFixture, type Period, type Search } from './computation.js';
import { changedCounts, countDifferences, countOf, expectedFor, scoreDifferences, strataDifferences, type ExpectedResult } from './expected.js';
import { siteAt, startComputeSite, type ComputeSite } from './site.js';
import { unevaluableTest } from './unevaluable.js';
import type { ActorId } from '../../../ig/actors.js';

type T = TestContext<ComputeFixture>;

const V1 = '1.0.0';
const V2 = '2.0.0';
/** Resource types the Measure's populations search, and those whose searches are dated. */
const SEARCHED = ['Encounter', 'Procedure', 'Location', 'Observation'];
const DATED = new Set(['Encounter', 'Procedure', 'Observation']);

function siteOf(t: T): ComputeSite {
  return t.require(siteAt(t.simulator.baseUrl), 'the public-health side runs beside the Data Source simulator');
}

function periodOf(t: T, site: ComputeSite): Period {
  const periods = site.dataSource.expected.periods;
  return (t.fixture.period ??= periods[Math.min(2, periods.length - 1)]!);
}

function expected(t: T, site: ComputeSite, version: string): ExpectedResult {
  return t.require(expectedFor(site.dataSource.expected, COMPUTE_MEASURE_URL, version, periodOf(t, site).start), `the Data Source generator has expected results for ${COMPUTE_MEASURE_URL}|${version}`);
}

function firstComputation(t: T): Computation {
  return t.require(t.fixture.first, 'the first test had the computer compute a report (it has to run first)');
}

function reportOfFirst(t: T): MeasureReport {
  return t.require(firstComputation(t).report, 'the computer produced a report (pushed, returned or readable)');
}

function listed(t: T, what: string, problems: readonly string[]): void {
  if (problems.length) t.note(`${what}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

/** The instant of a `date` value with the given prefix, e.g. `ge2020-04-03T00:00:00Z`. */
function dateBound(search: Search, prefix: string): number | undefined {
  for (const [name, value] of search.params) {
    if (name.split(':')[0] !== 'date' || !value.startsWith(prefix)) continue;
    const time = Date.parse(value.slice(prefix.length));
    if (!Number.isNaN(time)) return time;
  }
  return undefined;
}

/** A reference names the resource, relative or absolute (`…/Location/id`). */
const refersTo = (reference: string | undefined, target: string): boolean => reference === target || (reference ?? '').endsWith(`/${target}`);

const captureTest = test<ComputeFixture>('The Measure Computer queries the Data Source for the Measure\'s data when triggered', {
  requirements: ['SANER-TP-005', 'SANER-TP-INT-1'],
  negativeControl: 'skip-data-source',
  description:
    'Has the SUT compute ComputeCovidImpact v1 for one day (its trigger, or $evaluate-measure on the stand-in) and records the searches its Data Source received; every population of the Measure searches Encounter, Procedure, Location or Observation. The other tests judge this computation.',
  async run(t) {
    const site = siteOf(t);
    const period = periodOf(t, site);
    const first = await compute(t, site, period, t.simulator.baseUrl, () => t.simulator.exchanges());
    t.fixture.first = first;
    t.expect(first.searches.length > 0, `the computer searched the Data Source (${first.searches.length} searches)`, { requirement: 'SANER-TP-005' });
    t.expectEvery(SEARCHED, (type) => first.searches.some((s) => s.type === type && answered(s)), 'the computer searched each resource type the Measure\'s populations count (Encounter, Procedure, Location, Observation) and got an answer', { requirement: 'SANER-TP-005' });
    t.expect(first.report, 'the computation produced a MeasureReport', { requirement: 'SANER-TP-INT-1' });
  },
});

const periodTest = test<ComputeFixture>('Searches for dated data carry the reporting period, start inclusive and end exclusive', {
  requirements: 'SANER-CM-PG-007',
  negativeControl: 'ignore-period',
  description: '@ReportingPeriod.start and @ReportingPeriod.end substituted: each Encounter, Procedure and Observation search has date=ge<start> and date=lt<end> for the requested day.',
  run(t) {
    const site = siteOf(t);
    const period = periodOf(t, site);
    const dated = firstComputation(t).searches.filter((s) => DATED.has(s.type));
    t.require(dated.length > 0, 'the computer searched Encounter, Procedure or Observation');
    t.expectEvery(dated, (s) => dateBound(s, 'ge') === Date.parse(period.start), `every dated search has date=ge${period.start}`);
    t.expectEvery(dated, (s) => dateBound(s, 'lt') === Date.parse(period.end), `every dated search has date=lt${period.end}`);
  },
});

const reportTests = [
  test<ComputeFixture>('The report conforms to PublicHealthMeasureReport and names the Measure version, subject, reporter and period asked for', {
    requirements: ['SANER-TP-005', 'SANER-CM-PG-009'],
    negativeControl: 'period-end-inclusive',
    async run(t) {
      const site = siteOf(t);
      const period = periodOf(t, site);
      const report = reportOfFirst(t);
      await t.validate(report, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT], requirement: 'SANER-TP-005' });
      const [url, version] = (report.measure ?? '').split('|');
      t.expectEqual(url, COMPUTE_MEASURE_URL, 'the report names the Measure computed', { requirement: 'SANER-TP-005' });
      t.expectEqual(version, V1, 'the report names the version of the Measure it computed (the current one, 1.0.0)', { requirement: 'SANER-CM-PG-009' });
      t.expect(refersTo(report.subject?.reference, SUBJECT), `the subject is ${SUBJECT} (got ${report.subject?.reference ?? 'none'})`, { requirement: 'SANER-TP-005' });
      t.expect(refersTo(report.reporter?.reference, REPORTER), `the reporter is ${REPORTER} (got ${report.reporter?.reference ?? 'none'})`, { requirement: 'SANER-TP-005' });
      t.expect(Date.parse(report.period?.start ?? '') === Date.parse(period.start), `the period starts at ${period.start} (got ${report.period?.start ?? 'none'})`, { requirement: 'SANER-TP-005' });
      t.expect(Date.parse(report.period?.end ?? '') === Date.parse(period.end), `the period ends at ${period.end}, exclusive (got ${report.period?.end ?? 'none'})`, { requirement: 'SANER-TP-005' });
    },
  }),
  test<ComputeFixture>('Every population count equals the expected count for the test data', {
    requirements: ['SANER-TP-005', 'SANER-TP-INT-1'],
    negativeControl: 'off-by-one',
    run(t) {
      const problems = countDifferences(reportOfFirst(t), expected(t, siteOf(t), V1));
      listed(t, 'counts that differ', problems);
      t.expect(problems.length === 0, problems.length ? `${problems.length} count(s) differ from the expected results: ${problems.slice(0, 3).join('; ')}` : 'every count of every group equals the expected result');
    },
  }),
  test<ComputeFixture>('Each group score equals numerator over denominator of the expected counts', {
    requirements: ['SANER-TP-005', 'SANER-TP-INT-1'],
    negativeControl: 'ignore-period',
    run(t) {
      const result = expected(t, siteOf(t), V1);
      t.require(result.groups.some((g) => g.measureScore !== undefined), 'the Measure has scored groups');
      const problems = scoreDifferences(reportOfFirst(t), result);
      listed(t, 'scores that differ', problems);
      t.expect(problems.length === 0, problems.length ? `${problems.length} score(s) differ: ${problems.join('; ')}` : 'every group score equals the expected one (within 1e-6)');
    },
  }),
  test<ComputeFixture>('Every stratifier and stratum is reported with the expected counts', {
    requirements: ['SANER-TP-005', 'SANER-TP-INT-1'],
    negativeControl: 'drop-stratifier',
    run(t) {
      const problems = strataDifferences(reportOfFirst(t), expected(t, siteOf(t), V1));
      listed(t, 'strata that differ', problems);
      t.expect(problems.length === 0, problems.length ? `${problems.length} stratum problem(s): ${problems.slice(0, 3).join('; ')}` : 'every stratifier has every expected stratum with the expected counts, and no other');
    },
  }),
];

const availabilityTests = [
  test<ComputeFixture>('Push: the report reaches the Measure Consumer', {
    requirements: ['SANER-PG-MC-001', 'SANER-TP-INT-1'],
    preconditions: { options: ['Push'] },
    negativeControl: 'no-push',
    run(t) {
      const site = siteOf(t);
      const period = periodOf(t, site);
      const writes = firstComputation(t).pushes.filter((p) => p.kind === 'create' || p.kind === 'update');
      t.expectSome(
        writes,
        (p) => succeeded(p) && reportOf(p)?.measure?.split('|')[0] === COMPUTE_MEASURE_URL && Date.parse(reportOf(p)?.period?.start ?? '') === Date.parse(period.start),
        `the computer created or updated the report of ${COMPUTE_MEASURE_URL} for ${period.start} on the Measure Consumer, which accepted it`,
        { requirement: 'SANER-PG-MC-001' },
      );
    },
  }),
  test<ComputeFixture>('Pull: the report can be read from the Measure Computer', {
    requirements: ['SANER-PG-MC-001', 'SANER-PG-MC-002'],
    preconditions: { options: ['Pull'] },
    negativeControl: 'no-metadata',
    async run(t) {
      const site = siteOf(t);
      const base = (await computerBase(t, site, t.simulator.baseUrl)) ?? t.skip('the SUT\'s base URL is not configured (sut.baseUrl), so its reports cannot be pulled');
      const metadata = await t.sut.request('GET', `${base.replace(/\/+$/, '')}/metadata`);
      t.expectStatus(metadata, 200, { requirement: 'SANER-PG-MC-002' });
      const statement = metadata.tryResource();
      t.expect(statement.ok && statement.resource.resourceType === 'CapabilityStatement', 'GET [base]/metadata returns a CapabilityStatement', { requirement: 'SANER-PG-MC-002' });
      t.expect(firstComputation(t).pulled, `a MeasureReport of ${COMPUTE_MEASURE_URL} for the requested period is found by GET [base]/MeasureReport?measure=…`, { requirement: 'SANER-PG-MC-001' });
    },
  }),
];

/** A search value listing codes of a value set explicitly (SANER-CM-PG-004's fallback), e.g. `reason-code=…|U07.1,…`. */
const VALUE_SET_CODES = ['U07.1', '840539006', '94500-6', '40617009', '10828004'];

const noInTest = test<ComputeFixture>('Against a Data Source without :in the computer sends the value set\'s codes', {
  requirements: 'SANER-CM-PG-004',
  negativeControl: 'no-in-fallback',
  description:
    'A second Data Source with the same data answers :in and :not-in with 400 and does not list them in its CapabilityStatement; the computer must expand the value sets itself, send the codes as comma-separated lists, and still report the expected counts.',
  async run(t) {
    const site = siteOf(t);
    const period = periodOf(t, site);
    const noIn = await site.noInDataSource();
    const computation = await compute(t, site, period, noIn.url, () => noIn.exchanges);
    const answeredSearches = computation.searches.filter(answered);
    t.require(answeredSearches.length > 0, `the computer searched the Data Source without :in and got answers (${answeredSearches.length})`);
    t.expectEvery(answeredSearches, (s) => s.params.every(([name]) => !/:(in|not-in)$/.test(name)), 'every answered search names codes without :in or :not-in');
    t.expectSome(answeredSearches, (s) => s.params.some(([, value]) => value.includes(',') && VALUE_SET_CODES.some((code) => value.includes(code))), 'the computer sent a value set\'s codes as a comma-separated list');
    const report = t.require(computation.report, 'the computer produced a report from the Data Source without :in');
    const problems = countDifferences(report, expected(t, site, V1));
    listed(t, 'counts that differ', problems);
    t.expect(problems.length === 0, problems.length ? `${problems.length} count(s) differ from the expected results: ${problems.slice(0, 3).join('; ')}` : 'every count equals the expected result without :in');
  },
});

const changedMeasureTest = test<ComputeFixture>('A changed Measure yields a new report with the changed Measure\'s values', {
  requirements: ['SANER-CM-PG-009', 'SANER-TP-INT-2'],
  negativeControl: 'stale-measure',
  description:
    'The Measure Definition Source publishes ComputeCovidImpact 2.0.0 (same id and url; inpatient encounters only, preliminary lab results counted) and the SUT computes the same day again: the report must name 2.0.0, equal its expected counts, and differ from the first report where the versions\' expected counts differ.',
  async run(t) {
    const site = siteOf(t);
    const period = periodOf(t, site);
    const before = reportOfFirst(t);
    const v2 = t.require(computeFixtures().find((r): r is Measure => r.resourceType === 'Measure' && (r as Measure).version === V2), 'the bundled changed Measure (2.0.0)');
    site.publicHealth.publish(v2);
    t.note(`published Measure/${v2.id ?? ''} version ${V2} on the Measure Definition Source ${site.publicHealth.url}`);
    const computation = await compute(t, site, period, t.simulator.baseUrl, () => t.simulator.exchanges());
    const report = t.require(computation.report, 'the computer produced a report after the Measure changed');
    t.expectEqual(report.measure, `${COMPUTE_MEASURE_URL}|${V2}`, 'the new report names the changed Measure\'s version', { requirement: 'SANER-CM-PG-009' });
    const v1Result = expected(t, site, V1);
    const v2Result = expected(t, site, V2);
    const problems = countDifferences(report, v2Result);
    listed(t, 'counts that differ from 2.0.0\'s expected results', problems);
    t.expect(problems.length === 0, problems.length ? `${problems.length} count(s) differ from 2.0.0's expected results: ${problems.slice(0, 3).join('; ')}` : 'every count equals 2.0.0\'s expected result', { requirement: 'SANER-CM-PG-009' });
    const changed = changedCounts(v1Result, v2Result);
    t.require(changed.length > 0, 'the versions\' expected counts differ on this day');
    t.expectEvery(changed, (path) => countOf(report, path) !== countOf(before, path), `the new report differs from the first where the versions differ (${changed.join(', ')})`, { requirement: 'SANER-TP-INT-2' });
  },
});

export default defineSuite<ComputeFixture>({
  id: 'saner/compute-measure/measure-computer',
  title: 'SANER Compute Measure: Measure Computer (client)',
  actorUnderTest: 'MeasureComputer' satisfies ActorId,
  role: 'client',
  simulator: 'data-source',
  simulatorOptions: { beside: startComputeSite },
  cannotGradeRecordings: 'its tests have the Measure Computer compute over a Data Source the suite generates and compare the counts with what that data set must give; traffic recorded elsewhere carries no expected counts',
  capabilities: [MEASURE_COMPUTER_CM],
  options: ['Push', 'Pull'],
  setup: () => ({}),
  tests: [captureTest, periodTest, ...reportTests, ...availabilityTests, searchCoverageTest, unevaluableTest, ...evaluateMeasureTests, noInTest, changedMeasureTest],
});
