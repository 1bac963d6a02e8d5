/**
 * A seeded generator of malformed and adversarial requests for a FHIR server, aimed at the routes
 * its CapabilityStatement declares (create, update, read, search, _search, operations, batch and
 * Bundle POSTs) so the bad input reaches real handlers rather than the 404 of an unknown path.
 * Each request carries the statuses a correct server may answer it with, so the fuzz run can tell
 * a documented rejection from a wrong one. The same seed always yields the same requests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CapabilityStatement, Resource } from 'fhir/r4.js';
import { parseJson } from '../../src/fhir/json.js';
import { serializeResource } from '../../src/fhir/format.js';
import { projectRoot } from '../../src/harness.js';

/** A small, fast, seedable PRNG (mulberry32): the fuzz needs repeatability, not quality. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(readonly next: () => number) {}
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface SurfaceResource {
  type: string;
  interactions: ReadonlySet<string>;
  searchParams: { name: string; type: string }[];
  operations: string[];
}

/** What a server says it serves, as far as the fuzz needs it. */
export interface FuzzSurface {
  resources: SurfaceResource[];
  systemOperations: string[];
  /** Ids the store holds, by type, so reads and updates hit existing resources. */
  ids: Record<string, string[]>;
}

export function surfaceOf(statement: CapabilityStatement, ids: Record<string, string[]>): FuzzSurface {
  const rest = statement.rest?.[0];
  return {
    resources: (rest?.resource ?? []).map((r) => ({
      type: r.type,
      interactions: new Set((r.interaction ?? []).map((i) => i.code)),
      searchParams: (r.searchParam ?? []).map((p) => ({ name: p.name, type: p.type })),
      operations: (r.operation ?? []).map((o) => o.name),
    })),
    systemOperations: (rest?.operation ?? []).map((o) => o.name),
    ids,
  };
}

