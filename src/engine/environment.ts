/**
 * A suite's environment: what it needs around its tests, built once before the first test and torn
 * down in reverse after the last (also when setup fails or the run is interrupted), the way
 * vitest's scoped fixtures work. It holds the simulator a client SUT is pointed at, the servers the
 * suite starts beside it, the trigger that makes the SUT act, and the recordings of what the SUT
 * sent. Setup triggers a client SUT and records its traffic once; tests judge the recording. Every
 * test gets the same environment (`t.env`), so no test depends on another having run first.
 *
 * A replayed environment judges traffic recorded elsewhere (`serve`'s log, the recording proxy, a
 * capture file) with the same tests: its simulator holds the recorded exchanges, record() hands
 * them over instead of triggering anyone, and start() starts nothing. Nothing was asked of that
 * SUT, so what its traffic does not show is left undecided ("not observed"), never failed.
 */
import type { HttpExchange } from '../http/exchange.js';
import type { ResourceFormats } from '../fhir/codec.js';
import type { SimulatorStartOptions } from '../../simulators/simulator.js';
import { readInbound, type InboundRequest } from './inbound.js';
import type { Evidence, RuleSetChoice, SuiteResult } from './results.js';
import { fireTrigger, lastLines, type Ask, type PromptIo, type Trigger, type TriggerOutcome } from './triggers.js';
import type { HttpClient } from '../http/client.js';
import type { FhirClient } from './fhir-client.js';
import { abortableSleep, formatDuration } from './time.js';

/** A running server: a simulator a client SUT is pointed at, or one a suite started beside it. */
export interface RunningServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** What a suite may ask of a simulator it starts beside its own (the run adds host and TLS). */
export type LaunchOptions = Omit<SimulatorStartOptions, 'host' | 'port' | 'tls' | 'onExchange' | 'storePath'>;

/** Starts the simulator a client-role suite's SUT is pointed at, reporting every inbound exchange. */
export type StartServer = (options: { onExchange: (exchange: HttpExchange) => void; signal: AbortSignal }) => Promise<RunningServer>;

/** Starts a registered simulator by id, reporting every inbound exchange; the CLI provides it. */
export type LaunchSimulator = (id: string, options: LaunchOptions & { onExchange: (exchange: HttpExchange) => void; signal: AbortSignal }) => Promise<RunningServer>;

/** A server of the environment and everything it has received, read through the one inbound view. */
export interface SimulatorHandle {
  /** The simulator's registered id, e.g. `measure-source`. */
  id: string;
  baseUrl: string;
  /** Every inbound exchange, oldest first (secrets redacted). */
  exchanges(): readonly HttpExchange[];
  /** The same, parsed; `from` skips the first exchanges (e.g. those before a recording began). */
  requests(from?: number): InboundRequest[];
}

/** Traffic recorded earlier, which a suite judges instead of triggering a SUT. */
export interface RecordedTraffic {
  /** The base URL the client SUT was talking to when it was recorded. */
  baseUrl: string;
  /** What it sent and how it was answered, oldest first (secrets already redacted). */
  exchanges: readonly HttpExchange[];
  /** Where the traffic comes from, for the evidence, e.g. `capture acme.json`. */
  source: string;
  /** What the evidence says besides, e.g. that mutual authentication is not observed through a proxy. */
  notes?: readonly string[];
}

/** Who plays a client SUT when none is configured. */
export type StandIn =
  /** A reference client, run in process by the trigger. */
  | { kind: 'reference-client'; name: string }
  /** A reference server the suite starts itself to play the SUT (the Measure Computer), with the run's faults. */
  | { kind: 'reference-server'; simulator: string; faults: readonly string[] };

/** A way a client proves who it is to a server. */
export type CredentialKind = 'bearer-token' | 'basic' | 'client-certificate';

