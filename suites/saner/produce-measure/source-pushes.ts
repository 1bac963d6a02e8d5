/**
 * The Measure Source's recorded traffic read the way the Produce Measure tests judge it: each
 * request classified (create, update, $report-csv, batch, …), its body parsed by its Content-Type,
 * the id the Consumer assigned, and the report identity (measure, subject, period) that tells a
 * revision from a new report.
 */
import type { Bundle, BundleEntry, MeasureReport, Parameters, Reference, Resource } from 'fhir/r4.js';
import type { HttpExchange } from '../../../src/engine/results.js';
import { requestBelow } from '../../../src/engine/simulator.js';
import { projectFormats, formatOfContentType } from '../../../src/fhir/codec.js';

export type PushKind = 'metadata' | 'create' | 'update' | 'report-csv' | 'batch' | 'bundle-create' | 'other';

export interface Push {
  exchange: HttpExchange;
  /** `POST /MeasureReport -> 201`, for notes. */
  line: string;
  kind: PushKind;
  /** The id in the URL: the MeasureReport of an update, the Measure of a $report-csv. */
  id?: string;
  /** The Content-Type's media type, lower case, without parameters. */
  media?: string;
  /** The body, when its Content-Type names a FHIR format and it parsed. */
  body?: Resource;
  /** Why a body labelled as FHIR did not parse. */
  bodyError?: string;
  /** The id the Consumer gave a successful create (Location, else the returned body). */
  assigned?: string;
}

export function succeeded(p: Push): boolean {
  const status = p.exchange.status ?? 0;
  return status >= 200 && status < 300;
}

export function mediaType(value: string | undefined): string | undefined {
  return value?.split(';')[0]!.trim().toLowerCase() || undefined;
}

export function readPushes(exchanges: readonly HttpExchange[], baseUrl: string): Push[] {
  return exchanges.map((exchange) => {
    const { segments, url } = requestBelow(baseUrl, exchange);
    const push: Push = { exchange, line: `${exchange.method} /${segments.join('/')}${url.search}${exchange.status !== undefined ? ` -> ${exchange.status}` : ''}`, kind: kindOf(exchange.method, segments) };
    if (push.kind === 'update' || push.kind === 'report-csv') push.id = segments[1];
    const media = mediaType(exchange.requestHeaders['content-type']);
    if (media) push.media = media;
    readBody(push);
    if (push.kind === 'create' && succeeded(push)) {
      const assigned = assignedId(exchange);
      if (assigned) push.assigned = assigned;
    }
    return push;
  });
}

function kindOf(method: string, segments: string[]): PushKind {
  const [type, id, operation] = segments;
  if (method === 'GET' && type === 'metadata' && segments.length === 1) return 'metadata';
  if (method === 'POST' && segments.length === 0) return 'batch';
  if (method === 'POST' && type === 'MeasureReport' && segments.length === 1) return 'create';
  if (method === 'PUT' && type === 'MeasureReport' && segments.length === 2) return 'update';
  if (method === 'POST' && type === 'Measure' && id && operation === '$report-csv' && segments.length === 3) return 'report-csv';
  if (method === 'POST' && type === 'Bundle' && segments.length === 1) return 'bundle-create';
  return 'other';
}

function readBody(push: Push): void {
  const body = push.exchange.requestBody;
  const format = formatOfContentType(push.exchange.requestHeaders['content-type']);
  if (!format || !body || body.text.trim() === '') return;
  if (body.truncated) {
    push.bodyError = `the body (${body.size} bytes) was cut at the evidence capture limit`;
    return;
  }
  try {
    push.body = projectFormats.parse(body.text, format);
  } catch (err) {
    push.bodyError = `not valid FHIR ${format.toUpperCase()}: ${(err as Error).message}`;
  }
}

function assignedId(exchange: HttpExchange): string | undefined {
  const location = exchange.responseHeaders?.['location'];
  const match = location ? /(?:^|\/)MeasureReport\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/|$)/.exec(location) : null;
  if (match) return match[1];
  const format = formatOfContentType(exchange.responseHeaders?.['content-type']);
  const text = exchange.responseBody?.text;
  if (!format || !text || exchange.responseBody?.truncated) return undefined;
  try {
    const answer = projectFormats.parse(text, format);
    return answer.resourceType === 'MeasureReport' ? answer.id : undefined;
  } catch {
    return undefined;
  }
}

