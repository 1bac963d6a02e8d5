/**
 * Reference Measure Computer (SANER Compute Measure): evaluates the bundled computable Measures
 * (fixtures/compute) against a Data Source through `Measure/[id]/$evaluate-measure`, serves what
 * it stored for Query Measure (Pull) and pushes it to a Measure Consumer (Push). Measures,
 * Libraries and ValueSets can be replaced with PUT, so a changed Measure can be handed to it as a
 * Measure Definition Source would.
 */
import type { Location, Organization } from 'fhir/r4.js';
import { PUBLIC_HEALTH_MEASURE_REPORT, registerSanerProfiles } from '../../ig/saner/profiles.js';
import { MEASURE_COMPUTER_CM, MEASURE_SOURCE_QM_PULL } from '../../ig/saner/capabilities.js';
import type { RunningFhirServer, ServerDeclaration } from '../../src/fhir/server/index.js';
import { coreFaults, startFhirServer } from '../../src/fhir/server/index.js';
import { activateFaults } from '../../src/fhir/faults.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { serveOwnStore } from '../own-store.js';
import { startBeside } from '../beside.js';
import type { Simulator, SimulatorStartOptions } from '../simulator.js';
import { startDataSource } from '../data-source/index.js';
import { MeasureComputer } from './computer.js';
import { evaluateMeasureOperation } from './evaluate-operation.js';
import { measureComputerFaults, type MeasureComputerFault } from './faults.js';
import { computeSearchParamDefs, definitionResources, MEASURE_REPORT_SEARCH_PARAMS, partyResources, seedResources } from './declaration.js';

export { seedResources } from './declaration.js';

registerSanerProfiles();

export interface MeasureComputerOptions extends SimulatorStartOptions {
  /** Base URL of the Data Source (required). */
  dataSourceUrl: string;
  /** Read Measures, Libraries and ValueSets from this Measure Definition Source instead of the own store. */
  measureDefinitionSourceUrl?: string;
  /** Push every stored report to this Measure Consumer. */
  measureConsumerUrl?: string;
  /** Default `subject` of `$evaluate-measure`; the bundled facility when absent. */
  subject?: string;
  /** Default `reporter` of `$evaluate-measure`; the bundled organization when absent. */
  reporter?: string;
}

function declaration(computer: MeasureComputer): ServerDeclaration<MeasureComputerFault> {
  return {
    name: 'MeasureComputerSimulator',
    title: 'measure-conformance reference Measure Computer',
    canonicalBase: 'urn:measure-conformance',
    fhirVersion: '4.0.1',
    resources: [
      ...definitionResources,
      { type: 'MeasureReport', interactions: ['read', 'vread', 'search-type'], searchParams: MEASURE_REPORT_SEARCH_PARAMS, supportedProfiles: [PUBLIC_HEALTH_MEASURE_REPORT] },
      ...partyResources,
    ],
    searchParamDefs: computeSearchParamDefs(),
    operations: [evaluateMeasureOperation(computer)],
    validateOnWrite: { base: true, profiles: true },
    instantiates: [MEASURE_COMPUTER_CM, MEASURE_SOURCE_QM_PULL],
    faults: measureComputerFaults,
  };
}

function defaultReference(type: 'Location' | 'Organization'): string | undefined {
  const first = seedResources().find((r): r is Location | Organization => r.resourceType === type);
  return first?.id ? `${type}/${first.id}` : undefined;
}

export async function startMeasureComputer(options: MeasureComputerOptions): Promise<RunningFhirServer> {
  const active = activateFaults(options.faults ?? [], coreFaults, measureComputerFaults);
  const subject = options.subject ?? defaultReference('Location');
  const reporter = options.reporter ?? defaultReference('Organization');
  const store = ResourceStore.open({ path: options.storePath ?? ':memory:', searchParams: computeSearchParamDefs() });
  const computer = new MeasureComputer(
    {
      dataSourceUrl: options.dataSourceUrl,
      ...(options.measureDefinitionSourceUrl ? { measureDefinitionSourceUrl: options.measureDefinitionSourceUrl } : {}),
      ...(options.measureConsumerUrl ? { measureConsumerUrl: options.measureConsumerUrl } : {}),
      ...(subject ? { defaultSubject: subject } : {}),
      ...(reporter ? { defaultReporter: reporter } : {}),
      faults: active,
    },
    store,
  );
  const server = await serveOwnStore(store, seedResources, () =>
    startFhirServer({
      declaration: declaration(computer),
      store,
      faults: active.ids,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    }),
  ).catch(async (err: unknown) => {
    await computer.close();
    throw err;
  });
  return {
    ...server,
    async close() {
      await server.close();
      await computer.close();
    },
  };
}

/**
 * The registered simulator: started without a Data Source URL it brings up the reference Data
 * Source (the generator's default data set) beside itself and closes it with itself, so `serve`
 * and the suites have a complete Compute Measure pair.
 */
export const measureComputer: Simulator = {
  id: 'measure-computer',
  title: 'measure-conformance reference Measure Computer',
  plays: ['MeasureComputer'],
  faultIds: () => [...coreFaults.modes, ...measureComputerFaults.modes].map((f) => f.id),
  async start(options: SimulatorStartOptions & Partial<MeasureComputerOptions> = {}) {
    if (options.dataSourceUrl) return startMeasureComputer({ ...options, dataSourceUrl: options.dataSourceUrl });
    activateFaults(options.faults ?? [], coreFaults, measureComputerFaults);
    const companion = await startDataSource({ ...(options.host ? { host: options.host } : {}) });
    const pair = await startBeside(companion, (c) => startMeasureComputer({ ...options, dataSourceUrl: c.url }));
    return { ...pair.second, close: pair.close };
  },
};
