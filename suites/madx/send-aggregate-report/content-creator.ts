/**
 * IHE mADX Send Aggregate Report [QRPH-58], the Content Creator as client: the harness runs the
 * Content Consumer simulator, triggers the SUT once, records every request until its traffic
 * settles, and each test judges that recording: the update at the report's id, the media type,
 * the mADX-MeasureReport rules (rule set named in the evidence), the configured Measure, a
 * collection Bundle, the scheme of the endpoint, and how the SUT followed 202 and 303 answers.
 */
import type { Bundle } from 'fhir/r4.js';
import { defineSuite, test, type TestContext } from '../../../src/engine/index.js';
import { MADX_CONTENT_CREATOR } from '../../../ig/madx/capabilities.js';
import { MADX_MEASURE_REPORT, madxProfileUrl, registerMadxProfiles, type MadxRuleSet } from '../../../ig/madx/profiles.js';
import { MADX_CREATOR_ACTOR } from '../../../simulators/content-creator-client/index.js';
import { FHIR_MEDIA, readSends, reportsSent, submissions, type Send } from './creator-sends.js';

/** The simulator the SUT sends to; its own configuration decides sync, 202 or 303 answers. */
export const MADX_CONSUMER_SIMULATOR = 'madx-content-consumer';
const DEFAULT_MEASURE = 'http://ohie.org/Measure/madx-hiv-indicator-example';

interface CreatorFixture {
  sends?: Send[];
}

type T = TestContext<CreatorFixture>;

const TRIGGER = 'send aggregate reports to the Content Consumer: PUT [base]/MeasureReport/[id] for each report and, if you send several at once, one collection Bundle to [base]';

function sendsOf(t: T): Send[] {
  return t.require(t.fixture.sends, 'the first test recorded the creator\'s requests (it has to run first)');
}

function note(t: T, what: string, sends: readonly Send[]): void {
  t.note(`${what} (${sends.length}):\n${sends.slice(0, 15).map((s) => `  ${s.line}`).join('\n')}`);
}

const ruleSet = (t: T): MadxRuleSet => (t.config['ruleSet'] === 'comment-draft' ? 'comment-draft' : 'trial-implementation');

