// A small FHIR server standing in for a vendor's system under load: an in-memory store answering
// metadata, create, update, read, delete, a collection Bundle at [base], and a MeasureReport search
// by measure and period with next links. It refuses what the load scenarios send as invalid
// (no status: 400; no subject, no group, a period without end, a date without time: 422) with an
// OperationOutcome. Faults make it answer every fifth request 503, or lose writes that race.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import { listenLocally } from '../listen-locally.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bundle, MeasureReport, Resource } from 'fhir/r4.js';

export interface StandInOptions {
  /** Answer the 5th, 10th, 15th… request 503. */
  every5th503?: boolean;
  /** Writes read the store, wait a moment, and write back their copy: concurrent writes lose each other. */
  loseRacingWrites?: boolean;
  /** Declare no MeasureReport read in the CapabilityStatement. */
  noRead?: boolean;
  /** Resources held from the start. */
  seed?: readonly Resource[];
  /** Serve https with these options (e.g. demanding a client certificate). */
  tls?: HttpsOptions;
}

export interface RecordedRequest {
  method: string;
  url: string;
  requestHeaders: IncomingMessage['headers'];
  body: string;
  status: number;
  headers: Record<string, string>;
  response: string;
}

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  /** `Type/id` -> resource held now. */
  store(): Map<string, Resource>;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/fhir+json';

function outcome(code: string, text: string): string {
  return JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] });
}

function instant(s: string | undefined): number {
  return s ? Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s) : Number.NaN;
}

/** Why a report is refused, if it is. */
function refusal(r: MeasureReport): [number, string] | undefined {
  if (!r.status) return [400, 'MeasureReport.status is required'];
  if (!r.subject) return [422, 'MeasureReport.subject is required'];
  if (!r.group?.length) return [422, 'MeasureReport.group is required'];
  if (!r.period?.end) return [422, 'MeasureReport.period.end is required'];
  if (r.date !== undefined && !r.date.includes('T')) return [422, 'MeasureReport.date needs a time'];
  return undefined;
}

