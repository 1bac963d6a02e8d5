import type Database from 'better-sqlite3';
import { FhirError } from '../errors.js';
import { parseDateRange, type DateRange } from './date-range.js';
import { ftsAllWords } from './fulltext.js';
import type { IndexedParam } from './index-values.js';
import { normalizeText, prefixUpperBound } from './normalize.js';
import { likeEscape, orValues, splitEscaped, splitPrefix, type Prefix } from './query-values.js';
import { expandValueSet } from './valueset-expansion.js';

/** A SQL boolean expression about the resource row aliased in the enclosing query, with its arguments. */
export interface Fragment {
  sql: string;
  args: unknown[];
  /** The same criterion as a `SELECT rid ...`, so the engine can drive the query from it. */
  set?: { sql: string; args: unknown[] };
  /** The same criterion as a correlated test on the row (index lookups by rid), for when another drives. */
  check?: { sql: string; args: unknown[] };
  /** Its set is a range scan, costly to size up: sized last. */
  range?: boolean;
}

export interface CriteriaContext {
  db: Database.Database;
  /** Largest `high - low` indexed for a date parameter, to bound range scans; undefined if unknown. */
  dateSpan?(pk: number): number | undefined;
  /** Base URL of this server without the trailing slash: `[base]/Type/id` is a local reference. */
  baseUrl: string;
  param(type: string, name: string): IndexedParam | undefined;
  /** False when the store keeps no full-text index: `_text` and `_content` are then unsupported. */
  fullText?: boolean;
}

export interface Criteria {
  fragments: Fragment[];
  /** Parameters that were ignored, each with why. */
  unsupported: { name: string; reason: string }[];
}

const TABLE = {
  token: 'idx_token',
  string: 'idx_string',
  date: 'idx_date',
  reference: 'idx_reference',
  uri: 'idx_uri',
  number: 'idx_number',
  quantity: 'idx_quantity',
} as const;

const EARTH_RADIUS_KM = 6371.0088;
const DEFAULT_NEAR_KM = 50;

class Unsupported extends Error {}

/**
 * Turns the search parameters of one resource type into SQL conditions on `alias` (a row of
 * `resources`). Repeated parameters are ANDed, comma-separated values ORed. Repeated date criteria
 * on the same parameter are applied to the same indexed value, so `date=ge2020-04-01&date=lt2020-04-08`
 * is one range (the common server reading; it only differs for repeating date elements).
 */
export function buildCriteria(ctx: CriteriaContext, type: string, alias: string, pairs: [string, string][], depth = 0): Criteria {
  const out: Criteria = { fragments: [], unsupported: [] };
  const dateGroups = new Map<string, { pk: number; conditions: Fragment[]; floor: number }>();
  for (const [name, value] of pairs) {
    try {
      const dateParam = plainDateParam(ctx, type, name);
      if (dateParam) {
        const group = dateGroups.get(name) ?? { pk: dateParam.id, conditions: [], floor: -Infinity };
        const values = orValues(value);
        group.conditions.push(orFragments(values.map((v) => dateCondition(name, v, 'd.low', 'd.high'))));
        if (values.length === 1) group.floor = Math.max(group.floor, lowFloor(values[0]!, ctx.dateSpan?.(dateParam.id)));
        dateGroups.set(name, group);
        continue;
      }
      out.fragments.push(criterion(ctx, type, alias, name, value, depth));
    } catch (e) {
      if (e instanceof Unsupported) out.unsupported.push({ name, reason: e.message });
      else throw e;
    }
  }
  for (const { pk, conditions, floor } of dateGroups.values()) {
    // A redundant lower bound on `low` turns an open-ended interval test into a bounded index range.
    if (Number.isFinite(floor)) conditions.push({ sql: 'd.low >= ?', args: [floor] });
    const condition = { sql: conditions.map((c) => c.sql).join(' AND '), args: conditions.flatMap((c) => c.args) };
    out.fragments.push({ ...inTable(alias, 'idx_date d', pk, condition), range: true });
  }
  return out;
}

function plainDateParam(ctx: CriteriaContext, type: string, name: string): IndexedParam | undefined {
  if (name.includes(':') || name.includes('.')) return undefined;
  const p = ctx.param(type, name);
  return p && p.def.type === 'date' && name !== '_lastUpdated' ? p : undefined;
}

