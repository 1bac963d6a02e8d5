/** Maps a request path and method onto a FHIR interaction of the declaration, and performs it. */
import type { FastifyReply } from 'fastify';
import type { Bundle, OperationOutcome, Resource } from 'fhir/r4.js';
import { FhirError } from '../errors.js';
import { detectFormat, parseResource, type FhirFormat } from '../format.js';
import { mediaTypeOf, requestBodyFormat } from '../negotiation.js';
import type { Interaction, ResourceDeclaration } from './declaration.js';
import { buildCapabilityStatement } from './capability.js';
import { runOperation } from './operations.js';
import type { ServerContext, ServerHooks } from './context.js';
import { sendResource } from './respond.js';
import { headerValue, isTypeName, isValidId, preference } from './request.js';
import { pageOf, searchQuery, shapeSearchBundle } from './search.js';
import { validateForWrite } from './write-validation.js';

function methodNotAllowed(ctx: ServerContext, allowed: string[], what: string): never {
  ctx.reply.header('allow', allowed.join(', '));
  throw FhirError.of(405, 'not-supported', `${ctx.method} is not supported on ${what}`);
}

function declared(ctx: ServerContext, type: string): ResourceDeclaration {
  const r = ctx.declaration.resources.find((d) => d.type === type);
  if (!r) {
    const why = isTypeName(type) ? `resource type '${type}' is not served here` : `unknown path segment '${type}'`;
    throw FhirError.of(404, 'not-supported', why);
  }
  return r;
}

function requireInteraction(ctx: ServerContext, r: ResourceDeclaration, interaction: Interaction): void {
  if (!r.interactions.includes(interaction) || ctx.faults.has(`refuse-interaction:${r.type}/${interaction}`)) {
    throw FhirError.of(405, 'not-supported', `interaction ${interaction} is not supported on ${r.type}`);
  }
}

function requireId(id: string): void {
  if (!isValidId(id)) throw FhirError.of(404, 'not-found', `'${id}' is not a valid resource id, so no resource has it`);
}

/** HTTP-date of an instant, for Last-Modified. */
function httpDate(instant: string | undefined): string | undefined {
  if (!instant) return undefined;
  const d = new Date(instant);
  return Number.isNaN(d.getTime()) ? undefined : d.toUTCString();
}

function versionHeaders(resource: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  if (resource.meta?.versionId) headers['etag'] = `W/"${resource.meta.versionId}"`;
  const modified = httpDate(resource.meta?.lastUpdated);
  if (modified) headers['last-modified'] = modified;
  return headers;
}

export async function handleRequest(ctx: ServerContext): Promise<FastifyReply> {
  const [first, second, third, fourth, ...rest] = ctx.segments;
  if (rest.length > 0) throw FhirError.of(404, 'not-found', `no route for ${ctx.method} /${ctx.segments.join('/')}`);
  if (first === undefined) {
    if (ctx.method === 'POST' && ctx.hooks.processBundle) return processBundle(ctx, ctx.hooks.processBundle);
    return methodNotAllowed(ctx, [], 'the server base (system-level search, batch and transaction are not supported)');
  }
  if (first === 'metadata' && second === undefined) return metadata(ctx);
  if (first === '_page' && second !== undefined && third === undefined && ctx.declaration.opaquePaging) return page(ctx, second);
  if (first.startsWith('$') && second === undefined) return runOperation(ctx, { level: 'system', name: first.slice(1) });

  const r = declared(ctx, first);
  if (second === undefined) {
    if (ctx.method === 'GET') return search(ctx, r, ctx.query);
    if (ctx.method === 'POST') return create(ctx, r);
    if (ctx.method === 'PUT') return conditionalUpdate(ctx, r);
    return methodNotAllowed(ctx, ['GET', 'POST', 'PUT'], `[base]/${r.type}`);
  }
  if (second === '_search' && third === undefined) {
    if (ctx.method !== 'POST') return methodNotAllowed(ctx, ['POST'], `[base]/${r.type}/_search`);
    return postSearch(ctx, r);
  }
  if (second.startsWith('$') && third === undefined) {
    return runOperation(ctx, { level: 'type', name: second.slice(1), resourceType: r.type });
  }
  requireId(second);
  if (third === undefined) {
    if (ctx.method === 'GET') return read(ctx, r, second);
    if (ctx.method === 'PUT') return update(ctx, r, second);
    if (ctx.method === 'DELETE') return remove(ctx, r, second);
    return methodNotAllowed(ctx, ['GET', 'PUT', 'DELETE'], `[base]/${r.type}/[id]`);
  }
  if (third.startsWith('$') && fourth === undefined) {
    return runOperation(ctx, { level: 'instance', name: third.slice(1), resourceType: r.type, id: second });
  }
  if (third === '_history') {
    if (ctx.method !== 'GET') return methodNotAllowed(ctx, ['GET'], `[base]/${r.type}/[id]/_history`);
    return fourth === undefined ? history(ctx, r, second) : vread(ctx, r, second, fourth);
  }
  throw FhirError.of(404, 'not-found', `no route for ${ctx.method} /${ctx.segments.join('/')}`);
}

