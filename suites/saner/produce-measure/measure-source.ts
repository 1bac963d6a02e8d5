/**
 * SANER Produce Measure (PUSH-TX), Measure Source side: the SUT is a client pushing to the reference
 * Measure Consumer. The harness triggers the SUT once, records every request until its traffic
 * settles, and each test then judges that one recording: creates and updates (method, URL, headers,
 * format, profile validity, a revision going to the id the Consumer assigned), and with the CSV
 * and Supplemental Data Options `$report-csv` and the batch at [base].
 */
import type { Bundle, Measure } from 'fhir/r4.js';
import { defineSuite, test, type TestContext } from '../../../src/engine/index.js';
import { readCsvMeasureReports, type FromCsvOptions } from '../../../src/csv/index.js';
import { parseDateRange } from '../../../src/fhir/search/date-range.js';
import { acceptedRanges } from '../../../src/fhir/negotiation.js';
import { MEASURE_SOURCE_PM_CSV_PUSH, MEASURE_SOURCE_PM_PUSH, MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA } from '../../../ig/saner/capabilities.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT } from '../../../ig/saner/profiles.js';
import { seedResources } from '../../../simulators/measure-consumer/seed.js';
import { entryReferenced, readPushes, reportCsvCall, reportKey, reportOf, succeeded, supplementalBundles, type Push, type ReportCsvCall } from './source-pushes.js';

const FHIR_MEDIA = new Set(['application/fhir+json', 'application/fhir+xml']);

interface SourceFixture {
  pushes?: Push[];
}

type T = TestContext<SourceFixture>;

const TRIGGER =
  'push MeasureReports to the Measure Consumer: create reports (POST [base]/MeasureReport) and revise one (PUT [base]/MeasureReport/[id]); with the CSV Option post a CSV to Measure/[id]/$report-csv, with the Supplemental Data Option a batch Bundle to [base]';

/** Triggers the SUT and records its pushes until its traffic settles. */
async function capture(t: T): Promise<Push[]> {
  t.fixture.pushes = [];
  const pushes = readPushes(await t.recordTraffic(TRIGGER, { actor: 'Measure Source' }), t.simulator.baseUrl);
  t.fixture.pushes = pushes;
  notePushes(t, 'requests from the source', pushes);
  return pushes;
}

/** The recording the first test made; a test running without one fails saying why. */
function pushesOf(t: T): Push[] {
  return t.require(t.fixture.pushes, 'the first test recorded the source\'s requests (it has to run first)');
}

function notePushes(t: T, what: string, pushes: readonly Push[]): void {
  const shown = pushes.slice(0, 15).map((p) => `  ${p.line}`);
  t.note(`${what} (${pushes.length}):\n${shown.join('\n')}${pushes.length > 15 ? `\n  … ${pushes.length - 15} more` : ''}`);
}

const reportWrites = (pushes: readonly Push[]): Push[] => pushes.filter((p) => p.kind === 'create' || p.kind === 'update');
const creates = (pushes: readonly Push[]): Push[] => pushes.filter((p) => p.kind === 'create');
const updates = (pushes: readonly Push[]): Push[] => pushes.filter((p) => p.kind === 'update');
/** Requests carrying a FHIR resource (a CSV body of $report-csv is judged by the CSV tests). */
const fhirBodies = (pushes: readonly Push[]): Push[] => pushes.filter((p) => p.kind !== 'metadata' && p.kind !== 'other' && p.exchange.requestBody?.text.trim() && !(p.kind === 'report-csv' && !p.body && p.media?.includes('csv')));

/**
 * Revisions: updates of a report (same measure, subject and period) the source had already pushed,
 * each with the id that report has on the Consumer (the Location of its create, or the URL of the
 * update that put it there).
 */
function revisions(pushes: readonly Push[]): { push: Push; expected: string }[] {
  const known = new Map<string, string>();
  const found: { push: Push; expected: string }[] = [];
  for (const p of reportWrites(pushes)) {
    const report = reportOf(p);
    if (!report) continue;
    const key = reportKey(report);
    if (p.kind === 'update') {
      const expected = known.get(key);
      if (expected !== undefined) found.push({ push: p, expected });
      if (succeeded(p) && p.id) known.set(key, p.id);
    } else if (p.assigned) known.set(key, p.assigned);
  }
  return found;
}

