/**
 * The reference consumer's wire habits in one place: which format it asks for and how (Accept or
 * `_format`), `_count` paging walked to the end, searches by GET or form-encoded POST, and answers
 * parsed in either FHIR format. A 4xx/5xx answer is logged and read as "nothing found", as a
 * consumer facing a server that lacks one feature would; only an unreachable server stops it.
 */
import type { Bundle, Resource } from 'fhir/r4.js';
import type { ActiveFaults } from '../../src/fhir/faults.js';
import { HttpClient, type HttpResponse } from '../../src/http/client.js';
import { TIMEOUTS } from '../../src/http/timeouts.js';
import type { ConsumerClientFault } from './faults.js';
import { projectFormats, formatOfContentType, type WireFormat } from '../../src/fhir/codec.js';

const MEDIA: Record<WireFormat, string> = { json: 'application/fhir+json', xml: 'application/fhir+xml' };
/** The DSTU2 types and short values Query Measure asks clients not to send. */
const LEGACY_ACCEPT: Record<WireFormat, string> = { json: 'application/json+fhir', xml: 'application/xml+fhir' };
const LEGACY_FORMAT: Record<WireFormat, string> = { json: 'json', xml: 'xml' };
const MAX_PAGES = 200;

export type Params = [name: string, value: string][];

export interface ConsumerHabits {
  faults: ActiveFaults<ConsumerClientFault>;
  signal?: AbortSignal;
  /** Called for answers that were not 2xx, so a run can explain what it could not get. */
  log?: (text: string) => void;
}

export class ConsumerSession {
  readonly #http: HttpClient;
  readonly #habits: ConsumerHabits;

  constructor(baseUrl: string, habits: ConsumerHabits) {
    this.#http = new HttpClient({ baseUrl, timeouts: { requestMs: TIMEOUTS.requestMs } });
    this.#habits = habits;
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  /** A read or `metadata`, asking for the format with Accept, or with `_format` when `by` says so. */
  async read<T extends Resource>(path: string, format: WireFormat = 'json', by: 'accept' | '_format' = 'accept'): Promise<T | undefined> {
    const query: Record<string, string> = by === '_format' ? { _format: this.#formatValue(format) } : {};
    const res = await this.#send({ method: 'GET', url: path, query, headers: by === 'accept' ? this.#accept(format) : {} });
    return this.#resource<T>(res);
  }

  /**
   * A type-level search walked to its last page (unless the `no-paging` fault is on); returns the
   * `match` entries of every page and the `include` entries alongside.
   */
  async search<T extends Resource>(type: string, params: Params, options: { post?: boolean } = {}): Promise<{ matches: T[]; included: Resource[] }> {
    const matches: T[] = [];
    const included: Resource[] = [];
    let res = options.post ? await this.#postSearch(type, params) : await this.#send({ method: 'GET', url: `${type}?${encode(params)}`, headers: this.#accept('json') });
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const bundle = this.#resource<Bundle>(res);
      // A rebuilt request a server does not honour answers a page already seen: stop there.
      const first = bundle?.entry?.[0]?.fullUrl;
      if (first !== undefined && seen.has(first)) break;
      if (first !== undefined) seen.add(first);
      for (const e of bundle?.entry ?? []) {
        if (!e.resource) continue;
        if (e.search?.mode === 'include') included.push(e.resource);
        else matches.push(e.resource as T);
      }
      const next = bundle?.link?.find((l) => l.relation === 'next')?.url;
      if (!next || this.#habits.faults.has('no-paging') || page >= MAX_PAGES) break;
      // A client library habit: the next page rebuilt from the search's own parameters instead of the link as given.
      const count = Number(params.find(([name]) => name === '_count')?.[1] ?? 100);
      const url = this.#habits.faults.has('rebuild-next-link') ? `${type}?${encode([...params, ['_offset', String(page * count)]])}` : next;
      res = await this.#send({ method: 'GET', url, headers: this.#accept('json') });
    }
    return { matches, included };
  }

  /** A FHIR operation answered in CSV; returns the CSV text, or undefined when it was refused. */
  async csv(path: string, params: Params): Promise<string | undefined> {
    const res = await this.#send({ method: 'GET', url: `${path}?${encode(params)}`, headers: { accept: 'text/csv' } });
    return res.status >= 200 && res.status < 300 ? res.text : undefined;
  }

  async #postSearch(type: string, params: Params): Promise<HttpResponse> {
    const json = this.#habits.faults.has('post-search-json');
    const body = json ? JSON.stringify(Object.fromEntries(params)) : encode(params);
    return this.#send({
      method: 'POST',
      url: `${type}/_search`,
      headers: { ...this.#accept('json'), 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
      body,
    });
  }

  #accept(format: WireFormat): Record<string, string> {
    return { accept: this.#habits.faults.has('legacy-accept') ? LEGACY_ACCEPT[format] : MEDIA[format] };
  }

  #formatValue(format: WireFormat): string {
    return this.#habits.faults.has('legacy-format') ? LEGACY_FORMAT[format] : MEDIA[format];
  }

  async #send(req: { method: string; url: string; query?: Record<string, string>; headers: Record<string, string>; body?: string }): Promise<HttpResponse> {
    const res = await this.#http.request({ ...req, ...(this.#habits.signal ? { signal: this.#habits.signal } : {}) });
    if (res.status >= 400) this.#habits.log?.(`${req.method} ${req.url} answered ${res.status}`);
    return res;
  }

  #resource<T extends Resource>(res: HttpResponse): T | undefined {
    if (res.status < 200 || res.status >= 300) return undefined;
    const format = formatOfContentType(res.headers['content-type']);
    if (!format) return undefined;
    try {
      return projectFormats.parse(res.text, format) as T;
    } catch (err) {
      this.#habits.log?.(`${res.exchange.method} ${res.exchange.url}: unreadable ${format.toUpperCase()} (${(err as Error).message})`);
      return undefined;
    }
  }
}

/** Query strings as a client builds them: `|`, `:` and `,` stay readable, everything else is percent-encoded. */
export function encode(params: Params): string {
  return params.map(([k, v]) => `${encodeURIComponent(k).replace(/%3A/g, ':')}=${encodeURIComponent(v).replace(/%7C/g, '|').replace(/%2C/g, ',').replace(/%3A/g, ':')}`).join('&');
}
