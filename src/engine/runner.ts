/**
 * Runs suites and produces RunResults. Each suite runs in three steps: its environment is built
 * (the simulator a client SUT is pointed at) and set up (its setup starts what else it needs and
 * records a client SUT's traffic), its tests run in order against that one environment, and the
 * environment is torn down in reverse, also after a failed setup or an interrupt. Independent
 * suites run side by side up to a bound. Nothing a SUT or a test does can stall the run: every
 * test has a deadline, and Ctrl-C ends the current test as `error: interrupted`, skips the rest,
 * and still returns results for the report.
 */
import type { Attestation, RunResults, RuleSetChoice, SuiteResult, TestResult, Verdict, Evidence, Requirement, HttpExchange } from './results.js';
import { assertCitationsKnown, type RequirementCatalogue } from './catalogue.js';
import { testId, type Suite, type TestDefinition } from './suite.js';
import { HarnessError, Interrupted, TestStop, TestTimeout, TriggerError } from './errors.js';
import { HttpClient, HttpConfigError, TransportError, type HttpClientConfig } from '../http/client.js';
import { TIMEOUTS } from '../http/timeouts.js';
import { createFhirClient } from './fhir-client.js';
import { projectFormats, projectValidator, type ResourceFormats, type ValidateResource } from '../fhir/codec.js';
import { TestRun } from './context.js';
import { Environment, simulatorHandle, type LaunchSimulator, type RecordedTraffic, type RunningServer, type SimulatorHandle, type StandIn, type StartServer, type SuiteConfig } from './environment.js';
import { formatDuration } from './time.js';
import type { PromptIo, Trigger } from './triggers.js';
import { capabilitySummaries, countVerdicts, overallVerdict, requirementResults, verdictFromAssertions } from './verdict.js';
import { harnessIdentity } from './identity.js';
import type { WriteLog, WriteTracking } from './writes.js';

/**
 * Where a suite's traffic goes: a running SUT, or a server the runner starts (a simulator); or,
 * for a suite judging what a SUT sent or answered, traffic recorded earlier, replayed.
 */
export type SuiteTarget = { baseUrl: string } | { start: StartServer; name?: string } | { replay: RecordedTraffic };

/** How to run one suite, decided by the caller (the CLI maps config.yaml onto it). */
export interface SuitePlan {
  /** Server-role suites: the SUT (or a simulator standing in for it). Client-role suites: the simulator the SUT calls. */
  target: SuiteTarget;
  /** Actor options the SUT claims; tests whose option preconditions are not claimed are skipped. */
  options?: readonly string[];
  /** Client-role suites: how to make the SUT act. Default `{ type: 'none' }`. */
  trigger?: Trigger;
  /** Typed suite settings from config, `t.config`. */
  config?: SuiteConfig;
  /** Overrides of the run's HTTP settings for this suite (e.g. no SUT credentials towards a simulator). */
  http?: HttpClientConfig;
  /** Client-role suites: the SUT's own base URL, where it also serves. */
  sutBaseUrl?: string;
  /** Client-role suites with no SUT configured: who plays it. */
  standIn?: StandIn;
  /** Why the suite does not apply to this SUT (its actor is not claimed): every test ends skip with it. */
  notApplicable?: string;
  /** Why each option the SUT does not claim is not claimed, for the skip reason of the tests needing it. */
  optionReasons?: Readonly<Record<string, string>>;
}

export type ProgressEvent =
  | { type: 'run-start'; suites: number; tests: number }
  | { type: 'suite-start'; suite: string; title: string; target: string }
  | { type: 'test-start'; suite: string; test: string; title: string }
  | { type: 'test-end'; result: TestResult; done: number; total: number; counts: Record<Verdict, number> }
  | { type: 'suite-end'; result: SuiteResult }
  | { type: 'run-end'; interrupted: boolean; counts: Record<Verdict, number> };

