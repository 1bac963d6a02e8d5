/**
 * The server's side of search: the query handed to the store (with search faults applied), and
 * the Bundle sent back (links kept on the requested format, paging faults applied).
 */
import type { Bundle } from 'fhir/r4.js';
import type { ServerContext } from './context.js';

/** Parameters the server, not the search engine, interprets; they ride along on paging links. */
const FORMAT_PARAMS = ['_format', '_pretty'];

function baseName(param: string): string {
  return param.split(/[:.]/, 1)[0] ?? param;
}

function isDateParam(ctx: ServerContext, type: string, param: string): boolean {
  const name = baseName(param);
  if (name === '_lastUpdated') return true;
  return ctx.declaration.searchParamDefs.some((d) => d.name === name && d.type === 'date' && (d.base.includes(type) || d.base.includes('Resource')));
}

/** The query for the store, after the search-breaking fault modes took their share. */
export function searchQuery(ctx: ServerContext, query: Array<[string, string]>, fromPageToken = false): Array<[string, string]> {
  const type = ctx.segments[0] ?? '';
  const ignored = new Set(ctx.faults.argumentsOf('ignore-search-param'));
  return query.filter(([name]) => {
    // With opaque paging only a page token moves on; a plain search always starts at the first page.
    if (name === '_offset' && ctx.declaration.opaquePaging && !fromPageToken) return false;
    if (ignored.has(name) || ignored.has(baseName(name))) return false;
    if (ctx.faults.has('ignore-count') && name === '_count') return false;
    if (ctx.faults.has('drop-include') && baseName(name) === '_include') return false;
    if (ctx.faults.has('ignore-date-filter') && isDateParam(ctx, type, name)) return false;
    if (ctx.faults.has('ignore-identifier-modifier') && name.endsWith(':identifier')) return false;
    return true;
  });
}

/** Adds the request's `_format`/`_pretty` to a link that lacks them, so following it keeps the format. */
function keepFormat(url: string, query: Array<[string, string]>): string {
  const extra = query.filter(([n]) => FORMAT_PARAMS.includes(n));
  if (extra.length === 0) return url;
  const u = new URL(url);
  for (const [n, v] of extra) if (!u.searchParams.has(n)) u.searchParams.append(n, v);
  return u.toString();
}

/** A paging link as an opaque token on its own path: the search it continues, encoded. */
function pageLink(ctx: ServerContext, url: string): string {
  const u = new URL(url);
  const type = u.pathname.split('/').filter(Boolean).at(-1) ?? '';
  const search = new URLSearchParams([...u.searchParams].filter(([n]) => !FORMAT_PARAMS.includes(n)));
  // The format rides along in the open, where the server's content negotiation reads it.
  const format = new URLSearchParams([...u.searchParams].filter(([n]) => FORMAT_PARAMS.includes(n)));
  const token = Buffer.from(`${type}?${search}`, 'utf8').toString('base64url');
  return `${ctx.baseUrl}/_page/${token}${format.size ? `?${format}` : ''}`;
}

/** The type and query a page token continues, or undefined when it is not one of this server's. */
export function pageOf(token: string): { type: string; query: Array<[string, string]> } | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^([A-Z][A-Za-z]+)\?(.*)$/s.exec(text);
  return match ? { type: match[1]!, query: [...new URLSearchParams(match[2]!)] } : undefined;
}

export function shapeSearchBundle(ctx: ServerContext, bundle: Bundle, query: Array<[string, string]>): Bundle {
  let link = (bundle.link ?? []).map((l) => ({ ...l, url: keepFormat(l.url, query) }));
  if (ctx.declaration.opaquePaging) link = link.map((l) => (l.relation === 'self' ? l : { ...l, url: pageLink(ctx, l.url) }));
  if (ctx.faults.has('no-next-link')) link = link.filter((l) => l.relation !== 'next');
  if (ctx.faults.has('broken-next-link')) {
    link = link.map((l) => (l.relation === 'next' ? { ...l, url: `${ctx.baseUrl}/_expired-page?${new URL(l.url).searchParams}` } : l));
  }
  const entry = ctx.faults.has('drop-include') ? bundle.entry?.filter((e) => e.search?.mode !== 'include') : bundle.entry;
  const shaped: Bundle = { ...bundle, ...(link.length ? { link } : {}) };
  if (ctx.faults.has('no-bundle-total')) delete shaped.total;
  if (link.length === 0) delete shaped.link;
  if (entry?.length) shaped.entry = entry;
  else delete shaped.entry;
  return shaped;
}
