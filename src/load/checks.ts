/**
 * What each answer under load is held to, as data: the status the transaction allows, an
 * OperationOutcome on a refusal, the id a create names, what a read gives back. Each check cites
 * the requirement ids the suites cite for the same rule, so an error under load is a conformance
 * finding. The judge here runs them on every answer; the k6 export turns the same list into k6
 * `check`s.
 */
import type { Bundle, MeasureReport, Resource } from 'fhir/r4.js';

export type Check =
  /** The status is one of `allowed`; `expected` says so in words ("200, 201 or 204"). */
  | { kind: 'status'; allowed: readonly number[]; expected: string; requirements: readonly string[] }
  /** A 4xx or 5xx answer carries an OperationOutcome. */
  | { kind: 'outcome'; requirements: readonly string[] }
  /** A successful create names the new resource (Location header, else the body's id). */
  | { kind: 'names-id'; type: string; requirements: readonly string[] }
  /** A 200 answer is this resource. */
  | { kind: 'resource'; type: string; id: string; requirements: readonly string[] }
  /** A 200 answer is a MeasureReport whose population `code` (the first one found) has this count. */
  | { kind: 'count'; code: string; equals: number; requirements: readonly string[] }
  /** A 200 answer is a searchset Bundle. */
  | { kind: 'searchset'; requirements: readonly string[] }
  /** Every MeasureReport match of a 200 searchset is of this measure. */
  | { kind: 'matches-measure'; measure: string; requirements: readonly string[] }
  /** Every MeasureReport match of a 200 searchset has a period overlapping [start, end] (instants in ms). */
  | { kind: 'matches-period'; start: number; end: number; requirements: readonly string[] };

/** An HTTP answer as the checks see it; `json` parses the body once, on first use. */
export interface Answer {
  status: number;
  /** A header's value by its lower-case name; repeated ones joined with ", ". */
  header(name: string): string | undefined;
  text: string;
  json(): unknown;
}

export interface CheckFailure {
  check: Check;
  /** What was observed, free of ids and URLs so equal failures count together. */
  message: string;
}

const NONE: readonly CheckFailure[] = [];

/** The checks an answer fails; `what` names the request in the messages (e.g. "POST MeasureReport"). */
export function judge(answer: Answer, checks: readonly Check[], what: string): readonly CheckFailure[] {
  let failures: CheckFailure[] | undefined;
  for (const check of checks) {
    const message = failureOf(answer, check, what);
    if (!message) continue;
    failures ??= [];
    failures.push({ check, message });
  }
  return failures ?? NONE;
}

function failureOf(answer: Answer, check: Check, what: string): string | undefined {
  const { status } = answer;
  const ok = status >= 200 && status < 300;
  switch (check.kind) {
    case 'status':
      return check.allowed.includes(status) ? undefined : `${what} answered ${status} (expected ${check.expected})`;
    case 'outcome':
      if (status < 400) return undefined;
      return resourceType(answer) === 'OperationOutcome' ? undefined : `the ${status} answer to ${what} carries no OperationOutcome`;
    case 'names-id':
      return !ok || idNamed(answer, check.type) ? undefined : `the ${status} answer to ${what} names no ${check.type} id (no Location header, no id in the body)`;
    case 'resource': {
      if (status !== 200) return undefined;
      const body = resourceOf(answer);
      return body?.resourceType === check.type && body.id === check.id
        ? undefined
        : `${what} answered 200 with ${body ? `a ${body.resourceType}${body.id === check.id ? '' : ' of another id'}` : 'no resource'}`;
    }
    case 'count': {
      if (status !== 200) return undefined;
      const body = resourceOf(answer);
      const count = body?.resourceType === 'MeasureReport' ? countOf(body as MeasureReport, check.code) : undefined;
      return count === check.equals ? undefined : `${what} gives ${check.code} ${count ?? 'absent'}, not the value last sent`;
    }
    case 'searchset': {
      if (status !== 200) return undefined;
      const body = resourceOf(answer);
      return body?.resourceType === 'Bundle' && (body as Bundle).type === 'searchset'
        ? undefined
        : `${what} answered 200 with ${body ? `a ${body.resourceType}` : 'no resource'}, not a searchset Bundle`;
    }
    case 'matches-measure': {
      const off = matchesOf(answer).filter((r) => r.measure?.split('|')[0] !== check.measure);
      return off.length ? `${what} returned ${off.length === 1 ? 'a report' : 'reports'} of another measure` : undefined;
    }
    case 'matches-period': {
      const off = matchesOf(answer).filter((r) => !overlaps(r, check.start, check.end));
      return off.length ? `${what} returned ${off.length === 1 ? 'a report' : 'reports'} outside the period asked for` : undefined;
    }
  }
}

function resourceOf(answer: Answer): Resource | undefined {
  const body = answer.json();
  return body !== null && typeof body === 'object' && typeof (body as { resourceType?: unknown }).resourceType === 'string' ? (body as Resource) : undefined;
}

function resourceType(answer: Answer): string | undefined {
  return answer.text.length ? resourceOf(answer)?.resourceType : undefined;
}