export interface RunOptions<S extends Suite<object> = Suite<object>> {
  suites: readonly S[];
  catalogue: RequirementCatalogue;
  plan(suite: S): SuitePlan;
  /** Shared HTTP settings: TLS, auth, extra headers, timeouts, secrets to redact. */
  http?: HttpClientConfig;
  /** Default: the project's JSON + XML formats module. */
  formats?: ResourceFormats;
  /** Default: the project's validator (R4 structure, invariants, registered profiles). */
  validate?: ValidateResource;
  timeouts?: {
    /** Per test, all its requests and waits. Default 120 s. */
    testMs?: number;
    /** Default wait for a client SUT's request. Default 30 s. */
    waitMs?: number;
  };
  /** Suites running at once. Default 2. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Terminal for prompt triggers; default stdin/stdout. */
  prompt?: PromptIo;
  sut?: RunResults['sut'];
  /** Titles for the CapabilityStatement summaries, by canonical URL. */
  capabilityTitles?: Record<string, string>;
  /** People's answers about requirements nothing on the wire shows, by requirement id (t.attest). */
  attestations?: Readonly<Record<string, Attestation>>;
  /** Starts registered simulators a suite's environment asks for (`env.start`). */
  launch?: LaunchSimulator;
  /**
   * Against a SUT: what the run writes is tagged with `runId`, listed in results.writes and undone
   * at each suite's end (`keepData` keeps it); `readOnly` skips every test that would write.
   */
  writes?: { log: WriteLog; readOnly?: boolean; keepData?: boolean; deletes?: (type: string) => boolean | undefined };
}

const DEFAULT_TEST_MS = TIMEOUTS.testMs;
const DEFAULT_WAIT_MS = TIMEOUTS.waitMs;

export async function runSuites<S extends Suite<object>>(options: RunOptions<S>): Promise<RunResults> {
  const { suites, catalogue } = options;
  const duplicate = suites.find((s, i) => suites.findIndex((o) => o.id === s.id) !== i);
  if (duplicate) throw new HarnessError(`suite ${duplicate.id} is selected twice`);
  assertCitationsKnown(suites, catalogue);
  const plans = new Map(suites.map((s) => [s.id, options.plan(s)] as const));
  for (const s of suites) checkPlan(s, plans.get(s.id)!);

  const signal = options.signal ?? new AbortController().signal;
  const startedAt = new Date().toISOString();
  const total = suites.reduce((n, s) => n + s.tests.length, 0);
  const finished: TestResult[] = [];
  const emit = (event: ProgressEvent) => {
    try {
      options.onProgress?.(event);
    } catch {
      // A broken progress display must not change verdicts.
    }
  };
  const onTestEnd = (result: TestResult) => {
    finished.push(result);
    emit({ type: 'test-end', result, done: finished.length, total, counts: countVerdicts(finished) });
  };
  emit({ type: 'run-start', suites: suites.length, tests: total });

  const outcomes: { suite: SuiteResult; tests: TestResult[]; ruleSets: RuleSetChoice[] }[] = new Array(suites.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < suites.length; i = next++) {
      const suite = suites[i]!;
      outcomes[i] = await runSuite(suite, plans.get(suite.id)!, options, signal, emit, onTestEnd);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 2, suites.length)) }, worker));

  const tests = outcomes.flatMap((o) => o.tests);
  const ruleSets = outcomes.flatMap((o) => o.ruleSets);
  // The whole catalogue is reported, so coverage is honest: what no selected suite covers is
  // not-tested and says why; CapabilityStatements of the run come first.
  const covered = new Set(suites.flatMap((s) => s.capabilities));
  const capabilityUrls = [...new Set([...covered, ...catalogue.all().flatMap((r) => (r.capability ? [r.capability] : []))])];
  const cited = new Set(tests.flatMap((t) => t.requirements));
  const inRun = (r: Requirement) => cited.has(r.id) || (r.capability !== undefined && covered.has(r.capability));
  const requirements = requirementResults(
    catalogue.all().map((r) => (inRun(r) || r.notTestedReason ? r : { ...r, notTestedReason: r.capability ? 'actor not selected in this run' : 'no test of the selected suites checks it' })),
    tests,
  );
  const counts = countVerdicts(tests);
  emit({ type: 'run-end', interrupted: signal.aborted, counts });
  return {
    schemaVersion: 1,
    harness: harnessIdentity(),
    sut: options.sut ?? { name: 'reference simulators', simulated: true },
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted: signal.aborted,
    overall: overallVerdict(requirements, tests),
    counts,
    capabilities: capabilitySummaries(
      capabilityUrls.map((url) => ({ url, ...(options.capabilityTitles?.[url] ? { title: options.capabilityTitles[url] } : {}) })),
      requirements,
    ),
    suites: outcomes.map((o) => o.suite),
    requirements,
    tests,
    ...(options.writes ? { writes: options.writes.log.records() } : {}),
    ...(ruleSets.length ? { ruleSets } : {}),
  };
}

