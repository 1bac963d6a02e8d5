/**
 * FHIR R4 content negotiation (http.html §2.21.0.6 "Content Types and encodings"): which format a
 * request body is in, and which format the response must use. Pure functions; the server maps its
 * fault modes onto the options so a simulator can break each rule on purpose.
 */
import { FhirError } from './errors.js';
import type { FhirFormat } from './format.js';

export type { FhirFormat };

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_XML = 'application/fhir+xml';

/** Values R4 says SHALL be understood (in `_format`, `Accept` and `Content-Type`). */
const STANDARD: Record<string, FhirFormat> = {
  [FHIR_JSON]: 'json',
  [FHIR_XML]: 'xml',
  json: 'json',
  xml: 'xml',
  'application/json': 'json',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

/** DSTU2 media types still sent by older clients; SANER-QM-PG-003/005 ask servers to accept them. */
const LEGACY: Record<string, FhirFormat> = {
  'application/json+fhir': 'json',
  'application/xml+fhir': 'xml',
};

/** The short and generic values, which `legacy-formats-406` refuses together with the DSTU2 types. */
const NON_FHIR_MIME = new Set(['json', 'xml', 'application/json', 'application/xml', 'text/xml']);

export interface NegotiationOptions {
  /** Understand the legacy and short values (default true). */
  legacy?: boolean;
}

export interface ResponseNegotiationOptions extends NegotiationOptions {
  /** Let `_format` override `Accept` (default true). */
  honourFormatParam?: boolean;
  /** Answer JSON instead of 406 when nothing requested is understood (default false). */
  fallbackToJson?: boolean;
}

export interface MediaRange {
  /** Lower-case `type/subtype` (or a wildcard range). */
  type: string;
  params: Record<string, string>;
  q: number;
}

function parseMediaRange(raw: string): MediaRange | undefined {
  const [head, ...rest] = raw.split(';');
  const type = normalizeFormatValue(head ?? '').toLowerCase();
  if (!type) return undefined;
  const params: Record<string, string> = {};
  let q = 1;
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const value = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (key === 'q') {
      const n = Number(value);
      q = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
    } else {
      params[key] = value;
    }
  }
  return { type, params, q };
}

/** The FHIR format a single value names (`_format` value, media type or media range), if understood. */
export function formatOfMediaType(value: string, options: NegotiationOptions = {}): FhirFormat | undefined {
  const range = parseMediaRange(normalizeFormatValue(value));
  if (!range) return undefined;
  const legacy = options.legacy ?? true;
  const standard = STANDARD[range.type];
  if (standard) return legacy || !NON_FHIR_MIME.has(range.type) ? standard : undefined;
  const old = LEGACY[range.type];
  return old && legacy ? old : undefined;
}

/**
 * `+` in an unencoded query string decodes to a space, so `_format=application/fhir+xml` arrives as
 * `application/fhir xml`; every server in the wild reads it back as `+`.
 */
function normalizeFormatValue(value: string): string {
  return value.trim().replace(/^([a-z]+\/[a-z.-]+) ([a-z.-]+)/i, '$1+$2');
}

/**
 * The media ranges of an Accept header, the one parser of it for servers, simulators and suites:
 * those refused with q=0 left out, the most wanted first (a stable sort keeps the client's order
 * between equal q-values).
 */
export function acceptedRanges(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map(parseMediaRange)
    .filter((r): r is MediaRange => r !== undefined && r.q > 0)
    .sort((a, b) => b.q - a.q);
}

/** The best format for an Accept header, or undefined when it lists nothing usable. */
export function formatFromAccept(accept: string, options: NegotiationOptions = {}): FhirFormat | undefined {
  for (const r of acceptedRanges(accept)) {
    // R4 version negotiation: a range pinned to another FHIR version is not something we serve.
    const version = r.params['fhirversion'];
    if (version && !version.startsWith('4.0')) continue;
    if (r.type === '*/*' || r.type === 'application/*') return 'json';
    if (r.type === 'text/*') return options.legacy === false ? undefined : 'xml';
    const f = formatOfMediaType(r.type, options);
    if (f) return f;
  }
  return undefined;
}

/**
 * The response format: `_format` wins over `Accept`; neither present means JSON. A request for
 * something this server cannot produce is a 406 (unless `fallbackToJson`).
 */
export function negotiateResponseFormat(request: { formatParam?: string | undefined; accept?: string | undefined }, options: ResponseNegotiationOptions = {}): FhirFormat {
  const honourParam = options.honourFormatParam ?? true;
  const param = honourParam ? request.formatParam?.trim() : undefined;
  if (param) {
    const f = formatOfMediaType(param, options);
    if (f) return f;
    if (options.fallbackToJson) return 'json';
    throw FhirError.of(406, 'not-supported', `_format '${param}' is not supported: use json or xml (application/fhir+json, application/fhir+xml)`, '_format');
  }
  const accept = request.accept?.trim();
  if (!accept) return 'json';
  const f = formatFromAccept(accept, options);
  if (f) return f;
  if (options.fallbackToJson) return 'json';
  throw FhirError.of(406, 'not-supported', `Accept '${accept}' lists no supported format: use application/fhir+json or application/fhir+xml`);
}

/** The format of a request body from its Content-Type; missing, unknown or non-UTF-8 is a 415. */
export function requestBodyFormat(contentType: string | undefined, options: NegotiationOptions = {}): FhirFormat {
  if (!contentType?.trim()) {
    throw FhirError.of(415, 'not-supported', 'a request body needs a Content-Type: application/fhir+json or application/fhir+xml');
  }
  const range = parseMediaRange(contentType);
  const charset = range?.params['charset']?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw FhirError.of(415, 'not-supported', `charset '${charset}' is not supported: FHIR content is UTF-8`);
  }
  const f = range?.type.includes('/') ? formatOfMediaType(range.type, options) : undefined;
  if (!f) {
    throw FhirError.of(415, 'not-supported', `Content-Type '${contentType}' is not supported: use application/fhir+json or application/fhir+xml`);
  }
  return f;
}

/** The media type part of a Content-Type header, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType ? parseMediaRange(contentType)?.type : undefined;
}

/** The Content-Type a FHIR response in this format carries. */
export function contentTypeOf(format: FhirFormat): string {
  return `${format === 'xml' ? FHIR_XML : FHIR_JSON}; charset=utf-8`;
}

/** `_pretty=true` asks for indented output. */
export function isPretty(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}
