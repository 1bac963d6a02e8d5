/**
 * A Measure Source's pushes read the way the Produce Measure tests judge them: the engine's one
 * inbound view of each request, named by what it is for a Measure Consumer (create, update,
 * $report-csv, batch, …), and the report identity (measure, subject, period) that tells a revision
 * from a new report.
 */
import type { Bundle, BundleEntry, MeasureReport, Parameters, Reference } from 'fhir/r4.js';
import { bodyOf, mediaTypeOf, type InboundRequest } from '../../../src/engine/index.js';

export type PushKind = 'metadata' | 'create' | 'update' | 'report-csv' | 'batch' | 'bundle-create' | 'other';

/** One request of the source, as the engine parsed it, with what it is in Produce Measure terms. */
export interface Push extends InboundRequest {
  kind: PushKind;
}

export function kindOf(r: InboundRequest): PushKind {
  if (r.interaction === 'metadata') return 'metadata';
  if (r.interaction === 'batch') return 'batch';
  if (r.interaction === 'create' && r.type === 'MeasureReport') return 'create';
  if (r.interaction === 'update' && r.type === 'MeasureReport') return 'update';
  if (r.interaction === 'operation' && r.type === 'Measure' && r.id && r.operation === '$report-csv') return 'report-csv';
  if (r.interaction === 'create' && r.type === 'Bundle') return 'bundle-create';
  return 'other';
}

export const asPushes = (requests: readonly InboundRequest[]): Push[] => requests.map((r) => ({ ...r, kind: kindOf(r) }));

/** The lower-case media type of a header value, without parameters. */
export const mediaType = mediaTypeOf;

export function reportOf(p: InboundRequest): MeasureReport | undefined {
  const body = bodyOf(p);
  return body?.resourceType === 'MeasureReport' ? (body as MeasureReport) : undefined;
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
    const bundle = bodyOf<Bundle>(p);
    if (bundle?.resourceType !== 'Bundle') return [];
    return p.kind === 'batch' || (p.kind === 'bundle-create' && bundle.type === 'collection') ? [{ push: p, bundle }] : [];
  });
}

/** The entry a reference in the Bundle points at: by fullUrl, by Type/id, or by the url of its request. */
export function entryReferenced(entries: readonly BundleEntry[], reference: string | undefined): BundleEntry | undefined {
  if (!reference) return undefined;
  return entries.find((e) => {
    const r = e.resource;
    const local = r?.id ? `${r.resourceType}/${r.id}` : undefined;
    return (
      e.fullUrl === reference || (local !== undefined && (reference === local || reference.endsWith(`/${local}`))) || (e.request?.method === 'PUT' && e.request.url.replace(/^\/+/, '') === reference)
    );
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
  if (p.mediaType === 'text/csv' || p.mediaType === 'application/csv') return text.trim() ? { csv: text, params } : { problem: 'the text/csv body is empty', params };
  const body = bodyOf(p);
  const parameters = body?.resourceType === 'Parameters' ? (body as Parameters) : undefined;
  if (!parameters) return { problem: p.body && !p.body.ok ? p.body.error : `the body is neither a Parameters resource nor text/csv (Content-Type ${p.mediaType ?? 'none'})`, params };
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

export const succeeded = (p: InboundRequest): boolean => p.succeeded;
