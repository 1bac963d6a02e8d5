/**
 * The one HTTP client every suite uses. It records each exchange as evidence (secrets redacted,
 * bodies captured up to a limit) and turns every way a SUT can misbehave on the wire (hanging,
 * trickling, resetting, redirecting in circles, answering too much) into a TransportError with a
 * message a person can act on, never a stuck run.
 */
import { readFileSync } from 'node:fs';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import type { BodyCapture, HttpExchange } from './exchange.js';
import { REDACTED } from './redact.js';
import { TIMEOUTS } from './timeouts.js';

export interface HttpTimeouts {
  /** The whole request, connect to last byte. */
  requestMs?: number;
  /** TCP + TLS connect. */
  connectMs?: number;
  /** From sending the request to the end of the response headers. */
  headersMs?: number;
  /** Deadline for the whole response body once headers arrived, so a trickling server cannot stall a test. */
  bodyMs?: number;
}

export type HttpAuth = { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };

export interface HttpClientConfig {
  /** Relative request paths resolve against it. */
  baseUrl?: string;
  tls?: {
    /** PEM file with the CA(s) that sign the SUT's certificate. */
    caFile?: string;
    /** PEM text, as an alternative to caFile. */
    ca?: string;
    /** Accept any certificate; explicit opt-in only. */
    insecure?: boolean;
    /**
     * Client certificate and key (PEM text) for servers that demand mutual TLS, as ATNA node
     * authentication does; the key and its passphrase are secrets, redacted like the others.
     */
    cert?: string;
    key?: string;
    passphrase?: string;
  };
  auth?: HttpAuth;
  /** Sent with every request (e.g. an API key header); values listed in `secrets` are redacted in evidence. */
  headers?: Record<string, string>;
  timeouts?: HttpTimeouts;
  /** Responses larger than this are aborted with an error. Default 20 MiB. */
  maxResponseBytes?: number;
  /** Bodies are captured in evidence up to this many bytes. Default 256 KiB. */
  captureBytes?: number;
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number;
  /** Values replaced by `[redacted]` wherever they appear in evidence (headers, URLs, bodies). */
  secrets?: string[];
  /** Replaces the network, e.g. an undici MockAgent in tests. */
  dispatcher?: Dispatcher;
}

export type QueryValue = string | number | boolean | readonly (string | number | boolean)[] | undefined;

export interface HttpRequest {
  method?: string;
  /** Absolute URL, or a path relative to the base URL. */
  url: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Default true. False returns a 3xx as is, e.g. to inspect a 303 of an asynchronous exchange. */
  followRedirects?: boolean;
  signal?: AbortSignal;
  /**
   * Sent as a client that does not authenticate itself: without the configured credentials (`auth`,
   * and the configured `headers`, where API keys travel) and without the client certificate. Headers
   * given with this request still go, e.g. a wrong credential on purpose.
   */
  anonymous?: boolean;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case; repeated headers joined by `, `. */
  headers: Record<string, string>;
  /** URL that produced this response, after redirects. */
  url: string;
  body: Uint8Array;
  text: string;
  /** Evidence for this response (redacted). */
  exchange: HttpExchange;
}

export type TransportFailure = 'timeout' | 'connect' | 'reset' | 'tls' | 'redirect' | 'too-large' | 'aborted' | 'other';

/** The client was asked for something it cannot do (a URL it cannot build, TLS settings that do not fit): a harness or configuration mistake, not the SUT's. */
export class HttpConfigError extends Error {
  override name = 'HttpConfigError';
}

/** The SUT gave no usable response; the message says what happened and on which request. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly failure: TransportFailure,
    readonly exchange: HttpExchange,
  ) {
    super(message);
  }
}

/** Limits that are not timeouts; those are TIMEOUTS (./timeouts.ts). */
const DEFAULTS = {
  maxResponseBytes: 20 * 1024 * 1024,
  captureBytes: 256 * 1024,
  maxRedirects: 5,
} as const;

const ALWAYS_REDACTED = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export type ExchangeListener = (exchange: HttpExchange) => void;

