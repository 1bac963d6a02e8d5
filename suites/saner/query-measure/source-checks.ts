/** Small pieces the Measure Source tests share: walking result pages, validating what came back, dates and distances. */
import type { Bundle, Coding, MeasureReport, Period, Resource } from 'fhir/r4.js';
import { RUN_TAG_SYSTEM, runTagOf, statusText } from '../../../src/engine/index.js';
import type { CheckOptions, FhirResponse, TestContext } from '../../../src/engine/index.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT, registerSanerProfiles } from '../../../ig/saner/profiles.js';
import type { SourceData } from './source-data.js';

export type SourceTest = TestContext<SourceData>;

/** The report the suite found in setup; without one the test is skipped with setup's reason. */
export function theReport(t: SourceTest): MeasureReport {
  return t.fixture.report ?? t.skip(t.fixture.missing ?? 'setup found no MeasureReport');
}

registerSanerProfiles();

const PROFILE_OF: Record<string, string> = { MeasureReport: PUBLIC_HEALTH_MEASURE_REPORT, Measure: PUBLIC_HEALTH_MEASURE };

/**
 * Base R4 plus the SANER profile of the resource's type, each a check of the content requirements
 * the test names (never of the read or search that brought the resource: that one is judged on
 * its status, type and ids); the issues are evidence.
 */
