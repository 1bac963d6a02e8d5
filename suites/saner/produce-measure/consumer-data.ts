/**
 * What the Measure Consumer suite pushes and what it learns first: the push fixtures
 * (fixtures/saner/push, valid and deliberately invalid), the SUT's CapabilityStatement and the
 * Measure CSV is reported against; and the small checks every push test shares.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, CapabilityStatement, Measure, MeasureReport, OperationOutcome, Reference, Resource } from 'fhir/r4.js';
import { statusText } from '../../../src/engine/index.js';
import type { CheckOptions, FhirResponse, SuiteEnvironment, TestContext, WireFormat } from '../../../src/engine/index.js';
import { parseJson } from '../../../src/fhir/json.js';
import { formatOfMediaType } from '../../../src/fhir/negotiation.js';
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
  /**
   * The formats the SUT's CapabilityStatement lists (JSON alone when it gives none): the push
   * interactions are decided in each of them, while the format rows (SANER-PM-FMT-*) push in both
   * whatever the SUT lists.
   */
  formats: WireFormat[];
};

export type ConsumerTest = TestContext<ConsumerData>;

export const FORMATS: readonly WireFormat[] = ['json', 'xml'];

/** The formats the SUT lists; the others are noted, as the format rows judge them. */
export function listedFormats(t: ConsumerTest): readonly WireFormat[] {
  for (const f of FORMATS.filter((x) => !t.fixture.formats.includes(x))) {
    t.note(`not pushed in ${f.toUpperCase()}: the CapabilityStatement does not list ${f} (SANER-PM-FMT-00${FORMATS.indexOf(f) + 1} judges that format)`);
  }
  return t.fixture.formats;
}

/** The format to read back in: JSON where listed. */
function readFormat(t: ConsumerTest): WireFormat {
  return t.fixture.formats.includes('json') ? 'json' : (t.fixture.formats[0] ?? 'json');
}

/** `an OperationOutcome`, `a Bundle`. */
export function aResource(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}

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
function offersRead(t: ConsumerTest, type = 'MeasureReport'): boolean {
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

/**
 * Reads a stored report back; undefined (with a note) when the SUT offers no read. Its checks
 * decide the requirements named: that the acknowledged report is there.
 */
export async function readBack(t: ConsumerTest, id: string, options: CheckOptions, format: WireFormat = readFormat(t)): Promise<MeasureReport | undefined> {
  if (!offersRead(t)) {
    t.note(`the CapabilityStatement offers no MeasureReport read, so MeasureReport/${id} is not read back`);
    return undefined;
  }
  const res = await t.sut.read('MeasureReport', id, { format });
  t.require(res.status === 200, `GET MeasureReport/${id} answered ${statusText(res.status)}${res.status === 200 ? '' : '; expected 200 OK and the acknowledged report'}`, options);
  const parsed = res.tryResource<MeasureReport>();
  if (!parsed.ok) return t.require(undefined, parsed.error, options);
  t.expectResourceType(parsed.resource, 'MeasureReport', options);
  return parsed.resource;
}

/** Base R4 plus the SANER profile of the resource's type, as a check of the content requirement named; the issues are evidence. */
export async function validateReturned(t: ConsumerTest, resource: Resource, requirement: string | readonly string[]): Promise<void> {
  const profile = resource.resourceType === 'MeasureReport' ? PUBLIC_HEALTH_MEASURE_REPORT : resource.resourceType === 'Measure' ? PUBLIC_HEALTH_MEASURE : undefined;
  await t.validate(resource, { profiles: profile ? [profile] : [], requirement });
}

/** `group/population` -> count, for every population of the report. */
function populationCounts(report: MeasureReport): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const g of report.group ?? []) for (const p of g.population ?? []) out.set(`${g.code?.coding?.[0]?.code ?? '(group)'}/${p.code?.coding?.[0]?.code ?? '(population)'}`, p.count);
  return out;
}

const instantOf = (v: string | undefined) => (v ? Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v) : Number.NaN);
const sameInstant = (a: string | undefined, b: string | undefined) => a === b || instantOf(a) === instantOf(b);
const identifierOf = (r: Pick<Reference, 'identifier'> | undefined) => (r?.identifier ? `${r.identifier.system ?? ''}|${r.identifier.value ?? ''}` : undefined);

