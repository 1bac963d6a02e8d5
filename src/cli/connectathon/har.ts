/**
 * HAR files (HTTP Archive 1.2, as browsers, Postman and many proxies save them) read into recorded
 * exchanges. A HAR knows nothing of FHIR: the base URL is the part of each URL before its first
 * resource type, `metadata` or `$operation`, and the traffic to one base is taken (`--base` picks
 * it when there are several). Authorization and cookies are redacted as they are read; a bearer
 * token leaves only its hash, which tells one client from another.
 */
import type { BodyCapture, HttpExchange } from '../../http/exchange.js';
import { redactHeaders, tokenHash } from '../../fhir/server/exchange.js';
import { clientKey } from './client-identity.js';
import { CaptureError, type CaptureEntry } from './capture-entry.js';

interface HarHeader {
  name: string;
  value: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where the FHIR base of a URL ends: before its first resource type, `metadata` or `$operation`. */
export function fhirBaseOf(url: URL): string | undefined {
  const segments = url.pathname.split('/');
  const at = segments.findIndex((s, i) => i > 0 && (/^[A-Z][A-Za-z]+$/.test(s) || s === 'metadata' || s.startsWith('$')));
  return at < 0 ? undefined : `${url.origin}${segments.slice(0, at).join('/')}`;
}

function headersOf(file: string, where: string, list: unknown): Record<string, string> {
  if (!Array.isArray(list)) throw new CaptureError(`${file}: ${where}.headers is not a list`);
  const bag: Record<string, string> = {};
  for (const h of list as HarHeader[]) {
    if (!isObject(h) || typeof h.name !== 'string') throw new CaptureError(`${file}: ${where}.headers holds an entry without a name`);
    // HTTP/2 pseudo-headers (:authority, :path) are not request headers.
    if (h.name.startsWith(':')) continue;
    const name = h.name.toLowerCase();
    bag[name] = bag[name] !== undefined ? `${bag[name]}, ${String(h.value)}` : String(h.value);
  }
  return bag;
}

function bodyOf(text: unknown, encoding: unknown): BodyCapture | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const bytes = encoding === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { text: bytes.toString('utf8'), size: bytes.length, truncated: false };
}

function entryOf(file: string, e: unknown, i: number): { exchange: HttpExchange; url: URL; client: string } {
  const where = `log.entries[${i}]`;
  if (!isObject(e) || !isObject(e['request']) || !isObject(e['response'])) throw new CaptureError(`${file}: ${where} needs a request and a response`);
  const request = e['request'];
  const response = e['response'];
  if (typeof request['method'] !== 'string' || typeof request['url'] !== 'string') throw new CaptureError(`${file}: ${where}.request needs a method and a url`);
  let url: URL;
  try {
    url = new URL(request['url']);
  } catch {
    throw new CaptureError(`${file}: ${where}.request.url ${JSON.stringify(request['url'])} is not an absolute URL`);
  }
  const rawHeaders = headersOf(file, `${where}.request`, request['headers']);
  const hash = tokenHash(rawHeaders['authorization']);
  const status = typeof response['status'] === 'number' && response['status'] > 0 ? response['status'] : undefined;
  const postData = isObject(request['postData']) ? request['postData'] : undefined;
  const content = isObject(response['content']) ? response['content'] : undefined;
  const requestBody = bodyOf(postData?.['text'], postData?.['encoding']);
  const responseBody = bodyOf(content?.['text'], content?.['encoding']);
  const started = typeof e['startedDateTime'] === 'string' && !Number.isNaN(Date.parse(e['startedDateTime'])) ? new Date(e['startedDateTime']).toISOString() : undefined;
  if (!started) throw new CaptureError(`${file}: ${where}.startedDateTime is missing or not a date`);
  const exchange: HttpExchange = {
    direction: 'inbound',
    method: request['method'].toUpperCase(),
    url: url.href,
    requestHeaders: redactHeaders(rawHeaders),
    ...(requestBody ? { requestBody } : {}),
    ...(status !== undefined ? { status, responseHeaders: redactHeaders(headersOf(file, `${where}.response`, response['headers'])) } : { error: 'the HAR records no answer (status 0)' }),
    ...(status !== undefined && responseBody ? { responseBody } : {}),
    startedAt: started,
    ...(typeof e['time'] === 'number' && e['time'] >= 0 ? { durationMs: e['time'] } : {}),
    ...(hash ? { peer: { tokenHash: hash } } : {}),
  };
  return { exchange, url, client: clientKey(exchange.peer) };
}

/** The HAR's entries to one FHIR base, oldest first, as capture entries without a transaction. */
export function readHar(file: string, entries: readonly unknown[], base?: string): CaptureEntry[] {
  const read = entries.map((e, i) => entryOf(file, e, i));
  let chosen = base?.replace(/\/+$/, '');
  if (chosen === undefined) {
    const bases = [...new Set(read.flatMap((r) => fhirBaseOf(r.url) ?? []))];
    if (bases.length === 0) throw new CaptureError(`${file}: no request in the HAR goes to a FHIR base (a resource type, metadata or $operation in its path)`);
    if (bases.length > 1) throw new CaptureError(`${file}: the HAR holds traffic to several FHIR bases (${bases.join(', ')}); name one with --base`);
    chosen = bases[0]!;
  }
  const under = read.filter((r) => r.url.href === chosen || r.url.href.startsWith(`${chosen}/`) || r.url.href.startsWith(`${chosen}?`));
  if (under.length === 0) throw new CaptureError(`${file}: no request in the HAR goes to ${chosen}`);
  return under
    .sort((a, b) => a.exchange.startedAt.localeCompare(b.exchange.startedAt))
    .map((r, i) => ({ id: `har-${i + 1}`, source: 'har', baseUrl: chosen!, client: r.client, exchange: r.exchange }));
}