export function reportOf(p: Push): MeasureReport | undefined {
  return p.body?.resourceType === 'MeasureReport' ? (p.body as MeasureReport) : undefined;
}

function partyKey(ref: Reference | undefined): string {
  return ref?.reference ?? (ref?.identifier ? `${ref.identifier.system ?? ''}|${ref.identifier.value ?? ''}` : '');
}

/** Which report this is, whatever its version: the same measure, subject and period is the same report. */
export function reportKey(r: MeasureReport): string {
  const at = (s: string | undefined) => (s ? String(Date.parse(s)) : '');
  return [r.measure, partyKey(r.subject), at(r.period?.start), at(r.period?.end)].join(' ');
}

/** The Bundles of the Supplemental Data Option: batches at [base] and D5's collections at [base]/Bundle. */
export function supplementalBundles(pushes: readonly Push[]): { push: Push; bundle: Bundle }[] {
  return pushes.flatMap((p) => {
    if (p.body?.resourceType !== 'Bundle') return [];
    const bundle = p.body as Bundle;
    return p.kind === 'batch' || (p.kind === 'bundle-create' && bundle.type === 'collection') ? [{ push: p, bundle }] : [];
  });
}

/** The entry a reference in the Bundle points at: by fullUrl, by Type/id, or by the url of its request. */
export function entryReferenced(entries: readonly BundleEntry[], reference: string | undefined): BundleEntry | undefined {
  if (!reference) return undefined;
  return entries.find((e) => {
    const r = e.resource;
    const local = r?.id ? `${r.resourceType}/${r.id}` : undefined;
    return e.fullUrl === reference || (local !== undefined && (reference === local || reference.endsWith(`/${local}`))) || (e.request?.method === 'PUT' && e.request.url.replace(/^\/+/, '') === reference);
  });
}

/** What a $report-csv call carried: the CSV (input Binary, or a raw text/csv body) and its other parameters. */
export interface ReportCsvCall {
  /** The CSV text, when the call carried it as $report-csv takes it. */
  csv?: string;
  /** Why no CSV could be taken from the call. */
  problem?: string;
  params: Map<string, string[]>;
}

export function reportCsvCall(p: Push): ReportCsvCall {
  const params = new Map<string, string[]>();
  const add = (name: string, value: string) => params.set(name, [...(params.get(name) ?? []), value]);
  for (const [k, v] of new URL(p.exchange.url, 'http://x').searchParams) add(k, v);
  const text = p.exchange.requestBody?.text ?? '';
  if (p.media === 'text/csv' || p.media === 'application/csv') return text.trim() ? { csv: text, params } : { problem: 'the text/csv body is empty', params };
  const parameters = p.body?.resourceType === 'Parameters' ? (p.body as Parameters) : undefined;
  if (!parameters) return { problem: p.bodyError ?? `the body is neither a Parameters resource nor text/csv (Content-Type ${p.media ?? 'none'})`, params };
  let csv: string | undefined;
  let problem: string | undefined;
  for (const x of parameters.parameter ?? []) {
    const value = x.valueString ?? x.valueDate ?? x.valueDateTime ?? x.valueInstant ?? x.valueCode ?? x.valueUri;
    if (x.name !== 'input' && value !== undefined) add(x.name, value);
  }
  const given = (parameters.parameter ?? []).filter((x) => x.name === 'input');
  const binary = given[0]?.resource;
  if (given.length !== 1) problem = `input is given ${given.length} times; it is 1..1`;
  else if (binary?.resourceType !== 'Binary') problem = `input is ${binary ? `a ${binary.resourceType}` : 'not a resource'}, not a Binary`;
  else {
    const { contentType, data } = binary as { contentType?: string; data?: string };
    const media = mediaType(contentType);
    if (media !== 'text/csv' && media !== 'application/csv') problem = `the input Binary's contentType is ${contentType ?? 'missing'}, not text/csv`;
    else if (!data) problem = 'the input Binary carries no data';
    else csv = Buffer.from(data, 'base64').toString('utf8');
  }
  return { ...(csv !== undefined ? { csv } : {}), ...(problem ? { problem } : {}), params };
}
