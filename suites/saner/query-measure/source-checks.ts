/** Small pieces the Measure Source tests share: walking result pages, validating what came back, dates and distances. */
import type { Bundle, Coding, MeasureReport, Period, Resource } from 'fhir/r4.js';
import type { FhirResponse, TestContext } from '../../../src/engine/index.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT, registerSanerProfiles } from '../../../ig/saner/profiles.js';
import type { SourceData } from './source-data.js';

export type SourceTest = TestContext<SourceData>;

/** The report the suite found in setup; without one the test is skipped with setup's reason. */
export function theReport(t: SourceTest): MeasureReport {
  return t.fixture.report ?? t.skip(t.fixture.missing ?? 'setup found no MeasureReport');
}

registerSanerProfiles();

const PROFILE_OF: Record<string, string> = { MeasureReport: PUBLIC_HEALTH_MEASURE_REPORT, Measure: PUBLIC_HEALTH_MEASURE };

/** Base R4 plus the SANER profile of the resource's type; the issues are evidence. */
export async function validateServed(t: SourceTest, resources: readonly Resource[], requirement?: string): Promise<void> {
  const seen = new Set<string>();
  for (const r of resources) {
    const key = `${r.resourceType}/${r.id}/${r.meta?.versionId ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const profile = PROFILE_OF[r.resourceType];
    await t.validate(r, { profiles: profile ? [profile] : [], ...(requirement ? { requirement } : {}) });
  }
}

/** The matches (not includes) of a searchset answer, after checking it is one. */
export function matchesOf<T extends Resource>(t: SourceTest, res: FhirResponse, type: T['resourceType']): T[] {
  t.expectStatus(res, 200);
  const bundle = res.resource<Bundle>();
  t.require(bundle.resourceType === 'Bundle' && bundle.type === 'searchset', `the answer is a searchset Bundle (got ${bundle.resourceType} ${(bundle as Bundle).type ?? ''})`);
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === type).map((e) => e.resource as T);
}

export function includesOf(res: FhirResponse): Resource[] {
  const bundle = res.resource<Bundle>();
  return (bundle.entry ?? []).filter((e) => e.search?.mode === 'include' && e.resource).map((e) => e.resource as Resource);
}

/** Follows next links from a first answer; each page's matches, and whether a page failed. */
export async function walkPages<T extends Resource>(t: SourceTest, first: FhirResponse, type: T['resourceType'], maxPages = 30): Promise<{ pages: T[][]; complete: boolean }> {
  const pages: T[][] = [matchesOf<T>(t, first, type)];
  let bundle = first.resource<Bundle>();
  for (let n = 1; n < maxPages; n++) {
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (!next) return { pages, complete: true };
    const res = await t.sut.request('GET', next, { headers: { accept: 'application/fhir+json' } });
    if (!t.expect(res.status === 200, `the next link ${next} answered ${res.status}`)) return { pages, complete: false };
    pages.push(matchesOf<T>(t, res, type));
    bundle = res.resource<Bundle>();
  }
  return { pages, complete: false };
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
