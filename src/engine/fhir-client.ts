/**
 * The FHIR client a test drives the SUT with (`t.sut`). Every call goes through the evidence-keeping
 * HttpClient; a body that does not parse becomes a failed assertion carrying the parser's message,
 * so a SUT answering garbage fails the test instead of crashing it.
 */
import type { Bundle, Parameters, Resource } from 'fhir/r4.js';
import type { HttpClient, HttpResponse, QueryValue } from '../http/client.js';
import { detectFormat } from '../fhir/format.js';
import { formatOfContentType, type ResourceFormats, type WireFormat } from '../fhir/codec.js';
import { TestStop } from './errors.js';
import type { WriteTracking } from './writes.js';

/** Where the client reports a body it could not parse. */
export interface AssertionSink {
  fail(message: string): never;
}

export interface FhirRequestOptions {
  /** Ask for (Accept) and, for bodies, send (Content-Type) this format. Default json. */
  format?: WireFormat;
  /** Adds `_format=<value>` to the query, for tests of the `_format` override. */
  formatParam?: string;
  /** Overrides the Accept header that `format` would set (e.g. to send an unsupported one). */
  accept?: string;
  headers?: Record<string, string>;
  query?: Record<string, QueryValue>;
  /** Default true. */
  followRedirects?: boolean;
}

export interface SearchOptions extends FhirRequestOptions {
  /** GET `[type]?params` (default) or POST `[type]/_search` with a form body. */
  method?: 'GET' | 'POST';
}

export interface OperationOptions extends FhirRequestOptions {
  /** The operation writes to the SUT (e.g. `$report-csv`), so `--read-only` skips it and its answer is tracked. */
  writes?: boolean;
  /** Resource type for a type- or instance-level operation. */
  type?: string;
  /** Resource id for an instance-level operation. */
  id?: string;
  /** Sent as the POST body; with `method: 'GET'`, primitive parameters go to the query instead. */
  parameters?: Parameters | Resource;
  method?: 'GET' | 'POST';
}

export interface RawRequestOptions {
  headers?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: string | Uint8Array;
  followRedirects?: boolean;
  /** Sent without the run's credentials towards the SUT and without its client certificate (a client that does not authenticate itself). */
  anonymous?: boolean;
}

export type ParseOutcome<T extends Resource = Resource> = { ok: true; resource: T } | { ok: false; error: string };

export interface FhirResponse extends HttpResponse {
  /** The FHIR format the Content-Type names; undefined for a missing or non-FHIR Content-Type. */
  format: WireFormat | undefined;
  /** Parses the body by its Content-Type; on failure, records a failed assertion with the parser's message and ends the test. */
  resource<T extends Resource = Resource>(): T;
  /** Parses without asserting anything, for tests that judge the failure themselves. */
  tryResource<T extends Resource = Resource>(): ParseOutcome<T>;
  /** The resources in a Bundle response, optionally only those of one type. Asserts the body is a Bundle. */
  entries<T extends Resource = Resource>(resourceType?: T['resourceType']): T[];
}

export interface FhirClient {
  readonly baseUrl: string;
  capabilities(options?: FhirRequestOptions): Promise<FhirResponse>;
  read(type: string, id: string, options?: FhirRequestOptions): Promise<FhirResponse>;
  search(type: string, params?: Record<string, QueryValue>, options?: SearchOptions): Promise<FhirResponse>;
  create(resource: Resource, options?: FhirRequestOptions): Promise<FhirResponse>;
  update(resource: Resource, options?: FhirRequestOptions): Promise<FhirResponse>;
  delete(type: string, id: string, options?: FhirRequestOptions): Promise<FhirResponse>;
  operation(name: string, options?: OperationOptions): Promise<FhirResponse>;
  /**
   * POST of a batch, transaction or collection Bundle to [base] (or `at`, e.g. `Bundle`); against a
   * SUT each entry's resource carries the run's tag and what the answer names is logged for cleanup.
   */
  postBundle(bundle: Bundle, options?: FhirRequestOptions & { at?: string }): Promise<FhirResponse>;
  request(method: string, pathOrUrl: string, options?: RawRequestOptions): Promise<FhirResponse>;
}

const MEDIA: Record<WireFormat, string> = { json: 'application/fhir+json', xml: 'application/fhir+xml' };

/**
 * A FHIR client over the harness's HTTP client. With `tracking` (a run against a SUT) every write
 * carries the run's tag and is logged for cleanup, a resource the SUT held before an update is
 * kept aside, and under `--read-only` a write ends the test as skipped instead of reaching the SUT.
 */
