/**
 * Reference Measure Consumer (SANER Produce Measure, PUSH-TX, server side): accepts MeasureReport
 * create and update validated against base R4 and PublicHealthMeasureReport, serves them back for
 * read and search, takes CSV through `Measure/[id]/$report-csv` and Supplemental Data batches at
 * [base]; Measures, Locations and Organizations are seeded from the fixtures.
 */
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT, registerSanerProfiles } from '../../ig/saner/profiles.js';
import type { ResourceDeclaration, RunningFhirServer, ServerDeclaration } from '../../src/fhir/server/index.js';
import { coreFaults, startFhirServer } from '../../src/fhir/server/index.js';
import { activateFaults } from '../../src/fhir/faults.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';
import type { SearchParamDef } from '../../src/fhir/search/search-param-def.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import type { Simulator, SimulatorStartOptions } from '../simulator.js';
import { consumerFaults, takeIdFromUrl, type ConsumerFault } from './faults.js';
import { consumerHooks } from './hooks.js';
import { reportCsvOperation } from './report-csv.js';
import { MEASURE_CONSUMER_PM_CSV_PUSH, MEASURE_CONSUMER_PM_PUSH, MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA, withActorLevelTwin } from '../../ig/saner/capabilities.js';
import { seedResources } from './seed.js';
import { serveOwnStore } from '../own-store.js';

registerSanerProfiles();

export interface MeasureConsumerOptions extends SimulatorStartOptions {
  /**
   * Client-defined ids (R4 update as create): a PUT of an id the server does not hold creates it.
   * With false it is refused with 405 and only POST creates. Default true.
   */
  clientIds?: boolean;
}

/**
 * Definitions of the search parameters the declaration serves, and no others: the store indexes
 * every parameter it is given on every push, and rows no search reads would only slow ingest.
 */
function servedSearchParams(resources: ResourceDeclaration[]): SearchParamDef[] {
  const served = (d: SearchParamDef, r: ResourceDeclaration) => r.searchParams.includes(d.name) && d.base.some((b) => b === r.type || b === 'Resource' || b === 'DomainResource');
  return sanerSearchParamsFor(resources.map((r) => r.type)).filter((d) => resources.some((r) => served(d, r)));
}

export function consumerDeclaration(options: { clientIds: boolean }): ServerDeclaration<ConsumerFault> {
  const resources: ResourceDeclaration[] = [
    {
      type: 'MeasureReport',
      interactions: ['create', 'update', 'read', 'vread', 'history-instance', 'search-type'],
      searchParams: ['_id', '_lastUpdated', 'measure', 'date', 'period', 'subject', 'reporter', 'status'],
      profile: PUBLIC_HEALTH_MEASURE_REPORT,
      supportedProfiles: [PUBLIC_HEALTH_MEASURE_REPORT],
      updateCreate: options.clientIds,
    },
    {
      type: 'Measure',
      interactions: ['read', 'vread', 'search-type'],
      searchParams: ['_id', 'url', 'title'],
      supportedProfiles: [PUBLIC_HEALTH_MEASURE],
    },
    { type: 'Location', interactions: ['read', 'search-type'], searchParams: ['_id', 'name', 'identifier'] },
    { type: 'Organization', interactions: ['read', 'search-type'], searchParams: ['_id', 'name', 'identifier'] },
    // D5: the collection-Bundle reading of the Supplemental Data Option.
    { type: 'Bundle', interactions: ['create', 'read'], searchParams: [] },
  ];
  return {
    name: 'MeasureConsumerSimulator',
    title: 'measure-conformance reference Measure Consumer',
    canonicalBase: 'urn:measure-conformance',
    fhirVersion: '4.0.1',
    instantiates: [MEASURE_CONSUMER_PM_PUSH, MEASURE_CONSUMER_PM_CSV_PUSH, MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA].flatMap(withActorLevelTwin),
    resources,
    searchParamDefs: servedSearchParams(resources),
    operations: [reportCsvOperation],
    validateOnWrite: { base: true, profiles: true },
    faults: consumerFaults,
  };
}

export async function startMeasureConsumer(options: MeasureConsumerOptions = {}): Promise<RunningFhirServer> {
  const clientIds = options.clientIds ?? true;
  const declaration = consumerDeclaration({ clientIds });
  const faults = activateFaults(options.faults ?? [], coreFaults, consumerFaults);
  // Group commit: concurrent pushes share an fsync, and each is acknowledged only once it is on disk.
  // No full-text index: the Consumer serves neither _text nor _content, and each push would pay for it.
  const store = ResourceStore.open({
    path: options.storePath ?? ':memory:',
    searchParams: declaration.searchParamDefs,
    groupCommit: true,
    fullText: false,
  });
  const auth = faults.has('auth-ignored') ? undefined : options.auth;
  return serveOwnStore(store, seedResources, () =>
    startFhirServer({
      declaration,
      store,
      hooks: consumerHooks({ clientIds }),
      faults: faults.ids,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(auth ? { auth } : {}),
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
      ...(faults.has('update-id-from-url') ? { configure: takeIdFromUrl } : {}),
    }),
  );
}

export const measureConsumer: Simulator = {
  id: 'measure-consumer',
  title: 'measure-conformance reference Measure Consumer',
  plays: ['ProduceMeasureConsumer'],
  faultIds: () => [...coreFaults.modes, ...consumerFaults.modes].map((f) => f.id),
  start: (options) => startMeasureConsumer(options),
};
