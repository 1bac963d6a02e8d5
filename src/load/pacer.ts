/**
 * When each request may go. The open model hands out requests at the arrival rate whatever the SUT
 * answers, each stamped with the instant it was due, so a request held back by a slow SUT (or by
 * the --max-in-flight cap) has the wait in its latency: the measure stays free of coordinated
 * omission. The closed model lets each of its clients send as soon as its previous answer came.
 * Both stop at the duration, at the request budget (counting every request sent, exactly), or on
 * Ctrl-C.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Pacer {
  /**
   * Waits until the next request may go; gives the instant it was due (performance.now() ms), or
   * undefined when the load phase is over. The closed model answers at once, without a promise:
   * one fewer turn of the microtask queue for every request.
   */
  acquire(): Promise<number | undefined> | number | undefined;
  /** The request let go by acquire() has its answer. */
  release(): void;
  /** Stops handing out requests. */
  stop(reason: 'duration' | 'interrupted'): void;
  /** Requests handed out so far. */
  readonly sent: number;
  readonly stopReason: 'duration' | 'requests' | 'interrupted' | undefined;
}

interface Waiter {
  resolve(due: number | undefined): void;
}

/** Shared by both models: the request budget and the stop. */
abstract class Budgeted {
  sent = 0;
  stopReason: 'duration' | 'requests' | 'interrupted' | undefined;
  constructor(protected readonly budget: number | undefined) {}

  protected exhausted(): boolean {
    if (this.budget !== undefined && this.sent >= this.budget) {
      this.stopReason ??= 'requests';
      return true;
    }
    return this.stopReason !== undefined;
  }
}

/**
 * Closed model: every acquire() is granted at once (the clients themselves bound what is in
 * flight), until the budget is spent or the run stops.
 */
export class ClosedPacer extends Budgeted implements Pacer {
  acquire(): number | undefined {
    if (this.exhausted()) return undefined;
    this.sent++;
    return performance.now();
  }

  release(): void {}

  stop(reason: 'duration' | 'interrupted'): void {
    this.stopReason ??= reason;
  }
}

export interface OpenPacerOptions {
  /** Requests per second once ramped up. */
  rate: number;
  rampMs: number;
  maxInFlight: number;
  budget?: number;
  /** Starts a new flow, whose first acquire() takes the next due request; called when no flow is waiting for one. */
  startFlow(): void;
}

/**
 * Open model. A loop computes how many requests are due by now (rate × time, integrated over the
 * ramp) and hands each, with its exact due instant, to the longest-waiting flow, starting a new
 * flow when none waits; due requests wait while --max-in-flight are outstanding.
 */
export class OpenPacer extends Budgeted implements Pacer {
  readonly #options: OpenPacerOptions;
  readonly #waiters: Waiter[] = [];
  /** Requests due so far; those from `sent` on are due but not yet handed out (request k is due at #dueAt(k)). */
  #produced = 0;
  #inFlight = 0;
  #start = 0;
  /** Requests that found --max-in-flight outstanding when they were due. */
  heldBack = 0;
  #heldMark = 0;

  constructor(options: OpenPacerOptions) {
    super(options.budget);
    this.#options = options;
  }

  /** Starts the arrivals; resolves when no more will be produced. */
  run(): Promise<void> {
    this.#start = performance.now();
    return this.#produce();
  }

  acquire(): Promise<number | undefined> {
    if (this.#finished()) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#waiters.push({ resolve });
    });
  }

  release(): void {
    this.#inFlight--;
    this.#pump();
    this.#settleIfDone();
  }

  stop(reason: 'duration' | 'interrupted'): void {
    this.stopReason ??= reason;
    // Requests due but not yet sent are not sent once the load phase is over.
    this.#produced = this.sent;
    this.#settleIfDone();
  }

  /** No more requests will be handed out: nothing due, none to come. */
  #finished(): boolean {
    if (this.#produced > this.sent) return false;
    return this.stopReason !== undefined || (this.#options.budget !== undefined && this.#produced >= this.#options.budget);
  }

  /** Flows still waiting when nothing more will come are told the load phase is over. */
  #settleIfDone(): void {
    if (!this.#finished()) return;
    this.stopReason ??= 'requests';
    for (const w of this.#waiters.splice(0)) w.resolve(undefined);
  }

  /** Due requests produced by `elapsed` ms after the start, with the rate ramping up linearly over rampMs. */
  #dueBy(elapsed: number): number {
    const { rate, rampMs } = this.#options;
    const perMs = rate / 1000;
    if (rampMs <= 0) return Math.floor(perMs * elapsed);
    if (elapsed <= rampMs) return Math.floor((perMs * elapsed * elapsed) / (2 * rampMs));
    return Math.floor((perMs * rampMs) / 2 + perMs * (elapsed - rampMs));
  }

  /** When request k (0-based) is due, ms after the start: the inverse of #dueBy. */
  #dueAt(k: number): number {
    const { rate, rampMs } = this.#options;
    const perMs = rate / 1000;
    const n = k + 1;
    if (rampMs > 0 && n <= (perMs * rampMs) / 2) return Math.sqrt((2 * rampMs * n) / perMs);
    return rampMs > 0 ? (n - (perMs * rampMs) / 2) / perMs + rampMs : n / perMs;
  }

  async #produce(): Promise<void> {
    const budget = this.#options.budget ?? Number.POSITIVE_INFINITY;
    while (this.stopReason === undefined && this.#produced < budget) {
      this.#produced = Math.max(this.#produced, Math.min(this.#dueBy(performance.now() - this.#start), budget));
      this.#pump();
      if (this.#produced >= budget) break;
      // The next request's due instant is exact whatever this wake-up's delay, so the loop need
      // not wake for every request at high rates.
      const next = this.#start + this.#dueAt(this.#produced);
      await sleep(Math.max(0, Math.min(next - performance.now(), 50)));
    }
    this.#settleIfDone();
  }

  #pump(): void {
    while (this.#produced > this.sent) {
      if (this.#inFlight >= this.#options.maxInFlight) {
        // Count each request held back once, however often the pump looks at it.
        if (this.#produced > this.#heldMark) {
          this.heldBack += this.#produced - Math.max(this.#heldMark, this.sent);
          this.#heldMark = this.#produced;
        }
        return;
      }
      if (this.#waiters.length === 0) {
        this.#options.startFlow();
        if (this.#waiters.length === 0) return;
      }
      const due = this.#start + this.#dueAt(this.sent);
      const waiter = this.#waiters.shift()!;
      this.#inFlight++;
      this.sent++;
      waiter.resolve(due);
    }
  }
}
