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
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    out[key] = SECRET_HEADERS.has(key) ? '[redacted]' : Array.isArray(value) ? (value as readonly string[]).join(', ') : String(value);
  }
  return out;
}

function captureBody(body: string | Buffer, limit: number): BodyCapture {
  // Most answers are text that fits: kept as they are, without copying them to bytes and back.
  if (typeof body === 'string') {
    const size = Buffer.byteLength(body, 'utf8');
    if (size <= limit) return { text: body, size, truncated: false };
  }
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
  startedAt: Date;
  startNs: bigint;
  requestBody?: Buffer;
  responseBody?: string | Buffer;
}

export function startRecording(): ExchangeRecorder {
  return { startedAt: new Date(), startNs: process.hrtime.bigint() };
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

/** Who sent a request on this socket with this Authorization header. */
export function peerOf(socket: Socket, authorization: string | undefined): Peer {
  const address = socket.remoteAddress?.replace(/^::ffff:/, '');
  const hash = tokenHash(authorization);
  const subject = certificateSubject(socket);
  return { ...(address ? { address } : {}), ...(hash ? { tokenHash: hash } : {}), ...(subject ? { certificateSubject: subject } : {}) };
}

export function finishExchange(
  rec: ExchangeRecorder,
  request: { method: string; url: string; headers: HeaderBag; contentLength?: number; peer?: Peer },
  response: { status: number; headers: HeaderBag },
  limit: number,
): HttpExchange {
  const exchange: HttpExchange = {
    direction: 'inbound',
    method: request.method,
    url: request.url,
    requestHeaders: redactHeaders(request.headers),
    status: response.status,
    responseHeaders: redactHeaders(response.headers),
    startedAt: rec.startedAt.toISOString(),
    durationMs: Number(process.hrtime.bigint() - rec.startNs) / 1e6,
    ...(request.peer ? { peer: request.peer } : {}),
  };
  if (rec.requestBody) {
    exchange.requestBody = captureBody(rec.requestBody, limit);
  } else if (request.contentLength) {
    // The body was refused before it was read (e.g. 413): record its announced size only.
    exchange.requestBody = { text: '', size: request.contentLength, truncated: true };
  }
  if (rec.responseBody !== undefined) exchange.responseBody = captureBody(rec.responseBody, limit);
  return exchange;
}
