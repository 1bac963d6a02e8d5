// The engine end to end against the real server core: a compact suite citing the core FHIR
// requirements is green on the clean server, and each test fails (or, for a SHOULD, warns) under
// the server fault mode it names as its negative control.
import { describe, it, expect, beforeAll } from 'vitest';
import type { Bundle, CapabilityStatement } from 'fhir/r4.js';
import { requirements } from '../../ig/fhir-core/requirements.js';
import { RequirementCatalogue } from '../../src/engine/catalogue.js';
import { runSuites } from '../../src/engine/runner.js';
import { defineSuite, test, type Suite } from '../../src/engine/suite.js';
import type { RunResults } from '../../src/engine/results.js';
import { startFhirServer, type RunningFhirServer, type ServerDeclaration } from '../../src/fhir/server/index.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';

const catalogue = new RequirementCatalogue(requirements);

const declaration: ServerDeclaration = {
  name: 'EngineTarget',
  title: 'Target of the engine end-to-end test',
  canonicalBase: 'http://example.org/fhir',
  fhirVersion: '4.0.1',
  resources: [{ type: 'MeasureReport', interactions: ['read', 'search-type'], searchParams: ['_id', 'measure'] }],
  searchParamDefs: sanerSearchParamsFor(['MeasureReport']),
  operations: [],
  validateOnWrite: { base: true, profiles: false },
};

const suite = defineSuite({
  id: 'engine/e2e',
  title: 'Engine end to end',
  actorUnderTest: 'FhirServer',
  role: 'server',
  capabilities: [],
  tests: [
    test('metadata answers an R4 CapabilityStatement', {
      requirements: ['FHIR-CAP-001', 'FHIR-CAP-002'],
      negativeControl: 'metadata-wrong-fhir-version',
      async run(t) {
        const res = await t.sut.capabilities();
        t.expectStatus(res, 200, { requirement: 'FHIR-CAP-001' });
        const cs = res.resource<CapabilityStatement>();
        t.expectResourceType(cs, 'CapabilityStatement', { requirement: 'FHIR-CAP-001' });
        t.expectEqual(cs.fhirVersion, '4.0.1', 'CapabilityStatement.fhirVersion', { requirement: 'FHIR-CAP-002' });
      },
    }),
    test('Accept chooses XML, and the XML parses', {
      requirements: ['FHIR-FMT-001', 'FHIR-FMT-002'],
      negativeControl: 'ignore-format',
      async run(t) {
        const res = await t.sut.capabilities({ format: 'xml' });
        t.expectContentType(res, 'xml', { requirement: 'FHIR-FMT-002' });
        t.expectResourceType(res.resource(), 'CapabilityStatement', { requirement: 'FHIR-FMT-001' });
      },
    }),
    test('An unsupported format is refused with 406', {
      requirements: 'FHIR-FMT-004',
      negativeControl: 'no-406',
      async run(t) {
        t.expectStatus(await t.sut.capabilities({ accept: 'application/x-mc-unsupported' }), 406);
      },
    }),
    test('An unknown id answers 404 with an OperationOutcome', {
      requirements: ['FHIR-HTTP-002', 'FHIR-HTTP-004'],
      negativeControl: 'operation-outcome-missing',
      async run(t) {
        const res = await t.sut.read('MeasureReport', 'mc-unknown');
        t.expectStatus(res, 404, { requirement: 'FHIR-HTTP-002' });
        const body = res.tryResource();
        t.expect(body.ok && body.resource.resourceType === 'OperationOutcome', 'the error body is an OperationOutcome', { requirement: 'FHIR-HTTP-004' });
      },
    }),
    test('A search answers a searchset Bundle', {
      requirements: 'FHIR-HTTP-003',
      negativeControl: 'refuse-interaction:MeasureReport/search-type',
      async run(t) {
        const res = await t.sut.search('MeasureReport', { _id: 'mc-unknown' }, { method: 'POST' });
        t.expectStatus(res, 200);
        t.expectEqual(res.resource<Bundle>().type, 'searchset', 'Bundle.type');
      },
    }),
  ],
});

/** Faults that break only the SHOULD half of a test citing a SHALL and a SHOULD: a warning, not a fail. */
const expectedUnderFault: Record<string, 'fail' | 'warning'> = { 'no-406': 'warning', 'operation-outcome-missing': 'warning' };

async function runAgainst(faults: string[], s: Suite): Promise<RunResults> {
  const server: RunningFhirServer = await startFhirServer({ declaration, basePath: '/fhir', faults });
  try {
    return await runSuites({ suites: [s], catalogue, plan: () => ({ target: { baseUrl: server.url } }) });
  } finally {
    await server.close();
  }
}

describe('engine against the clean server core', () => {
  let results: RunResults;
  beforeAll(async () => {
    results = await runAgainst([], suite);
  });

  it('every test passes and the run is green', () => {
    expect(results.tests.map((t) => `${t.title}: ${t.verdict}${t.reason ? ` (${t.reason})` : ''}`)).toEqual(results.tests.map((t) => `${t.title}: pass`));
    expect(results.overall).toBe('pass');
  });

  it('keeps every exchange as evidence on its test', () => {
    const xml = results.tests.find((t) => t.title.startsWith('Accept'))!;
    const http = xml.evidence.filter((e) => e.kind === 'http');
    expect(http).toHaveLength(1);
    expect(http[0]).toMatchObject({ exchange: { method: 'GET', status: 200, requestHeaders: { accept: 'application/fhir+xml' } } });
  });
});

describe('engine negative controls on the server core', () => {
  for (const def of suite.tests) {
    it(`"${def.title}" does not pass under ${def.negativeControl}`, async () => {
      const results = await runAgainst([def.negativeControl], defineSuite({ ...suite, tests: [def] }));
      expect(results.tests[0]).toMatchObject({ verdict: expectedUnderFault[def.negativeControl] ?? 'fail', reason: expect.any(String) });
    });
  }
});
