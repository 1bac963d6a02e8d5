/**
 * Request hooks of the Data Source: refusing the `:in` / `:not-in` modifiers (the no-`:in` mode of
 * SANER-CM-PG-004, and the in-modifier-400 fault), and the date-end-inclusive and
 * token-ignores-system faults. They look at the query string and, for POST _search, at the form
 * body, since a search may carry its parameters in either.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FhirError } from '../../src/fhir/errors.js';
import { decodeBody } from '../../src/fhir/server/request.js';

const VALUE_SET_MODIFIER = /^[^:]+:(in|not-in)$/;

function isPostSearch(request: FastifyRequest): boolean {
  return request.method === 'POST' && /\/_search(?:\?|$)/.test(request.url);
}

/** The search parameters of a request: its query string, and its form body for POST _search. */
function searchParams(request: FastifyRequest): Array<[string, string]> {
  const q = request.url.indexOf('?');
  const params: Array<[string, string]> = q < 0 ? [] : [...new URLSearchParams(request.url.slice(q + 1))];
  if (isPostSearch(request)) params.push(...new URLSearchParams(decodeBody(request.body) ?? ''));
  return params;
}

/** Answers any search using `:in` or `:not-in` with a 400 OperationOutcome naming the modifier. */
export function refuseValueSetModifiers(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const used = searchParams(request).find(([name]) => VALUE_SET_MODIFIER.test(name));
    if (!used) return;
    const [name] = used;
    const modifier = name.slice(name.indexOf(':'));
    throw FhirError.of(
      400,
      'not-supported',
      `this Data Source does not support the ${modifier} modifier (${name}): expand the value set and send its codes as a comma-separated list of system|code`,
      name,
    );
  });
}

type Rewrite = (name: string, value: string) => string;

/** Rewrites the search parameters of a request, query string and POST _search body, before the core reads them. */
function rewriteSearch(app: FastifyInstance, rewrite: Rewrite): void {
  const apply = (params: URLSearchParams) => new URLSearchParams([...params].map(([name, value]): [string, string] => [name, rewrite(name, value)]));
  app.addHook('preHandler', async (request) => {
    const q = request.url.indexOf('?');
    if (q >= 0) request.raw.url = `${request.url.slice(0, q)}?${apply(new URLSearchParams(request.url.slice(q + 1)))}`;
    if (isPostSearch(request)) request.body = apply(new URLSearchParams(decodeBody(request.body) ?? '')).toString();
  });
}

/** `date-end-inclusive`: rewrites `date=lt…` to `date=le…`. */
export function readDateEndInclusive(app: FastifyInstance): void {
  rewriteSearch(app, (name, value) => (name.split(':', 1)[0] === 'date' && value.startsWith('lt') ? `le${value.slice(2)}` : value));
}

/** `token-ignores-system`: drops the system of every `system|code` value of the token parameters named (not of their modifiers). */
export function readTokensWithoutSystem(app: FastifyInstance, tokenParams: ReadonlySet<string>): void {
  rewriteSearch(app, (name, value) =>
    tokenParams.has(name)
      ? value
          .split(',')
          .map((v) => v.slice(v.indexOf('|') + 1))
          .join(',')
      : value,
  );
}
