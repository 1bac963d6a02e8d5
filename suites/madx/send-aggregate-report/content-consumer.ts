/**
 * IHE mADX Send Aggregate Report [QRPH-58], the Content Consumer as server: the harness is the
 * Content Creator. It PUTs valid reports (JSON and XML) and a collection Bundle, one invalid report
 * per content rule and one request per row of the response-code table, and judges codes and
 * OperationOutcomes. Reports are held to the 3.0.0 trial-implementation rule set (digest A9), the
 * one the reference Consumer runs by default; its answers name the rule set.
 */
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { ATTESTED_FALSE, defineSuite, test } from '../../../src/engine/index.js';
import { MADX_CONTENT_CONSUMER, MADX_VALIDATE_OPTION } from '../../../ig/madx/capabilities.js';
import { entriesNamed, INVALID_ENTRIES, sendInvalidBundle, withFreshIds } from './consumer-bundles.js';
import {
  discover, expectRefused, finalAnswer, FORMATS, freshId, isIssueType, judgeTransport, MEDIA, notHeld, outcomeOf, readsBack, sendFixture, sendText,
  type ConsumerContext, type ConsumerFixture,
} from '../../ihe-content/consumer-checks.js';
import type { ActorId } from '../../../ig/actors.js';

const RULE_SET = 'trial-implementation (mADX 3.0.0)';
const VALID = ['measurereport-valid.json', 'measurereport-valid-improvement-notation.json', 'measurereport-valid-no-stratifier.json'];
/** Fixtures breaking a base R4 rule (A8: 400 or 422) rather than an mADX-only one (422). */
const BASE_R4 = new Set(['measurereport-invalid-stratum-value-and-component.json', 'measurereport-invalid-data-collection.json', 'measurereport-invalid-stratifier-without-stratum.json']);
const INVALID = [
  'measurereport-invalid-missing-subject.json', 'measurereport-invalid-no-group.json', 'measurereport-invalid-group-code-without-code.json',
  'measurereport-invalid-population-without-count.json', 'measurereport-invalid-improvement-notation.json',
  'measurereport-invalid-stratum-without-score.json', 'measurereport-invalid-stratum-value-not-component.json', ...BASE_R4,
];

function report(file: string, id: string): MeasureReport {
  return { ...sendFixture<MeasureReport>('madx', file), id };
}

/** PUT [base]/MeasureReport/[id] and its final answer (after 202 polling or a 303). */
async function put(t: ConsumerContext, body: MeasureReport, requirement: string, format: 'json' | 'xml' = 'json') {
  const first = await t.sut.update(body, { format });
  return t.require(await finalAnswer(t, first, requirement), `PUT MeasureReport/${body.id} reached a final answer`, { requirement });
}