function metadata(ctx: ServerContext): FastifyReply {
  if (ctx.method !== 'GET') return methodNotAllowed(ctx, ['GET'], '[base]/metadata');
  if (ctx.faults.has('no-metadata')) throw FhirError.of(404, 'not-found', 'no route for GET /metadata');
  return sendResource(ctx, buildCapabilityStatement(ctx.declaration, ctx.baseUrl, ctx.faults));
}

function read(ctx: ServerContext, r: ResourceDeclaration, id: string): FastifyReply {
  requireInteraction(ctx, r, 'read');
  const resource = ctx.store.read(r.type, id);
  return sendResource(ctx, resource, 200, versionHeaders(resource));
}

function vread(ctx: ServerContext, r: ResourceDeclaration, id: string, versionId: string): FastifyReply {
  requireInteraction(ctx, r, 'vread');
  if (!isValidId(versionId)) throw FhirError.of(404, 'not-found', `'${versionId}' is not a valid version id`);
  const resource = ctx.store.vread(r.type, id, versionId);
  return sendResource(ctx, resource, 200, versionHeaders(resource));
}

function history(ctx: ServerContext, r: ResourceDeclaration, id: string): FastifyReply {
  requireInteraction(ctx, r, 'history-instance');
  const versions = ctx.store.history(r.type, id);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    total: versions.length,
    link: [{ relation: 'self', url: `${ctx.baseUrl}/${r.type}/${id}/_history` }],
    entry: versions.map((v) => ({
      fullUrl: `${ctx.baseUrl}/${r.type}/${id}`,
      ...(v.resource ? { resource: v.resource } : {}),
      request: { method: v.deleted ? 'DELETE' : v.versionId === '1' ? 'POST' : 'PUT', url: v.versionId === '1' ? r.type : `${r.type}/${id}` },
      response: {
        status: v.deleted ? '204' : v.versionId === '1' ? '201' : '200',
        etag: `W/"${v.versionId}"`,
        lastModified: v.lastUpdated,
      },
    })),
  };
  return sendResource(ctx, bundle);
}

/** A page of an earlier search, by the opaque token its paging link carried. */
function page(ctx: ServerContext, token: string): FastifyReply {
  if (ctx.method !== 'GET') return methodNotAllowed(ctx, ['GET'], '[base]/_page/[token]');
  const continued = pageOf(token);
  if (!continued) throw FhirError.of(404, 'not-found', `'${token}' is not a page of a search on this server`);
  return search({ ...ctx, segments: [continued.type] }, declared(ctx, continued.type), [...continued.query, ...ctx.query.filter(([n]) => n === '_format' || n === '_pretty')], true);
}

function search(ctx: ServerContext, r: ResourceDeclaration, query: Array<[string, string]>, fromPageToken = false): FastifyReply {
  requireInteraction(ctx, r, 'search-type');
  const strict = preference(ctx.headers, 'handling') === 'strict';
  const bundle: Bundle = ctx.store.search(r.type, searchQuery(ctx, query, fromPageToken), {
    baseUrl: ctx.baseUrl,
    strict,
    defaultCount: ctx.options.defaultCount ?? 100,
  });
  return sendResource(ctx, shapeSearchBundle(ctx, bundle, query));
}

