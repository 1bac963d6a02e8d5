/**
 * The one parsed view of inbound traffic: every request a simulator received from a client SUT,
 * classified once (metadata, read, search, create, update, operation, batch, …), its parameters
 * read from the query and a form-encoded `_search` body, its body parsed by its Content-Type (a
 * body cut at the capture limit is said to be so, never guessed at), the answer parsed, the id a
 * create was given, and whether a GET followed a next link an earlier answer gave. Client suites,
 * `serve`'s inspector and `grade` filter this view; none parses traffic again.
 */
import type { Bundle, Resource } from 'fhir/r4.js';
import type { HttpExchange } from '../http/exchange.js';
import { formatOfContentType, projectFormats, type ResourceFormats, type WireFormat } from '../fhir/codec.js';
import type { ParseOutcome } from './fhir-client.js';
import { statusText } from './status-text.js';

export type Interaction = 'metadata' | 'read' | 'vread' | 'history' | 'search' | 'create' | 'update' | 'patch' | 'delete' | 'operation' | 'batch' | 'other';

export interface InboundRequest {
  exchange: HttpExchange;
  /** Base URL of the simulator that received it. */
  baseUrl: string;
  method: string;
  /** `POST /MeasureReport -> 201 Created`, decoded, for notes. */
  line: string;
  interaction: Interaction;
  /** The resource type in the path (`Bundle` for a POST to `[base]/Bundle`). */
  type?: string;
  id?: string;
  /** `$report-csv` and the like. */
  operation?: string;
  /** Path segments below the base, decoded. */
  segments: string[];
  /** Query parameters, then those of a form-encoded POST `_search` body, in order. */
  params: [string, string][];
  /** For a POST `_search`: whether its body was form-encoded as FHIR requires. */
  formBody?: boolean;
  /** The request's Content-Type media type, lower case, without parameters. */
  mediaType?: string;
  /** The FHIR format that media type names. */
  format?: WireFormat;
  /** The request body parsed by its Content-Type; absent when there was no body. */
  body?: ParseOutcome;
  status?: number;
  /** The answer was 2xx. */
  succeeded: boolean;
  /** The answer parsed, when it named a FHIR format and parsed (any status). */
  answer?: Resource;
  /** For a successful create: the id the server gave (Location, else the answer's id). */
  assignedId?: string;
  /** A GET of a next link an earlier answer gave, compared by decoded path and parameters. */
  followsLink: boolean;
}

/** Lower-case media type without parameters, or undefined for an empty header. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** Where an exchange went below a base URL: `path` like `/MeasureReport/1`, its decoded segments, and the whole URL. */
export function requestBelow(baseUrl: string, exchange: Pick<HttpExchange, 'url'>): { path: string; segments: string[]; url: URL } {
  const base = new URL(baseUrl);
  const url = new URL(exchange.url, base);
  const basePath = base.pathname.replace(/\/+$/, '');
  const below = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
  const path = below.startsWith('/') ? below : `/${below}`;
  return { path, segments: path.split('/').filter(Boolean).map(safeDecode), url };
}

/**
 * A URL's identity for "was this link requested": its decoded path and its decoded parameters in
 * sorted order, so `a=1&b=x%2Cy` and `b=x,y&a=1` are the same request.
 */