/** Valid resources and CSV files to break: the project's fixtures. */
export interface FuzzMaterial {
  byType: Map<string, Resource[]>;
  csv: string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export function loadFuzzMaterial(): FuzzMaterial {
  const files = filesUnder(join(projectRoot, 'fixtures')).sort();
  const byType = new Map<string, Resource[]>();
  for (const file of files.filter((f) => f.endsWith('.json'))) {
    let resource: Resource;
    try {
      resource = parseJson(readFileSync(file, 'utf8'));
      serializeResource(resource, 'xml');
    } catch {
      continue; // a deliberately broken fixture (the fuzz breaks its own), or one XML cannot carry
    }
    byType.set(resource.resourceType, [...(byType.get(resource.resourceType) ?? []), resource]);
  }
  return { byType, csv: files.filter((f) => f.endsWith('.csv')).map((f) => readFileSync(f, 'utf8')) };
}

export interface FuzzRequest {
  /** Which mutation made it, e.g. `broken-json`. */
  kind: string;
  method: string;
  /** Path and query below the server base, starting with `/`. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Error statuses a correct server may answer with. */
  allowed: ReadonlySet<number>;
  /** A 2xx is also correct: the mutation may have left the request valid. */
  mayAccept: boolean;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** How many of the requests carry a body of about 10 MB (above and below the server's limit). */
  largeBodies: number;
  /** Bytes the server accepts in one body; the large bodies straddle it. */
  bodyLimit: number;
}

const JSON_TYPE = 'application/fhir+json';
const XML_TYPE = 'application/fhir+xml';
/** Answers a server may give to a request on a route it does not serve that way. */
const ROUTE_REFUSALS = [404, 405, 501];

function statuses(...codes: number[]): ReadonlySet<number> {
  return new Set([...codes, ...ROUTE_REFUSALS]);
}

/** Where a body goes: a create, an update, a Bundle POST or an operation. */
interface BodyTarget {
  method: 'POST' | 'PUT';
  path: string;
  /** The resource type the route takes, for picking a fixture to break. */
  type: string;
  /** An update needs the body's id to be the URL's. */
  id?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class FuzzRequestGenerator {
  readonly #dice: Dice;
  readonly #surface: FuzzSurface;
  readonly #material: FuzzMaterial;
  readonly #options: FuzzOptions;

  constructor(surface: FuzzSurface, material: FuzzMaterial, options: FuzzOptions) {
    this.#dice = new Dice(prng(options.seed));
    this.#surface = surface;
    this.#material = material;
    this.#options = options;
  }

  *requests(): Generator<FuzzRequest> {
    const { count, largeBodies } = this.#options;
    // Large bodies spread evenly through the run, not bunched at one end.
    const every = largeBodies > 0 ? Math.floor(count / largeBodies) : Infinity;
    for (let i = 0; i < count; i++) {
      yield i % every === every - 1 ? this.largeBody(Math.floor(i / every)) : this.one();
    }
  }

  one(): FuzzRequest {
    const d = this.#dice;
    const kinds: Array<[number, () => FuzzRequest]> = [
      [12, () => this.brokenJson()],
      [8, () => this.brokenXml()],
      [12, () => this.wrongTypes()],
      [5, () => this.hugeNumbers()],
      [3, () => this.deepNesting()],
      [5, () => this.xmlEntities()],
      [6, () => this.invalidUtf8()],
      [8, () => this.wrongContentType()],
      [14, () => this.bogusSearch()],
      [6, () => this.bogusPath()],
      [4, () => this.wrongMethod()],
      [4, () => this.badHeaders()],
      [5, () => this.csvBody()],
      [4, () => this.bundleBody()],
      [4, () => this.operationParameters()],
    ];
    const total = kinds.reduce((n, [w]) => n + w, 0);
    let roll = d.int(total);
    for (const [weight, make] of kinds) {
      if (roll < weight) return make();
      roll -= weight;
    }
    return kinds[0]![1]();
  }

  // ---- targets and material ------------------------------------------------------------------

  private typesWith(interaction: string): SurfaceResource[] {
    return this.#surface.resources.filter((r) => r.interactions.has(interaction));
  }

  private idOf(type: string): string {
    const known = this.#surface.ids[type] ?? [];
    return known.length && this.#dice.chance(0.8) ? this.#dice.pick(known) : `fuzz-${this.#dice.int(1000)}`;
  }

  private anyType(): SurfaceResource {
    return this.#dice.pick(this.#surface.resources);
  }

  private bodyTarget(): BodyTarget {
    const d = this.#dice;
    const creatable = this.typesWith('create');
    const updatable = this.typesWith('update');
    const withOps = this.#surface.resources.filter((r) => r.operations.length > 0);
    const options: Array<() => BodyTarget> = [
      () => {
        const r = creatable.length ? d.pick(creatable) : this.anyType();
        return { method: 'POST', path: `/${r.type}`, type: r.type };
      },
      () => {
        const r = updatable.length ? d.pick(updatable) : this.anyType();
        const id = this.idOf(r.type);
        return { method: 'PUT', path: `/${r.type}/${id}`, type: r.type, id };
      },
      () => ({ method: 'POST', path: d.pick(['/', '/Bundle']), type: 'Bundle' }),
    ];
    if (withOps.length) {
      options.push(() => {
        const r = d.pick(withOps);
        const op = d.pick(r.operations);
        const path = d.chance(0.5) ? `/${r.type}/$${op}` : `/${r.type}/${this.idOf(r.type)}/$${op}`;
        return { method: 'POST', path, type: 'Parameters' };
      });
    }
    return d.pick(options)();
  }

  private baseResource(target: BodyTarget): Record<string, Json> {
    const pool = this.#material.byType.get(target.type) ?? [];
    const chosen: Resource = pool.length ? this.#dice.pick(pool) : ({ resourceType: target.type } as Resource);
    const copy = structuredClone(chosen) as unknown as Record<string, Json>;
    if (target.id !== undefined) copy['id'] = target.id;
    return copy;
  }

  private serialized(target: BodyTarget, format: 'json' | 'xml'): string {
    return serializeResource(this.baseResource(target) as unknown as Resource, format);
  }

  private request(
    kind: string,
    method: string,
    path: string,
    allowed: ReadonlySet<number>,
    extra: { headers?: Record<string, string>; body?: Buffer | string; mayAccept?: boolean } = {},
  ): FuzzRequest {
    const headers: Record<string, string> = { accept: JSON_TYPE, ...(extra.headers ?? {}) };
    return {
      kind,
      method,
      path,
      headers,
      ...(extra.body !== undefined ? { body: typeof extra.body === 'string' ? Buffer.from(extra.body, 'utf8') : extra.body } : {}),
      allowed,
      mayAccept: extra.mayAccept ?? false,
    };
  }

  // ---- body mutations ------------------------------------------------------------------------

  /** JSON text that no JSON parser may accept. */
  private brokenJson(): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    const text = this.serialized(target, 'json');
    const breakers: Array<(t: string) => string> = [
      (t) => t.slice(0, 1 + d.int(t.length - 1)),
      (t) => `${t}${d.pick(['x', '}', ',', ']', '{"a":1}', 'null'])}`,
      (t) => `${d.pick(['x', ',', ']', '"', "'"])}${t}`,
      (t) => `{unquoted: 1, ${t.slice(1)}`,
      (t) => `{"nan": NaN, ${t.slice(1)}`,
      (t) => `{"inf": -Infinity, ${t.slice(1)}`,
      (t) => `${t.slice(0, -1)},}`,
      () => `{'resourceType': '${target.type}'}`,
      () => `{"resourceType": "${target.type}", "id": "a" "b": 1}`,
      (t) => t.replace('{', '['),
      () => `{"resourceType": "${target.type}", "note": "unterminated}`,
      () => `{"resourceType": "${target.type}", "x": "\\u12G4"}`,
      () => '{',
    ];
    // An empty body is a broken create or update, but an operation called with no inputs at all.
    if (target.type !== 'Parameters')
      breakers.push(
        () => '',
        () => ' \n\t ',
      );
    return this.request('broken-json', target.method, target.path, statuses(400), { headers: { 'content-type': JSON_TYPE }, body: d.pick(breakers)(text) });
  }