function criterion(ctx: CriteriaContext, type: string, alias: string, name: string, value: string, depth: number): Fragment {
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const [paramName, modifier] = head.split(':') as [string, string | undefined];
  if (dot >= 0) return chain(ctx, type, alias, paramName, modifier, name.slice(dot + 1), value, depth);
  if (value === '') throw FhirError.of(400, 'invalid', `Search parameter '${name}' has an empty value`, name);
  if (modifier === 'missing') return missing(ctx, type, alias, paramName, value);
  switch (paramName) {
    case '_id': {
      if (modifier) throw new Unsupported(`modifier :${modifier} is not supported on _id`);
      const list = orValues(value);
      const marks = list.map(() => '?').join(', ');
      return {
        sql: `${alias}.id IN (${marks})`,
        args: list,
        set: { sql: `SELECT rid FROM resources WHERE type = ? AND id IN (${marks})`, args: [type, ...list] },
      };
    }
    case '_lastUpdated':
      if (modifier) throw new Unsupported(`modifier :${modifier} is not supported on _lastUpdated`);
      return orFragments(orValues(value).map((v) => dateCondition(name, v, `${alias}.updated`, `(${alias}.updated + 1)`)));
    case '_text':
    case '_content': {
      if (ctx.fullText === false) throw new Unsupported(`${paramName} is not supported by this server (no full-text index)`);
      if (modifier) throw new Unsupported(`modifier :${modifier} is not supported on ${paramName}`);
      const column = paramName === '_text' ? 'narrative' : 'content';
      const queries = orValues(value).map((v) => ftsAllWords(column, v));
      if (queries.some((q) => q === undefined)) throw FhirError.of(400, 'invalid', `${name}: '${value}' has no words to search for`, name);
      const match = [queries.map((q) => `(${q})`).join(' OR ')];
      return {
        sql: `${alias}.rid IN (SELECT rowid FROM idx_fulltext WHERE idx_fulltext MATCH ?)`,
        args: match,
        set: { sql: 'SELECT rowid AS rid FROM idx_fulltext WHERE idx_fulltext MATCH ?', args: match },
      };
    }
  }
  const param = ctx.param(type, paramName);
  if (!param) throw new Unsupported(`'${paramName}' is not a search parameter of ${type} on this server`);
  const pk = param.id;
  const values = orValues(value);
  switch (param.def.type) {
    case 'token':
      return tokenCriterion(ctx, alias, name, pk, modifier, values);
    case 'string': {
      if (modifier && modifier !== 'exact' && modifier !== 'contains') throw new Unsupported(`modifier :${modifier} is not supported on string parameters`);
      const conds = values.map((raw) => {
        const v = splitEscaped(raw, ',').join(',');
        if (modifier === 'exact') return { sql: 's.raw = ?', args: [v] };
        const norm = normalizeText(v);
        if (modifier === 'contains') return { sql: "s.norm LIKE ? ESCAPE '\\'", args: [`%${likeEscape(norm)}%`] };
        return { sql: '(s.norm >= ? AND s.norm < ?)', args: [norm, prefixUpperBound(norm)] };
      });
      return inTable(alias, 'idx_string s', pk, orFragments(conds));
    }
    case 'uri': {
      if (modifier && modifier !== 'below') throw new Unsupported(`modifier :${modifier} is not supported on uri parameters`);
      const conds = values.map((v) => (modifier === 'below' ? { sql: '(u.value >= ? AND u.value < ?)', args: [v, prefixUpperBound(v)] } : { sql: 'u.value = ?', args: [v] }));
      return inTable(alias, 'idx_uri u', pk, orFragments(conds));
    }
    case 'number': {
      if (modifier) throw new Unsupported(`modifier :${modifier} is not supported on number parameters`);
      return inTable(alias, 'idx_number n', pk, orFragments(values.map((v) => numberCondition(name, v, 'n.value'))));
    }
    case 'quantity': {
      if (modifier) throw new Unsupported(`modifier :${modifier} is not supported on quantity parameters`);
      return inTable(alias, 'idx_quantity q', pk, orFragments(values.map((v) => quantityCondition(name, v))));
    }
    case 'date':
      throw new Unsupported(`modifier :${modifier} is not supported on date parameters`);
    case 'reference':
      return referenceCriterion(ctx, alias, param, modifier, values);
    case 'special':
      if (param.def.name === 'near' && !modifier) return nearCriterion(alias, name, value);
      throw new Unsupported(`special parameter '${paramName}' is not supported`);
  }
}

