/** Inbound evidence: every request a server receives and its response, as an HttpExchange. */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { BodyCapture, HttpExchange, Peer } from '../../http/exchange.js';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export const DEFAULT_CAPTURE_LIMIT = 256 * 1024;

type HeaderBag = Record<string, string | number | readonly string[] | undefined>;

export function redactHeaders(headers: HeaderBag): Record<string, string> {
  const out: Record<string, string> = {};
  // for…in rather than Object.entries: this runs twice for every recorded exchange, and the pairs array is garbage.
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const key = name.toLowerCase();
    out[key] = SECRET_HEADERS.has(key) ? '[redacted]' : Array.isArray(value) ? (value as readonly string[]).join(', ') : String(value);
  }
  return out;
}

/**
 * A body as captured: its text, cut at `limit` bytes, and the size of the whole. `decoded` is the
 * body's text when it has been decoded already, so a body that fits is never decoded twice.
 */
export function captureBody(body: string | Buffer, limit: number, decoded?: string): BodyCapture {
  // Most bodies are text that fits: kept as they are, without copying them to bytes and back.
  if (typeof body === 'string') {
    const size = Buffer.byteLength(body, 'utf8');
    if (size <= limit) return { text: body, size, truncated: false };
  } else if (decoded !== undefined && body.length <= limit) return { text: decoded, size: body.length, truncated: false };
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const truncated = bytes.length > limit;
  return {
    // A cut may split a multi-byte character; the decoder replaces the fragment instead of failing.
    text: (truncated ? bytes.subarray(0, limit) : bytes).toString('utf8'),
    size: bytes.length,
    truncated,
  };
}

/** What the server records while a request is in flight, completed into an exchange at the end. */
export interface ExchangeRecorder {
  /** Wall-clock start (ms since the epoch) for the record, and a monotonic one for the duration. */
  startedAt: number;
  startMs: number;
  /** Captured as the body is read, while its bytes are at hand. */
  requestBody?: BodyCapture;
}

export function startRecording(): ExchangeRecorder {
  return { startedAt: Date.now(), startMs: performance.now() };
}

/** A bearer token as a short hash: enough to tell one client's traffic from another's, never the token. */
export function tokenHash(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)/i.exec(authorization ?? '')?.[1];
  return token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : undefined;
}

/** The subject of the certificate a TLS client presented, as `CN=…, O=…`; undefined without one. */
export function certificateSubject(socket: Socket): string | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function') return undefined;
  const subject = tls.getPeerCertificate().subject as Record<string, string | string[]> | undefined;
  if (!subject || Object.keys(subject).length === 0) return undefined;
  return Object.entries(subject)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/** Each socket's last peer: a client sends many requests on one connection, mostly with the same Authorization. */
const peers = new WeakMap<Socket, { authorization: string | undefined; peer: Peer }>();

/** Who sent a request on this socket with this Authorization header. */
export function peerOf(socket: Socket, authorization: string | undefined): Peer {
  const known = peers.get(socket);
  if (known && known.authorization === authorization) return known.peer;
  const address = socket.remoteAddress?.replace(/^::ffff:/, '');
  const hash = tokenHash(authorization);
  const subject = certificateSubject(socket);
  const peer: Peer = { ...(address ? { address } : {}), ...(hash ? { tokenHash: hash } : {}), ...(subject ? { certificateSubject: subject } : {}) };
  peers.set(socket, { authorization, peer });
  return peer;
}

/**
 * Completes the recorded headers of an answer, taken as it is handed over, to those it goes out
 * with: the framework then adds Content-Length (the body's size, 0 without one, none for HEAD or a
 * status without content) and drops the content headers of 1xx and 204 answers.
 */
function addContentLength(headers: Record<string, string>, method: string, status: number, size: number | undefined): void {
  if (status < 200 || status === 204) {
    delete headers['content-type'];
    delete headers['content-length'];
  } else if (size !== undefined) {
    if (method !== 'HEAD' || headers['content-length'] === undefined) headers['content-length'] = String(size);
  } else if (status !== 304 && method !== 'HEAD') headers['content-length'] = '0';
}

/** The exchange of a request and the answer handed to the socket for it. */
export function finishExchange(
  rec: ExchangeRecorder,
  request: { method: string; url: string; headers: HeaderBag; contentLength?: number; peer?: Peer },
  response: { status: number; headers: HeaderBag; body?: string | Buffer | undefined },
  limit: number,
): HttpExchange {
  const responseBody = response.body === undefined ? undefined : captureBody(response.body, limit);
  const responseHeaders = redactHeaders(response.headers);
  addContentLength(responseHeaders, request.method, response.status, responseBody?.size);
  const exchange: HttpExchange = {
    direction: 'inbound',
    method: request.method,
    url: request.url,
    requestHeaders: redactHeaders(request.headers),
    status: response.status,
    responseHeaders,
    startedAt: new Date(rec.startedAt).toISOString(),
    durationMs: performance.now() - rec.startMs,
  };
  if (request.peer) exchange.peer = request.peer;
  if (rec.requestBody) {
    exchange.requestBody = rec.requestBody;
  } else if (request.contentLength) {
    // The body was refused before it was read (e.g. 413): record its announced size only.
    exchange.requestBody = { text: '', size: request.contentLength, truncated: true };
  }
  if (responseBody) exchange.responseBody = responseBody;
  return exchange;
}
