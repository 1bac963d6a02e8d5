// The server suites against FHIR servers that behave the way real ones do (test/stand-ins): JSON
// only and honest about it, no validation, a client's id kept, 200 to a create, batch entries
// stored independently, seed data that breaks a SANER profile. Each point is shown both ways, and
// each verdict is checked on the requirement it belongs to, not only on the test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Measure, MeasureReport, Resource } from 'fhir/r4.js';
import { catalogue } from '../../ig/index.js';
import { suites } from '../../suites/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor } from '../../src/cli/selection.js';
import { runSuites, runTag, type RequirementResult, type RunResults, type Suite, type TestResult } from '../../src/engine/index.js';
import { projectRoot } from '../../src/harness.js';
import { seedResources } from '../../simulators/measure-source/index.js';
import { startPlainServer, type PlainServer, type PlainServerOptions } from '../stand-ins/plain-fhir-server.js';

const base = defaultConfig().config;
const suiteById = (id: string): Suite<object> => suites.find((s) => s.id === id)!;

/** Runs a suite (or the tests of it whose title matches) against a stand-in started with `options`, then stops it. */
async function runAgainst(suiteId: string, options: PlainServerOptions, claim: { options?: string[]; only?: RegExp } = {}): Promise<RunResults & { server: PlainServer }> {
  const whole = suiteById(suiteId);
  const suite = claim.only ? { ...whole, tests: whole.tests.filter((t) => claim.only!.test(t.title)) } : whole;
  const server = await startPlainServer(options);
  try {
    const sut = { name: 'plain FHIR server', baseUrl: server.baseUrl, ...(claim.options ? { options: claim.options } : {}) };
    const results = await runSuites({ suites: [suite], catalogue: catalogue(), plan: (s) => planFor(s, { ...base, sut } as typeof base) });
    return { ...results, server };
  } finally {
    await server.close();
  }
}

function requirement(results: RunResults, id: string): RequirementResult {
  const found = results.requirements.find((r) => r.id === id);
  if (!found) throw new Error(`${id} is not in the results`);
  return found;
}

const verdictOf = (results: RunResults, id: string) => requirement(results, id).verdict;
const verdicts = (results: RunResults, ids: readonly string[]) => Object.fromEntries(ids.map((id) => [id, verdictOf(results, id)]));
const testTitled = (results: RunResults, start: string): TestResult => results.tests.find((t) => t.title.startsWith(start))!;

/** The project's SANER fixtures, as a server loaded with them holds them. */
const sourceSeed = (): Resource[] => seedResources();
/** The same, with one MeasureReport other than the one the suite is built around breaking PublicHealthMeasureReport (a date without a time). */
const BROKEN = 'beds-newark-2020-04-01';
const brokenSeed = (): Resource[] => sourceSeed().map((r) => (r.id === BROKEN ? ({ ...r, date: '2020-04-02' } as MeasureReport) : r));