function inTable(alias: string, table: string, pk: number, condition: Fragment, negate = false): Fragment {
  const [name, t] = table.split(' ') as [string, string];
  const where = `${t}.pk = ? AND ${condition.sql}`;
  const args = [pk, ...condition.args];
  const fragment = ridSubquery(alias, `${t}.rid`, `FROM ${table} WHERE ${where}`, args, negate);
  // Per row, the (rid, pk) index finds the row's few values. Left to itself SQLite may pick a value
  // index instead (an open-ended date range, an OR of codes) and scan it once per row.
  const check = `EXISTS (SELECT 1 FROM ${table} INDEXED BY ${name}_rid WHERE ${t}.rid = ${alias}.rid AND ${where})`;
  return { ...fragment, check: { sql: negate ? `NOT ${check}` : check, args } };
}

/** A criterion `alias.rid IN (SELECT ridColumn fromWhere)` in its three forms (see Fragment). */
function ridSubquery(alias: string, ridColumn: string, fromWhere: string, args: unknown[], negate = false, set?: { sql: string; args: unknown[] }): Fragment {
  const check = `EXISTS (SELECT 1 ${fromWhere} AND ${ridColumn} = ${alias}.rid)`;
  return {
    sql: `${alias}.rid ${negate ? 'NOT IN' : 'IN'} (SELECT ${ridColumn} ${fromWhere})`,
    args,
    check: { sql: negate ? `NOT ${check}` : check, args },
    ...(negate ? {} : { set: set ?? { sql: `SELECT ${ridColumn} AS rid ${fromWhere}`, args } }),
  };
}

function orFragments(list: Fragment[]): Fragment {
  if (list.length === 1) return list[0]!;
  const sets = list.map((f) => f.set);
  const checks = list.map((f) => f.check ?? f);
  return {
    sql: `(${list.map((f) => f.sql).join(' OR ')})`,
    args: list.flatMap((f) => f.args),
    check: { sql: `(${checks.map((c) => c.sql).join(' OR ')})`, args: checks.flatMap((c) => c.args) },
    // UNION ALL: a set only ever serves `rid IN (…)` and the sizing of candidates, where a duplicate
    // changes nothing, and UNION would build the whole union before the sizing's LIMIT could stop it.
    ...(sets.every((x) => x !== undefined) ? { set: { sql: sets.map((x) => x!.sql).join(' UNION ALL '), args: sets.flatMap((x) => x!.args) } } : {}),
    ...(list.some((f) => f.range) ? { range: true } : {}),
  };
}

const NOTHING: Fragment = { sql: '0', args: [] };

function missing(ctx: CriteriaContext, type: string, alias: string, paramName: string, value: string): Fragment {
  const param = ctx.param(type, paramName);
  if (!param || param.def.type === 'special') throw new Unsupported(`:missing is not supported on '${paramName}'`);
  if (value !== 'true' && value !== 'false') {
    throw FhirError.of(400, 'invalid', `${paramName}:missing must be true or false, not '${value}'`, `${paramName}:missing`);
  }
  const table = TABLE[param.def.type];
  return { sql: `${alias}.rid ${value === 'true' ? 'NOT IN' : 'IN'} (SELECT rid FROM ${table} WHERE pk = ?)`, args: [param.id] };
}

/** A token value as a condition on `idx_token t`: `code`, `system|code`, `|code`, `system|`. */
function tokenCondition(value: string): Fragment {
  const parts = splitEscaped(value, '|');
  if (parts.length === 1) return { sql: 't.code = ?', args: [parts[0]] };
  const [system, code] = [parts[0]!, parts.slice(1).join('|')];
  if (system === '') return { sql: '(t.code = ? AND t.system IS NULL)', args: [code] };
  if (code === '') return { sql: 't.system = ?', args: [system] };
  return { sql: '(t.code = ? AND t.system = ?)', args: [code, system] };
}