/** Typed settings from config.yaml that suites read. */
export interface SuiteConfig {
  /** Resource ids the SUT holds, by type (`sut.ids`). */
  ids?: Readonly<Record<string, string>>;
  /** The Measure canonical a Content Creator reports on (`sut.measure`). */
  measure?: string;
  /** The mADX text whose rules apply (`sut.madxRuleSet`). */
  madxRuleSet?: 'trial-implementation' | 'comment-draft';
  /** Why a simulator whose profile requires https runs on plain http in this run. */
  referenceHttp?: string;
  /** What the run seeded into the SUT before the suites (`--seed`), by type and id. */
  seeded?: readonly { type: string; id: string }[];
  /** The generated Compute Measure data set a Data Source suite searches (`sut.dataSet`; the reference Data Source holds its own). */
  dataSet?: DataSetChoice;
  /**
   * Server suites: the credentials the harness presents to the SUT with every request (`sut.auth`,
   * the client certificate of `sut.tls`, or the one made for a run against a reference simulator).
   */
  credentials?: readonly CredentialKind[];
  /** Client suites: the credential the simulator the SUT calls demands (`simulators.auth`, or one made for the run). */
  demandedCredential?: CredentialKind;
}

/** A generated data set, fixed by its patient count and seed, and whether the server already holds it. */
export interface DataSetChoice {
  patients?: number;
  seed?: number;
  /** The server holds it already, so nothing is loaded. */
  loaded?: boolean;
}

export interface RecordOptions {
  /** What the suite wants to see the SUT do; the trigger tells the SUT. */
  asks?: readonly Ask[];
  /** What the trigger tells the SUT besides the simulator (`MC_*` names). */
  variables?: Readonly<Record<string, string>>;
  /** Servers whose inbound traffic is recorded; the first is the one the trigger names. Default: the suite's simulator. */
  at?: readonly SimulatorHandle[];
  /** Keeps waiting, up to `settleMs`, until what arrived satisfies this (e.g. a push reached the Consumer). */
  until?: (requests: readonly InboundRequest[]) => boolean;
  /** How long the traffic must pause to count as settled. Default 500 ms. */
  quietMs?: number;
  /** Upper bound for `until`. Default the run's wait. */
  settleMs?: number;
  /** Who acts, for messages, e.g. `Measure Consumer`. */
  actor?: string;
}

/** One triggered burst of a client SUT's traffic. */
export interface Recording {
  description: string;
  asks: readonly Ask[];
  trigger: TriggerOutcome;
  /** What arrived at the recorded servers, in order of arrival. */
  requests: InboundRequest[];
  /** Why nothing arrived, when nothing did. */
  silence?: string;
}

export interface SuiteEnvironment {
  readonly suiteId: string;
  /** The SUT (server suites), or a client for absolute URLs (client suites). Exchanges become evidence where the environment is used. */
  readonly sut: FhirClient;
  readonly options: readonly string[];
  readonly config: SuiteConfig;
  readonly signal: AbortSignal;
  /** Client-role suites: the simulator the SUT is pointed at. */
  readonly simulator: SimulatorHandle | undefined;
  /** A client SUT's own base URL, where it also serves (e.g. a Measure Computer's reports under Pull). */
  readonly sutBaseUrl: string | undefined;
  /** Who plays a client SUT when none is configured. */
  readonly standIn: StandIn | undefined;
  note(text: string): void;
  /** Starts a registered simulator beside the suite's; closed when the suite ends, in reverse order. */
  start(id: string, options?: LaunchOptions): Promise<SimulatorHandle>;
  /** Registers something to undo when the suite ends (after the tests, in reverse order of registration). */
  onTeardown(fn: () => Promise<void> | void): void;
  /** Makes the client SUT act (its trigger, or the stand-in) and records what it sends until its traffic settles. */
  record(description: string, options?: RecordOptions): Promise<Recording>;
  /** Says which data the suite works on (seeded by the run, named in config, discovered in the SUT, …), for the report. */
  useData(kind: NonNullable<SuiteResult['dataSet']>['kind'], description: string): void;
  /**
   * Records the rule set the suite applies where an IG has more than one text, and why (results
   * `ruleSets`); the reason is a note of the setup or test too.
   */
  noteRuleSet(choice: RuleSetChoice): void;
}

export interface EnvironmentDeps {
  suiteId: string;
  options: readonly string[];
  config: SuiteConfig;
  signal: AbortSignal;
  simulator: SimulatorHandle | undefined;
  sutBaseUrl?: string;
  standIn?: StandIn;
  trigger?: Trigger;
  prompt?: PromptIo;
  launch?: LaunchSimulator;
  formats: ResourceFormats;
  /** Redacts an inbound exchange before anything keeps it. */
  redact(exchange: HttpExchange): HttpExchange;
  /** Default wait for a client SUT's first request. */
  waitMs: number;
  /** Judge this recorded traffic (already in `simulator`) instead of triggering a SUT. */
  replay?: RecordedTraffic;
}

