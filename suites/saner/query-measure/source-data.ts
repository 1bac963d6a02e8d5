/**
 * What the Measure Source suite works on: the data the SUT holds, discovered in setup (or named in
 * `t.config.ids`), or the project's SANER fixtures the run seeded first (`--seed`, `t.config.seeded`).
 */
import type { Bundle, CapabilityStatement, Location, Measure, MeasureReport, Organization, Resource } from 'fhir/r4.js';
import { runTagOf, type FhirClient, type FhirResponse, type SuiteEnvironment, type WireFormat } from '../../../src/engine/index.js';
import { formatOfMediaType } from '../../../src/fhir/negotiation.js';

export type SourceData = {
  /** When the suite started (ISO 8601), e.g. to find what the SUT recorded during the run. */
  startedAt: string;
  /** The report most tests are built around: one with subject and reporter identifiers. */
  report: MeasureReport | undefined;
  /** Why there is no report, for the tests that need one. */
  missing?: string;
  /** Its Measure, found by the report's canonical. */
  measure: Measure | undefined;
  /** Its subject and reporter, read by reference. */
  location: Location | undefined;
  organization: Organization | undefined;
  /** Every Measure and Location the SUT listed (first page of 100). */
  measures: Measure[];
  locations: Location[];
  /**
   * The formats the SUT's CapabilityStatement lists (JSON alone when it gives none): interaction
   * requirements are decided in each of them, while the format rows (SANER-QM-FMT-*) ask for
   * both whatever the SUT lists.
   */
  formats: WireFormat[];
};

function parsed<T extends Resource>(res: FhirResponse, what: string): T {
  const outcome = res.tryResource<T>();
  if (res.status !== 200 || !outcome.ok) throw new Error(`${what} answered ${res.status}${outcome.ok ? '' : `: ${outcome.error}`}`);
  return outcome.resource;
}

function matches<T extends Resource>(bundle: Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === type).map((e) => e.resource as T);
}

/** The first page of a search; empty when the search fails (the tests of that search say why). */
async function list<T extends Resource>(sut: FhirClient, type: T['resourceType'], params: Record<string, string> = {}): Promise<T[]> {
  const res = await sut.search(type, { _count: '100', ...params });
  return res.status === 200 ? matches<T>(parsed<Bundle>(res, `GET [base]/${type}`), type) : [];
}

/** `Type/id` of a local literal reference, when it is one. */
export function localReference(reference: string | undefined): { type: string; id: string } | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference ?? '');
  return m ? { type: m[1]!, id: m[2]! } : undefined;
}

async function readReferenced<T extends Resource>(sut: FhirClient, reference: string | undefined, type: T['resourceType']): Promise<T | undefined> {
  const local = localReference(reference);
  if (local?.type !== type) return undefined;
  const res = await sut.read(type, local.id);
  return res.status === 200 ? parsed<T>(res, `GET [base]/${type}/${local.id}`) : undefined;
}

function usable(report: MeasureReport): boolean {
  return Boolean(report.measure && report.subject?.reference && report.subject.identifier?.value && report.reporter?.identifier?.value && report.period?.start);
}

/**
 * The report the tests are built around: the one named in sut.ids, else one the run seeded, else
 * one the SUT holds of its own. What a harness run wrote (it carries a run tag) is never taken for
 * the SUT's own data, so suites running beside each other cannot change what this one judges.
 */
async function chosenReport(s: SuiteEnvironment): Promise<MeasureReport | string> {
  const id = s.config.ids?.['MeasureReport'];
  if (id !== undefined) {
    const res = await s.sut.read('MeasureReport', id);
    s.useData('named', `MeasureReport/${id}, named in sut.ids`);
    return res.status === 200 ? parsed<MeasureReport>(res, `GET [base]/MeasureReport/${id}`) : `GET [base]/MeasureReport/${id} (sut.ids.MeasureReport) answered ${res.status}`;
  }
  const seeded = (s.config.seeded ?? []).filter((r) => r.type === 'MeasureReport');
  for (const r of seeded) {
    const res = await s.sut.read('MeasureReport', r.id);
    const report = res.status === 200 ? parsed<MeasureReport>(res, `GET [base]/MeasureReport/${r.id}`) : undefined;
    if (report && usable(report)) {
      s.useData('seeded', `the project's SANER fixtures the run seeded (${s.config.seeded!.length} resources), around MeasureReport/${r.id}`);
      return report;
    }
  }
  const res = await s.sut.search('MeasureReport', { _count: '100' });
  if (res.status !== 200) return `GET [base]/MeasureReport answered ${res.status}, so no MeasureReport could be found to test with`;
  const reports = matches<MeasureReport>(parsed<Bundle>(res, 'GET [base]/MeasureReport'), 'MeasureReport').filter((r) => runTagOf(r) === undefined);
  const chosen = reports.find(usable) ?? reports[0];
  if (chosen) s.useData('discovered', `the SUT's own data, around MeasureReport/${chosen.id} (what harness runs wrote is left out)`);
  return chosen ?? 'the SUT holds no MeasureReport to test with: load some, name one in sut.ids.MeasureReport, or run with --seed';
}

/** The formats the SUT's CapabilityStatement lists. */
async function listedFormats(s: SuiteEnvironment): Promise<WireFormat[]> {
  const res = await s.sut.capabilities();
  const parsed = res.tryResource<CapabilityStatement>();
  if (res.status !== 200 || !parsed.ok || parsed.resource.resourceType !== 'CapabilityStatement') {
    s.note(`GET [base]/metadata answered ${res.status} without a CapabilityStatement: reads and searches are judged in JSON only`);
    return ['json'];
  }
  const listed = new Set((parsed.resource.format ?? []).map((f) => formatOfMediaType(f)));
  const formats = (['json', 'xml'] as const).filter((f) => listed.has(f));
  if (!formats.includes('xml'))
    s.note(
      `the CapabilityStatement lists no xml (format ${JSON.stringify(parsed.resource.format ?? [])}): reads and searches are judged in ${formats.length ? formats.join(' and ').toUpperCase() : 'JSON'}; SANER-QM-FMT-002 judges XML`,
    );
  return formats.length ? formats : ['json'];
}

export async function discover(s: SuiteEnvironment): Promise<SourceData> {
  const startedAt = new Date().toISOString();
  const formats = await listedFormats(s);
  const chosen = await chosenReport(s);
  const [measures, locations] = await Promise.all([list<Measure>(s.sut, 'Measure'), list<Location>(s.sut, 'Location')]);
  if (typeof chosen === 'string') {
    s.note(chosen);
    return { startedAt, report: undefined, missing: chosen, measure: undefined, location: undefined, organization: undefined, measures, locations, formats };
  }
  const report = chosen;
  s.note(`tests are built around MeasureReport/${report.id} (measure ${report.measure})`);
  const [location, organization] = await Promise.all([
    readReferenced<Location>(s.sut, report.subject?.reference, 'Location'),
    readReferenced<Organization>(s.sut, report.reporter?.reference, 'Organization'),
  ]);
  const canonical = report.measure?.split('|')[0];
  const measure = measures.find((m) => m.url === canonical) ?? (canonical ? (await list<Measure>(s.sut, 'Measure', { url: canonical }))[0] : undefined);
  return { startedAt, report, measure, location, organization, measures, locations, formats };
}