function tokenCriterion(ctx: CriteriaContext, alias: string, name: string, pk: number, modifier: string | undefined, values: string[]): Fragment {
  switch (modifier) {
    case undefined:
      return inTable(alias, 'idx_token t', pk, orFragments(values.map(tokenCondition)));
    case 'not':
      return inTable(alias, 'idx_token t', pk, orFragments(values.map(tokenCondition)), true);
    case 'text':
      return inTable(
        alias,
        'idx_token t',
        pk,
        orFragments(
          values.map((v) => {
            const norm = normalizeText(splitEscaped(v, ',').join(','));
            return { sql: '(t.text >= ? AND t.text < ?)', args: [norm, prefixUpperBound(norm)] };
          }),
        ),
      );
    case 'in':
    case 'not-in': {
      const members = values.flatMap((v) => expandValueSet(ctx.db, v, name));
      const conds = members.map((m) => (m.code === undefined ? { sql: 't.system = ?', args: [m.system] } : { sql: '(t.code = ? AND t.system = ?)', args: [m.code, m.system] }));
      if (conds.length === 0) return modifier === 'in' ? NOTHING : { sql: '1', args: [] };
      return inTable(alias, 'idx_token t', pk, orFragments(conds), modifier === 'not-in');
    }
    default:
      throw new Unsupported(`modifier :${modifier} is not supported on token parameters`);
  }
}

/** The least `low` a value matching `value` can have, given the parameter's largest indexed span. */
function lowFloor(value: string, span: number | undefined): number {
  const { prefix, rest } = splitPrefix(value);
  const range = parseDateRange(rest);
  if (!range) return -Infinity;
  if (prefix === 'eq') return range.low;
  if (prefix === 'sa') return range.high;
  if (span === undefined) return -Infinity;
  if (prefix === 'ge') return range.low - span;
  if (prefix === 'gt') return range.high - span;
  return -Infinity;
}

function dateCondition(name: string, value: string, low: string, high: string): Fragment {
  const { prefix, rest } = splitPrefix(value);
  const range = parseDateRange(rest);
  if (!range) {
    throw FhirError.of(400, 'invalid', `${name}: '${value}' is not a date (expected e.g. 2020, 2020-04, 2020-04-01 or 2020-04-01T10:00:00Z, with an optional prefix such as ge)`, name);
  }
  return rangeCondition(name, prefix, range, low, high);
}

function rangeCondition(name: string, prefix: Prefix, q: DateRange, low: string, high: string): Fragment {
  const inside = { sql: `(${low} >= ? AND ${high} <= ?)`, args: [q.low, q.high] };
  switch (prefix) {
    case 'eq':
      return inside;
    case 'ne':
      return { sql: `NOT ${inside.sql}`, args: inside.args };
    case 'gt':
      return { sql: `${high} > ?`, args: [q.high] };
    case 'lt':
      return { sql: `${low} < ?`, args: [q.low] };
    case 'ge':
      return { sql: `(${high} > ? OR ${inside.sql})`, args: [q.high, ...inside.args] };
    case 'le':
      return { sql: `(${low} < ? OR ${inside.sql})`, args: [q.low, ...inside.args] };
    case 'sa':
      return { sql: `${low} >= ?`, args: [q.high] };
    case 'eb':
      return { sql: `${high} <= ?`, args: [q.low] };
    case 'ap':
      throw FhirError.of(400, 'not-supported', `${name}: the 'ap' (approximately) prefix is not supported on dates; use a ge/le range`, name);
  }
}

function parseNumber(name: string, text: string): { value: number; halfUnit: number } {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw FhirError.of(400, 'invalid', `${name}: '${text}' is not a number`, name);
  }
  const [mantissa, exponent] = text.toLowerCase().split('e') as [string, string | undefined];
  const decimals = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0;
  return { value: Number(text), halfUnit: 0.5 * 10 ** (Number(exponent ?? 0) - decimals) };
}

function numberCondition(name: string, raw: string, column: string): Fragment {
  const { prefix, rest } = splitPrefix(raw);
  const { value, halfUnit } = parseNumber(name, rest);
  // Equality honours the precision written: `100` matches [99.5, 100.5), `1.50` matches [1.495, 1.505).
  switch (prefix) {
    case 'eq':
      return { sql: `(${column} >= ? AND ${column} < ?)`, args: [value - halfUnit, value + halfUnit] };
    case 'ne':
      return { sql: `NOT (${column} >= ? AND ${column} < ?)`, args: [value - halfUnit, value + halfUnit] };
    case 'gt':
    case 'sa':
      return { sql: `${column} > ?`, args: [value] };
    case 'lt':
    case 'eb':
      return { sql: `${column} < ?`, args: [value] };
    case 'ge':
      return { sql: `${column} >= ?`, args: [value] };
    case 'le':
      return { sql: `${column} <= ?`, args: [value] };
    case 'ap': {
      const d = Math.abs(value) * 0.1;
      return { sql: `(${column} >= ? AND ${column} <= ?)`, args: [value - d, value + d] };
    }
  }
}

