/**
 * The one FHIR server every simulator configures: a fastify plugin serving a ServerDeclaration
 * over a ResourceStore — metadata, read, vread, search (GET and POST), create, update, delete,
 * history and operations — with content negotiation, validation on write, OperationOutcome errors,
 * bearer auth, inbound evidence capture and switchable fault modes.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Resource } from 'fhir/r4.js';
import { timingSafeEqual } from 'node:crypto';
import type { HttpExchange } from '../../engine/results.js';
import { FhirError, toOperationOutcome, type Issue } from '../errors.js';
import { serializeResource } from '../format.js';
import { contentTypeOf, isPretty, negotiateResponseFormat, type FhirFormat } from '../negotiation.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { ServerDeclaration } from './declaration.js';
import { DEFAULT_CAPTURE_LIMIT, finishExchange, startRecording, type ExchangeRecorder } from './exchange.js';
import { activeFaults, coreFaults } from './faults.js';
import { handleRequest } from './routes.js';
import { decodeBody, firstValue, headerValue, parseRequestUrl } from './request.js';

/** What a hook learns about the response it is shaping. */
export interface ResponseEvent {
  method: string;
  /** Path segments below the base, e.g. ['MeasureReport', '1']. */
  segments: string[];
  format: FhirFormat;
  faults: ReadonlySet<string>;
}

/** What a hook learns about a create or update. */
export interface WriteEvent {
  interaction: 'create' | 'update';
  resource: Resource;
  store: ResourceStore;
  faults: ReadonlySet<string>;
  headers: Record<string, string | string[] | undefined>;
}

/** Where a simulator adds its own behaviour and fault modes without copying the core. */
export interface ServerHooks {
  /** Before a create or update is stored (after validation): throw a FhirError to refuse it, or return the resource to store instead. */
  beforeWrite?(event: WriteEvent): Resource | undefined | Promise<Resource | undefined>;
  /** After a create or update was stored. */
  afterWrite?(event: WriteEvent & { stored: Resource; created: boolean }): void | Promise<void>;
  /** The resource about to be serialized (read, search Bundle, write representation, operation result, error OperationOutcome); return a replacement to change it. */
  beforeSend?(event: ResponseEvent, resource: Resource): Resource;
  /** The serialized FHIR body about to be sent; return a replacement to corrupt or rewrite it. */
  onSendBody?(event: ResponseEvent, body: string): string;
}