const captureTest = test<SourceFixture>('The source pushes MeasureReports to the Consumer when triggered', {
  requirements: ['SANER-PG-SRC-001', 'SANER-PM-PG-002-SRC'],
  negativeControl: 'no-push',
  description: 'Triggers the SUT once and records every request until 0.5 s pass without one; the other tests judge this recording.',
  async run(t) {
    t.expect(t.options.includes('Push') || t.options.includes('Pull'), `the source claims the Pull or Push Option (claims: ${t.options.join(', ') || 'none'})`, { requirement: 'SANER-PG-SRC-001' });
    const pushes = await capture(t);
    const writes = reportWrites(pushes);
    t.expect(writes.length > 0, `the source sent MeasureReports by create or update (${writes.length})`, { requirement: 'SANER-PM-PG-002-SRC' });
    t.expectSome(writes, (p) => succeeded(p) && reportOf(p) !== undefined, 'the Consumer accepted a MeasureReport the source sent (2xx)', { requirement: 'SANER-PM-PG-002-SRC' });
  },
});

const pushTests = [
  test<SourceFixture>('The source creates reports with POST [base]/MeasureReport', {
    requirements: 'SANER-PM-SRC-002',
    negativeControl: 'no-create',
    run(t) {
      const posted = creates(pushesOf(t));
      notePushes(t, 'creates', posted);
      t.expectSome(posted, (p) => succeeded(p) && reportOf(p) !== undefined, 'a POST [base]/MeasureReport with a MeasureReport body was accepted (200, 201 or 204)');
    },
  }),
  test<SourceFixture>('Pushed bodies are labelled application/fhir+json or application/fhir+xml', {
    requirements: 'SANER-PM-PG-004',
    negativeControl: 'wrong-content-type',
    run(t) {
      const sent = fhirBodies(pushesOf(t));
      notePushes(t, 'requests with a FHIR body', sent);
      t.require(sent.length > 0, 'the source sent FHIR bodies to judge');
      t.expectEvery(sent, (p) => FHIR_MEDIA.has(p.media ?? ''), 'every body is sent with Content-Type application/fhir+json or application/fhir+xml');
      t.expectEvery(sent, (p) => p.body !== undefined, 'every body parses in the format its Content-Type names');
      const accepts = sent.flatMap((p) => acceptedRanges(p.exchange.requestHeaders['accept'] ?? '').map((r) => r.type).filter((m) => m !== '*/*'));
      t.expectEvery(accepts, (m) => FHIR_MEDIA.has(m), 'every Accept that names a format names application/fhir+json or application/fhir+xml');
    },
  }),
  test<SourceFixture>('Every pushed MeasureReport conforms to PublicHealthMeasureReport', {
    requirements: ['SANER-PM-PG-004', 'SANER-PM-SRC-001'],
    negativeControl: 'invalid-report',
    description: 'Each MeasureReport the source sent (create, update, and the report of a Supplemental Data batch) is validated against base R4 and the SANER profile; the issues are the evidence.',
    async run(t) {
      const pushes = pushesOf(t);
      const bodies = reportWrites(pushes).flatMap((p) => (p.body ? [p.body] : []));
      const batched = supplementalBundles(pushes).flatMap(({ bundle }) => (bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === 'MeasureReport'));
      const reports = [...bodies, ...batched].filter((r) => r !== undefined);
      t.require(reports.length > 0, `the source sent MeasureReports to validate (${reports.length})`);
      t.expectEvery(bodies, (r) => r.resourceType === 'MeasureReport', 'every create and update of MeasureReport carries a MeasureReport');
      for (const report of reports) await t.validate(report, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] });
    },
  }),
  test<SourceFixture>('The source revises a report with PUT [base]/MeasureReport/[id]', {
    requirements: ['SANER-PM-SRC-003', 'SANER-PM-PG-002-SRC'],
    negativeControl: 'no-update',
    run(t) {
      const pushes = pushesOf(t);
      const put = updates(pushes);
      notePushes(t, 'updates', put);
      const revised = revisions(pushes);
      t.expectSome(revised, ({ push }) => succeeded(push), 'the source updated a report it had pushed before (PUT of the same measure, subject and period) and the Consumer accepted it');
    },
  }),
  test<SourceFixture>('An update carries the id of its URL in the body', {
    requirements: 'SANER-PM-SRC-003',
    negativeControl: 'put-without-id',
    run(t) {
      const put = updates(pushesOf(t));
      notePushes(t, 'updates', put);
      t.require(put.length > 0, 'the source sent an update');
      t.expectEvery(put, (p) => reportOf(p)?.id !== undefined && reportOf(p)?.id === p.id, 'every PUT [base]/MeasureReport/[id] carries a MeasureReport whose id is that [id]');
    },
  }),
  test<SourceFixture>('A revision goes to the id the Consumer gave the report', {
    requirements: ['SANER-PM-SRC-003', 'SANER-PM-PG-002-SRC'],
    negativeControl: 'ignore-location',
    description: 'A report created with POST lives at the id of the Location the Consumer answered with; a revision of it (same measure, subject and period) must update that id, or the Consumer ends up with two reports.',
    run(t) {
      const revised = revisions(pushesOf(t));
      t.require(revised.length > 0, 'the source revised a report it had pushed (a PUT of the measure, subject and period of an earlier push)');
      for (const { push, expected } of revised) t.note(`${push.line}: the report is MeasureReport/${expected} on the Consumer`);
      t.expectEvery(revised, ({ push, expected }) => push.id === expected, 'every revision updates the id the Consumer assigned to the report (Location of its create)');
    },
  }),
  test<SourceFixture>('The source does not send a revision as a second create', {
    requirements: 'SANER-PM-SRC-003',
    negativeControl: 'update-by-post',
    run(t) {
      const accepted = creates(pushesOf(t)).filter((p) => succeeded(p) && reportOf(p));
      t.require(accepted.length > 0, 'the source created reports');
      const byKey = new Map<string, Push[]>();
      for (const p of accepted) {
        const key = reportKey(reportOf(p)!);
        byKey.set(key, [...(byKey.get(key) ?? []), p]);
      }
      const twice = [...byKey.values()].filter((ps) => ps.length > 1);
      for (const ps of twice) notePushes(t, 'creates of one report (same measure, subject and period)', ps);
      t.expect(twice.length === 0, twice.length ? `${twice.length} report${twice.length > 1 ? 's were' : ' was'} created more than once instead of updated` : `each of the ${byKey.size} reports created was created once`);
    },
  }),
];

