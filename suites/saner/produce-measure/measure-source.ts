/**
 * SANER Produce Measure (PUSH-TX), Measure Source side: the SUT is a client pushing to the reference
 * Measure Consumer. The suite's setup triggers the SUT once, telling it what to show, and records
 * every request until its traffic settles; each test judges that one recording: creates and updates
 * (method, URL, headers, format, a revision going to the id the Consumer assigned), the reports'
 * conformance, and with the CSV and Supplemental Data Options `$report-csv` and the batch at [base].
 * How the SUT's trigger ended (exit status) is shown, never taken as the harness's failure.
 */
import type { Bundle, Measure } from 'fhir/r4.js';
import { bodyOf, defineSuite, test, type Ask, type Recording, type SuiteEnvironment, type TestContext } from '../../../src/engine/index.js';
import { readCsvMeasureReports, type FromCsvOptions } from '../../../src/csv/index.js';
import { parseDateRange } from '../../../src/fhir/search/date-range.js';
import { acceptedRanges } from '../../../src/fhir/negotiation.js';
import { MEASURE_SOURCE_PM_CSV_PUSH, MEASURE_SOURCE_PM_PUSH, MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA } from '../../../ig/saner/capabilities.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT } from '../../../ig/saner/profiles.js';
import { seedResources } from '../../../simulators/measure-consumer/seed.js';
import { asPushes, entryReferenced, succeeded, reportCsvCall, reportKey, reportOf, supplementalBundles, type Push, type ReportCsvCall } from './source-pushes.js';
import type { ActorId } from '../../../ig/actors.js';

const FHIR_MEDIA = new Set(['application/fhir+json', 'application/fhir+xml']);

interface SourceFixture {
  recording: Recording;
  pushes: Push[];
}

type T = TestContext<SourceFixture>;

const TRIGGER =
  'push MeasureReports to the Measure Consumer: create reports (POST [base]/MeasureReport) and revise one (PUT [base]/MeasureReport/[id]); with the CSV Option post a CSV to Measure/[id]/$report-csv, with the Supplemental Data Option a batch Bundle to [base]';

/** What the suite asks the source to show, for the options it claims. */
function asksFor(options: readonly string[]): Ask[] {
  return [
    { token: 'MeasureReport/create', says: 'create a MeasureReport (POST [base]/MeasureReport)' },
    { token: 'MeasureReport/update', says: 'revise a report it created (PUT [base]/MeasureReport/[id] with the id the Consumer gave it)' },
    ...(options.includes('CSV') ? [{ token: 'Measure/$report-csv', says: 'post a CSV to [base]/Measure/[id]/$report-csv' }] : []),
    ...(options.includes('SupplementalData') ? [{ token: 'batch', says: 'post a batch Bundle with a MeasureReport and its supplemental data to [base]' }] : []),
  ];
}

/** Triggers the SUT once and records its pushes until its traffic settles; the tests judge this recording. */
async function record(env: SuiteEnvironment): Promise<SourceFixture> {
  const recording = await env.record(TRIGGER, { actor: 'Measure Source', asks: asksFor(env.options) });
  return { recording, pushes: asPushes(recording.requests) };
}

const pushesOf = (t: T): Push[] => t.fixture.pushes;
const notePushes = (t: T, what: string, pushes: readonly Push[]): void => t.cite(what, pushes);

const reportWrites = (pushes: readonly Push[]): Push[] => pushes.filter((p) => p.kind === 'create' || p.kind === 'update');
const creates = (pushes: readonly Push[]): Push[] => pushes.filter((p) => p.kind === 'create');
const updates = (pushes: readonly Push[]): Push[] => pushes.filter((p) => p.kind === 'update');
/** Requests carrying a FHIR resource (a CSV body of $report-csv is judged by the CSV tests). */
const fhirBodies = (pushes: readonly Push[]): Push[] =>
  pushes.filter((p) => p.kind !== 'metadata' && p.kind !== 'other' && p.body !== undefined && !(p.kind === 'report-csv' && p.mediaType?.includes('csv')));

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
    } else if (p.assignedId) known.set(key, p.assignedId);
  }
  return found;
}

