/**
 * What the mADX and RPC Content Consumer suites share: the send fixtures, fresh ids, following an
 * asynchronous answer to its end (QRPH-58 2:3.58.4.2.1), and the judgement of a refusal (status,
 * OperationOutcome, IssueType codes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { CapabilityStatement, OperationOutcome, Resource } from 'fhir/r4.js';
import type { FhirResponse, SuiteEnvironment, TestContext, WireFormat } from '../../src/engine/index.js';
import { parseJson } from '../../src/fhir/json.js';
import { projectRoot } from '../../src/harness.js';

export const MEDIA: Record<WireFormat, string> = { json: 'application/fhir+json', xml: 'application/fhir+xml' };
export const FORMATS: readonly WireFormat[] = ['json', 'xml'];

export type ConsumerFixture = {
  /** The SUT's CapabilityStatement, when GET [base]/metadata gave one (information only for mADX). */
  capabilities: CapabilityStatement | undefined;
};

export type ConsumerContext = TestContext<ConsumerFixture>;

export function sendText(profile: 'madx' | 'rpc', file: string): string {
  return readFileSync(join(projectRoot, 'fixtures', profile, 'send', file), 'utf8');
}

export function sendFixture<T extends Resource>(profile: 'madx' | 'rpc', file: string): T {
  return parseJson(sendText(profile, file)) as T;
}

