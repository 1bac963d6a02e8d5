// The FHIR-core suite against the real server core: green when clean, and each test fails (or,
// for a SHOULD, warns) under the fault mode it names as its negative control.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import coreSuite from '../../suites/fhir-core/fhir-server.js';
import { requirements } from '../../ig/fhir-core/requirements.js';
import { RequirementCatalogue } from '../../src/engine/catalogue.js';
import { runSuites } from '../../src/engine/runner.js';
import { defineSuite, type Fixture, type Suite } from '../../src/engine/suite.js';
import type { RunResults } from '../../src/engine/results.js';
import { startFhirServer, type RunningFhirServer, type ServerDeclaration } from '../../src/fhir/server/index.js';
import { searchParamsFor } from '../../src/fhir/search/search-param-def.js';

const catalogue = new RequirementCatalogue(requirements);

const declaration: ServerDeclaration = {
  name: 'CoreSuiteTarget',
  title: 'Target of the FHIR-core suite',
  canonicalBase: 'http://example.org/fhir',
  fhirVersion: '4.0.1',
  resources: [
    { type: 'MeasureReport', interactions: ['read', 'search-type', 'create'], searchParams: ['_id', 'measure'] },
    { type: 'Location', interactions: ['read', 'search-type'], searchParams: ['_id'] },
  ],
  searchParamDefs: searchParamsFor(['MeasureReport', 'Location']),
  operations: [],
  validateOnWrite: { base: true, profiles: false },
  faults: [],
};

const report: MeasureReport = {
  resourceType: 'MeasureReport',
  status: 'complete',
  type: 'summary',
  measure: 'http://example.org/fhir/Measure/beds',
  period: { start: '2020-04-01', end: '2020-04-01' },
  group: [{ population: [{ count: 4 }] }],
};

async function serverWith(faults: string[]): Promise<RunningFhirServer> {
  const server = await startFhirServer({ declaration, basePath: '/fhir', faults });
  await server.store.create(report);
  return server;
}

async function runAgainst(server: RunningFhirServer, suite: Suite<Fixture>): Promise<RunResults> {
  return runSuites({ suites: [suite], catalogue, plan: () => ({ target: { baseUrl: server.url } }) });
}

const suite = coreSuite as unknown as Suite<Fixture>;

describe('FHIR-core suite against the clean server core', () => {
  let server: RunningFhirServer;
  let results: RunResults;
  beforeAll(async () => {
    server = await serverWith([]);
    results = await runAgainst(server, suite);
  });
  afterAll(() => server.close());

  it('every test passes', () => {
    expect(results.tests.map((t) => `${t.title}: ${t.verdict}${t.reason ? ` (${t.reason})` : ''}`)).toEqual(results.tests.map((t) => `${t.title}: pass`));
    expect(results.overall).toBe('pass');
  });

  it('every cited requirement is in the core catalogue and passes', () => {
    const cited = new Set(suite.tests.flatMap((t) => t.requirements));
    for (const r of results.requirements.filter((x) => cited.has(x.id))) expect([r.id, r.verdict]).toEqual([r.id, 'pass']);
  });
});

/** Faults that break only the SHOULD half of a test citing a SHALL and a SHOULD: a warning, not a fail. */
const breaksOnlyShould = new Set(['operation-outcome-missing']);

describe('FHIR-core suite negative controls', () => {
  for (const def of suite.tests) {
    it(`"${def.title}" does not pass under ${def.negativeControl}`, async () => {
      const server = await serverWith([def.negativeControl]);
      try {
        const only = defineSuite({ ...suite, tests: [def] });
        const results = await runAgainst(server, only);
        const result = results.tests[0]!;
        const allShould = def.requirements.every((id) => catalogue.get(id)!.expectation !== 'SHALL');
        const expected = allShould || breaksOnlyShould.has(def.negativeControl) ? 'warning' : 'fail';
        expect([result.verdict, result.reason]).toEqual([expected, expect.any(String)]);
      } finally {
        await server.close();
      }
    });
  }
});
