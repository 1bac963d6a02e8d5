/** Answering in the negotiated format: resources through the hooks, errors as OperationOutcomes. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Resource } from 'fhir/r4.js';
import { FhirError, toOperationOutcome } from '../errors.js';
import { serializeResource, type FhirFormat } from '../format.js';
import { contentTypeOf, negotiateResponseFormat } from '../negotiation.js';
import type { FhirServerOptions, ResponseEvent, ServerContext } from './context.js';
import type { CoreFaults } from './faults.js';
import { firstValue, headerValue, parseRequestUrl, safeSegments } from './request.js';
import { drainRefusedBody } from './linger.js';

function negotiationOptions(faults: CoreFaults) {
  return {
    legacy: !faults.has('legacy-formats-406'),
    honourFormatParam: !faults.has('ignore-format-param'),
    fallbackToJson: faults.has('no-406'),
  };
}

/** The response format for this request; an unacceptable one is a FhirError 406. */
export function responseFormat(request: FastifyRequest, query: Array<[string, string]>, faults: CoreFaults): FhirFormat {
  if (faults.has('ignore-format')) return 'json';
  return negotiateResponseFormat({ formatParam: firstValue(query, '_format'), accept: headerValue(request.headers, 'accept') }, negotiationOptions(faults));
}

function contentTypeHeader(format: FhirFormat, faults: CoreFaults): string {
  return contentTypeOf(faults.has('xml-with-json-content-type') ? 'json' : format);
}

/** Sends a FHIR resource in the negotiated format, through the simulator's hooks. */
export function sendResource(
  ctx: Pick<ServerContext, 'reply' | 'method' | 'segments' | 'format' | 'pretty' | 'faults' | 'hooks'>,
  resource: Resource,
  status = 200,
  headers: Record<string, string> = {},
): FastifyReply {
  const event: ResponseEvent<string> = { method: ctx.method, segments: ctx.segments, format: ctx.format, faults: ctx.faults };
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

export function sendError(options: FhirServerOptions<string>, faults: CoreFaults, prefix: string, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const error = asFhirError(err);
  if (error.status === 413) drainRefusedBody(request, reply);
  if (error.status === 401) reply.header('www-authenticate', `Bearer realm="measure-conformance"${headerValue(request.headers, 'authorization') ? ', error="invalid_token"' : ''}`);
  if (faults.has('operation-outcome-missing')) return reply.code(error.status).send('');
  let format: FhirFormat = 'json';
  try {
    format = responseFormat(request, parseRequestUrl(request.url, '').query, faults);
  } catch {
    // The error may be the 406 itself: answer it in the default format.
  }
  const segments = safeSegments(request.url, prefix);
  return sendResource({ reply, method: request.method, segments, format, pretty: false, faults, hooks: options.hooks ?? {} }, toOperationOutcome(error.issues), error.status);
}
