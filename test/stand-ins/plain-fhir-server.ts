/**
 * A stand-in for a third-party FHIR server nobody here wrote, for proving verdicts against the way
 * real servers behave rather than the way the reference simulators do. It is deliberately not built
 * on the project's server core: plain node:http, an in-memory map, a CapabilityStatement that tells
 * the truth about what it was configured to do, and switches for the habits real servers have
 * (JSON only, storing whatever it is sent, keeping a client's id, 200 to a create, no paging links,
 * refusing `_include=*`, serving more types than a test asks about, processing batch entries
 * independently or not, implementing DELETE or not, taking collection Bundles or not, reading XML
 * or answering it 400 unread, honouring If-Match or not, errors with or without an OperationOutcome,
 * demanding a bearer token or not, validating what it is sent by rules of its own or not).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocally } from '../listen-locally.js';
import type { Bundle, CapabilityStatement, OperationOutcome, Resource } from 'fhir/r4.js';
import { parseResource, serializeResource } from '../../src/fhir/format.js';

export interface PlainServerOptions {
  /** Formats it reads and writes; the CapabilityStatement lists exactly these. Default `['json']`. */
  formats?: readonly ('json' | 'xml')[];
  /** Resource types it serves (read, search, create, update; delete when `delete`). Default MeasureReport, Measure, Location, Organization. */
  types?: readonly string[];
  /** Resources it holds at start, by `Type/id`. */
  seed?: readonly Resource[];
  /** A create keeps the id in the body instead of assigning one. */
  keepClientId?: boolean;
  /** Status of a successful create. Default 201. */
  createStatus?: 200 | 201;
  /** Whether Location carries `/_history/[vid]`. Default true. */
  versionedLocation?: boolean;
  /** Refuses a create/update whose resource has no `status` (as a server with validation switched on would). Default false: stores whatever it is sent. */
  requireStatus?: boolean;
  /** DELETE is implemented (and declared). Default false. */
  delete?: boolean;
  /** Takes writes (create, update) and declares them. Default true; false serves read and search only and answers writes 405. */
  writes?: boolean;
  /** Page size with next links; default none: every match in one page, no links. */
  pageSize?: number;
  /** `_include=*` answers 400. Default true. */
  refuseIncludeStar?: boolean;
  /** `[base]` accepts batch Bundles, each entry processed on its own. Default false. */
  batch?: boolean;
  /**
   * What a batch does with a MeasureReport whose evaluatedResource names something the batch does
   * not carry: `ignore` stores it like any entry (default), `refuse-report` refuses that entry
   * alone (422), `refuse-all` refuses every entry as if the batch were a transaction.
   */
  batchReferences?: 'ignore' | 'refuse-report' | 'refuse-all';
  /** Error answers carry no body (no OperationOutcome). Default false. */
  bareErrors?: boolean;
  /** Extra CapabilityStatement content (software, instantiates, operations, …). */
  capability?: Partial<CapabilityStatement>;
  /** `[base]` and `[base]/Bundle` take collection Bundles, storing each entry under its id (or a new one), as an mADX Content Consumer does. Default false: refused like any unknown path. */
  collection?: boolean;
  /** Types whose answers follow _format and Accept; the others answer in its first format whatever is asked. Default every type. */
  negotiatedTypes?: readonly string[];
  /** An Accept other than the two FHIR media types (json, text/xml, application/json+fhir, …) is ignored: the answer is 200 in its first format, while _format takes every value. Default false. */
  acceptFhirTypesOnly?: boolean;
  /** Status for a body in a format it does not read (XML on a JSON-only server). Default 415; some servers answer 400 without reading it. */
  unreadableBodyStatus?: 400 | 415;
  /** A PUT at an id it does not hold creates it. Default true; false answers 405 (no client-chosen ids). */
  updateCreate?: boolean;
  /** A PUT whose If-Match names another version answers 412. Default false: If-Match is ignored. */
  ifMatch?: boolean;
  /** Status for a resource type it does not serve. Default 404. */
  unknownTypeStatus?: number;
  /** A bearer token every request but GET metadata must carry; a request without it, or with another, is answered 401 with an OperationOutcome. Default none. */
  bearerToken?: string;
  /** Status for a missing or wrong bearer token. Default 401; some servers say 403. */
  authStatus?: 401 | 403;
  /** A create or update whose resource this returns a reason for is refused with 422, as a server validating by rules of its own does. Default: takes whatever parses. */
  refuse?: (resource: Resource) => string | undefined;
  /** Operations it answers, by path below the base (e.g. `Measure/$report-csv`): a handler returning status and body. */
  operations?: Readonly<Record<string, (body: string, query: URLSearchParams) => { status: number; resource?: Resource; text?: string; contentType?: string }>>;
}