const capabilities = (read: boolean) => ({
  resourceType: 'CapabilityStatement',
  status: 'active',
  kind: 'instance',
  fhirVersion: '4.0.1',
  format: ['json'],
  rest: [
    {
      mode: 'server',
      resource: [
        { type: 'MeasureReport', interaction: [...(read ? ['read'] : []), 'create', 'update', 'delete', 'search-type'].map((code) => ({ code })) },
        { type: 'Location', interaction: [{ code: 'read' }] },
      ],
    },
  ],
});

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  let store = new Map<string, Resource>((options.seed ?? []).map((r) => [`${r.resourceType}/${r.id}`, structuredClone(r)]));
  let counter = 0;
  let nextId = 1;
  const requests: RecordedRequest[] = [];
  let base = '';

  const write = async (key: string, resource: Resource) => {
    if (!options.loseRacingWrites) {
      store.set(key, resource);
      return;
    }
    const copy = new Map(store);
    await sleep(2);
    copy.set(key, resource);
    store = copy;
  };

  const handle = async (req: IncomingMessage, body: string): Promise<[number, Record<string, string>, string]> => {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname.replace(/^\/+/, '');
    const method = req.method ?? 'GET';
    counter++;
    if (options.every5th503 && counter % 5 === 0) return [503, { 'content-type': JSON_TYPE }, outcome('transient', 'busy')];
    if (method === 'GET' && path === 'metadata') return [200, { 'content-type': JSON_TYPE }, JSON.stringify(capabilities(!options.noRead))];
    const [type, id] = path.split('/') as [string | undefined, string | undefined];
    if (method === 'POST' && path === '') {
      const bundle = JSON.parse(body) as Bundle;
      if (bundle.resourceType !== 'Bundle' || bundle.type !== 'collection') return [400, { 'content-type': JSON_TYPE }, outcome('invalid', 'a collection Bundle is expected')];
      for (const e of bundle.entry ?? []) {
        const r = e.resource as MeasureReport;
        const refused = refusal(r);
        if (refused) return [422, { 'content-type': JSON_TYPE }, outcome('invalid', refused[1])];
      }
      for (const e of bundle.entry ?? []) await write(`MeasureReport/${e.resource!.id}`, e.resource!);
      return [200, { 'content-type': JSON_TYPE }, outcome('informational', 'stored')];
    }
    if (type === 'MeasureReport' && method === 'POST' && id === undefined) {
      const r = JSON.parse(body) as MeasureReport;
      const refused = refusal(r);
      if (refused) return [refused[0], { 'content-type': JSON_TYPE }, outcome('invalid', refused[1])];
      const newId = `mr-${nextId++}`;
      await write(`MeasureReport/${newId}`, { ...r, id: newId });
      return [201, { location: `${base}/MeasureReport/${newId}/_history/1`, 'content-type': JSON_TYPE }, ''];
    }
    if (type === 'MeasureReport' && method === 'PUT' && id !== undefined) {
      const r = JSON.parse(body) as MeasureReport;
      if (r.id !== id) return [400, { 'content-type': JSON_TYPE }, outcome('invalid', 'the body id differs from the URL')];
      const refused = refusal(r);
      if (refused) return [refused[0], { 'content-type': JSON_TYPE }, outcome('invalid', refused[1])];
      const existed = store.has(`MeasureReport/${id}`);
      await write(`MeasureReport/${id}`, r);
      return [existed ? 200 : 201, { 'content-type': JSON_TYPE, etag: 'W/"2"', 'last-modified': new Date().toUTCString() }, ''];
    }
    if (method === 'GET' && type && id !== undefined) {
      const found = store.get(`${type}/${id}`);
      return found ? [200, { 'content-type': JSON_TYPE }, JSON.stringify(found)] : [404, { 'content-type': JSON_TYPE }, outcome('not-found', `${type}/${id} is not known`)];
    }
    if (method === 'DELETE' && type && id !== undefined) {
      store.delete(`${type}/${id}`);
      return [204, {}, ''];
    }
    if (method === 'GET' && type === 'MeasureReport' && id === undefined) {
      const measure = url.searchParams.get('measure');
      const periods = url.searchParams.getAll('period');
      const from = instant(periods.find((p) => p.startsWith('ge'))?.slice(2));
      const to = instant(periods.find((p) => p.startsWith('le'))?.slice(2));
      const count = Number(url.searchParams.get('_count') ?? 20);
      const offset = Number(url.searchParams.get('_offset') ?? 0);
      const all = [...store.values()]
        .filter((r): r is MeasureReport => r.resourceType === 'MeasureReport')
        .filter((r) => !measure || r.measure === measure)
        .filter((r) => Number.isNaN(from) || instant(r.period?.end ?? r.period?.start) >= from)
        .filter((r) => Number.isNaN(to) || instant(r.period?.start) <= to)
        .sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
      const page = all.slice(offset, offset + count);
      const next = new URL(url.toString());
      next.searchParams.set('_offset', String(offset + count));
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: all.length,
        link: [{ relation: 'self', url: url.toString() }, ...(offset + count < all.length ? [{ relation: 'next', url: next.toString() }] : [])],
        entry: page.map((r) => ({ fullUrl: `${base}/MeasureReport/${r.id}`, resource: r, search: { mode: 'match' as const } })),
      };
      return [200, { 'content-type': JSON_TYPE }, JSON.stringify(bundle)];
    }
    return [404, { 'content-type': JSON_TYPE }, outcome('not-supported', `${method} ${path} is not served`)];
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      void handle(req, body).then(([status, headers, response]) => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', requestHeaders: req.headers, body, status, headers, response });
        res.writeHead(status, headers).end(response);
      });
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
  const listening = await listenLocally(server);
  base = `${options.tls ? 'https' : 'http'}://127.0.0.1:${listening.port}`;
  return {
    url: base,
    requests,
    store: () => store,
    close: listening.close,
  };
}
