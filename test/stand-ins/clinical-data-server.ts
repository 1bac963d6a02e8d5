/**
 * A stand-in for a hospital's FHIR server holding clinical data, as a Data Source someone else
 * wrote: not built on the project's server core or search engine, just node:http, a map and a
 * hand-written search over the parameters a Measure Computer uses (R4's paths for them, token,
 * reference and date matching with the R4 precision rules, `_include`, `_count` with `_offset`
 * next links, GET and POST _search). Its CapabilityStatement lists no modifiers, as most servers'
 * do. Switches give it the habits real servers have: `:in` answered from the stored ValueSets,
 * refused with 400, or silently dropped; a date range whose end is read inclusively; client ids
 * refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocally } from '../listen-locally.js';
import type { Bundle, BundleEntry, CapabilityStatement, Coding, OperationOutcome, Resource, ValueSet } from 'fhir/r4.js';

export interface ClinicalServerOptions {
  /** How it meets `name:in`: answers it from the ValueSets it holds (default), refuses it with 400, or drops it and searches without. */
  inModifier?: 'answered' | 'refused' | 'dropped';
  /** `lt` on a date read as "up to and including" the instant (a habit of hand-written date filters). Default false. */
  dateEndInclusive?: boolean;
  /** Matches per page without `_count`. Default 50. */
  pageSize?: number;
  /** A PUT at an id it does not hold answers 405 (no client-chosen ids). Default false. */
  refuseClientIds?: boolean;
  /** Resources it holds at start. */
  seed?: readonly Resource[];
}

export interface ClinicalServer {
  baseUrl: string;
  store: Map<string, Resource>;
  /** `METHOD path?query -> status` of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

type Kind = 'token' | 'reference' | 'date';
interface Param {
  kind: Kind;
  paths: readonly string[];
}

const p = (kind: Kind, ...paths: string[]): Param => ({ kind, paths });
const subject = p('reference', 'subject');
const encounter = p('reference', 'encounter');
const medication = p('token', 'medicationCodeableConcept.coding');

/** The parameters it serves, with R4's paths. */
const PARAMS: Readonly<Record<string, Readonly<Record<string, Param>>>> = {
  Patient: {},
  Encounter: { patient: subject, subject, class: p('token', 'class'), date: p('date', 'period'), status: p('token', 'status'), 'reason-code': p('token', 'reasonCode.coding') },
  Condition: { patient: subject, subject, encounter, code: p('token', 'code.coding') },
  Observation: {
    patient: subject,
    subject,
    encounter,
    code: p('token', 'code.coding'),
    status: p('token', 'status'),
    date: p('date', 'effectiveDateTime', 'effectivePeriod'),
    'value-concept': p('token', 'valueCodeableConcept.coding'),
  },
  Procedure: {
    patient: subject,
    subject,
    encounter,
    code: p('token', 'code.coding'),
    status: p('token', 'status'),
    date: p('date', 'performedDateTime', 'performedPeriod'),
    'reason-code': p('token', 'reasonCode.coding'),
  },
  AllergyIntolerance: { patient: p('reference', 'patient'), code: p('token', 'code.coding') },
  DiagnosticReport: { patient: subject, subject, encounter, code: p('token', 'code.coding') },
  MedicationRequest: { patient: subject, subject, encounter, code: medication },
  ServiceRequest: { patient: subject, subject, encounter, code: p('token', 'code.coding') },
  DocumentReference: { patient: subject, subject, encounter: p('reference', 'context.encounter') },
  FamilyMemberHistory: { patient: p('reference', 'patient'), code: p('token', 'condition.code.coding') },
  MedicationAdministration: { patient: subject, subject, code: medication },
  MedicationDispense: { patient: subject, subject, code: medication },
  MedicationStatement: { patient: subject, subject, code: medication },
  Location: { 'physical-type': p('token', 'physicalType.coding'), status: p('token', 'status'), 'operational-status': p('token', 'operationalStatus'), partof: p('reference', 'partOf') },
  Device: { patient: p('reference', 'patient') },
  Organization: {},
  ValueSet: { url: p('token', 'url') },
};
const CONTROL = new Set(['_count', '_offset', '_include', '_format']);

/** Every value at a dotted path, arrays flattened at each step. */
function at(resource: unknown, path: string): unknown[] {
  let values: unknown[] = [resource];
  for (const step of path.split('.'))
    values = values.flatMap((v) => (v && typeof v === 'object' ? [(v as Record<string, unknown>)[step]] : [])).flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]));
  return values;
}

