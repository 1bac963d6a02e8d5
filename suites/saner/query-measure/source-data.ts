/**
 * What the Measure Source suite works on: the data the SUT holds, discovered in setup (or named in
 * `t.config.ids`), optionally first loaded from the project's SANER fixtures (`t.config.seed`).
 */
import type { Bundle, CapabilityStatement, Location, Measure, MeasureReport, Organization, Resource } from 'fhir/r4.js';
import type { FhirClient, FhirResponse, SuiteEnvironment, WireFormat } from '../../../src/engine/index.js';
import { formatOfMediaType } from '../../../src/fhir/negotiation.js';
import { seedResources } from '../../../simulators/measure-source/index.js';

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

/** Loads the project's SANER fixtures into the SUT with update-as-create, so they keep their ids. */
async function seed(s: SuiteEnvironment): Promise<void> {
  for (const resource of seedResources()) {
    const res = await s.sut.update(resource);
    if (res.status !== 200 && res.status !== 201) throw new Error(`seeding: PUT [base]/${resource.resourceType}/${resource.id} answered ${res.status}`);
  }
  s.note(`seeded the SUT with the project's SANER fixtures (fixtures/saner)`);
}

function usable(report: MeasureReport): boolean {
  return Boolean(report.measure && report.subject?.reference && report.subject.identifier?.value && report.reporter?.identifier?.value && report.period?.start);
}

async function chosenReport(s: SuiteEnvironment): Promise<MeasureReport | string> {
  const ids = (s.config['ids'] ?? {}) as Record<string, unknown>;
  const id = ids['MeasureReport'];
  if (typeof id === 'string') {
    const res = await s.sut.read('MeasureReport', id);
    return res.status === 200 ? parsed<MeasureReport>(res, `GET [base]/MeasureReport/${id}`) : `GET [base]/MeasureReport/${id} (sut.ids.MeasureReport) answered ${res.status}`;
  }
  const res = await s.sut.search('MeasureReport', { _count: '100' });
  if (res.status !== 200) return `GET [base]/MeasureReport answered ${res.status}, so no MeasureReport could be found to test with`;
  const reports = matches<MeasureReport>(parsed<Bundle>(res, 'GET [base]/MeasureReport'), 'MeasureReport');
  return reports.find(usable) ?? reports[0] ?? 'the SUT holds no MeasureReport to test with: load some, name one in sut.ids.MeasureReport, or run with --seed';
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
  if (!formats.includes('xml')) s.note(`the CapabilityStatement lists no xml (format ${JSON.stringify(parsed.resource.format ?? [])}): reads and searches are judged in ${formats.length ? formats.join(' and ').toUpperCase() : 'JSON'}; SANER-QM-FMT-002 judges XML`);
  return formats.length ? formats : ['json'];
}

export async function discover(s: SuiteEnvironment): Promise<SourceData> {
  const startedAt = new Date().toISOString();
  if (s.config['seed'] === true) await seed(s);
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
