// A small declaration and fixtures shared by the server core tests.
import type { FastifyInstance } from 'fastify';
import type { Location, MeasureReport, OperationOutcome, Parameters } from 'fhir/r4.js';
import type { HttpExchange } from '../../src/engine/results.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';
import { defineFaults } from '../../src/fhir/faults.js';
import { buildFhirApp, type ServerDeclaration, type ServerHooks } from '../../src/fhir/server/index.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { registerProfile } from '../../src/fhir/validation/profiles.js';

export const TEST_PROFILE = 'http://example.org/fhir/StructureDefinition/TestMeasureReport';

registerProfile({
  url: TEST_PROFILE,
  name: 'TestMeasureReport',
  resourceType: 'MeasureReport',
  rules: [
    { id: 'tmr-1', severity: 'error', expression: 'group.exists()', message: 'a test MeasureReport has at least one group' },
    {
      id: 'tmr-2',
      severity: 'error',
      context: 'group.population',
      expression: 'count.exists()',
      message: 'every population has a count',
    },
  ],
});

const TYPES = ['MeasureReport', 'Measure', 'Location', 'Organization'];

export const declaration: ServerDeclaration<'sim-specific'> = {
  name: 'TestServer',
  title: 'Server core test server',
  canonicalBase: 'http://example.org/fhir',
  fhirVersion: '4.0.1',
  instantiates: ['http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureSource-QueryMeasure-Pull'],
  resources: [
    {
      type: 'MeasureReport',
      interactions: ['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type'],
      searchParams: ['_id', 'measure', 'date', 'period', 'subject', 'reporter', '_lastUpdated', 'subject:identifier', 'measure.title', 'subject:Location.near'],
      profile: TEST_PROFILE,
      supportedProfiles: [TEST_PROFILE],
      updateCreate: true,
      conditionalUpdate: true,
      searchInclude: ['*'],
    },
    { type: 'Measure', interactions: ['read', 'search-type', 'create', 'update'], searchParams: ['_id', 'url', 'definition-text', '_text', 'code'] },
    { type: 'Location', interactions: ['read', 'search-type', 'create', 'update'], searchParams: ['_id', 'name', 'identifier'] },
    { type: 'Organization', interactions: ['read', 'search-type'], searchParams: ['_id', 'name', 'identifier'] },
  ],
  searchParamDefs: sanerSearchParamsFor(TYPES),
  searchParamUrls: { 'Measure.definition-text': 'http://hl7.org/fhir/uv/saner/SearchParameter/SearchParameter-definition-text' },
  operations: [
    {
      name: 'ping',
      level: ['system'],
      definition: 'http://example.org/fhir/OperationDefinition/ping',
      affectsState: false,
      async handler(req) {
        const out: Parameters = {
          resourceType: 'Parameters',
          parameter: [
            { name: 'level', valueString: req.level },
            { name: 'method', valueString: req.method },
            ...(req.params.parameter ?? []).map((p) => ({ name: `in-${p.name}`, valueString: p.valueString ?? JSON.stringify(p) })),
          ],
        };
        return { kind: 'resource', resource: out };
      },
    },
    {
      name: 'echo-csv',
      level: ['type'],
      resources: ['MeasureReport'],
      affectsState: true,
      acceptsMediaTypes: ['text/csv'],
      async handler(req) {
        if (req.body?.resource) return { kind: 'resource', resource: req.body.resource, status: 200 };
        return { kind: 'content', body: `got:${req.body?.text ?? ''}`, contentType: 'text/csv; charset=utf-8' };
      },
    },
    {
      name: 'summary',
      level: ['instance'],
      resources: ['MeasureReport'],
      affectsState: false,
      async handler(req) {
        const report = req.resource as MeasureReport;
        return {
          kind: 'resource',
          resource: {
            resourceType: 'Parameters',
            parameter: [
              { name: 'id', valueString: req.id ?? '' },
              { name: 'measure', valueString: report.measure },
              { name: 'groups', valueInteger: report.group?.length ?? 0 },
            ],
          },
        };
      },
    },
    {
      name: 'submit',
      level: ['type'],
      resources: ['MeasureReport'],
      affectsState: true,
      async handler(req) {
        return { kind: 'status', status: 202, headers: { 'content-location': `${req.baseUrl}/status/1` } };
      },
    },
  ],
  validateOnWrite: { base: true, profiles: true },
  faults: defineFaults([{ id: 'sim-specific', description: 'a simulator-specific fault handled by a hook' }]),
};

export function measureReport(overrides: Partial<MeasureReport> = {}): MeasureReport {
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: 'http://example.org/fhir/Measure/beds',
    date: '2020-04-02T10:00:00Z',
    period: { start: '2020-04-01', end: '2020-04-01' },
    subject: { reference: 'Location/loc-1' },
    group: [{ population: [{ code: { coding: [{ system: 'http://example.org/pop', code: 'numBeds' }] }, count: 120 }], measureScore: { value: 0.5 } }],
    ...overrides,
  };
}

export const location: Location = {
  resourceType: 'Location',
  id: 'loc-1',
  name: 'General Hospital',
  identifier: [{ system: 'http://example.org/hospitals', value: 'GH1' }],
};

export interface TestServer {
  app: FastifyInstance;
  store: ResourceStore;
  exchanges: HttpExchange[];
  close(): Promise<void>;
}

export async function testServer(
  options: {
    faults?: string[];
    auth?: { bearerToken?: string; protectMetadata?: boolean };
    bodyLimit?: number;
    hooks?: ServerHooks<'sim-specific'>;
    basePath?: string;
    captureLimit?: number;
    defaultCount?: number;
    onExchange?: (exchange: HttpExchange) => void;
  } = {},
): Promise<TestServer> {
  const store = ResourceStore.open({ path: ':memory:', searchParams: declaration.searchParamDefs });
  const exchanges: HttpExchange[] = [];
  const app = await buildFhirApp({ declaration, store, onExchange: (e) => exchanges.push(e), ...options });
  await app.ready();
  return {
    app,
    store,
    exchanges,
    async close() {
      await app.close();
      store.close();
    },
  };
}

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_XML = 'application/fhir+xml';

export function outcome(body: string): OperationOutcome {
  const parsed = JSON.parse(body) as OperationOutcome;
  if (parsed.resourceType !== 'OperationOutcome') throw new Error(`expected an OperationOutcome, got ${body.slice(0, 200)}`);
  return parsed;
}