function quantityCondition(name: string, raw: string): Fragment {
  const [number, system, code] = splitEscaped(raw, '|') as [string, string | undefined, string | undefined];
  const conds = [numberCondition(name, number, 'q.value')];
  if (system) conds.push({ sql: 'q.system = ?', args: [system] });
  if (code) conds.push(system ? { sql: 'q.code = ?', args: [code] } : { sql: '(q.code = ? OR q.unit = ?)', args: [code, code] });
  return { sql: `(${conds.map((c) => c.sql).join(' AND ')})`, args: conds.flatMap((c) => c.args) };
}

const LOCAL_RE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** One reference value as a condition on `idx_reference x`. */
function referenceCondition(ctx: CriteriaContext, value: string, typeModifier: string | undefined): Fragment {
  let local = value;
  if (ctx.baseUrl && value.startsWith(`${ctx.baseUrl}/`)) local = value.slice(ctx.baseUrl.length + 1);
  const literal = LOCAL_RE.exec(local);
  if (literal) {
    const [, t, id] = literal as unknown as [string, string, string];
    return { sql: '((x.id = ? AND x.type = ?) OR x.url = ?)', args: [id, t, `${ctx.baseUrl}/${t}/${id}`] };
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) {
    return typeModifier ? { sql: '(x.id = ? AND x.type = ?)', args: [value, typeModifier] } : { sql: 'x.id = ?', args: [value] };
  }
  const bar = value.indexOf('|');
  if (bar >= 0) return { sql: '(x.url = ? AND x.version = ?)', args: [value.slice(0, bar), value.slice(bar + 1)] };
  return { sql: 'x.url = ?', args: [value] };
}

function referenceCriterion(ctx: CriteriaContext, alias: string, param: IndexedParam, modifier: string | undefined, values: string[]): Fragment {
  if (modifier === 'identifier') {
    const conds = orFragments(values.map(tokenCondition));
    // The reference's own identifier, or the identifier of the resource it points to in this store.
    const own = inTable(alias, 'idx_token t', param.id, conds);
    const targetIdentifierPks = (param.def.target ?? []).map((t) => ctx.param(t, 'identifier')?.id).filter((pk): pk is number => pk !== undefined);
    if (targetIdentifierPks.length === 0) return own;
    const pkMarks = targetIdentifierPks.map(() => '?').join(', ');
    // As a set, CROSS JOIN keeps SQLite's order: identifier -> target -> references to it.
    const viaTarget = ridSubquery(
      alias,
      'x.rid',
      `FROM idx_reference x JOIN resources tr ON tr.type = x.type AND tr.id = x.id ` +
        `WHERE x.pk = ? AND tr.deleted = 0 AND tr.rid IN (SELECT t.rid FROM idx_token t WHERE t.pk IN (${pkMarks}) AND ${conds.sql})`,
      [param.id, ...targetIdentifierPks, ...conds.args],
      false,
      {
        sql:
          'SELECT x.rid AS rid FROM idx_token t CROSS JOIN resources tr ON tr.rid = t.rid ' +
          `CROSS JOIN idx_reference x ON x.pk = ? AND x.id = tr.id AND x.type = tr.type WHERE t.pk IN (${pkMarks}) AND ${conds.sql} AND tr.deleted = 0`,
        args: [param.id, ...targetIdentifierPks, ...conds.args],
      },
    );
    return orFragments([own, viaTarget]);
  }
  if (modifier !== undefined && !/^[A-Z][A-Za-z]+$/.test(modifier)) {
    throw new Unsupported(`modifier :${modifier} is not supported on reference parameters`);
  }
  return inTable(alias, 'idx_reference x', param.id, orFragments(values.map((v) => referenceCondition(ctx, v, modifier))));
}

