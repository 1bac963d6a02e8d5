/**
 * IHE PaLM RPC Send Concordance Report [LAB-90], the Content Consumer as server: the harness is the
 * Content Creator. It POSTs valid reports (a FHIR create, JSON and XML), one invalid report per
 * rule of the project's LAB-90 rule set (B5), and one request per row of the response-code table.
 * The mADX-only expectations (collection Bundle, per-report fatal outcomes) are informational (RPC-ALN-*).
 */
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { ATTESTED_FALSE, defineSuite, test } from '../../../src/engine/index.js';
import { RPC_CONTENT_CONSUMER } from '../../../ig/rpc/capabilities.js';
import {
  createdId, declares, discover, expectRefused, finalAnswer, FORMATS, freshId, isIssueType, judgeTransport, MEDIA, outcomeOf, readsBack, sendFixture, sendText,
  type ConsumerContext, type ConsumerFixture,
} from '../../ihe-content/consumer-checks.js';
import type { ActorId } from '../../../ig/actors.js';

const RULE_SET = 'rpc-lab-90-text (the project\'s rule set written from the LAB-90 element list)';
const VALID = ['measurereport-valid.json', 'measurereport-valid-group-subject.json'];
/** Fixtures breaking base R4 too (mrp-1, mrp-2): RPC tolerates 400 for them as a warning. */
const BASE_R4 = new Set(['measurereport-invalid-data-collection.json', 'measurereport-invalid-stratum-value-and-component.json']);
const INVALID = [
  'measurereport-invalid-missing-subject.json', 'measurereport-invalid-location-subject.json', 'measurereport-invalid-period-without-end.json',
  'measurereport-invalid-group-without-code.json', 'measurereport-invalid-stratum-component-not-value.json', ...BASE_R4,
];

function report(file: string): MeasureReport {
  const { id: _id, ...body } = sendFixture<MeasureReport>('rpc', file);
  return body as MeasureReport;
}

async function post(t: ConsumerContext, body: MeasureReport, requirement: string, format: 'json' | 'xml' = 'json') {
  const first = await t.sut.create(body, { format });
  return t.require(await finalAnswer(t, first, requirement), 'POST MeasureReport reached a final answer', { requirement });
}

const json = { 'content-type': MEDIA.json, accept: MEDIA.json };

