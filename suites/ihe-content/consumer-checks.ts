/**
 * What the mADX and RPC Content Consumer suites share: the send fixtures, fresh ids, following an
 * asynchronous answer to its end (QRPH-58 2:3.58.4.2.1), the judgement of an acceptance (status,
 * read back as sent) and of a refusal (status, OperationOutcome, IssueType codes), and what the
 * SUT's CapabilityStatement says it serves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { CapabilityStatement, MeasureReport, OperationOutcome, Resource } from 'fhir/r4.js';
import { statusText, TransportError, type CheckOptions, type CredentialKind, type FhirResponse, type SuiteEnvironment, type TestContext, type WireFormat } from '../../src/engine/index.js';
import { parseJson } from '../../src/fhir/json.js';
import { serializeResource } from '../../src/fhir/format.js';
import { projectRoot } from '../../src/harness.js';

export const MEDIA: Record<WireFormat, string> = { json: 'application/fhir+json', xml: 'application/fhir+xml' };
export const FORMATS: readonly WireFormat[] = ['json', 'xml'];

export type ConsumerFixture = {
  /** The SUT's CapabilityStatement, when GET [base]/metadata gave one (information only for mADX). */
  capabilities: CapabilityStatement | undefined;
};

export type ConsumerContext = TestContext<ConsumerFixture>;

/** The requirement(s) a check decides. */
export type Decides = NonNullable<CheckOptions['requirement']>;

export function sendText(profile: 'madx' | 'rpc', file: string): string {
  return readFileSync(join(projectRoot, 'fixtures', profile, 'send', file), 'utf8');
}

export function sendFixture<T extends Resource>(profile: 'madx' | 'rpc', file: string): T {
  return parseJson(sendText(profile, file)) as T;
}

export function declares(cs: CapabilityStatement | undefined, type: string, interaction: string): boolean {
  return (cs?.rest ?? []).filter((r) => r.mode === 'server').some((r) => r.resource?.some((x) => x.type === type && x.interaction?.some((i) => i.code === interaction)));
}

/** Whether the CapabilityStatement lists the format (`xml`, `application/fhir+xml`, …). */
export function listsFormat(cs: CapabilityStatement | undefined, format: WireFormat): boolean {
  return (cs?.format ?? []).some((f) => f.toLowerCase().includes(format));
}

function servedTypes(cs: CapabilityStatement): Set<string> {
  return new Set((cs.rest ?? []).filter((r) => r.mode === 'server').flatMap((r) => (r.resource ?? []).map((x) => x.type)));
}

/** R4 types no measure exchange needs and none of whose elements is required, so a body of one is valid FHIR. */
export const UNLIKELY_TYPES = ['BiologicallyDerivedProduct', 'SubstanceSpecification', 'SubstancePolymer', 'SubstanceSourceMaterial'];

/**
 * A resource type to ask about for the table's 404 row: one the CapabilityStatement does not list
 * (a Consumer may well serve Observation). `known` is false when there is no CapabilityStatement
 * to tell; `type` is undefined when it lists every candidate.
 */
export function unservedType(cs: CapabilityStatement | undefined): { type: string | undefined; known: boolean } {
  if (!cs) return { type: UNLIKELY_TYPES[0], known: false };
  const served = servedTypes(cs);
  return { type: UNLIKELY_TYPES.find((x) => !served.has(x)), known: true };
}

const METHOD_INTERACTIONS = { DELETE: 'delete', PATCH: 'patch' } as const;
export type UnlistedMethod = keyof typeof METHOD_INTERACTIONS;

/** The methods outside the transaction (DELETE, PATCH) the CapabilityStatement does not list for the type. */
export function unlistedMethods(cs: CapabilityStatement | undefined, type: string): UnlistedMethod[] {
  return (Object.keys(METHOD_INTERACTIONS) as UnlistedMethod[]).filter((m) => !declares(cs, type, METHOD_INTERACTIONS[m]));
}

export async function discover(s: SuiteEnvironment): Promise<ConsumerFixture> {
  const res = await s.sut.capabilities();
  const parsed = res.status === 200 ? res.tryResource<CapabilityStatement>() : undefined;
  const capabilities = parsed?.ok && parsed.resource.resourceType === 'CapabilityStatement' ? parsed.resource : undefined;
  if (!capabilities) s.note(`GET [base]/metadata answered ${res.status} without a CapabilityStatement: accepted reports are not read back`);
  return { capabilities };
}

const MAX_POLLS = 10;

