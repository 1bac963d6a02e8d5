/**
 * SANER Compute Measure (COMPUTE-MX), Measure Computer side: the SUT computes the bundled
 * computable Measure ComputeCovidImpact (fixtures/compute) from the harness's Data Source and
 * reports it, as the test plan's Measure Computer unit test (SANER-TP-005) and integration tests
 * INT-1 and INT-2 ask.
 *
 * Environment (site.ts). The suite's simulator is the reference Data Source (seeded generator, 200
 * patients, a week of data); the expected counts, scores and strata for every day and both Measure
 * versions come from the generator run with the same options. Setup starts the public-health side
 * beside it (Measure Definition Source holding Measure v1, its Library and ValueSets; Measure
 * Consumer taking pushes) and has the computer compute once for the third day of the data; the
 * first tests judge that computation.
 *
 * The SUT. A configured SUT is made to compute by its trigger (`sut.triggers.MeasureComputer`),
 * told the servers, the Measure, the period, subject and reporter in `MC_*` variables (docs in
 * README's config section); its traffic is judged whatever the trigger's exit status, which the
 * evidence shows. Under the Pull Option its reports are read from `sut.baseUrl`. With no SUT the
 * reference Measure Computer stands in, driven through its `$evaluate-measure?report=true`,
 * pointed at the public-health side for definitions and pushes, and given the run's faults (the
 * negative controls: off-by-one, drop-stratifier, no-push, stale-measure, skip-data-source,
 * ignore-period, no-in-fallback, period-end-day-late, no-metadata, skip-search-types,
 * count-unevaluable-as-zero, and the evaluate-* faults).
 *
 * Tests that need another computation make it themselves: the search-coverage test
 * (search-coverage.ts) has the second bundled Measure, ComputeSearchCoverage, computed for the
 * same day, deciding the SANER-CM-MC search rows; the unevaluable test (unevaluable.ts) the third,
 * ComputeUnevaluable, deciding SANER-CM-PG-006; the `$evaluate-measure` tests (evaluate-measure.ts)
 * call the operation themselves where the computer offers it; the `:in` test computes from a
 * second Data Source without `:in`, and the changed-Measure test computes v1 and, after publishing
 * v2, again on a public-health side of its own, so no test depends on another.
 */
import type { Measure, MeasureReport } from 'fhir/r4.js';
import { defineSuite, test, type TestContext } from '../../../src/engine/index.js';
import { MEASURE_COMPUTER_CM } from '../../../ig/saner/capabilities.js';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../../ig/saner/profiles.js';
import { computeFixtures } from '../../../simulators/data-source/index.js';
import { COMPUTE_MEASURE_URL } from '../../../ig/saner/canonicals.js';
import type { ActorId } from '../../../ig/actors.js';
import { evaluateMeasureTests } from './evaluate-measure.js';
import { searchCoverageTest } from './search-coverage.js';
import { compute, computerBase, COVID_IMPACT, endsPeriod, noReport, noteComputation, REPORTER, reportWrites, SUBJECT, type Computation } from './computation.js';
import { changedCounts, countDifferences, countOf, expectedFor, scoreDifferences, strataDifferences, type ExpectedResult } from './expected.js';
import { DATA, setUpCompute, startDataSourceWithoutIn, startSite, type ComputeFixture } from './site.js';
import { unevaluableTest } from './unevaluable.js';

type T = TestContext<ComputeFixture>;

const V1 = '1.0.0';
const V2 = '2.0.0';
const FHIR_JSON = 'application/fhir+json';
/** Resource types the Measure's populations search, and those whose searches are dated. */
const SEARCHED = ['Encounter', 'Procedure', 'Location', 'Observation'];
const DATED = new Set(['Encounter', 'Procedure', 'Observation']);

/** The generator's expected result of ComputeCovidImpact at this version for the suite's day; a harness fault when missing. */
function expected(t: T, version: string): ExpectedResult {
  const result = expectedFor(t.fixture.expected, COMPUTE_MEASURE_URL, version, t.fixture.period.start);
  if (!result) throw new Error(`the Data Source generator has no expected results for ${COMPUTE_MEASURE_URL}|${version} on ${t.fixture.period.start}`);
  return result;
}

