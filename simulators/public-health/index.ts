/**
 * The public-health side of SANER Compute Measure: one server playing the Measure Definition Source
 * (the bundled computable Measures, their Library and ValueSets, read and searched by url) and the
 * Measure Consumer a Measure Computer pushes to (MeasureReport create and update, validated against
 * base R4 and PublicHealthMeasureReport). It holds the first version of each bundled definition; a
 * PUT of a Measure publishes its next version, as a Measure Definition Source revising it does.
 * It plays no actor under test: a Compute Measure suite starts it beside its Data Source.
 */
import { MEASURE_CONSUMER_PM_PUSH, MEASURE_DEFINITION_SOURCE_QMD } from '../../ig/saner/capabilities.js';
import { PUBLIC_HEALTH_MEASURE_REPORT, registerSanerProfiles } from '../../ig/saner/profiles.js';
import type { RunningFhirServer, ServerDeclaration } from '../../src/fhir/server/index.js';
import { coreFaults, startFhirServer } from '../../src/fhir/server/index.js';
import { activateFaults } from '../../src/fhir/faults.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { computeSearchParamDefs, definitionResources, MEASURE_REPORT_SEARCH_PARAMS, partyResources, seedResources } from '../measure-computer/declaration.js';
import { serveOwnStore } from '../own-store.js';
import type { Simulator, SimulatorStartOptions } from '../simulator.js';

registerSanerProfiles();

export const publicHealthDeclaration: ServerDeclaration = {
  name: 'ComputeMeasurePublicHealthSide',
  title: 'measure-conformance public-health side (Measure Definition Source and Measure Consumer)',
  canonicalBase: 'urn:measure-conformance',
  fhirVersion: '4.0.1',
  resources: [
    ...definitionResources,
    {
      type: 'MeasureReport',
      interactions: ['create', 'update', 'read', 'vread', 'search-type'],
      searchParams: MEASURE_REPORT_SEARCH_PARAMS,
      profile: PUBLIC_HEALTH_MEASURE_REPORT,
      supportedProfiles: [PUBLIC_HEALTH_MEASURE_REPORT],
      updateCreate: true,
    },
    ...partyResources,
  ],
  searchParamDefs: computeSearchParamDefs(),
  operations: [],
  validateOnWrite: { base: true, profiles: true },
  instantiates: [MEASURE_DEFINITION_SOURCE_QMD, MEASURE_CONSUMER_PM_PUSH],
};

export async function startPublicHealth(options: SimulatorStartOptions = {}): Promise<RunningFhirServer> {
  const faults = activateFaults(options.faults ?? [], coreFaults);
  const store = ResourceStore.open({ path: options.storePath ?? ':memory:', searchParams: publicHealthDeclaration.searchParamDefs, fullText: false });
  return serveOwnStore(store, seedResources, () =>
    startFhirServer({
      declaration: publicHealthDeclaration,
      store,
      faults: faults.ids,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    }),
  );
}

export const publicHealth: Simulator = {
  id: 'public-health',
  title: 'measure-conformance public-health side (Compute Measure)',
  plays: [],
  faultIds: () => coreFaults.modes.map((f) => f.id),
  start: (options) => startPublicHealth(options),
};