const tests = [
  test<ConsumerFixture>('valid reports sent by POST are accepted with 201 or 200 and read back, in JSON and XML', {
    requirements: ['RPC-CON-001', 'RPC-CON-002', 'RPC-CON-004', 'RPC-CON-009'],
    negativeControl: 'wrong-success-code',
    description: 'FHIR create answers 201 with a Location; the RPC table names 200 (B2): both are taken. A PUT at a new id is then tried: created, or 405 from a Consumer that does not let clients choose ids (RPC-CON-009).',
    async run(t) {
      for (const format of FORMATS) {
        for (const file of VALID) {
          const res = await post(t, report(file), 'RPC-CON-002', format);
          t.expect([200, 201].includes(res.status), `${file} POSTed in ${format.toUpperCase()} answered ${res.status} (201 or 200)`, { requirement: 'RPC-CON-001' });
          t.expect(res.status !== 415, `${format.toUpperCase()} labelled ${MEDIA[format]} was processed`, { requirement: 'RPC-CON-004' });
          const id = createdId(res);
          if (id) await readsBack(t, id, 'RPC-CON-001', (r) => r.resourceType === 'MeasureReport', 'the accepted report is held');
          else t.note(`the ${res.status} answer names no id (no Location or body), so the report is not read back`);
        }
      }
      const id = freshId('rpc');
      const put = t.require(await finalAnswer(t, await t.sut.update({ ...report(VALID[0]!), id }), 'RPC-CON-002'), 'the PUT reached a final answer', { requirement: 'RPC-CON-002' });
      if (put.status === 405) expectRefused(t, put, `PUT MeasureReport/${id} at a new id`, { status: [405], requirement: 'RPC-CON-009', outcome: 'RPC-CON-009' });
      else t.expect([200, 201, 501].includes(put.status), `PUT MeasureReport/${id} at a new id answered ${put.status} (created, or 405/501 from a create-only Consumer)`, { requirement: 'RPC-CON-009' });
    },
  }),
  test<ConsumerFixture>('an unknown request parameter does not break a valid submission', {
    requirements: 'RPC-CON-017',
    negativeControl: 'wrong-success-code',
    async run(t) {
      const res = await t.sut.create(report(VALID[0]!), { query: { 'x-measure-conformance-probe': 'ignored' } });
      const final = await finalAnswer(t, res, 'RPC-CON-017');
      t.expect(final && [200, 201].includes(final.status), `POST MeasureReport?x-measure-conformance-probe=ignored answered ${final?.status ?? 'nothing final'}`, { requirement: 'RPC-CON-017' });
    },
  }),
  test<ConsumerFixture>('one invalid report per LAB-90 rule is refused with 422 and an OperationOutcome', {
    requirements: ['RPC-CON-006', 'RPC-CON-012', 'RPC-CON-013'],
    negativeControl: 'skip-profile-validation',
    description: `Rule set ${RULE_SET}. RPC asks only for "appropriate error codes": 422 is expected, 400 a warning, except for a body that does not parse (400) and reports that break base R4 too (400 or 422). The table code in the OperationOutcome is judged on the 422 answers, the ones LAB-90 rules decide; for a 400 it is noted.`,
    async run(t) {
      const broken = await t.sut.request('POST', 'MeasureReport', { body: sendText('rpc', 'measurereport-invalid-broken.json'), headers: json });
      expectRefused(t, broken, 'POST of JSON that does not parse', { status: [400], requirement: 'RPC-CON-006', outcome: 'RPC-CON-013' });
      for (const [i, file] of INVALID.entries()) {
        const format = i === 0 ? 'xml' : 'json';
        const res = await post(t, report(file), 'RPC-CON-012', format);
        const what = `${file} (${format.toUpperCase()}) answered ${res.status}`;
        if (res.status === 400 && !BASE_R4.has(file)) t.warnUnless(false, `${what}: 400 where the table names 422`, { requirement: 'RPC-CON-012' });
        else t.expect(res.status === 422 || (res.status === 400 && BASE_R4.has(file)), `${what} (422${BASE_R4.has(file) ? ' or 400' : ''})`, { requirement: 'RPC-CON-012' });
        const outcome = outcomeOf(res);
        t.expect(outcome && (outcome.issue ?? []).every((x) => isIssueType(x.code)), `${file}: an OperationOutcome with IssueType codes`, { requirement: 'RPC-CON-013' });
        const named = (outcome?.issue ?? []).some((x) => `${x.details?.text ?? ''} ${x.diagnostics ?? ''}`.includes(String(res.status)));
        if (res.status === 422) t.warnUnless(named, `${file}: the OperationOutcome names the table code 422 in details or diagnostics`, { requirement: 'RPC-CON-013' });
        else t.note(`${file}: the ${res.status} OperationOutcome ${named ? 'names' : 'does not name'} its table code`);
      }
    },
  }),
  test<ConsumerFixture>('a report labelled text/plain is refused with 415', {
    requirements: ['RPC-CON-005', 'RPC-CON-013'],
    negativeControl: 'accept-wrong-media-type',
    async run(t) {
      const res = await t.sut.request('POST', 'MeasureReport', { body: JSON.stringify(report(VALID[0]!)), headers: { 'content-type': 'text/plain', accept: MEDIA.json } });
      expectRefused(t, res, 'POST of a JSON report labelled text/plain', { status: [415], requirement: 'RPC-CON-005', outcome: 'RPC-CON-013' });
    },
  }),
  test<ConsumerFixture>('the table\'s other rows: 404 for an unserved type, 501 for an unimplemented method', {
    requirements: ['RPC-CON-002', 'RPC-CON-008', 'RPC-CON-011'],
    negativeControl: 'no-501',
    description: 'DELETE and PATCH are outside Send Concordance Report: 501, or 405 (tolerated; the report says which).',
    async run(t) {
      const observation = await t.sut.request('POST', 'Observation', { body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }), headers: json });
      expectRefused(t, observation, 'POST Observation', { status: [404], requirement: 'RPC-CON-008', outcome: 'RPC-CON-008' });
      const id = freshId('rpc');
      for (const method of ['DELETE', 'PATCH']) {
        const res = await t.sut.request(method, `MeasureReport/${id}`, { ...(method === 'PATCH' ? { body: '[]' } : {}), headers: { 'content-type': 'application/json-patch+json', accept: MEDIA.json } });
        t.expect([501, 405].includes(res.status), `${method} MeasureReport/${id} answered ${res.status} (501, or 405)`, { requirement: 'RPC-CON-011' });
        if (res.status === 405) t.note(`${method} answered 405 rather than the table's 501`);
        t.expect(res.status > 0, `${method} got an HTTP status code`, { requirement: 'RPC-CON-002' });
      }
    },
  }),
  test<ConsumerFixture>('an update with a stale If-Match is refused with 412 (409 taken)', {
    requirements: 'RPC-CON-010',
    negativeControl: 'ignore-if-match',
    async run(t) {
      const created = await post(t, report(VALID[0]!), 'RPC-CON-010');
      const id = t.require(createdId(created), `the create (${created.status}) names the new report`, { requirement: 'RPC-CON-010' });
      const update = t.require(await finalAnswer(t, await t.sut.update({ ...report(VALID[0]!), id }), 'RPC-CON-010'), 'the update reached a final answer', { requirement: 'RPC-CON-010' });
      if (![200, 201].includes(update.status) || !update.headers['etag']) t.skip(`the Consumer answered an update ${update.status}${update.headers['etag'] ? '' : ' without an ETag'}: it keeps no versions, so If-Match does not apply (RPC-CON-010 is conditional)`);
      const stale = await t.sut.update({ ...report(VALID[0]!), id }, { headers: { 'if-match': 'W/"1"' } });
      expectRefused(t, stale, `PUT MeasureReport/${id} with If-Match W/"1" after version 2`, { status: [412, 409], requirement: 'RPC-CON-010', outcome: 'RPC-CON-010' });
    },
  }),
  test<ConsumerFixture>('a request with wrong credentials is refused with 401', {
    requirements: 'RPC-CON-007',
    negativeControl: 'auth-403',
    description: 'Sent with a bearer token no Consumer issues. A Consumer that takes it requires no authorization and the row does not apply: the test is skipped, saying so.',
    async run(t) {
      const res = await t.sut.request('POST', 'MeasureReport', { body: JSON.stringify(report(VALID[0]!)), headers: { ...json, authorization: 'Bearer measure-conformance-not-a-valid-token' } });
      const final = await finalAnswer(t, res, 'RPC-CON-007');
      if (final && final.status >= 200 && final.status < 300) t.skip(`the Consumer accepted a report with a made-up bearer token (${final.status}): it requires no authorization`);
      t.expect(res.status === 401, `the request with a made-up bearer token answered ${res.status} (401)`, { requirement: 'RPC-CON-007' });
    },
  }),
  test<ConsumerFixture>('error answers carry an OperationOutcome; a rejected report is located and fatal (mADX alignment)', {
    requirements: ['RPC-CON-013', 'RPC-ALN-002'],
    negativeControl: 'operation-outcome-missing',
    async run(t) {
      const answers = [
        await t.sut.request('POST', 'MeasureReport', { body: '{"resourceType":', headers: json }),
        await t.sut.request('POST', 'Observation', { body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }), headers: json }),
        await post(t, report('measurereport-invalid-missing-subject.json'), 'RPC-CON-013'),
      ];
      t.expectEvery(answers, (r) => r.status >= 400 && outcomeOf(r) !== undefined, `the ${answers.map((r) => r.status).join(', ')} answers each carry an OperationOutcome`, { requirement: 'RPC-CON-013' });
      const issues = outcomeOf(answers[2]!)?.issue ?? [];
      t.expect(issues.some((i) => i.severity === 'fatal' && (i.expression ?? []).includes('MeasureReport')), 'informational: the rejection has a fatal issue whose expression is MeasureReport, as mADX asks', { requirement: 'RPC-ALN-002' });
    },
  }),
  test<ConsumerFixture>('the answer is synchronous; asked with Prefer: respond-async, a 202 or 303 leads to the final answer', {
    requirements: ['RPC-CON-014', 'RPC-CON-015', 'RPC-CON-016'],
    negativeControl: 'redirect-loop',
    description: 'LAB-90 expects synchronous answers (B3) yet lists 202 and 303. A plain POST is expected to be answered at once; Prefer: respond-async (the digest §6 convention) then tries the asynchronous path, skipped for a Consumer that stays synchronous.',
    async run(t) {
      const plain = await t.sut.create(report(VALID[0]!), { followRedirects: false });
      t.expect(plain.status !== 202 && plain.status !== 303, `a plain POST answered ${plain.status} synchronously`, { requirement: 'RPC-CON-014' });
      const first = await t.sut.create(report(VALID[0]!), { headers: { prefer: 'respond-async' }, followRedirects: false });
      if (first.status !== 202 && first.status !== 303) t.skip(`the Consumer answered ${first.status} synchronously even when asked to respond asynchronously (202 and 303 are MAY)`);
      const requirement = first.status === 202 ? 'RPC-CON-015' : 'RPC-CON-016';
      const final = await finalAnswer(t, first, requirement);
      t.expect(final && [200, 201].includes(final.status), `the asynchronous submission ended in ${final?.status ?? 'no final answer'} (201 or 200)`, { requirement });
    },
  }),
  test<ConsumerFixture>('a collection Bundle of RPC reports is answered with a status code (mADX alignment, informational)', {
    requirements: 'RPC-ALN-001',
    negativeControl: 'operation-outcome-missing',
    description: 'RPC defines no Bundle submission; whether it is taken is recorded, and a refusal is expected to explain itself with an OperationOutcome.',
    async run(t) {
      const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: VALID.map((f) => ({ resource: { ...report(f), id: freshId('rpc-entry') } })) };
      const res = await t.sut.request('POST', '', { body: JSON.stringify(bundle), headers: json });
      if (res.status >= 200 && res.status < 300) return t.note(`the collection Bundle was accepted (${res.status})`);
      t.note(`the collection Bundle was not accepted (${res.status}): RPC defines no Bundle submission`);
      t.expect(outcomeOf(res), `the ${res.status} refusal carries an OperationOutcome`, { requirement: 'RPC-ALN-001' });
    },
  }),
  test<ConsumerFixture>('the Consumer endpoint is served over https', {
    requirements: ['RPC-CON-003', 'RPC-SEC-001'],
    negativeControl: 'plain-http',
    description: 'LAB-90 requires https, with no allowance for local testing: a SUT reached over http fails. With no SUT the reference Consumer serves https with a certificate made for the run; a run asked for plain http (run --no-tls) leaves this to a person.',
    async run(t) {
      await judgeTransport(t, { https: 'RPC-CON-003' });
    },
  }),
  test<ConsumerFixture>('the Consumer supports mutual authentication', {
    requirements: ['RPC-SEC-002', 'RPC-ALN-003'],
    negativeControl: ATTESTED_FALSE,
    description: 'Policy and configuration, not visible to a harness that authenticates: a person answers, recorded as attestations.RPC-SEC-002 (and, for the mADX alignment, RPC-ALN-003) in config.yaml.',
    run(t) {
      t.attest('RPC-SEC-002', 'Does the Consumer, as deployed, support or require mutual authentication, such as a TLS client certificate, that a Creator can use?');
      t.attest('RPC-ALN-003', 'Does the Consumer require mutual authentication and refuse a client that does not authenticate itself, as mADX makes it?');
    },
  }),
  test<ConsumerFixture>('patient data is protected as PaLM, ATNA and IUA describe', {
    requirements: 'RPC-SEC-003',
    negativeControl: ATTESTED_FALSE,
    description: 'A documentation and deployment check: a person answers, recorded as attestations.RPC-SEC-003 in config.yaml.',
    run(t) {
      t.attest('RPC-SEC-003', 'Is the patient data in concordance reports protected as PaLM TF-1 Appendix A, ATNA and IUA describe (access control, audit, secure transport)?');
    },
  }),
  test<ConsumerFixture>('GET [base]/metadata returns a CapabilityStatement declaring MeasureReport create', {
    requirements: ['RPC-CS-001', 'RPC-CS-002', 'RPC-CS-003'],
    negativeControl: 'no-metadata',
    description: 'The IHE CapabilityStatements LAB-90 links do not exist (RPC-CS-003): CapabilityStatement.instantiates is only noted.',
    async run(t) {
      const cs = t.require(t.fixture.capabilities, 'GET [base]/metadata returned a CapabilityStatement', { requirement: 'RPC-CS-001' });
      t.expect(declares(cs, 'MeasureReport', 'create') || declares(cs, 'MeasureReport', 'update'), 'rest (mode server) lists MeasureReport with create or update', { requirement: 'RPC-CS-002' });
      t.note(`instantiates: ${(cs.instantiates ?? []).join(', ') || 'nothing'} (no IHE canonical is required)`);
    },
  }),
];

export default defineSuite<ConsumerFixture>({
  id: 'rpc/send-concordance-report/content-consumer',
  title: 'IHE RPC Send Concordance Report [LAB-90]: Content Consumer (server)',
  actorUnderTest: 'RpcContentConsumer' satisfies ActorId,
  role: 'server',
  capabilities: [RPC_CONTENT_CONSUMER],
  setup: discover,
  tests,
});