function postSearch(ctx: ServerContext, r: ResourceDeclaration): FastifyReply {
  requireInteraction(ctx, r, 'search-type');
  if (ctx.faults.has('no-post-search')) return methodNotAllowed(ctx, [], `[base]/${r.type}/_search`);
  const body = ctx.body ?? '';
  if (body.length > 0 && mediaTypeOf(headerValue(ctx.headers, 'content-type')) !== 'application/x-www-form-urlencoded') {
    throw FhirError.of(415, 'not-supported', 'POST _search takes an application/x-www-form-urlencoded body');
  }
  return search(ctx, r, [...ctx.query, ...new URLSearchParams(body)]);
}

function bodyFormat(ctx: ServerContext, body: string): FhirFormat {
  const contentType = headerValue(ctx.headers, 'content-type');
  if (ctx.faults.has('accept-wrong-media-type')) {
    try {
      return requestBodyFormat(contentType);
    } catch {
      return detectFormat(body) ?? 'json';
    }
  }
  return requestBodyFormat(contentType, { legacy: !ctx.faults.has('legacy-formats-406') });
}

/** The body of a create or update as a resource of the URL's type. */
function bodyResource(ctx: ServerContext, type: string): Resource {
  if (ctx.body === undefined || ctx.body.trim() === '') {
    throw FhirError.of(400, 'required', `a ${type} resource is required in the request body`);
  }
  const resource = parseResource(ctx.body, bodyFormat(ctx, ctx.body));
  if (resource.resourceType !== type) {
    throw FhirError.of(400, 'invalid', `the body is a ${resource.resourceType} but the URL is for ${type}`, 'resourceType');
  }
  return resource;
}

async function checked(ctx: ServerContext, r: ResourceDeclaration, resource: Resource, interaction: 'create' | 'update'): Promise<Resource> {
  if (!ctx.faults.has('accept-invalid')) validateForWrite(ctx, r, resource);
  const replaced = ctx.hooks.beforeWrite ? await ctx.hooks.beforeWrite({ interaction, resource, store: ctx.store, faults: ctx.faults, headers: ctx.headers }) : undefined;
  return replaced ?? resource;
}

/** Answers a create or update as the client's `Prefer: return=` asks (representation by default). */
function information(diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics }] };
}

function writeReply(ctx: ServerContext, stored: Resource, status: number, headers: Record<string, string>): FastifyReply {
  const want = preference(ctx.headers, 'return');
  if (want === 'minimal') return ctx.reply.code(status).headers(headers).send('');
  if (want === 'OperationOutcome') {
    const what = status === 201 ? 'created' : 'updated';
    return sendResource(ctx, information(`${stored.resourceType}/${stored.id} ${what} (version ${stored.meta?.versionId ?? '?'})`), status, headers);
  }
  return sendResource(ctx, stored, status, headers);
}

function locationOf(ctx: ServerContext, stored: Resource): string {
  return `${ctx.baseUrl}/${stored.resourceType}/${stored.id}/_history/${stored.meta?.versionId ?? '1'}`;
}

async function create(ctx: ServerContext, r: ResourceDeclaration): Promise<FastifyReply> {
  requireInteraction(ctx, r, 'create');
  const incoming = await checked(ctx, r, bodyResource(ctx, r.type), 'create');
  // The server assigns the id of a created resource (R4 http.html#create): a client's id is ignored.
  const { id: _ignored, ...withoutId } = incoming;
  const stored = ctx.store.create(withoutId as Resource);
  await ctx.hooks.afterWrite?.({ interaction: 'create', resource: incoming, store: ctx.store, faults: ctx.faults, headers: ctx.headers, stored, created: true });
  await ctx.store.durable();
  const headers = versionHeaders(stored);
  if (!ctx.faults.has('no-location-header')) headers['location'] = locationOf(ctx, stored);
  return writeReply(ctx, stored, ctx.faults.has('wrong-status-on-create') ? 200 : 201, headers);
}

async function storeUpdate(ctx: ServerContext, r: ResourceDeclaration, resource: Resource, allowCreate: boolean): Promise<FastifyReply> {
  const ifMatch = ctx.faults.has('ignore-if-match') ? undefined : headerValue(ctx.headers, 'if-match');
  const incoming = await checked(ctx, r, resource, 'update');
  const { resource: stored, created } = ctx.store.update(incoming, { ...(ifMatch ? { ifMatch } : {}), allowCreate });
  await ctx.hooks.afterWrite?.({ interaction: 'update', resource: incoming, store: ctx.store, faults: ctx.faults, headers: ctx.headers, stored, created });
  await ctx.store.durable();
  const headers = versionHeaders(stored);
  if (created && !ctx.faults.has('no-location-header')) headers['location'] = locationOf(ctx, stored);
  return writeReply(ctx, stored, created && !ctx.faults.has('wrong-status-on-create') ? 201 : 200, headers);
}

