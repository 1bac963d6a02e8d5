/**
 * IHE PaLM RPC Send Concordance Report [LAB-90], the Content Consumer as server: the harness is the
 * Content Creator. It POSTs valid reports (a FHIR create, JSON, and XML as a verdict of its own),
 * one invalid report per rule of the project's LAB-90 rule set (B5), and one request per row of the
 * response-code table. Interaction rows are decided by the interaction (status, id, the report read
 * back as sent); the per-format rows (RPC-CON-FMT-JSON, -XML) each by their own submissions. The
 * mADX-only expectations (collection Bundle, per-report fatal outcomes) are informational (RPC-ALN-*).
 * Reports follow the RPC Measure in use (config `sut.measure`, else the project's own, which the
 * harness holds; another is read from the Consumer where it serves Measure), and the Consumer is
 * held to its codes. Credentials and mutual authentication are judged on the wire as for mADX,
 * where mutual authentication is only a SHOULD.
 */
import type { Bundle, Measure, MeasureReport } from 'fhir/r4.js';
import { ATTESTED_FALSE, defineSuite, freshId, statusText, test, type FhirResponse, type SuiteEnvironment, type TestContext } from '../../../src/engine/index.js';
import { projectMeasures } from '../../../simulators/content-consumer/reference-data.js';
import { measureOf } from '../../../simulators/content-creator-client/reports.js';
import { RPC_CONTENT_CONSUMER } from '../../../ig/rpc/capabilities.js';
import {
  createdId,
  declares,
  discover,
  expectAccepted,
  expectOutcome,
  expectRefused,
  finalAnswer,
  isIssueType,
  judgeCredentials,
  judgeEntityRefused,
  judgeMutualAuthentication,
  judgeTransport,
  listsFormat,
  MEDIA,
  outcomeOf,
  readsBack,
  sendFixture,
  sendText,
  unlistedMethods,
  UNLIKELY_TYPES,
  unservedType,
  type ConsumerContext,
  type ConsumerFixture,
  type Decides,
  type Submit,
} from '../../ihe-content/consumer-checks.js';
import type { ActorId } from '../../../ig/actors.js';

const RULE_SET = "rpc-lab-90-text (the project's rule set written from the LAB-90 element list)";
const FMT_JSON = 'RPC-CON-FMT-JSON';
const FMT_XML = 'RPC-CON-FMT-XML';
const VALID = ['measurereport-valid.json', 'measurereport-valid-group-subject.json'];
/** Fixtures breaking base R4 too (mrp-1, mrp-2): RPC tolerates 400 for them as a warning. */
const BASE_R4 = new Set(['measurereport-invalid-data-collection.json', 'measurereport-invalid-stratum-value-and-component.json']);
const INVALID = [
  'measurereport-invalid-missing-subject.json',
  'measurereport-invalid-location-subject.json',
  'measurereport-invalid-period-without-end.json',
  'measurereport-invalid-group-without-code.json',
  'measurereport-invalid-stratum-component-not-value.json',
  ...BASE_R4,
];

/** The RPC Measure reports are sent on, and where the harness found its definition. */
interface MeasureInUse {
  url: string;
  /** Its definition, when the harness holds it or the Consumer serves it. */
  definition: Measure | undefined;
  /** How it was chosen and found, for notes and skips. */
  source: string;
}

interface RpcConsumerFixture extends ConsumerFixture {
  measure: MeasureInUse;
}
type Ctx = TestContext<RpcConsumerFixture>;

/** The Measure in use: config's, else the project's own; its definition from the project, else from the Consumer. */
async function measureInUse(s: SuiteEnvironment, found: ConsumerFixture): Promise<MeasureInUse> {
  const configured = s.config.measure;
  const url = configured ?? measureOf('rpc');
  const chosen = configured ? `${url} (sut.measure)` : `${url}, the project's own RPC Measure (the RPC IG publishes none; sut.measure names another)`;
  const held = projectMeasures().get(url);
  if (held) return { url, definition: held, source: `${chosen}, whose definition the harness holds` };
  if (!declares(found.capabilities, 'Measure', 'search-type'))
    return { url, definition: undefined, source: `${chosen}; the harness does not hold it and the Consumer's CapabilityStatement lists no Measure search to read it from` };
  const res = await s.sut.search('Measure', { url });
  const parsed = res.status === 200 ? res.tryResource<Bundle>() : undefined;
  const definition = parsed?.ok ? (parsed.resource.entry ?? []).map((e) => e.resource).find((r): r is Measure => r?.resourceType === 'Measure' && (r as Measure).url === url) : undefined;
  return { url, definition, source: definition ? `${chosen}, read from the Consumer (GET Measure?url=)` : `${chosen}; GET Measure?url= on the Consumer answered ${statusText(res.status)} without it` };
}