/** How a stored report differs from the one sent, element by element; empty when it holds what was sent. */
export function differences(sent: MeasureReport, stored: MeasureReport): string[] {
  const out: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${what} is ${JSON.stringify(b) ?? 'absent'} (sent ${JSON.stringify(a) ?? 'absent'})`);
  };
  same('status', sent.status, stored.status);
  same('measure', sent.measure?.split('|')[0], stored.measure?.split('|')[0]);
  if (!sameInstant(sent.period?.start, stored.period?.start)) same('period.start', sent.period?.start, stored.period?.start);
  if (!sameInstant(sent.period?.end, stored.period?.end)) same('period.end', sent.period?.end, stored.period?.end);
  same('subject.identifier', identifierOf(sent.subject), identifierOf(stored.subject));
  same('reporter.identifier', identifierOf(sent.reporter), identifierOf(stored.reporter));
  const kept = populationCounts(stored);
  for (const [key, count] of populationCounts(sent)) same(`the count of ${key}`, count, kept.get(key));
  return out;
}

/** What `differences` compares, for a passing message. */
export function comparedElements(sent: MeasureReport): string {
  return `status, measure, period, subject, reporter and ${populationCounts(sent).size} population counts`;
}

/**
 * A rejection: a 4xx (never a success, never a server error) under `refused` (every requirement
 * an acceptance breaks), the exact code FHIR names under `code`, and, on an error answer only, an OperationOutcome under FHIR-HTTP-004. An
 * acceptance says nothing about error answers, so FHIR-HTTP-004 is then left undecided. Returns
 * the outcome, if any.
 */
export function expectRejected(
  t: ConsumerTest,
  res: FhirResponse,
  what: string,
  expected: { status: readonly number[]; refused: string | readonly string[]; code: string },
): OperationOutcome | undefined {
  const answered = `${what} answered ${statusText(res.status)}`;
  const refused = res.status >= 400 && res.status < 500;
  t.expect(refused, refused ? answered : `${answered}; expected a refusal (4xx)`, { requirement: expected.refused });
  const named = expected.status.includes(res.status);
  if (refused) t.expect(named, named ? answered : `${answered}; expected ${expected.status.map(statusText).join(' or ')}, the code FHIR names`, { requirement: expected.code });
  if (res.status < 400) {
    t.undecided('FHIR-HTTP-004', `no error answer to judge: ${answered}`);
    return undefined;
  }
  const outcome = res.tryResource<OperationOutcome>();
  const ok = outcome.ok && outcome.resource.resourceType === 'OperationOutcome';
  t.expect(
    ok,
    ok
      ? `${answered} with an OperationOutcome`
      : `${answered} with ${outcome.ok ? aResource(outcome.resource.resourceType) : res.text.trim() ? `a body that is no FHIR resource (${outcome.error})` : 'an empty body'}; expected an OperationOutcome saying why`,
    { requirement: 'FHIR-HTTP-004' },
  );
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

/** The formats a CapabilityStatement lists; JSON alone when there is none. */
function formatsOf(cs: CapabilityStatement | undefined, s: SuiteEnvironment): WireFormat[] {
  const listed = new Set((cs?.format ?? []).map((f) => formatOfMediaType(f)));
  const formats = FORMATS.filter((f) => listed.has(f));
  if (cs && !formats.includes('xml'))
    s.note(
      `the CapabilityStatement lists no xml (format ${JSON.stringify(cs.format ?? [])}): pushes are judged in ${formats.length ? formats.join(' and ').toUpperCase() : 'JSON'}; SANER-PM-FMT-002 judges XML`,
    );
  return formats.length ? formats : ['json'];
}

export async function discover(s: SuiteEnvironment): Promise<ConsumerData> {
  const metadata = await s.sut.capabilities();
  const cs = parsed<CapabilityStatement>(metadata);
  const capabilities = cs?.resourceType === 'CapabilityStatement' ? cs : undefined;
  if (!capabilities) s.note(`GET [base]/metadata answered ${metadata.status} without a CapabilityStatement: stored reports are not read back, and pushes are judged in JSON only`);
  const formats = formatsOf(capabilities, s);
  const measure = await findMeasure(s);
  if (typeof measure === 'string') {
    s.note(measure);
    return { capabilities, measure: undefined, missingMeasure: measure, formats };
  }
  const seeded = (s.config.seeded ?? []).some((r) => r.type === 'Measure' && r.id === measure.id);
  s.useData('generated', `reports the suite makes for this run (tagged, and removed when the suite ends) against Measure/${measure.id}${seeded ? ', which the run seeded' : ', which the SUT holds'}`);
  return { capabilities, measure, formats };
}
