/**
 * The evidence record of one HTTP exchange, in either direction: what the harness's client sent and
 * got, or what a simulator received and answered. Every layer above shares this one shape.
 */

export interface BodyCapture {
  /** The body as text, cut at the capture limit. */
  text: string;
  /** Size in bytes of the whole body as sent. */
  size: number;
  truncated: boolean;
}

/** One HTTP request and its response, made by the harness (outbound) or received by a simulator (inbound). */
export interface HttpExchange {
  direction: 'outbound' | 'inbound';
  method: string;
  url: string;
  /** Header names in lower case; secrets (authorization, cookie, set-cookie, configured secrets) replaced by `[redacted]`. */
  requestHeaders: Record<string, string>;
  requestBody?: BodyCapture;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: BodyCapture;
  /** ISO 8601 instant the request started. */
  startedAt: string;
  durationMs?: number;
  /** Transport failure (timeout, reset, redirect loop, …), when there was no usable response. */
  error?: string;
  /** Inbound only: who sent it, as the receiving server saw it. */
  peer?: Peer;
}

/**
 * Who sent an inbound request: the address it came from, a hash of its bearer token (never the
 * token) and the subject of the client certificate it presented over TLS.
 */
export interface Peer {
  address?: string;
  tokenHash?: string;
  certificateSubject?: string;
}