async function setup(s: SuiteEnvironment): Promise<RpcConsumerFixture> {
  const found = await discover(s);
  const measure = await measureInUse(s, found);
  s.note(`RPC Measure in use: ${measure.source}`);
  return { ...found, measure };
}

/**
 * A fixture on the Measure in use: its canonical, and in place of each group code and stratifier
 * code the fixture gives, the Measure's first group code and that group's first stratifier code
 * (RPC Measures define no populations); a code a fixture leaves out on purpose stays out. The
 * fixtures are written on the project's own Measure, and a Measure whose definition the harness
 * does not have leaves them as written.
 */
function onMeasure(body: MeasureReport, definition: Measure | undefined): MeasureReport {
  const group = definition?.group?.[0];
  if (!definition?.url || definition.url === body.measure || !group?.code) return body;
  const stratifier = group.stratifier?.[0]?.code;
  return {
    ...body,
    measure: definition.url,
    group: (body.group ?? []).map((g) => ({
      ...g,
      ...(g.code?.coding?.some((c) => c.code) ? { code: group.code! } : {}),
      ...(g.stratifier ? { stratifier: g.stratifier.map((st) => ({ ...st, ...(stratifier && st.code?.length ? { code: [stratifier] } : {}) })) } : {}),
    })),
  };
}

/** A fixture without its id (a create), on the Measure in use. */
function report(t: Ctx, file: string): MeasureReport {
  const { id: _id, ...body } = sendFixture<MeasureReport>('rpc', file);
  return onMeasure(body as MeasureReport, t.fixture.measure.definition);
}

/**
 * POST [base]/MeasureReport and its final answer; no final answer fails `requirement` and ends the
 * test. An XML body asks for a JSON answer, so only the body's format is in question.
 */
async function post(t: ConsumerContext, body: MeasureReport, requirement: Decides, format: 'json' | 'xml' = 'json'): Promise<FhirResponse> {
  const first = await t.sut.create(body, { format, ...(format === 'xml' ? { accept: MEDIA.json } : {}) });
  const final = await finalAnswer(t, first, requirement);
  return final ?? t.require(final, 'POST MeasureReport reached no final answer', { requirement });
}

const json = { 'content-type': MEDIA.json, accept: MEDIA.json };

/** POST of a valid report, with the credentials the test asks for. */
function submitValid(t: Ctx): Submit {
  const body = JSON.stringify(report(t, VALID[0]!));
  return (how) => t.sut.request('POST', 'MeasureReport', { body, headers: { ...json, ...how.headers }, ...(how.anonymous ? { anonymous: true } : {}) });
}

/** RPC-CON-012: 422 for a report breaking an RPC rule; 400 a warning, or expected too for a report breaking base R4. */
function judgeRefusal(t: ConsumerContext, res: FhirResponse, what: string, baseR4: boolean): void {
  if (res.status === 400 && !baseR4) {
    t.warnUnless(false, `${what} answered 400 Bad Request; the table names 422 Unprocessable Content for a report breaking an RPC rule (400 tolerated as a warning)`, { requirement: 'RPC-CON-012' });
    return;
  }
  const ok = res.status === 422 || (res.status === 400 && baseR4);
  t.expect(ok, `${what} answered ${statusText(res.status)}${ok ? '' : `; expected 422 Unprocessable Content${baseR4 ? ' or 400 Bad Request' : ''}`}`, { requirement: 'RPC-CON-012' });
}

/** RPC-CON-013 on one error answer: an OperationOutcome whose issue codes are IssueType codes. */
function judgeErrorOutcome(t: ConsumerContext, res: FhirResponse, what: string): void {
  const outcome = outcomeOf(res);
  if (!outcome) {
    expectOutcome(t, res, what, 'RPC-CON-013');
    return;
  }
  const codes = (outcome.issue ?? []).map((x) => x.code);
  const ok = codes.every((c) => isIssueType(c));
  t.expect(
    ok,
    ok
      ? `${what}: the ${statusText(res.status)} answer carries an OperationOutcome with IssueType codes (${codes.join(', ')})`
      : `${what}: the OperationOutcome's issue codes are ${codes.map((c) => JSON.stringify(c)).join(', ')}; expected IssueType codes`,
    { requirement: 'RPC-CON-013' },
  );
}