export function createFhirClient(http: HttpClient, formats: ResourceFormats, sink: AssertionSink, tracking?: WriteTracking): FhirClient {
  const baseUrl = http.config.baseUrl ?? '';
  const refuseWhenReadOnly = (what: string) => {
    if (tracking?.readOnly) throw new TestStop('skip', `not run: --read-only, and this test writes to the SUT (${what})`);
  };

  const wrap = (res: HttpResponse): FhirResponse => {
    const format = formatOfContentType(res.headers['content-type']);
    const tryResource = <T extends Resource>(): ParseOutcome<T> => {
      if (res.text.trim() === '') return { ok: false, error: `${describe(res)} has an empty body` };
      if (!format) {
        return { ok: false, error: `${describe(res)} has Content-Type ${JSON.stringify(res.headers['content-type'] ?? '(none)')}, which names no FHIR format` };
      }
      try {
        return { ok: true, resource: formats.parse(res.text, format) as T };
      } catch (err) {
        const actual = detectFormat(res.text);
        if (actual && actual !== format) {
          return { ok: false, error: `${describe(res)} has Content-Type ${JSON.stringify(res.headers['content-type'])} but the body is ${actual.toUpperCase()}` };
        }
        return { ok: false, error: `${describe(res)} is not valid FHIR ${format.toUpperCase()}: ${(err as Error).message}` };
      }
    };
    const resource = <T extends Resource>(): T => {
      const outcome = tryResource<T>();
      if (!outcome.ok) sink.fail(outcome.error);
      return outcome.resource;
    };
    const entries = <T extends Resource>(resourceType?: string): T[] => {
      const bundle = resource();
      if (bundle.resourceType !== 'Bundle') sink.fail(`${describe(res)} is a ${bundle.resourceType}, expected a Bundle`);
      return ((bundle as Bundle).entry ?? []).map((e) => e.resource).filter((r): r is Resource => r !== undefined && (resourceType === undefined || r.resourceType === resourceType)) as T[];
    };
    return { ...res, format, resource, tryResource, entries };
  };

  const send = async (method: string, path: string, options: FhirRequestOptions & { body?: string | Uint8Array; contentType?: string } = {}) => {
    const format = options.format ?? 'json';
    const headers: Record<string, string> = { accept: options.accept ?? MEDIA[format], ...lower(options.headers) };
    if (options.body !== undefined) headers['content-type'] ??= options.contentType ?? MEDIA[format];
    const query = { ...(options.query ?? {}), ...(options.formatParam !== undefined ? { _format: options.formatParam } : {}) };
    const res = await http.request({
      method,
      url: path,
      query,
      headers,
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.followRedirects !== undefined ? { followRedirects: options.followRedirects } : {}),
    });
    return wrap(res);
  };

  const bodyOf = (resource: Resource, options: FhirRequestOptions) => formats.serialize(resource, options.format ?? 'json');

  return {
    baseUrl,
    capabilities: (options = {}) => send('GET', 'metadata', options),
    read: (type, id, options = {}) => send('GET', `${type}/${encodeURIComponent(id)}`, options),
    search(type, params = {}, options = {}) {
      if (options.method === 'POST') {
        const form = new URLSearchParams();
        for (const [name, value] of Object.entries(params)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) form.append(name, String(v));
        }
        return send('POST', `${type}/_search`, { ...options, body: form.toString(), contentType: 'application/x-www-form-urlencoded' });
      }
      return send('GET', type, { ...options, query: { ...params, ...(options.query ?? {}) } });
    },
    async create(resource, options = {}) {
      refuseWhenReadOnly(`POST ${resource.resourceType}`);
      const res = await send('POST', resource.resourceType, { ...options, body: bodyOf(tracking ? tracking.log.tagged(resource) : resource, options) });
      if (tracking) tracking.log.recordAnswer(res, formats, resource.resourceType, tracking, 'create');
      return res;
    },
    async update(resource, options = {}) {
      if (!resource.id) throw new TypeError(`update needs a ${resource.resourceType} with an id`);
      const path = `${resource.resourceType}/${encodeURIComponent(resource.id)}`;
      refuseWhenReadOnly(`PUT ${path}`);
      // What the SUT held at this id before the run first wrote it, so cleanup can put it back.
      const before = tracking && !tracking.log.has(resource.resourceType, resource.id) ? await heldBefore(path) : undefined;
      const res = await send('PUT', path, { ...options, body: bodyOf(tracking ? tracking.log.tagged(resource) : resource, options) });
      if (tracking && res.status >= 200 && res.status < 300) {
        tracking.log.record({ type: resource.resourceType, id: resource.id, by: tracking.by, interaction: 'update', owner: tracking.owner, ...(before ? { before } : {}) });
      }
      return res;
    },
    delete(type, id, options = {}) {
      refuseWhenReadOnly(`DELETE ${type}/${id}`);
      return send('DELETE', `${type}/${encodeURIComponent(id)}`, options);
    },
    async operation(name, options = {}) {
      const op = name.startsWith('$') ? name : `$${name}`;
      const path = [options.type, options.id !== undefined ? encodeURIComponent(options.id) : undefined, op].filter(Boolean).join('/');
      if (options.writes) refuseWhenReadOnly(`${options.method ?? 'POST'} ${path}`);
      if (options.method === 'GET') {
        return send('GET', path, { ...options, query: { ...primitiveParameters(options.parameters), ...(options.query ?? {}) } });
      }
      const body = options.parameters ? bodyOf(options.parameters, options) : undefined;
      const res = await send('POST', path, { ...options, ...(body !== undefined ? { body } : {}) });
      if (tracking && options.writes) tracking.log.recordAnswer(res, formats, undefined, tracking, 'operation');
      return res;
    },
    async postBundle(bundle, options = {}) {
      const at = options.at ?? '';
      refuseWhenReadOnly(`POST [base]${at ? `/${at}` : ''} (a ${bundle.type ?? 'typeless'} Bundle)`);
      const sent = tracking ? { ...bundle, entry: (bundle.entry ?? []).map((e) => (e.resource ? { ...e, resource: tracking.log.tagged(e.resource) } : e)) } : bundle;
      const res = await send('POST', at, { ...options, body: bodyOf(sent, options) });
      if (tracking && res.status >= 200 && res.status < 300) {
        tracking.log.recordAnswer(res, formats, undefined, tracking, 'batch');
        // A collection taken whole names nothing back; its entries are stored under their own ids.
        if (bundle.type === 'collection')
          for (const r of bundle.entry ?? [])
            if (r.resource?.id) tracking.log.record({ type: r.resource.resourceType, id: r.resource.id, by: tracking.by, interaction: 'batch', owner: tracking.owner });
      }
      return res;
    },
    async request(method, pathOrUrl, options = {}) {
      const verb = method.toUpperCase();
      const writing = !['GET', 'HEAD', 'OPTIONS'].includes(verb);
      if (writing) refuseWhenReadOnly(`${method} ${pathOrUrl}`);
      // A raw PUT at [type]/[id] names its id: what the SUT held there is kept aside, as for update.
      const at = verb === 'PUT' ? /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(pathOrUrl) : null;
      const before = tracking && at && !tracking.log.has(at[1]!, at[2]!) ? await heldBefore(pathOrUrl) : undefined;
      const res = wrap(await http.request({ method, url: pathOrUrl, ...options }));
      if (tracking && at && res.status >= 200 && res.status < 300) {
        tracking.log.record({ type: at[1]!, id: at[2]!, by: tracking.by, interaction: 'update', owner: tracking.owner, ...(before ? { before } : {}) });
      } else if (tracking && writing && verb !== 'DELETE') tracking.log.recordAnswer(res, formats, undefined, tracking, /^\/?$/.test(pathOrUrl) ? 'batch' : 'create');
      return res;
    },
  };

  async function heldBefore(path: string): Promise<Resource | undefined> {
    const res = await http.request({ method: 'GET', url: path, headers: { accept: MEDIA.json } });
    if (res.status !== 200) return undefined;
    const outcome = wrap(res).tryResource();
    return outcome.ok ? outcome.resource : undefined;
  }
}

function describe(res: HttpResponse): string {
  return `the response to ${res.exchange.method} ${res.exchange.url} (${res.status})`;
}

function lower(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Parameters with primitive values, as query parameters for an operation invoked with GET. */
function primitiveParameters(resource: Parameters | Resource | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (resource?.resourceType !== 'Parameters') return out;
  for (const p of (resource as Parameters).parameter ?? []) {
    const entry = Object.entries(p).find(([k, v]) => k.startsWith('value') && ['string', 'number', 'boolean'].includes(typeof v));
    if (!entry) continue;
    const values = out[p.name] ?? [];
    values.push(String(entry[1]));
    out[p.name] = values;
  }
  return out;
}
