import type { ConfiguredTrigger } from '../engine/triggers.js';
import type { Attestation } from '../engine/results.js';
import type { DataSetChoice } from '../engine/environment.js';

/** The validated, environment-expanded content of config.yaml. */
export interface HarnessConfig {
  /**
   * Absent: every selected suite runs against the bundled reference simulators. Undefined is allowed
   * as well, since `{ ...config, sut: undefined }` is how a caller asks for the simulators.
   */
  sut?: SutConfig | undefined;
  /** Globs of suite ids to run; default every suite. */
  suites: string[];
  /** Restrict to suites testing these actors. */
  actors?: string[];
  timeouts: Timeouts;
  simulators: SimulatorsConfig;
  report: ReportConfig;
  /**
   * People's answers about requirements nothing on the wire shows (mutual authentication, policy,
   * grouped actors), by requirement id: a test asking about one passes or fails on the answer.
   */
  attestations?: Record<string, Attestation>;
}

export interface SutConfig {
  name: string;
  baseUrl?: string;
  /** Actors the SUT implements, e.g. MeasureSource, MeasureConsumer, ContentConsumer. */
  actors?: string[];
  /** Actor options the SUT claims, e.g. Pull, Push, CSV, SupplementalData. */
  options?: string[];
  auth?: { bearerToken?: string; basic?: { username: string; password: string } };
  headers?: Record<string, string>;
  /**
   * Trust towards the SUT and, for mutual TLS (ATNA node authentication), the harness's client
   * certificate and key (PEM files) with the key's passphrase.
   */
  tls?: { caFile?: string; insecure?: boolean; certFile?: string; keyFile?: string; passphrase?: string };
  /** How to make a client SUT send its requests, per actor. */
  triggers?: Record<string, TriggerConfig>;
  /** Resource ids the server suites use instead of discovering them. */
  ids?: Record<string, string>;
  /** Load the project's fixtures into the SUT (PUT with their ids) before the server suites run. */
  seed?: boolean;
  /**
   * The Measure (canonical URL) a Content Creator reports on: one for every Creator, or one per
   * actor (`{ MadxContentCreator: …, RpcContentCreator: … }`).
   */
  measure?: string | Record<string, string>;
  /** The mADX text whose rules the mADX suites and simulator apply: the 3.0.0 comment draft or the trial implementation. */
  madxRuleSet?: 'trial-implementation' | 'comment-draft';
  /**
   * The Compute Measure data set the Data Source suite loads and searches, fixed by a patient count
   * and a seed as `serve --simulator data-source --patients N --seed S` makes it; `loaded: true`
   * says the SUT holds it already, so nothing is written.
   */
  dataSet?: DataSetChoice;
}

/** How to make a client SUT send its requests: the engine's trigger kinds, as config.yaml spells them. */
export type TriggerConfig = ConfiguredTrigger;

export interface Timeouts {
  /** One HTTP request, connect to last byte. */
  requestMs: number;
  /** One test, all its requests and waits. */
  testMs: number;
  /** How long to wait for a client SUT's request after triggering it. */
  waitMs: number;
}

export interface SimulatorsConfig {
  host: string;
  /** Fixed ports per simulator for `serve`; 0 or absent picks a free port. */
  ports: Record<string, number>;
  /** Folder for file-backed stores under `serve`; in-memory when absent. */
  dataDir?: string;
  tls?: { certFile: string; keyFile: string };
  auth?: { bearerToken?: string };
  /**
   * With no SUT, the simulators whose profiles require https (the mADX and RPC Content Consumers)
   * serve it with a certificate made for the run. Default true; false (or run --no-tls) keeps them
   * on plain http for local debugging, and their https tests are then left to a person.
   */
  referenceTls?: boolean;
  /** `serve`'s and the proxy's inspector page. */
  inspector?: InspectorConfig;
}

export interface InspectorConfig {
  /** Protects the inspector: given once (`?token=`) for a cookie, or as a bearer token to the API. Open on its address when absent. */
  token?: string;
  /** What tells one client from another: its address, its bearer token (hashed), its client-certificate subject. Default all three. */
  clientIdentity?: ('address' | 'token' | 'certificate')[];
}

export interface ReportConfig {
  dir: string;
  failOn: 'shall' | 'should' | 'never';
}

/** Values in the config that must never reach a report, log or results file, in each form they travel in. */
export function secretsOf(config: HarnessConfig, fromEnvironment: string[]): string[] {
  const s = config.sut;
  const basic = s?.auth?.basic;
  const raw = [
    s?.auth?.bearerToken,
    basic?.password,
    config.simulators.auth?.bearerToken,
    config.simulators.inspector?.token,
    s?.tls?.passphrase,
    // Extra headers are how API keys usually travel; treat every configured value as secret.
    ...Object.values(s?.headers ?? {}),
    ...Object.values(s?.triggers ?? {}).flatMap((t) => (t.type === 'webhook' ? Object.values(t.headers ?? {}) : [])),
    // Whatever came from ${VAR} was put in the environment to keep it out of the file.
    ...fromEnvironment,
  ].filter((v): v is string => typeof v === 'string' && v.length >= 4);
  const derived = [
    // What a Basic Authorization header carries.
    ...(basic && basic.password.length >= 4 ? [Buffer.from(`${basic.username}:${basic.password}`).toString('base64')] : []),
    // A secret placed in a URL (a webhook's query) appears percent-encoded.
    ...raw.map((v) => encodeURIComponent(v)),
  ];
  return [...new Set([...raw, ...derived])];
}
