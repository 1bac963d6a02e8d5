/**
 * The load generator's own HTTP path: undici with a connection pool sized to the load, and none of
 * the evidence capture the conformance client does per exchange (which is built for a few hundred
 * requests, not thousands a second). Trust, client certificate, credentials and headers come from
 * the same settings as `run` (sutHttpConfig) through the same helpers, so TLS and mutual TLS behave
 * alike; credentials go only to the SUT's own origin.
 */
import { Agent, type Dispatcher } from 'undici';
import { authorizationHeader, tlsOptions, type HttpClientConfig } from '../http/client.js';
import { TIMEOUTS } from '../http/timeouts.js';
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
  readonly #origin: string;
  readonly #basePath: string;
  readonly #sutHeaders: Record<string, string>;
  /** The SUT's headers as undici's flat array, with and without a body: built once, not per request. */
  readonly #flat: { bare: string[]; withBody: string[] };
  readonly #inFlight = new Set<Dispatcher.DispatchController>();

  /** `connections`: at most this many sockets to the SUT, the concurrency or the in-flight cap of the run. */
  constructor(baseUrl: string, http: HttpClientConfig, connections: number) {
    this.#base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.#basePath = this.#base.pathname;
    this.#origin = this.#base.origin;
    const requestMs = http.timeouts?.requestMs ?? TIMEOUTS.requestMs;
    this.#agent = new Agent({
      connections,
      pipelining: 1,
      connect: { timeout: Math.min(requestMs, TIMEOUTS.connectMs), ...tlsOptions(http.tls) },
      headersTimeout: requestMs,
      bodyTimeout: requestMs,
    });
    const headers: Record<string, string> = { accept: FHIR_JSON };
    const authorization = authorizationHeader(http.auth);
    if (authorization) headers['authorization'] = authorization;
    for (const [k, v] of Object.entries(http.headers ?? {})) headers[k.toLowerCase()] = v;
    this.#sutHeaders = headers;
    const bare = Object.entries(headers).flat();
    this.#flat = { bare, withBody: [...bare, 'content-type', FHIR_JSON] };
  }

  get baseUrl(): string {
    return this.#base.toString();
  }

  /**
   * Sends one request and collects its answer. undici's dispatch interface is used rather than
   * request(): no stream per answer, which at thousands of requests a second is most of the cost.
   */
  send(req: LoadRequest): Promise<Answer> {
    let origin = this.#origin;
    let path: string;
    let own = true;
    // Most URLs are relative to the base: the scheme test runs only on those that may not be.
    if (req.url.includes(':') && /^[a-z][a-z0-9+.-]*:/i.test(req.url)) {
      const target = new URL(req.url);
      origin = target.origin;
      path = `${target.pathname}${target.search}`;
      // Configured headers carry credentials and API keys: a URL of another origin (a next link, a status URL) gets none of them.
      own = origin === this.#origin;
    } else {
      path = this.#basePath + (req.url.charCodeAt(0) === 47 ? req.url.replace(/^\/+/, '') : req.url);
    }
    let headers: string[] | Record<string, string>;
    if (own && !req.headers) headers = req.body === undefined ? this.#flat.bare : this.#flat.withBody;
    else {
      headers = own ? { ...this.#sutHeaders } : { accept: FHIR_JSON };
      if (req.body !== undefined) headers['content-type'] = FHIR_JSON;
      if (req.headers) Object.assign(headers, req.headers);
    }
    return new Promise<Answer>((resolve, reject) => {
      this.#agent.dispatch({ origin, path, method: req.method, headers, body: req.body ?? null }, new Collector(this.#inFlight, resolve, reject));
    });
  }

  /** Aborts every request in flight (Ctrl-C). */
  abortAll(): void {
    for (const c of this.#inFlight) c.abort(new Error('interrupted'));
    this.#inFlight.clear();
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/** One request's handler: a single object per request, where callbacks as closures would be five. */
class Collector implements Dispatcher.DispatchHandler {
  #status = 0;
  /** Set when the answer starts, which undici does before any end. */
  #headers: Record<string, string> | undefined;
  /** Most answers come in one chunk: an array only for the second. */
  #first: Buffer | undefined;
  #more: Buffer[] | undefined;
  #controller: Dispatcher.DispatchController | undefined;

  constructor(
    readonly inFlight: Set<Dispatcher.DispatchController>,
    readonly resolve: (answer: Answer) => void,
    readonly reject: (err: NoAnswer) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    this.inFlight.add(controller);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, raw: Record<string, string | string[] | undefined>): void {
    this.#status = statusCode;
    this.#headers = flatten(raw);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#first) this.#first = chunk;
    else {
      this.#more ??= [this.#first];
      this.#more.push(chunk);
    }
  }

  onResponseEnd(): void {
    if (this.#controller) this.inFlight.delete(this.#controller);
    const text = this.#more ? Buffer.concat(this.#more).toString('utf8') : this.#first ? this.#first.toString('utf8') : '';
    this.resolve(new LoadAnswer(this.#status, this.#headers ?? {}, text));
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.#controller) this.inFlight.delete(this.#controller);
    this.reject(new NoAnswer(failureOf(err)));
  }
}

/** undici's header object for this answer, with repeated headers joined: made in place, since undici makes a new one per answer. */
function flatten(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const k in raw) {
    const v = raw[k];
    if (Array.isArray(v)) raw[k] = v.join(', ');
    else if (v === undefined) delete raw[k];
  }
  return raw as Record<string, string>;
}

class LoadAnswer implements Answer {
  #parsed: { value: unknown } | undefined;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly text: string,
  ) {}

  /** The body as JSON, parsed on first use (most answers are judged on their status alone). */
  json(): unknown {
    if (!this.#parsed) {
      try {
        this.#parsed = { value: this.text.length ? JSON.parse(this.text) : undefined };
      } catch {
        this.#parsed = { value: undefined };
      }
    }
    return this.#parsed.value;
  }
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
