/**
 * The load generator's own HTTP path: undici with a connection pool sized to the load, and none of
 * the evidence capture the conformance client does per exchange (which is built for a few hundred
 * requests, not thousands a second). Trust, client certificate, credentials and headers come from
 * the same settings as `run` (sutHttpConfig) through the same helpers, so TLS and mutual TLS behave
 * alike; credentials go only to the SUT's own origin.
 */
import { Agent } from 'undici';
import { authorizationHeader, DEFAULTS, tlsOptions, type HttpClientConfig } from '../http/client.js';
import type { Answer } from './checks.js';

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A path relative to the SUT's base URL, or an absolute URL (a next link, a status URL). */
  url: string;
  body?: string;
  headers?: Record<string, string>;
}

/** Why a request got no HTTP answer. */
export class NoAnswer extends Error {
  override name = 'NoAnswer';
  constructor(readonly failure: string) {
    super(failure);
  }
}

const FHIR_JSON = 'application/fhir+json';

export class LoadTransport {
  readonly #agent: Agent;
  readonly #base: URL;
  readonly #sutHeaders: Record<string, string>;

  /** `connections`: at most this many sockets to the SUT, the concurrency or the in-flight cap of the run. */
  constructor(baseUrl: string, http: HttpClientConfig, connections: number) {
    this.#base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    const requestMs = http.timeouts?.requestMs ?? DEFAULTS.requestMs;
    this.#agent = new Agent({
      connections,
      pipelining: 1,
      connect: { timeout: Math.min(requestMs, DEFAULTS.connectMs), ...tlsOptions(http.tls) },
      headersTimeout: requestMs,
      bodyTimeout: requestMs,
    });
    const headers: Record<string, string> = { accept: FHIR_JSON };
    const authorization = authorizationHeader(http.auth);
    if (authorization) headers['authorization'] = authorization;
    for (const [k, v] of Object.entries(http.headers ?? {})) headers[k.toLowerCase()] = v;
    this.#sutHeaders = headers;
  }

  get baseUrl(): string {
    return this.#base.toString();
  }

  resolve(url: string): URL {
    return new URL(url.replace(/^\/+/, ''), this.#base);
  }

  async send(req: LoadRequest, signal?: AbortSignal): Promise<Answer> {
    const target = this.resolve(req.url);
    // Configured headers carry credentials and API keys: a URL of another origin (a next link, a status URL) gets none of them.
    const own = target.origin === this.#base.origin;
    const headers: Record<string, string> = own ? { ...this.#sutHeaders } : { accept: FHIR_JSON };
    if (req.body !== undefined) headers['content-type'] = FHIR_JSON;
    Object.assign(headers, req.headers);
    let res;
    try {
      res = await this.#agent.request({ origin: target.origin, path: `${target.pathname}${target.search}`, method: req.method, headers, body: req.body ?? null, ...(signal ? { signal } : {}) });
    } catch (err) {
      throw new NoAnswer(failureOf(err));
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw new NoAnswer(failureOf(err));
    }
    return answerOf(res.statusCode, res.headers, text);
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

function answerOf(status: number, raw: Record<string, string | string[] | undefined>, text: string): Answer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  let parsed: { value: unknown } | undefined;
  return {
    status,
    headers,
    text,
    json() {
      if (!parsed) {
        try {
          parsed = { value: text.length ? JSON.parse(text) : undefined };
        } catch {
          parsed = { value: undefined };
        }
      }
      return parsed.value;
    },
  };
}

/** A short, id-free name for a transport failure, so equal failures count together. */
function failureOf(err: unknown): string {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) return 'connect timeout';
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT') || codes.includes('UND_ERR_BODY_TIMEOUT')) return 'timeout (requestMs)';
  if (codes.includes('ECONNREFUSED')) return 'connection refused';
  if (codes.includes('ECONNRESET') || codes.includes('UND_ERR_SOCKET') || codes.includes('EPIPE')) return 'connection closed by the server';
  if (codes.some((c) => c.startsWith('ERR_TLS') || c.includes('CERT'))) return `TLS (${codes.find((c) => c.startsWith('ERR_TLS') || c.includes('CERT'))})`;
  if (codes.includes('UND_ERR_ABORTED') || codes.includes('UND_ERR_DESTROYED') || codes.includes('UND_ERR_CLOSED')) return 'aborted';
  return codes[0] ?? (err instanceof Error ? err.name : 'unknown');
}
