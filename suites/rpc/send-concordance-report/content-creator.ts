/**
 * IHE RPC Send Concordance Report [LAB-90], the Content Creator as client: the harness runs the
 * Content Consumer simulator in its 303 mode (each submission answered 303 to its result); the
 * suite's setup triggers the SUT once and records every request until its traffic settles, and
 * once more against Consumers refusing with 401 and 503. Each test judges those recordings: the
 * create, the media type, the RPC MeasureReport rules, a Patient or Group subject, the configured
 * Measure, the scheme of the endpoint, how the SUT followed the 303 and reported the refusals.
 */
import { bodyOf, defineSuite, test, type Ask } from '../../../src/engine/index.js';
import { RPC_CONTENT_CREATOR } from '../../../ig/rpc/capabilities.js';
import { RPC_MEASURE_REPORT, registerRpcProfiles } from '../../../ig/rpc/profiles.js';
import { measureOf } from '../../../simulators/content-creator-client/reports.js';
import { reportsSent, submissions } from '../../ihe-content/creator-sends.js';
import {
  fhirMediaTypes,
  follows303,
  httpsEndpoint,
  presentsCredential,
  recordCreator,
  reportsErrors,
  sendsOf,
  sendsWhenTriggered,
  type CreatorFixture,
} from '../../ihe-content/creator-exchange-tests.js';
import { codesOfTheMeasure } from '../../ihe-content/creator-measure-codes.js';
import { subjectKind } from './creator-subjects.js';
import type { ActorId } from '../../../ig/actors.js';

/** The simulator the SUT sends to. */
export const RPC_CONSUMER_SIMULATOR = 'rpc-content-consumer';

const TRIGGER = 'send your concordance report to the Content Consumer: POST [base]/MeasureReport; follow its 303 answers';

const ASKS: Ask[] = [
  { token: 'MeasureReport/create', says: 'send each concordance report by POST [base]/MeasureReport' },
  { token: 'async', says: "follow the Consumer's 303 (GET its Location) to the final answer" },
];