/** The computation's report, or a failed check of every requirement the test cites, saying why there is none. */
function judgedReport(t: T, c: Computation): MeasureReport {
  return c.report ?? t.require(c.report, noReport(c), { requirement: t.requirements });
}

function listed(t: T, what: string, problems: readonly string[]): void {
  if (problems.length) t.note(`${what}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

/** The instant of a `date` value with the given prefix, e.g. `ge2020-04-03T00:00:00Z`. */
function dateBound(search: Computation['searches'][number], prefix: string): number | undefined {
  for (const [name, value] of search.params) {
    if (name.split(':')[0] !== 'date' || !value.startsWith(prefix)) continue;
    const time = Date.parse(value.slice(prefix.length));
    if (!Number.isNaN(time)) return time;
  }
  return undefined;
}

/** A reference names the resource, relative or absolute (`…/Location/id`). */
const refersTo = (reference: string | undefined, target: string): boolean => reference === target || (reference ?? '').endsWith(`/${target}`);

const captureTest = test<ComputeFixture>("The Measure Computer queries the Data Source for the Measure's data when triggered", {
  requirements: ['SANER-TP-005', 'SANER-TP-INT-1'],
  negativeControl: 'skip-data-source',
  description:
    'Setup has the SUT compute ComputeCovidImpact v1 for one day (its trigger, or $evaluate-measure on the stand-in) and records what its Data Source and the public-health side received; every population of the Measure searches Encounter, Procedure, Location or Observation. The tests up to Pull judge this computation.',
  run(t) {
    const { first } = t.fixture;
    noteComputation(t, first);
    const searches = first.searches;
    t.expect(
      searches.length > 0,
      searches.length
        ? `the computer sent ${searches.length} search(es) to the Data Source`
        : `${first.silence ?? `the Data Source received ${first.dataSourceRequests.length} request(s), none a search (${first.how})`}; expected searches for the Measure's data`,
      { requirement: 'SANER-TP-005' },
    );
    t.expectEvery(
      SEARCHED,
      (type) => searches.some((s) => s.type === type && s.succeeded),
      "the computer searched each resource type the Measure's populations count (Encounter, Procedure, Location, Observation) and got an answer",
      {
        requirement: 'SANER-TP-005',
        show: (type) => `${type}: ${searches.filter((s) => s.type === type).length} search(es), none answered 2xx`,
      },
    );
    t.expect(first.report, first.report ? `the computation produced a MeasureReport (${first.reportFrom ?? '?'})` : noReport(first), { requirement: 'SANER-TP-INT-1' });
  },
});

const periodTest = test<ComputeFixture>('Searches for dated data carry the reporting period, start inclusive and end exclusive', {
  requirements: 'SANER-CM-PG-007',
  negativeControl: 'ignore-period',
  description: '@ReportingPeriod.start and @ReportingPeriod.end substituted: each Encounter, Procedure and Observation search has date=ge<start> and date=lt<end> for the requested day.',
  run(t) {
    const { first, period } = t.fixture;
    const dated = first.searches.filter((s) => DATED.has(s.type ?? ''));
    t.cite('searches for dated data', dated);
    if (dated.length === 0)
      return t.undecided('SANER-CM-PG-007', first.silence ?? `the computer sent no search of Encounter, Procedure or Observation (${first.how}), so the period it searched cannot be seen`);
    const show = (s: (typeof dated)[number]) => s.line;
    t.expectEvery(dated, (s) => dateBound(s, 'ge') === Date.parse(period.start), `every dated search has date=ge${period.start}`, { requirement: 'SANER-CM-PG-007', show });
    t.expectEvery(dated, (s) => dateBound(s, 'lt') === Date.parse(period.end), `every dated search has date=lt${period.end}`, { requirement: 'SANER-CM-PG-007', show });
  },
});

