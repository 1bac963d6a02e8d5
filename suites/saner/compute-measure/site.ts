/**
 * What the Compute Measure suite runs beside its Data Source simulator, for as long as the suite
 * runs (the Data Source's `beside` hook starts and closes it): the public-health side, one server
 * playing Measure Definition Source (the computable Measure, its Library and ValueSets, read and
 * searched by url) and Measure Consumer (Push target); a second Data Source without `:in`, started
 * when a test first needs it; and, in a run with no SUT, the reference Measure Computer standing in
 * for the SUT with the run's faults, one per Data Source it computes from, so it keeps what it
 * read between computations the way a deployed computer does.
 *
 * Tests find the site by their simulator's base URL; every server records its inbound exchanges.
 */
import type { Measure, Resource } from 'fhir/r4.js';
import type { HttpExchange } from '../../../src/engine/results.js';
import type { ResourceDeclaration, RunningFhirServer, ServerDeclaration } from '../../../src/fhir/server/index.js';
import { coreFaults, startFhirServer } from '../../../src/fhir/server/index.js';
import { activateFaults } from '../../../src/fhir/faults.js';
import { sanerSearchParamsFor } from '../../../ig/saner/search-params.js';
import { ResourceStore } from '../../../src/fhir/store/resource-store.js';
import { MEASURE_CONSUMER_PM_PUSH, MEASURE_DEFINITION_SOURCE_QMD } from '../../../ig/saner/capabilities.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT, registerSanerProfiles } from '../../../ig/saner/profiles.js';
import { startDataSource, type RunningDataSource } from '../../../simulators/data-source/index.js';
import { seedResources, startMeasureComputer } from '../../../simulators/measure-computer/index.js';
import { measureComputerFaults } from '../../../simulators/measure-computer/faults.js';
import { serveOwnStore } from '../../../simulators/own-store.js';

registerSanerProfiles();

/** A server of the site and what it has received, oldest first. */
export interface RecordedServer {
  url: string;
  exchanges: HttpExchange[];
}

export interface PublicHealthSide extends RecordedServer {
  /** Publishes a Measure as the current version of its id, as a Measure Definition Source revising it. */
  publish(measure: Measure): void;
}

export interface ComputeSite {
  dataSource: RunningDataSource;
  publicHealth: PublicHealthSide;
  /** The Data Source without `:in` (SANER-CM-PG-004), started on first use. */
  noInDataSource(): Promise<RecordedServer>;
  /** Base URL of the reference Measure Computer computing from that Data Source, started on first use with the run's faults. */
  standIn(dataSourceUrl: string): Promise<string>;
}

const DEFINITIONS = ['Measure', 'Library', 'ValueSet'];
const PARTIES = ['Location', 'Organization'];

function definitional(type: string, supportedProfiles?: string[]): ResourceDeclaration {
  return { type, interactions: ['read', 'vread', 'search-type'], searchParams: ['_id', 'url', 'version'], ...(supportedProfiles ? { supportedProfiles } : {}) };
}

const publicHealthDeclaration: ServerDeclaration = {
  name: 'ComputeMeasurePublicHealthSide',
  title: 'measure-conformance public-health side (Measure Definition Source and Measure Consumer)',
  canonicalBase: 'urn:measure-conformance',
  fhirVersion: '4.0.1',
  resources: [
    definitional('Measure', [PUBLIC_HEALTH_MEASURE]),
    definitional('Library'),
    definitional('ValueSet'),
    {
      type: 'MeasureReport',
      interactions: ['create', 'update', 'read', 'vread', 'search-type'],
      searchParams: ['_id', 'measure', 'subject', 'reporter', 'period', 'date', 'status'],
      profile: PUBLIC_HEALTH_MEASURE_REPORT,
      supportedProfiles: [PUBLIC_HEALTH_MEASURE_REPORT],
      updateCreate: true,
    },
    { type: 'Location', interactions: ['read', 'search-type'], searchParams: ['_id', 'identifier', 'name'] },
    { type: 'Organization', interactions: ['read', 'search-type'], searchParams: ['_id', 'identifier', 'name'] },
  ],
  searchParamDefs: sanerSearchParamsFor([...DEFINITIONS, 'MeasureReport', ...PARTIES]),
  operations: [],
  validateOnWrite: { base: true, profiles: true },
  instantiates: [MEASURE_DEFINITION_SOURCE_QMD, MEASURE_CONSUMER_PM_PUSH],
};

async function startPublicHealthSide(host: string): Promise<PublicHealthSide & { close(): Promise<void> }> {
  const store = ResourceStore.open({ path: ':memory:', searchParams: publicHealthDeclaration.searchParamDefs, fullText: false });
  const exchanges: HttpExchange[] = [];
  // The first version of each bundled definition: the changed Measure is published later, by a test.
  const server = await serveOwnStore(store, seedResources, () => startFhirServer({ declaration: publicHealthDeclaration, store, host, onExchange: (e) => exchanges.push(e) }));
  return {
    url: server.url,
    exchanges,
    publish: (measure) => void store.update(measure as Resource, { allowCreate: true }),
    close: () => server.close(),
  };
}

const sites = new Map<string, ComputeSite>();

/** The site beside the Data Source at this base URL, while it runs. */
export function siteAt(dataSourceUrl: string): ComputeSite | undefined {
  return sites.get(dataSourceUrl);
}

/** Starts a server once, on first use, remembering it for closing; a failed start is retried next time. */
function lazily<T extends { close(): Promise<void> }>(start: () => Promise<T>, started: Array<{ close(): Promise<void> }>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= start().then(
      (server) => (started.push(server), server),
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    );
    return pending;
  };
}

/** The Data Source's `beside` hook: the site, with the run's faults for the stand-in computer. */
export async function startComputeSite(dataSource: RunningDataSource, faults: readonly string[]): Promise<{ close(): Promise<void> }> {
  activateFaults(faults, coreFaults, measureComputerFaults);
  const host = new URL(dataSource.url).hostname.replace(/^\[|\]$/g, '');
  const publicHealth = await startPublicHealthSide(host);
  const started: Array<{ close(): Promise<void> }> = [];
  const noInDataSource = lazily(async () => {
    const exchanges: HttpExchange[] = [];
    const server = await startDataSource({ patients: dataSource.expected.patients, seed: dataSource.expected.seed, inModifier: false, host, onExchange: (e) => exchanges.push(e) });
    return { url: server.url, exchanges, close: () => server.close() };
  }, started);
  const computers = new Map<string, () => Promise<RunningFhirServer>>();
  const standIn = async (dataSourceUrl: string): Promise<string> => {
    let start = computers.get(dataSourceUrl);
    if (!start) {
      start = lazily(() => startMeasureComputer({ dataSourceUrl, measureDefinitionSourceUrl: publicHealth.url, measureConsumerUrl: publicHealth.url, faults: [...faults], host }), started);
      computers.set(dataSourceUrl, start);
    }
    return (await start()).url;
  };
  sites.set(dataSource.url, { dataSource, publicHealth, noInDataSource, standIn });
  return {
    async close() {
      sites.delete(dataSource.url);
      for (const server of started.reverse()) await server.close().catch(() => undefined);
      await publicHealth.close();
    },
  };
}