const acceptance = [
  test<ConsumerFixture>('valid reports sent by PUT are accepted with 200 or 201 and read back, in JSON and XML', {
    requirements: ['MADX-CON-001', 'MADX-CON-002', 'MADX-CON-004', 'MADX-CON-010', 'MADX-CON-024', 'MADX-CON-026'],
    negativeControl: 'wrong-success-code',
    description: `Each valid fixture (with and without improvementNotation and stratifiers) goes to a new id and then again to the same id, so both the create (201, or 200 — A2) and the update (200) answers are seen. A Consumer that does not let clients choose ids may answer the first PUT 405 (MADX-CON-010). Rule set: ${RULE_SET}.`,
    async run(t) {
      for (const format of FORMATS) {
        for (const file of VALID) {
          const id = freshId('madx');
          const created = await put(t, report(file, id), 'MADX-CON-002', format);
          if (created.status === 405) {
            expectRefused(t, created, `PUT of a new id MeasureReport/${id}`, { status: [405], requirement: 'MADX-CON-010', outcome: 'MADX-CON-010' });
            t.skip('the Consumer does not let clients choose ids (405): mADX sends by PUT at the report id, so no report can be delivered to it');
          }
          t.expect([200, 201].includes(created.status), `${file} PUT in ${format.toUpperCase()} to a new id answered ${created.status} (200 or 201)`, { requirement: file === VALID[0] ? 'MADX-CON-001' : 'MADX-CON-024' });
          t.expect(created.status !== 415, `${format.toUpperCase()} labelled ${MEDIA[format]} was processed`, { requirement: 'MADX-CON-004' });
          const again = await put(t, report(file, id), 'MADX-CON-002', format);
          t.expect(again.status === 200, `the same report PUT again at MeasureReport/${id} answered ${again.status} (200: updated)`, { requirement: 'MADX-CON-001' });
          await readsBack(t, id, 'MADX-CON-001', (r) => r.resourceType === 'MeasureReport' && r.id === id, 'the accepted report is held');
        }
      }
      // The same report from another facility of the directory: its contained subject and reporter renamed throughout.
      const other = { ...(JSON.parse(sendText('madx', VALID[0]!).replaceAll('HealthPost1', 'HealthPost4')) as MeasureReport), id: freshId('madx-other') };
      const res = await put(t, other, 'MADX-CON-026');
      t.expect([200, 201].includes(res.status), `a report of another subject and reporter answered ${res.status}`, { requirement: 'MADX-CON-026' });
    },
  }),
  test<ConsumerFixture>('an unknown request parameter does not break a valid submission', {
    requirements: 'MADX-CON-025',
    negativeControl: 'wrong-success-code',
    async run(t) {
      const id = freshId('madx');
      const res = await t.sut.update(report(VALID[0]!, id), { query: { 'x-measure-conformance-probe': 'ignored' } });
      const final = await finalAnswer(t, res, 'MADX-CON-025');
      t.expect(final && [200, 201].includes(final.status), `PUT MeasureReport/${id}?x-measure-conformance-probe=ignored answered ${final?.status ?? 'nothing final'}`, { requirement: 'MADX-CON-025' });
    },
  }),
  test<ConsumerFixture>('a collection Bundle of valid reports is accepted and every report held', {
    requirements: 'MADX-CON-023',
    negativeControl: 'wrong-success-code',
    description: 'POST [base] with a Bundle of type collection (A3: no URL is given; [base]/Bundle is the other form the digest names). 200 is the table\'s success code; 201 is taken too.',
    async run(t) {
      const { bundle, ids } = withFreshIds(sendFixture<Bundle>('madx', 'bundle-valid.json'));
      const first = await t.sut.request('POST', '', { body: JSON.stringify(bundle), headers: { 'content-type': MEDIA.json, accept: MEDIA.json } });
      const res = t.require(await finalAnswer(t, first, 'MADX-CON-023'), 'the Bundle reached a final answer', { requirement: 'MADX-CON-023' });
      t.expect([200, 201].includes(res.status), `POST [base] with a collection Bundle of ${ids.length} valid reports answered ${res.status}`, { requirement: 'MADX-CON-023' });
      for (const id of ids) await readsBack(t, id, 'MADX-CON-023', (r) => r.id === id, 'the report of the Bundle is held');
    },
  }),
];

