/**
 * `application/x-fhir-query` criteria: a search relative to the Data Source base, RFC 3986-encoded
 * as written in the Measure (SANER-CM-PG-008), with `@Name` parameters substituted and the result
 * encoded again, and the `:in` rewrite for Data Sources without that modifier (SANER-CM-PG-004).
 */
import type { ValueSet, ValueSetExpansionContains } from 'fhir/r4.js';
import { queryText, type Variables } from './variables.js';

export interface FhirQuery {
  /** The resource type searched. */
  type: string;
  /** Decoded name/value pairs in the order written. */
  params: Array<[string, string]>;
}

export class QueryError extends Error {
  override name = 'QueryError';
}

const VARIABLE = /@([A-Z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)/g;
const TYPE = /^[A-Z][A-Za-z]+$/;

function decode(text: string, expression: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new QueryError(`'${expression}' is not RFC 3986-encoded: '${text}' does not decode`);
  }
}

export interface ParseOptions {
  /** Leave out the criteria that use the reporting period (the `ignore-period` fault). */
  withoutPeriod?: boolean;
}

/** Parses a query criterion and substitutes its variables. */
export function parseQuery(expression: string, vars: Variables, options: ParseOptions = {}): FhirQuery {
  const text = expression.trim().replace(/^\/+/, '');
  const question = text.indexOf('?');
  const type = question < 0 ? text : text.slice(0, question);
  if (!TYPE.test(type)) throw new QueryError(`'${expression}' does not start with a resource type (a query is relative to the Data Source base, e.g. Encounter?status=finished)`);
  const params: Array<[string, string]> = [];
  for (const pair of question < 0 ? [] : text.slice(question + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq), expression);
    const raw = decode(eq < 0 ? '' : pair.slice(eq + 1), expression);
    if (options.withoutPeriod && /@(Prior)?ReportingPeriod\b/.test(raw)) continue;
    params.push([name, raw.replace(VARIABLE, (_, reference: string) => queryText(vars, reference))]);
  }
  return { type, params };
}

/** Query string with the characters FHIR search reads as syntax (`:`, `|`, `,`, `/`) left readable. */
export function queryString(params: ReadonlyArray<readonly [string, string]>): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%2F/gi, '/').replace(/%7C/gi, '|');
  return params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

export function usesInModifier(query: FhirQuery): boolean {
  return query.params.some(([name]) => name.endsWith(':in') || name.endsWith(':not-in'));
}

/** Every `system|code` of a ValueSet: its expansion, else the concepts its compose lists. */
export function explicitCodes(valueSet: ValueSet): string[] {
  const flat: string[] = [];
  const walk = (items: readonly ValueSetExpansionContains[] | undefined) => {
    for (const c of items ?? []) {
      if (c.system && c.code) flat.push(`${c.system}|${c.code}`);
      walk(c.contains);
    }
  };
  if (valueSet.expansion?.contains) walk(valueSet.expansion.contains);
  else {
    for (const include of valueSet.compose?.include ?? []) {
      if (include.filter?.length || include.valueSet?.length || !include.concept?.length) {
        throw new QueryError(`ValueSet ${valueSet.url ?? valueSet.id} cannot be expanded without a terminology server (it includes a whole system, a filter or another value set)`);
      }
      for (const c of include.concept) flat.push(`${include.system ?? ''}|${c.code}`);
    }
  }
  const excluded = new Set((valueSet.compose?.exclude ?? []).flatMap((e) => (e.concept ?? []).map((c) => `${e.system ?? ''}|${c.code}`)));
  return [...new Set(flat.filter((c) => !excluded.has(c)))];
}

/**
 * The same query with each `name:in=<ValueSet url>` replaced by `name=<system|code>,...`, the
 * comma being search's OR. `:not-in` has no such rewrite (a token search has no "none of these"
 * list), so a Data Source without it cannot answer that criterion.
 */
export function withExplicitCodes(query: FhirQuery, valueSet: (url: string) => ValueSet | undefined): FhirQuery {
  const params = query.params.map(([name, value]): [string, string] => {
    if (name.endsWith(':not-in')) throw new QueryError(`${name} cannot be rewritten as a code list for a Data Source without :not-in`);
    if (!name.endsWith(':in')) return [name, value];
    const vs = valueSet(value.split('|')[0] ?? value);
    if (!vs) throw new QueryError(`${name}=${value}: the ValueSet is not known to the Measure Computer, so it cannot send its codes instead`);
    const codes = explicitCodes(vs);
    if (codes.length === 0) throw new QueryError(`${name}=${value}: the ValueSet has no codes`);
    return [name.slice(0, -':in'.length), codes.map((c) => c.replace(/,/g, '\\,')).join(',')];
  });
  return { ...query, params };
}