function checkPlan(suite: Suite<object>, plan: SuitePlan | undefined): void {
  if (!plan?.target) throw new HarnessError(`no target for suite ${suite.id}: give the SUT base URL or a simulator to start`);
  if (suite.role === 'client' && 'baseUrl' in plan.target) {
    throw new HarnessError(`client-role suite ${suite.id} needs a simulator to start (the SUT calls it), not a base URL`);
  }
  if ('replay' in plan.target && suite.cannotGradeRecordings) {
    throw new HarnessError(`suite ${suite.id} cannot grade recorded traffic: ${suite.cannotGradeRecordings}`);
  }
  if ('baseUrl' in plan.target) {
    try {
      new URL(plan.target.baseUrl);
    } catch {
      throw new HarnessError(`suite ${suite.id}: SUT base URL ${JSON.stringify(plan.target.baseUrl)} is not a URL`);
    }
  }
}

async function runSuite(
  suite: Suite<object>,
  plan: SuitePlan,
  options: RunOptions,
  signal: AbortSignal,
  emit: (event: ProgressEvent) => void,
  onTestEnd: (result: TestResult) => void,
): Promise<{ suite: SuiteResult; tests: TestResult[]; ruleSets: RuleSetChoice[] }> {
  const started = Date.now();
  const results: TestResult[] = [];
  const setupEvidence: Evidence[] = [];
  const claimed = plan.options ?? [];
  const formats = options.formats ?? projectFormats;
  let server: RunningServer | undefined;
  let environment: Environment | undefined;
  let root: HttpClient | undefined;
  let target =
    'baseUrl' in plan.target
      ? plan.target.baseUrl
      : 'replay' in plan.target
        ? `${plan.target.replay.baseUrl} (recorded: ${plan.target.replay.source})`
        : `simulator ${plan.target.name ?? suite.simulator ?? suite.id}`;
  const replay = 'replay' in plan.target ? plan.target.replay : undefined;
  /** Set when the suite cannot run at all; every test then ends with it. */
  let broken: { verdict: Verdict; reason: string } | undefined;
  /** Why the suite stopped before its tests could be decided. */
  let stopped: string | undefined;
  /** Writes go to a real SUT: tagged, listed and undone; a simulator standing in is torn down instead. */
  const tracked = options.writes !== undefined && 'baseUrl' in plan.target;
  const trackingFor = (by: string): WriteTracking | undefined => (tracked ? { log: options.writes!.log, by, owner: suite.id, readOnly: options.writes!.readOnly ?? false } : undefined);

  const finish = (result: TestResult) => {
    results.push(result);
    onTestEnd(result);
  };

  try {
    if (signal.aborted) {
      broken = { verdict: 'skip', reason: 'not run: the run was interrupted' };
    } else if (plan.notApplicable) {
      broken = { verdict: 'skip', reason: plan.notApplicable };
    } else {
      root = new HttpClient({ ...(options.http ?? {}), ...(plan.http ?? {}) });
      let simulator: SimulatorHandle | undefined;
      if (replay) simulator = simulatorHandle(suite.simulator ?? suite.id, replay.baseUrl, [...replay.exchanges], formats);
      else if ('start' in plan.target) {
        // Requests can arrive before start() resolves (a SUT polling the port); they are kept from the first.
        const inbound: HttpExchange[] = [];
        const redacting = root;
        try {
          server = await plan.target.start({ onExchange: (raw) => inbound.push(redacting.redactExchange(raw)), signal });
          simulator = simulatorHandle(suite.simulator ?? suite.id, server.baseUrl, inbound, formats);
          target = server.baseUrl;
        } catch (err) {
          broken = { verdict: 'error', reason: `could not start ${target}: ${messageOf(err)}` };
        }
      }
      if (!broken) {
        const redacting = root;
        environment = new Environment({
          suiteId: suite.id,
          options: claimed,
          config: plan.config ?? {},
          signal,
          simulator,
          ...(plan.sutBaseUrl ? { sutBaseUrl: plan.sutBaseUrl } : {}),
          ...(plan.standIn ? { standIn: plan.standIn } : {}),
          ...(plan.trigger ? { trigger: plan.trigger } : {}),
          ...(options.prompt ? { prompt: options.prompt } : {}),
          ...(options.launch ? { launch: options.launch } : {}),
          ...(replay ? { replay } : {}),
          formats,
          redact: (exchange) => redacting.redactExchange(exchange),
          waitMs: options.timeouts?.waitMs ?? DEFAULT_WAIT_MS,
        });
      }
    }
    emit({ type: 'suite-start', suite: suite.id, title: suite.title, target });

    let fixture: object = {};
    if (!broken && root && environment) {
      const http = root.withListener(() => undefined, { baseUrl: 'baseUrl' in plan.target ? plan.target.baseUrl : (replay?.baseUrl ?? target) });
      const outcome = await setUp(suite, environment, http, options, signal, setupEvidence, trackingFor('setup'));
      if ('fixture' in outcome) fixture = outcome.fixture;
      else {
        broken = outcome.broken;
        if (outcome.unreachable) stopped = `the SUT did not answer during the suite's setup: ${outcome.broken.reason}`;
      }
      if (!broken) {
        for (const def of suite.tests) {
          const id = testId(suite, def);
          const requirements = def.requirements.map((r) => options.catalogue.require(r, `test ${id}`));
          const base = testBase(suite, def, id);
          if (signal.aborted) {
            broken = { verdict: 'skip', reason: 'not run: the run was interrupted' };
            break;
          }
          const missing = (def.preconditions.options ?? []).filter((o) => !claimed.includes(o));
          if (missing.length) {
            const reason = missing.map((o) => `option ${o} ${plan.optionReasons?.[o] ?? 'not claimed'}`).join('; ');
            finish({ ...base, verdict: 'skip', reason, startedAt: new Date().toISOString(), durationMs: 0, assertions: [], evidence: [] });
            continue;
          }
          emit({ type: 'test-start', suite: suite.id, test: id, title: def.title });
          const tracking = trackingFor(id);
          const ran = await runTest(def, { id, suiteId: suite.id, requirements, http, options, plan, claimed, fixture, signal, environment, base, ...(tracking ? { tracking } : {}) });
          finish(ran.result);
          // A SUT that stopped answering would make every later test wait out the same failure: the suite stops here, once.
          if (ran.unreachable && 'baseUrl' in plan.target) {
            stopped = `the SUT stopped answering during ${id}: ${ran.result.reason ?? ''}`;
            broken = { verdict: 'error', reason: `not run: the SUT stopped answering (see ${id})` };
            break;
          }
        }
      }
    }
    if (broken) {
      for (const def of suite.tests.slice(results.length)) {
        finish({ ...testBase(suite, def, testId(suite, def)), verdict: broken.verdict, reason: broken.reason, startedAt: new Date().toISOString(), durationMs: 0, assertions: [], evidence: [] });
      }
    }
  } finally {
    const problems = (await environment?.teardown()) ?? [];
    for (const problem of problems) setupEvidence.push({ kind: 'note', text: `tearing down the suite's environment: ${problem}` });
    if (tracked && root) {
      const writes = options.writes!;
      await writes.log.undo(
        suite.id,
        root.withListener(() => undefined, { baseUrl: target }),
        options.formats ?? projectFormats,
        { keep: writes.keepData ?? false, deletes: writes.deletes ?? (() => undefined) },
      );
    }
    await root?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
  }

  const result: SuiteResult = {
    id: suite.id,
    title: suite.title,
    actorUnderTest: suite.actorUnderTest,
    role: suite.role,
    capabilities: [...suite.capabilities],
    target,
    testIds: results.map((r) => r.id),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ...(setupEvidence.length ? { setupEvidence } : {}),
    ...(environment?.dataSet ? { dataSet: environment.dataSet } : {}),
    ...(stopped ? { stopped } : {}),
  };
  emit({ type: 'suite-end', result });
  return { suite: result, tests: results, ruleSets: environment?.ruleSets ?? [] };
}

