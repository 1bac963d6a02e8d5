/**
 * Reference Measure Source (SANER Query Measure, server side): serves Measure, MeasureReport,
 * Location and Organization for read and search, seeded from the project's fixtures.
 */
import type { ServerDeclaration } from '../../src/fhir/server/index.js';
import { coreFaults, startFhirServer } from '../../src/fhir/server/index.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { searchParamsFor } from '../../src/fhir/search/search-param-def.js';
import { fixtureResources } from '../fixtures.js';
import type { Simulator } from '../simulator.js';

const TYPES = ['Measure', 'MeasureReport', 'Location', 'Organization'];

export const declaration: ServerDeclaration = {
  name: 'MeasureSourceSimulator',
  title: 'measure-conformance reference Measure Source',
  canonicalBase: 'urn:measure-conformance',
  fhirVersion: '4.0.1',
  resources: [
    {
      type: 'MeasureReport',
      interactions: ['read', 'vread', 'search-type'],
      searchParams: ['_id', '_lastUpdated', 'measure', 'date', 'period', 'subject', 'reporter', 'status'],
      searchInclude: ['*'],
    },
    {
      type: 'Measure',
      interactions: ['read', 'vread', 'search-type'],
      searchParams: ['_id', '_lastUpdated', 'url', 'title', 'code', 'definition-text'],
      searchInclude: ['*'],
    },
    { type: 'Location', interactions: ['read', 'vread', 'search-type'], searchParams: ['_id', 'name', 'identifier', 'near'], searchInclude: ['*'] },
    { type: 'Organization', interactions: ['read', 'vread', 'search-type'], searchParams: ['_id', 'name', 'identifier'], searchInclude: ['*'] },
  ],
  searchParamDefs: searchParamsFor(TYPES),
  operations: [],
  validateOnWrite: { base: true, profiles: true },
  faults: [],
};

export const measureSource: Simulator = {
  id: 'measure-source',
  title: declaration.title,
  plays: ['MeasureSource', 'FhirServer'],
  faultIds: () => [...coreFaults, ...declaration.faults].map((f) => f.id),
  async start(options = {}) {
    const store = ResourceStore.open({ path: options.storePath ?? ':memory:', searchParams: declaration.searchParamDefs });
    // A file-backed store keeps what it holds across restarts; seed only a new one.
    if (store.count() === 0) {
      store.transaction(() => {
        for (const r of fixtureResources('resources', TYPES)) store.create(r, r.id ? { id: r.id } : {});
      });
    }
    const server = await startFhirServer({
      declaration,
      store,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    });
    return {
      ...server,
      async close() {
        await server.close();
        store.close();
      },
    };
  },
};