/**
 * The final answer to a submission: a 202 is polled at its Content-Location (or Location) until it
 * stops answering 202, and each 303 is followed by a GET, as QRPH-58 asks of a Creator. Every hop is
 * evidence, and the status of each hop is pushed to `hops`. Returns undefined (with a failed check
 * under `requirement`) when no final answer comes.
 */
export async function finalAnswer(t: ConsumerContext, first: FhirResponse, requirement: Decides, hops: number[] = []): Promise<FhirResponse | undefined> {
  let res = first;
  let statusUrl: string | undefined;
  for (let hop = 0; hop < MAX_POLLS; hop++) {
    if (res.status !== 202 && res.status !== 303) return res;
    // A poll that is still running may repeat the status URL or not; the first 202 named it.
    if (res.status === 202) statusUrl = res.headers['content-location'] ?? res.headers['location'] ?? statusUrl;
    const next = res.status === 202 ? statusUrl : res.headers['location'];
    if (!next) {
      t.expect(false, `the ${statusText(res.status)} answer names no ${res.status === 202 ? 'status URL (Content-Location or Location)' : 'Location'}; expected one to go on with`, { requirement });
      return undefined;
    }
    res = await t.sut.request('GET', next, { headers: { accept: MEDIA.json }, followRedirects: false });
    hops.push(res.status);
  }
  t.expect(false, `no final answer after ${MAX_POLLS} polls and redirects (the last answered ${statusText(res.status)}); expected a final status code`, { requirement });
  return undefined;
}

/** The body as an OperationOutcome, or undefined. */
export function outcomeOf(res: FhirResponse): OperationOutcome | undefined {
  const parsed = res.text.trim() ? res.tryResource<OperationOutcome>() : undefined;
  return parsed?.ok && parsed.resource.resourceType === 'OperationOutcome' ? parsed.resource : undefined;
}

/** http://hl7.org/fhir/issue-type (R4): the required binding of OperationOutcome.issue.code. */
const ISSUE_TYPES = new Set([
  'invalid',
  'structure',
  'required',
  'value',
  'invariant',
  'security',
  'login',
  'unknown',
  'expired',
  'forbidden',
  'suppressed',
  'processing',
  'not-supported',
  'duplicate',
  'multiple-matches',
  'not-found',
  'deleted',
  'too-long',
  'code-invalid',
  'extension',
  'too-costly',
  'business-rule',
  'conflict',
  'transient',
  'lock-error',
  'no-store',
  'exception',
  'timeout',
  'incomplete',
  'throttled',
  'informational',
]);

export function isIssueType(code: string | undefined): boolean {
  return code !== undefined && ISSUE_TYPES.has(code);
}

export interface Refusal {
  /** Status codes the response-code table names for this case. */
  status: readonly number[];
  /** Requirement(s) the status decides. */
  requirement: Decides;
  /**
   * Requirement(s) the presence of an OperationOutcome decides (a SHOULD for most rows), judged on
   * an error answer only: an acceptance owes no OperationOutcome.
   */
  outcome?: Decides;
}

/** `a or b`: the codes with their reason phrases. */
export function statuses(codes: readonly number[]): string {
  return codes.map(statusText).join(' or ');
}

/** The status of an acceptance: 200 or 201 (QRPH-58 A2, LAB-90 B2). */
export function expectAccepted(t: ConsumerContext, res: FhirResponse, what: string, requirement: Decides): boolean {
  const ok = res.status === 200 || res.status === 201;
  return t.expect(ok, `${what} answered ${statusText(res.status)}${ok ? '' : `; expected ${statuses([200, 201])}`}`, { requirement });
}

/** A refusal with the status the table names, and (on an error answer) an OperationOutcome; returns the outcome. */
export function expectRefused(t: ConsumerContext, res: FhirResponse, what: string, refusal: Refusal): OperationOutcome | undefined {
  const ok = refusal.status.includes(res.status);
  t.expect(ok, `${what} answered ${statusText(res.status)}${ok ? '' : `; expected ${statuses(refusal.status)}`}`, { requirement: refusal.requirement });
  const outcome = outcomeOf(res);
  if (refusal.outcome !== undefined && res.status >= 400) expectOutcome(t, res, what, refusal.outcome);
  return outcome;
}

/** An error answer carries an OperationOutcome. */
export function expectOutcome(t: ConsumerContext, res: FhirResponse, what: string, requirement: Decides): boolean {
  const ok = outcomeOf(res) !== undefined;
  const body = res.text.trim() ? `a body that is no OperationOutcome (${res.headers['content-type'] ?? 'no Content-Type'})` : 'an empty body';
  return t.expect(ok, ok ? `${what}: the ${statusText(res.status)} answer carries an OperationOutcome` : `${what}: the ${statusText(res.status)} answer has ${body}; expected an OperationOutcome`, {
    requirement,
  });
}