const tests = [
  sendsWhenTriggered({
    title: 'The creator sends its concordance report to the Consumer when triggered',
    sends: 'RPC-CRE-001',
  }),
  presentsCredential({ headers: 'RPC-CRE-005', mutual: 'RPC-SEC-002' }),
  test<CreatorFixture>('Each report is sent by POST [base]/MeasureReport (a FHIR create)', {
    requirements: 'RPC-CRE-002',
    negativeControl: 'put-without-id',
    description: 'LAB-90 is a FHIR create; a PUT at [base]/MeasureReport/[id] is a warning and a PUT without an id a failure (digest B1).',
    run(t) {
      const sent = submissions(sendsOf(t)).filter((s) => bodyOf(s)?.resourceType === 'MeasureReport');
      if (sent.length === 0) return t.skip('the creator sent no MeasureReport to judge');
      t.expectEvery(sent, (s) => s.kind !== 'update-without-id', 'no report went by PUT [base]/MeasureReport without an id (not a FHIR interaction)', { show: (s) => s.line });
      t.expectEvery(sent, (s) => s.kind === 'create' || s.kind === 'update' || s.kind === 'update-without-id', 'every report went to [base]/MeasureReport', { show: (s) => s.line });
      const updates = sent.filter((s) => s.kind === 'update');
      t.warnUnless(
        updates.length === 0,
        updates.length
          ? `${updates.length} report(s) went by PUT at an id (${updates
              .slice(0, 5)
              .map((s) => s.line)
              .join('; ')}); expected POST, a create`
          : `every report (${sent.length}) went by POST`,
      );
    },
  }),
  fhirMediaTypes('RPC-CRE-004', 'wrong-content-type'),
  test<CreatorFixture>('Every body is one MeasureReport that conforms to the RPC MeasureReport rules', {
    requirements: ['RPC-CRE-006', 'RPC-MR-001', 'RPC-MR-003', 'RPC-MR-004', 'RPC-MR-005', 'RPC-MR-006', 'RPC-MR-007', 'RPC-MR-008', 'RPC-MR-009'],
    negativeControl: 'invalid-report',
    async run(t) {
      registerRpcProfiles();
      const sent = submissions(sendsOf(t));
      if (sent.length === 0) return t.skip('the creator sent nothing to judge');
      t.expectEvery(sent, (s) => bodyOf(s)?.resourceType === 'MeasureReport', 'every body is a single MeasureReport', {
        requirement: 'RPC-CRE-006',
        show: (s) => `${s.line} carries ${bodyOf(s) ? `a ${bodyOf(s)!.resourceType}` : 'no FHIR resource'}`,
      });
      t.note(`rule set: rpc-lab-90-text (${RPC_MEASURE_REPORT}), written from the LAB-90 text since its Section 8.2 does not exist (digest B5)`);
      for (const r of reportsSent(sent))
        await t.validate(r, { profiles: [RPC_MEASURE_REPORT], subject: `MeasureReport/${r.id ?? '(no id)'} against ${RPC_MEASURE_REPORT}`, requirement: t.requirements });
    },
  }),
  test<CreatorFixture>('Every report is about a Patient or a Group', {
    requirements: 'RPC-MR-002',
    negativeControl: 'location-subject',
    description: "Told by the reference's type prefix or the contained resource it points at; a subject whose type cannot be told is a warning (digest B6).",
    run(t) {
      const reports = reportsSent(submissions(sendsOf(t)));
      const kinds = reports.map((r) => ({ id: r.id ?? '(no id)', kind: subjectKind(r) }));
      t.note(`subjects: ${kinds.map((k) => `${k.id} ${k.kind}`).join(', ') || 'none'}`);
      t.expectEvery(kinds, (k) => k.kind !== 'other', 'no subject refers to anything but a Patient or a Group', { show: (k) => `MeasureReport/${k.id}` });
      const unknown = kinds.filter((k) => k.kind === 'unknown');
      if (kinds.length)
        t.warnUnless(
          unknown.length === 0,
          unknown.length
            ? `the subject type of ${unknown.map((k) => `MeasureReport/${k.id}`).join(', ')} cannot be told; expected a Patient or Group reference`
            : 'the type of every subject can be told',
        );
    },
  }),
  test<CreatorFixture>('Every report names the configured RPC Measure', {
    requirements: 'RPC-CRE-007',
    negativeControl: 'wrong-measure',
    description:
      "The Measure is config `sut.measure`. The RPC IG publishes no Measure canonical, so the default is the project's own RPC Measure (fixtures/rpc), which every RPC fixture reports on; its codes are judged by the next test.",
    run(t) {
      const measure = t.config.measure ?? measureOf('rpc');
      t.note(
        t.config.measure
          ? `the Measure is ${measure} (sut.measure)`
          : `the Measure is ${measure}, the project's own RPC Measure, since the RPC IG publishes no Measure canonical (set sut.measure to the one your Creator reports on)`,
      );
      const reports = reportsSent(submissions(sendsOf(t)));
      t.expectEvery(reports, (r) => r.measure === measure, `every MeasureReport.measure is ${measure}`, { show: (r) => `MeasureReport/${r.id ?? '(no id)'} names ${r.measure}` });
    },
  }),
  codesOfTheMeasure('RPC-CRE-007'),
  httpsEndpoint({ https: 'RPC-CRE-003', requirements: ['RPC-CRE-003', 'RPC-SEC-001'] }),
  follows303('RPC-CRE-009'),
  reportsErrors('RPC-CRE-008'),
];

export default defineSuite<CreatorFixture>({
  id: 'rpc/send-concordance-report/content-creator',
  title: 'IHE RPC Send Concordance Report [LAB-90]: Content Creator (client)',
  actorUnderTest: 'RpcContentCreator' satisfies ActorId,
  role: 'client',
  capabilities: [RPC_CONTENT_CREATOR],
  simulator: RPC_CONSUMER_SIMULATOR,
  simulatorOptions: { async: '303' },
  setup: (env) => recordCreator(env, { trigger: TRIGGER, actor: 'RPC Content Creator', asks: ASKS, simulator: RPC_CONSUMER_SIMULATOR, also303: false }),
  tests,
});