/** The instants a date value covers, [low, high), at its own precision. */
function range(text: string): [number, number] {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const low = Date.parse(day ? `${text}T00:00:00Z` : text);
  return [low, low + (day ? 86_400_000 : 1000)];
}

function targetRanges(value: unknown): Array<[number, number]> {
  if (typeof value === 'string') return [range(value)];
  const period = value as { start?: string; end?: string };
  return [[period.start ? range(period.start)[0] : -Infinity, period.end ? range(period.end)[1] : Infinity]];
}

export async function startClinicalServer(options: ClinicalServerOptions = {}): Promise<ClinicalServer> {
  const store = new Map<string, Resource>((options.seed ?? []).map((r) => [`${r.resourceType}/${r.id}`, structuredClone(r)]));
  const requests: string[] = [];
  let baseUrl = '';

  const outcome = (code: string, text: string): OperationOutcome => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: code as 'invalid', diagnostics: text }] });
  class Refusal extends Error {}

  const expand = (url: string): Coding[] => {
    const vs = [...store.values()].find((r) => r.resourceType === 'ValueSet' && (r as ValueSet).url === url) as ValueSet | undefined;
    if (!vs) throw new Refusal(`no ValueSet ${url} is known`);
    return (vs.compose?.include ?? []).flatMap((inc) => (inc.concept ?? []).map((c) => ({ system: inc.system, code: c.code })));
  };

  const tokenMatches = (value: unknown, wanted: string): boolean => {
    const coding = typeof value === 'string' ? { code: value } : (value as Coding);
    const bar = wanted.indexOf('|');
    if (bar < 0) return coding.code === wanted;
    const [system, code] = [wanted.slice(0, bar), wanted.slice(bar + 1)];
    return (system === '' ? coding.system === undefined : coding.system === system) && (code === '' || coding.code === code);
  };

  const dateMatches = (value: unknown, wanted: string): boolean => {
    const prefix = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)/.exec(wanted)?.[1] ?? 'eq';
    const [low, high] = range(wanted.slice(/^[a-z]{2}/.test(wanted) ? 2 : 0));
    return targetRanges(value).some(([tLow, tHigh]) => {
      const within = tLow >= low && tHigh <= high;
      switch (prefix) {
        case 'ge':
          return tHigh > high || within;
        case 'gt':
          return tHigh > high;
        case 'lt':
          return options.dateEndInclusive ? tLow <= low : tLow < low;
        case 'le':
          return tLow < low || within;
        case 'eq':
          return within;
        default:
          throw new Refusal(`the date prefix ${prefix} is not supported`);
      }
    });
  };

  const matches = (resource: Resource, name: string, modifier: string | undefined, wanted: string): boolean => {
    if (name === '_id') return wanted.split(',').includes(resource.id ?? '');
    const param = PARAMS[resource.resourceType]?.[name];
    if (!param) throw new Refusal(`${resource.resourceType} has no search parameter ${name}`);
    const values = param.paths.flatMap((path) => at(resource, path));
    if (modifier === 'in') {
      const codes = expand(wanted);
      return values.some((v) => codes.some((c) => tokenMatches(v, `${c.system}|${c.code}`)));
    }
    if (modifier) throw new Refusal(`the modifier :${modifier} is not supported`);
    return wanted.split(',').some((one) =>
      values.some((v) => {
        if (param.kind === 'token') return tokenMatches(v, one);
        if (param.kind === 'date') return dateMatches(v, one);
        const reference = (v as { reference?: string }).reference ?? '';
        return reference === one || reference.endsWith(`/${one}`) || one.endsWith(`/${reference}`);
      }),
    );
  };

  const search = (type: string, query: URLSearchParams): Bundle => {
    const criteria = [...query].filter(([name]) => !CONTROL.has(name)).filter(([name]) => !(options.inModifier === 'dropped' && name.endsWith(':in')));
    for (const [name] of criteria) {
      const [base, modifier] = name.split(':') as [string, string | undefined];
      if (modifier === 'in' && options.inModifier === 'refused') throw new Refusal(`the modifier :in is not supported (${name})`);
      if (base !== '_id' && !PARAMS[type]?.[base]) throw new Refusal(`${type} has no search parameter ${base}`);
    }
    const all = [...store.values()].filter((r) => r.resourceType === type && criteria.every(([name, value]) => matches(r, name.split(':')[0]!, name.split(':')[1], value)));
    const count = Math.min(Number(query.get('_count') ?? options.pageSize ?? 50), 1000);
    const offset = Number(query.get('_offset') ?? 0);
    const page = all.slice(offset, offset + count);
    const included = new Map<string, Resource>();
    for (const include of query.getAll('_include')) {
      const [from, name] = include.split(':') as [string, string | undefined];
      const param = from === type && name ? PARAMS[type]?.[name] : undefined;
      if (param?.kind !== 'reference') throw new Refusal(`_include=${include} is not supported`);
      for (const r of page) {
        for (const ref of param.paths.flatMap((path) => at(r, path)).map((v) => (v as { reference?: string }).reference ?? '')) {
          const target = store.get(ref.replace(/^.*\/([A-Z][A-Za-z]+\/[^/]+)$/, '$1'));
          if (target) included.set(ref, target);
        }
      }
    }
    const link = [{ relation: 'self', url: `${baseUrl}/${type}?${query}` }];
    if (offset + count < all.length) {
      const next = new URLSearchParams(query);
      next.set('_offset', String(offset + count));
      next.set('_count', String(count));
      link.push({ relation: 'next', url: `${baseUrl}/${type}?${next}` });
    }
    const entry = (resource: Resource, mode: 'match' | 'include'): BundleEntry => ({ fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode } });
    return { resourceType: 'Bundle', type: 'searchset', total: all.length, link, entry: [...page.map((r) => entry(r, 'match')), ...[...included.values()].map((r) => entry(r, 'include'))] };
  };

  const capability = (): CapabilityStatement => ({
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    software: { name: 'Clinical Data Stand-in', version: '1.0' },
    rest: [
      {
        mode: 'server',
        resource: Object.entries(PARAMS).map(([type, params]) => ({
          type: type as 'Patient',
          interaction: [{ code: 'read' as const }, { code: 'search-type' as const }, { code: 'update' as const }, { code: 'delete' as const }],
          searchParam: [{ name: '_id', type: 'token' as const }, ...Object.entries(params).map(([name, param]) => ({ name, type: param.kind }))],
        })),
      },
    ],
  });

  const handle = (req: IncomingMessage, body: string, res: ServerResponse): number => {
    const url = new URL(req.url ?? '/', 'http://x');
    const segments = url.pathname
      .replace(/^\/fhir\/?/, '')
      .split('/')
      .filter(Boolean);
    const method = req.method ?? 'GET';
    const send = (status: number, resource?: Resource) => {
      if (resource) res.writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8' }).end(JSON.stringify(resource));
      else res.writeHead(status).end();
      return status;
    };
    try {
      const [type, id, extra] = segments;
      if (type === 'metadata' && method === 'GET') return send(200, capability());
      if (!type || !PARAMS[type]) return send(404, outcome('not-supported', `resource type ${type ?? '(none)'} is not supported`));
      if (method === 'GET' && id === undefined) return send(200, search(type, url.searchParams));
      if (method === 'POST' && id === '_search' && extra === undefined) {
        const query = new URLSearchParams(url.searchParams);
        for (const [n, v] of new URLSearchParams(body)) query.append(n, v);
        return send(200, search(type, query));
      }
      if (id === undefined || extra !== undefined) return send(400, outcome('not-supported', `${method} ${url.pathname} is not supported`));
      const key = `${type}/${id}`;
      if (method === 'GET') return store.has(key) ? send(200, store.get(key)) : send(404, outcome('not-found', `${key} is not known`));
      if (method === 'DELETE') return send(store.delete(key) ? 204 : 404);
      if (method === 'PUT') {
        const resource = JSON.parse(body) as Resource;
        if (resource.resourceType !== type || resource.id !== id) return send(400, outcome('invalid', `the body is not ${key}`));
        const held = store.has(key);
        if (!held && options.refuseClientIds) return send(405, outcome('not-supported', 'ids are chosen by the server: create with POST'));
        store.set(key, { ...resource, meta: { ...resource.meta, versionId: '1', lastUpdated: new Date().toISOString() } });
        return send(held ? 200 : 201, store.get(key));
      }
      return send(405, outcome('not-supported', `${method} is not supported`));
    } catch (err) {
      if (err instanceof Refusal) return send(400, outcome('not-supported', err.message));
      throw err;
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let status = 500;
      try {
        status = handle(req, Buffer.concat(chunks).toString('utf8'), res);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      }
      requests.push(`${req.method} ${req.url} -> ${status}`);
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