/** `MeasureReport/[id]` of a create answer: its Location header, else the body's id. */
export function createdId(res: FhirResponse): string | undefined {
  const m = /(?:^|\/)MeasureReport\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(res.headers['location'] ?? '');
  if (m) return m[1];
  const body = res.text.trim() ? res.tryResource() : undefined;
  return body?.ok && body.resource.resourceType === 'MeasureReport' ? body.resource.id : undefined;
}

/** What "held as sent" compares: the report's substance, not what a server adds (meta, narrative, ids of its own). */
const HELD_ELEMENTS = ['resourceType', 'status', 'type', 'measure', 'period', 'group'] as const;

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? 'absent';
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** The first place where what was read back differs from what was sent; elements the server added are fine. */
function firstDifference(sent: unknown, held: unknown, path: string): string | undefined {
  if (isDeepStrictEqual(sent, held)) return undefined;
  if (Array.isArray(sent) && Array.isArray(held)) {
    if (sent.length !== held.length) return `${path} has ${held.length} entries; sent ${sent.length}`;
    for (const [i, item] of sent.entries()) {
      const d = firstDifference(item, held[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof sent === 'object' && sent !== null && typeof held === 'object' && held !== null && !Array.isArray(held)) {
    for (const [key, value] of Object.entries(sent)) {
      const d = firstDifference(value, (held as Record<string, unknown>)[key], `${path}.${key}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${path} is ${preview(held)}; sent ${preview(sent)}`;
}

/** Where a report read back differs from the one sent (status, type, measure, period, groups), or undefined. */
export function differenceFromSent(sent: MeasureReport, held: Resource): string | undefined {
  for (const key of HELD_ELEMENTS) {
    const d = firstDifference(sent[key], (held as unknown as Record<string, unknown>)[key], `MeasureReport.${key}`);
    if (d) return d;
  }
  return undefined;
}

/**
 * Reads an accepted report back and holds it to the one sent, when the SUT declares MeasureReport
 * read; else a note says why not, and the acceptance stands on its status code alone.
 */
export async function readsBack(t: ConsumerContext, id: string, sent: MeasureReport, requirement: Decides): Promise<void> {
  if (!declares(t.fixture.capabilities, 'MeasureReport', 'read')) {
    t.note(`the SUT declares no MeasureReport read, so MeasureReport/${id} is not read back (processing is taken from the status code)`);
    return;
  }
  const res = await t.sut.read('MeasureReport', id);
  const parsed = res.status === 200 ? res.tryResource() : undefined;
  if (!parsed?.ok) {
    t.expect(false, `GET MeasureReport/${id} answered ${statusText(res.status)}${parsed && !parsed.ok ? ` (${parsed.error})` : ''}; expected 200 OK with the report just accepted`, { requirement });
    return;
  }
  const difference = differenceFromSent(sent, parsed.resource);
  t.expect(
    !difference,
    difference ? `GET MeasureReport/${id} gave back a report unlike the one accepted: ${difference}` : `GET MeasureReport/${id} gave back the report as sent (status, type, measure, period, groups)`,
    { requirement },
  );
}

/** A refused submission left nothing behind: a read of the id finds nothing (when reads are offered). */
export async function notHeld(t: ConsumerContext, id: string, requirement: Decides, what: string): Promise<void> {
  if (!declares(t.fixture.capabilities, 'MeasureReport', 'read')) {
    t.note(`the SUT declares no MeasureReport read, so it is not checked that MeasureReport/${id} was not kept`);
    return;
  }
  const res = await t.sut.read('MeasureReport', id);
  const gone = res.status === 404 || res.status === 410;
  t.expect(
    gone,
    gone
      ? `GET MeasureReport/${id} answered ${statusText(res.status)}: ${what} was not kept`
      : `GET MeasureReport/${id} answered ${statusText(res.status)}; expected 404 Not Found: ${what} must not be kept`,
    { requirement },
  );
}

const REFERENCE_SIMULATORS = new Set(['MadxContentConsumerSimulator', 'RpcContentConsumerSimulator']);

/**
 * The https test of both Consumers: over https the exchange must have used TLS (`https`, and the
 * TLS row `noPlainHttp`), and the same address asked in plain http must not answer as a FHIR
 * endpoint (`noPlainHttp`). Over plain http both SHALLs fail, except for the bundled reference
 * simulator in a run that chose plain http (run --no-tls, or no certificate could be made for the
 * run): a person then attests the deployment, and the run says why it used http.
 */
export async function judgeTransport(t: ConsumerContext, requirements: { https: string; noPlainHttp: string }): Promise<void> {
  const both = [requirements.https, requirements.noPlainHttp];
  if (new URL(t.sut.baseUrl).protocol === 'https:') {
    const res = await t.sut.capabilities();
    t.expect(res.exchange.url.startsWith('https:') && res.status > 0, `GET ${res.exchange.url} was answered ${statusText(res.status)} over TLS`, { requirement: both });
    const twin = `${t.sut.baseUrl.replace(/^https:/, 'http:').replace(/\/+$/, '')}/metadata`;
    try {
      const plain = await t.sut.request('GET', twin, { headers: { accept: MEDIA.json }, followRedirects: false });
      const parsed = plain.status === 200 ? plain.tryResource() : undefined;
      const served = parsed?.ok === true && parsed.resource.resourceType === 'CapabilityStatement';
      t.expect(
        !served,
        served
          ? `GET ${twin} answered ${statusText(plain.status)} with a CapabilityStatement; expected no plain-http endpoint at the Consumer's address`
          : `GET ${twin} answered ${statusText(plain.status)} with no FHIR endpoint behind it`,
        {
          requirement: requirements.noPlainHttp,
        },
      );
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      t.expect(true, `GET ${twin} found no plain-http endpoint (the connection failed: ${err.failure})`, { requirement: requirements.noPlainHttp });
    }
    return;
  }
  const name = t.fixture.capabilities?.name;
  const reference = name !== undefined && REFERENCE_SIMULATORS.has(name);
  const chosen = t.config.referenceHttp;
  t.expect(
    reference && chosen,
    reference && chosen ? `the bundled reference simulator (${name}) runs on plain http: ${chosen}` : `the Consumer is reached over plain http (${t.sut.baseUrl}); expected an https endpoint`,
    {
      requirement: both,
    },
  );
  t.manual(`the reference simulator ran over plain http (${chosen ?? ''}); a person confirms a deployed Consumer is served over https`);
}

/** A submission of a valid report, sent as the test asks: as a client that does not authenticate itself, or with other headers. */
export type Submit = (how: { anonymous?: boolean; headers?: Record<string, string> }) => Promise<FhirResponse>;

/** The answer, or the transport failure that stood in for one (a TLS handshake refused for want of a client certificate). */
async function attempt(submit: Submit, how: Parameters<Submit>[0]): Promise<FhirResponse | TransportError> {
  try {
    return await submit(how);
  } catch (err) {
    if (err instanceof TransportError && (err.failure === 'tls' || err.failure === 'reset')) return err;
    throw err;
  }
}

/** A credential of the kind given, that no Consumer issued. */
function wrongCredential(kind: CredentialKind): string | undefined {
  if (kind === 'bearer-token') return 'Bearer measure-conformance-not-a-valid-token';
  if (kind === 'basic') return `Basic ${Buffer.from('measure-conformance:not-the-password').toString('base64')}`;
  return undefined;
}

const CREDENTIAL_NAMES: Record<CredentialKind, string> = { 'bearer-token': 'bearer token', basic: 'Basic user and password', 'client-certificate': 'client certificate' };

/**
 * The 401 row: with credentials configured (the harness presents them with every request), a
 * request with none and one with a wrong one are refused with 401 and an OperationOutcome. With none
 * configured, a made-up bearer token decides whether the Consumer requires authorization at all:
 * one that takes it requires none and the row does not apply (mutual authentication is judged
 * apart). A request refused during the TLS handshake, for want of a client certificate, gets no
 * HTTP status: the row is about the credentials HTTP carries.
 */
export async function judgeCredentials(t: ConsumerContext, submit: Submit, rows: { refused: string; outcome: string; mutual: string }): Promise<void> {
  const configured = t.config.credentials ?? [];
  const refusal = { status: [401], requirement: rows.refused, outcome: rows.outcome };
  const judge = (res: FhirResponse | TransportError, what: string) => {
    if (res instanceof TransportError) {
      t.note(`${what} was refused during the TLS handshake (${res.failure}: ${res.message}), before any HTTP answer`);
      return;
    }
    expectRefused(t, res, what, refusal);
  };
  if (configured.length === 0) {
    const made = await attempt(submit, { headers: { authorization: wrongCredential('bearer-token')! } });
    if (!(made instanceof TransportError) && made.status >= 200 && made.status < 300) {
      t.undecided(
        [rows.refused, rows.outcome],
        `the Consumer accepted a report with a made-up bearer token (${statusText(made.status)}) and the run presents no credential: it requires no authorization, so the 401 row does not apply (whether it must authenticate clients is judged under ${rows.mutual})`,
      );
      return;
    }
    judge(made, 'a report with a made-up bearer token');
    judge(await attempt(submit, { anonymous: true }), 'a report with no credential');
    return;
  }
  const names = configured.map((k) => CREDENTIAL_NAMES[k]).join(' and ');
  judge(await attempt(submit, { anonymous: true }), `a report with no credential (the run presents a ${names} with every other request)`);
  const wrong = configured.map((k) => ({ kind: k, header: wrongCredential(k) })).find((w) => w.header !== undefined);
  if (wrong) judge(await attempt(submit, { headers: { authorization: wrong.header! } }), `a report with a wrong ${CREDENTIAL_NAMES[wrong.kind]}`);
  else t.note('the run presents only a client certificate, and has no other one to present: a wrong credential is not tried');
  if (configured.every((k) => k === 'client-certificate'))
    t.undecided([rows.refused, rows.outcome], 'the run presents only a client certificate: a Consumer refuses a client without one during the TLS handshake, before any HTTP status');
}

/**
 * Mutual authentication on the wire: a Consumer that takes a report from a client presenting no
 * credential and no client certificate at all does not authenticate its clients (`requirement`
 * fails). One that refuses it (401 or 403, or a TLS handshake demanding a certificate) passes the
 * wire part; a person then answers what the wire cannot show (`question`). `aligned` is decided
 * alike where it is only informational (a MAY).
 */
export async function judgeMutualAuthentication(t: ConsumerContext, submit: Submit, rows: { requirement: string; aligned?: string; question: string }): Promise<void> {
  const res = await attempt(submit, { anonymous: true });
  const what = 'a report from a client presenting no credential and no client certificate';
  const decides = [rows.requirement, ...(rows.aligned ? [rows.aligned] : [])];
  if (res instanceof TransportError) {
    t.expect(true, `${what} was refused during the TLS handshake (${res.failure}): the Consumer demands a client certificate`, { requirement: decides });
  } else if (res.status === 401 || res.status === 403) {
    t.expect(true, `${what} was answered ${statusText(res.status)}: the Consumer demands that a client authenticate itself`, { requirement: decides });
  } else if (res.status >= 200 && res.status < 300) {
    t.expect(
      false,
      `${what} was answered ${statusText(res.status)}; expected the Consumer to refuse a client that does not authenticate itself (401, or a TLS handshake asking for a client certificate)`,
      { requirement: rows.requirement },
    );
    if (rows.aligned) t.undecided(rows.aligned, 'not used (MAY): the Consumer does not require mutual authentication');
    return;
  } else {
    t.undecided(decides, `${what} was answered ${statusText(res.status)}: neither taken nor refused for want of authentication`);
    return;
  }
  t.attest(rows.requirement, rows.question);
}

/**
 * RFC 7303's caution on generic XML processing: a valid report in XML whose DTD declares an entity
 * (used in a group's code text) is refused with 400 and the entity never expanded (echoed back). A
 * Consumer that expands it would otherwise take the report. One that takes no XML at all (415)
 * has no XML processing to guard.
 */
export async function judgeEntityRefused(t: ConsumerContext, send: (body: string) => Promise<FhirResponse>, valid: MeasureReport, requirement: string): Promise<void> {
  const marked: MeasureReport = { ...valid, group: (valid.group ?? []).map((g, i) => (i === 0 ? { ...g, code: { ...g.code, text: 'measure-conformance-entity-probe' } } : g)) };
  const xml = serializeResource(marked, 'xml')
    .replace(/^(<\?xml[^>]*\?>)?/, (decl) => `${decl || '<?xml version="1.0"?>'}<!DOCTYPE MeasureReport [<!ENTITY probe "expanded-entity">]>`)
    .replace('measure-conformance-entity-probe', '&probe;');
  const res = await send(xml);
  const what = `${res.exchange.method} ${new URL(res.exchange.url).pathname.replace(/^.*?\/(MeasureReport)/, '$1')} with a valid report in XML declaring an entity`;
  if (res.status === 415) {
    t.undecided(requirement, `the Consumer takes no XML (${what} answered 415 Unsupported Media Type), so there is no XML processing to guard`);
    return;
  }
  const expanded = res.text.includes('expanded-entity');
  const ok = res.status === 400 && !expanded;
  t.expect(ok, `${what} answered ${statusText(res.status)}${expanded ? ' and echoed the expanded entity' : ''}${ok ? ', not expanded' : '; expected 400 Bad Request, not expanded'}`, { requirement });
}
