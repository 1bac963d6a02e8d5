/**
 * Reference Data Source (SANER Compute Measure, server side): a read-only FHIR server holding the
 * generator's clinical data set and the bundled Compute Measure resources (fixtures/compute), for a
 * Measure Computer to query. `startDataSource({ patients, seed, inModifier, faults })` returns the
 * running server with the `expected` results of every Measure version and day of its data.
 */
import type { Measure, Resource } from 'fhir/r4.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { coreFaults, startFhirServer } from '../../src/fhir/server/index.js';
import { activateFaults } from '../../src/fhir/faults.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { fixtureResources } from '../fixtures.js';
import { serveOwnStore } from '../own-store.js';
import type { Simulator, SimulatorStartOptions } from '../simulator.js';
import { dataSourceDeclaration } from './declaration.js';
import { dataSourceFaults } from './faults.js';
import { generateDataSet, type DataSet, type DataSetOptions, type ExpectedResults } from './generator.js';
import { holdsResources, loadResources } from './load.js';
import { readDateEndInclusive, readTokensWithoutSystem, refuseValueSetModifiers } from './search-hooks.js';

export { generateDataSet, LARGE_PATIENTS } from './generator.js';
export type { ExpectedResults } from './generator.js';

export interface DataSourceOptions extends SimulatorStartOptions, DataSetOptions {
  /**
   * Answer the `:in` / `:not-in` modifiers (default true). With false they are refused with 400
   * and left out of the CapabilityStatement, so a Measure Computer must send code lists
   * (SANER-CM-PG-004).
   */
  inModifier?: boolean;
}

export interface RunningDataSource extends RunningFhirServer {
  /** What a correct Measure Computer reports on this data (see expected.ts for the shape). */
  expected: ExpectedResults;
  dataSet: DataSet;
}

const FIXTURE_TYPES = ['Measure', 'Library', 'ValueSet', 'Location', 'Organization'];

/** The bundled Compute Measure resources: both Measure versions, the Library, its ValueSets, the facility. */
export function computeFixtures(): Resource[] {
  // Measure versions in order, so the latest is stored last and is the current one.
  const version = (r: Resource) => (r.resourceType === 'Measure' ? ((r as Measure).version ?? '') : '');
  return fixtureResources('compute', FIXTURE_TYPES).sort((a, b) => version(a).localeCompare(version(b), 'en', { numeric: true }));
}

export async function startDataSource(options: DataSourceOptions = {}): Promise<RunningDataSource> {
  const inModifier = options.inModifier ?? true;
  const declaration = dataSourceDeclaration({ inModifier });
  const faults = activateFaults(options.faults ?? [], coreFaults, dataSourceFaults);
  const report = options.onStartProgress;
  const dataSet = generateDataSet(options, report && ((done, total) => report({ phase: 'generating patients', done, total })));
  const seed = [...computeFixtures(), ...dataSet.resources];
  // No full-text index: _text and _content are not served, and it would slow the bulk load.
  const store = ResourceStore.open({ path: options.storePath ?? ':memory:', searchParams: declaration.searchParamDefs, fullText: false });
  try {
    // A file-backed store is loaded once; started again it must hold the same data set, or the
    // expected results would describe other data than it serves.
    if (store.count() === 0) loadResources(store, seed, report && ((done, total) => report({ phase: 'loading resources', done, total })));
    else if (!holdsResources(store, seed)) {
      throw new Error(
        `the Data Source store ${options.storePath ?? ''} holds another data set than the one asked for (patients, seed, start or days differ); remove it or start with the options it was made with`,
      );
    }
  } catch (err) {
    store.close();
    throw err;
  }
  const server = await serveOwnStore(
    store,
    () => [],
    () =>
      startFhirServer({
        declaration,
        store,
        faults: faults.ids,
        configure: (app) => {
          if (!inModifier || faults.has('in-modifier-400')) refuseValueSetModifiers(app);
          if (faults.has('date-end-inclusive')) readDateEndInclusive(app);
          if (faults.has('token-ignores-system')) readTokensWithoutSystem(app, new Set(declaration.searchParamDefs.filter((d) => d.type === 'token').map((d) => d.name)));
        },
        ...(options.host ? { host: options.host } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.auth ? { auth: options.auth } : {}),
        ...(options.onExchange ? { onExchange: options.onExchange } : {}),
      }),
  );
  return { ...server, expected: dataSet.expected, dataSet };
}

export const dataSource: Simulator = {
  id: 'data-source',
  title: 'measure-conformance reference Data Source',
  plays: ['DataSource'],
  faultIds: () => [...coreFaults.modes, ...dataSourceFaults.modes].map((f) => f.id),
  start: (options) => startDataSource(options),
};