const rejections = [
  test<ConsumerFixture>('one invalid report per content rule is refused with 422 and a fatal OperationOutcome locating the MeasureReport', {
    requirements: ['MADX-CON-006', 'MADX-CON-013', 'MADX-CON-014', 'MADX-CON-016', 'MADX-CON-017', 'MADX-CON-018'],
    negativeControl: 'skip-profile-validation',
    description: `One fixture per mADX rule (${RULE_SET}). Fixtures breaking base R4 too (mrp-1 data-collection, mrp-2 value and component, an empty stratifier) may get 400 (A8), whose issues need not be fatal; a body that does not parse gets 400.`,
    async run(t) {
      const broken = await t.sut.request('PUT', 'MeasureReport/madx-art-healthpost1-2025-01', { body: sendText('madx', 'measurereport-invalid-broken.json'), headers: { 'content-type': MEDIA.json, accept: MEDIA.json } });
      expectRefused(t, broken, 'PUT of JSON that does not parse', { status: [400], requirement: 'MADX-CON-006', outcome: 'MADX-CON-006' });
      for (const [i, file] of INVALID.entries()) {
        const id = freshId('madx-invalid');
        const format = i === 0 ? 'xml' : 'json';
        const res = await put(t, report(file, id), 'MADX-CON-013', format);
        const base = BASE_R4.has(file);
        const outcome = expectRefused(t, res, `${file} (${format.toUpperCase()})`, { status: base ? [400, 422] : [422], requirement: 'MADX-CON-013', outcome: 'MADX-CON-014' });
        if (!outcome) continue;
        const issues = outcome.issue ?? [];
        t.expect(issues.some((x) => (x.expression ?? []).some((e) => e === 'MeasureReport' || e.startsWith('MeasureReport.'))), `${file}: an issue.expression locates the MeasureReport`, { requirement: 'MADX-CON-016' });
        if (res.status === 422) t.expect(issues.some((x) => x.severity === 'fatal'), `${file}: issue severities ${issues.map((x) => x.severity).join(', ')} (fatal expected)`, { requirement: 'MADX-CON-017' });
        t.expectEvery(issues, (x) => isIssueType(x.code), `${file}: every issue.code is an IssueType code (${issues.map((x) => x.code).join(', ')})`, { requirement: 'MADX-CON-018' });
      }
    },
  }),
  test<ConsumerFixture>('a collection Bundle with invalid entries is refused whole with 422, one OperationOutcome per invalid report', {
    requirements: ['MADX-CON-013', 'MADX-CON-014', 'MADX-CON-015', 'MADX-CON-018'],
    negativeControl: 'bundle-accept-partial',
    description: 'Entries 0 and 2 break mADX rules, entry 1 is valid. The answer is a Bundle of OperationOutcomes; one OperationOutcome with an issue per invalid entry is the A4 form, a warning. Nothing of the Bundle may be held (the digest\'s default: the whole Bundle refused).',
    async run(t) {
      const answer = await sendInvalidBundle(t, 'MADX-CON-015');
      t.expect(answer.res.status === 422, `the Bundle with 2 invalid entries answered ${answer.res.status} (422)`, { requirement: 'MADX-CON-013' });
      t.require(answer.outcomes.length > 0, `the 422 answer carries OperationOutcomes (${answer.outcomes.length})`, { requirement: 'MADX-CON-014' });
      if (answer.single) {
        t.warnUnless(false, 'the answer is one OperationOutcome, not one per invalid report (the A4 form)', { requirement: 'MADX-CON-015' });
        t.expectEqual([...entriesNamed(answer.outcomes[0]!.issue ?? [])].sort(), [...INVALID_ENTRIES], 'its issues name exactly the invalid entries', { requirement: 'MADX-CON-015' });
      } else {
        t.expectEqual(answer.outcomes.length, INVALID_ENTRIES.length, `one OperationOutcome per invalid report`, { requirement: 'MADX-CON-015' });
        const named = answer.outcomes.map((o) => [...entriesNamed(o.issue ?? [])]);
        t.expect(!named.some((n) => n.includes(1)), `no OperationOutcome names the valid entry 1 (named: ${JSON.stringify(named)})`, { requirement: 'MADX-CON-015' });
      }
      const issues = answer.outcomes.flatMap((o) => o.issue ?? []);
      t.expectEvery(issues, (x) => isIssueType(x.code), 'every issue.code is an IssueType code', { requirement: 'MADX-CON-018' });
      await notHeld(t, answer.ids[1]!, 'MADX-CON-013', 'the valid entry of a refused Bundle must not be held');
    },
  }),
  test<ConsumerFixture>('each OperationOutcome of an invalid Bundle locates its report as Bundle.entry[i].resource', {
    requirements: 'MADX-CON-016',
    negativeControl: 'bundle-issue-without-expression',
    async run(t) {
      const answer = await sendInvalidBundle(t, 'MADX-CON-016');
      t.require(answer.outcomes.length > 0, `the answer (${answer.res.status}) carries OperationOutcomes`, { requirement: 'MADX-CON-016' });
      const named = [...new Set(answer.outcomes.flatMap((o) => [...entriesNamed(o.issue ?? [])]))].sort();
      t.expectEqual(named, [...INVALID_ENTRIES], 'issue.expression names Bundle.entry[0].resource and Bundle.entry[2].resource', { requirement: 'MADX-CON-016' });
      if (!answer.single) t.expectEvery(answer.outcomes, (o) => entriesNamed(o.issue ?? []).size === 1, 'each OperationOutcome locates exactly one entry', { requirement: 'MADX-CON-016' });
    },
  }),
  test<ConsumerFixture>('each issue about an invalid Bundle entry has severity fatal', {
    requirements: 'MADX-CON-017',
    negativeControl: 'bundle-severity-error',
    description: 'QRPH-58 says the "expression" is set to fatal, an evident slip for severity (the 3.0.0-comment text says severity).',
    async run(t) {
      const answer = await sendInvalidBundle(t, 'MADX-CON-017');
      const issues = answer.outcomes.flatMap((o) => o.issue ?? []).filter((i) => entriesNamed([i]).size > 0);
      t.require(issues.length > 0, `the answer (${answer.res.status}) has issues locating entries`, { requirement: 'MADX-CON-017' });
      t.expectEvery(issues, (i) => i.severity === 'fatal', `issue severities are fatal (${issues.map((i) => i.severity).join(', ')})`, { requirement: 'MADX-CON-017' });
    },
  }),
  test<ConsumerFixture>('a report labelled text/plain is refused with 415', {
    requirements: ['MADX-CON-005', 'MADX-CON-019'],
    negativeControl: 'accept-wrong-media-type',
    description: 'application/json is neither allowed nor forbidden (A5), so it is only noted.',
    async run(t) {
      const id = freshId('madx');
      const res = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(report(VALID[0]!, id)), headers: { 'content-type': 'text/plain', accept: MEDIA.json } });
      expectRefused(t, res, 'PUT of a JSON report labelled text/plain', { status: [415], requirement: 'MADX-CON-005', outcome: 'MADX-CON-019' });
      const plain = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(report(VALID[0]!, id)), headers: { 'content-type': 'application/json', accept: MEDIA.json } });
      t.note(`labelled application/json the report was answered ${plain.status} (A5: accepting it or 415 are both acceptable)`);
    },
  }),
  test<ConsumerFixture>('the table\'s other rows: 400 for a body id unlike the URL, 404 for an unserved type, 501 for an unimplemented method', {
    requirements: ['MADX-CON-002', 'MADX-CON-007', 'MADX-CON-009', 'MADX-CON-012', 'MADX-SEC-003'],
    negativeControl: 'no-501',
    description: 'DELETE and PATCH are outside Send Aggregate Report: 501, or 405 (FHIR), is taken and the report says which. An XML body with a DTD declaring an entity is refused with 400 and not expanded (RFC 7303 caution, a SHOULD).',
    async run(t) {
      const id = freshId('madx');
      const mismatch = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(report(VALID[0]!, `${id}-other`)), headers: { 'content-type': MEDIA.json, accept: MEDIA.json } });
      expectRefused(t, mismatch, `PUT MeasureReport/${id} with body id ${id}-other`, { status: [400], requirement: 'MADX-CON-007', outcome: 'MADX-CON-007' });
      const { id: _drop, ...noId } = report(VALID[0]!, id);
      const missing = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(noId), headers: { 'content-type': MEDIA.json, accept: MEDIA.json } });
      expectRefused(t, missing, `PUT MeasureReport/${id} with a body without id`, { status: [400], requirement: 'MADX-CON-007', outcome: 'MADX-CON-007' });
      const observation = await t.sut.request('PUT', `Observation/${id}`, { body: JSON.stringify({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' } }), headers: { 'content-type': MEDIA.json, accept: MEDIA.json } });
      expectRefused(t, observation, `PUT Observation/${id}`, { status: [404], requirement: 'MADX-CON-009', outcome: 'MADX-CON-009' });
      for (const method of ['DELETE', 'PATCH']) {
        const res = await t.sut.request(method, `MeasureReport/${id}`, { ...(method === 'PATCH' ? { body: '[]' } : {}), headers: { 'content-type': 'application/json-patch+json', accept: MEDIA.json } });
        t.expect([501, 405].includes(res.status), `${method} MeasureReport/${id} answered ${res.status} (501, or 405)`, { requirement: 'MADX-CON-012' });
        if (res.status === 405) t.note(`${method} answered 405 rather than the table's 501`);
      }
      const dtd = '<?xml version="1.0"?><!DOCTYPE MeasureReport [<!ENTITY probe "expanded-entity">]><MeasureReport xmlns="http://hl7.org/fhir"><id value="' + id + '"/><status value="complete"/><type value="summary"/><measure value="&probe;"/></MeasureReport>';
      const xml = await t.sut.request('PUT', `MeasureReport/${id}`, { body: dtd, headers: { 'content-type': MEDIA.xml, accept: MEDIA.json } });
      t.expect(xml.status === 400 && !xml.text.includes('expanded-entity'), `an XML body with a DTD answered ${xml.status}${xml.text.includes('expanded-entity') ? ' and echoed the expanded entity' : ''} (400, not expanded)`, { requirement: 'MADX-SEC-003' });
      t.expectEvery([mismatch, missing, observation, xml], (r) => r.status > 0, 'every request got an HTTP status code', { requirement: 'MADX-CON-002' });
    },
  }),
  test<ConsumerFixture>('an update with a stale If-Match is refused with 412 (409 taken)', {
    requirements: 'MADX-CON-011',
    negativeControl: 'ignore-if-match',
    async run(t) {
      const id = freshId('madx');
      const first = await put(t, report(VALID[0]!, id), 'MADX-CON-011');
      t.require([200, 201].includes(first.status), `the report to work on was accepted (${first.status})`);
      const second = await put(t, report(VALID[0]!, id), 'MADX-CON-011');
      if (!second.headers['etag']) t.skip('the Consumer gives no ETag on update: it keeps no versions, so If-Match does not apply (MADX-CON-011 is conditional)');
      const stale = await t.sut.update(report(VALID[0]!, id), { headers: { 'if-match': 'W/"1"' } });
      expectRefused(t, stale, `PUT MeasureReport/${id} with If-Match W/"1" after version 2`, { status: [412, 409], requirement: 'MADX-CON-011', outcome: 'MADX-CON-011' });
    },
  }),
  test<ConsumerFixture>('a request with wrong credentials is refused with 401', {
    requirements: 'MADX-CON-008',
    negativeControl: 'auth-403',
    description: 'Sent with a bearer token no Consumer issues. A Consumer that takes it requires no authorization, and the row does not apply: the test is skipped, saying so.',
    async run(t) {
      const id = freshId('madx');
      const res = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(report(VALID[0]!, id)), headers: { 'content-type': MEDIA.json, accept: MEDIA.json, authorization: 'Bearer measure-conformance-not-a-valid-token' } });
      const final = await finalAnswer(t, res, 'MADX-CON-008');
      if (final && final.status >= 200 && final.status < 300) t.skip(`the Consumer accepted a report with a made-up bearer token (${final.status}): it requires no authorization`);
      t.expect(res.status === 401, `the request with a made-up bearer token answered ${res.status} (401)`, { requirement: 'MADX-CON-008' });
    },
  }),
  test<ConsumerFixture>('error answers carry an OperationOutcome', {
    requirements: 'MADX-CON-019',
    negativeControl: 'operation-outcome-missing',
    async run(t) {
      const id = freshId('madx');
      const answers = [
        await t.sut.request('PUT', `MeasureReport/${id}`, { body: '{"resourceType":', headers: { 'content-type': MEDIA.json, accept: MEDIA.json } }),
        await t.sut.request('PUT', `Observation/${id}`, { body: JSON.stringify({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' } }), headers: { 'content-type': MEDIA.json, accept: MEDIA.json } }),
        await put(t, report('measurereport-invalid-no-group.json', id), 'MADX-CON-019'),
      ];
      t.expectEvery(answers, (r) => r.status >= 400 && r.status < 500 && outcomeOf(r) !== undefined, `the ${answers.map((r) => r.status).join(', ')} answers each carry an OperationOutcome`, { requirement: 'MADX-CON-019' });
    },
  }),
  test<ConsumerFixture>('asked with Prefer: respond-async, a 202 status URL is polled and a 303 followed to the final answer', {
    requirements: ['MADX-CON-002', 'MADX-CON-020', 'MADX-CON-021', 'MADX-CON-022'],
    negativeControl: 'redirect-loop',
    description: 'mADX defines no way to ask for asynchronous processing; the harness sends Prefer: respond-async (digest §6), which the reference Consumer honours. A Consumer that answers synchronously anyway skips the test: 202 and 303 are MAY. Status and result URLs may expire later (MADX-CON-022); here they are used at once.',
    async run(t) {
      const id = freshId('madx');
      const first = await t.sut.update(report(VALID[0]!, id), { headers: { prefer: 'respond-async' }, followRedirects: false });
      if (first.status !== 202 && first.status !== 303) t.skip(`the Consumer answered ${first.status} synchronously even when asked to respond asynchronously (202 and 303 are MAY)`);
      if (first.status === 202) t.expect(first.headers['content-location'] ?? first.headers['location'], `the 202 names a status URL (${first.headers['content-location'] ?? first.headers['location'] ?? 'none'})`, { requirement: 'MADX-CON-020' });
      const final = await finalAnswer(t, first, 'MADX-CON-002');
      t.expect(final && [200, 201].includes(final.status), `the asynchronous submission ended in ${final?.status ?? 'no final answer'} (200 or 201)`, { requirement: first.status === 202 ? 'MADX-CON-020' : 'MADX-CON-021' });
    },
  }),
];

/** The answer to a report only the Validate option refuses: 422, or (A7) 400/404 as a warning. */
function expectValidateRefusal(t: ConsumerContext, res: Awaited<ReturnType<typeof put>>, what: string, requirement: string) {
  if (res.status === 400 || res.status === 404) {
    t.warnUnless(false, `${what}: answered ${res.status}; QRPH-58 names 422 for a report breaking a business rule (A7 tolerates ${res.status})`, { requirement });
    return outcomeOf(res);
  }
  return expectRefused(t, res, what, { status: [422], requirement, outcome: requirement });
}

const validateOption = [
  test<ConsumerFixture>('a Consumer claiming the Validate option is grouped with the actors the option requires', {
    requirements: 'MADX-OPT-001',
    preconditions: { options: [MADX_VALIDATE_OPTION] },
    negativeControl: ATTESTED_FALSE,
    description: 'A grouping is a declaration, not an exchange: a person answers, recorded as attestations.MADX-OPT-001 in config.yaml. The option tests below show its effects on the wire.',
    run(t) {
      t.note(`the CapabilityStatement instantiates ${(t.fixture.capabilities?.instantiates ?? []).join(', ') || 'nothing'}`);
      t.attest('MADX-OPT-001', 'Is the Consumer grouped with a Content Data Structure Consumer (holding the Measures), an SVCM Terminology Consumer (holding their value sets) and an mCSD Care Services Update Consumer (holding the facilities), as the Validate mADX Message option requires?');
    },
  }),
  test<ConsumerFixture>('with the Validate option, an indicator or disaggregation value outside the Measure and its linked code sets is refused with 422 code-invalid', {
    requirements: ['MADX-OPT-002', 'MADX-OPT-004'],
    preconditions: { options: [MADX_VALIDATE_OPTION] },
    negativeControl: 'ignore-terminology',
    description: `The reports name the project's Measure (fixtures/madx) and its value sets (fixtures/madx/validate), which a Consumer claiming the option holds through its Content Data Structure Consumer and SVCM Terminology Consumer. One report has a group code the Measure does not define; the other a TBdiagnosisResult value outside the code set the Measure links to that dimension (relatedArtifact label = component code). 400 or 404 is a warning (A7); issue.code code-invalid is recommended.`,
    async run(t) {
      for (const file of ['measurereport-invalid-unknown-indicator.json', 'measurereport-invalid-unknown-disaggregation-value.json']) {
        const res = await put(t, report(file, freshId('madx-validate')), 'MADX-OPT-002');
        const outcome = expectValidateRefusal(t, res, file, 'MADX-OPT-002');
        if (outcome) t.warnUnless((outcome.issue ?? []).some((i) => i.code === 'code-invalid'), `${file}: an issue has code code-invalid (${(outcome.issue ?? []).map((i) => i.code).join(', ')})`, { requirement: 'MADX-OPT-002' });
      }
      const ok = await put(t, report(VALID[0]!, freshId('madx-validate')), 'MADX-OPT-004');
      t.expect([200, 201].includes(ok.status), `a report whose values are all in the linked code sets answered ${ok.status}`, { requirement: 'MADX-OPT-004' });
    },
  }),
  test<ConsumerFixture>('with the Validate option, a report about a facility the mCSD directory does not hold is refused with 422', {
    requirements: 'MADX-OPT-003',
    preconditions: { options: [MADX_VALIDATE_OPTION] },
    negativeControl: 'ignore-unknown-subject',
    description: 'The subject is Location/does-not-exist; the Consumer\'s mCSD Care Services Update Consumer holds the project\'s facilities (fixtures/madx/validate). 404 is tolerated as a warning (A7).',
    async run(t) {
      const res = await put(t, report('measurereport-invalid-unknown-subject.json', freshId('madx-validate')), 'MADX-OPT-003');
      expectValidateRefusal(t, res, 'a report about Location/does-not-exist', 'MADX-OPT-003');
    },
  }),
];

const declarations = [
  test<ConsumerFixture>('the Consumer endpoint is served over https', {
    requirements: ['MADX-CON-003', 'MADX-SEC-001'],
    negativeControl: 'plain-http',
    description: 'QRPH-58 requires https (2:3.58.6), with no allowance for local testing: a SUT reached over http fails. With no SUT the reference Consumer serves https with a certificate made for the run; a run asked for plain http (run --no-tls) leaves this to a person.',
    async run(t) {
      await judgeTransport(t, { https: 'MADX-CON-003' });
    },
  }),
  test<ConsumerFixture>('the Consumer requires mutual authentication', {
    requirements: 'MADX-SEC-002',
    negativeControl: ATTESTED_FALSE,
    description: 'Whether the Consumer as deployed refuses a client that does not authenticate itself is policy and configuration, not visible to a harness that authenticates: a person answers, recorded as attestations.MADX-SEC-002 in config.yaml.',
    run(t) {
      t.attest('MADX-SEC-002', 'Does the Consumer, as deployed, require mutual authentication (a TLS client certificate or another mechanism the jurisdiction approves) and refuse a client that does not present it?');
    },
  }),
  test<ConsumerFixture>('GET [base]/metadata, if offered, returns a CapabilityStatement (information only)', {
    requirements: 'MADX-CS-001',
    negativeControl: 'no-metadata',
    description: 'mADX defines no CapabilityStatement; the harness states its own requirements (IHE.mADX.ContentConsumer). A missing one is a warning at most.',
    async run(t) {
      const cs = t.fixture.capabilities;
      t.expect(cs, cs ? `the SUT describes itself (${cs.name ?? cs.title ?? 'unnamed'})` : 'GET [base]/metadata gave no CapabilityStatement', { requirement: 'MADX-CS-001' });
    },
  }),
];

export default defineSuite<ConsumerFixture>({
  id: 'madx/send-aggregate-report/content-consumer',
  title: 'IHE mADX Send Aggregate Report [QRPH-58]: Content Consumer (server)',
  actorUnderTest: 'MadxContentConsumer' satisfies ActorId,
  role: 'server',
  capabilities: [MADX_CONTENT_CONSUMER],
  options: [MADX_VALIDATE_OPTION],
  // The reference run claims the Validate option, so the reference Consumer runs with it.
  simulatorOptions: { validateMessage: true },
  setup: (s) => {
    s.note(`mADX rule set: ${RULE_SET}, the QRPH-58 transaction text's (digest A9: in 3.0.0 it and the published profile agree; the 3.0.0-comment draft differs)`);
    return discover(s);
  },
  tests: [...acceptance, ...rejections, ...validateOption, ...declarations],
});