const tests = [
  test<CreatorFixture>('The creator sends aggregate reports to the Consumer when triggered', {
    requirements: ['MADX-CRE-002', 'MADX-CRE-001'],
    negativeControl: 'no-send',
    async run(t) {
      const sends = readSends(await t.recordTraffic(TRIGGER, { actor: 'mADX Content Creator' }), t.simulator.baseUrl);
      t.fixture.sends = sends;
      note(t, 'requests from the creator', sends);
      t.expect(reportsSent(submissions(sends)).length > 0, 'the creator sent at least one MeasureReport', { requirement: 'MADX-CRE-001' });
    },
  }),
  test<CreatorFixture>('Each report is sent by PUT [base]/MeasureReport/[id] with the same id in the body', {
    requirements: 'MADX-CRE-003',
    negativeControl: 'put-id-mismatch',
    description: 'QRPH-58 is a FHIR update; the response section\'s "POST" wording (A1) makes a POST a warning, not a failure.',
    run(t) {
      const singles = submissions(sendsOf(t)).filter((s) => s.body?.resourceType === 'MeasureReport');
      t.require(singles.length > 0, 'the creator sent single MeasureReports to judge');
      const updates = singles.filter((s) => s.kind === 'update');
      t.expectEvery(updates, (s) => s.body?.id === s.id, 'every PUT body has the id of its URL');
      t.warnUnless(updates.length === singles.length, `every single report went by PUT (${singles.length - updates.length} by ${[...new Set(singles.filter((s) => s.kind !== 'update').map((s) => s.exchange.method))].join(', ') || 'none'})`);
    },
  }),
  test<CreatorFixture>('Requests carry Content-Type application/fhir+json or application/fhir+xml and bodies in that format', {
    requirements: 'MADX-CRE-005',
    negativeControl: 'wrong-content-type',
    run(t) {
      const sent = submissions(sendsOf(t));
      t.require(sent.length > 0, 'the creator sent requests to judge');
      t.expectEvery(sent, (s) => FHIR_MEDIA.has(s.media ?? ''), 'every request names application/fhir+json or application/fhir+xml');
      t.expectEvery(sent, (s) => s.body !== undefined, 'every body parses in the format its Content-Type names');
    },
  }),
  test<CreatorFixture>('Every report sent conforms to mADX-MeasureReport', {
    requirements: ['MADX-CRE-001', 'MADX-CRE-007', 'MADX-MR-001', 'MADX-MR-002', 'MADX-MR-003', 'MADX-MR-004', 'MADX-MR-006', 'MADX-MR-007', 'MADX-MR-008', 'MADX-MR-009', 'MADX-MR-011', 'MADX-MR-012'],
    negativeControl: 'invalid-report',
    async run(t) {
      registerMadxProfiles();
      const profile = madxProfileUrl(ruleSet(t));
      t.note(`rule set: ${ruleSet(t)} (${profile === MADX_MEASURE_REPORT ? 'mADX 3.0.0 trial implementation' : 'mADX 3.0.0-comment draft'})`);
      const reports = reportsSent(submissions(sendsOf(t)));
      t.require(reports.length > 0, 'the creator sent MeasureReports to validate');
      for (const r of reports) {
        const issues = await t.validate(r, { profiles: [profile], subject: `MeasureReport/${r.id ?? '(no id)'}` });
        t.expect(!issues.some((i) => i.severity === 'error' || i.severity === 'fatal'), `MeasureReport/${r.id ?? '(no id)'} conforms to ${profile}`);
      }
    },
  }),
  test<CreatorFixture>('Every report names the configured mADX Measure', {
    requirements: ['MADX-CRE-013', 'MADX-MR-013'],
    negativeControl: 'wrong-measure',
    run(t) {
      const measure = typeof t.config['measure'] === 'string' ? t.config['measure'] : DEFAULT_MEASURE;
      const reports = reportsSent(submissions(sendsOf(t)));
      t.require(reports.length > 0, 'the creator sent MeasureReports');
      t.expectEvery(reports, (r) => r.measure === measure, `every MeasureReport.measure is ${measure}`);
    },
  }),
  test<CreatorFixture>('Several reports at once travel as one collection Bundle without entry.request', {
    requirements: 'MADX-CRE-008',
    negativeControl: 'bundle-as-batch',
    run(t) {
      const bundles = submissions(sendsOf(t)).filter((s) => s.body?.resourceType === 'Bundle');
      if (bundles.length === 0) t.skip('the creator sent no Bundle: sending several reports at once is optional (MAY)');
      for (const b of bundles) {
        const bundle = b.body as Bundle;
        t.expect(bundle.type === 'collection', `${b.line}: Bundle.type is ${bundle.type}, mADX sends a collection`);
        t.expect((bundle.entry ?? []).every((e) => e.resource?.resourceType === 'MeasureReport' && !e.request), `${b.line}: every entry is a MeasureReport without request`);
      }
    },
  }),
  test<CreatorFixture>('The creator sends to an https endpoint', {
    requirements: ['MADX-CRE-004', 'MADX-SEC-001', 'MADX-SEC-002'],
    negativeControl: 'no-send',
    run(t) {
      const sent = submissions(sendsOf(t));
      t.require(sent.length > 0, 'the creator sent requests');
      if (new URL(t.simulator.baseUrl).protocol === 'https:') {
        t.expectEvery(sent, (s) => s.exchange.url.startsWith('https:'), 'every request arrived over TLS');
        t.manual('the requests arrived over TLS; a person confirms the creator authenticates the Consumer and presents a client certificate (mutual authentication)');
      }
      t.manual(`the Consumer simulator ran over plain http (${t.simulator.baseUrl}); a person confirms the creator is configured with an https endpoint, refuses http, and uses mutual authentication`);
    },
  }),
  test<CreatorFixture>('After a 303 the creator GETs its Location; after a 202 it polls the status URL', {
    requirements: ['MADX-CRE-010', 'MADX-CRE-011', 'MADX-CRE-009'],
    negativeControl: 'ignore-303',
    description: 'Judged on whatever 202 and 303 answers the simulator gave in this run (its async modes are set per run).',
    run(t) {
      const sends = sendsOf(t);
      const redirects = sends.filter((s) => s.exchange.status === 303 && s.exchange.responseHeaders?.['location']);
      const accepted = sends.filter((s) => s.exchange.status === 202);
      if (redirects.length === 0 && accepted.length === 0) t.skip('the Consumer simulator answered every request synchronously in this run: run with its 202 or 303 mode to judge these paths');
      const gets = sends.filter((s) => s.kind === 'get').map((s) => new URL(s.exchange.url).pathname);
      t.expectEvery(redirects, (s) => gets.includes(new URL(s.exchange.responseHeaders!['location']!, s.exchange.url).pathname), 'every 303 was followed by a GET of its Location', { requirement: 'MADX-CRE-010' });
      t.expect(accepted.length === 0 || gets.length > 0, 'a 202 was followed by polling', { requirement: 'MADX-CRE-011' });
    },
  }),
];

export default defineSuite<CreatorFixture>({
  id: 'madx/send-aggregate-report/content-creator',
  title: 'IHE mADX Send Aggregate Report [QRPH-58]: Content Creator (client)',
  actorUnderTest: MADX_CREATOR_ACTOR,
  role: 'client',
  capabilities: [MADX_CONTENT_CREATOR],
  simulator: MADX_CONSUMER_SIMULATOR,
  tests,
});
