/**
 * The load phase's per-request path: a request waits for its pacer, goes out, and its answer is
 * judged and recorded; and the context each flow works through. Kept to classes and plain loops,
 * since it runs for every request of the load.
 */
import type { Expectation } from '../../ig/requirement.js';
import { judge, type Answer } from './checks.js';
import type { Pacer } from './pacer.js';
import type { Recorder } from './recorder.js';
import type { AnswerSample } from './sample.js';
import { invalidOrdinal, isInvalidFlow, type FlowContext, type FlowRequest, type SampleOffer } from './scenario.js';
import { NoAnswer, type LoadTransport } from './transport.js';
import type { Writes } from './writes.js';

export class LoadPhase {
  interrupted = false;
  #sequence = 0;

  constructor(
    readonly transport: LoadTransport,
    readonly recorder: Recorder,
    readonly writes: Writes,
    readonly sample: AnswerSample,
    readonly expectationOf: (requirements: readonly string[]) => Expectation,
    readonly run: { id: string; hex: string; facilities: number; invalidShare: number },
  ) {}

  nextSequence(): number {
    return this.#sequence++;
  }

  async send(pacer: Pacer, req: FlowRequest): Promise<Answer | undefined> {
    const granted = pacer.acquire();
    const due = typeof granted === 'object' ? await granted : granted;
    if (due === undefined) return undefined;
    const sent = performance.now();
    let answer: Answer | undefined;
    let failure = '';
    try {
      answer = await this.transport.send(req);
    } catch (err) {
      failure = err instanceof NoAnswer ? err.failure : String(err);
    }
    const done = performance.now();
    pacer.release();
    // Requests cut off by Ctrl-C say nothing about the SUT.
    if (!answer && this.interrupted) return undefined;
    const recorder = this.recorder;
    let error = false;
    if (answer) {
      if (!req.interim?.includes(answer.status)) {
        for (const f of judge(answer, req.checks, req.what)) {
          const expectation = this.expectationOf(f.check.requirements);
          if (expectation === 'SHALL') error = true;
          recorder.finding({ requirements: f.check.requirements, expectation, step: req.step, message: f.message, example: `${req.method} ${req.url} -> ${answer.status}` });
        }
      }
    } else {
      error = true;
      recorder.finding({
        requirements: req.unanswered,
        expectation: this.expectationOf(req.unanswered),
        step: req.step,
        message: `${req.what} got no answer: ${failure}`,
        example: `${req.method} ${req.url}`,
      });
    }
    recorder.record(req.step, due, sent, done, answer ? statusText(answer.status) : `no answer: ${failure}`, error);
    return answer;
  }
}

const STATUS_TEXT: string[] = [];

function statusText(status: number): string {
  let text = STATUS_TEXT[status];
  if (text === undefined) {
    text = String(status);
    STATUS_TEXT[status] = text;
  }
  return text;
}

/** One flow's view of the load phase. */
export class Flow implements FlowContext {
  readonly facility: number;
  readonly day: number;
  readonly invalid: boolean;
  readonly invalidOrdinal: number;
  readonly runId: string;
  readonly runHex: string;

  constructor(
    readonly index: number,
    readonly phase: LoadPhase,
    readonly pacer: Pacer,
  ) {
    const run = phase.run;
    this.facility = index % run.facilities;
    this.day = Math.floor(index / run.facilities);
    this.invalid = isInvalidFlow(index, run.invalidShare);
    this.invalidOrdinal = invalidOrdinal(index, run.invalidShare);
    this.runId = run.id;
    this.runHex = run.hex;
  }

  sequence(): number {
    return this.phase.nextSequence();
  }

  send(request: FlowRequest): Promise<Answer | undefined> {
    return this.phase.send(this.pacer, request);
  }

  fail(step: string, requirements: readonly string[], message: string, example: string): void {
    const expectation = this.phase.expectationOf(requirements);
    this.phase.recorder.finding({ requirements, expectation, step, message, example });
    if (expectation === 'SHALL') this.phase.recorder.flowError();
  }

  wrote(type: string, id: string | undefined): void {
    this.phase.writes.add(type, id);
  }

  sample(offer: SampleOffer): void {
    this.phase.sample.offer(offer);
  }
}