const tests = [
  test<RpcConsumerFixture>('valid reports sent by POST in JSON are accepted with 201 or 200 and held as sent', {
    requirements: ['RPC-CON-001', 'RPC-CON-004', FMT_JSON, 'RPC-CON-009'],
    negativeControl: 'wrong-success-code',
    referenceGaps: { 'RPC-CON-009': 'the reference Consumer lets clients choose ids (a PUT of a new id creates it), so the 405 row never arises' },
    description:
      'FHIR create answers 201 with a Location; the RPC table names 200 (B2): both are taken. Each report is read back at the id the answer names and compared with what was sent (status, type, measure, period, groups) where the Consumer offers MeasureReport read. A PUT at a new id is then tried: created, or 405 from a Consumer that does not let clients choose ids (RPC-CON-009). XML is judged by a test of its own.',
    async run(t) {
      const decides = ['RPC-CON-001', FMT_JSON, 'RPC-CON-004'];
      for (const file of VALID) {
        const sent = report(t, file);
        const res = await post(t, sent, decides);
        if (!expectAccepted(t, res, `${file} POSTed in JSON to MeasureReport`, decides)) continue;
        const id = createdId(res);
        if (id) await readsBack(t, id, sent, decides);
        else t.note(`the ${statusText(res.status)} answer names no id (no Location, no body), so the report is not read back`);
      }
      const id = freshId('rpc');
      const put = await finalAnswer(t, await t.sut.update({ ...report(t, VALID[0]!), id }), 'RPC-CON-009');
      if (!put) return;
      if (put.status === 405) expectRefused(t, put, `PUT of the new id MeasureReport/${id}`, { status: [405], requirement: 'RPC-CON-009' });
      else if (put.status === 200 || put.status === 201)
        t.undecided('RPC-CON-009', `the Consumer lets clients choose ids (PUT of the new id MeasureReport/${id} answered ${statusText(put.status)}): the 405 row applies only to one that does not`);
      else if (put.status === 501) t.undecided('RPC-CON-009', `the Consumer does not take PUT (PUT MeasureReport/${id} answered 501 Not Implemented): the 405 row applies only to one that does`);
      else
        t.expect(
          false,
          `PUT of the new id MeasureReport/${id} answered ${statusText(put.status)}; expected 201 Created or 200 OK (created), or 405 Method Not Allowed from a Consumer that does not let clients choose ids`,
          { requirement: 'RPC-CON-009' },
        );
    },
  }),
  test<RpcConsumerFixture>('a valid report sent by POST in XML is processed: accepted with 201 or 200 and held as sent', {
    requirements: [FMT_XML, 'RPC-CON-004', 'RPC-CON-001', 'RPC-CON-012'],
    negativeControl: 'xml-bodies-400',
    description:
      "The body is XML (Content-Type application/fhir+xml); the answer is asked in JSON, so only the body's format is in question. Processed means accepted and held as sent (read back), not merely not refused with 415 (the LAB-90 message semantics let the Creator choose XML). Where the CapabilityStatement lists XML the Consumer says it serves it, so the create (RPC-CON-001) and the 422 for an invalid report (RPC-CON-012) are decided in XML as well; else they are decided in JSON only.",
    async run(t) {
      const cs = t.fixture.capabilities;
      const servesXml = listsFormat(cs, 'xml');
      const decides = servesXml ? [FMT_XML, 'RPC-CON-004', 'RPC-CON-001'] : [FMT_XML, 'RPC-CON-004'];
      if (!servesXml) {
        const why = cs ? `the CapabilityStatement lists the formats ${(cs.format ?? []).join(', ') || '(none)'}, not XML` : 'there is no CapabilityStatement to say the Consumer serves XML';
        t.undecided(['RPC-CON-001', 'RPC-CON-012'], `${why}: the create and its refusals are decided in JSON`);
      }
      const sent = report(t, VALID[0]!);
      const res = await post(t, sent, decides, 'xml');
      if (expectAccepted(t, res, `${VALID[0]} POSTed in XML to MeasureReport`, decides)) {
        const id = createdId(res);
        if (id) await readsBack(t, id, sent, decides);
        else t.note(`the ${statusText(res.status)} answer names no id (no Location, no body), so the report is not read back`);
      }
      if (!servesXml) return;
      const bad = await post(t, report(t, 'measurereport-invalid-missing-subject.json'), 'RPC-CON-012', 'xml');
      judgeRefusal(t, bad, 'an RPC report without subject POSTed in XML', false);
    },
  }),
  test<RpcConsumerFixture>('an unknown request parameter does not break a valid submission', {
    requirements: 'RPC-CON-017',
    negativeControl: 'wrong-success-code',
    async run(t) {
      const res = await t.sut.create(report(t, VALID[0]!), { query: { 'x-measure-conformance-probe': 'ignored' } });
      const final = await finalAnswer(t, res, 'RPC-CON-017');
      if (final) expectAccepted(t, final, 'POST MeasureReport?x-measure-conformance-probe=ignored', 'RPC-CON-017');
    },
  }),
  test<RpcConsumerFixture>('one invalid report per LAB-90 rule is refused with 422 and an OperationOutcome', {
    requirements: ['RPC-CON-006', 'RPC-CON-012', 'RPC-CON-013'],
    negativeControl: 'skip-profile-validation',
    description: `Rule set ${RULE_SET}, each report in JSON (XML is judged by its own test). RPC asks only for "appropriate error codes": 422 is expected, 400 a warning, except for a body that does not parse (400) and reports that break base R4 too (400 or 422). The OperationOutcome is judged on the error answers; the table code in it on the 422 answers, the ones LAB-90 rules decide (for a 400 it is noted).`,
    async run(t) {
      const broken = await t.sut.request('POST', 'MeasureReport', { body: sendText('rpc', 'measurereport-invalid-broken.json'), headers: json });
      expectRefused(t, broken, 'POST MeasureReport with JSON that does not parse', { status: [400], requirement: 'RPC-CON-006', outcome: 'RPC-CON-013' });
      const taken: number[] = [];
      for (const file of INVALID) {
        const res = await post(t, report(t, file), 'RPC-CON-012');
        judgeRefusal(t, res, `${file} POSTed to MeasureReport`, BASE_R4.has(file));
        if (res.status < 400) {
          taken.push(res.status);
          continue;
        }
        judgeErrorOutcome(t, res, file);
        const outcome = outcomeOf(res);
        const named = (outcome?.issue ?? []).some((x) => `${x.details?.text ?? ''} ${x.diagnostics ?? ''}`.includes(String(res.status)));
        if (res.status === 422 && outcome)
          t.warnUnless(
            named,
            named
              ? `${file}: the OperationOutcome names the table code 422 in details or diagnostics`
              : `${file}: the OperationOutcome names no table code; expected 422 in issue.details.text or diagnostics`,
            { requirement: 'RPC-CON-013' },
          );
        else if (outcome) t.note(`${file}: the ${statusText(res.status)} OperationOutcome ${named ? 'names' : 'does not name'} its table code`);
      }
      if (taken.length === INVALID.length && broken.status < 400)
        t.undecided(
          'RPC-CON-013',
          `no request was refused (the ${INVALID.length} invalid reports answered ${[...new Set(taken)].map(statusText).join(', ')}, the broken body ${statusText(broken.status)}), so there is no error answer to judge`,
        );
    },
  }),
  test<RpcConsumerFixture>('a report labelled text/plain is refused with 415', {
    requirements: ['RPC-CON-005', 'RPC-CON-013'],
    negativeControl: 'accept-wrong-media-type',
    async run(t) {
      const res = await t.sut.request('POST', 'MeasureReport', { body: JSON.stringify(report(t, VALID[0]!)), headers: { 'content-type': 'text/plain', accept: MEDIA.json } });
      expectRefused(t, res, 'POST MeasureReport with a JSON report labelled text/plain', { status: [415], requirement: 'RPC-CON-005', outcome: 'RPC-CON-013' });
      if (res.status < 400) t.undecided('RPC-CON-013', `the report labelled text/plain was answered ${statusText(res.status)}, not an error answer`);
    },
  }),
  test<RpcConsumerFixture>('a request for a resource type the CapabilityStatement does not list is answered 404', {
    requirements: 'RPC-CON-008',
    negativeControl: 'unserved-type-400',
    description: `LAB-90 status-code table: 404 "resource type not supported". The type asked about is the first of ${UNLIKELY_TYPES.join(', ')} that the SUT's CapabilityStatement does not list, so a Consumer that also serves other types (Observation, say) is asked only about one it says it does not serve.`,
    async run(t) {
      const { type, known } = unservedType(t.fixture.capabilities);
      if (!type) return t.skip(`the CapabilityStatement lists every type the harness would ask about (${UNLIKELY_TYPES.join(', ')})`);
      const res = await t.sut.request('POST', type, { body: JSON.stringify({ resourceType: type }), headers: json });
      if (!known && res.status >= 200 && res.status < 300)
        t.skip(`POST ${type} answered ${statusText(res.status)}: with no CapabilityStatement the harness cannot tell the Consumer does not serve ${type}`);
      expectRefused(t, res, `POST ${type} (a type ${known ? 'the CapabilityStatement does not list' : 'no measure exchange uses'})`, { status: [404], requirement: 'RPC-CON-008' });
    },
  }),
  test<RpcConsumerFixture>('a method the CapabilityStatement does not list is answered 501 (405 tolerated), on a report this run created', {
    requirements: 'RPC-CON-011',
    negativeControl: 'no-501',
    description:
      'LAB-90 status-code table: 501 "method not implemented". DELETE and PATCH are outside Send Concordance Report; each one the CapabilityStatement does not list for MeasureReport is sent to a report this run just created (on an id never created, 404 would be the right answer). 405 is tolerated and the report says which.',
    async run(t) {
      const cs = t.fixture.capabilities;
      const methods = unlistedMethods(cs, 'MeasureReport');
      if (methods.length === 0) t.skip('the CapabilityStatement lists both delete and patch for MeasureReport: no method the harness would try is unimplemented');
      const created = await post(t, report(t, VALID[0]!), 'RPC-CON-011');
      const id = created.status === 200 || created.status === 201 ? createdId(created) : undefined;
      if (!id)
        t.skip(
          `the report to try the methods on was ${created.status === 200 || created.status === 201 ? `accepted (${statusText(created.status)}) without naming its id` : `not accepted (${statusText(created.status)})`}: unlisted methods are tried only on a report this run created`,
        );
      for (const method of methods) {
        const res = await t.sut.request(method, `MeasureReport/${id}`, {
          ...(method === 'PATCH' ? { body: '[]' } : {}),
          headers: { 'content-type': 'application/json-patch+json', accept: MEDIA.json },
        });
        if (!cs && res.status >= 200 && res.status < 300) {
          t.undecided('RPC-CON-011', `${method} MeasureReport/${id} answered ${statusText(res.status)}: with no CapabilityStatement the harness cannot tell the Consumer does not implement ${method}`);
          continue;
        }
        const ok = res.status === 501 || res.status === 405;
        t.expect(
          ok,
          `${method} MeasureReport/${id}${cs ? ` (${method.toLowerCase()} not listed in the CapabilityStatement)` : ''} answered ${statusText(res.status)}${ok ? '' : '; expected 501 Not Implemented (or 405 Method Not Allowed)'}`,
        );
        if (res.status === 405) t.note(`${method} answered 405 rather than the table's 501`);
      }
    },
  }),
  test<RpcConsumerFixture>('an update with a stale If-Match is refused with 412 (409 taken)', {
    requirements: 'RPC-CON-010',
    negativeControl: 'ignore-if-match',
    async run(t) {
      const created = await post(t, report(t, VALID[0]!), 'RPC-CON-010');
      const id = created.status === 200 || created.status === 201 ? createdId(created) : undefined;
      if (!id)
        t.skip(
          `the report to work on was ${created.status === 200 || created.status === 201 ? `accepted (${statusText(created.status)}) without naming its id` : `not accepted (${statusText(created.status)})`}, so If-Match cannot be tried`,
        );
      const update = await finalAnswer(t, await t.sut.update({ ...report(t, VALID[0]!), id }), 'RPC-CON-010');
      if (!update) return;
      if ((update.status !== 200 && update.status !== 201) || !update.headers['etag'])
        t.skip(
          `the Consumer answered an update ${statusText(update.status)}${update.headers['etag'] ? '' : ' without an ETag'}: it keeps no versions, so If-Match does not apply (RPC-CON-010 is conditional)`,
        );
      const stale = await t.sut.update({ ...report(t, VALID[0]!), id }, { headers: { 'if-match': 'W/"1"' } });
      expectRefused(t, stale, `PUT MeasureReport/${id} with If-Match W/"1" after ETag ${update.headers['etag']}`, { status: [412, 409], requirement: 'RPC-CON-010' });
    },
  }),
  test<RpcConsumerFixture>('a request with no credential, or a wrong one, is refused with 401 and an OperationOutcome', {
    requirements: ['RPC-CON-007', 'RPC-CON-013'],
    negativeControl: 'auth-403',
    description:
      'With credentials configured (sut.auth, or the client certificate of sut.tls; with no SUT, the bearer token the reference Consumer demands of the run), the same valid report is POSTed once with no credential and no client certificate and once with a wrong credential of the kind configured: each is refused with 401 and an OperationOutcome, a report taken failing. With none configured, a made-up bearer token that is taken shows the Consumer requires no authorization, and the row does not apply (its mutual authentication is judged by its own test).',
    async run(t) {
      await judgeCredentials(t, submitValid(t), { refused: 'RPC-CON-007', outcome: 'RPC-CON-013', mutual: 'RPC-SEC-002' });
    },
  }),
  test<RpcConsumerFixture>('a report whose group or stratifier code the RPC Measure does not define is refused with 422', {
    requirements: 'RPC-CON-018',
    negativeControl: 'ignore-measure-codes',
    description:
      'LAB-90: the Consumer consumes the report "according to the RPC Measure". A report on the Measure in use (sut.measure, else the project\'s own) with its own group and stratifier codes is taken; the same report with a group code, and with a stratifier code, the Measure does not define is refused: 422 expected, 400 a warning (RPC only asks for "appropriate error codes"). RPC Measures define no populations.',
    async run(t) {
      const { definition, source } = t.fixture.measure;
      if (!definition) return t.skip(`the codes of the Measure in use are not known to the harness: ${source}`);
      const own = report(t, VALID[0]!);
      expectAccepted(t, await post(t, own, 'RPC-CON-018'), `a report on ${definition.url} with its own group and stratifier codes POSTed to MeasureReport`, 'RPC-CON-018');
      const foreign = { system: 'urn:measure-conformance:not-in-the-measure', code: 'not-defined-by-the-measure' };
      const variants: [string, MeasureReport][] = [
        ['a group code', { ...own, group: (own.group ?? []).map((g) => ({ ...g, code: { coding: [foreign] } })) }],
        ['a stratifier code', { ...own, group: (own.group ?? []).map((g) => ({ ...g, stratifier: (g.stratifier ?? []).map((st) => ({ ...st, code: [{ coding: [foreign] }] })) })) }],
      ];
      for (const [which, body] of variants) {
        const res = await post(t, body, 'RPC-CON-018');
        const what = `a report on ${definition.url} with ${which} the Measure does not define (${foreign.code}) POSTed to MeasureReport`;
        if (res.status === 400) t.warnUnless(false, `${what} answered 400 Bad Request; the table names 422 Unprocessable Content for a report breaking a rule (400 tolerated as a warning)`);
        else expectRefused(t, res, what, { status: [422], requirement: 'RPC-CON-018' });
      }
    },
  }),
  test<RpcConsumerFixture>('error answers carry an OperationOutcome; a rejected report is located and fatal (mADX alignment)', {
    requirements: ['RPC-CON-013', 'RPC-ALN-002'],
    negativeControl: 'operation-outcome-missing',
    description:
      'Judged on the error answers to a body that does not parse, a type the Consumer does not serve and an invalid report; an answer that accepted the request owes no OperationOutcome and is not judged. The mADX form (a fatal issue whose expression is MeasureReport) is informational: not using it is not a failure.',
    async run(t) {
      const { type } = unservedType(t.fixture.capabilities);
      const rejected = await post(t, report(t, 'measurereport-invalid-missing-subject.json'), 'RPC-CON-013');
      const answers = [
        await t.sut.request('POST', 'MeasureReport', { body: '{"resourceType":', headers: json }),
        ...(type ? [await t.sut.request('POST', type, { body: JSON.stringify({ resourceType: type }), headers: json })] : []),
        rejected,
      ];
      const errors = answers.filter((r) => r.status >= 400);
      for (const r of answers.filter((x) => x.status < 400)) t.note(`${r.exchange.method} ${r.exchange.url} answered ${statusText(r.status)}: not an error answer, so not judged here`);
      t.expectEvery(errors, (r) => outcomeOf(r) !== undefined, 'the error answers each carry an OperationOutcome', {
        requirement: 'RPC-CON-013',
        show: (r) => `${r.exchange.method} ${new URL(r.exchange.url).pathname} answered ${statusText(r.status)} with ${r.text.trim() ? 'a body that is no OperationOutcome' : 'an empty body'}`,
      });
      if (rejected.status < 400) return t.undecided('RPC-ALN-002', `the invalid report was answered ${statusText(rejected.status)}: there is no rejection to look at`);
      const issues = outcomeOf(rejected)?.issue ?? [];
      const aligned = issues.some((i) => i.severity === 'fatal' && (i.expression ?? []).includes('MeasureReport'));
      if (aligned) t.expect(aligned, 'informational: the rejection has a fatal issue whose expression is MeasureReport, as mADX asks', { requirement: 'RPC-ALN-002' });
      else
        t.undecided(
          'RPC-ALN-002',
          `not used (MAY): the rejection has no fatal issue whose expression is MeasureReport (severities ${issues.map((i) => i.severity).join(', ') || 'none'}), the mADX form RPC does not ask for`,
        );
    },
  }),
  test<RpcConsumerFixture>('the answer is synchronous; asked with Prefer: respond-async, a 202 or 303 leads to the final answer', {
    requirements: ['RPC-CON-002', 'RPC-CON-014', 'RPC-CON-015', 'RPC-CON-016'],
    negativeControl: 'redirect-loop',
    description:
      'LAB-90 expects synchronous answers (B3) yet lists 202 and 303. A plain POST is expected to be answered at once with its final status (RPC-CON-014); Prefer: respond-async (the digest §6 convention) then tries the asynchronous path, which a Consumer that stays synchronous leaves undecided (202 and 303 are MAY).',
    async run(t) {
      const plain = await t.sut.create(report(t, VALID[0]!), { followRedirects: false });
      const sync = plain.status !== 202 && plain.status !== 303;
      t.expect(
        sync,
        sync
          ? `a plain POST MeasureReport was answered ${statusText(plain.status)} synchronously`
          : `a plain POST MeasureReport was answered ${statusText(plain.status)}; expected its final status at once (LAB-90: the response is "expected synchronously")`,
        { requirement: 'RPC-CON-014' },
      );
      if (sync) t.expect(plain.status > 0, `a plain POST MeasureReport got its status code at once (${statusText(plain.status)})`, { requirement: 'RPC-CON-002' });
      else await finalAnswer(t, plain, 'RPC-CON-002');
      const first = await t.sut.create(report(t, VALID[0]!), { headers: { prefer: 'respond-async' }, followRedirects: false });
      if (first.status !== 202 && first.status !== 303) {
        t.undecided(['RPC-CON-015', 'RPC-CON-016'], `not used (MAY): the Consumer answered ${statusText(first.status)} synchronously even when asked to respond asynchronously`);
        return;
      }
      const hops: number[] = [];
      const mode = first.status === 202 ? 'RPC-CON-015' : 'RPC-CON-016';
      const final = await finalAnswer(t, first, ['RPC-CON-002', mode], hops);
      if (!final) return;
      const chain = [first.status, ...hops].map(statusText).join(' → ');
      t.expect(final.status > 0, `POST MeasureReport asked to respond asynchronously reached a final status code: ${chain}`, { requirement: 'RPC-CON-002' });
      const redirected = first.status === 303 || hops.includes(303);
      if (first.status !== 202) t.undecided('RPC-CON-015', 'not used (MAY): the Consumer answered 303 at once, with no 202');
      if (!redirected) t.undecided('RPC-CON-016', `not used (MAY): no 303 on the way to the final answer (${chain})`);
      const ok = final.status === 200 || final.status === 201;
      t.expect(ok, `the asynchronous submission (${chain}) ended in ${statusText(final.status)}${ok ? '' : '; expected 201 Created or 200 OK'}`, {
        requirement: [...(first.status === 202 ? ['RPC-CON-015'] : []), ...(redirected ? ['RPC-CON-016'] : [])],
      });
    },
  }),
  test<RpcConsumerFixture>('a collection Bundle of RPC reports is taken, or refused with an OperationOutcome (mADX alignment, informational)', {
    requirements: ['RPC-ALN-001', 'RPC-CON-013'],
    negativeControl: 'operation-outcome-missing',
    referenceGaps: { 'RPC-ALN-001': 'the reference RPC Consumer takes no Bundle: RPC defines no Bundle submission, and the alignment row is informational' },
    description:
      'RPC defines no Bundle submission: a Consumer that takes a collection Bundle shows the mADX alignment; one that refuses it does not use the MAY, and its refusal, an error answer, is expected to explain itself with an OperationOutcome.',
    async run(t) {
      const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: VALID.map((f) => ({ resource: { ...report(t, f), id: freshId('rpc-entry') } })) };
      const res = await t.sut.postBundle(bundle);
      const taken = res.status >= 200 && res.status < 300;
      if (taken) {
        t.expect(taken, `POST [base] with a collection Bundle of ${VALID.length} RPC reports was taken (${statusText(res.status)})`, { requirement: 'RPC-ALN-001' });
        t.undecided('RPC-CON-013', 'the collection Bundle was taken: there is no error answer to judge');
        return;
      }
      t.undecided('RPC-ALN-001', `not used (MAY): POST [base] with a collection Bundle answered ${statusText(res.status)}; RPC defines no Bundle submission`);
      if (res.status >= 400) expectOutcome(t, res, 'POST [base] with a collection Bundle', 'RPC-CON-013');
      else t.undecided('RPC-CON-013', `the collection Bundle was answered ${statusText(res.status)}, not an error answer`);
    },
  }),
  test<RpcConsumerFixture>('the Consumer endpoint is served over https', {
    requirements: ['RPC-CON-003', 'RPC-SEC-001'],
    negativeControl: 'plain-http',
    description:
      'LAB-90 requires https, with no allowance for local testing: a SUT reached over http fails, and its address asked in plain http must not answer as a FHIR endpoint. With no SUT the reference Consumer serves https with a certificate made for the run; a run asked for plain http (run --no-tls) leaves this to a person.',
    async run(t) {
      await judgeTransport(t, { https: 'RPC-CON-003', noPlainHttp: 'RPC-SEC-001' });
    },
  }),
  test<RpcConsumerFixture>('the Consumer requires mutual authentication', {
    requirements: ['RPC-SEC-002', 'RPC-ALN-003'],
    negativeControl: 'auth-ignored',
    description:
      "LAB-90 Security: transport SHOULD use an appropriate mutual authentication mechanism (mADX makes it a SHALL: RPC-ALN-003, informational). A valid report is POSTed by a client presenting no credential and no client certificate at all: taking it is a warning; refusing it (401 or 403, or a TLS handshake that asks for a client certificate) passes the wire part, and a person answers what the wire cannot show, whether the mechanism is appropriate under the jurisdiction's guidelines (attestations.RPC-SEC-002 in config.yaml).",
    async run(t) {
      await judgeMutualAuthentication(t, submitValid(t), {
        requirement: 'RPC-SEC-002',
        aligned: 'RPC-ALN-003',
        question:
          "The Consumer refuses a client that does not authenticate itself (seen on the wire). Is the mechanism it demands (client certificate, token or other) appropriate under the jurisdiction's guidelines for protecting the exchange of patient data?",
      });
    },
  }),
  test<RpcConsumerFixture>('an XML body declaring an entity is refused with 400, unexpanded', {
    requirements: 'RPC-SEC-005',
    negativeControl: 'expand-entities',
    description:
      'LAB-90 Security: Content Consumers should take adequate account of the security of processing RPC documents generically. As for mADX (RFC 7303), an XML body whose DTD declares an entity is refused with 400 and the entity never expanded; a Consumer that takes no XML at all (415) has no XML processing to guard.',
    async run(t) {
      await judgeEntityRefused(t, (body) => t.sut.request('POST', 'MeasureReport', { body, headers: { 'content-type': MEDIA.xml, accept: MEDIA.json } }), report(t, VALID[0]!), 'RPC-SEC-005');
    },
  }),
  test<RpcConsumerFixture>('patient data is protected as PaLM, ATNA and IUA describe', {
    requirements: 'RPC-SEC-003',
    negativeControl: ATTESTED_FALSE,
    description: 'A documentation and deployment check: a person answers, recorded as attestations.RPC-SEC-003 in config.yaml.',
    run(t) {
      t.attest('RPC-SEC-003', 'Is the patient data in concordance reports protected as PaLM TF-1 Appendix A, ATNA and IUA describe (access control, audit, secure transport)?');
    },
  }),
  test<RpcConsumerFixture>('GET [base]/metadata returns a CapabilityStatement declaring MeasureReport create', {
    requirements: ['RPC-CS-001', 'RPC-CS-002'],
    negativeControl: 'no-metadata',
    description: 'The IHE CapabilityStatements LAB-90 links do not exist (RPC-CS-003): CapabilityStatement.instantiates is only noted.',
    async run(t) {
      const res = await t.sut.capabilities();
      const parsed = res.status === 200 ? res.tryResource() : undefined;
      const found = parsed?.ok && parsed.resource.resourceType === 'CapabilityStatement';
      const cs = t.require(
        found ? t.fixture.capabilities : undefined,
        found
          ? 'GET [base]/metadata returned a CapabilityStatement'
          : `GET [base]/metadata answered ${statusText(res.status)}${parsed?.ok ? ` with a ${parsed.resource.resourceType}` : ''}; expected 200 OK with a CapabilityStatement`,
        { requirement: 'RPC-CS-001' },
      );
      const listed = declares(cs, 'MeasureReport', 'create') || declares(cs, 'MeasureReport', 'update');
      const interactions = (cs.rest ?? [])
        .filter((r) => r.mode === 'server')
        .flatMap((r) => r.resource ?? [])
        .filter((r) => r.type === 'MeasureReport')
        .flatMap((r) => (r.interaction ?? []).map((i) => i.code));
      t.expect(
        listed,
        listed
          ? `rest (mode server) lists MeasureReport with ${interactions.join(', ')}`
          : `rest (mode server) lists MeasureReport with ${interactions.join(', ') || 'no interaction (or not at all)'}; expected create or update`,
        { requirement: 'RPC-CS-002' },
      );
      t.note(`instantiates: ${(cs.instantiates ?? []).join(', ') || 'nothing'} (no IHE canonical is required)`);
    },
  }),
];

export default defineSuite<RpcConsumerFixture>({
  id: 'rpc/send-concordance-report/content-consumer',
  title: 'IHE RPC Send Concordance Report [LAB-90]: Content Consumer (server)',
  actorUnderTest: 'RpcContentConsumer' satisfies ActorId,
  role: 'server',
  capabilities: [RPC_CONTENT_CONSUMER],
  setup,
  tests,
});
