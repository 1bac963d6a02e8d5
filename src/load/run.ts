/**
 * One load run: pre-flight (GET [base]/metadata, which also tells whether the SUT answers at all),
 * the scenario's setup, the load phase under the open or closed model, validation of the answer
 * sample, removal of what was written, and the result with its thresholds.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { CapabilityStatement } from 'fhir/r4.js';
import type { Expectation } from '../../ig/requirement.js';
import { catalogue } from '../../ig/index.js';
import { newRunId } from '../engine/run-tag.js';
import { harness } from '../harness.js';
import type { HttpClientConfig } from '../http/client.js';
import type { Answer } from './checks.js';
import type { LoadBounds, LoadModel, LoadResult } from './model.js';
import { ClosedPacer, OpenPacer, type Pacer } from './pacer.js';
import { Recorder } from './recorder.js';
import { AnswerSample } from './sample.js';
import { Flow, LoadPhase } from './phase.js';
import type { Scenario } from './scenario.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';
import { LoadTransport, NoAnswer } from './transport.js';
import { Writes } from './writes.js';

export interface LoadRunOptions {
  scenario: Scenario<unknown>;
  baseUrl: string;
  sut: { name: string; simulated: boolean };
  http: HttpClientConfig;
  model: LoadModel;
  bounds: LoadBounds;
  facilities: number;
  invalidShare: number;
  /** Answers kept for validation (uniformly over the run). */
  validateSample: number;
  keepData: boolean;
  thresholds: readonly Threshold[];
  signal: AbortSignal;
  /** Called about once a second during the load phase. */
  onProgress?: (progress: { elapsedMs: number; sent: number; completed: number; errors: number }) => void;
}

/** The SUT did not answer the pre-flight request: exit code 3. */
export class SutUnreachable extends Error {
  override name = 'SutUnreachable';
}

const EXPECTATION_ORDER: readonly Expectation[] = ['SHALL', 'SHOULD-NOT', 'SHOULD', 'MAY'];

export async function runLoad(options: LoadRunOptions): Promise<LoadResult> {
  const { scenario, model, bounds } = options;
  const requirements = catalogue();
  const expectationOf = (ids: readonly string[]): Expectation => {
    const found = ids.map((id) => requirements.get(id)?.expectation ?? 'SHALL');
    return EXPECTATION_ORDER.find((e) => found.includes(e)) ?? 'SHALL';
  };
  const runId = newRunId();
  const runHex = runId.slice(-8);
  const connections = model.type === 'open' ? model.maxInFlight : model.concurrency;
  const transport = new LoadTransport(options.baseUrl, options.http, connections);
  try {
    const { state, notes } = await setUp(transport, options, runId);

    const recorder = new Recorder();
    const writes = new Writes();
    const sample = new AnswerSample(options.validateSample);
    const phase = new LoadPhase(transport, recorder, writes, sample, expectationOf, { id: runId, hex: runHex, facilities: options.facilities, invalidShare: options.invalidShare });
    let flows = 0;
    const failures: unknown[] = [];
    const runFlow = (pacer: Pacer): Promise<void> =>
      scenario.flow(new Flow(flows++, phase, pacer), state).catch((err: unknown) => {
        failures.push(err);
      });

    const startedAt = new Date();
    const begin = performance.now();
    recorder.begin(begin);
    let pacer: Pacer;
    let heldBack = (): number => 0;
    const stopOnAbort = () => {
      phase.interrupted = true;
      pacer.stop('interrupted');
      transport.abortAll();
    };
    const onProgress = options.onProgress;
    const progress = onProgress ? setInterval(() => onProgress({ elapsedMs: performance.now() - begin, sent: pacer.sent, completed: recorder.completed, errors: recorder.errors }), 1000) : undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (model.type === 'open') {
        const active = new Set<Promise<void>>();
        const open = new OpenPacer({
          rate: model.rate,
          rampMs: bounds.rampMs,
          maxInFlight: model.maxInFlight,
          ...(bounds.requests !== undefined ? { budget: bounds.requests } : {}),
          startFlow: () => {
            const p = runFlow(open);
            active.add(p);
            void p.finally(() => active.delete(p));
          },
        });
        pacer = open;
        heldBack = () => open.heldBack;
        if (options.signal.aborted) stopOnAbort();
        options.signal.addEventListener('abort', stopOnAbort, { once: true });
        if (bounds.durationMs !== undefined) timer = setTimeout(() => open.stop('duration'), bounds.durationMs);
        await open.run();
        while (active.size) await Promise.all([...active]);
      } else {
        const closed = new ClosedPacer(bounds.requests);
        pacer = closed;
        if (options.signal.aborted) stopOnAbort();
        options.signal.addEventListener('abort', stopOnAbort, { once: true });
        if (bounds.durationMs !== undefined) timer = setTimeout(() => closed.stop('duration'), bounds.durationMs);
        const client = async (i: number) => {
          if (bounds.rampMs > 0) await sleep((i * bounds.rampMs) / model.concurrency);
          while (closed.stopReason === undefined) {
            const before = closed.sent;
            await runFlow(closed);
            // A flow that sent nothing must not spin the loop.
            if (closed.sent === before) await yieldToLoop();
          }
        };
        await Promise.all(Array.from({ length: model.concurrency }, (_, i) => client(i)));
      }
    } finally {
      clearTimeout(timer);
      clearInterval(progress);
      options.signal.removeEventListener('abort', stopOnAbort);
    }
    const end = performance.now();
    recorder.end(end);
    if (failures.length) {
      // A harness fault ends the run, but what it wrote is still removed first.
      if (!options.keepData) await writes.remove(transport, runId, AbortSignal.timeout(120_000));
      throw failures[0];
    }

    for (const f of await sample.validate()) {
      recorder.finding({ requirements: f.requirements, expectation: expectationOf(f.requirements), step: 'validation', message: f.message, example: f.example });
    }
    const writesSummary = options.keepData ? writes.kept(runId) : await writes.remove(transport, runId, AbortSignal.timeout(120_000));

    const elapsedMs = end - begin;
    const completed = recorder.completed;
    const result: LoadResult = {
      tool: { name: harness.name, version: harness.version },
      runId,
      scenario: { id: scenario.id, title: scenario.title, actor: scenario.actor },
      sut: { name: options.sut.name, baseUrl: options.baseUrl, simulated: options.sut.simulated },
      model,
      bounds,
      facilities: options.facilities,
      invalidShare: options.invalidShare,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      elapsedMs: Math.round(elapsedMs),
      stopReason: pacer.stopReason ?? 'requests',
      requests: {
        sent: pacer.sent,
        completed,
        errors: recorder.errors,
        errorRate: pacer.sent ? recorder.errors / pacer.sent : 0,
        maxInFlightHits: heldBack(),
      },
      throughput: { requestsPerSecond: elapsedMs > 0 ? Math.round((completed / elapsedMs) * 1000 * 10) / 10 : 0 },
      latency: recorder.latency(),
      serviceTime: recorder.serviceTime(),
      latencyHistogram: recorder.latencyHistogram(),
      percentiles: recorder.percentiles(),
      steps: recorder.steps(),
      statuses: recorder.statuses(),
      findings: recorder.findings(),
      validation: {
        sampled: sample.kept,
        invalid: recorder
          .findings()
          .filter((f) => f.step === 'validation')
          .reduce((n, f) => n + f.count, 0),
      },
      series: recorder.series(),
      writes: writesSummary,
      thresholds: [],
      notes,
    };
    result.thresholds = evaluateThresholds(options.thresholds, result);
    return result;
  } finally {
    await transport.close();
  }
}