describe('fhir-core against a plain server', () => {
  let honest: RunResults;
  beforeAll(async () => {
    honest = await runAgainst('fhir-core/fhir-server', { seed: sourceSeed() });
  }, 120_000);

  it('passes a JSON-only server that lists json alone: FHIR makes XML a SHOULD', () => {
    expect(verdicts(honest, ['FHIR-CAP-003', 'FHIR-FMT-002', 'FHIR-FMT-001', 'FHIR-FMT-003', 'FHIR-FMT-005', 'FHIR-HTTP-001'])).toEqual({
      'FHIR-CAP-003': 'pass',
      'FHIR-FMT-002': 'pass',
      'FHIR-FMT-001': 'pass',
      'FHIR-FMT-003': 'pass',
      'FHIR-FMT-005': 'pass',
      'FHIR-HTTP-001': 'pass',
    });
    const accept = testTitled(honest, 'Accept selects the response format');
    expect(accept.evidence.filter((e) => e.kind === 'note').map((e) => (e.kind === 'note' ? e.text : ''))).toContain(
      'CapabilityStatement.format does not list xml, so nothing is asked for in XML (FHIR makes supporting both formats a SHOULD)',
    );
  });

  it('fails FHIR-CAP-003 for a server that serves XML but lists json alone, saying what it saw', async () => {
    const results = await runAgainst('fhir-core/fhir-server', { seed: sourceSeed(), formats: ['json', 'xml'], capability: { format: ['json'] } }, { only: /^CapabilityStatement lists the formats/ });
    expect(verdictOf(results, 'FHIR-CAP-003')).toBe('fail');
    expect(requirement(results, 'FHIR-CAP-003').reason).toMatch(
      /^Accept: application\/fhir\+xml answered 200 in XML, but CapabilityStatement\.format \["json"\] does not list xml; expected every format served to be listed/,
    );
  });

  it('fails FHIR-FMT-002 and FHIR-CAP-003 for a server that lists xml it cannot serve', async () => {
    const results = await runAgainst('fhir-core/fhir-server', { seed: sourceSeed(), capability: { format: ['json', 'xml'] } }, { only: /^(CapabilityStatement lists the formats|Accept selects)/ });
    expect(verdicts(results, ['FHIR-FMT-002', 'FHIR-CAP-003', 'FHIR-FMT-001'])).toEqual({ 'FHIR-FMT-002': 'fail', 'FHIR-CAP-003': 'fail', 'FHIR-FMT-001': 'pass' });
    expect(requirement(results, 'FHIR-FMT-002').reason).toMatch(/^Accept: application\/fhir\+xml answered 406 Not Acceptable; expected 200 OK in XML, which the CapabilityStatement lists/);
  });

  it('judges FHIR-HTTP-004 on error answers: with an OperationOutcome it passes, without one it warns', async () => {
    expect(verdictOf(honest, 'FHIR-HTTP-004')).toBe('pass');
    const bare = await runAgainst('fhir-core/fhir-server', { seed: sourceSeed(), bareErrors: true }, { only: /^an error answer/ });
    expect(verdictOf(bare, 'FHIR-HTTP-004')).toBe('warning');
    expect(requirement(bare, 'FHIR-HTTP-004').reason).toMatch(
      /^1 of 1 do not \(GET \S+\/MeasureReport\/measure-conformance-no-such-id answered 404 with an empty body\); expected every one: the error answers carry an OperationOutcome/,
    );
  });
});

describe('Query Measure Source against a plain server holding a report that breaks the profile', () => {
  let results: RunResults;
  beforeAll(async () => {
    results = await runAgainst('saner/query-measure/measure-source', { seed: brokenSeed() }, { options: ['Pull'] });
  }, 180_000);

  it('passes the reads and searches that answered correctly, and fails the content row with the validation issue', () => {
    const interactions = ['SANER-QM-SRC-001', 'SANER-QM-SRC-011', 'SANER-QM-SRC-012', 'SANER-QM-SRC-013', 'SANER-QM-SRC-028', 'SANER-QM-SRC-043', 'SANER-QM-PG-012', 'SANER-QM-PG-013'];
    expect(verdicts(results, interactions)).toEqual(Object.fromEntries(interactions.map((id) => [id, 'pass'])));
    expect(verdictOf(results, 'SANER-QM-SRC-010')).toBe('fail');
    expect(requirement(results, 'SANER-QM-SRC-010').reason).toMatch(new RegExp(`^MeasureReport/${BROKEN} against \\S+PublicHealthMeasureReport has 1 validation error: MeasureReport\\.date: `));
    // Locations and Organizations without narrative (dom-6) are valid R4: a note, not a verdict.
    const base = testTitled(results, 'every Location and Organization served is valid R4');
    expect(base.verdict).toBe('pass');
  });

  it('decides the _format and Accept rows in JSON, the format it lists, and charges XML to its own format row', () => {
    expect(verdicts(results, ['SANER-QM-PG-002', 'SANER-QM-PG-004', 'SANER-QM-PG-006', 'SANER-QM-FMT-001', 'SANER-QM-FMT-002'])).toEqual({
      'SANER-QM-PG-002': 'pass',
      'SANER-QM-PG-004': 'pass',
      'SANER-QM-PG-006': 'pass',
      'SANER-QM-FMT-001': 'pass',
      'SANER-QM-FMT-002': 'fail',
    });
    expect(requirement(results, 'SANER-QM-FMT-002').reason).toMatch(/^Accept: application\/fhir\+xml: GET \S+\/MeasureReport\?_count=1 answered 406 Not Acceptable; expected 200 OK/);
    // The precedence test asks with the SHALL values only.
    const precedence = testTitled(results, '_format wins over Accept');
    expect(precedence.evidence.flatMap((e) => (e.kind === 'http' ? [decodeURIComponent(e.exchange.url)] : []))).toEqual(
      expect.arrayContaining([expect.stringContaining('_format=application/fhir+json')]),
    );
  });

  it('leaves SANER-QM-PG-009 undecided with 42 matches in one page, and SANER-QM-PG-020 unused (MAY)', () => {
    expect(requirement(results, 'SANER-QM-PG-009')).toMatchObject({ verdict: 'skip' });
    expect(requirement(results, 'SANER-QM-PG-009').reason).toMatch(
      /^the search by measure matched 42 reports, answered in one page: with no more than 100 matches a bounded page cannot be told from an unbounded one/,
    );
    expect(requirement(results, 'SANER-QM-PG-020').reason).toMatch(/^not used \(MAY\): /);
  });

  it('fails paging without next links, saying what the page held', () => {
    expect(verdictOf(results, 'SANER-QM-PG-008')).toBe('fail');
    expect(requirement(results, 'SANER-QM-PG-008').reason).toMatch(/^the page holds 2 of 42 matches and has no next link; expected a next link to the rest/);
  });
});

