/**
 * A reference simulator: a configuration of the one FHIR server core, with the data it is seeded
 * with and the actors it can stand in for. Suites, the runner and `serve` start simulators only
 * through this interface.
 */
import type { HttpExchange } from '../src/engine/results.js';
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
}

export interface Simulator {
  id: string;
  title: string;
  /** Actors this simulator implements, so a server-role suite for one of them can run against it. */
  plays: string[];
  /** Fault modes it knows: the core ones plus its own. */
  faultIds(): string[];
  start(options?: SimulatorStartOptions): Promise<RunningFhirServer>;
}