export interface PlainServer {
  baseUrl: string;
  /** What it holds now, by `Type/id`. */
  store: Map<string, Resource>;
  /** Every request it answered, in order. */
  requests: { method: string; path: string; query: string; status: number; contentType?: string; body: string }[];
  close(): Promise<void>;
}

const MEDIA = { json: 'application/fhir+json', xml: 'application/fhir+xml' } as const;

export async function startPlainServer(options: PlainServerOptions = {}): Promise<PlainServer> {
  const formats = options.formats ?? ['json'];
  const types = options.types ?? ['MeasureReport', 'Measure', 'Location', 'Organization'];
  const store = new Map<string, Resource>((options.seed ?? []).map((r) => [`${r.resourceType}/${r.id}`, structuredClone(r)]));
  const versions = new Map<string, number>();
  const requests: PlainServer['requests'] = [];
  let next = 1;
  let baseUrl = '';

  const pickFormat = (req: IncomingMessage, query: URLSearchParams, type: string | undefined): 'json' | 'xml' | undefined => {
    if (options.negotiatedTypes && type !== undefined && !options.negotiatedTypes.includes(type)) return formats[0];
    const accept = req.headers.accept;
    if (!query.has('_format') && options.acceptFhirTypesOnly && accept && !/^application\/fhir\+(json|xml)\b|\*\/\*/.test(accept.toLowerCase())) return formats[0];
    const asked = (query.get('_format') ?? accept ?? 'application/fhir+json').toLowerCase();
    if (asked.includes('xml')) return formats.includes('xml') ? 'xml' : undefined;
    if (asked.includes('json') || asked.includes('*/*')) return formats.includes('json') ? 'json' : undefined;
    return formats[0];
  };
  const outcome = (code: string, text: string): OperationOutcome => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: code as 'invalid', diagnostics: text }] });
  /** The status of a body it could not read: an unknown format (415, or 400 when told) or one that does not parse (400). */
  const unreadable = (o: OperationOutcome): number => (o.issue[0]?.code === 'not-supported' ? (options.unreadableBodyStatus ?? 415) : 400);

  const capability = (): CapabilityStatement => ({
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: [...formats],
    software: { name: 'Plain FHIR Server', version: '1.0' },
    ...options.capability,
    rest: [
      {
        mode: 'server',
        ...(options.batch ? { interaction: [{ code: 'batch' as const }] } : {}),
        resource: types.map((type) => ({
          type: type as NonNullable<CapabilityStatement['rest']>[number]['resource'] extends (infer R)[] | undefined ? (R extends { type: infer T } ? T : never) : never,
          interaction: [
            { code: 'read' as const },
            { code: 'search-type' as const },
            ...(options.writes === false ? [] : [{ code: 'create' as const }, { code: 'update' as const }]),
            ...(options.delete ? [{ code: 'delete' as const }] : []),
          ],
          searchParam: [
            { name: '_id', type: 'token' as const },
            ...(type === 'MeasureReport'
              ? [
                  { name: 'measure', type: 'reference' as const },
                  { name: 'period', type: 'date' as const },
                ]
              : []),
            ...(type === 'Measure' ? [{ name: 'url', type: 'uri' as const }] : []),
          ],
        })),
        ...options.capability?.rest?.[0],
      },
    ],
  });

  const write = (resource: Resource, id: string): { status: number; key: string } => {
    const key = `${resource.resourceType}/${id}`;
    const existed = store.has(key);
    const version = (versions.get(key) ?? 0) + 1;
    versions.set(key, version);
    store.set(key, { ...resource, id, meta: { ...resource.meta, versionId: String(version), lastUpdated: new Date().toISOString() } });
    return { status: existed ? 200 : 201, key };
  };

  const matches = (type: string, query: URLSearchParams): Resource[] =>
    [...store.values()].filter((r) => {
      if (r.resourceType !== type) return false;
      const id = query.get('_id');
      if (id !== null && !id.split(',').includes(r.id ?? '')) return false;
      const measure = query.get('measure');
      if (measure !== null && type === 'MeasureReport' && ((r as { measure?: string }).measure ?? '').split('|')[0] !== measure) return false;
      const url = query.get('url');
      if (url !== null && (r as { url?: string }).url !== url) return false;
      return true;
    });

  const handle = (req: IncomingMessage, body: string, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/fhir\/?/, '');
    const segments = path.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const format = pickFormat(req, url.searchParams, segments[0]);
    const send = (status: number, resource?: Resource, headers: Record<string, string> = {}) => {
      if (resource === undefined || (options.bareErrors && status >= 400)) {
        res.writeHead(status, headers).end();
        return status;
      }
      const f = format ?? 'json';
      res.writeHead(status, { 'content-type': `${MEDIA[f]}; charset=utf-8`, ...headers }).end(serializeResource(resource, f));
      return status;
    };
    if (format === undefined) return send(406, outcome('not-supported', 'format not supported'));
    const operation = options.operations?.[path.replace(/\/[^/$]+(?=\/\$)/, '')] ?? options.operations?.[path];
    if (operation) {
      const answer = operation(body, url.searchParams);
      if (answer.text !== undefined) {
        res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' }).end(answer.text);
        return answer.status;
      }
      return send(answer.status, answer.resource);
    }
    if (path === 'metadata' && method === 'GET') return send(200, capability());
    if (options.bearerToken !== undefined && req.headers.authorization !== `Bearer ${options.bearerToken}`) {
      const status = options.authStatus ?? 401;
      return send(
        status,
        outcome(status === 401 ? 'login' : 'forbidden', req.headers.authorization ? 'the credential is not valid' : 'this server needs Authorization: Bearer <token>'),
        status === 401 ? { 'www-authenticate': 'Bearer' } : {},
      );
    }
    const readBody = (): Resource | OperationOutcome => {
      const contentType = (req.headers['content-type'] ?? '').toLowerCase();
      const bodyFormat = contentType.includes('xml') ? 'xml' : contentType.includes('json') ? 'json' : undefined;
      if (!bodyFormat || !formats.includes(bodyFormat)) return outcome('not-supported', `Content-Type ${contentType || '(none)'} is not supported`);
      try {
        return parseResource(body, bodyFormat);
      } catch (err) {
        return outcome('invalid', `body does not parse: ${(err as Error).message}`);
      }
    };
    const bundlePath = segments.length === 0 || (segments.length === 1 && segments[0] === 'Bundle');
    if (options.collection && method === 'POST' && bundlePath) {
      const bundle = readBody();
      if (bundle.resourceType === 'OperationOutcome') return send(unreadable(bundle as OperationOutcome), bundle);
      if (bundle.resourceType === 'Bundle' && (bundle as Bundle).type === 'collection') {
        const stored = ((bundle as Bundle).entry ?? []).flatMap((e) => (e.resource ? [write(e.resource, e.resource.id ?? `${next++}`).key] : []));
        return send(200, { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: `stored ${stored.join(', ')}` }] } as OperationOutcome);
      }
      if (!options.batch || segments.length === 1) return send(400, outcome('invalid', 'expected a collection Bundle'));
    }
    if (segments.length === 0 && method === 'POST' && options.batch) {
      const bundle = readBody();
      if (bundle.resourceType !== 'Bundle')
        return send(bundle.resourceType === 'OperationOutcome' ? 400 : 422, bundle.resourceType === 'OperationOutcome' ? bundle : outcome('invalid', 'expected a batch Bundle'));
      const sent = (bundle as Bundle).entry ?? [];
      const carried = new Set(sent.flatMap((e) => [e.fullUrl, e.resource?.id ? `${e.resource.resourceType}/${e.resource.id}` : undefined]).filter(Boolean));
      const unresolved = (r: Resource | undefined) =>
        r?.resourceType === 'MeasureReport' && ((r as { evaluatedResource?: { reference?: string }[] }).evaluatedResource ?? []).some((ref) => !carried.has(ref.reference));
      const refusal = (text: string) => ({ response: { status: '422 Unprocessable Entity', outcome: outcome('invalid', text) } });
      if (options.batchReferences === 'refuse-all' && sent.some((e) => unresolved(e.resource))) {
        return send(200, { resourceType: 'Bundle', type: 'batch-response', entry: sent.map(() => refusal('the batch references resources it does not carry')) } as Bundle);
      }
      const entries = sent.map((e) => {
        if (!e.resource) return { response: { status: '400 Bad Request', outcome: outcome('invalid', 'entry without a resource') } };
        if (options.batchReferences === 'refuse-report' && unresolved(e.resource)) return refusal('evaluatedResource names a resource the batch does not carry');
        if (options.requireStatus && !(e.resource as { status?: string }).status) return { response: { status: '422 Unprocessable Entity', outcome: outcome('invalid', 'status is required') } };
        const id = e.request?.method === 'PUT' && e.resource.id ? e.resource.id : options.keepClientId && e.resource.id ? e.resource.id : `${next++}`;
        const written = write(e.resource, id);
        return { response: { status: `${written.status} ${written.status === 201 ? 'Created' : 'OK'}`, location: `${written.key}/_history/${versions.get(written.key)}` } };
      });
      return send(200, { resourceType: 'Bundle', type: 'batch-response', entry: entries } as Bundle);
    }
    const [type, id, ...rest] = segments;
    if (!type || !types.includes(type)) return send(options.unknownTypeStatus ?? 404, outcome('not-supported', `resource type ${type ?? '(none)'} is not supported`));
    if (rest.length > 0) return send(400, outcome('not-supported', `${path} is not supported`));
    if (id === undefined && method === 'GET') {
      if (url.searchParams.get('_include') === '*' && options.refuseIncludeStar !== false) return send(400, outcome('not-supported', '_include=* is not supported'));
      const all = matches(type, url.searchParams);
      const count = Number(url.searchParams.get('_count') ?? options.pageSize ?? all.length);
      const offset = Number(url.searchParams.get('_offset') ?? 0);
      const page = options.pageSize || url.searchParams.has('_count') ? all.slice(offset, offset + count) : all;
      const link = [{ relation: 'self', url: `${baseUrl}/${type}${url.search}` }];
      if (options.pageSize && offset + count < all.length) {
        const q = new URLSearchParams(url.searchParams);
        q.set('_offset', String(offset + count));
        q.set('_count', String(count));
        link.push({ relation: 'next', url: `${baseUrl}/${type}?${q}` });
      }
      return send(200, {
        resourceType: 'Bundle',
        type: 'searchset',
        total: all.length,
        link,
        entry: page.map((r) => ({ fullUrl: `${baseUrl}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' as const } })),
      } as Bundle);
    }
    if (id !== undefined && method === 'GET') {
      const found = store.get(`${type}/${id}`);
      return found ? send(200, found, { etag: `W/"${found.meta?.versionId ?? '1'}"` }) : send(404, outcome('not-found', `${type}/${id} is not known`));
    }
    if (method === 'DELETE' && id !== undefined) {
      if (!options.delete) return send(405, outcome('not-supported', 'delete is not supported'));
      store.delete(`${type}/${id}`);
      return send(204);
    }
    if (options.writes === false && (method === 'POST' || method === 'PUT')) return send(405, outcome('not-supported', `${method} is not supported: this server is read-only`));
    if ((method === 'POST' && id === undefined) || (method === 'PUT' && id !== undefined)) {
      const resource = readBody();
      if (resource.resourceType === 'OperationOutcome') return send(unreadable(resource as OperationOutcome), resource);
      if (resource.resourceType !== type) return send(400, outcome('invalid', `expected a ${type}, got a ${resource.resourceType}`));
      const held = method === 'PUT' ? store.get(`${type}/${id}`) : undefined;
      if (method === 'PUT' && !held && options.updateCreate === false) return send(405, outcome('not-supported', `${type}/${id} does not exist and ids are chosen by the server`));
      const ifMatch = req.headers['if-match'];
      if (options.ifMatch && held && ifMatch !== undefined && ifMatch !== `W/"${held.meta?.versionId}"`)
        return send(412, outcome('conflict', `If-Match ${ifMatch} is not the current version W/"${held.meta?.versionId}"`));
      if (options.requireStatus && !(resource as { status?: string }).status) return send(422, outcome('required', 'status is required'));
      const refused = options.refuse?.(resource);
      if (refused !== undefined) return send(422, outcome('invariant', refused));
      const newId = method === 'PUT' ? id! : options.keepClientId && resource.id ? resource.id : `${next++}`;
      const written = write(resource, newId);
      const stored = store.get(written.key)!;
      const status = method === 'POST' ? (options.createStatus ?? 201) : written.status;
      const location = `${baseUrl}/${written.key}${options.versionedLocation === false ? '' : `/_history/${stored.meta?.versionId}`}`;
      return send(status, stored, { location, etag: `W/"${stored.meta?.versionId}"`, 'last-modified': new Date().toUTCString() });
    }
    return send(405, outcome('not-supported', `${method} ${path} is not supported`));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      let status = 500;
      try {
        status = handle(req, body, res);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      }
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.search, status, ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}), body });
    });
  });
  const listening = await listenLocally(server);
  baseUrl = `http://127.0.0.1:${listening.port}/fhir`;
  return {
    baseUrl,
    store,
    requests,
    close: listening.close,
  };
}