/** Ids unique per run, so a SUT holding earlier runs' reports still sees new ones. */
export function freshId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function declares(cs: CapabilityStatement | undefined, type: string, interaction: string): boolean {
  return (cs?.rest ?? []).filter((r) => r.mode === 'server').some((r) => r.resource?.some((x) => x.type === type && x.interaction?.some((i) => i.code === interaction)));
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
 * evidence. Returns undefined (with a failed check under `requirement`) when no final answer comes.
 */
export async function finalAnswer(t: ConsumerContext, first: FhirResponse, requirement: string): Promise<FhirResponse | undefined> {
  let res = first;
  let statusUrl: string | undefined;
  for (let hop = 0; hop < MAX_POLLS; hop++) {
    if (res.status !== 202 && res.status !== 303) return res;
    // A poll that is still running may repeat the status URL or not; the first 202 named it.
    if (res.status === 202) statusUrl = res.headers['content-location'] ?? res.headers['location'] ?? statusUrl;
    const next = res.status === 202 ? statusUrl : res.headers['location'];
    if (!next) {
      t.expect(false, `the ${res.status} answer names no ${res.status === 202 ? 'status URL (Content-Location or Location)' : 'Location'} to go on with`, { requirement });
      return undefined;
    }
    res = await t.sut.request('GET', next, { headers: { accept: MEDIA.json }, followRedirects: false });
  }
  t.expect(false, `no final answer after ${MAX_POLLS} polls and redirects (last ${res.status})`, { requirement });
  return undefined;
}

/** The body as an OperationOutcome, or undefined. */
export function outcomeOf(res: FhirResponse): OperationOutcome | undefined {
  const parsed = res.text.trim() ? res.tryResource<OperationOutcome>() : undefined;
  return parsed?.ok && parsed.resource.resourceType === 'OperationOutcome' ? parsed.resource : undefined;
}

/** http://hl7.org/fhir/issue-type (R4): the required binding of OperationOutcome.issue.code. */
const ISSUE_TYPES = new Set([
  'invalid', 'structure', 'required', 'value', 'invariant', 'security', 'login', 'unknown', 'expired', 'forbidden', 'suppressed',
  'processing', 'not-supported', 'duplicate', 'multiple-matches', 'not-found', 'deleted', 'too-long', 'code-invalid', 'extension',
  'too-costly', 'business-rule', 'conflict', 'transient', 'lock-error', 'no-store', 'exception', 'timeout', 'incomplete', 'throttled', 'informational',
]);

export function isIssueType(code: string | undefined): boolean {
  return code !== undefined && ISSUE_TYPES.has(code);
}

export interface Refusal {
  /** Status codes the response-code table names for this case. */
  status: readonly number[];
  /** Requirement the status decides. */
  requirement: string;
  /** Requirement the presence of an OperationOutcome decides (a SHOULD for most rows). */
  outcome: string;
}

/** A refusal with the status the table names, and an OperationOutcome; returns the outcome. */
export function expectRefused(t: ConsumerContext, res: FhirResponse, what: string, refusal: Refusal): OperationOutcome | undefined {
  const ok = refusal.status.includes(res.status);
  t.expect(ok, `${what}: answered ${res.status}${ok ? '' : `, the table names ${refusal.status.join(' or ')}`}`, { requirement: refusal.requirement });
  const outcome = outcomeOf(res);
  t.expect(outcome, outcome ? `${what}: the ${res.status} answer carries an OperationOutcome` : `${what}: the ${res.status} answer carries no OperationOutcome`, { requirement: refusal.outcome });
  return outcome;
}

/** `MeasureReport/[id]` of a create answer: its Location header, else the body's id. */
export function createdId(res: FhirResponse): string | undefined {
  const m = /(?:^|\/)MeasureReport\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(res.headers['location'] ?? '');
  if (m) return m[1];
  const body = res.text.trim() ? res.tryResource() : undefined;
  return body?.ok && body.resource.resourceType === 'MeasureReport' ? body.resource.id : undefined;
}

/** Reads a report back when the SUT declares MeasureReport read; else a note says why not. */
export async function readsBack(t: ConsumerContext, id: string, requirement: string, check: (r: Resource) => boolean, what: string): Promise<void> {
  if (!declares(t.fixture.capabilities, 'MeasureReport', 'read')) {
    t.note(`the SUT declares no MeasureReport read, so MeasureReport/${id} is not read back (processing is taken from the status code)`);
    return;
  }
  const res = await t.sut.read('MeasureReport', id);
  const parsed = res.status === 200 ? res.tryResource() : undefined;
  t.expect(parsed?.ok && check(parsed.resource), `GET MeasureReport/${id} answered ${res.status}: ${what}`, { requirement });
}

/** A refused submission left nothing behind: a read of the id finds nothing (when reads are offered). */
export async function notHeld(t: ConsumerContext, id: string, requirement: string, what: string): Promise<void> {
  if (!declares(t.fixture.capabilities, 'MeasureReport', 'read')) {
    t.note(`the SUT declares no MeasureReport read, so it is not checked that MeasureReport/${id} was not kept`);
    return;
  }
  const res = await t.sut.read('MeasureReport', id);
  t.expect(res.status === 404 || res.status === 410, `GET MeasureReport/${id} answered ${res.status}: ${what}`, { requirement });
}

const REFERENCE_SIMULATORS = new Set(['MadxContentConsumerSimulator', 'RpcContentConsumerSimulator']);

/**
 * The https test of both Consumers: over https the exchange must have used TLS. Over plain http the
 * SHALL fails, except for the bundled reference simulator in a run that chose plain http (run
 * --no-tls, or no certificate could be made for the run): a person then attests the deployment,
 * and the run says why it used http.
 */
export async function judgeTransport(t: ConsumerContext, requirements: { https: string }): Promise<void> {
  if (new URL(t.sut.baseUrl).protocol === 'https:') {
    const res = await t.sut.capabilities();
    t.expect(res.exchange.url.startsWith('https:') && res.status > 0, `GET ${res.exchange.url} was answered (${res.status}) over TLS`, { requirement: requirements.https });
    return;
  }
  const name = t.fixture.capabilities?.name;
  const reference = name !== undefined && REFERENCE_SIMULATORS.has(name);
  const chosen = t.config.referenceHttp;
  t.expect(reference && chosen, reference && chosen ? `the bundled reference simulator (${name}) runs on plain http: ${chosen}` : `the Consumer is reached over plain http (${t.sut.baseUrl}); the endpoint must be https`, {
    requirement: requirements.https,
  });
  t.manual(`the reference simulator ran over plain http (${chosen ?? ''}); a person confirms a deployed Consumer is served over https`);
}
