import { afterAll, describe, expect, it } from 'vitest';
import type { Patient, Resource } from 'fhir/r4.js';
import suite from '../../suites/saner/compute-measure/data-source.js';
import { DATA_SOURCE_ROWS } from '../../suites/saner/compute-measure/data-source-searches.js';
import { DATA_SET_DEFAULTS } from '../../suites/saner/compute-measure/data-source-setup.js';
import { catalogue } from '../../ig/index.js';
import { DATA_SOURCE_CM } from '../../ig/saner/capabilities.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor } from '../../src/cli/selection.js';
import { runSuites, type DataSetChoice, type RunResults, type Suite, type TestResult } from '../../src/engine/index.js';
import { WriteLog } from '../../src/engine/writes.js';
import { computeFixtures, generateDataSet } from '../../simulators/data-source/index.js';
import { startClinicalServer, type ClinicalServer, type ClinicalServerOptions } from '../stand-ins/clinical-data-server.js';

const dataSourceSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;
const RETURNS_DATA = 'SANER-CM-PG-003';

const dsRows = () =>
  catalogue()
    .all()
    .filter((r) => r.id.startsWith('SANER-CM-DS-'));
const verdicts = (results: RunResults, verdict: string) =>
  results.requirements
    .filter((r) => r.verdict === verdict)
    .map((r) => r.id)
    .sort();
const byTitle = (results: RunResults): Map<string, TestResult> => new Map(results.tests.map((t) => [t.title, t]));
/** A request that changes what the server holds (a POST _search does not). */
const writing = (request: string) => !request.startsWith('GET ') && !/^POST \S+\/_search\b/.test(request);
const VALUE_SET_TEST = 'searches with :in return exactly the records coded from the value set';

function onReference(faults: string[] = []): Promise<RunResults> {
  return runSuites({ suites: [dataSourceSuite], catalogue: catalogue(), plan: (s) => planFor(s, { ...base, sut: undefined }, faults) });
}

/** The data set with the fixtures the suite loads beside it, as a SUT holding it would. */
function dataSetResources(choice: { patients: number; seed: number }): Resource[] {
  return [...computeFixtures().filter((r) => ['Organization', 'Location', 'ValueSet'].includes(r.resourceType)), ...generateDataSet(choice).resources];
}

const servers: ClinicalServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.close())));

async function onStandIn(options: ClinicalServerOptions, run: { dataSet?: DataSetChoice; readOnly?: boolean } = {}): Promise<{ results: RunResults; server: ClinicalServer; log: WriteLog }> {
  const server = await startClinicalServer(options);
  servers.push(server);
  const log = new WriteLog('run-test');
  const results = await runSuites({
    suites: [dataSourceSuite],
    catalogue: catalogue(),
    plan: (s) => planFor(s, { ...base, sut: { name: 'clinical stand-in', baseUrl: server.baseUrl, ...(run.dataSet ? { dataSet: run.dataSet } : {}) } }),
    writes: { log, readOnly: run.readOnly ?? false },
  });
  return { results, server, log };
}