/** Where one use of the environment (setup, or a test) puts its evidence, and the client it calls with. */
export interface EnvironmentUse {
  http: HttpClient;
  sut: FhirClient;
  evidence(e: Evidence): void;
  signal: AbortSignal;
}

/** How long a finished trigger's last answers may take to be recorded. */
const FINISHED_GRACE_MS = 250;
const FINISHED_QUIET_MS = 100;
/** A command that exited with a failure has said it is done: a short wait for stragglers, not the full one meant for work handed on. */
const FAILED_COMMAND_GRACE_MS = 2000;

/** A server started for the environment: its exchanges kept from the first one, even before start() resolves. */
export function simulatorHandle(id: string, baseUrl: string, exchanges: HttpExchange[], formats: ResourceFormats): SimulatorHandle {
  return { id, baseUrl, exchanges: () => exchanges, requests: (from = 0) => readInbound(exchanges.slice(from), baseUrl, formats) };
}

export class Environment {
  readonly #deps: EnvironmentDeps;
  readonly #teardowns: (() => Promise<void> | void)[] = [];
  /** The data the suite said it works on. */
  dataSet: SuiteResult['dataSet'];
  /** The rule sets the suite said it applies, one per IG (the last word wins). */
  readonly ruleSets: RuleSetChoice[] = [];
  /** A replay hands its recorded traffic to the first recording made at the suite's simulator only. */
  #replayed = false;

  constructor(deps: EnvironmentDeps) {
    this.#deps = deps;
  }

  /** Whether this environment replays recorded traffic rather than triggering a SUT. */
  get replaying(): boolean {
    return this.#deps.replay !== undefined;
  }

  /** The environment as setup or one test sees it: its evidence and client are that user's. */
  use(user: EnvironmentUse): SuiteEnvironment {
    const deps = this.#deps;
    return {
      suiteId: deps.suiteId,
      sut: user.sut,
      options: deps.options,
      config: deps.config,
      signal: user.signal,
      simulator: deps.simulator,
      sutBaseUrl: deps.sutBaseUrl,
      standIn: deps.standIn,
      note: (text) => user.evidence({ kind: 'note', text }),
      start: (id, options) => this.#start(id, options ?? {}),
      onTeardown: (fn) => void this.#teardowns.push(fn),
      record: (description, options) => this.#record(description, options ?? {}, user),
      useData: (kind, description) => {
        this.dataSet = { kind, description };
      },
      noteRuleSet: (choice) => {
        const mine = { ...choice, suite: deps.suiteId };
        const at = this.ruleSets.findIndex((c) => c.ig === choice.ig);
        if (at < 0) this.ruleSets.push(mine);
        else this.ruleSets[at] = mine;
        user.evidence({ kind: 'note', text: `${choice.ig} rule set: ${choice.ruleSet}, ${choice.reason}` });
      },
    };
  }

