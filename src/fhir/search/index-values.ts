import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { Resource } from 'fhir/r4.js';
import { parseDateRange, MIN_TIME, MAX_TIME } from './date-range.js';
import { descendantsOfType } from './descendants-of-type.js';
import { compileMemberPath } from './member-path.js';
import { normalizeText } from './normalize.js';
import { expressionFor, splitUnion, type SearchParamDef } from './search-param-def.js';

/** Index rows of one resource, grouped by table. `param` is the parameter's numeric id. */
export interface IndexRows {
  tokens: { param: number; system: string | null; code: string | null; text: string | null }[];
  strings: { param: number; norm: string; raw: string }[];
  dates: { param: number; low: number; high: number }[];
  references: { param: number; type: string | null; id: string | null; url: string | null; version: string | null }[];
  uris: { param: number; value: string }[];
  numbers: { param: number; value: number }[];
  quantities: { param: number; value: number; system: string | null; code: string | null; unit: string | null }[];
  positions: { latitude: number; longitude: number }[];
}

export interface IndexedParam {
  id: number;
  def: SearchParamDef;
}

type Evaluator = (resource: Resource) => { type: string; value: unknown }[];

const evaluators = new Map<string, Evaluator>();
/** Per definition and type, found without rebuilding the expression text on every write. */
const byDef = new WeakMap<SearchParamDef, Map<string, Evaluator>>();

function evaluatorFor(def: SearchParamDef, type: string): Evaluator {
  let perType = byDef.get(def);
  if (!perType) {
    perType = new Map();
    byDef.set(def, perType);
  }
  let evaluator = perType.get(type);
  if (!evaluator) {
    evaluator = compileEvaluator(def, type);
    perType.set(type, evaluator);
  }
  return evaluator;
}

/** Compiles once per (type, expression) and caches: indexing runs on every write. */
function compileEvaluator(def: SearchParamDef, type: string): Evaluator {
  const expression = expressionFor(def, type);
  const key = `${type}\u0000${expression}`;
  let evaluator = evaluators.get(key);
  if (evaluator) return evaluator;
  const ofType = /^descendants\(\)\.ofType\((\w+)\)$/.exec(expression)?.[1];
  const members = splitUnion(expression).map((part) => compileMemberPath(part, type));
  if (expression === '') {
    evaluator = () => [];
  } else if (members.every((m) => m !== undefined)) {
    const compiled = members as NonNullable<(typeof members)[number]>[];
    evaluator = (resource) => {
      const out: { type: string; value: unknown }[] = [];
      for (const member of compiled) for (const v of member(resource)) out.push(v);
      return out;
    };
  } else if (ofType) {
    evaluator = (resource) => descendantsOfType(resource, ofType).map((value) => ({ type: ofType, value }));
  } else {
    const compiled = fhirpath.compile(expression, r4, { resolveInternalTypes: false });
    evaluator = (resource) => {
      const raw = compiled(resource) as unknown[];
      const types = fhirpath.types(raw);
      const values = fhirpath.resolveInternalTypes(raw) as unknown[];
      return values.map((value, i) => ({ type: (types[i] ?? '').replace(/^(FHIR|System)\./, ''), value }));
    };
  }
  evaluators.set(key, evaluator);
  return evaluator;
}

/**
 * Evaluates every parameter of the resource's type and turns the values into typed rows. `_id` and
 * `_lastUpdated` are columns of the resource table, and `_text`/`_content` use the full-text table,
 * so they produce no rows here.
 */