const reportTests = [
  test<ComputeFixture>('The report conforms to PublicHealthMeasureReport and names the Measure version, subject, reporter and period asked for', {
    requirements: ['SANER-TP-005', 'SANER-CM-PG-009'],
    negativeControl: 'period-end-day-late',
    description: `The period must start at the start asked for; R4's Period.end is inclusive, so it may end at the exclusive end asked for (the next midnight) or at the day's last instant (23:59:59, 23:59:59.999) or on the day as a date.`,
    async run(t) {
      const { first, period } = t.fixture;
      const report = judgedReport(t, first);
      await t.validate(report, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT], requirement: 'SANER-TP-005' });
      const [url, version] = (report.measure ?? '').split('|');
      t.expect(url === COMPUTE_MEASURE_URL, `the report names the Measure ${url || '(none)'}${url === COMPUTE_MEASURE_URL ? '' : `; expected ${COMPUTE_MEASURE_URL}`}`, {
        requirement: 'SANER-TP-005',
      });
      t.expect(version === V1, `the report names version ${version ?? '(none)'} of the Measure${version === V1 ? '' : `; expected the current one, ${V1}`}`, { requirement: 'SANER-CM-PG-009' });
      const subject = report.subject?.reference ?? 'none';
      const reporter = report.reporter?.reference ?? 'none';
      t.expect(refersTo(report.subject?.reference, SUBJECT), `the subject is ${subject}${refersTo(subject, SUBJECT) ? '' : `; expected ${SUBJECT}`}`, { requirement: 'SANER-TP-005' });
      t.expect(refersTo(report.reporter?.reference, REPORTER), `the reporter is ${reporter}${refersTo(reporter, REPORTER) ? '' : `; expected ${REPORTER}`}`, { requirement: 'SANER-TP-005' });
      const start = report.period?.start;
      const startsRight = Date.parse(start ?? '') === Date.parse(period.start);
      t.expect(startsRight, `the period starts at ${start ?? '(none)'}${startsRight ? '' : `; expected ${period.start}`}`, { requirement: 'SANER-TP-005' });
      const end = report.period?.end;
      const endsRight = endsPeriod(end, period.end);
      t.expect(endsRight, `the period ends at ${end ?? '(none)'}${endsRight ? '' : `; expected ${period.end} (exclusive) or the day's last instant (inclusive, as R4's Period.end)`}`, {
        requirement: 'SANER-TP-005',
      });
    },
  }),
  test<ComputeFixture>('Every population count equals the expected count for the test data', {
    requirements: ['SANER-TP-005', 'SANER-TP-INT-1'],
    negativeControl: 'off-by-one',
    run(t) {
      const problems = countDifferences(judgedReport(t, t.fixture.first), expected(t, V1));
      listed(t, 'counts that differ', problems);
      t.expect(
        problems.length === 0,
        problems.length ? `${problems.length} count(s) differ from the expected results: ${problems.slice(0, 3).join('; ')}` : 'every count of every group equals the expected result',
        { requirement: t.requirements },
      );
    },
  }),
  test<ComputeFixture>('Each group score equals numerator over denominator of the expected counts', {
    requirements: ['SANER-TP-005', 'SANER-TP-INT-1'],
    negativeControl: 'ignore-period',
    run(t) {
      const result = expected(t, V1);
      if (!result.groups.some((g) => g.measureScore !== undefined)) throw new Error(`the generator's expected results of ${COMPUTE_MEASURE_URL}|${V1} have no scored group`);
      const problems = scoreDifferences(judgedReport(t, t.fixture.first), result);
      listed(t, 'scores that differ', problems);
      t.expect(problems.length === 0, problems.length ? `${problems.length} score(s) differ: ${problems.join('; ')}` : 'every group score equals the expected one (within 1e-6)', {
        requirement: t.requirements,
      });
    },
  }),
  test<ComputeFixture>('Every stratifier and stratum is reported with the expected counts', {
    requirements: ['SANER-TP-005', 'SANER-TP-INT-1'],
    negativeControl: 'drop-stratifier',
    run(t) {
      const problems = strataDifferences(judgedReport(t, t.fixture.first), expected(t, V1));
      listed(t, 'strata that differ', problems);
      t.expect(
        problems.length === 0,
        problems.length ? `${problems.length} stratum problem(s): ${problems.slice(0, 3).join('; ')}` : 'every stratifier has every expected stratum with the expected counts, and no other',
        { requirement: t.requirements },
      );
    },
  }),
];

