/**
 * The Data Source suite's searches and judgement: a search is sent as a Measure Computer sends it
 * (strict handling, large pages, every next link followed), and its matches are compared with the
 * generator's expected members. Only matches of the data set are judged; what else the SUT holds
 * is noted, so a SUT with data of its own can still be tested.
 */
import type { Bundle, CapabilityStatement, OperationOutcome, Resource } from 'fhir/r4.js';
import { statusText, type FhirResponse, type TestContext } from '../../../src/engine/index.js';
import { withCodeLists, usesValueSetModifier, type ExpectedSearch } from '../../../simulators/data-source/searches.js';
import { diagnosticsOf, keyOf, type DataSourceFixture } from './data-source-setup.js';

export type DataSourceTest = TestContext<DataSourceFixture>;
export type Pairs = ReadonlyArray<readonly [string, string]>;
type Requirement = string | readonly string[];

/** A Measure Computer asks the Data Source to refuse a criterion it cannot apply rather than drop it. */
const HEADERS = { prefer: 'handling=strict' };
/** The page size a Measure Computer asks for; a server may serve less, and the next links are followed. */
export const LARGE_PAGE = 1000;
const MAX_PAGES = 100;

export interface Answer {
  /** Every match over the pages, in order (a match served twice is here twice). */
  matches: Resource[];
  included: Resource[];
  /** How many matches each page held. */
  pageSizes: number[];
  /** The pages ended with one that has no next link. */
  complete: boolean;
}

export const describeSearch = (type: string, params: Pairs, method: 'GET' | 'POST' = 'GET'): string =>
  `${method} [base]/${type}${method === 'POST' ? '/_search' : ''}?${params.map(([n, v]) => `${n}=${v}`).join('&')}`;

function grouped(params: Pairs): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of params) {
    const values = out[name] ?? [];
    values.push(value);
    out[name] = values;
  }
  return out;
}

/** The first page of a search. */
export function send(t: DataSourceTest, type: string, params: Pairs, method: 'GET' | 'POST' = 'GET'): Promise<FhirResponse> {
  return t.sut.search(type, grouped(params), { method, headers: HEADERS });
}

const outcomeIssues = (bundle: Bundle): string[] =>
  (bundle.entry ?? [])
    .filter((e) => e.search?.mode === 'outcome' && e.resource?.resourceType === 'OperationOutcome')
    .flatMap((e) => (e.resource as OperationOutcome).issue ?? [])
    .filter((i) => i.severity !== 'information')
    .map((i) => i.diagnostics ?? i.details?.text ?? i.code);

/** Why the SUT did not carry out a search: a 4xx, or a searchset that says it left a criterion out. */
export function refusal(res: FhirResponse): string | undefined {
  if (res.status >= 400 && res.status < 500) return `answered ${statusText(res.status)}${diagnosticsOf(res)}`;
  if (res.status !== 200) return undefined;
  const parsed = res.tryResource<Bundle>();
  const issues = parsed.ok && parsed.resource.resourceType === 'Bundle' ? outcomeIssues(parsed.resource) : [];
  return issues.length ? `answered a searchset saying it did not apply every criterion (${issues.join('; ')})` : undefined;
}

/** One page's matches, includes and next link; a failed check deciding `requirement` when it is no searchset. */
function page(t: DataSourceTest, res: FhirResponse, type: string, requirement: Requirement): { matches: Resource[]; included: Resource[]; next?: string } | undefined {
  const line = `${res.exchange.method} ${res.exchange.url}`;
  if (res.status !== 200) {
    t.expect(false, `${line} answered ${statusText(res.status)}${diagnosticsOf(res)}; expected 200 and a searchset Bundle`, { requirement });
    return undefined;
  }
  const parsed = res.tryResource<Bundle>();
  if (!parsed.ok) {
    t.expect(false, parsed.error, { requirement });
    return undefined;
  }
  const bundle = parsed.resource;
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'searchset') {
    t.expect(false, `${line} answered a ${bundle.resourceType}${bundle.resourceType === 'Bundle' ? ` of type ${bundle.type}` : ''}; expected a searchset Bundle`, { requirement });
    return undefined;
  }
  const issues = outcomeIssues(bundle);
  if (issues.length) {
    t.expect(false, `${line} answered a searchset saying it did not apply every criterion (${issues.join('; ')}); expected the search carried out`, { requirement });
    return undefined;
  }
  const entries = (bundle.entry ?? []).filter((e) => e.resource && e.search?.mode !== 'outcome');
  const isMatch = (mode: string | undefined, resource: Resource) => mode === 'match' || (mode === undefined && resource.resourceType === type);
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  return {
    matches: entries.filter((e) => isMatch(e.search?.mode, e.resource!)).map((e) => e.resource!),
    included: entries.filter((e) => !isMatch(e.search?.mode, e.resource!)).map((e) => e.resource!),
    ...(next ? { next } : {}),
  };
}