function testBase(suite: Suite<object>, def: TestDefinition<object>, id: string): TestInput['base'] {
  return {
    id,
    suite: suite.id,
    title: def.title,
    ...(def.description ? { description: def.description } : {}),
    requirements: [...def.requirements],
    negativeControl: def.negativeControl,
  };
}

/** Runs the suite's setup within the per-test deadline; its exchanges and notes are the suite's evidence. */
async function setUp(
  suite: Suite<object>,
  environment: Environment,
  http: HttpClient,
  options: RunOptions,
  signal: AbortSignal,
  evidence: Evidence[],
  tracking: WriteTracking | undefined,
): Promise<{ fixture: object } | { broken: { verdict: Verdict; reason: string }; unreachable?: boolean }> {
  if (!suite.setup) return { fixture: {} };
  const limit = options.timeouts?.testMs ?? DEFAULT_TEST_MS;
  const setupSignal = AbortSignal.any([signal, AbortSignal.timeout(limit)]);
  const setupHttp = http.withListener((exchange) => evidence.push({ kind: 'http', exchange }), { signal: setupSignal });
  const sut = createFhirClient(
    setupHttp,
    options.formats ?? projectFormats,
    {
      fail: (message) => {
        throw new Error(message);
      },
    },
    tracking,
  );
  try {
    const env = environment.use({ http: setupHttp, sut, evidence: (e) => evidence.push(e), signal: setupSignal });
    return { fixture: await raceAbort(Promise.resolve(suite.setup(env)), setupSignal) };
  } catch (err) {
    if (signal.aborted) return { broken: { verdict: 'skip', reason: 'not run: the run was interrupted during suite setup' } };
    // Setup may find the suite cannot apply, or needs a person (a prompt with no terminal).
    if (err instanceof TestStop && err.kind !== 'assertion') return { broken: { verdict: err.kind, reason: err.message } };
    if (setupSignal.aborted) return { broken: { verdict: 'error', reason: `suite setup did not finish within ${formatDuration(limit)}` } };
    const unreachable = err instanceof TransportError && (err.failure === 'connect' || err.failure === 'timeout');
    return { broken: { verdict: 'error', reason: `suite setup failed: ${messageOf(err)}` }, ...(unreachable ? { unreachable } : {}) };
  }
}

