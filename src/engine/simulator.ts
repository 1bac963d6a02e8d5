/**
 * Client-SUT support: the simulator a client SUT talks to, its inbound exchanges as evidence, and
 * waiting for a request that explains itself when nothing matching arrives.
 */
import type { HttpExchange } from './results.js';
import { WaitTimeout } from './errors.js';

/** A running server: a SUT-stand-in simulator, or a simulator a client SUT is pointed at. */
export interface RunningServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts a server (e.g. a reference simulator) reporting every inbound request to `onExchange`. */
export type StartServer = (options: { onExchange: (exchange: HttpExchange) => void; signal: AbortSignal }) => Promise<RunningServer>;

/** What a test waits for: a predicate, or a method and path (relative to the simulator base, e.g. `/MeasureReport`). */
export type RequestMatcher = ((exchange: HttpExchange) => boolean) | { method?: string; path?: string | RegExp };

export interface WaitOptions {
  timeoutMs?: number;
  /** What is awaited, in words, for the message when nothing matches; derived from the matcher when absent. */
  description?: string;
}


interface Waiter {
  match: (exchange: HttpExchange) => boolean;
  resolve: (exchange: HttpExchange) => void;
}

/**
 * Where an inbound request went, relative to the simulator's FHIR base: `path` like
 * `/MeasureReport/1`, its decoded `segments`, and the whole `url` (for its query).
 */
export function requestBelow(baseUrl: string, exchange: HttpExchange): { path: string; segments: string[]; url: URL } {
  const base = new URL(baseUrl);
  const url = new URL(exchange.url, base);
  const basePath = base.pathname.replace(/\/+$/, '');
  const below = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
  const path = below.startsWith('/') ? below : `/${below}`;
  return { path, segments: path.split('/').filter(Boolean).map(decodeURIComponent), url };
}

/**
 * Collects the simulator's inbound exchanges. A wait considers every exchange since the current
 * test began that no earlier wait of that test consumed, so a request the trigger caused before
 * the test started waiting is not missed.
 */
export class SimulatorSession {
  readonly #all: HttpExchange[] = [];
  #testStart = 0;
  readonly #consumed = new Set<HttpExchange>();
  readonly #waiters = new Set<Waiter>();
  #listener: ((exchange: HttpExchange) => void) | undefined;

  constructor(readonly baseUrl: string) {}

  /** Give this to the server's `onExchange`. */
  readonly record = (exchange: HttpExchange): void => {
    this.#all.push(exchange);
    this.#listener?.(exchange);
    for (const w of this.#waiters) {
      if (!this.#consumed.has(exchange) && w.match(exchange)) {
        this.#consumed.add(exchange);
        this.#waiters.delete(w);
        w.resolve(exchange);
      }
    }
  };

  /** Starts a test's window; its inbound exchanges go to `listener` (the test's evidence). */
  beginTest(listener: (exchange: HttpExchange) => void): void {
    this.#testStart = this.#all.length;
    this.#consumed.clear();
    this.#waiters.clear();
    this.#listener = listener;
  }

  endTest(): void {
    this.#listener = undefined;
    this.#waiters.clear();
  }

  /** Inbound exchanges since the current test started. */
  exchanges(): HttpExchange[] {
    return this.#all.slice(this.#testStart);
  }

  async waitFor(matcher: RequestMatcher, options: { timeoutMs: number; description?: string; signal?: AbortSignal }): Promise<HttpExchange> {
    const match = this.#compile(matcher);
    const early = this.exchanges().find((e) => !this.#consumed.has(e) && match(e));
    if (early) {
      this.#consumed.add(early);
      return early;
    }
    const description = options.description ?? this.#describeMatcher(matcher);
    return new Promise<HttpExchange>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (e) => {
          cleanup();
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new WaitTimeout(this.#timeoutMessage(description, options.timeoutMs)));
      }, options.timeoutMs);
      const onAbort = () => {
        cleanup();
        reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('interrupted'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        options.signal?.removeEventListener('abort', onAbort);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** The path of an exchange relative to the simulator base URL, e.g. `/MeasureReport/1`. */
  pathOf(exchange: HttpExchange): string {
    return requestBelow(this.baseUrl, exchange).path;
  }

  #compile(matcher: RequestMatcher): (exchange: HttpExchange) => boolean {
    if (typeof matcher === 'function') return matcher;
    return (e) => {
      if (matcher.method && e.method.toUpperCase() !== matcher.method.toUpperCase()) return false;
      if (matcher.path === undefined) return true;
      const path = this.pathOf(e);
      return typeof matcher.path === 'string' ? withoutTrailingSlash(path) === withoutTrailingSlash(matcher.path) : matcher.path.test(path);
    };
  }

  #describeMatcher(matcher: RequestMatcher): string {
    if (typeof matcher === 'function') return 'the expected request';
    const path = matcher.path === undefined ? '' : typeof matcher.path === 'string' ? ` ${matcher.path}` : ` ${String(matcher.path)}`;
    return `${matcher.method?.toUpperCase() ?? 'any request to'}${path || ' the simulator'}`;
  }

  #timeoutMessage(description: string, timeoutMs: number): string {
    const unmatched = this.exchanges().filter((e) => !this.#consumed.has(e));
    const last = unmatched.at(-1);
    const seen = last
      ? `last unmatched request: ${last.method} ${this.pathOf(last)}${last.status !== undefined ? ` ${last.status}` : ''}${unmatched.length > 1 ? ` (${unmatched.length} unmatched in all)` : ''}`
      : 'the simulator received no request since the test started';
    return `no request matched ${description} within ${formatDuration(timeoutMs)}; ${seen}`;
  }
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export function formatDuration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