/** Follows the next links from a first page; undefined when the first page is no searchset (a failed check). */
export async function follow(t: DataSourceTest, first: FhirResponse, type: string, requirement: Requirement): Promise<Answer | undefined> {
  let current = page(t, first, type, requirement);
  if (!current) return undefined;
  const answer: Answer = { matches: [], included: [], pageSizes: [], complete: false };
  for (let n = 0; current && n < MAX_PAGES; n++) {
    answer.matches.push(...current.matches);
    answer.included.push(...current.included);
    answer.pageSizes.push(current.matches.length);
    if (!current.next) {
      answer.complete = true;
      break;
    }
    current = page(t, await t.sut.request('GET', current.next, { headers: { accept: 'application/fhir+json', ...HEADERS } }), type, requirement);
  }
  return answer;
}

/** A search sent and every page of it read. */
export async function searchAll(t: DataSourceTest, type: string, params: Pairs, requirement: Requirement, options: { method?: 'GET' | 'POST'; count?: number } = {}): Promise<Answer | undefined> {
  return follow(t, await send(t, type, [...params, ['_count', String(options.count ?? LARGE_PAGE)]], options.method), type, requirement);
}

/** What the SUT's CapabilityStatement says of `name:in` on a type: listed, left out of a list of modifiers, or nothing (no modifiers listed). */
export function modifierClaim(capability: CapabilityStatement | undefined, type: string, name: string): 'listed' | 'not-listed' | 'unknown' {
  const params =
    (capability?.rest ?? [])
      .flatMap((r) => r.resource ?? [])
      .find((r) => r.type === type)
      ?.searchParam?.map((p) => p.name) ?? [];
  if (!params.some((p) => p.includes(':'))) return 'unknown';
  return params.includes(name) ? 'listed' : 'not-listed';
}

/**
 * A search of the bundled Measures as a Measure Computer sends it: with `:in` where the Data Source
 * may take it; with the value sets' codes where its CapabilityStatement leaves `:in` out or it
 * refused `:in` (remembered in `refused`, once per type and parameter), SANER-CM-PG-004.
 */
export async function searchAsComputer(t: DataSourceTest, search: ExpectedSearch, refused: Set<string>, requirement: Requirement): Promise<Answer | undefined> {
  const modifiers = search.params.filter(([n]) => n.endsWith(':in')).map(([n]) => `${search.type} ${n}`);
  const withoutIn = modifiers.some((m) => refused.has(m) || modifierClaim(t.fixture.capability, search.type, m.split(' ')[1]!) === 'not-listed');
  if (!usesValueSetModifier(search.params) || withoutIn) return searchAll(t, search.type, withoutIn ? withCodeLists(search.params) : search.params, requirement);
  const params = [...search.params, ['_count', String(LARGE_PAGE)] as const];
  const first = await send(t, search.type, params);
  const why = refusal(first);
  if (!why) return follow(t, first, search.type, requirement);
  for (const m of modifiers) refused.add(m);
  t.note(`${describeSearch(search.type, params)} ${why}: sent again with each value set's codes, as a Measure Computer does without :in (SANER-CM-PG-004)`);
  return searchAll(t, search.type, withCodeLists(search.params), requirement);
}

const preview = (keys: readonly string[]) => keys.slice(0, 5).join(', ') + (keys.length > 5 ? `, … ${keys.length - 5} more` : '');

/**
 * The check that decides a search: its matches of the data set are exactly the generator's
 * members. Matches outside the data set (the SUT's own data) are noted, not judged.
 */
export function judgeMembers(t: DataSourceTest, what: string, answer: Answer, expected: readonly string[], requirement: Requirement): boolean {
  const found = answer.matches.map(keyOf);
  const ours = new Set(found.filter((k) => t.fixture.held.has(k)));
  const foreign = [...new Set(found.filter((k) => !t.fixture.held.has(k)))];
  if (foreign.length) t.note(`${what}: ${foreign.length} match(es) outside the data set, the SUT's own data, not judged: ${preview(foreign)}`);
  const want = new Set(expected);
  const extra = [...ours].filter((k) => !want.has(k)).sort();
  const missing = expected.filter((k) => !ours.has(k));
  if (extra.length === 0 && missing.length === 0) {
    const matched = expected.length ? `the ${expected.length} resources of the data set the generator expects (${preview(expected)})` : 'none of the data set, as the generator expects';
    return t.expect(true, `${what} matched ${matched}`, { requirement });
  }
  const wrong = [...(extra.length ? [`${extra.length} it should not (${preview(extra)})`] : []), ...(missing.length ? [`not ${missing.length} it should (${preview(missing)})`] : [])];
  const wanted = expected.length ? `exactly the ${expected.length} the generator expects` : 'none of them';
  return t.expect(false, `${what} matched ${ours.size} resources of the data set: ${wrong.join('; ')}; expected ${wanted}`, { requirement });
}

/**
 * Whether a type's searches can be judged: not when the SUT did not take the data set's resources
 * of that type (the requirement is then left undecided, saying why).
 */
export function judgeable(t: DataSourceTest, type: string, requirement: Requirement): boolean {
  const why = t.fixture.unloaded.get(type);
  if (why === undefined) return true;
  t.undecided(requirement, `the SUT did not take the data set's ${type} resources (${why}), so ${type} searches cannot be judged`);
  return false;
}