interface TestInput {
  id: string;
  suiteId: string;
  requirements: Requirement[];
  http: HttpClient;
  options: RunOptions;
  plan: SuitePlan;
  claimed: readonly string[];
  fixture: object;
  signal: AbortSignal;
  environment: Environment;
  tracking?: WriteTracking;
  base: Pick<TestResult, 'id' | 'suite' | 'title' | 'description' | 'requirements' | 'negativeControl'>;
}

async function runTest(def: TestDefinition<object>, input: TestInput): Promise<{ result: TestResult; unreachable: boolean }> {
  const started = Date.now();
  const timeoutMs = def.timeoutMs ?? input.options.timeouts?.testMs ?? DEFAULT_TEST_MS;
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(new Interrupted('interrupted'));
  input.signal.addEventListener('abort', onRunAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new TestTimeout(`the test did not finish within ${formatDuration(timeoutMs)} (per-test timeout)`)), timeoutMs);
  const run = new TestRun({
    id: input.id,
    suiteId: input.suiteId,
    requirements: input.requirements,
    http: input.http,
    formats: input.options.formats ?? projectFormats,
    validate: input.options.validate ?? projectValidator,
    options: input.claimed,
    fixture: input.fixture,
    config: input.plan.config ?? {},
    signal: controller.signal,
    environment: input.environment,
    ...(input.tracking ? { tracking: input.tracking } : {}),
    ...(input.options.attestations ? { attestations: input.options.attestations } : {}),
  });
  let outcome: Outcome;
  try {
    if (input.signal.aborted) onRunAbort();
    await raceAbort(
      Promise.resolve().then(() => def.run(run)),
      controller.signal,
    );
    outcome = completed(run, input.requirements);
  } catch (err) {
    outcome = judgeThrown(err, run, input.requirements, controller.signal);
  } finally {
    run.closed = true;
    clearTimeout(timer);
    input.signal.removeEventListener('abort', onRunAbort);
    // Stops a runaway test's requests and waits once its verdict is decided.
    if (!controller.signal.aborted) controller.abort(new Error('test ended'));
  }
  const result: TestResult = {
    ...input.base,
    verdict: outcome.verdict,
    ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    assertions: run.assertions,
    evidence: run.evidence,
    ...(run.undecidedReasons.length ? { undecided: run.undecidedReasons } : {}),
  };
  return { result, unreachable: outcome.unreachable === true };
}