/** The MeasureReport matches of a 200 searchset answer (includes left out). */
export function matchesOf(answer: Answer): MeasureReport[] {
  if (answer.status !== 200) return [];
  const body = resourceOf(answer);
  if (body?.resourceType !== 'Bundle') return [];
  return ((body as Bundle).entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'MeasureReport').map((e) => e.resource as MeasureReport);
}

const locations = new Map<string, RegExp>();

/** `…/Type/id[/_history/n]` for a type: made once per type, not per answer. */
function locationOf(type: string): RegExp {
  let re = locations.get(type);
  if (!re) {
    re = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$`);
    locations.set(type, re);
  }
  return re;
}

/** The id a write answer names: the Location header (`…/Type/id[/_history/n]`), else the body's id. */
export function idNamed(answer: Answer, type: string): string | undefined {
  const location = answer.header('location') ?? answer.header('content-location');
  const m = location ? locationOf(type).exec(location) : null;
  if (m) return m[1];
  // Most bodies without a Location are OperationOutcomes: no need to parse what cannot name the type.
  if (!answer.text.includes(type)) return undefined;
  const body = resourceOf(answer);
  return body?.resourceType === type ? body.id : undefined;
}

export function countOf(report: MeasureReport, code: string): number | undefined {
  for (const g of report.group ?? []) for (const p of g.population ?? []) if (p.code?.coding?.some((c) => c.code === code)) return p.count;
  return undefined;
}

function instant(dateTime: string | undefined): number {
  return dateTime ? Date.parse(dateTime.length === 10 ? `${dateTime}T00:00:00Z` : dateTime) : Number.NaN;
}

function overlaps(report: MeasureReport, from: number, to: number): boolean {
  const start = instant(report.period?.start);
  const end = instant(report.period?.end ?? report.period?.start);
  return !(end < from || start > to);
}

/** The same checks for the k6 script, in plain JavaScript: each check becomes a named k6 check. */
export const K6_CHECK_FUNCTIONS = String.raw`
function bodyOf(r) {
  try { return r.body ? JSON.parse(r.body) : undefined; } catch (e) { return undefined; }
}
function matchesIn(r) {
  const b = r.status === 200 ? bodyOf(r) : undefined;
  if (!b || b.resourceType !== 'Bundle') return [];
  return (b.entry || []).filter((e) => !(e.search && e.search.mode === 'include') && e.resource && e.resource.resourceType === 'MeasureReport').map((e) => e.resource);
}
function instant(s) { return s ? Date.parse(s.length === 10 ? s + 'T00:00:00Z' : s) : NaN; }
function idNamed(r, type) {
  const location = r.headers['Location'] || r.headers['location'] || r.headers['Content-Location'] || r.headers['content-location'];
  const m = location ? new RegExp('(?:^|/)' + type + '/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$').exec(location) : null;
  if (m) return m[1];
  const b = bodyOf(r);
  return b && b.resourceType === type ? b.id : undefined;
}
function countIn(report, code) {
  for (const g of report.group || []) for (const p of g.population || []) if ((p.code && p.code.coding || []).some((c) => c.code === code)) return p.count;
  return undefined;
}
const PASSES = {
  status: (r, c) => c.allowed.includes(r.status),
  outcome: (r) => r.status < 400 || ((bodyOf(r) || {}).resourceType === 'OperationOutcome'),
  'names-id': (r, c) => r.status < 200 || r.status >= 300 || idNamed(r, c.type) !== undefined,
  resource: (r, c) => { if (r.status !== 200) return true; const b = bodyOf(r) || {}; return b.resourceType === c.type && b.id === c.id; },
  count: (r, c) => { if (r.status !== 200) return true; const b = bodyOf(r) || {}; return b.resourceType === 'MeasureReport' && countIn(b, c.code) === c.equals; },
  searchset: (r) => { if (r.status !== 200) return true; const b = bodyOf(r) || {}; return b.resourceType === 'Bundle' && b.type === 'searchset'; },
  'matches-measure': (r, c) => matchesIn(r).every((m) => (m.measure || '').split('|')[0] === c.measure),
  'matches-period': (r, c) => matchesIn(r).every((m) => { const p = m.period || {}; const s = instant(p.start); const e = instant(p.end || p.start); return !(e < c.start || s > c.end); }),
};
const LABELS = {
  status: (c) => 'status ' + c.expected,
  outcome: () => 'an error answer carries an OperationOutcome',
  'names-id': (c) => 'the answer names the new ' + c.type + ' id',
  resource: (c) => 'the answer is the ' + c.type + ' asked for',
  count: (c) => c.code + ' read back as sent',
  searchset: () => 'a searchset Bundle',
  'matches-measure': () => 'every match is of the measure asked for',
  'matches-period': () => 'every match overlaps the period asked for',
};
function judge(r, what, checks) {
  const named = {};
  for (const c of checks) named[c.requirements.join(' ') + ' ' + what + ': ' + LABELS[c.kind](c)] = (res) => PASSES[c.kind](res, c);
  return check(r, named);
}
`;