const availabilityTests = [
  test<ComputeFixture>('Push: the report reaches the Measure Consumer', {
    requirements: ['SANER-PG-MC-001', 'SANER-TP-INT-1'],
    preconditions: { options: ['Push'] },
    negativeControl: 'no-push',
    run(t) {
      const { first, period } = t.fixture;
      const writes = reportWrites(first.pushes, COVID_IMPACT, period);
      t.cite('pushes of the report', writes);
      const accepted = writes.find((p) => p.succeeded);
      const seen = accepted
        ? `the Measure Consumer accepted ${accepted.line}`
        : writes.length
          ? `the Measure Consumer refused every push of the report (${writes.map((p) => p.line).join('; ')}); expected one it accepted`
          : `${first.silence ?? `the computer pushed no report of ${COMPUTE_MEASURE_URL} for ${period.start} (${first.how})`}; expected a create or update of it on the Measure Consumer`;
      t.expect(accepted, seen, { requirement: t.requirements });
    },
  }),
  test<ComputeFixture>('Pull: the report can be read from the Measure Computer', {
    requirements: ['SANER-PG-MC-001', 'SANER-PG-MC-002'],
    preconditions: { options: ['Pull'] },
    negativeControl: 'no-metadata',
    async run(t) {
      const { first, period, site } = t.fixture;
      const base = computerBase(t.env, site) ?? t.skip("the SUT's base URL is not configured (sut.baseUrl), so its reports cannot be pulled");
      const metadata = await t.sut.request('GET', `${base}/metadata`, { headers: { accept: FHIR_JSON } });
      t.expectStatus(metadata, 200, { requirement: 'SANER-PG-MC-002' });
      const statement = metadata.tryResource();
      const isStatement = statement.ok && statement.resource.resourceType === 'CapabilityStatement';
      t.expect(
        isStatement,
        isStatement
          ? 'GET [base]/metadata returns a CapabilityStatement'
          : `GET [base]/metadata returns ${statement.ok ? `a ${statement.resource.resourceType}` : `no FHIR resource (${statement.error})`}; expected a CapabilityStatement`,
        { requirement: 'SANER-PG-MC-002' },
      );
      t.expect(
        first.pulled,
        first.pulled
          ? `GET ${base}/MeasureReport?measure=… finds the report of ${period.start}`
          : `GET ${base}/MeasureReport?measure=${COMPUTE_MEASURE_URL} finds no report of ${period.start}; expected the one computed`,
        { requirement: 'SANER-PG-MC-001' },
      );
    },
  }),
];

/** A search value listing codes of a value set explicitly (SANER-CM-PG-004's fallback), e.g. `reason-code=…|U07.1,…`. */
const VALUE_SET_CODES = ['U07.1', '840539006', '94500-6', '40617009', '10828004'];

const noInTest = test<ComputeFixture>("Against a Data Source without :in the computer sends the value set's codes", {
  requirements: 'SANER-CM-PG-004',
  negativeControl: 'no-in-fallback',
  description:
    'A second Data Source with the same data answers :in and :not-in with 400 and does not list them in its CapabilityStatement; the computer must expand the value sets itself, send the codes as comma-separated lists, and still report the expected counts.',
  async run(t) {
    const noIn = await startDataSourceWithoutIn(t.env);
    const site = await startSite(t.env, noIn, t.fixture.site.publicHealth);
    const computation = await compute(t.env, site, t.fixture.period);
    noteComputation(t, computation);
    const answered = computation.searches.filter((s) => s.succeeded);
    t.require(
      answered.length > 0,
      answered.length
        ? `the Data Source without :in answered ${answered.length} search(es)`
        : `${computation.silence ?? `the Data Source without :in answered none of the computer's ${computation.searches.length} search(es) (${computation.how})`}; expected searches it can answer`,
      { requirement: 'SANER-CM-PG-004' },
    );
    t.expectEvery(answered, (s) => s.params.every(([name]) => !/:(in|not-in)$/.test(name)), 'every answered search names codes without :in or :not-in', {
      requirement: 'SANER-CM-PG-004',
      show: (s) => s.line,
    });
    const listsCodes = answered.filter((s) => s.params.some(([, value]) => value.includes(',') && VALUE_SET_CODES.some((code) => value.includes(code))));
    t.expect(
      listsCodes.length > 0,
      listsCodes.length
        ? `the computer sent a value set's codes as a comma-separated list (${listsCodes[0]!.line})`
        : `no answered search lists a value set's codes (${VALUE_SET_CODES.join(', ')}) comma-separated; expected the value sets expanded into the searches`,
      { requirement: 'SANER-CM-PG-004' },
    );
    const problems = countDifferences(judgedReport(t, computation), expected(t, V1));
    listed(t, 'counts that differ', problems);
    t.expect(
      problems.length === 0,
      problems.length ? `${problems.length} count(s) differ from the expected results: ${problems.slice(0, 3).join('; ')}` : 'every count equals the expected result without :in',
      { requirement: 'SANER-CM-PG-004' },
    );
  },
});