function completed(run: TestRun<object>, requirements: readonly Requirement[]): { verdict: Verdict; reason?: string } {
  if (run.assertions.length === 0) {
    // Nothing it looked at was there to judge (a check over an empty set): it decided nothing.
    if (run.undecidedReasons.length) return { verdict: 'skip', reason: [...new Set(run.undecidedReasons.map((u) => u.reason))].join('; ') };
    return { verdict: 'error', reason: 'the test recorded no check, so it proves nothing (a test defect)' };
  }
  return verdictFromAssertions(run.assertions, requirements);
}

/** How a test ended; `unreachable` when the SUT stopped answering (refused connections, timeouts), which stops the suite. */
type Outcome = { verdict: Verdict; reason?: string; unreachable?: boolean };

function judgeThrown(err: unknown, run: TestRun<object>, requirements: readonly Requirement[], signal: AbortSignal): Outcome {
  const fromChecks = run.assertions.length ? verdictFromAssertions(run.assertions, requirements) : undefined;
  if (err instanceof TestStop) {
    if (err.kind === 'assertion') return fromChecks ?? { verdict: 'fail', reason: err.message };
    if (fromChecks?.verdict === 'fail') return fromChecks;
    return { verdict: err.kind, reason: err.message };
  }
  // An abort surfaces as whatever the pending operation threw; the signal's reason says why.
  const cause = signal.aborted && (signal.reason instanceof TestTimeout || signal.reason instanceof Interrupted) ? signal.reason : err;
  const reason =
    cause instanceof Interrupted
      ? 'interrupted'
      : cause instanceof TestTimeout || cause instanceof TransportError || cause instanceof TriggerError
        ? cause.message
        : cause instanceof HarnessError || cause instanceof HttpConfigError
          ? `harness error: ${cause.message}`
          : `the test threw ${messageOf(cause)}`;
  const unreachable = cause instanceof TransportError && (cause.failure === 'connect' || cause.failure === 'timeout');
  // A SHALL failure already seen stays a failure: an error afterwards cannot excuse it.
  if (fromChecks?.verdict === 'fail') return { verdict: 'fail', reason: `${fromChecks.reason}; then: ${reason}`, ...(unreachable ? { unreachable } : {}) };
  return { verdict: 'error', reason, ...(unreachable ? { unreachable } : {}) };
}

/** Resolves with the promise, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' && !err.message.startsWith(err.name) ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}
