/**
 * The Measure Computer's side of the Data Source: FHIR search with large pages, every page
 * followed (several at once where the Data Source addresses pages by offset), included resources
 * kept for `resolve()`, the `_summary=count` shortcut, and what its CapabilityStatement says about
 * `:in`. Never one request per resource.
 */
import type { Bundle, BundleLink, CapabilityStatement, OperationOutcome, Resource } from 'fhir/r4.js';
import { HttpClient } from '../../src/http/client.js';
import { TIMEOUTS } from '../../src/http/timeouts.js';
import { queryString, type FhirQuery } from './query.js';

const FHIR_JSON = 'application/fhir+json';
/** Page size asked for; a server may serve less. */
export const PAGE_SIZE = 1000;
/** Pages fetched at once when the Data Source's links allow it. */
const PARALLEL_PAGES = 4;

/** The Data Source answered, but not with what was asked for. */
export class DataSourceError extends Error {
  override name = 'DataSourceError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface SearchResult {
  /** Distinct matches (`search.mode` match), the population's members. */
  members: Resource[];
  /** Every resource the pages carried, matches and includes, by `Type/id` and by full URL. */
  resources: Map<string, Resource>;
}

function linkOf(bundle: Bundle, relation: string): string | undefined {
  return bundle.link?.find((l: BundleLink) => l.relation === relation)?.url;
}

function outcomeText(text: string): string {
  try {
    const outcome = JSON.parse(text) as OperationOutcome;
    if (outcome.resourceType === 'OperationOutcome') return (outcome.issue ?? []).map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; ');
  } catch {
    // Not FHIR JSON: the status alone has to say it.
  }
  return text.slice(0, 200);
}

export class DataSourceClient {
  readonly base: string;
  /** Requests sent to the Data Source so far. */
  requests = 0;
  readonly #http: HttpClient;
  #capability: Promise<CapabilityStatement | undefined> | undefined;
  /** Resource types whose `:in` the Data Source refused with a 400. */
  readonly #inRefused = new Set<string>();