const captureTest = test<SourceFixture>('The source pushes MeasureReports to the Consumer when triggered', {
  requirements: ['SANER-PG-SRC-001', 'SANER-PM-PG-002-SRC'],
  negativeControl: 'no-push',
  description: 'The suite triggers the SUT once and records every request until 0.5 s pass without one; this and the other tests judge that recording.',
  run(t) {
    t.expect(t.options.includes('Push') || t.options.includes('Pull'), `the source claims ${t.options.join(', ') || 'no option'}; expected the Pull or Push Option`, {
      requirement: 'SANER-PG-SRC-001',
    });
    const { recording, pushes } = t.fixture;
    notePushes(t, 'requests from the source', pushes);
    const writes = reportWrites(pushes);
    t.expectShown(
      writes,
      `the source sent ${writes.length} MeasureReport create(s) or update(s)`,
      `${recording.silence ?? `the source sent ${pushes.length} request(s), none a create or update of MeasureReport`}; expected MeasureReports pushed by create or update`,
      { requirement: 'SANER-PM-PG-002-SRC' },
    );
  },
});

const pushTests = [
  test<SourceFixture>('The source creates reports with POST [base]/MeasureReport', {
    requirements: 'SANER-PM-SRC-002',
    negativeControl: 'no-create',
    run(t) {
      const posted = creates(pushesOf(t));
      notePushes(t, 'creates', posted);
      // The interaction is judged on the interaction: whether the report conforms is another requirement's.
      t.expectSome(posted, (p) => reportOf(p) !== undefined, 'a POST [base]/MeasureReport carried a MeasureReport in the format its Content-Type names');
    },
  }),
  test<SourceFixture>('Pushed bodies are labelled application/fhir+json or application/fhir+xml', {
    requirements: 'SANER-PM-PG-004',
    negativeControl: 'wrong-content-type',
    run(t) {
      const sent = fhirBodies(pushesOf(t));
      notePushes(t, 'requests with a body', sent);
      t.expectEvery(sent, (p) => FHIR_MEDIA.has(p.mediaType ?? ''), 'every body is sent with Content-Type application/fhir+json or application/fhir+xml', {
        show: (p) => `${p.line} is ${p.mediaType ?? 'unlabelled'}`,
      });
      t.expectEvery(
        sent.filter((p) => p.format),
        (p) => p.body?.ok === true,
        'every FHIR body parses in the format its Content-Type names',
        { show: (p) => `${p.line}: ${p.body && !p.body.ok ? p.body.error : ''}` },
      );
      const accepts = sent.flatMap((p) =>
        acceptedRanges(p.exchange.requestHeaders['accept'] ?? '')
          .map((r) => r.type)
          .filter((m) => m !== '*/*'),
      );
      t.expectEvery(accepts, (m) => FHIR_MEDIA.has(m), 'every Accept that names a format names application/fhir+json or application/fhir+xml');
    },
  }),
  test<SourceFixture>('Every pushed MeasureReport conforms to PublicHealthMeasureReport', {
    requirements: ['SANER-PM-PG-004', 'SANER-PM-SRC-001'],
    negativeControl: 'invalid-report',
    description: 'Each MeasureReport the source sent (create, update, and the report of a Supplemental Data batch) is validated against base R4 and the SANER profile; the issues are the evidence.',
    async run(t) {
      const pushes = pushesOf(t);
      const bodies = reportWrites(pushes).flatMap((p) => bodyOf(p) ?? []);
      const batched = supplementalBundles(pushes).flatMap(({ bundle }) => (bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === 'MeasureReport'));
      const reports = [...bodies, ...batched].filter((r) => r !== undefined);
      if (reports.length === 0) return t.skip('the source sent no MeasureReport, so there is no content to judge (the push tests say so)');
      t.expectEvery(bodies, (r) => r.resourceType === 'MeasureReport', 'every create and update of MeasureReport carries a MeasureReport', {
        requirement: 'SANER-PM-PG-004',
        show: (r) => `a ${r.resourceType}`,
      });
      for (const report of reports) await t.validate(report, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT], requirement: 'SANER-PM-SRC-001' });
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
      t.expectSome(revised, ({ push }) => reportOf(push) !== undefined, 'the source updated a report it had pushed before (PUT of the same measure, subject and period)', {
        requirement: 'SANER-PM-SRC-003',
      });
      t.expectSome(put, (p) => reportOf(p) !== undefined, 'a PUT [base]/MeasureReport/[id] carried a MeasureReport', { requirement: 'SANER-PM-PG-002-SRC' });
    },
  }),
  test<SourceFixture>('An update carries the id of its URL in the body', {
    requirements: 'SANER-PM-SRC-003',
    negativeControl: 'put-without-id',
    run(t) {
      const put = updates(pushesOf(t));
      notePushes(t, 'updates', put);
      t.expectEvery(put, (p) => reportOf(p)?.id !== undefined && reportOf(p)?.id === p.id, 'every PUT [base]/MeasureReport/[id] carries a MeasureReport whose id is that [id]', {
        show: (p) => `${p.line} carries id ${reportOf(p)?.id ?? '(none)'}`,
      });
    },
  }),
  test<SourceFixture>('A revision goes to the id the Consumer gave the report', {
    requirements: ['SANER-PM-SRC-003', 'SANER-PM-PG-002-SRC'],
    negativeControl: 'ignore-location',
    description:
      'A report created with POST lives at the id of the Location the Consumer answered with; a revision of it (same measure, subject and period) must update that id, or the Consumer ends up with two reports.',
    run(t) {
      const revised = revisions(pushesOf(t));
      for (const { push, expected } of revised) t.note(`${push.line}: the report is MeasureReport/${expected} on the Consumer`);
      t.expectEvery(revised, ({ push, expected }) => push.id === expected, 'every revision updates the id the Consumer assigned to the report (Location of its create)', {
        requirement: ['SANER-PM-SRC-003', 'SANER-PM-PG-002-SRC'],
        show: ({ push, expected }) => `${push.line} revised MeasureReport/${push.id ?? '?'}, which the Consumer knows as MeasureReport/${expected}`,
      });
    },
  }),
  test<SourceFixture>('The source does not send a revision as a second create', {
    requirements: 'SANER-PM-SRC-003',
    negativeControl: 'update-by-post',
    run(t) {
      const accepted = creates(pushesOf(t)).filter((p) => succeeded(p) && reportOf(p));
      if (accepted.length === 0) return t.skip('the Consumer accepted no create from the source, so no report could be created twice');
      const byKey = new Map<string, Push[]>();
      for (const p of accepted) {
        const key = reportKey(reportOf(p)!);
        byKey.set(key, [...(byKey.get(key) ?? []), p]);
      }
      const twice = [...byKey.values()].filter((ps) => ps.length > 1);
      for (const ps of twice) notePushes(t, 'creates of one report (same measure, subject and period)', ps);
      t.expect(
        twice.length === 0,
        twice.length ? `${twice.length} report${twice.length > 1 ? 's were' : ' was'} created more than once instead of updated` : `each of the ${byKey.size} reports created was created once`,
      );
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
      const stray = pushes.filter((p) => p.kind !== 'report-csv' && (p.mediaType === 'text/csv' || p.mediaType === 'application/csv'));
      notePushes(t, 'CSV sent elsewhere', stray);
      t.expect(stray.length === 0, stray.length ? `the source sent CSV outside $report-csv: ${stray[0]!.line}` : 'CSV went only to $report-csv, never as a MeasureReport body', {
        requirement: 'SANER-PM-PG-005-SRC',
      });
    },
  }),
  test<SourceFixture>('$report-csv calls carry the CSV as the input Binary', {
    requirements: 'SANER-OP-REPORTCSV-001-SRC',
    preconditions: CSV,
    negativeControl: 'csv-input-as-string',
    description: 'input (1..1, Binary): a Parameters body with one input Binary of contentType text/csv, or the CSV itself as a text/csv body.',
    run(t) {
      const calls = reportCsvCalls(pushesOf(t));
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
      for (const [name, requirement] of [
        ['period-end', 'SANER-OP-REPORTCSV-003-SRC'],
        ['period-start', 'SANER-OP-REPORTCSV-004-SRC'],
      ] as const) {
        t.expectEvery(calls, (c) => (c.params.get(name) ?? []).length === 1, `every call gives ${name} once (1..1)`, { requirement });
        t.expectEvery(calls, (c) => (c.params.get(name) ?? []).every(isFhirDate), `every ${name} is a FHIR date or dateTime`, { requirement });
      }
    },
  }),
  test<SourceFixture>('The CSV reads back as reports of the Measure (attestation of the Measure definitions)', {
    requirements: ['SANER-CSVPUSH-SRC-002', 'SANER-CSVPUSH-SRC-001'],
    preconditions: CSV,
    negativeControl: 'csv-bad-cell',
    description:
      "Each CSV is read with the project's CSV conversion against the Measure it was posted to, with the call's map, subject, reporter and period; the reports it gives must be PublicHealthMeasureReports. The Measure is the Consumer's; that the source's own Measure definitions conform to PublicHealthMeasure needs a person.",
    async run(t) {
      const calls = reportCsvCalls(pushesOf(t));
      if (calls.length === 0) return t.skip('the source made no $report-csv call to read back');
      for (const p of calls) {
        const measure = consumerMeasure(p.id);
        if (!t.expect(measure, `${p.line}: Measure/${p.id ?? ''} is one the Consumer holds`, { requirement: 'SANER-CSVPUSH-SRC-002' })) continue;
        await t.validate(measure!, { profiles: [PUBLIC_HEALTH_MEASURE], requirement: 'SANER-CSVPUSH-SRC-001' });
        const call = reportCsvCall(p);
        if (!t.expect(call.csv !== undefined, `${p.line}: ${call.problem ?? 'carries a CSV'}`, { requirement: 'SANER-CSVPUSH-SRC-002' })) continue;
        try {
          const reports = await readCsvMeasureReports(call.csv!, measure!, csvOptions(call));
          t.expect(reports.length > 0, `${p.line}: the CSV holds ${reports.length} report${reports.length === 1 ? '' : 's'} of ${measure!.url ?? measure!.id}`, {
            requirement: 'SANER-CSVPUSH-SRC-002',
          });
          for (const r of reports) await t.validate(r, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT], subject: `a report from the CSV of ${p.line}`, requirement: 'SANER-CSVPUSH-SRC-002' });
        } catch (err) {
          t.expect(false, `${p.line}: the CSV does not read as reports of the Measure: ${(err as Error).message}`, { requirement: 'SANER-CSVPUSH-SRC-002' });
        }
      }
      t.manual("the CSV fits the Consumer's PublicHealthMeasure; that the Measure definitions the source itself reports against conform to PublicHealthMeasure needs a person to attest");
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
        notePushes(
          t,
          'collection Bundles POSTed to [base]/Bundle',
          collections.map((c) => c.push),
        );
        t.warnUnless(false, 'the source sent its Supplemental Data as a collection Bundle to [base]/Bundle, the alternative reading of actors.md; the Option sends a batch Bundle to [base] (D5)', {
          requirement: 'SANER-SD-PG-001-SRC',
        });
        return;
      }
      const batch = (p: Push) => bodyOf<Bundle>(p);
      t.expectSome(atBase, (p) => batch(p)?.resourceType === 'Bundle' && batch(p)?.type === 'batch', 'the source POSTed a batch Bundle to [base]', {
        requirement: ['SANER-SD-SRC-001', 'SANER-SD-PG-001-SRC', 'SANER-PG-SRC-003'],
      });
      t.expectEvery(atBase, (p) => batch(p)?.resourceType === 'Bundle' && batch(p)?.type === 'batch', 'every Bundle POSTed to [base] is of type batch', {
        requirement: 'SANER-SD-PG-001-SRC',
        show: (p) => `${p.line} is ${batch(p) ? `a ${batch(p)!.type ?? 'untyped'} Bundle` : 'not a Bundle'}`,
      });
      t.expectEvery(
        atBase,
        (p) => (batch(p)?.entry ?? []).every((e) => (e.request?.method === 'POST' || e.request?.method === 'PUT') && !!e.request.url),
        'every batch entry is a create (POST Type) or an update (PUT Type/id)',
        { requirement: 'SANER-SD-SRC-001' },
      );
    },
  }),
  test<SourceFixture>('The batch starts with the MeasureReport', {
    requirements: 'SANER-SD-PG-002',
    preconditions: SUPPLEMENTAL,
    negativeControl: 'batch-wrong-order',
    run(t) {
      const bundles = supplementalBundles(pushesOf(t));
      t.expectEvery(bundles, ({ bundle }) => bundle.entry?.[0]?.resource?.resourceType === 'MeasureReport', 'entry[0] of every Supplemental Data Bundle is the MeasureReport');
    },
  }),
  test<SourceFixture>("The batch carries every resource the report's evaluatedResource names, and only those", {
    requirements: ['SANER-SD-PG-002', 'SANER-SD-SRC-001'],
    preconditions: SUPPLEMENTAL,
    negativeControl: 'batch-missing-reference',
    run(t) {
      const bundles = supplementalBundles(pushesOf(t));
      if (bundles.length === 0) t.undecided(t.requirements, 'the source sent no Supplemental Data Bundle');
      for (const { push, bundle } of bundles) {
        const entries = bundle.entry ?? [];
        const reportAt = entries.findIndex((e) => e.resource?.resourceType === 'MeasureReport');
        if (
          !t.expect(
            reportAt >= 0,
            reportAt >= 0 ? `${push.line}: the Bundle holds a MeasureReport` : `${push.line}: the Bundle holds no MeasureReport; expected the report with its supplemental data`,
            { requirement: 'SANER-SD-PG-002' },
          )
        )
          continue;
        const refs = ((entries[reportAt]!.resource as { evaluatedResource?: { reference?: string }[] }).evaluatedResource ?? []).map((r) => r.reference);
        const others = entries.filter((_, i) => i !== reportAt);
        t.expect(
          refs.length > 0,
          refs.length ? `${push.line}: the report lists ${refs.length} evaluatedResource` : `${push.line}: the report lists no evaluatedResource; expected the supplemental data it carries`,
          { requirement: 'SANER-SD-SRC-001' },
        );
        t.expectEvery(refs, (ref) => entryReferenced(others, ref) !== undefined, `${push.line}: every evaluatedResource is an entry of the Bundle`, {
          requirement: 'SANER-SD-SRC-001',
          show: (ref) => `${ref ?? '(no reference)'} is not in the Bundle`,
        });
        t.expectEvery(others, (e) => refs.some((ref) => entryReferenced([e], ref) !== undefined), `${push.line}: every other entry is a resource the report's evaluatedResource names`, {
          requirement: 'SANER-SD-PG-002',
          show: (e) => `${e.resource?.resourceType ?? '?'}/${e.resource?.id ?? '?'}`,
        });
      }
    },
  }),
  test<SourceFixture>('Supplemental Data comes with the Push Option', {
    requirements: ['SANER-SD-PG-004-SRC', 'SANER-PG-SRC-004'],
    preconditions: SUPPLEMENTAL,
    negativeControl: 'no-push',
    run(t) {
      t.expect(t.options.includes('Push'), `the source claims ${t.options.join(', ')}; expected the Push Option with Supplemental Data`, { requirement: 'SANER-PG-SRC-004' });
      t.expectSome(reportWrites(pushesOf(t)), (p) => reportOf(p) !== undefined, 'the source pushed a MeasureReport by create or update, as the Push Option does', {
        requirement: 'SANER-SD-PG-004-SRC',
      });
    },
  }),
];

export default defineSuite<SourceFixture>({
  id: 'saner/produce-measure/measure-source',
  title: 'SANER Produce Measure: Measure Source (client)',
  actorUnderTest: 'ProduceMeasureSource' satisfies ActorId,
  role: 'client',
  simulator: 'measure-consumer',
  capabilities: [MEASURE_SOURCE_PM_PUSH, MEASURE_SOURCE_PM_CSV_PUSH, MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA],
  options: ['Push', 'CSV', 'SupplementalData'],
  setup: record,
  tests: [captureTest, ...pushTests, ...csvTests, ...supplementalTests],
});