describe('the _format and Accept rows sample every type the transaction serves', () => {
  const FORMAT_ROWS = ['SANER-QM-PG-002', 'SANER-QM-PG-004', 'SANER-QM-PG-005', 'SANER-QM-PG-007'];
  const formatTests = /_format|Accept/;

  it('passes a server that answers JSON and XML as asked on every type', async () => {
    const results = await runAgainst('saner/query-measure/measure-source', { seed: sourceSeed(), formats: ['json', 'xml'] }, { options: ['Pull'], only: formatTests });
    expect(verdicts(results, FORMAT_ROWS)).toEqual(Object.fromEntries(FORMAT_ROWS.map((id) => [id, 'pass'])));
    // Every type was asked, by read and by search.
    const asked = testTitled(results, '_format with a FHIR media type').evidence.flatMap((e) => (e.kind === 'http' ? [new URL(e.exchange.url).pathname.split('/').slice(-2).join('/')] : []));
    for (const type of ['MeasureReport', 'Measure', 'Location', 'Organization']) {
      expect(asked.some((p) => p.startsWith(`${type}/`))).toBe(true);
      expect(asked.some((p) => p.endsWith(`/${type}`))).toBe(true);
    }
  }, 120_000);

  it('fails SANER-QM-PG-002 and PG-004 for a server that negotiates the format of MeasureReport alone, naming the type', async () => {
    const results = await runAgainst(
      'saner/query-measure/measure-source',
      { seed: sourceSeed(), formats: ['json', 'xml'], negotiatedTypes: ['MeasureReport'] },
      { options: ['Pull'], only: formatTests },
    );
    expect(verdicts(results, ['SANER-QM-PG-002', 'SANER-QM-PG-004'])).toEqual({ 'SANER-QM-PG-002': 'fail', 'SANER-QM-PG-004': 'fail' });
    expect(requirement(results, 'SANER-QM-PG-002').reason).toMatch(/^_format=application\/fhir\+xml: Content-Type is application\/fhir\+json; charset=utf-8; expected application\/fhir\+xml/);
    const failed = testTitled(results, '_format with a FHIR media type').assertions.filter((a) => !a.passed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => !/\/MeasureReport\b/.test(a.message))).toBe(true);
  }, 120_000);

  it('fails SANER-QM-PG-007 (and warns under the SHOULD of PG-005) for a server whose Accept ignores a value _format takes, answering 200 in the other format', async () => {
    const results = await runAgainst('saner/query-measure/measure-source', { seed: sourceSeed(), formats: ['json', 'xml'], acceptFhirTypesOnly: true }, { options: ['Pull'], only: formatTests });
    expect(verdicts(results, ['SANER-QM-PG-002', 'SANER-QM-PG-004', 'SANER-QM-PG-005', 'SANER-QM-PG-007'])).toEqual({
      'SANER-QM-PG-002': 'pass',
      'SANER-QM-PG-004': 'pass',
      'SANER-QM-PG-005': 'warning',
      'SANER-QM-PG-007': 'fail',
    });
    expect(requirement(results, 'SANER-QM-PG-007').reason).toMatch(
      /^_format=xml answered XML, and Accept: xml: Content-Type is application\/fhir\+json; charset=utf-8; expected application\/fhir\+xml \(/,
    );
  }, 120_000);
});