  /** A large Data Source may take minutes over one query; the computer waits rather than report nothing. */
  constructor(base: string) {
    this.base = base.replace(/\/+$/, '');
    this.#http = new HttpClient({
      baseUrl: this.base,
      timeouts: { requestMs: TIMEOUTS.dataSourceReadMs, headersMs: TIMEOUTS.dataSourceReadMs, bodyMs: TIMEOUTS.dataSourceReadMs },
      maxResponseBytes: 200 * 1024 * 1024,
    });
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  async #get(url: string): Promise<Resource> {
    this.requests++;
    // Strict handling: a Data Source that cannot apply a criterion must say so, not count without it.
    const res = await this.#http.request({ url, headers: { accept: FHIR_JSON, prefer: 'handling=strict' } });
    if (res.status !== 200) throw new DataSourceError(`GET ${url} answered ${res.status}: ${outcomeText(res.text)}`, res.status);
    // Plain JSON.parse: counting and stratifying read no decimal, and pages can be megabytes.
    return JSON.parse(res.text) as Resource;
  }

  async read(type: string, id: string): Promise<Resource | undefined> {
    try {
      const resource = await this.#get(`${type}/${encodeURIComponent(id)}`);
      return resource.resourceType === type ? resource : undefined;
    } catch (err) {
      if (err instanceof DataSourceError && (err.status === 404 || err.status === 410)) return undefined;
      throw err;
    }
  }

  async #searchset(url: string): Promise<Bundle> {
    const bundle = await this.#get(url);
    if (bundle.resourceType !== 'Bundle') throw new DataSourceError(`GET ${url} answered a ${bundle.resourceType}, not a searchset Bundle`, 200);
    const ignored = ((bundle as Bundle).entry ?? [])
      .filter((e) => e.search?.mode === 'outcome' && e.resource?.resourceType === 'OperationOutcome')
      .flatMap((e) => (e.resource as OperationOutcome).issue ?? [])
      .filter((i) => i.severity !== 'information');
    if (ignored.length) {
      throw new DataSourceError(`GET ${url}: the Data Source did not apply every criterion (${ignored.map((i) => i.diagnostics ?? i.code).join('; ')})`, 200);
    }
    return bundle as Bundle;
  }

  /**
   * Does the Data Source take `name:in` on `type`? A CapabilityStatement that lists modifiers
   * (`code:in`) must list this one; one that lists none says nothing, and then a 400 on first use
   * is the answer. Fetched once.
   */
  async inSupported(type: string, name: string): Promise<boolean> {
    if (this.#inRefused.has(type)) return false;
    this.#capability ??= this.#get('metadata').then(
      (r) => (r.resourceType === 'CapabilityStatement' ? (r as CapabilityStatement) : undefined),
      () => undefined,
    );
    const statement = await this.#capability;
    const params =
      (statement?.rest ?? [])
        .flatMap((rest) => rest.resource ?? [])
        .find((r) => r.type === type)
        ?.searchParam?.map((p) => p.name) ?? [];
    const listsModifiers = params.some((p) => p.includes(':'));
    return !listsModifiers || params.includes(name);
  }

  /** Remembers that the Data Source refused `:in` on a type, so later queries send codes at once. */
  refuseIn(type: string): void {
    this.#inRefused.add(type);
  }

  /**
   * The number of matches without fetching them (`_summary=count`, `_count=0`), or undefined
   * when the Data Source gives no `Bundle.total`.
   */
  async count(query: FhirQuery): Promise<number | undefined> {
    const params = query.params.filter(([n]) => n !== '_count' && n !== '_include' && n !== '_revinclude' && n !== '_summary');
    const bundle = await this.#searchset(`${query.type}?${queryString([...params, ['_summary', 'count'], ['_count', '0']])}`);
    return typeof bundle.total === 'number' ? bundle.total : undefined;
  }

  async search(query: FhirQuery): Promise<SearchResult> {
    const params = query.params.some(([n]) => n === '_count') ? query.params : [...query.params, ['_count', String(PAGE_SIZE)] as [string, string]];
    const first = await this.#searchset(`${query.type}?${queryString(params)}`);
    const pages = [first, ...(await this.#remainingPages(first))];
    const result: SearchResult = { members: [], resources: new Map() };
    const seen = new Set<string>();
    for (const page of pages) {
      for (const entry of page.entry ?? []) {
        const resource = entry.resource;
        if (!resource?.resourceType) continue;
        const key = `${resource.resourceType}/${resource.id ?? ''}`;
        result.resources.set(key, resource);
        if (entry.fullUrl) result.resources.set(entry.fullUrl, resource);
        const mode = entry.search?.mode ?? (resource.resourceType === query.type ? 'match' : 'include');
        if (mode === 'match' && !seen.has(key)) {
          seen.add(key);
          result.members.push(resource);
        }
      }
    }
    return result;
  }

  /**
   * The pages after the first. When the next link addresses pages by `_offset` and the total is
   * known, the remaining offsets are fetched a few at a time; otherwise the next links are
   * followed one by one, as any server allows.
   */
  async #remainingPages(first: Bundle): Promise<Bundle[]> {
    const next = linkOf(first, 'next');
    if (!next) return [];
    const offsets = offsetPages(next, first);
    if (!offsets) {
      const pages: Bundle[] = [];
      for (let url: string | undefined = next; url; url = linkOf(pages[pages.length - 1]!, 'next')) {
        if (pages.length > 100_000) throw new DataSourceError(`${next}: more than 100000 pages; the next links seem to loop`, 200);
        pages.push(await this.#searchset(url));
      }
      return pages;
    }
    const pages: Bundle[] = new Array<Bundle>(offsets.length);
    let at = 0;
    const worker = async () => {
      while (at < offsets.length) {
        const i = at++;
        pages[i] = await this.#searchset(offsets[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PAGES, offsets.length) }, worker));
    return pages;
  }
}

/** Every remaining page URL, when `next` is an `_offset` link of the first page's size and the total is given. */
function offsetPages(next: string, first: Bundle): string[] | undefined {
  const match = /([?&])_offset=(\d+)(?=&|$)/.exec(next);
  const offset = Number(match?.[2]);
  const step = (first.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.search?.mode !== 'outcome').length;
  if (!match || typeof first.total !== 'number' || step === 0 || offset !== step) return undefined;
  const urls: string[] = [];
  for (let at = offset; at < first.total; at += step) urls.push(next.replace(match[0], `${match[1]}_offset=${at}`));
  return urls;
}