export function indexRows(resource: Resource, params: readonly IndexedParam[]): IndexRows {
  const rows: IndexRows = { tokens: [], strings: [], dates: [], references: [], uris: [], numbers: [], quantities: [], positions: [] };
  for (const { id, def } of params) {
    if (def.name === '_id' || def.name === '_lastUpdated') continue;
    for (const { type, value } of evaluatorFor(def, resource.resourceType)(resource)) {
      addValue(rows, id, def, type, value);
    }
  }
  return rows;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function addValue(rows: IndexRows, param: number, def: SearchParamDef, type: string, value: unknown): void {
  switch (def.type) {
    case 'token':
      addToken(rows, param, type, value);
      return;
    case 'string':
      for (const text of stringsOf(type, value)) rows.strings.push({ param, norm: normalizeText(text), raw: text });
      return;
    case 'date':
      for (const range of dateRangesOf(type, value)) rows.dates.push({ param, ...range });
      return;
    case 'reference':
      addReference(rows, param, def, type, value);
      return;
    case 'uri':
      if (typeof value === 'string') rows.uris.push({ param, value });
      return;
    case 'number':
      if (typeof value === 'number') rows.numbers.push({ param, value });
      return;
    case 'quantity': {
      const q = value as Json;
      if (typeof q?.['value'] === 'number') {
        rows.quantities.push({ param, value: q['value'], system: str(q['system']), code: str(q['code']), unit: str(q['unit']) });
      }
      return;
    }
    case 'special': {
      const p = value as Json;
      if (def.name === 'near' && typeof p?.['latitude'] === 'number' && typeof p['longitude'] === 'number') {
        rows.positions.push({ latitude: p['latitude'], longitude: p['longitude'] });
      }
      return;
    }
  }
}

function pushToken(rows: IndexRows, param: number, system: unknown, code: unknown, text: unknown): void {
  const t = str(text);
  if (str(code) === null && t === null) return;
  rows.tokens.push({ param, system: str(system), code: str(code), text: t === null ? null : normalizeText(t) });
}

function addToken(rows: IndexRows, param: number, type: string, value: unknown): void {
  if (typeof value === 'boolean' || typeof value === 'number') {
    pushToken(rows, param, null, String(value), null);
    return;
  }
  if (typeof value === 'string') {
    pushToken(rows, param, null, value, null);
    return;
  }
  const v = value as Json;
  if (!v || typeof v !== 'object') return;
  switch (type) {
    case 'Coding':
      pushToken(rows, param, v['system'], v['code'], v['display']);
      break;
    case 'CodeableConcept':
      for (const c of (v['coding'] as Json[] | undefined) ?? []) pushToken(rows, param, c['system'], c['code'], c['display']);
      pushToken(rows, param, null, null, v['text']);
      break;
    case 'Identifier':
      pushToken(rows, param, v['system'], v['value'], (v['type'] as Json | undefined)?.['text']);
      break;
    case 'ContactPoint':
      pushToken(rows, param, null, v['value'], null);
      break;
    default:
      pushToken(rows, param, v['system'], v['code'] ?? v['value'], null);
  }
}

function stringsOf(type: string, value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const v = value as Json;
  if (!v || typeof v !== 'object') return [];
  const fields = type === 'HumanName' ? ['text', 'family', 'given', 'prefix', 'suffix'] : type === 'Address' ? ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country'] : [];
  return fields.flatMap((f) => {
    const x = v[f];
    return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : typeof x === 'string' ? [x] : [];
  });
}

function dateRangesOf(type: string, value: unknown): { low: number; high: number }[] {
  if (typeof value === 'string') {
    const r = parseDateRange(value);
    return r ? [r] : [];
  }
  const v = value as Json;
  if (!v || typeof v !== 'object') return [];
  if (type === 'Period') {
    const start = typeof v['start'] === 'string' ? parseDateRange(v['start']) : undefined;
    const end = typeof v['end'] === 'string' ? parseDateRange(v['end']) : undefined;
    if (!start && !end) return [];
    return [{ low: start?.low ?? MIN_TIME, high: end?.high ?? MAX_TIME }];
  }
  if (type === 'Timing') {
    return ((v['event'] as unknown[] | undefined) ?? []).flatMap((e) => dateRangesOf('dateTime', e));
  }
  return [];
}

/** `Type/id` (optionally with `_history`), or an absolute URL ending in `Type/id`. */
const LITERAL_RE = /^(?:(.*)\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

function parseLiteralReference(reference: string): { base: string | null; type: string; id: string } | undefined {
  const m = LITERAL_RE.exec(reference);
  if (!m) return undefined;
  return { base: m[1] ?? null, type: m[2]!, id: m[3]! };
}

function addReference(rows: IndexRows, param: number, def: SearchParamDef, type: string, value: unknown): void {
  if (typeof value === 'string') {
    // canonical or uri: `url|version`
    const bar = value.indexOf('|');
    const url = bar < 0 ? value : value.slice(0, bar);
    rows.references.push({ param, type: null, id: null, url, version: bar < 0 ? null : value.slice(bar + 1) });
    return;
  }
  const v = value as Json;
  if (!v || typeof v !== 'object' || type !== 'Reference') return;
  const identifier = v['identifier'] as Json | undefined;
  if (identifier) addToken(rows, param, 'Identifier', identifier);
  const reference = str(v['reference']);
  if (reference === null || reference.startsWith('#')) return;
  const literal = parseLiteralReference(reference);
  if (literal && def.target && !def.target.includes(literal.type)) return;
  if (literal && literal.base === null) {
    rows.references.push({ param, type: literal.type, id: literal.id, url: null, version: null });
  } else {
    // Absolute: kept whole, so `Type/id` on this server never matches another server's resource; the
    // search side compares `[base]/Type/id` with it instead.
    rows.references.push({ param, type: null, id: null, url: reference, version: null });
  }
}
