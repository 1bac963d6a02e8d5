/**
 * The one FHIR server every simulator configures: a fastify plugin serving a ServerDeclaration
 * over a ResourceStore — metadata, read, vread, search (GET and POST), create, update, delete,
 * history and operations — with content negotiation, validation on write, OperationOutcome errors,
 * bearer auth, inbound evidence capture and switchable fault modes.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { FhirError } from '../errors.js';
import { acceptedRanges, isPretty } from '../negotiation.js';
import type { FhirServerOptions, ServerContext } from './context.js';
import { captureBody, DEFAULT_CAPTURE_LIMIT, finishExchange, peerOf, startRecording, type ExchangeRecorder } from './exchange.js';
import { activateFaults } from '../faults.js';
import { coreFaults } from './faults.js';
import { handleRequest } from './routes.js';
import { decodeBody, firstValue, headerValue, parseRequestUrl, safeSegments } from './request.js';
import { responseFormat, sendError } from './respond.js';

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** What is captured of this request while it is in flight, when the server records exchanges. */
    exchangeRecording: ExchangeRecorder | null;
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1].trim());
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function baseUrlOf(request: FastifyRequest, prefix: string, options: FhirServerOptions<string>): string {
  if (options.publicBaseUrl) return options.publicBaseUrl.replace(/\/$/, '');
  return `${request.protocol}://${request.host}${prefix}`;
}

/**
 * An operation answering in a non-FHIR media type (e.g. `$read-csv` in text/csv) negotiates its
 * own response when the Accept header asks for that type; FHIR errors then go out as JSON.
 */
function producesOwnMediaType(options: FhirServerOptions<string>, segments: string[], accept: string | undefined): boolean {
  const last = segments[segments.length - 1];
  if (!accept || !last?.startsWith('$')) return false;
  const asked = acceptedRanges(accept).map((r) => r.type);
  return options.declaration.operations.some((o) => o.name === last.slice(1) && (o.producesMediaTypes ?? []).some((m) => asked.includes(m)));
}

export const fhirServerPlugin: FastifyPluginAsync<FhirServerOptions<string>> = async (app: FastifyInstance, options) => {
  options.configure?.(app);
  const own = options.declaration.faults;
  const faults = activateFaults(options.faults ?? [], coreFaults, ...(own ? [own] : []));
  const hooks = options.hooks ?? {};
  const prefix = app.prefix.replace(/\/$/, '');
  const captureLimit = options.captureLimit ?? DEFAULT_CAPTURE_LIMIT;
  // A request decoration rather than a WeakMap: the capture goes with its request, where a WeakMap
  // entry per request is an ephemeron the garbage collector must trace.
  app.decorateRequest('exchangeRecording', null);
  const recording = options.onExchange !== undefined;

  // Bodies are read as raw bytes whatever their type: the routes decide what a body may be, so a
  // wrong Content-Type is a FHIR 415 and bad UTF-8 a FHIR 400, never a framework message.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT }, (request, body, done) => {
    const bytes = body as Buffer;
    const rec = request.exchangeRecording;
    // Every body served here is text, decoded once here: bad UTF-8 is refused before any route or a
    // simulator's own hook reads the body, so a lenient decode (U+FFFD for each bad byte) never
    // stores altered data, and the routes and the recording share the one decoded string.
    let text: string | undefined;
    try {
      text = decodeBody(bytes);
    } catch (err) {
      if (rec) rec.requestBody = captureBody(bytes, captureLimit);
      return done(err as Error, undefined);
    }
    if (rec) rec.requestBody = captureBody(bytes, captureLimit, text);
    done(null, text);
  });

  app.addHook('onRequest', async (request, reply) => {
    if (recording) request.exchangeRecording = startRecording();
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
    const publicOrigin = options.publicBaseUrl ? new URL(options.publicBaseUrl).origin : undefined;
    // The exchange is complete when its answer is handed to the socket: recorded in the one onSend
    // hook (a callback, not an async hook, so no promises per request). No onResponse hook: for one,
    // fastify adds two listeners and a closure to every answer.
    app.addHook('onSend', (request, reply, payload, done) => {
      const rec = request.exchangeRecording;
      if (!rec) return done(null, payload);
      const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined;
      try {
        onExchange(
          finishExchange(
            rec,
            {
              method: request.method,
              url: `${publicOrigin ?? `${request.protocol}://${request.host}`}${request.url}`,
              headers: request.headers,
              contentLength: Number(headerValue(request.headers, 'content-length') ?? 0),
              peer: peerOf(request.raw.socket, headerValue(request.headers, 'authorization')),
            },
            { status: reply.statusCode, headers: reply.getHeaders(), body },
            captureLimit,
          ),
        );
      } catch (err) {
        // Recording must never change the answer: the failure is said, and the answer goes out as it was.
        process.emitWarning(`an exchange could not be recorded: ${err instanceof Error ? err.message : String(err)}`);
      }
      done(null, payload);
    });
  }

  app.setErrorHandler((err, request, reply) => sendError(options, faults, prefix, request, reply, err));
  app.setNotFoundHandler((request, reply) => sendError(options, faults, prefix, request, reply, FhirError.of(404, 'not-found', `no route for ${request.method} ${request.url}`)));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { segments, query } = parseRequestUrl(request.url, prefix);
    const format = producesOwnMediaType(options, segments, headerValue(request.headers, 'accept')) ? 'json' : responseFormat(request, query, faults);
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
