/**
 * A reference simulator: a configuration of the one FHIR server core, with the data it is seeded
 * with and the actors it can stand in for. Suites, the runner and `serve` start simulators only
 * through this interface.
 */
import type { HttpExchange } from '../src/http/exchange.js';
import type { FaultCatalogue } from '../src/fhir/faults.js';
import type { RunningFhirServer } from '../src/fhir/server/index.js';

export interface SimulatorStartOptions {
  /** Active fault modes (negative controls). */
  faults?: string[];
  host?: string;
  port?: number;
  /** SQLite file for a store that outlives the process; in memory when absent. */
  storePath?: string;
  tls?: { cert: string | Buffer; key: string | Buffer };
  auth?: { bearerToken?: string };
  onExchange?: (exchange: HttpExchange) => void;
  /** Size and seed of the data set, for a simulator that generates its data (the Data Source). */
  patients?: number;
  seed?: number;
}

export interface Simulator {
  id: string;
  title: string;
  /** Actors this simulator implements, so a server-role suite for one of them can run against it. */
  plays: string[];
  /** Fault modes it knows: the core ones plus its own. */
  faultIds(): string[];
  /** Its profile requires https, so a run with no SUT serves it over TLS (simulators.referenceTls). */
  requiresHttps?: boolean;
  start(options?: SimulatorStartOptions): Promise<RunningFhirServer>;
}

export interface ReferenceClientRunOptions {
  /** Base URL of the server the client talks to (the simulator of a client-role suite). */
  baseUrl: string;
  /** Active fault modes (negative controls of the suite that judges this client). */
  faults?: readonly string[];
  /** Actor options the client exercises, e.g. `['Pull', 'CSV']`. */
  options?: readonly string[];
  signal?: AbortSignal;
  /** PEM certificate to trust (alone) when the server serves https with a certificate made for the run. */
  ca?: string;
}

/**
 * A reference client: what a conformant client actor does, run in process as the SUT of a
 * client-role suite when no SUT is configured.
 */
export interface ReferenceClient {
  id: string;
  title: string;
  /** Actors this client stands in for. */
  plays: string[];
  faults: FaultCatalogue<string>;
  /** Does the actor's part once, to the end; rejects when it cannot reach the server. */
  run(options: ReferenceClientRunOptions): Promise<void>;
}
