import type Database from 'better-sqlite3';
import { FhirError } from '../errors.js';
import type { IndexedParam } from './index-values.js';

export interface IncludeRow {
  rid: number;
  type: string;
  id: string;
  body: string;
}

export interface IncludeRequest {
  /** `*`, or `Type:param` / `Type:param:TargetType` (`_include`), `Type:param` (`_revinclude`). */
  value: string;
  reverse: boolean;
}

export interface IncludeContext {
  db: Database.Database;
  baseUrl: string;
  param(type: string, name: string): IndexedParam | undefined;
}

const LOCAL_RE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/**
 * The resources `_include` / `_revinclude` add to a page (one level; `:iterate` is refused). Every
 * Reference of a match is followed for `_include=*`, and canonical references (such as
 * MeasureReport.measure) resolve to the resource with that `url`.
 */
export function resolveIncludes(ctx: IncludeContext, type: string, page: IncludeRow[], requests: IncludeRequest[]): IncludeRow[] {
  const found = new Map<number, IncludeRow>();
  const add = (row: IncludeRow | undefined) => {
    if (row) found.set(row.rid, row);
  };
  const byId = ctx.db.prepare('SELECT rid, type, id, body FROM resources WHERE type = ? AND id = ? AND deleted = 0');
  const byUrl = ctx.db.prepare(
    'SELECT r.rid, r.type, r.id, r.body FROM params p JOIN idx_uri u ON u.pk = p.pk JOIN resources r ON r.rid = u.rid ' + "WHERE p.name = 'url' AND u.value = ? AND r.deleted = 0 ORDER BY r.rid DESC",
  );
  const resolve = (reference: string, targetType?: string) => {
    const local = ctx.baseUrl && reference.startsWith(`${ctx.baseUrl}/`) ? reference.slice(ctx.baseUrl.length + 1) : reference;
    const m = LOCAL_RE.exec(local);
    if (m) {
      if (!targetType || m[1] === targetType) add(byId.get(m[1], m[2]) as IncludeRow | undefined);
      return;
    }
    const row = byUrl.get(reference.split('|')[0]) as IncludeRow | undefined;
    if (row && (!targetType || row.type === targetType)) add(row);
  };

  for (const request of requests) {
    const [first, paramName, targetType] = request.value.split(':');
    if (request.value === '*' && !request.reverse) {
      for (const row of page) {
        for (const reference of referencesIn(JSON.parse(row.body))) resolve(reference);
        const canonicals = ctx.db.prepare('SELECT url, version FROM idx_reference WHERE rid = ? AND url IS NOT NULL').all(row.rid) as { url: string }[];
        for (const c of canonicals) resolve(c.url);
      }
      continue;
    }
    if (!first || !paramName) {
      throw FhirError.of(400, 'invalid', `${request.reverse ? '_revinclude' : '_include'}: '${request.value}' is not '*' or 'Type:parameter'`);
    }
    const param = ctx.param(first, paramName);
    if (param?.def.type !== 'reference') {
      throw FhirError.of(400, 'not-supported', `${request.reverse ? '_revinclude' : '_include'}: ${first} has no reference parameter '${paramName}'`);
    }
    if (!request.reverse) {
      if (first !== type) continue;
      for (const row of page) {
        const refs = ctx.db.prepare('SELECT type, id, url FROM idx_reference WHERE rid = ? AND pk = ?').all(row.rid, param.id) as { type: string | null; id: string | null; url: string | null }[];
        for (const r of refs) resolve(r.type && r.id ? `${r.type}/${r.id}` : r.url!, targetType);
      }
    } else {
      const referrers = ctx.db.prepare(
        'SELECT r.rid, r.type, r.id, r.body FROM idx_reference x JOIN resources r ON r.rid = x.rid ' + 'WHERE x.pk = ? AND ((x.id = ? AND x.type = ?) OR x.url = ?) AND r.deleted = 0',
      );
      for (const row of page) {
        for (const r of referrers.all(param.id, row.id, row.type, `${ctx.baseUrl}/${row.type}/${row.id}`) as IncludeRow[]) add(r);
      }
    }
  }
  for (const row of page) found.delete(row.rid);
  return [...found.values()];
}

function referencesIn(node: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string' && !x.startsWith('#')) out.push(x);
        else if (k !== 'contained') walk(x);
      }
    }
  };
  walk(node);
  return out;
}
