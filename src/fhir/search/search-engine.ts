import type Database from 'better-sqlite3';
import type { Bundle, BundleEntry, BundleLink, Resource } from 'fhir/r4.js';
import { FhirError, toOperationOutcome, type Issue } from '../errors.js';
import { parseJson } from '../json.js';
import { buildCriteria, type Fragment } from './criteria.js';
import { resolveIncludes, type IncludeRequest, type IncludeRow } from './includes.js';
import type { IndexedParam } from './index-values.js';

/** Decoded search parameters in request order: repeated names are ANDed, commas inside a value ORed. */
export type SearchQuery = readonly (readonly [string, string])[];

export interface SearchOptions {
  /** Base URL of this server (e.g. `http://127.0.0.1:8080/fhir`), for fullUrl and paging links. */
  baseUrl: string;
  /** `Prefer: handling=strict`: unknown or unsupported parameters are a 400 instead of a warning. */
  strict?: boolean;
  /** Page size without `_count`; 100 by default. */
  defaultCount?: number;
  /** Largest page served; a bigger `_count` is lowered to it. 1000 by default. */
  maxCount?: number;
}

export interface SearchContext {
  db: Database.Database;
  param(type: string, name: string): IndexedParam | undefined;
  dateSpan?(pk: number): number | undefined;
  fullText?: boolean;
}

/** Handled by the server layer (formats, summaries): accepted here without a word. */
const SERVER_PARAMS = new Set(['_format', '_pretty', '_summary', '_elements']);

/**
 * Runs a search and builds the searchset Bundle. Pages are ordered by insertion (stable while the
 * data does not change) and addressed with `_count` + `_offset` on the same query, so every paging
 * link is an ordinary search URL.
 */
export function executeSearch(ctx: SearchContext, type: string, query: SearchQuery, opts: SearchOptions): Bundle {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const maxCount = opts.maxCount ?? 1000;
  let count = Math.min(opts.defaultCount ?? 100, maxCount);
  let offset = 0;
  const criteria: [string, string][] = [];
  const includes: IncludeRequest[] = [];
  const passThrough: [string, string][] = [];
  const ignored: { name: string; reason: string }[] = [];

  for (const [name, value] of query) {
    if (name === '_count') count = Math.min(nonNegativeInteger(name, value), maxCount);
    else if (name === '_offset') offset = nonNegativeInteger(name, value);
    else if (name === '_include' || name === '_revinclude') includes.push({ value, reverse: name === '_revinclude' });
    else if (name === '_include:iterate' || name === '_revinclude:iterate' || name === '_include:recurse' || name === '_revinclude:recurse') {
      throw FhirError.of(400, 'not-supported', `${name} is not supported: this server resolves includes one level deep only`, name);
    } else if (SERVER_PARAMS.has(name)) passThrough.push([name, value]);
    else if (name.startsWith('_') && !['_id', '_lastUpdated', '_text', '_content', '_profile', '_tag'].includes(name.split(/[:.]/)[0]!)) {
      ignored.push({ name, reason: `'${name}' is not supported by this server` });
    } else criteria.push([name, value]);
  }

  const built = buildCriteria(
    { db: ctx.db, baseUrl, param: ctx.param, ...(ctx.dateSpan ? { dateSpan: ctx.dateSpan } : {}), ...(ctx.fullText === false ? { fullText: false } : {}) },
    type,
    'r',
    criteria,
  );
  ignored.push(...built.unsupported);
  if (ignored.length && opts.strict) {
    throw new FhirError(
      400,
      ignored.map((u) => ({ severity: 'error', code: 'not-supported', message: `Search parameter ${u.name} was refused: ${u.reason}`, expression: u.name })),
    );
  }
  const usedNames = new Set(ignored.map((u) => u.name));
  const used = criteria.filter(([name]) => !usedNames.has(name));

  const { where, args } = plan(ctx.db, type, built.fragments);
  const total = (ctx.db.prepare(`SELECT count(*) AS n FROM resources r WHERE ${where}`).get(...args) as { n: number }).n;
  const page = count === 0 ? [] : (ctx.db.prepare(`SELECT r.rid, r.type, r.id, r.body FROM resources r WHERE ${where} ORDER BY r.rid LIMIT ? OFFSET ?`).all(...args, count, offset) as IncludeRow[]);
  const included = includes.length ? resolveIncludes({ db: ctx.db, baseUrl, param: ctx.param }, type, page, includes) : [];

  const entry: BundleEntry[] = [...page.map((row) => entryOf(baseUrl, row, 'match')), ...included.map((row) => entryOf(baseUrl, row, 'include'))];
  if (ignored.length) {
    const issues: Issue[] = ignored.map((u) => ({
      severity: 'warning',
      code: 'not-supported',
      message: `Search parameter ${u.name} was ignored: ${u.reason}`,
      expression: u.name,
    }));
    entry.push({ resource: toOperationOutcome(issues), search: { mode: 'outcome' } });
  }

  const kept: [string, string][] = [...used, ...includes.map((i): [string, string] => [i.reverse ? '_revinclude' : '_include', i.value]), ...passThrough];
  const link = (relation: string, at: number): BundleLink => ({
    relation,
    url: `${baseUrl}/${type}?${encodeQuery([...kept, ['_count', String(count)], ['_offset', String(at)]])}`,
  });
  const links: BundleLink[] = [link('self', offset), link('first', 0)];
  if (count > 0 && offset > 0) links.push(link('previous', Math.max(0, offset - count)));
  if (count > 0 && offset + count < total) links.push(link('next', offset + count));
  if (count > 0 && total > 0) links.push(link('last', Math.floor((total - 1) / count) * count));

  return { resourceType: 'Bundle', type: 'searchset', total, link: links, entry };
}