export async function validateServed(t: SourceTest, resources: readonly Resource[], requirement: string | readonly string[] = t.requirements): Promise<void> {
  const seen = new Set<string>();
  // What a harness run wrote into the SUT (another suite's pushes) is not the SUT's content to judge; the data set the run seeded is.
  const seeded = new Set((t.config.seeded ?? []).map((x) => `${x.type}/${x.id}`));
  const own = resources.filter((r) => runTagOf(r) === undefined || seeded.has(`${r.resourceType}/${r.id}`));
  if (own.length < resources.length) t.note(`left out ${resources.length - own.length} resource(s) a harness run wrote (run tag ${RUN_TAG_SYSTEM})`);
  if (own.length === 0) t.undecided(requirement, 'the SUT serves no resource of this kind beyond what harness runs wrote');
  for (const r of own) {
    const key = `${r.resourceType}/${r.id}/${r.meta?.versionId ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const profile = PROFILE_OF[r.resourceType];
    await t.validate(r, { profiles: profile ? [profile] : [], requirement });
  }
}

/** `an OperationOutcome`, `a Bundle`. */
export function aResource(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** Every requirement the test cites, for the checks that decide them all (the test is about one interaction). */
export function cited(t: SourceTest): CheckOptions {
  return { requirement: t.requirements };
}

/** The matches of an answer when it is a searchset, else none: for searches that only help find something. */
export function quietMatches<T extends Resource>(res: FhirResponse, type: T['resourceType']): T[] {
  const parsed = res.tryResource<Bundle>();
  return res.status === 200 && parsed.ok && parsed.resource.resourceType === 'Bundle' ? entriesOf<T>(parsed.resource, type) : [];
}

function describeAnswer(res: FhirResponse): string {
  return `${res.exchange.method} ${res.exchange.url} answered ${statusText(res.status)}`;
}

/**
 * The matches (not includes) of a searchset answer, after checking it is one: the status and the
 * Bundle decide the requirements named (default: every one the test cites, for a test whose
 * subject is this search).
 */
export function matchesOf<T extends Resource>(t: SourceTest, res: FhirResponse, type: T['resourceType'], options: CheckOptions = {}): T[] {
  const decides = { requirement: options.requirement ?? t.requirements };
  t.expectStatus(res, 200, decides);
  const parsed = res.tryResource<Bundle>();
  if (!parsed.ok) return t.require(undefined, parsed.error, decides);
  const bundle = parsed.resource;
  const kind = bundle.resourceType === 'Bundle' ? `a ${bundle.type ?? 'typeless'} Bundle` : aResource(bundle.resourceType);
  t.require(
    bundle.resourceType === 'Bundle' && bundle.type === 'searchset',
    bundle.type === 'searchset' ? `the answer is a searchset Bundle of ${bundle.entry?.length ?? 0} entries` : `the answer is ${kind}; expected a searchset Bundle`,
    decides,
  );
  return entriesOf<T>(bundle, type);
}

function entriesOf<T extends Resource>(bundle: Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === type).map((e) => e.resource as T);
}

/**
 * The matches of a search the test only builds on (to find ids, or what a CSV must hold): when it
 * does not answer a searchset the test is skipped saying why; the search's own tests judge it.
 */
export function matchesOrSkip<T extends Resource>(t: SourceTest, res: FhirResponse, type: T['resourceType'], purpose: string): T[] {
  const parsed = res.tryResource<Bundle>();
  if (res.status === 200 && parsed.ok && parsed.resource.resourceType === 'Bundle' && parsed.resource.type === 'searchset') return entriesOf<T>(parsed.resource, type);
  return t.skip(`${describeAnswer(res)}${parsed.ok ? ` with ${aResource(parsed.resource.resourceType)}` : ''}, so ${purpose} cannot be known (the search tests judge that search)`);
}

export function includesOf(res: FhirResponse): Resource[] {
  const parsed = res.tryResource<Bundle>();
  const bundle = parsed.ok ? parsed.resource : { resourceType: 'Bundle' as const, type: 'searchset' as const };
  return (bundle.entry ?? []).filter((e) => e.search?.mode === 'include' && e.resource).map((e) => e.resource as Resource);
}

function nextLink(res: FhirResponse): string | undefined {
  const parsed = res.tryResource<Bundle>();
  return parsed.ok ? parsed.resource.link?.find((l) => l.relation === 'next')?.url : undefined;
}

/** Follows next links from a first answer; each page's matches, and whether the walk reached a last page. */
export async function walkPages<T extends Resource>(t: SourceTest, first: FhirResponse, type: T['resourceType'], maxPages = 30): Promise<{ pages: T[][]; complete: boolean }> {
  const pages: T[][] = [matchesOf<T>(t, first, type)];
  let next = nextLink(first);
  for (let n = 1; n < maxPages; n++) {
    if (!next) return { pages, complete: true };
    const res = await t.sut.request('GET', next, { headers: { accept: 'application/fhir+json' } });
    if (!t.expect(res.status === 200, `the next link ${next} answered ${statusText(res.status)}${res.status === 200 ? '' : '; expected 200 OK and the next page'}`)) return { pages, complete: false };
    pages.push(matchesOf<T>(t, res, type));
    next = nextLink(res);
  }
  return { pages, complete: false };
}

/**
 * Everything the server serves of a type, as far as `maxPages` pages of 100 go, for the content
 * tests: a search that fails skips the test (the search tests judge it); pages it could not reach
 * are noted.
 */
export async function servedOf<T extends Resource>(t: SourceTest, type: T['resourceType'], maxPages = 5): Promise<T[]> {
  let res = await t.sut.search(type, { _count: 100 });
  const out = [...matchesOrSkip<T>(t, res, type, `which ${type} resources the SUT serves`)];
  for (let n = 1; n < maxPages; n++) {
    const next = nextLink(res);
    if (!next) return out;
    res = await t.sut.request('GET', next, { headers: { accept: 'application/fhir+json' } });
    const parsed = res.tryResource<Bundle>();
    if (res.status !== 200 || !parsed.ok || parsed.resource.resourceType !== 'Bundle') {
      t.note(`${describeAnswer(res)}: the ${type} resources after the first ${out.length} are not judged`);
      return out;
    }
    out.push(...entriesOf<T>(parsed.resource, type));
  }
  if (nextLink(res)) t.note(`only the first ${maxPages} pages of ${type} (${out.length} resources) are judged`);
  return out;
}

export function idsOf(resources: readonly Resource[]): string[] {
  return resources.map((r) => `${r.resourceType}/${r.id}`).sort();
}

export function instant(dateTime: string | undefined): number {
  return dateTime ? Date.parse(dateTime.length === 10 ? `${dateTime}T00:00:00Z` : dateTime) : Number.NaN;
}

/** An instant written as a FHIR dateTime in UTC, precise to the second. */
export function utc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whether a period overlaps [from, to] (R4 date search on a Period: ranges that intersect match). */
export function overlaps(period: Period | undefined, from: number, to: number): boolean {
  const start = instant(period?.start);
  const end = instant(period?.end ?? period?.start);
  return !(end < from || start > to);
}

/** Key of a report as its CSV rows identify it: subject identifier and period start. */
export function csvKey(report: MeasureReport): string {
  return `${report.subject?.identifier?.value ?? ''}|${instant(report.period?.start)}`;
}

/** `group code/population code` -> count of every unstratified population of the reports. */
export function countsOf(reports: readonly MeasureReport[]): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const r of reports) {
    for (const g of r.group ?? []) {
      for (const p of g.population ?? []) out.set(`${csvKey(r)} ${g.code?.coding?.[0]?.code}/${p.code?.coding?.[0]?.code}`, p.count);
    }
  }
  return out;
}

export function codingsOf(resource: Resource): Coding[] {
  const out: Coding[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o['system'] === 'string' && typeof o['code'] === 'string') out.push(o as Coding);
      Object.values(o).forEach(walk);
    }
  };
  walk(resource);
  return out;
}

const EARTH_RADIUS_KM = 6371.0088;

export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.latitude - a.latitude) / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(rad(b.longitude - a.longitude) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