  async #start(id: string, options: LaunchOptions): Promise<SimulatorHandle> {
    const replay = this.#deps.replay;
    // Recorded traffic went to one server; one started beside it now would receive nothing of it.
    if (replay) return simulatorHandle(id, replay.baseUrl, [], this.#deps.formats);
    const launch = this.#deps.launch;
    if (!launch) throw new Error(`this run cannot start simulator ${id}: no simulator launcher was given to the runner`);
    const exchanges: HttpExchange[] = [];
    const server = await launch(id, { ...options, onExchange: (e) => exchanges.push(this.#deps.redact(e)), signal: this.#deps.signal });
    this.#teardowns.push(() => server.close());
    return simulatorHandle(id, server.baseUrl, exchanges, this.#deps.formats);
  }

  async #record(description: string, options: RecordOptions, user: EnvironmentUse): Promise<Recording> {
    const deps = this.#deps;
    const at = options.at ?? (deps.simulator ? [deps.simulator] : []);
    const target = at[0];
    if (!target) throw new Error("record() needs a server to record at: a client-role suite's simulator, or `at`");
    if (deps.replay) return this.#replay(deps.replay, description, options, at, user);
    const from = at.map((s) => s.exchanges().length);
    const count = () => at.reduce((n, s, i) => n + s.exchanges().length - from[i]!, 0);
    const collect = () => at.flatMap((s, i) => s.requests(from[i])).sort((a, b) => a.exchange.startedAt.localeCompare(b.exchange.startedAt));
    const outcome = await fireTrigger(deps.trigger ?? { type: 'none' }, {
      simulatorUrl: target.baseUrl,
      suiteId: deps.suiteId,
      testId: deps.suiteId,
      description,
      http: user.http,
      note: (text) => user.evidence({ kind: 'note', text }),
      signal: user.signal,
      ...(deps.prompt ? { prompt: deps.prompt } : {}),
      ...(options.variables ? { variables: options.variables } : {}),
      ...(options.asks ? { asks: options.asks } : {}),
    });
    // A reference client that returned has sent all it will, and a command that failed has said it is
    // done; a command that succeeded may have handed the work on (a queued job), so it gets the full wait.
    const failedCommand = outcome.kind === 'command' && outcome.exitCode !== 0;
    const firstWait = outcome.kind === 'reference' ? FINISHED_GRACE_MS : failedCommand ? Math.min(FAILED_COMMAND_GRACE_MS, deps.waitMs) : deps.waitMs;
    const quietMs = outcome.finished && outcome.kind === 'reference' ? FINISHED_QUIET_MS : (options.quietMs ?? 500);
    const started = Date.now();
    while (count() === 0 && Date.now() - started < firstWait) await abortableSleep(Math.min(50, firstWait), user.signal);
    let silence: string | undefined;
    if (count() === 0) {
      const printed = failedCommand && outcome.output ? ` after printing "${lastLines(outcome.output, 3).replace(/\n/g, ' / ')}"` : '';
      const ended =
        outcome.kind === 'reference'
          ? 'the reference client had finished, and '
          : outcome.kind === 'command'
            ? `the trigger command had exited with ${outcome.exitCode ?? 'a signal'}${printed}, and `
            : '';
      const how = `${ended}nothing came within ${formatDuration(firstWait)}`;
      silence = `the ${options.actor ?? 'SUT'} sent nothing to ${at.map((s) => s.baseUrl).join(' or ')} (${how})`;
    } else {
      const deadline = Date.now() + (options.settleMs ?? deps.waitMs);
      while (options.until && !options.until(collect()) && Date.now() < deadline) await abortableSleep(100, user.signal);
      for (let seen = -1; seen !== count(); ) {
        seen = count();
        await abortableSleep(quietMs, user.signal);
      }
    }
    const requests = collect();
    for (const r of requests) user.evidence({ kind: 'http', exchange: r.exchange });
    user.evidence({ kind: 'note', text: silence ?? `recorded ${requests.length} request${requests.length === 1 ? '' : 's'} from the ${options.actor ?? 'SUT'}: ${description}` });
    return { description, asks: options.asks ?? [], trigger: outcome, requests, ...(silence ? { silence } : {}) };
  }

  /**
   * The recorded traffic as the first recording at the suite's simulator; every later recording,
   * and one at a server started for the step, holds nothing, saying why.
   */
  #replay(replay: RecordedTraffic, description: string, options: RecordOptions, at: readonly SimulatorHandle[], user: EnvironmentUse): Recording {
    const own = at.includes(this.#deps.simulator!) && !this.#replayed;
    this.#replayed ||= own;
    const requests = own ? this.#deps.simulator!.requests() : [];
    for (const note of own ? (replay.notes ?? []) : []) user.evidence({ kind: 'note', text: note });
    for (const r of requests) user.evidence({ kind: 'http', exchange: r.exchange });
    const silence = requests.length
      ? undefined
      : own
        ? `the ${options.actor ?? 'SUT'} sent nothing in the recorded traffic (${replay.source})`
        : `nothing of the recorded traffic (${replay.source}) answers this step: ${description}`;
    user.evidence({
      kind: 'note',
      text:
        silence ??
        `replayed ${requests.length} request${requests.length === 1 ? '' : 's'} of the ${options.actor ?? 'SUT'} recorded at ${replay.baseUrl} (${replay.source}); nothing was asked of it, so what the traffic does not show is not observed`,
    });
    return { description, asks: [], trigger: { kind: 'replay', finished: true }, requests, ...(silence ? { silence } : {}) };
  }

  /** Undoes everything the environment started or was told to undo, newest first; never throws. */
  async teardown(): Promise<string[]> {
    const problems: string[] = [];
    for (const fn of this.#teardowns.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
      }
    }
    return problems;
  }
}