async function update(ctx: ServerContext, r: ResourceDeclaration, id: string): Promise<FastifyReply> {
  requireInteraction(ctx, r, 'update');
  const resource = bodyResource(ctx, r.type);
  if (resource.id === undefined) throw FhirError.of(400, 'required', `the ${r.type} in the body has no id; an update needs id ${id}`, `${r.type}.id`);
  if (resource.id !== id) throw FhirError.of(400, 'invalid', `the body's id '${resource.id}' does not match the URL id '${id}'`, `${r.type}.id`);
  return storeUpdate(ctx, r, resource, r.updateCreate ?? false);
}

/** PUT [base]/Type?criteria: update the single match, create when none, 412 when several. */
async function conditionalUpdate(ctx: ServerContext, r: ResourceDeclaration): Promise<FastifyReply> {
  requireInteraction(ctx, r, 'update');
  if (!r.conditionalUpdate) throw FhirError.of(405, 'not-supported', `conditional update is not supported on ${r.type}`);
  const criteria = ctx.query.filter(([n]) => !n.startsWith('_format') && n !== '_pretty');
  if (criteria.length === 0) throw FhirError.of(400, 'required', 'a conditional update needs search criteria in the URL');
  const found = ctx.store.search(r.type, [...criteria, ['_count', '2']], { baseUrl: ctx.baseUrl, strict: true });
  const matches = (found.entry ?? []).filter((e) => e.search?.mode === 'match' && e.resource);
  if (matches.length > 1) throw FhirError.of(412, 'multiple-matches', `the criteria match ${matches.length} or more ${r.type} resources`);
  const resource = bodyResource(ctx, r.type);
  const match = matches[0]?.resource;
  if (!match) {
    if (resource.id !== undefined) return storeUpdate(ctx, r, resource, true);
    const incoming = await checked(ctx, r, resource, 'create');
    const stored = ctx.store.create(incoming);
    await ctx.hooks.afterWrite?.({ interaction: 'create', resource: incoming, store: ctx.store, faults: ctx.faults, headers: ctx.headers, stored, created: true });
    await ctx.store.durable();
    const headers = { ...versionHeaders(stored), location: locationOf(ctx, stored) };
    return writeReply(ctx, stored, 201, headers);
  }
  if (resource.id !== undefined && resource.id !== match.id) {
    throw FhirError.of(400, 'invalid', `the body's id '${resource.id}' is not the id of the matching resource '${match.id}'`, `${r.type}.id`);
  }
  return storeUpdate(ctx, r, { ...resource, id: match.id } as Resource, false);
}

async function processBundle(ctx: ServerContext, hook: NonNullable<ServerHooks['processBundle']>): Promise<FastifyReply> {
  if (ctx.body === undefined || ctx.body.trim() === '') throw FhirError.of(400, 'required', 'POST [base] needs a Bundle in the request body');
  const bundle = parseResource(ctx.body, bodyFormat(ctx, ctx.body));
  if (bundle.resourceType !== 'Bundle') throw FhirError.of(400, 'invalid', `POST [base] takes a Bundle, not a ${bundle.resourceType}`, 'resourceType');
  const { resource, status } = await hook({ bundle: bundle as Bundle, store: ctx.store, faults: ctx.faults, headers: ctx.headers, baseUrl: ctx.baseUrl });
  return sendResource(ctx, resource, status ?? 200);
}

async function remove(ctx: ServerContext, r: ResourceDeclaration, id: string): Promise<FastifyReply> {
  requireInteraction(ctx, r, 'delete');
  ctx.store.delete(r.type, id);
  await ctx.store.durable();
  if (preference(ctx.headers, 'return') === 'OperationOutcome') {
    return sendResource(ctx, information(`${r.type}/${id} deleted`));
  }
  return ctx.reply.code(204).send('');
}