export class HttpClient {
  readonly config: Readonly<HttpClientConfig>;
  readonly #dispatcher: Dispatcher;
  /** Connections without the client certificate, for anonymous requests; made on first use, shared like the others. */
  readonly #anonymous: { agent?: Dispatcher };
  readonly #ownsDispatcher: boolean;
  readonly #secrets: string[];
  readonly #listener: ExchangeListener | undefined;
  readonly #signal: AbortSignal | undefined;
  /** The SUT's origin, where credentials go; without a base URL, requests go where they are sent with them. */
  readonly #ownOrigin: string | undefined;

  constructor(config: HttpClientConfig = {}, listener?: ExchangeListener, shared?: { dispatcher: Dispatcher; anonymous: { agent?: Dispatcher }; secrets: string[]; signal?: AbortSignal }) {
    this.config = config;
    this.#ownOrigin = config.baseUrl ? new URL(config.baseUrl).origin : undefined;
    this.#listener = listener;
    this.#signal = shared?.signal;
    if (shared) {
      this.#dispatcher = shared.dispatcher;
      this.#anonymous = shared.anonymous;
      this.#secrets = shared.secrets;
      this.#ownsDispatcher = false;
      return;
    }
    this.#secrets = secretsOf(config);
    this.#ownsDispatcher = !config.dispatcher;
    this.#dispatcher = config.dispatcher ?? agentFor(config, config.tls);
    // Without a client certificate there is nothing to leave out: anonymous requests share the connections.
    this.#anonymous = config.dispatcher || config.tls?.cert === undefined ? { agent: this.#dispatcher } : {};
  }

  /**
   * A client sharing this one's connections and settings, reporting exchanges to `listener` (e.g. the
   * current test); `signal` aborts all its requests (the test ended, timed out or was interrupted).
   */
  withListener(listener: ExchangeListener, options: { baseUrl?: string; signal?: AbortSignal } = {}): HttpClient {
    const { signal, ...overrides } = options;
    return new HttpClient({ ...this.config, ...overrides }, listener, { dispatcher: this.#dispatcher, anonymous: this.#anonymous, secrets: this.#secrets, ...(signal ? { signal } : {}) });
  }

  /** Replaces configured secrets in any text headed for evidence. */
  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join(REDACTED);
    return out;
  }

  resolve(url: string, query?: Record<string, QueryValue>): string {
    let target: URL;
    try {
      target = this.config.baseUrl ? new URL(url.replace(/^\/+/, ''), withTrailingSlash(this.config.baseUrl)) : new URL(url);
    } catch {
      throw new HttpConfigError(`cannot build a URL from ${JSON.stringify(url)}${this.config.baseUrl ? ` and base ${this.config.baseUrl}` : ' (no base URL configured)'}`);
    }
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) target.searchParams.append(name, String(v));
    }
    return target.toString();
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const maxRedirects = this.config.maxRedirects ?? DEFAULTS.maxRedirects;
    let method = (req.method ?? 'GET').toUpperCase();
    let url = this.resolve(req.url, req.query);
    let body = req.body;
    // Credentials (the Authorization header and the configured headers, where API keys travel) are
    // for the SUT's origin: not for a link to another server, nor for its address asked over plain http.
    let headers = this.#outgoingHeaders(req.headers, body, req.anonymous === true);
    if (this.#ownOrigin !== undefined && new URL(url).origin !== this.#ownOrigin) headers = this.#dropCredentials(headers);
    const chain = [url];
    const signal = req.signal && this.#signal ? AbortSignal.any([req.signal, this.#signal]) : (req.signal ?? this.#signal);
    let dispatcher = this.#dispatcher;
    if (req.anonymous) {
      this.#anonymous.agent ??= agentFor(this.config, trustOnly(this.config.tls));
      dispatcher = this.#anonymous.agent;
    }
    for (;;) {
      const res = await this.#once(method, url, headers, body, signal, dispatcher);
      const location = res.headers['location'];
      if (req.followRedirects === false || !REDIRECT_STATUSES.has(res.status) || !location) return res;
      const next = new URL(location, url).toString();
      if (chain.includes(next)) {
        throw this.#fail(`redirect loop: ${[...chain, next].join(' -> ')}`, 'redirect', method, next, headers, body);
      }
      if (chain.length > maxRedirects) {
        throw this.#fail(`more than ${maxRedirects} redirects: ${[...chain, next].join(' -> ')}`, 'redirect', method, next, headers, body);
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = dropBodyHeaders(headers);
      }
      // Credentials are for the SUT's origin only; a redirect elsewhere must not carry them.
      if (new URL(next).origin !== new URL(url).origin) headers = this.#dropCredentials(headers);
      chain.push(next);
      url = next;
    }
  }

