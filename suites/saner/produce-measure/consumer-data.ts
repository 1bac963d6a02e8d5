/**
 * What the Measure Consumer suite pushes and what it learns first: the push fixtures
 * (fixtures/saner/push, valid and deliberately invalid), the SUT's CapabilityStatement and the
 * Measure CSV is reported against; and the small checks every push test shares.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, CapabilityStatement, Measure, MeasureReport, OperationOutcome, Resource } from 'fhir/r4.js';
import type { FhirResponse, SuiteEnvironment, TestContext, WireFormat } from '../../../src/engine/index.js';
import { parseJson } from '../../../src/fhir/json.js';
import { projectRoot } from '../../../src/harness.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT, registerSanerProfiles } from '../../../ig/saner/profiles.js';

registerSanerProfiles();

export type ConsumerData = {
  /** The SUT's CapabilityStatement, when GET [base]/metadata gave one. */
  capabilities: CapabilityStatement | undefined;
  /** The Measure the push fixtures report on, as the SUT holds it (for $report-csv). */
  measure: Measure | undefined;
  /** Why there is no Measure, for the tests that need one. */
  missingMeasure?: string;
};

export type ConsumerTest = TestContext<ConsumerData>;

export const FORMATS: readonly WireFormat[] = ['json', 'xml'];

const PUSH = join(projectRoot, 'fixtures', 'saner', 'push');

export function pushText(file: string): string {
  return readFileSync(join(PUSH, file), 'utf8');
}

export function pushFixture<T extends Resource>(file: string): T {
  return parseJson(pushText(file)) as T;
}

/** The valid report the suite pushes, as a Measure Source sends a new one (no id). */
export function newReport(): MeasureReport {
  const { id: _id, ...report } = pushFixture<MeasureReport>('measurereport-camden-2020-05-01.json');
  return report as MeasureReport;
}

export function countOf(report: MeasureReport, code: string): number | undefined {
  for (const g of report.group ?? []) for (const p of g.population ?? []) if (p.code?.coding?.some((c) => c.code === code)) return p.count;
  return undefined;
}

/** The report with one population count changed, as a revision of it would be. */
export function withCount(report: MeasureReport, code: string, count: number): MeasureReport {
  const group = (report.group ?? []).map((g) => ({ ...g, population: (g.population ?? []).map((p) => (p.code?.coding?.some((c) => c.code === code) ? { ...p, count } : p)) }));
  return { ...report, group };
}

export function declares(cs: CapabilityStatement | undefined, type: string, interaction: string): boolean {
  return (cs?.rest ?? []).filter((r) => r.mode === 'server').some((r) => r.resource?.some((x) => x.type === type && x.interaction?.some((i) => i.code === interaction)));
}

/** Whether the SUT says it serves reads of the type, so stored content can be checked. */
export function offersRead(t: ConsumerTest, type = 'MeasureReport'): boolean {
  return declares(t.fixture.capabilities, type, 'read');
}

/** `Type/id` of what a write answer names: its Location header, else the body's id. */
export function writtenId(res: FhirResponse, type = 'MeasureReport'): string | undefined {
  const location = res.headers['location'];
  const m = location ? new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$`).exec(location) : null;
  if (m) return m[1];
  const body = res.text.trim() ? res.tryResource() : undefined;
  return body?.ok && body.resource.resourceType === type ? body.resource.id : undefined;
}

/** Reads a stored report back; undefined (with a note) when the SUT offers no read. */
export async function readBack(t: ConsumerTest, id: string, requirement: string, format: WireFormat = 'json'): Promise<MeasureReport | undefined> {
  if (!offersRead(t)) {
    t.note(`the CapabilityStatement offers no MeasureReport read, so MeasureReport/${id} is not read back`);
    return undefined;
  }
  const res = await t.sut.read('MeasureReport', id, { format });
  t.require(res.status === 200, `GET MeasureReport/${id} answered ${res.status}: the acknowledged report is not there`, { requirement });
  const report = res.resource<MeasureReport>();
  t.expectResourceType(report, 'MeasureReport', { requirement });
  return report;
}

/** Base R4 plus the SANER profile of the resource's type; the issues are evidence. */
export async function validateReturned(t: ConsumerTest, resource: Resource, requirement: string): Promise<void> {
  const profile = resource.resourceType === 'MeasureReport' ? PUBLIC_HEALTH_MEASURE_REPORT : resource.resourceType === 'Measure' ? PUBLIC_HEALTH_MEASURE : undefined;
  await t.validate(resource, { profiles: profile ? [profile] : [], requirement });
}

/**
 * A rejection: a 4xx (never a success, never a server error) under `refused`, the exact code FHIR
 * names under `code`, and an OperationOutcome under FHIR-HTTP-004. Returns the outcome, if any.
 */
export function expectRejected(
  t: ConsumerTest,
  res: FhirResponse,
  what: string,
  expected: { status: readonly number[]; refused: string; code: string },
): OperationOutcome | undefined {
  const refused = res.status >= 400 && res.status < 500;
  t.expect(refused, `${what}: answered ${res.status}, expected a refusal (4xx)`, { requirement: expected.refused });
  if (refused) t.expect(expected.status.includes(res.status), `${what}: answered ${res.status}, FHIR names ${expected.status.join(' or ')}`, { requirement: expected.code });
  const outcome = res.tryResource<OperationOutcome>();
  const ok = outcome.ok && outcome.resource.resourceType === 'OperationOutcome';
  t.expect(ok, ok ? `${what}: the answer carries an OperationOutcome` : `${what}: the ${res.status} answer carries no OperationOutcome${outcome.ok ? '' : ` (${outcome.error})`}`, { requirement: 'FHIR-HTTP-004' });
  return ok ? (outcome as { resource: OperationOutcome }).resource : undefined;
}

function parsed<T extends Resource>(res: FhirResponse): T | undefined {
  const outcome = res.tryResource<T>();
  return res.status === 200 && outcome.ok ? outcome.resource : undefined;
}

const MEASURE_URL = (): string => newReport().measure;

/** The Measure the fixtures report on: by canonical when the SUT searches Measures, else by the fixture's id. */
async function findMeasure(s: SuiteEnvironment): Promise<Measure | string> {
  const url = MEASURE_URL();
  const bySearch = parsed<Bundle>(await s.sut.search('Measure', { url }));
  const found = bySearch?.entry?.map((e) => e.resource).find((r): r is Measure => r?.resourceType === 'Measure');
  if (found) return found;
  const byId = parsed<Measure>(await s.sut.read('Measure', url.split('/').pop()!));
  return byId?.resourceType === 'Measure' ? byId : `the SUT holds no Measure with url ${url}, which the CSV fixtures report on: load fixtures/saner/measure-bed-capacity.json`;
}

export async function discover(s: SuiteEnvironment): Promise<ConsumerData> {
  const metadata = await s.sut.capabilities();
  const cs = parsed<CapabilityStatement>(metadata);
  const capabilities = cs?.resourceType === 'CapabilityStatement' ? cs : undefined;
  if (!capabilities) s.note(`GET [base]/metadata answered ${metadata.status} without a CapabilityStatement: stored reports are not read back`);
  const measure = await findMeasure(s);
  if (typeof measure === 'string') {
    s.note(measure);
    return { capabilities, measure: undefined, missingMeasure: measure };
  }
  return { capabilities, measure };
}
