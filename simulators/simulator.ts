/**
 * A reference simulator: a configuration of the one FHIR server core, with the data it is seeded
 * with and the actors it can stand in for. Suites, the runner and `serve` start simulators only
 * through this interface.
 */
import type { ActorId } from '../ig/actors.js';
import type { HttpExchange } from '../src/http/exchange.js';
import type { FaultCatalogue } from '../src/fhir/faults.js';
import type { RunningFhirServer, ServerTls } from '../src/fhir/server/index.js';

/** One step of a long start-up: `done` of `total` in the phase named (e.g. `generating patients`). */
export interface StartProgress {
  phase: string;
  done: number;
  total: number;
}

export interface SimulatorStartOptions {
  /** Active fault modes (negative controls). */
  faults?: string[];
  host?: string;
  port?: number;
  /** SQLite file for a store that outlives the process; in memory when absent. */
  storePath?: string;
  tls?: ServerTls;
  auth?: { bearerToken?: string };
  onExchange?: (exchange: HttpExchange) => void;
  /** Size and seed of the data set, for a simulator that generates its data (the Data Source). */
  patients?: number;
  seed?: number;
  /** Data Source: answer the `:in` / `:not-in` modifiers (default true). */
  inModifier?: boolean;
  /** Content Consumers: answer submissions asynchronously (`202` then a status URL, or `303` at once); default synchronous. */
  async?: '202' | '303' | false;
  /** mADX Content Consumer: the text it holds a report to that declares none (default the 3.0.0-comment text). */
  ruleSet?: 'trial-implementation' | 'comment-draft';
  /** mADX Content Consumer: the Validate mADX Message option. */
  validateMessage?: boolean;
  /** Content Consumers: take client-chosen ids (PUT of a new id creates it); default true. */
  clientIds?: boolean;
  /**
   * Content Consumers: answer every submission with this error status and an OperationOutcome
   * (401 with WWW-Authenticate, or 503 with Retry-After), the answers a Creator's error reporting
   * is judged on.
   */
  refuseAll?: 401 | 503;
  /** Measure Computer: the Data Source it computes from (required), where it reads definitions and pushes reports. */
  dataSourceUrl?: string;
  measureDefinitionSourceUrl?: string;
  measureConsumerUrl?: string;
  /** Measure Computer: default subject and reporter of `$evaluate-measure`. */
  subject?: string;
  reporter?: string;
  /** Told how a long start-up goes (the Data Source making and loading a large data set), for a progress line. */
  onStartProgress?: (step: StartProgress) => void;
}

export interface Simulator {
  id: string;
  title: string;
  /** Actors this simulator implements, so a server-role suite for one of them can run against it. */
  plays: ActorId[];
  /** Fault modes it knows: the core ones plus its own. */
  faultIds(): string[];
  /** Its profile requires https, so a run with no SUT serves it over TLS (simulators.referenceTls). */
  requiresHttps?: boolean;
  /**
   * Its profile asks for mutual authentication, so in a run it demands a bearer token: one made for
   * the run when there is no SUT (the harness and the reference clients present it), else
   * `simulators.auth.bearerToken` when config gives one.
   */
  requiresAuthentication?: boolean;
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
  /** The bearer token the server demands (made for the run), presented on every request. */
  bearerToken?: string;
  /** What the suite asked the client to show (interaction tokens, e.g. `Location/read`); a conformant client does at least these. */
  asks?: readonly string[];
}

/**
 * A reference client: what a conformant client actor does, run in process as the SUT of a
 * client-role suite when no SUT is configured.
 */
export interface ReferenceClient {
  id: string;
  title: string;
  /** Actors this client stands in for. */
  plays: ActorId[];
  faults: FaultCatalogue<string>;
  /** Does the actor's part once, to the end; rejects when it cannot reach the server. */
  run(options: ReferenceClientRunOptions): Promise<void>;
}
