/**
 * The load generator's own HTTP path: undici with a connection pool sized to the load, and none of
 * the evidence capture the conformance client does per exchange (which is built for a few hundred
 * requests, not thousands a second). Trust, client certificate, credentials and headers come from
 * the same settings as `run` (sutHttpConfig) through the same helpers, so TLS and mutual TLS behave
 * alike; credentials go only to the SUT's own origin.
 */
import { Agent, Client, type Dispatcher } from 'undici';
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
  /** Sockets to the SUT's own origin, where nearly every request goes. */
  readonly #own: Connections;
  /** Other origins (a next link or status URL elsewhere): undici's Agent, opened on first use. */
  #others: Agent | undefined;
  readonly #options: Client.Options;
  readonly #base: URL;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #sutHeaders: Record<string, string>;
  /** The SUT's headers as undici's flat array, with and without a body: built once, not per request. */
  readonly #flat: { bare: string[]; withBody: string[] };
  readonly #inFlight = new Set<Collector>();

  /** `connections`: at most this many sockets to the SUT, the concurrency or the in-flight cap of the run. */
  constructor(baseUrl: string, http: HttpClientConfig, connections: number) {
    this.#base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.#basePath = this.#base.pathname;
    this.#origin = this.#base.origin;
    const requestMs = http.timeouts?.requestMs ?? TIMEOUTS.requestMs;
    this.#options = {
      pipelining: 1,
      connect: { timeout: Math.min(requestMs, TIMEOUTS.connectMs), ...tlsOptions(http.tls) },
      headersTimeout: requestMs,
      bodyTimeout: requestMs,
    };
    this.#own = new Connections(this.#origin, this.#options, connections);
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
      const collector = new Collector(this.#inFlight, resolve, reject);
      const opts: Dispatcher.DispatchOptions = { origin, path, method: req.method, headers, body: req.body ?? null };
      if (own) this.#own.dispatch(opts, collector);
      else {
        this.#others ??= new Agent(this.#options);
        this.#others.dispatch(opts, collector);
      }
    });
  }

  /** Aborts every request in flight and every one waiting for a socket (Ctrl-C). */
  abortAll(): void {
    const interrupted = new Error('interrupted');
    this.#own.dropWaiting(interrupted);
    for (const c of this.#inFlight) c.abort(interrupted);
    this.#inFlight.clear();
  }

  async close(): Promise<void> {
    await Promise.all([this.#own.close(), this.#others?.close()]);
  }
}

/**
 * The sockets to one origin, each an undici Client (one connection, no pipelining) on a free list:
 * a request takes an idle one, opens one while fewer than `max` are open, or waits for the next to
 * come free. undici's Pool does the same by scanning every client for each request and an Agent
 * above it adds a lookup and a wrapper: at 50 connections that was a tenth of the load's
 * requests/s against a trivial server.
 */
class Connections {
  readonly #idle: Client[] = [];
  readonly #all: Client[] = [];
  readonly #waiting: { opts: Dispatcher.DispatchOptions; collector: Collector }[] = [];
  #next = 0;

  constructor(
    readonly origin: string,
    readonly options: Client.Options,
    readonly max: number,
  ) {}

  dispatch(opts: Dispatcher.DispatchOptions, collector: Collector): void {
    let client = this.#idle.pop();
    if (!client && this.#all.length < this.max) {
      client = new Client(this.origin, this.options);
      this.#all.push(client);
    }
    if (client) this.#start(client, opts, collector);
    else this.#waiting.push({ opts, collector });
  }

  #start(client: Client, opts: Dispatcher.DispatchOptions, collector: Collector): void {
    collector.done = () => this.#free(client);
    client.dispatch(opts, collector);
  }

  #free(client: Client): void {
    if (this.#next < this.#waiting.length) {
      const { opts, collector } = this.#waiting[this.#next++]!;
      if (this.#next === this.#waiting.length) {
        this.#waiting.length = 0;
        this.#next = 0;
      }
      this.#start(client, opts, collector);
    } else this.#idle.push(client);
  }

  dropWaiting(reason: Error): void {
    const waiting = this.#waiting.splice(this.#next);
    this.#waiting.length = 0;
    this.#next = 0;
    for (const { collector } of waiting) collector.onError(reason);
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((c) => c.close()));
  }
}

/**
 * One request's handler: a single object per request, in undici's raw handler form
 * (onConnect…onComplete), which hands over the answer's headers as the raw list. The newer form
 * parses every answer's headers into an object and wraps each request in two more objects; most
 * answers are judged on their status alone. undici is pinned, so the form it accepts is fixed.
 */
class Collector implements Dispatcher.DispatchHandler {
  #status = 0;
  #raw: Buffer[] | undefined;
  /** Most answers come in one chunk: an array only for the second. */
  #first: Buffer | undefined;
  #more: Buffer[] | undefined;
  #abort: ((err: Error) => void) | undefined;
  /** Set by whoever dispatched the request, to hand its socket on when the answer is in. */
  done: (() => void) | undefined;

  constructor(
    readonly inFlight: Set<Collector>,
    readonly resolve: (answer: Answer) => void,
    readonly reject: (err: NoAnswer) => void,
  ) {}

  abort(reason: Error): void {
    this.#abort?.(reason);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    this.inFlight.add(this);
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    this.#status = statusCode;
    this.#raw = raw;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (!this.#first) this.#first = chunk;
    else {
      this.#more ??= [this.#first];
      this.#more.push(chunk);
    }
    return true;
  }

  onComplete(): void {
    this.inFlight.delete(this);
    this.done?.();
    this.resolve(new LoadAnswer(this.#status, this.#raw, this.#more ? Buffer.concat(this.#more) : this.#first));
  }

  onError(err: Error): void {
    this.inFlight.delete(this);
    this.done?.();
    this.reject(new NoAnswer(failureOf(err)));
  }
}

/** An answer whose header values, text and JSON are each made on first use: most answers are judged on their status alone. */
class LoadAnswer implements Answer {
  #text: string | undefined;
  #parsed: { value: unknown } | undefined;

  constructor(
    readonly status: number,
    readonly raw: Buffer[] | undefined,
    readonly body: Buffer | undefined,
  ) {}

  /** A header's value (`name` in lower case), repeated ones joined with ", ": read from the raw list, since an answer is asked for one or two. */
  header(name: string): string | undefined {
    const raw = this.raw;
    if (!raw) return undefined;
    let value: string | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (!sameName(raw[i]!, name)) continue;
      const v = raw[i + 1]!.toString('latin1');
      value = value === undefined ? v : `${value}, ${v}`;
    }
    return value;
  }

  get text(): string {
    this.#text ??= this.body ? this.body.toString('utf8') : '';
    return this.#text;
  }

  /** The body as JSON (undefined when it is not JSON). */
  json(): unknown {
    if (!this.#parsed) {
      const text = this.text;
      try {
        this.#parsed = { value: text.length ? JSON.parse(text) : undefined };
      } catch {
        this.#parsed = { value: undefined };
      }
    }
    return this.#parsed.value;
  }
}

/** Whether a raw header name is `lower` (a lower-case name), compared without making a string. */
function sameName(raw: Buffer, lower: string): boolean {
  if (raw.length !== lower.length) return false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    // A-Z to a-z; every other byte compares as it is.
    if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
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