type SetupOptions = Pick<LoadRunOptions, 'scenario' | 'facilities' | 'invalidShare'>;

async function setUp(transport: LoadTransport, options: SetupOptions & Pick<LoadRunOptions, 'http'>, runId: string): Promise<{ state: unknown; notes: string[] }> {
  const capabilities = await preflight(transport, options.http);
  const notes: string[] = [];
  const state = await options.scenario.setup({
    capabilities,
    get: (url) => transport.send({ method: 'GET', url }),
    runId,
    facilities: options.facilities,
    invalidShare: options.invalidShare,
    note: (text) => notes.push(text),
  });
  return { state, notes };
}

/** Pre-flight and setup only, for the k6 export: the scenario's state as the SUT shapes it. */
export async function scenarioState(options: SetupOptions & Pick<LoadRunOptions, 'baseUrl' | 'http'>): Promise<{ state: unknown; notes: string[] }> {
  const transport = new LoadTransport(options.baseUrl, options.http, 4);
  try {
    return await setUp(transport, options, newRunId());
  } finally {
    await transport.close();
  }
}

/** GET [base]/metadata: the SUT answers at all (else SutUnreachable), and what it declares. */
async function preflight(transport: LoadTransport, http: HttpClientConfig): Promise<CapabilityStatement | undefined> {
  let answer: Answer;
  try {
    answer = await transport.send({ method: 'GET', url: 'metadata' });
  } catch (err) {
    const failure = err instanceof NoAnswer ? err.failure : String(err);
    // Under TLS 1.3 a server wanting a client certificate closes the connection after the handshake: say what may be missing.
    const hint =
      transport.baseUrl.startsWith('https:') && http.tls?.cert === undefined && failure.startsWith('connection closed')
        ? '; if the server demands a client certificate (mutual TLS), give it with sut.tls.certFile and keyFile'
        : '';
    throw new SutUnreachable(`${transport.baseUrl} does not answer: GET metadata got ${failure}${hint}`);
  }
  const body = answer.status === 200 ? answer.json() : undefined;
  return body !== null && typeof body === 'object' && (body as { resourceType?: unknown }).resourceType === 'CapabilityStatement' ? (body as CapabilityStatement) : undefined;
}
