/** Inbound evidence: every request a server receives and its response, as an HttpExchange. */
import type { BodyCapture, HttpExchange } from '../../http/exchange.js';

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

export function finishExchange(
  rec: ExchangeRecorder,
  request: { method: string; url: string; headers: HeaderBag; contentLength?: number },
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