/** `ref.param=value` and `ref:Type.param=value`: resources whose reference points at a match. */
function chain(ctx: CriteriaContext, type: string, alias: string, paramName: string, typeModifier: string | undefined, rest: string, value: string, depth: number): Fragment {
  const param = ctx.param(type, paramName);
  if (param?.def.type !== 'reference') throw new Unsupported(`'${paramName}' is not a reference parameter of ${type}, so it cannot be chained`);
  if (depth >= 2) throw new Unsupported('chains deeper than two levels are not supported');
  const chainedName = rest.split(/[.:]/)[0]!;
  const targets = (typeModifier ? [typeModifier] : (param.def.target ?? [])).filter((t) => ctx.param(t, chainedName) || chainedName.startsWith('_'));
  if (targets.length === 0) throw new Unsupported(`no target of ${type}.${paramName} has a search parameter '${chainedName}'`);
  const inner = `c${depth}`;
  const parts: Fragment[] = [];
  for (const target of targets) {
    const criteria = buildCriteria(ctx, target, inner, [[rest, value]], depth + 1);
    if (criteria.unsupported.length) throw new Unsupported(criteria.unsupported.map((u) => u.reason).join('; '));
    const where = criteria.fragments.map((f) => f.sql).join(' AND ');
    const args = criteria.fragments.flatMap((f) => f.args);
    parts.push(
      ridSubquery(
        alias,
        'x.rid',
        `FROM idx_reference x JOIN resources ${inner} ON ${inner}.type = x.type AND ${inner}.id = x.id ` + `WHERE x.pk = ? AND ${inner}.type = ? AND ${inner}.deleted = 0 AND ${where}`,
        [param.id, target, ...args],
        false,
        {
          sql:
            `SELECT x.rid AS rid FROM resources ${inner} CROSS JOIN idx_reference x ON x.pk = ? AND x.id = ${inner}.id AND x.type = ${inner}.type ` +
            `WHERE ${inner}.type = ? AND ${inner}.deleted = 0 AND ${where}`,
          args: [param.id, target, ...args],
        },
      ),
    );
    // Canonical references (MeasureReport.measure) point at the target's `url`.
    const url = ctx.param(target, 'url');
    if (url && url.def.type === 'uri') {
      parts.push(
        ridSubquery(
          alias,
          'x.rid',
          `FROM idx_reference x JOIN idx_uri cu ON cu.pk = ? AND cu.value = x.url ` +
            `JOIN resources ${inner} ON ${inner}.rid = cu.rid WHERE x.pk = ? AND x.url IS NOT NULL AND ${inner}.deleted = 0 AND ${where}`,
          [url.id, param.id, ...args],
          false,
          {
            sql:
              `SELECT x.rid AS rid FROM resources ${inner} CROSS JOIN idx_uri cu ON cu.rid = ${inner}.rid AND cu.pk = ? ` +
              `CROSS JOIN idx_reference x ON x.pk = ? AND x.url = cu.value WHERE ${inner}.type = ? AND ${inner}.deleted = 0 AND ${where}`,
            args: [url.id, param.id, target, ...args],
          },
        ),
      );
    }
  }
  return orFragments(parts);
}

/** `near=lat|long|distance|units`: a bounding box on the index, then the haversine distance. */
function nearCriterion(alias: string, name: string, value: string): Fragment {
  const [latText, lonText, distText, unitsText] = splitEscaped(value, '|');
  const lat = Number(latText);
  const lon = Number(lonText);
  if (!latText || !lonText || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    throw FhirError.of(400, 'invalid', `${name}: '${value}' is not latitude|longitude|distance|units`, name);
  }
  const distance = distText ? Number(distText) : DEFAULT_NEAR_KM;
  if (!Number.isFinite(distance) || distance < 0) throw FhirError.of(400, 'invalid', `${name}: distance '${distText}' is not a non-negative number`, name);
  const units = unitsText || 'km';
  const factor = { km: 1, m: 0.001, mi: 1.609344, '[mi_i]': 1.609344, '[mi_us]': 1.609347 }[units];
  if (factor === undefined) throw FhirError.of(400, 'invalid', `${name}: units '${units}' are not supported (use km, m or mi)`, name);
  const km = distance * factor;
  const dLat = (km / EARTH_RADIUS_KM) * (180 / Math.PI);
  const cosLat = Math.cos((lat * Math.PI) / 180);
  const dLon = cosLat < 1e-6 ? 180 : Math.min(180, dLat / cosLat);
  return ridSubquery(
    alias,
    'g.rid',
    `FROM idx_position g WHERE g.latitude BETWEEN ? AND ? AND g.longitude BETWEEN ? AND ? ` +
      `AND 2 * ${EARTH_RADIUS_KM} * asin(min(1, sqrt(pow(sin(radians(g.latitude - ?) / 2), 2) + ` +
      `cos(radians(?)) * cos(radians(g.latitude)) * pow(sin(radians(g.longitude - ?) / 2), 2)))) <= ?`,
    [lat - dLat, lat + dLat, lon - dLon, lon + dLon, lat, lat, lon, km],
  );
}