const changedMeasureTest = test<ComputeFixture>("A changed Measure yields a new report with the changed Measure's values", {
  requirements: ['SANER-CM-PG-009', 'SANER-TP-INT-2'],
  negativeControl: 'stale-measure',
  description:
    "On a public-health side of its own, so the change reaches no other test: the SUT computes ComputeCovidImpact 1.0.0 for the suite's day, the Measure Definition Source then publishes 2.0.0 (PUT, same id and url; inpatient encounters only, preliminary lab results counted) and the SUT computes the same day again: the new report must name 2.0.0, equal its expected counts, and differ from the first where the versions' expected counts differ.",
  async run(t) {
    const { period } = t.fixture;
    const publicHealth = await t.env.start('public-health');
    const site = await startSite(t.env, t.fixture.site.dataSource, publicHealth);
    const first = await compute(t.env, site, period);
    noteComputation(t, first);
    const before = judgedReport(t, first);
    const v2 = computeFixtures().find((r): r is Measure => r.resourceType === 'Measure' && (r as Measure).version === V2);
    if (!v2?.id) throw new Error(`the bundled fixtures hold no Measure ${V2} with an id`);
    const published = await t.sut.request('PUT', `${publicHealth.baseUrl}/Measure/${v2.id}`, { headers: { accept: FHIR_JSON, 'content-type': FHIR_JSON }, body: JSON.stringify(v2) });
    if (published.status >= 300) throw new Error(`the public-health side did not take Measure ${V2}: PUT Measure/${v2.id} answered ${published.status}`);
    t.note(`published Measure/${v2.id} version ${V2} on the Measure Definition Source ${publicHealth.baseUrl}`);
    const computation = await compute(t.env, site, period);
    noteComputation(t, computation);
    const report = judgedReport(t, computation);
    const named = report.measure ?? '(none)';
    t.expect(
      named === `${COMPUTE_MEASURE_URL}|${V2}`,
      `the new report names ${named}${named === `${COMPUTE_MEASURE_URL}|${V2}` ? '' : `; expected the changed Measure, ${COMPUTE_MEASURE_URL}|${V2}`}`,
      { requirement: 'SANER-CM-PG-009' },
    );
    const v1Result = expected(t, V1);
    const v2Result = expected(t, V2);
    const problems = countDifferences(report, v2Result);
    listed(t, "counts that differ from 2.0.0's expected results", problems);
    t.expect(
      problems.length === 0,
      problems.length ? `${problems.length} count(s) differ from 2.0.0's expected results: ${problems.slice(0, 3).join('; ')}` : "every count equals 2.0.0's expected result",
      { requirement: t.requirements },
    );
    const changed = changedCounts(v1Result, v2Result);
    if (changed.length === 0) throw new Error(`the generator's expected counts of ${V1} and ${V2} do not differ on ${period.start}`);
    t.expectEvery(changed, (path) => countOf(report, path) !== countOf(before, path), `the new report differs from the first where the versions differ (${changed.join(', ')})`, {
      requirement: 'SANER-TP-INT-2',
      show: (path) => `${path} is ${countOf(report, path) ?? 'missing'} in both`,
    });
  },
});

export default defineSuite<ComputeFixture>({
  id: 'saner/compute-measure/measure-computer',
  title: 'SANER Compute Measure: Measure Computer (client)',
  actorUnderTest: 'MeasureComputer' satisfies ActorId,
  role: 'client',
  simulator: 'data-source',
  simulatorOptions: { patients: DATA.patients, seed: DATA.seed },
  cannotGradeRecordings:
    'its tests have the Measure Computer compute over a Data Source the suite generates and compare the counts with what that data set must give; traffic recorded elsewhere carries no expected counts',
  capabilities: [MEASURE_COMPUTER_CM],
  options: ['Push', 'Pull'],
  setup: setUpCompute,
  tests: [captureTest, periodTest, ...reportTests, ...availabilityTests, searchCoverageTest, unevaluableTest, ...evaluateMeasureTests, noInTest, changedMeasureTest],
});