const PROBE_LIMIT = 2000;
const SMALL_ENOUGH = 200;

/**
 * SQLite's planner cannot know which criterion is selective (a measure matches a third of the
 * reports, a facility a two-hundredth), so the engine sizes the candidates itself, cheapest kinds
 * first and with a cap, drives the query from the smallest set, and tests the other criteria per
 * row through the (rid, pk) indexes.
 */
function plan(db: Database.Database, type: string, fragments: Fragment[]): { where: string; args: unknown[] } {
  const base = { where: ['r.type = ?', 'r.deleted = 0'], args: [type] as unknown[] };
  const candidates = fragments.filter((f) => f.set).sort((a, b) => Number(a.range ?? false) - Number(b.range ?? false));
  let driver: Fragment | undefined = candidates.length === 1 ? candidates[0] : undefined;
  if (candidates.length > 1) {
    let smallest = Infinity;
    for (const f of candidates) {
      if (f.range && smallest <= SMALL_ENOUGH) break;
      const { n } = db.prepare(`SELECT count(*) AS n FROM (${f.set!.sql} LIMIT ${PROBE_LIMIT})`).get(...f.set!.args) as { n: number };
      if (n < smallest) {
        smallest = n;
        driver = f;
      }
    }
  }
  if (driver) {
    base.where.push(`r.rid IN (${driver.set!.sql})`);
    base.args.push(...driver.set!.args);
  }
  for (const f of fragments) {
    if (f === driver) continue;
    const form = driver ? (f.check ?? f) : f;
    base.where.push(form.sql);
    base.args.push(...form.args);
  }
  return { where: base.where.join(' AND '), args: base.args };
}

function entryOf(baseUrl: string, row: IncludeRow, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `${baseUrl}/${row.type}/${row.id}`, resource: parseJson(row.body) as Resource, search: { mode } };
}

function nonNegativeInteger(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw FhirError.of(400, 'invalid', `${name} must be a non-negative integer, not '${value}'`, name);
  return Number(value);
}

/** Query string with the characters FHIR search uses (`:`, `|`, `,`, `/`) left readable. */
function encodeQuery(pairs: [string, string][]): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%2F/gi, '/').replace(/%7C/gi, '|');
  return pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}