const CSV = { options: ['CSV'] };
const reportCsvCalls = (pushes: readonly Push[]): Push[] => pushes.filter((p) => p.kind === 'report-csv');

/** The Measures the Consumer simulator holds, by id: what a $report-csv call names. */
function consumerMeasure(id: string | undefined): Measure | undefined {
  return seedResources().find((r): r is Measure => r.resourceType === 'Measure' && r.id === id);
}

const isFhirDate = (value: string): boolean => parseDateRange(value) !== undefined;

/** The call's own parameters, read the way the Consumer's $report-csv reads them. */
function csvOptions(call: ReportCsvCall): FromCsvOptions {
  const options: FromCsvOptions = { map: call.params.get('map') ?? [], unknownColumns: 'ignore' };
  const first = (name: string) => call.params.get(name)?.[0];
  const subject = first('subject');
  const reporter = first('reporter');
  const periodStart = first('period-start');
  const periodEnd = first('period-end');
  if (subject) options.subject = subject;
  if (reporter) options.reporter = reporter;
  if (periodStart) options.periodStart = periodStart;
  if (periodEnd) options.periodEnd = periodEnd;
  return options;
}

const csvTests = [
  test<SourceFixture>('The source posts its CSV to Measure/[id]/$report-csv', {
    requirements: ['SANER-CSVPUSH-SRC-002', 'SANER-PM-PG-005-SRC'],
    preconditions: CSV,
    negativeControl: 'csv-as-body',
    run(t) {
      const pushes = pushesOf(t);
      const calls = reportCsvCalls(pushes);
      notePushes(t, '$report-csv calls', calls);
      t.expectSome(calls, succeeded, 'a POST [base]/Measure/[id]/$report-csv was accepted by the Consumer', { requirement: 'SANER-CSVPUSH-SRC-002' });
      const stray = pushes.filter((p) => p.kind !== 'report-csv' && (p.media === 'text/csv' || p.media === 'application/csv'));
      notePushes(t, 'CSV sent elsewhere', stray);
      t.expect(stray.length === 0, stray.length ? `the source sent CSV outside $report-csv: ${stray[0]!.line}` : 'CSV went only to $report-csv, never as a MeasureReport body', { requirement: 'SANER-PM-PG-005-SRC' });
    },
  }),
  test<SourceFixture>('$report-csv calls carry the CSV as the input Binary', {
    requirements: 'SANER-OP-REPORTCSV-001-SRC',
    preconditions: CSV,
    negativeControl: 'csv-input-as-string',
    description: 'input (1..1, Binary): a Parameters body with one input Binary of contentType text/csv, or the CSV itself as a text/csv body.',
    run(t) {
      const calls = reportCsvCalls(pushesOf(t));
      t.require(calls.length > 0, 'the source called $report-csv');
      const read = calls.map((p) => ({ p, call: reportCsvCall(p) }));
      for (const { p, call } of read) if (call.problem) t.note(`${p.line}: ${call.problem}`);
      t.expectEvery(read, ({ call }) => call.csv !== undefined, 'every $report-csv call carries its CSV in input (a text/csv Binary) or as a text/csv body');
    },
  }),
  test<SourceFixture>('$report-csv calls carry period-start and period-end', {
    requirements: ['SANER-OP-REPORTCSV-003-SRC', 'SANER-OP-REPORTCSV-004-SRC'],
    preconditions: CSV,
    negativeControl: 'csv-missing-period',
    run(t) {
      const calls = reportCsvCalls(pushesOf(t)).map(reportCsvCall);
      t.require(calls.length > 0, 'the source called $report-csv');
      for (const [name, requirement] of [['period-end', 'SANER-OP-REPORTCSV-003-SRC'], ['period-start', 'SANER-OP-REPORTCSV-004-SRC']] as const) {
        t.expectEvery(calls, (c) => (c.params.get(name) ?? []).length === 1, `every call gives ${name} once (1..1)`, { requirement });
        t.expectEvery(calls, (c) => (c.params.get(name) ?? []).every(isFhirDate), `every ${name} is a FHIR date or dateTime`, { requirement });
      }
    },
  }),
  test<SourceFixture>('The CSV reads back as reports of the Measure (attestation of the Measure definitions)', {
    requirements: ['SANER-CSVPUSH-SRC-002', 'SANER-CSVPUSH-SRC-001'],
    preconditions: CSV,
    negativeControl: 'csv-bad-cell',
    description: 'Each CSV is read with the project\'s CSV conversion against the Measure it was posted to, with the call\'s map, subject, reporter and period; the reports it gives must be PublicHealthMeasureReports. The Measure is the Consumer\'s; that the source\'s own Measure definitions conform to PublicHealthMeasure needs a person.',
    async run(t) {
      const calls = reportCsvCalls(pushesOf(t));
      t.require(calls.length > 0, 'the source called $report-csv');
      for (const p of calls) {
        const measure = consumerMeasure(p.id);
        if (!t.expect(measure, `${p.line}: Measure/${p.id ?? ''} is one the Consumer holds`, { requirement: 'SANER-CSVPUSH-SRC-002' })) continue;
        await t.validate(measure!, { profiles: [PUBLIC_HEALTH_MEASURE], requirement: 'SANER-CSVPUSH-SRC-001' });
        const call = reportCsvCall(p);
        if (!t.expect(call.csv !== undefined, `${p.line}: ${call.problem ?? 'carries a CSV'}`, { requirement: 'SANER-CSVPUSH-SRC-002' })) continue;
        try {
          const reports = await readCsvMeasureReports(call.csv!, measure!, csvOptions(call));
          t.expect(reports.length > 0, `${p.line}: the CSV holds ${reports.length} report${reports.length === 1 ? '' : 's'} of ${measure!.url ?? measure!.id}`, { requirement: 'SANER-CSVPUSH-SRC-002' });
          for (const r of reports) await t.validate(r, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT], subject: `a report from the CSV of ${p.line}`, requirement: 'SANER-CSVPUSH-SRC-002' });
        } catch (err) {
          t.expect(false, `${p.line}: the CSV does not read as reports of the Measure: ${(err as Error).message}`, { requirement: 'SANER-CSVPUSH-SRC-002' });
        }
      }
      t.manual('the CSV fits the Consumer\'s PublicHealthMeasure; that the Measure definitions the source itself reports against conform to PublicHealthMeasure needs a person to attest');
    },
  }),
];