export interface FhirServerOptions {
  declaration: ServerDeclaration;
  store: ResourceStore;
  /** Active fault mode ids: core ones (coreFaults) or the declaration's own. */
  faults?: string[];
  /** When set, every request but GET metadata (unless `protectMetadata`) needs `Authorization: Bearer <token>`. */
  auth?: { bearerToken?: string; protectMetadata?: boolean };
  /** Largest request body in bytes (413 above it); default 10 MiB. */
  bodyLimit?: number;
  /** Base URL as clients see it; default from the request's protocol, Host and the plugin prefix. */
  publicBaseUrl?: string;
  /** Page size when a search has no `_count`; default 100 (SANER-QM-PG-009). */
  defaultCount?: number;
  hooks?: ServerHooks;
  onExchange?: (exchange: HttpExchange) => void;
  /** Bytes of each body kept in an exchange; default 256 KiB. */
  captureLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/** Everything a route needs about the request in hand. */
export interface ServerContext {
  options: FhirServerOptions;
  declaration: ServerDeclaration;
  store: ResourceStore;
  faults: ReadonlySet<string>;
  hooks: ServerHooks;
  request: FastifyRequest;
  reply: FastifyReply;
  method: string;
  segments: string[];
  query: Array<[string, string]>;
  headers: Record<string, string | string[] | undefined>;
  baseUrl: string;
  /** The body as UTF-8 text, when one was sent. */
  body: string | undefined;
  format: FhirFormat;
  pretty: boolean;
}

const recorders = new WeakMap<FastifyRequest, ExchangeRecorder>();

function negotiationOptions(faults: ReadonlySet<string>) {
  return {
    legacy: !faults.has('legacy-formats-406'),
    honourFormatParam: !faults.has('ignore-format-param'),
    fallbackToJson: faults.has('no-406'),
  };
}

/** The response format for this request; an unacceptable one is a FhirError 406. */
export function responseFormat(request: FastifyRequest, query: Array<[string, string]>, faults: ReadonlySet<string>): FhirFormat {
  if (faults.has('ignore-format')) return 'json';
  return negotiateResponseFormat(
    { formatParam: firstValue(query, '_format'), accept: headerValue(request.headers, 'accept') },
    negotiationOptions(faults),
  );
}

export function contentTypeHeader(format: FhirFormat, faults: ReadonlySet<string>): string {
  return contentTypeOf(faults.has('xml-with-json-content-type') ? 'json' : format);
}

/** Sends a FHIR resource in the negotiated format, through the simulator's hooks. */
export function sendResource(ctx: Pick<ServerContext, 'reply' | 'method' | 'segments' | 'format' | 'pretty' | 'faults' | 'hooks'>, resource: Resource, status = 200, headers: Record<string, string> = {}): FastifyReply {
  const event: ResponseEvent = { method: ctx.method, segments: ctx.segments, format: ctx.format, faults: ctx.faults };
  const shaped = ctx.hooks.beforeSend ? ctx.hooks.beforeSend(event, resource) : resource;
  let body = serializeResource(shaped, ctx.format, { pretty: ctx.pretty });
  if (ctx.hooks.onSendBody) body = ctx.hooks.onSendBody(event, body);
  return ctx.reply.code(status).headers(headers).header('content-type', contentTypeHeader(ctx.format, ctx.faults)).send(body);
}

/** The HTTP status and issues a thrown value stands for; client mistakes keep their 4xx. */
function asFhirError(err: unknown): FhirError {
  if (err instanceof FhirError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = e.statusCode === 413 ? 'too-long' : e.statusCode === 415 ? 'not-supported' : 'invalid';
    return FhirError.of(e.statusCode, code, e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'the request body is larger than this server accepts' : (e.message ?? 'bad request'));
  }
  return FhirError.of(500, 'exception', `internal server error: ${e?.message ?? String(err)}`);
}

function sendError(
  options: FhirServerOptions,
  faults: ReadonlySet<string>,
  prefix: string,
  request: FastifyRequest,
  reply: FastifyReply,
  err: unknown,
): FastifyReply {
  const error = asFhirError(err);
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="measure-conformance"' + (headerValue(request.headers, 'authorization') ? ', error="invalid_token"' : ''));
  if (faults.has('operation-outcome-missing')) return reply.code(error.status).send('');
  let format: FhirFormat = 'json';
  try {
    format = responseFormat(request, parseRequestUrl(request.url, '').query, faults);
  } catch {
    // The error may be the 406 itself: answer it in the default format.
  }
  const segments = safeSegments(request.url, prefix);
  return sendResource(
    { reply, method: request.method, segments, format, pretty: false, faults, hooks: options.hooks ?? {} },
    toOperationOutcome(error.issues as Issue[]),
    error.status,
  );
}

function safeSegments(url: string, prefix: string): string[] {
  try {
    return parseRequestUrl(url, prefix).segments;
  } catch {
    return [];
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1].trim());
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function originOf(request: FastifyRequest, options: FhirServerOptions): string {
  return options.publicBaseUrl ? new URL(options.publicBaseUrl).origin : `${request.protocol}://${request.host}`;
}

function baseUrlOf(request: FastifyRequest, prefix: string, options: FhirServerOptions): string {
  if (options.publicBaseUrl) return options.publicBaseUrl.replace(/\/$/, '');
  return `${request.protocol}://${request.host}${prefix}`;
}

export const fhirServerPlugin: FastifyPluginAsync<FhirServerOptions> = async (app: FastifyInstance, options) => {
  const faults = activeFaults(options.faults ?? [], [...coreFaults, ...options.declaration.faults]);
  const hooks = options.hooks ?? {};
  const prefix = app.prefix.replace(/\/$/, '');
  const captureLimit = options.captureLimit ?? DEFAULT_CAPTURE_LIMIT;

  // Bodies are read as raw bytes whatever their type: the routes decide what a body may be, so a
  // wrong Content-Type is a FHIR 415 and bad UTF-8 a FHIR 400, never a framework message.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT }, (request, body, done) => {
    const rec = recorders.get(request);
    if (rec) rec.requestBody = body as Buffer;
    done(null, body);
  });

  app.addHook('onRequest', async (request, reply) => {
    recorders.set(request, startRecording());
    const token = options.auth?.bearerToken;
    if (!token) return;
    const segments = safeSegments(request.url, prefix);
    const isMetadata = request.method === 'GET' && segments.length === 1 && segments[0] === 'metadata';
    if (isMetadata && !options.auth?.protectMetadata) return;
    if (!tokenMatches(headerValue(request.headers, 'authorization'), token)) {
      const message = headerValue(request.headers, 'authorization') ? 'the bearer token is not valid' : 'this server needs Authorization: Bearer <token>';
      return sendError(options, faults, prefix, request, reply, FhirError.of(401, 'login', message));
    }
  });

  if (options.onExchange) {
    const onExchange = options.onExchange;
    app.addHook('onSend', async (request, _reply, payload) => {
      const rec = recorders.get(request);
      if (rec && (typeof payload === 'string' || Buffer.isBuffer(payload))) rec.responseBody = payload;
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      const rec = recorders.get(request);
      if (!rec) return;
      const length = Number(headerValue(request.headers, 'content-length') ?? 0);
      onExchange(
        finishExchange(
          rec,
          { method: request.method, url: `${originOf(request, options)}${request.url}`, headers: request.headers, contentLength: length },
          { status: reply.statusCode, headers: reply.getHeaders() },
          captureLimit,
        ),
      );
    });
  }

  app.setErrorHandler((err, request, reply) => sendError(options, faults, prefix, request, reply, err));
  app.setNotFoundHandler((request, reply) => sendError(options, faults, prefix, request, reply, FhirError.of(404, 'not-found', `no route for ${request.method} ${request.url}`)));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { segments, query } = parseRequestUrl(request.url, prefix);
    const format = responseFormat(request, query, faults);
    const ctx: ServerContext = {
      options,
      declaration: options.declaration,
      store: options.store,
      faults,
      hooks,
      request,
      reply,
      method: request.method,
      segments,
      query,
      headers: request.headers,
      baseUrl: baseUrlOf(request, prefix, options),
      body: decodeBody(request.body),
      format,
      pretty: isPretty(firstValue(query, '_pretty')),
    };
    return handleRequest(ctx);
  };
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
  app.route({ method: [...methods], url: '/', handler });
  app.route({ method: [...methods], url: '/*', handler });
};