  /** XML that is not well-formed. */
  private brokenXml(): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    const text = this.serialized(target, 'xml');
    const close = text.lastIndexOf('</');
    const breakers: Array<(t: string) => string> = [
      (t) => t.slice(0, close > 0 ? 1 + d.int(close) : 1),
      (t) => t.slice(0, close),
      (t) => `${t}<trailing/>`,
      (t) => `garbage${t}`,
      (t) => t.replace(/<\/(\w+)>/, '</$1x>'),
      (t) => t.replace(/ value="/, ' value='),
      (t) => t.replace(/ value="[^"]*"/, ' value="a" value="b"'),
      (t) => t.replace(/ value="/, ' value="&undefined;'),
      (t) => t.replace(/ value="/, ' value="<'),
      (t) => t.replace('<', '< '),
      () => `<${'a'.repeat(10)}`,
      () => '<?xml version="1.0"?>',
      () => '<>',
    ];
    return this.request('broken-xml', target.method, target.path, statuses(400), { headers: { 'content-type': XML_TYPE }, body: d.pick(breakers)(text) });
  }

  private jsonPaths(value: Json, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    if (path.length) out.push(path);
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) this.jsonPaths(v, [...path, i], out);
    } else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) this.jsonPaths(v, [...path, k], out);
    return out;
  }

  private replaceAt(root: Record<string, Json>, path: (string | number)[], replace: (old: Json) => Json): void {
    let parent: Json | undefined = root;
    for (const step of path.slice(0, -1)) {
      // An earlier mutation may have replaced an ancestor; the path then leads nowhere.
      if (parent === null || typeof parent !== 'object') return;
      parent = (parent as Record<string | number, Json>)[step];
    }
    if (parent === null || typeof parent !== 'object') return;
    const last = path[path.length - 1]!;
    const holder = parent as Record<string | number, Json>;
    if (holder[last] !== undefined) holder[last] = replace(holder[last]);
  }

  /** Well-formed JSON whose values have the wrong JSON type for their FHIR element. */
  private wrongTypes(): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    const resource = this.baseResource(target);
    const paths = this.jsonPaths(resource);
    const mutations = 1 + d.int(3);
    for (let i = 0; i < mutations && paths.length; i++) {
      this.replaceAt(resource, d.pick(paths), (old) => {
        if (typeof old === 'string') return d.pick<Json>([42, true, {}, [1, 2], -0.5]);
        if (typeof old === 'number') return d.pick<Json>(['12abc', true, {}, ['1']]);
        if (typeof old === 'boolean') return d.pick<Json>(['true', 1, {}]);
        if (Array.isArray(old)) return d.pick<Json>([{}, 'x', 7, [[]]]);
        return d.pick<Json>(['x', 3, [[old]], false]);
      });
    }
    // A batch answers 200 with an error per entry; an operation may not read the parameter broken.
    const mayAccept = target.type === 'Bundle' || target.type === 'Parameters';
    return this.request('wrong-types', target.method, target.path, statuses(400, 422), { headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(resource), mayAccept });
  }