  async close(): Promise<void> {
    if (!this.#ownsDispatcher) return;
    const anonymous = this.#anonymous.agent;
    await this.#dispatcher.close();
    if (anonymous && anonymous !== this.#dispatcher) await anonymous.close();
  }

  /** Authorization, cookies and the configured headers, removed for a request leaving the SUT's origin. */
  #dropCredentials(headers: Record<string, string>): Record<string, string> {
    const configured = new Set(Object.keys(this.config.headers ?? {}).map((k) => k.toLowerCase()));
    return Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'authorization' && k !== 'cookie' && !configured.has(k)));
  }

  #outgoingHeaders(extra: Record<string, string> | undefined, body: string | Uint8Array | undefined, anonymous: boolean): Record<string, string> {
    const headers: Record<string, string> = {};
    const authorization = anonymous ? undefined : authorizationHeader(this.config.auth);
    if (authorization) headers['authorization'] = authorization;
    if (!anonymous) for (const [k, v] of Object.entries(this.config.headers ?? {})) headers[k.toLowerCase()] = v;
    for (const [k, v] of Object.entries(extra ?? {})) headers[k.toLowerCase()] = v;
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/fhir+json';
    return headers;
  }

  async #once(method: string, url: string, headers: Record<string, string>, body: string | Uint8Array | undefined, outer: AbortSignal | undefined, dispatcher: Dispatcher): Promise<HttpResponse> {
    const started = Date.now();
    const exchange = this.#outbound(method, url, headers, body, started);
    const local = new AbortController();
    let cause: { failure: TransportFailure; message: string } | undefined;
    const abort = (failure: TransportFailure, message: string) => {
      cause ??= { failure, message };
      local.abort(new Error(message));
    };
    const onOuterAbort = () => abort('aborted', `request aborted: ${reasonText(outer?.reason)}`);
    if (outer?.aborted) onOuterAbort();
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const requestMs = this.config.timeouts?.requestMs ?? TIMEOUTS.requestMs;
    const deadline = setTimeout(() => abort('timeout', `no complete response within ${requestMs} ms (requestMs)`), requestMs);
    const finish = (extra: Partial<HttpExchange>): HttpExchange => {
      Object.assign(exchange, extra, { durationMs: Date.now() - started });
      this.#listener?.(exchange);
      return exchange;
    };
    let bodyTimer: NodeJS.Timeout | undefined;
    try {
      let res: Dispatcher.ResponseData;
      try {
        res = await undiciRequest(url, {
          method: method as Dispatcher.HttpMethod,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: local.signal,
          dispatcher,
        });
      } catch (err) {
        const { failure, message } = cause ?? describeFailure(err, this.config, url);
        throw new TransportError(`${method} ${exchange.url}: ${message}`, failure, finish({ error: message }));
      }
      const responseHeaders = flattenHeaders(res.headers);
      const bodyMs = this.config.timeouts?.bodyMs ?? TIMEOUTS.bodyMs;
      const maxBytes = this.config.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
      const chunks: Buffer[] = [];
      let size = 0;
      const declared = Number(responseHeaders['content-length']);
      if (declared > maxBytes) {
        // Announced too large: not a byte of it is worth reading.
        abort('too-large', `Content-Length ${declared} exceeds the ${formatBytes(maxBytes)} limit (maxResponseBytes); the body was not read`);
        res.body.destroy();
      } else {
        bodyTimer = setTimeout(() => abort('timeout', `response body not complete within ${bodyMs} ms (received ${size} bytes so far)`), bodyMs);
        try {
          for await (const chunk of res.body) {
            const buf = chunk as Buffer;
            size += buf.length;
            if (size > maxBytes) {
              abort('too-large', `response body exceeds the ${formatBytes(maxBytes)} limit (maxResponseBytes); stopped reading`);
              res.body.destroy();
              break;
            }
            chunks.push(buf);
          }
        } catch (err) {
          cause ??= describeFailure(err, this.config, url);
        }
      }
      if (cause) {
        const bytes = Buffer.concat(chunks);
        throw new TransportError(
          `${method} ${exchange.url}: ${cause.message}`,
          cause.failure,
          finish({
            status: res.statusCode,
            responseHeaders: this.redactHeaders(responseHeaders),
            responseBody: { ...this.capture(bytes), size, truncated: true },
            error: cause.message,
          }),
        );
      }
      const bytes = new Uint8Array(Buffer.concat(chunks));
      const done = finish({
        status: res.statusCode,
        responseHeaders: this.redactHeaders(responseHeaders),
        responseBody: this.capture(bytes),
      });
      return { status: res.statusCode, headers: responseHeaders, url, body: bytes, text: Buffer.from(bytes).toString('utf8'), exchange: done };
    } finally {
      clearTimeout(bodyTimer);
      clearTimeout(deadline);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  /** The request half of an exchange as evidence, secrets redacted. */
  #outbound(method: string, url: string, headers: Record<string, string>, body: string | Uint8Array | undefined, started: number): HttpExchange {
    return {
      direction: 'outbound',
      method,
      url: this.redact(url),
      requestHeaders: this.redactHeaders(headers),
      ...(body !== undefined ? { requestBody: this.capture(toBytes(body)) } : {}),
      startedAt: new Date(started).toISOString(),
    };
  }

  #fail(message: string, failure: TransportFailure, method: string, url: string, headers: Record<string, string>, body: string | Uint8Array | undefined): TransportError {
    const exchange: HttpExchange = {
      ...this.#outbound(method, url, headers, body, Date.now()),
      durationMs: 0,
      error: message,
    };
    this.#listener?.(exchange);
    return new TransportError(this.redact(message), failure, exchange);
  }

  /** An exchange recorded elsewhere (a simulator's inbound request), with this client's secrets redacted too. */
  redactExchange(exchange: HttpExchange): HttpExchange {
    const body = (b: BodyCapture | undefined) => (b ? { ...b, text: this.redact(b.text) } : undefined);
    const requestBody = body(exchange.requestBody);
    const responseBody = body(exchange.responseBody);
    return {
      ...exchange,
      url: this.redact(exchange.url),
      requestHeaders: this.redactHeaders(exchange.requestHeaders),
      ...(exchange.responseHeaders ? { responseHeaders: this.redactHeaders(exchange.responseHeaders) } : {}),
      ...(requestBody ? { requestBody } : {}),
      ...(responseBody ? { responseBody } : {}),
    };
  }

  redactHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      const name = k.toLowerCase();
      out[name] = ALWAYS_REDACTED.has(name) ? REDACTED : this.redact(v);
    }
    return out;
  }

  capture(bytes: Uint8Array): BodyCapture {
    const limit = this.config.captureBytes ?? DEFAULTS.captureBytes;
    const truncated = bytes.length > limit;
    const kept = truncated ? bytes.subarray(0, limit) : bytes;
    return { text: this.redact(Buffer.from(kept).toString('utf8')), size: bytes.length, truncated };
  }
}