describe('SANER Compute Measure suite for the Data Source', () => {
  it('cites every SANER-CM-DS row a search decides, and keeps the rest with their reason', () => {
    const testable = dsRows()
      .filter((r) => !r.notTestedReason)
      .map((r) => r.id)
      .sort();
    expect(testable).toHaveLength(61);
    expect(DATA_SOURCE_ROWS.map((r) => r.id).sort()).toEqual(testable);
    const cited = new Set(dataSourceSuite.tests.flatMap((t) => t.requirements));
    expect(testable.filter((id) => !cited.has(id))).toEqual([]);
    expect(cited.has(RETURNS_DATA) && cited.has('SANER-PG-DS-001')).toBe(true);
  });

  it('passes against the reference Data Source, deciding every row of its CapabilityStatement but the ten R4 lacks', async () => {
    const results = await onReference();
    expect(results.tests.filter((t) => t.verdict !== 'pass').map((t) => `${t.title}: ${t.verdict} ${t.reason ?? ''}`)).toEqual([]);
    const own = results.requirements.filter((r) => r.capability === DATA_SOURCE_CM);
    // All 71 SANER-CM-DS rows are in the report, with the page and metadata rows of the same statement.
    expect(own.filter((r) => r.id.startsWith('SANER-CM-DS-'))).toHaveLength(71);
    expect(own.filter((r) => r.verdict !== 'pass').map((r) => [r.id, r.verdict, Boolean(r.notTestedReason)])).toEqual(
      dsRows()
        .filter((r) => r.notTestedReason)
        .map((r) => [r.id, 'not-tested', true]),
    );
    expect(own.filter((r) => r.verdict === 'pass')).toHaveLength(63);
    // The reference held the data set the suite started it with, so nothing was loaded.
    expect(results.suites[0]!.setupEvidence?.filter((e) => e.kind === 'http').map((e) => (e.kind === 'http' ? e.exchange.method : ''))).not.toContain('PUT');
  }, 60_000);

  it.each([
    ['in-modifier-400', [RETURNS_DATA]],
    ['date-end-inclusive', ['SANER-CM-DS-009', RETURNS_DATA]],
    ['token-ignores-system', DATA_SOURCE_ROWS.filter((r) => r.parameter === 'code').map((r) => r.id)],
  ])(
    'under %s fails exactly its rows',
    async (fault, rows) => {
      const results = await onReference([fault]);
      expect(verdicts(results, 'fail')).toEqual([...rows].sort());
      expect(verdicts(results, 'warning')).toEqual([]);
    },
    60_000,
  );

  describe('against a FHIR server it loads the data set into', () => {
    it('passes on a server of its own making, and leaves it as found: its data set removed, a resource it held put back', async () => {
      const own: Patient = { resourceType: 'Patient', id: 'pat-000001', gender: 'unknown', birthDate: '1901-01-01' };
      const { results, server, log } = await onStandIn({ seed: [own] });
      expect(results.tests.filter((t) => t.verdict !== 'pass').map((t) => `${t.title}: ${t.verdict} ${t.reason ?? ''}`)).toEqual([]);
      expect(verdicts(results, 'pass')).toHaveLength(63);
      const writes = log.records();
      expect(writes.length).toBe(dataSetResources(DATA_SET_DEFAULTS).length);
      expect(writes.filter((w) => w.cleanup !== 'deleted').map((w) => `${w.type}/${w.id} ${w.cleanup}`)).toEqual(['Patient/pat-000001 restored']);
      expect([...server.store.values()]).toEqual([expect.objectContaining({ resourceType: 'Patient', id: 'pat-000001', birthDate: '1901-01-01' })]);
    }, 90_000);

    it('fails exactly the Encounter date row and the returned-data row on a server that ends date ranges inclusively', async () => {
      const { results } = await onStandIn({ dateEndInclusive: true });
      expect(verdicts(results, 'fail')).toEqual(['SANER-CM-DS-009', RETURNS_DATA]);
      expect(
        results.tests
          .filter((t) => t.verdict === 'fail')
          .map((t) => t.title)
          .sort(),
      ).toEqual([
        "ComputeCovidImpact's searches return exactly each population's members on every day",
        "Encounter search by a day's date range returns exactly the encounters overlapping it, its end excluded",
        'a search asked for pages of 25 returns every match once over its next links',
      ]);
    }, 90_000);

    it('fails exactly the returned-data row on a server that drops :in and answers as if it were not there', async () => {
      const { results } = await onStandIn({ inModifier: 'dropped' });
      expect(verdicts(results, 'fail')).toEqual([RETURNS_DATA]);
      expect(
        results.tests
          .filter((t) => t.verdict === 'fail')
          .map((t) => t.title)
          .sort(),
      ).toEqual(["ComputeCovidImpact's searches return exactly each population's members on every day", VALUE_SET_TEST]);
    }, 90_000);
  });

  describe('against a FHIR server that holds the data set already', () => {
    it("writes nothing, and judges a server that refuses :in without claiming it on the value sets' codes (SANER-CM-PG-004)", async () => {
      const { results, server, log } = await onStandIn({ inModifier: 'refused', seed: dataSetResources(DATA_SET_DEFAULTS) }, { dataSet: { ...DATA_SET_DEFAULTS, loaded: true }, readOnly: true });
      expect(log.records()).toEqual([]);
      expect(server.requests.filter(writing)).toEqual([]);
      const t = byTitle(results);
      expect(results.tests.filter((x) => x.verdict !== 'pass').map((x) => x.title)).toEqual([VALUE_SET_TEST]);
      expect([t.get(VALUE_SET_TEST)?.verdict, t.get(VALUE_SET_TEST)?.reason]).toEqual(['skip', expect.stringContaining("a Measure Computer sends the value set's codes instead (SANER-CM-PG-004)")]);
      expect(results.requirements.find((r) => r.id === RETURNS_DATA)?.verdict).toBe('pass');
      expect(t.get("ComputeCovidImpact's searches return exactly each population's members on every day")?.evidence).toContainEqual(
        expect.objectContaining({ kind: 'note', text: expect.stringMatching(/answered 400 Bad Request .*sent again with each value set's codes/) }),
      );
    }, 90_000);

    it('skips every test, saying why, when the SUT said to hold it holds another', async () => {
      const { results, log } = await onStandIn({ seed: dataSetResources({ patients: 30, seed: 2 }) }, { dataSet: { ...DATA_SET_DEFAULTS, loaded: true } });
      expect(log.records()).toEqual([]);
      expect(new Set(results.tests.map((t) => t.verdict))).toEqual(new Set(['skip']));
      expect(results.tests[0]!.reason).toMatch(
        /^sut\.dataSet\.loaded says the SUT holds the Compute Measure data set of 50 patients with seed 1, but GET \[base\]\/Patient\/pat-000050 answered 404 Not Found: load that data set, or name the patients and seed of the one it holds$/,
      );
      // As many patients, another seed: the sample read back tells them apart.
      const other = await onStandIn({ seed: dataSetResources({ patients: 50, seed: 2 }) }, { dataSet: { ...DATA_SET_DEFAULTS, loaded: true } });
      expect(new Set(other.results.tests.map((t) => t.verdict))).toEqual(new Set(['skip']));
      expect(other.results.tests[0]!.reason).toMatch(/^sut\.dataSet\.loaded says the SUT holds the Compute Measure data set of 50 patients with seed 1, but GET \[base\]\/\w+\/[\w-]+ (has|lacks) /);
    }, 60_000);
  });

  it('skips every test, saying why, on a read-only SUT that does not hold the data set, and writes nothing', async () => {
    const { results, server, log } = await onStandIn({}, { readOnly: true });
    expect(log.records()).toEqual([]);
    expect(server.requests.filter(writing)).toEqual([]);
    expect(new Set(results.tests.map((t) => t.verdict))).toEqual(new Set(['skip']));
    expect(new Set(results.tests.map((t) => t.reason))).toEqual(
      new Set([
        'the SUT does not hold the Compute Measure data set of 50 patients with seed 1, and this run may not write to it (--read-only): load that data set into it and set sut.dataSet.loaded: true, or run without --read-only',
      ]),
    );
  }, 60_000);

  it('skips every test, saying why, on a SUT that takes no client-chosen ids', async () => {
    const { results, server } = await onStandIn({ refuseClientIds: true });
    expect(new Set(results.tests.map((t) => t.verdict))).toEqual(new Set(['skip']));
    expect(results.tests[0]!.reason).toMatch(
      /^the SUT took none of the Compute Measure data set of 50 patients with seed 1: PUT \[base\]\/\w+\/[\w-]+ answered 405 Method Not Allowed \(ids are chosen by the server: create with POST\); load it another way and set sut\.dataSet\.loaded: true$/,
    );
    expect(server.store.size).toBe(0);
  }, 60_000);
});