  /** Numbers past every native range, where a decimal, an integer or a date is expected. */
  private hugeNumbers(): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    let text = JSON.stringify(this.baseResource(target));
    const huge = () => d.pick(['1e400', '-1e400', '1e-400', '123456789012345678901234567890123456789', '-99999999999999999999', `0.${'0'.repeat(400)}1`, '9'.repeat(2000), '1E+99999999999']);
    text = text.replace(/(:\s*)-?\d+(\.\d+)?/g, (m, colon: string) => (d.chance(0.5) ? `${colon}${huge()}` : m));
    if (d.chance(0.5)) text = text.replace(/"(\d{4}-\d{2}-\d{2}[^"]*)"/, `"${d.pick(['99999-01-01', '2020-99-99', '0000-00-00', '2020-02-30T25:61:61Z', '+275760-09-13'])}"`);
    if (d.chance(0.3)) text = text.replace(/"count":\s*-?\d+/, `"count":${huge()}`);
    return this.request('huge-numbers', target.method, target.path, statuses(400, 422), { headers: { 'content-type': JSON_TYPE }, body: text, mayAccept: true });
  }

  /** Nesting far past anything FHIR needs: extensions in extensions, arrays in arrays, elements in elements. */
  private deepNesting(): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    const depth = d.pick([600, 1_000, 10_000, 100_000]);
    const shape = d.int(4);
    let body: string;
    let type = JSON_TYPE;
    if (shape === 0) body = `{"resourceType":"${target.type}","extension":${'[{"url":"urn:x","extension":'.repeat(depth)}[]${'}]'.repeat(depth)}}`;
    else if (shape === 1) body = `{"resourceType":"${target.type}","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    else if (shape === 2) body = `{"resourceType":"${target.type}","x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    else {
      type = XML_TYPE;
      body = `<${target.type} xmlns="http://hl7.org/fhir">${'<extension url="urn:x">'.repeat(depth)}${'</extension>'.repeat(depth)}</${target.type}>`;
    }
    return this.request('deep-nesting', target.method, target.path, statuses(400, 413, 422), { headers: { 'content-type': type }, body });
  }

  /** DOCTYPEs, external entities (XXE) and entity expansion bombs. */
  private xmlEntities(): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    const root = target.type;
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('');
    const attacks = [
      `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><${root} xmlns="http://hl7.org/fhir"><id value="&xxe;"/></${root}>`,
      `<?xml version="1.0"?><!DOCTYPE ${root} [${lol}]><${root} xmlns="http://hl7.org/fhir"><id value="&lol9;"/></${root}>`,
      `<!DOCTYPE ${root} SYSTEM "http://127.0.0.1:1/evil.dtd"><${root} xmlns="http://hl7.org/fhir"/>`,
      `<!DOCTYPE ${root} [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]><${root} xmlns="http://hl7.org/fhir"/>`,
      `<!DOCTYPE ${root} [<!ENTITY a "${'A'.repeat(1000)}"><!ENTITY b "${'&a;'.repeat(1000)}">]><${root} xmlns="http://hl7.org/fhir"><id value="&b;"/></${root}>`,
      `<!DOCTYPE ${root}>${this.serialized(target, 'xml').replace(/^<\?xml[^>]*\?>/, '')}`,
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "<id value='injected'/>">]><${root} xmlns="http://hl7.org/fhir">&e;</${root}>`,
    ];
    return this.request('xml-entities', target.method, target.path, statuses(400), { headers: { 'content-type': XML_TYPE }, body: d.pick(attacks) });
  }

  /** A body with byte sequences that are not UTF-8. */
  private invalidUtf8(): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    const format = d.chance(0.7) ? 'json' : 'xml';
    const text = Buffer.from(this.serialized(target, format), 'utf8');
    const bad = d.pick([[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]]);
    // Inside a string value where possible, so only the encoding is wrong.
    const quote = text.indexOf(format === 'json' ? '":"' : 'value="', d.int(text.length));
    const at = quote > 0 ? quote + 3 : d.int(text.length);
    const body = d.chance(0.2) ? Buffer.concat([text, Buffer.from([0xe2, 0x82])]) : Buffer.concat([text.subarray(0, at), Buffer.from(bad), text.subarray(at)]);
    return this.request('invalid-utf8', target.method, target.path, statuses(400), { headers: { 'content-type': format === 'json' ? JSON_TYPE : XML_TYPE }, body });
  }

  /** A well-formed resource labelled with a missing, foreign or lying Content-Type. */
  private wrongContentType(): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    const format = d.chance(0.5) ? 'json' : 'xml';
    const body = this.serialized(target, format);
    const lying = format === 'json' ? XML_TYPE : JSON_TYPE;
    const contentType = d.pick([
      undefined,
      'text/plain',
      'image/png',
      'multipart/form-data; boundary=x',
      'garbage',
      ';;;',
      '/',
      `${JSON_TYPE}; charset=iso-8859-1`,
      `${XML_TYPE}; charset=utf-16`,
      lying,
      lying,
      'application/x-www-form-urlencoded',
    ]);
    const allowed = contentType === lying ? statuses(400, 415) : statuses(415);
    return this.request('content-type', target.method, target.path, allowed, { headers: contentType === undefined ? {} : { 'content-type': contentType }, body });
  }

  // ---- search, paths, methods, headers -------------------------------------------------------

  private bogusValue(type: string): string {
    const d = this.#dice;
    const common = ['', ' ', '%', '\u0000', '\uFFFD', 'a'.repeat(5000), '$', '"', "'; DROP TABLE resources; --", '*', '\\', '%%%'];
    const byType: Record<string, string[]> = {
      date: ['ge2020-13-45', 'notadate', 'eq', 'ge', '2020-02-30', '99999-01-01', 'lt-2020', 'gt2020-01-01T25:00:00Z', 'sa', 'ap2020-W12', '2020-01-01T00:00:00+99:99', 'ge1e400'],
      number: ['abc', '1e999', 'NaN', '--1', 'gt', '0x10'],
      quantity: ['x|y|z|w', '1e400||', 'ge|', '5.0|||'],
      token: ['|||', '|', 'a|b|c', 'http://x|'],
      reference: ['Type/', '/', 'MeasureReport/', 'http://', '://x', 'a/b/c/d/e'],
      string: ['\u0000x', '%00'],
      uri: ['::', 'http://[::1', '\u0000'],
      special: ['x', '1|2|3|km|extra', '91|181|10|km', 'NaN|NaN|1|km'],
      composite: ['$', 'a$b$c'],
    };
    return d.pick([...(byType[type] ?? []), ...common]);
  }

  private bogusQuery(r: SurfaceResource): Array<[string, string]> {
    const d = this.#dice;
    const pairs: Array<[string, string]> = [];
    const n = 1 + d.int(3);
    for (let i = 0; i < n; i++) {
      const roll = d.int(10);
      if (roll < 5 && r.searchParams.length) {
        const p = d.pick(r.searchParams);
        const modifier = d.chance(0.3) ? d.pick([':exact', ':contains', ':missing', ':not', ':above', ':below', ':in', ':text', ':bogus', ':identifier', ':Location', '::']) : '';
        pairs.push([`${p.name}${modifier}`, this.bogusValue(p.type)]);
      } else if (roll < 8) {
        pairs.push(
          d.pick<[string, string]>([
            ['_count', d.pick(['-1', 'abc', '99999999999999999999', '1e3', '0x10', ''])],
            ['_sort', d.pick(['nonexistent', '-', '-_id,-', ',,,'])],
            ['_include', d.pick(['Garbage:x', '*:*', ':', `${r.type}:nonexistent`, `${r.type}:subject:Nope`])],
            ['_revinclude', d.pick(['Garbage:x', '*', ':'])],
            ['_summary', d.pick(['maybe', ''])],
            ['_elements', d.pick([',,,', '*', 'a.b.c'])],
            ['_total', 'sometimes'],
            ['_has:Nope:x:y', '1'],
            ['_lastUpdated', this.bogusValue('date')],
            ['_id', this.bogusValue('token')],
            ['_text', this.bogusValue('string')],
            ['_filter', 'name eq "x"'],
            ['_format', d.pick(['garbage', 'json', 'xml'])],
          ]),
        );
      } else {
        pairs.push([d.pick(['unknown', 'a.b.c.d.e.f', 'subject.subject.subject.name', '%FF', '']), this.bogusValue('string')]);
      }
    }
    return pairs;
  }

  /** Search with parameter values, modifiers and chains no server can honour. */
  private bogusSearch(): FuzzRequest {
    const d = this.#dice;
    const searchable = this.typesWith('search-type');
    const r = searchable.length ? d.pick(searchable) : this.anyType();
    const query = this.bogusQuery(r);
    const qs = query.map(([k, v]) => `${encodeURIComponent(k)}=${d.chance(0.1) ? '%FF%FE' : encodeURIComponent(v)}`).join('&');
    const strict: Record<string, string> = d.chance(0.3) ? { prefer: 'handling=strict' } : {};
    const allowed = statuses(400, 406);
    if (d.chance(0.3)) {
      // _search takes a form body; anything else labelled otherwise is a 415.
      const formBody = d.chance(0.8);
      return this.request('bogus-search', 'POST', `/${r.type}/_search`, formBody ? allowed : statuses(415), {
        headers: { ...strict, 'content-type': formBody ? 'application/x-www-form-urlencoded' : d.pick([JSON_TYPE, 'text/plain']) },
        body: formBody ? qs : `{"${qs}"}`,
        mayAccept: formBody,
      });
    }
    return this.request('bogus-search', 'GET', `/${r.type}?${qs}`, allowed, { headers: strict, mayAccept: true });
  }

  /** Paths no route serves: unknown types, impossible ids, stray segments, broken escapes. */
  private bogusPath(): FuzzRequest {
    const d = this.#dice;
    const r = this.anyType();
    const paths = [
      '/Nope',
      '/nope',
      `/${r.type}/${'x'.repeat(65)}`,
      `/${r.type}/bad%20id`,
      `/${r.type}/id%00`,
      `/${r.type}/..`,
      `/${r.type}/%2e%2e/%2e%2e/etc/passwd`,
      `/${r.type}/%ZZ`,
      '/%ZZ',
      `/${r.type}/a/b/c/d/e`,
      `/${r.type}/${this.idOf(r.type)}/_history/notaversion`,
      `/${r.type}/${this.idOf(r.type)}/_history/99999999999999999999`,
      `/${r.type}/${this.idOf(r.type)}/_nope`,
      `/${r.type}/$nonexistent-operation`,
      '/$nonexistent-operation',
      `/${r.type}/${this.idOf(r.type)}/$nonexistent`,
      `/${'A'.repeat(3000)}`,
      `/${r.type}/${'9'.repeat(3000)}`,
      '/metadata/extra',
      `/${r.type}/_search/extra`,
      `/${encodeURIComponent('<script>')}`,
    ];
    return this.request('bogus-path', d.pick(['GET', 'GET', 'POST', 'PUT', 'DELETE']), d.pick(paths), statuses(400), {
      ...(d.chance(0.3) ? { headers: { 'content-type': JSON_TYPE }, body: '{}' } : {}),
    });
  }

  /** Methods a route does not take. */
  private wrongMethod(): FuzzRequest {
    const d = this.#dice;
    const r = this.anyType();
    const id = this.idOf(r.type);
    const candidates: Array<[string, string]> = [
      ['PATCH', `/${r.type}/${id}`],
      ['OPTIONS', `/${r.type}`],
      ['PATCH', '/metadata'],
      ['DELETE', '/metadata'],
      ['PUT', '/metadata'],
      ['GET', `/${r.type}/_search`],
      ['DELETE', `/${r.type}`],
    ];
    if (!r.interactions.has('delete')) candidates.push(['DELETE', `/${r.type}/${id}`]);
    if (!r.interactions.has('create')) candidates.push(['POST', `/${r.type}`]);
    if (!r.interactions.has('update')) candidates.push(['PUT', `/${r.type}/${id}`]);
    const [method, path] = d.pick(candidates);
    const body = method === 'GET' || method === 'OPTIONS' ? undefined : this.serialized({ method: 'POST', path, type: r.type, id }, 'json');
    return this.request('wrong-method', method, path, statuses(400), body === undefined ? {} : { headers: { 'content-type': JSON_TYPE }, body });
  }

  /** Accept headers, `_format` values and conditional headers a server must refuse. */
  private badHeaders(): FuzzRequest {
    const d = this.#dice;
    const readable = this.typesWith('read');
    const r = readable.length ? d.pick(readable) : this.anyType();
    const id = this.idOf(r.type);
    if (d.chance(0.6)) {
      const path = d.chance(0.5) ? `/${r.type}/${id}` : '/metadata';
      if (d.chance(0.5))
        return this.request('bad-headers', 'GET', path, statuses(406), {
          headers: { accept: d.pick(['image/png', 'text/csv;q=x', 'application/xml;q=0', 'nothing/valid', 'application/fhir+json;q=0']) },
        });
      return this.request('bad-headers', 'GET', `${path}?_format=${d.pick(['png', 'text/html', 'application%2Fgarbage', '%FF'])}`, statuses(406));
    }
    const updatable = this.typesWith('update');
    const u = updatable.length ? d.pick(updatable) : r;
    const uid = this.idOf(u.type);
    const body = this.serialized({ method: 'PUT', path: '', type: u.type, id: uid }, 'json');
    const ifMatch = d.pick(['W/"999999"', 'garbage', 'W/""', '"-1"', 'W/"1", W/"2"', '*', `W/"${'9'.repeat(40)}"`]);
    return this.request('bad-headers', 'PUT', `/${u.type}/${uid}`, statuses(400, 409, 412, 422), { headers: { 'content-type': JSON_TYPE, 'if-match': ifMatch }, body });
  }

  // ---- CSV, Bundles, operation parameters ----------------------------------------------------

  /** CSV bodies with ragged rows, broken quoting, binary and bogus values, to every operation that may take one. */
  private csvBody(): FuzzRequest {
    const d = this.#dice;
    const withOps = this.#surface.resources.filter((r) => r.operations.length > 0);
    const r = withOps.length ? d.pick(withOps) : this.anyType();
    const op = r.operations.length ? d.pick(r.operations) : 'report-csv';
    const csv = this.#material.csv.length ? d.pick(this.#material.csv) : 'a,b\n1,2\n';
    const lines = csv.trimEnd().split('\n');
    const ragged = d.int(7);
    let body: string;
    if (ragged === 0) body = [...lines, `${lines[1] ?? '1'},extra,cells`].join('\n');
    else if (ragged === 1) body = [...lines, (lines[1] ?? '1,2').split(',').slice(0, 1).join(',')].join('\n');
    else if (ragged === 2) body = [...lines, '"unclosed,quote'].join('\n');
    else if (ragged === 3) body = `${lines[0]}\n${'x,'.repeat(5000)}\n`;
    else if (ragged === 4) body = `${lines[0]},${lines[0]}\n${lines.slice(1).join('\n')}`;
    else if (ragged === 5) body = String.fromCharCode(...Array.from({ length: 200 }, () => d.int(256)));
    else body = `${lines[0]}\n${(lines[1] ?? '').replace(/\d{4}-\d{2}-\d{2}[^,]*/g, 'notadate').replace(/,\d+/g, ',1e400')}`;
    const query = d.chance(0.8) ? '?period-start=2020-04-06&period-end=2020-04-07' : d.pick(['', '?period-start=garbage&period-end=', '?map=%FF&map=:::']);
    const path = `/${r.type}/${this.idOf(r.type)}/$${op}${query}`;
    // Only the ragged shapes (0-4) are certain to be wrong; binary and bogus values may parse as a CSV of nothing.
    return this.request(ragged <= 4 ? 'csv-ragged' : 'csv-values', 'POST', path, statuses(400, 415, 422), {
      headers: { 'content-type': d.pick(['text/csv', 'text/csv; charset=utf-8', 'application/csv']) },
      body,
      mayAccept: ragged > 4,
    });
  }

  /** Bundles to [base] and [base]/Bundle with wrong types, broken entries and odd shapes; a batch may answer 200 with errors per entry. */
  private bundleBody(): FuzzRequest {
    const d = this.#dice;
    const pool = this.#material.byType.get('Bundle') ?? [];
    const base = (pool.length ? structuredClone(d.pick(pool)) : { resourceType: 'Bundle', type: 'batch' }) as unknown as Record<string, Json>;
    const entries = (Array.isArray(base['entry']) ? base['entry'] : []) as Json[];
    const shape = d.int(8);
    if (shape === 0) base['type'] = d.pick(['garbage', 'document', 'transaction', 'searchset', 'history', 7]);
    else if (shape === 1) base['entry'] = entries.map((e) => ({ ...(e as Record<string, Json>), resource: { resourceType: 'MeasureReport', status: 42 } }));
    else if (shape === 2)
      base['entry'] = entries.map((e) => ({ ...(e as Record<string, Json>), request: { method: d.pick(['GARBAGE', 'DELETE', 'PATCH']), url: d.pick(['', '../../etc', 'Nope/1', '%ZZ']) } }));
    else if (shape === 3) base['entry'] = [{ resource: { resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'Bundle', type: 'batch' } }] } }];
    else if (shape === 4) base['entry'] = Array.from({ length: 300 }, () => ({ resource: { resourceType: 'Basic', code: { text: 'x' } } }));
    else if (shape === 5) base['entry'] = d.pick<Json>(['x', {}, [null], [[]]]);
    else if (shape === 6) base['entry'] = entries.map((e) => ({ ...(e as Record<string, Json>), fullUrl: d.pick(['not a uri', 'urn:uuid:', '']) }));
    else base['resourceType'] = d.pick(['Bundles', 'bundle', 'MeasureReport']);
    const path = d.pick(['/', '/Bundle']);
    return this.request('bundle', 'POST', path, statuses(400, 413, 422), { headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(base), mayAccept: shape !== 5 && shape !== 7 });
  }

  /** Operations invoked with Parameters or query strings that are wrong in shape or value. */
  private operationParameters(): FuzzRequest {
    const d = this.#dice;
    const withOps = this.#surface.resources.filter((r) => r.operations.length > 0);
    if (withOps.length === 0 && this.#surface.systemOperations.length === 0) return this.bogusSearch();
    const r = withOps.length ? d.pick(withOps) : undefined;
    const op = r ? d.pick(r.operations) : d.pick(this.#surface.systemOperations);
    const path = r ? (d.chance(0.5) ? `/${r.type}/$${op}` : `/${r.type}/${this.idOf(r.type)}/$${op}`) : `/$${op}`;
    const param = () =>
      d.pick<Json>([
        { name: 'period-start', valueString: 'garbage' },
        { name: 'input', valueString: 'not a Binary' },
        { name: 'input', resource: { resourceType: 'Binary', contentType: 'text/csv', data: '!!!not base64!!!' } },
        { name: 'input', resource: { resourceType: 'Binary', contentType: 'image/png', data: 'AAAA' } },
        { valueString: 'nameless' },
        { name: '', valueInteger: 1e40 },
        { name: 'map', valueBoolean: true },
        { name: 'subject', part: [{ name: 'x', part: [{ name: 'y' }] }] },
      ]);
    if (d.chance(0.4)) {
      const qs = ['period-start=garbage', 'period-end=', 'map=%FF', '_format=csv', 'subject=', 'measure=::'].filter(() => d.chance(0.5)).join('&');
      return this.request('operation-parameters', 'GET', `${path}?${qs}`, statuses(400, 406, 415, 422), { mayAccept: true });
    }
    const parameters = { resourceType: 'Parameters', parameter: Array.from({ length: 1 + d.int(4) }, param) };
    return this.request('operation-parameters', 'POST', path, statuses(400, 415, 422), { headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(parameters), mayAccept: true });
  }

  /** About 10 MB: even-numbered ones just above the server's limit (413), odd ones just below it. */
  largeBody(index: number): FuzzRequest {
    const d = this.#dice;
    const target = this.bodyTarget();
    const over = index % 2 === 0;
    const size = over ? this.#options.bodyLimit + 1024 : this.#options.bodyLimit - 64 * 1024;
    const resource = this.baseResource(target);
    const skeleton = JSON.stringify({ ...resource, text: { status: 'generated', div: '' } });
    const pad = `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(Math.max(0, size - skeleton.length - 60))}</div>`;
    const body = JSON.stringify({ ...resource, text: { status: 'generated', div: pad } });
    return this.request(over ? 'large-body-over-limit' : 'large-body-under-limit', target.method, target.path, over ? statuses(413) : statuses(400, 413, 422), {
      headers: { 'content-type': d.chance(0.5) ? JSON_TYPE : 'application/json' },
      body,
      mayAccept: !over,
    });
  }
}