function agentFor(config: HttpClientConfig, tls: HttpClientConfig['tls']): Dispatcher {
  return new Agent({
    connect: {
      timeout: config.timeouts?.connectMs ?? TIMEOUTS.connectMs,
      ...tlsOptions(tls),
    },
    headersTimeout: config.timeouts?.headersMs ?? TIMEOUTS.headersMs,
    bodyTimeout: config.timeouts?.bodyMs ?? TIMEOUTS.bodyMs,
  });
}

/** The TLS settings without the client certificate: whom to trust, not who we are. */
function trustOnly(tls: HttpClientConfig['tls']): HttpClientConfig['tls'] {
  const { cert: _cert, key: _key, passphrase: _passphrase, ...trust } = tls ?? {};
  return trust;
}

function secretsOf(config: HttpClientConfig): string[] {
  const secrets = [...(config.secrets ?? [])];
  if (config.tls?.key !== undefined) secrets.push(config.tls.key.trim());
  if (config.tls?.passphrase !== undefined) secrets.push(config.tls.passphrase);
  if (config.auth?.type === 'bearer') secrets.push(config.auth.token);
  if (config.auth?.type === 'basic') {
    secrets.push(config.auth.password, Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64'));
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

/** The Authorization header value the configured credentials give, if any. */
export function authorizationHeader(auth: HttpAuth | undefined): string | undefined {
  if (auth?.type === 'bearer') return `Bearer ${auth.token}`;
  if (auth?.type === 'basic') return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return undefined;
}

/** undici connect options for the configured trust and client certificate (shared with the load generator, so TLS behaves alike). */
export function tlsOptions(tls: HttpClientConfig['tls']): { ca?: string; rejectUnauthorized?: boolean; cert?: string; key?: string; passphrase?: string } {
  if (!tls) return {};
  const out: { ca?: string; rejectUnauthorized?: boolean; cert?: string; key?: string; passphrase?: string } = {};
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new HttpConfigError('tls: a client certificate needs its key, and a key its certificate');
  if (tls.cert !== undefined && tls.key !== undefined) {
    out.cert = tls.cert;
    out.key = tls.key;
    if (tls.passphrase !== undefined) out.passphrase = tls.passphrase;
  }
  if (tls.caFile) {
    try {
      out.ca = readFileSync(tls.caFile, 'utf8');
    } catch (err) {
      throw new HttpConfigError(`tls.caFile ${tls.caFile} cannot be read: ${(err as Error).message}`);
    }
  } else if (tls.ca) {
    out.ca = tls.ca;
  }
  if (tls.insecure) out.rejectUnauthorized = false;
  return out;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

function describeFailure(err: unknown, config: HttpClientConfig, url: string | URL): { failure: TransportFailure; message: string } {
  const codes = errorCodes(err);
  const t = config.timeouts ?? {};
  const detail = err instanceof Error ? err.message : String(err);
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) return { failure: 'timeout', message: `could not connect within ${t.connectMs ?? TIMEOUTS.connectMs} ms` };
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT')) return { failure: 'timeout', message: `no response headers within ${t.headersMs ?? TIMEOUTS.headersMs} ms` };
  if (codes.includes('UND_ERR_BODY_TIMEOUT')) return { failure: 'timeout', message: `response body stalled for ${t.bodyMs ?? TIMEOUTS.bodyMs} ms` };
  if (codes.includes('ECONNREFUSED')) return { failure: 'connect', message: 'connection refused (is the SUT running at this address?)' };
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) return { failure: 'connect', message: 'host name not found' };
  const tls = codes.find((c) => TLS_CODES.has(c));
  if (tls) return { failure: 'tls', message: `TLS certificate not trusted (${tls}): give the SUT's CA with tls.caFile, or set tls.insecure for a test system` };
  if (codes.includes('ECONNRESET') || codes.includes('UND_ERR_SOCKET') || codes.includes('EPIPE')) {
    // Under TLS 1.3 a server that wants a client certificate closes the connection after the
    // handshake, which the client sees as nothing more than a close.
    const mutualTlsHint =
      String(url).startsWith('https:') && config.tls?.cert === undefined ? '; if the server demands a client certificate (mutual TLS), give it with sut.tls.certFile and keyFile' : '';
    return { failure: 'reset', message: `connection closed by the server before the response was complete (${detail})${mutualTlsHint}` };
  }
  if (codes.includes('UND_ERR_ABORTED') || (err instanceof Error && err.name === 'AbortError')) return { failure: 'aborted', message: 'request aborted' };
  return { failure: 'other', message: detail };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function dropBodyHeaders(headers: Record<string, string>): Record<string, string> {
  const { 'content-type': _type, 'content-length': _length, ...rest } = headers;
  return rest;
}

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'cancelled' : String(reason);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