describe('SANER-QM-PG-009 is decided only with more matches than a page holds', () => {
  /** 130 reports of one measure: more than the recommended page of 100. */
  const many = (): Resource[] => {
    const seed = sourceSeed();
    const report = seed.find((r): r is MeasureReport => r.id === 'beds-camden-2020-04-01')!;
    return [...seed, ...Array.from({ length: 88 }, (_, i) => ({ ...report, id: `beds-extra-${i}` }))];
  };
  const paging = { options: ['Pull'], only: /without _count answers a bounded page/ };

  it('passes a server paging by 100 and warns about an unbounded one or one paging by 10', async () => {
    const bounded = await runAgainst('saner/query-measure/measure-source', { seed: many(), pageSize: 100 }, paging);
    expect(verdictOf(bounded, 'SANER-QM-PG-009')).toBe('pass');
    const unbounded = await runAgainst('saner/query-measure/measure-source', { seed: many() }, paging);
    expect(verdictOf(unbounded, 'SANER-QM-PG-009')).toBe('warning');
    expect(requirement(unbounded, 'SANER-QM-PG-009').reason).toMatch(/^without _count the answer holds all 130 matches in one page; expected a bounded page \(100 recommended\)/);
    const small = await runAgainst('saner/query-measure/measure-source', { seed: sourceSeed(), pageSize: 10 }, paging);
    expect(requirement(small, 'SANER-QM-PG-009').reason).toMatch(/^without _count the first page holds 10 of 42 matches, with a next link; expected pages of 100, the recommended default/);
  });
});

describe('_content is probed with words of the content, never of meta', () => {
  const measure = JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'saner', 'measure-bed-capacity.json'), 'utf8')) as Measure;
  const only = { options: ['Pull'], only: /^Measure search by _content/ };
  const others = () => sourceSeed().filter((r) => r.resourceType !== 'Measure');

  it('finds no probe word in Measures that differ only in meta, and probes a content word where the content differs', async () => {
    const twins: Measure[] = [
      { ...measure, id: 'twin-a', meta: { versionId: 'Aardvarkversion', source: 'urn:Aardvarksource' } },
      { ...measure, id: 'twin-b', meta: { versionId: 'Buffaloversion', source: 'urn:Buffalosource' } },
    ];
    const same = await runAgainst('saner/query-measure/measure-source', { seed: [...others(), ...twins] }, only);
    const test = same.tests[0]!;
    expect(test.verdict).toBe('skip');
    expect(test.reason).toBe('no word tells the Measures the SUT holds apart, so a text search cannot be judged');
    const differ: Measure[] = [twins[0]!, { ...twins[1]!, title: 'Zebracrossing census', description: 'Zebracrossing census' }];
    const probed = await runAgainst('saner/query-measure/measure-source', { seed: [...others(), ...differ] }, only);
    const words = probed.server.requests.flatMap((r) => (r.query.includes('_content=') ? [new URLSearchParams(r.query).get('_content')] : []));
    expect(words).toHaveLength(1);
    expect(words[0]).not.toMatch(/Aardvark|Buffalo/);
    expect(JSON.stringify({ ...differ[1], meta: undefined }).toLowerCase()).toContain(words[0]!.toLowerCase());
  });
});