export function requestKey(url: URL): string {
  const params = [...url.searchParams].map(([k, v]) => `${k}=${v}`).sort();
  return `${safeDecode(url.pathname).replace(/\/+$/, '')}?${params.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseBody(text: string, truncated: boolean, size: number, format: WireFormat | undefined, media: string | undefined, formats: ResourceFormats): ParseOutcome {
  if (truncated) return { ok: false, error: `the body (${size} bytes) was cut at the evidence capture limit and cannot be parsed` };
  if (!format) return { ok: false, error: `the body has Content-Type ${media ?? '(none)'}, which names no FHIR format` };
  try {
    return { ok: true, resource: formats.parse(text, format) };
  } catch (err) {
    return { ok: false, error: `the body is not valid FHIR ${format.toUpperCase()}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function answerOf(exchange: HttpExchange, formats: ResourceFormats): Resource | undefined {
  const format = formatOfContentType(exchange.responseHeaders?.['content-type']);
  const body = exchange.responseBody;
  if (!format || !body || body.truncated || body.text.trim() === '') return undefined;
  try {
    return formats.parse(body.text, format);
  } catch {
    return undefined;
  }
}

function classify(method: string, segments: readonly string[]): Pick<InboundRequest, 'interaction' | 'type' | 'id' | 'operation'> {
  const [first, second, third, fourth] = segments;
  // Segments are never undefined, so testing the next one for presence is testing the count, and
  // narrows the ones before it for the compiler.
  if (first === undefined) return { interaction: method === 'POST' ? 'batch' : 'other' };
  if (first === 'metadata' && segments.length === 1) return { interaction: method === 'GET' ? 'metadata' : 'other' };
  if (first.startsWith('$')) return { interaction: 'operation', operation: first };
  if (!/^[A-Z][A-Za-z]+$/.test(first)) return { interaction: 'other' };
  const type = first;
  if (second === undefined) {
    if (method === 'GET') return { interaction: 'search', type };
    if (method === 'POST') return { interaction: 'create', type };
    return { interaction: method === 'PUT' ? 'update' : 'other', type };
  }
  if (second === '_search' && segments.length === 2) return { interaction: method === 'POST' ? 'search' : 'other', type };
  if (second === '_history' && segments.length === 2) return { interaction: 'history', type };
  if (second.startsWith('$') && segments.length === 2) return { interaction: 'operation', type, operation: second };
  const id = second;
  if (third === undefined) {
    const byMethod: Record<string, Interaction> = { GET: 'read', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
    return { interaction: byMethod[method] ?? 'other', type, id };
  }
  if (third.startsWith('$') && segments.length === 3) return { interaction: 'operation', type, id, operation: third };
  if (third === '_history') return { interaction: fourth !== undefined && segments.length === 4 ? 'vread' : 'history', type, id };
  return { interaction: 'other', type, id };
}

function assignedIdOf(exchange: HttpExchange, type: string | undefined, answer: Resource | undefined): string | undefined {
  const location = exchange.responseHeaders?.['location'];
  const match = location && type ? new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/|$)`).exec(location) : null;
  if (match) return match[1];
  return answer?.resourceType === type ? answer?.id : undefined;
}

/**
 * The parsed pieces of an exchange, kept once per recorded exchange (which never changes after it
 * is recorded): a recording polled while traffic settles, or a Data Source's large answers, are
 * parsed once, not on every look.
 */
const parsedPieces = new WeakMap<HttpExchange, { body: ParseOutcome | undefined; answer: Resource | undefined }>();

function piecesOf(
  exchange: HttpExchange,
  read: () => { body: ParseOutcome | undefined; answer: Resource | undefined },
  formats: ResourceFormats,
): { body: ParseOutcome | undefined; answer: Resource | undefined } {
  if (formats !== projectFormats) return read();
  let pieces = parsedPieces.get(exchange);
  if (!pieces) {
    pieces = read();
    parsedPieces.set(exchange, pieces);
  }
  return pieces;
}

/** Reads a simulator's inbound exchanges, oldest first, into the one view every client suite judges. */
export function readInbound(exchanges: readonly HttpExchange[], baseUrl: string, formats: ResourceFormats = projectFormats): InboundRequest[] {
  const nextLinks = new Set<string>();
  return exchanges.map((exchange) => {
    const { path, segments, url } = requestBelow(baseUrl, exchange);
    const method = exchange.method.toUpperCase();
    const kind = classify(method, segments);
    const params: [string, string][] = [...url.searchParams];
    const mediaType = mediaTypeOf(exchange.requestHeaders['content-type']);
    const format = formatOfContentType(mediaType);
    const text = exchange.requestBody?.text ?? '';
    let formBody: boolean | undefined;
    const postSearch = kind.interaction === 'search' && method === 'POST';
    if (postSearch) {
      formBody = mediaType === 'application/x-www-form-urlencoded';
      if (formBody && text) params.push(...new URLSearchParams(text));
    }
    const { body, answer } = piecesOf(
      exchange,
      () => ({
        body:
          !postSearch && (text.trim() !== '' || (exchange.requestBody?.size ?? 0) > 0)
            ? parseBody(text, exchange.requestBody?.truncated ?? false, exchange.requestBody?.size ?? 0, format, mediaType, formats)
            : undefined,
        answer: answerOf(exchange, formats),
      }),
      formats,
    );
    const succeeded = exchange.status !== undefined && exchange.status >= 200 && exchange.status < 300;
    const assignedId = kind.interaction === 'create' && succeeded ? assignedIdOf(exchange, kind.type, answer) : undefined;
    const request: InboundRequest = {
      exchange,
      baseUrl,
      method,
      line: `${method} ${safeDecode(path)}${safeDecode(url.search)}${exchange.status !== undefined ? ` -> ${statusText(exchange.status)}` : ''}`,
      ...kind,
      segments,
      params,
      ...(formBody !== undefined ? { formBody } : {}),
      ...(mediaType ? { mediaType } : {}),
      ...(format ? { format } : {}),
      ...(body ? { body } : {}),
      ...(exchange.status !== undefined ? { status: exchange.status } : {}),
      succeeded,
      ...(answer ? { answer } : {}),
      ...(assignedId ? { assignedId } : {}),
      followsLink: method === 'GET' && nextLinks.has(requestKey(url)),
    };
    if (answer?.resourceType === 'Bundle') {
      for (const link of (answer as Bundle).link ?? []) if (link.relation === 'next') nextLinks.add(requestKey(new URL(link.url, new URL(baseUrl))));
    }
    return request;
  });
}

/** The request's parameter values by name. */
export function paramValues(request: Pick<InboundRequest, 'params'>, name: string): string[] {
  return request.params.filter(([k]) => k === name).map(([, v]) => v);
}

/** The parsed request body, when it parsed. */
export function bodyOf<T extends Resource = Resource>(request: Pick<InboundRequest, 'body'>): T | undefined {
  return request.body?.ok ? (request.body.resource as T) : undefined;
}
