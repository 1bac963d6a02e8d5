/** Reading an inbound request: its path below the FHIR base, its query, and its body as UTF-8 text. */
import { FhirError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text; invalid UTF-8 is a client mistake (400), not something to guess at. */
export function decodeBody(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (!(body instanceof Uint8Array)) return undefined;
  try {
    return utf8.decode(body);
  } catch {
    throw FhirError.of(400, 'invalid', 'the request body is not valid UTF-8');
  }
}

export interface ParsedUrl {
  /** Path segments below the base, decoded. */
  segments: string[];
  /** Query parameters in order, decoded, repeated names kept. */
  query: Array<[string, string]>;
  rawQuery: string;
}

/** Splits `url` (path and query as received) into segments below `prefix` and query pairs. */
export function parseRequestUrl(url: string, prefix: string): ParsedUrl {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const below = prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path;
  const segments = below
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw FhirError.of(400, 'invalid', `malformed percent-encoding in path segment '${s}'`);
      }
    });
  return { segments, query: [...new URLSearchParams(rawQuery)], rawQuery };
}

/** The segments of a URL for reporting, even when it is malformed. */
export function safeSegments(url: string, prefix: string): string[] {
  try {
    return parseRequestUrl(url, prefix).segments;
  } catch {
    return [];
  }
}

export function firstValue(query: Array<[string, string]>, name: string): string | undefined {
  return query.find(([n]) => n === name)?.[1];
}

/** A header as one string (repeated headers joined), or undefined. */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** `Prefer` header preferences, e.g. `return=minimal`, `handling=strict`. */
export function preference(headers: Record<string, string | string[] | undefined>, key: string): string | undefined {
  const prefer = headerValue(headers, 'prefer');
  if (!prefer) return undefined;
  for (const part of prefer.split(/[,;]/)) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (k?.toLowerCase() === key && v) return v.replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

const TYPE_NAME = /^[A-Z][A-Za-z]{1,63}$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function isTypeName(s: string): boolean {
  return TYPE_NAME.test(s);
}

export function isValidId(s: string): boolean {
  return ID.test(s);
}