describe('Produce Measure Consumer against a plain server', () => {
  const measure = JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'saner', 'measure-bed-capacity.json'), 'utf8')) as Measure;
  const consumer = (extra: PlainServerOptions = {}): PlainServerOptions => ({
    types: ['MeasureReport', 'Measure', 'Location', 'Organization', 'Patient', 'Observation'],
    batch: true,
    seed: [measure],
    ...extra,
  });
  const claim = { options: ['Push', 'SupplementalData'] };
  let plain: RunResults;
  beforeAll(async () => {
    plain = await runAgainst('saner/produce-measure/measure-consumer', consumer(), claim);
  }, 180_000);

  it('passes the JSON pushes of a JSON-only server and fails the XML format row alone', () => {
    expect(verdicts(plain, ['SANER-PM-CON-002', 'SANER-PM-CON-003', 'SANER-PM-PG-002', 'SANER-PM-PG-003', 'SANER-PM-PG-007', 'SANER-PM-FMT-001', 'SANER-PM-FMT-002'])).toEqual({
      'SANER-PM-CON-002': 'pass',
      'SANER-PM-CON-003': 'pass',
      'SANER-PM-PG-002': 'pass',
      'SANER-PM-PG-003': 'pass',
      'SANER-PM-PG-007': 'pass',
      'SANER-PM-FMT-001': 'pass',
      'SANER-PM-FMT-002': 'fail',
    });
    expect(requirement(plain, 'SANER-PM-FMT-002').reason).toMatch(/^POST MeasureReport in XML answered 406 Not Acceptable; expected 200 OK, 201 Created or 204 No Content/);
  });

  it('passes the XML format row for a server that stores XML as sent', async () => {
    const both = await runAgainst('saner/produce-measure/measure-consumer', consumer({ formats: ['json', 'xml'] }), { ...claim, only: /pushed in XML/ });
    expect(verdictOf(both, 'SANER-PM-FMT-002')).toBe('pass');
    expect(both.tests[0]!.assertions.map((a) => a.message)).toContainEqual(
      expect.stringMatching(/^MeasureReport\/\d+ created in XML reads back as sent \(status, measure, period, subject, reporter and 4 population counts\)$/),
    );
  });

  it('charges storing invalid reports to the refusal rows, and judges FHIR-HTTP-004 on error answers only', () => {
    expect(verdicts(plain, ['SANER-PM-CON-001', 'FHIR-HTTP-010', 'FHIR-HTTP-013', 'FHIR-HTTP-004'])).toEqual({
      'SANER-PM-CON-001': 'fail',
      'FHIR-HTTP-010': 'warning',
      'FHIR-HTTP-013': 'warning',
      'FHIR-HTTP-004': 'pass',
    });
    expect(requirement(plain, 'FHIR-HTTP-010').reason).toMatch(/^POST measurereport-invalid-missing-status\.json answered 201 Created; expected a refusal \(4xx\)/);
    const accepted = testTitled(plain, 'a SANER profile violation is refused');
    expect(accepted.undecided).toEqual([{ requirement: 'FHIR-HTTP-004', reason: 'no error answer to judge: POST measurereport-invalid-profile-date.json in JSON answered 201 Created' }]);
  });

  it('warns about errors without an OperationOutcome', async () => {
    const bare = await runAgainst('saner/produce-measure/measure-consumer', consumer({ bareErrors: true }), { ...claim, only: /^a body that does not parse/ });
    expect(verdictOf(bare, 'FHIR-HTTP-004')).toBe('warning');
    expect(requirement(bare, 'FHIR-HTTP-004').reason).toMatch(
      /^POST of broken JSON \(measurereport-invalid-broken\.json\) answered 400 Bad Request with an empty body; expected an OperationOutcome saying why/,
    );
  });

  it("passes SANER for a 200 to a create and fails FHIR's 201 under FHIR-HTTP-005 alone", async () => {
    const ok200 = await runAgainst('saner/produce-measure/measure-consumer', consumer({ createStatus: 200 }), { ...claim, only: /^a (report created with POST|create answers 201)/ });
    expect(verdicts(ok200, ['SANER-PM-PG-003', 'SANER-PM-CON-002', 'FHIR-HTTP-005', 'FHIR-HTTP-008'])).toEqual({
      'SANER-PM-PG-003': 'pass',
      'SANER-PM-CON-002': 'pass',
      'FHIR-HTTP-005': 'fail',
      'FHIR-HTTP-008': 'pass',
    });
    expect(requirement(ok200, 'FHIR-HTTP-005').reason).toMatch(/^POST \S+\/MeasureReport answered 200 OK; expected 201 Created/);
  });

  it('requires the version in Location', async () => {
    expect(verdictOf(plain, 'FHIR-HTTP-005')).toBe('pass');
    const unversioned = await runAgainst('saner/produce-measure/measure-consumer', consumer({ versionedLocation: false }), { ...claim, only: /^a create answers 201/ });
    expect(verdictOf(unversioned, 'FHIR-HTTP-005')).toBe('fail');
    expect(requirement(unversioned, 'FHIR-HTTP-005').reason).toMatch(
      /^Location is \S+\/MeasureReport\/\d+, without the id and \/_history\/\[vid\]; expected \[base\]\/MeasureReport\/\[id\]\/_history\/\[vid\]/,
    );
  });

  it('fails FHIR-HTTP-008 for a server that keeps the id of a POST, and passes one that chooses its own', async () => {
    expect(verdictOf(plain, 'FHIR-HTTP-008')).toBe('pass');
    const keeps = await runAgainst('saner/produce-measure/measure-consumer', consumer({ keepClientId: true }), { ...claim, only: /^a create answers 201/ });
    expect(verdicts(keeps, ['FHIR-HTTP-005', 'FHIR-HTTP-008'])).toEqual({ 'FHIR-HTTP-005': 'pass', 'FHIR-HTTP-008': 'fail' });
    expect(requirement(keeps, 'FHIR-HTTP-008').reason).toMatch(/^the server kept the id chosen-by-the-client-[0-9a-f]{8} from the body; expected an id of its own/);
    expect(testTitled(plain, 'a create answers 201').assertions.find((a) => a.requirement === 'FHIR-HTTP-008')?.message).toMatch(
      /^the server chose its own id \(\d+\), ignoring chosen-by-the-client-[0-9a-f]{8} in the body$/,
    );
  });

  it('judges the Measures the Consumer serves of its own under SANER-CSVPUSH-CON-001, not one a run wrote', async () => {
    const { extension: _dropped, ...noPeriod } = measure;
    const own: Measure = { ...noPeriod, id: 'own-measure', url: 'http://example.org/Measure/own' };
    const only = { options: ['Push', 'CSV'], only: /^every Measure the Consumer serves/ };
    const broken = await runAgainst('saner/produce-measure/measure-consumer', consumer({ seed: [measure, own] }), only);
    expect(verdictOf(broken, 'SANER-CSVPUSH-CON-001')).toBe('fail');
    expect(requirement(broken, 'SANER-CSVPUSH-CON-001').reason).toMatch(/^Measure\/own-measure against \S+PublicHealthMeasure has \d+ validation errors?: /);
    const written: Measure = { ...own, meta: { tag: [runTag('20260101t000000z-0badc0de')] } };
    const tagged = await runAgainst('saner/produce-measure/measure-consumer', consumer({ seed: [measure, written] }), only);
    expect(verdictOf(tagged, 'SANER-CSVPUSH-CON-001')).toBe('pass');
    expect(tagged.tests[0]!.evidence.some((e) => e.kind === 'note' && e.text === 'not judged, written by a measure-conformance run: Measure/own-measure')).toBe(true);
  });

  it('passes a batch whose report points outside it, stored or refused on its own, and fails one refused as a whole', async () => {
    const sd = ['SANER-SD-CON-001', 'SANER-SD-PG-001', 'SANER-SD-PG-003'];
    expect(verdicts(plain, sd)).toEqual({ 'SANER-SD-CON-001': 'pass', 'SANER-SD-PG-001': 'pass', 'SANER-SD-PG-003': 'pass' });
    const only = { ...claim, only: /^a batch whose report references/ };
    const refusesReport = await runAgainst('saner/produce-measure/measure-consumer', consumer({ batchReferences: 'refuse-report' }), only);
    expect(verdicts(refusesReport, ['SANER-SD-PG-001', 'SANER-SD-PG-003'])).toEqual({ 'SANER-SD-PG-001': 'pass', 'SANER-SD-PG-003': 'pass' });
    const refusesAll = await runAgainst('saner/produce-measure/measure-consumer', consumer({ batchReferences: 'refuse-all' }), only);
    expect(verdicts(refusesAll, ['SANER-SD-PG-001', 'SANER-SD-PG-003'])).toEqual({ 'SANER-SD-PG-001': 'pass', 'SANER-SD-PG-003': 'fail' });
    expect(requirement(refusesAll, 'SANER-SD-PG-003').reason).toMatch(
      /^2 of 2 do not \(entry 1 answered 422 Unprocessable Entity; entry 2 answered 422 Unprocessable Entity\); expected every one: the valid entries beside the report were processed on their own \(200 or 201\)/,
    );
  });
});
