/** Runs declared `$operations` at system, type and instance level (R4 operations.html). */
import type { FastifyReply } from 'fastify';
import type { Parameters, ParametersParameter, Resource } from 'fhir/r4.js';
import { FhirError, hasErrors } from '../errors.js';
import { parseResource } from '../format.js';
import { mediaTypeOf, requestBodyFormat } from '../negotiation.js';
import { validateStructure } from '../validation/index.js';
import type { OperationDeclaration, OperationLevel, OperationRequest, OperationResult } from './declaration.js';
import type { ServerContext } from './context.js';
import { sendResource } from './respond.js';
import { headerValue } from './request.js';

/** Query parameters the server itself interprets, so they are not operation inputs. */
const SERVER_PARAMS = new Set(['_format', '_pretty']);

interface OperationTarget {
  level: OperationLevel;
  name: string;
  resourceType?: string;
  id?: string;
}

function findOperation(ctx: ServerContext, target: OperationTarget): OperationDeclaration {
  const op = ctx.declaration.operations.find(
    (o) => o.name === target.name && o.level.includes(target.level) && (target.level === 'system' || (target.resourceType !== undefined && (o.resources ?? []).includes(target.resourceType))),
  );
  if (!op) {
    const where = target.level === 'system' ? 'the server' : target.level === 'type' ? target.resourceType : `a ${target.resourceType} instance`;
    throw FhirError.of(404, 'not-supported', `operation $${target.name} is not supported on ${where}`);
  }
  return op;
}

function queryParameters(query: Array<[string, string]>): ParametersParameter[] {
  return query.filter(([n]) => !SERVER_PARAMS.has(n)).map(([name, valueString]) => ({ name, valueString }));
}

function parametersOf(parameter: ParametersParameter[]): Parameters {
  return { resourceType: 'Parameters', ...(parameter.length ? { parameter } : {}) };
}

function headersOf(ctx: ServerContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** The operation's inputs from a POST body: Parameters, another resource, or a raw body it accepts. */
function postInputs(ctx: ServerContext, op: OperationDeclaration): Pick<OperationRequest, 'params' | 'body'> {
  const contentType = headerValue(ctx.headers, 'content-type');
  const fromQuery = queryParameters(ctx.query);
  const text = ctx.body ?? '';
  if (text.trim() === '') return { params: parametersOf(fromQuery) };
  const media = mediaTypeOf(contentType);
  if (media && op.acceptsMediaTypes?.includes(media)) {
    return { params: parametersOf(fromQuery), body: { text, contentType: contentType ?? media } };
  }
  const resource: Resource = parseResource(text, requestBodyFormat(contentType, { legacy: !ctx.faults.has('legacy-formats-406') }));
  const body = { text, contentType: contentType ?? '', resource };
  if (resource.resourceType === 'Parameters') {
    // Handlers read the parameters as typed: a malformed Parameters is the client's 400, not their crash.
    const issues = validateStructure(resource);
    if (hasErrors(issues)) throw new FhirError(400, issues);
    const posted = resource as Parameters;
    return { params: { ...posted, ...parametersOf([...(posted.parameter ?? []), ...fromQuery]) }, body };
  }
  return { params: parametersOf(fromQuery), body };
}

function sendResult(ctx: ServerContext, result: OperationResult): FastifyReply {
  switch (result.kind) {
    case 'resource':
      return sendResource(ctx, result.resource, result.status ?? 200, result.headers ?? {});
    case 'content':
      return ctx.reply
        .code(result.status ?? 200)
        .headers(result.headers ?? {})
        .header('content-type', result.contentType)
        .send(result.body);
    case 'status':
      return ctx.reply
        .code(result.status)
        .headers(result.headers ?? {})
        .send('');
  }
}

export async function runOperation(ctx: ServerContext, target: OperationTarget): Promise<FastifyReply> {
  const op = findOperation(ctx, target);
  if (ctx.method === 'GET' && op.affectsState) {
    ctx.reply.header('allow', 'POST');
    throw FhirError.of(405, 'not-supported', `$${op.name} changes state, so it must be invoked with POST`);
  }
  if (ctx.method !== 'GET' && ctx.method !== 'POST') {
    ctx.reply.header('allow', op.affectsState ? 'POST' : 'GET, POST');
    throw FhirError.of(405, 'not-supported', `operations are invoked with GET or POST, not ${ctx.method}`);
  }
  const inputs = ctx.method === 'POST' ? postInputs(ctx, op) : { params: parametersOf(queryParameters(ctx.query)) };
  const resource = target.level === 'instance' && target.resourceType && target.id ? ctx.store.read(target.resourceType, target.id) : undefined;
  const request: OperationRequest = {
    level: target.level,
    method: ctx.method,
    ...(target.resourceType ? { resourceType: target.resourceType } : {}),
    ...(target.id ? { id: target.id } : {}),
    ...(resource ? { resource } : {}),
    ...inputs,
    query: ctx.query,
    format: ctx.format,
    headers: headersOf(ctx),
    store: ctx.store,
    baseUrl: ctx.baseUrl,
    faults: ctx.faults,
  };
  return sendResult(ctx, await op.handler(request));
}