const SUPPLEMENTAL = { options: ['SupplementalData'] };

const supplementalTests = [
  test<SourceFixture>('The source sends Supplemental Data as a batch Bundle to [base]', {
    requirements: ['SANER-SD-SRC-001', 'SANER-SD-PG-001-SRC', 'SANER-PG-SRC-003'],
    preconditions: SUPPLEMENTAL,
    negativeControl: 'batch-as-transaction',
    description: 'A collection Bundle POSTed to [base]/Bundle, the reading of actors.md, is reported as a warning (digest §7 D5).',
    run(t) {
      const pushes = pushesOf(t);
      const atBase = pushes.filter((p) => p.kind === 'batch');
      const collections = supplementalBundles(pushes).filter(({ push }) => push.kind === 'bundle-create');
      notePushes(t, 'POST [base]', atBase);
      if (atBase.length === 0 && collections.length > 0) {
        notePushes(t, 'collection Bundles POSTed to [base]/Bundle', collections.map((c) => c.push));
        t.warnUnless(false, 'the source sent its Supplemental Data as a collection Bundle to [base]/Bundle, the alternative reading of actors.md; the Option sends a batch Bundle to [base] (D5)');
        return;
      }
      t.require(atBase.length > 0, 'the source POSTed a Bundle to [base]');
      t.expectEvery(atBase, (p) => p.body?.resourceType === 'Bundle' && (p.body as Bundle).type === 'batch', 'every Bundle POSTed to [base] is of type batch');
      t.expectSome(atBase, (p) => succeeded(p) && (p.body as Bundle | undefined)?.type === 'batch', 'the Consumer processed a batch from the source');
      t.expectEvery(atBase, (p) => ((p.body as Bundle | undefined)?.entry ?? []).every((e) => (e.request?.method === 'POST' || e.request?.method === 'PUT') && !!e.request.url), 'every batch entry is a create (POST Type) or an update (PUT Type/id)');
    },
  }),
  test<SourceFixture>('The batch starts with the MeasureReport', {
    requirements: 'SANER-SD-PG-002',
    preconditions: SUPPLEMENTAL,
    negativeControl: 'batch-wrong-order',
    run(t) {
      const bundles = supplementalBundles(pushesOf(t));
      t.require(bundles.length > 0, 'the source sent Supplemental Data Bundles');
      t.expectEvery(bundles, ({ bundle }) => bundle.entry?.[0]?.resource?.resourceType === 'MeasureReport', 'entry[0] of every Supplemental Data Bundle is the MeasureReport');
    },
  }),
  test<SourceFixture>('The batch carries every resource the report\'s evaluatedResource names, and only those', {
    requirements: ['SANER-SD-PG-002', 'SANER-SD-SRC-001'],
    preconditions: SUPPLEMENTAL,
    negativeControl: 'batch-missing-reference',
    run(t) {
      const bundles = supplementalBundles(pushesOf(t));
      t.require(bundles.length > 0, 'the source sent Supplemental Data Bundles');
      for (const { push, bundle } of bundles) {
        const entries = bundle.entry ?? [];
        const reportAt = entries.findIndex((e) => e.resource?.resourceType === 'MeasureReport');
        if (!t.expect(reportAt >= 0, `${push.line}: the Bundle holds a MeasureReport`)) continue;
        const refs = ((entries[reportAt]!.resource as { evaluatedResource?: { reference?: string }[] }).evaluatedResource ?? []).map((r) => r.reference);
        const others = entries.filter((_, i) => i !== reportAt);
        t.expect(refs.length > 0, `${push.line}: the report lists ${refs.length} evaluatedResource`);
        t.expectEvery(refs, (ref) => entryReferenced(others, ref) !== undefined, `${push.line}: every evaluatedResource is an entry of the Bundle`);
        t.expectEvery(others, (e) => refs.some((ref) => entryReferenced([e], ref) !== undefined), `${push.line}: every other entry is a resource the report's evaluatedResource names`);
      }
    },
  }),
  test<SourceFixture>('Supplemental Data comes with the Push Option', {
    requirements: ['SANER-SD-PG-004-SRC', 'SANER-PG-SRC-004'],
    preconditions: SUPPLEMENTAL,
    negativeControl: 'no-push',
    run(t) {
      t.expect(t.options.includes('Push'), `the source claims the Push Option with Supplemental Data (claims: ${t.options.join(', ')})`);
      t.expectSome(reportWrites(pushesOf(t)), (p) => succeeded(p) && reportOf(p) !== undefined, 'the source pushed a MeasureReport by create or update, as the Push Option does');
    },
  }),
];

export default defineSuite<SourceFixture>({
  id: 'saner/produce-measure/measure-source',
  title: 'SANER Produce Measure: Measure Source (client)',
  actorUnderTest: 'MeasureSource',
  role: 'client',
  simulator: 'measure-consumer',
  capabilities: [MEASURE_SOURCE_PM_PUSH, MEASURE_SOURCE_PM_CSV_PUSH, MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA],
  options: ['Push', 'CSV', 'SupplementalData'],
  setup: () => ({}),
  tests: [captureTest, ...pushTests, ...csvTests, ...supplementalTests],
});
