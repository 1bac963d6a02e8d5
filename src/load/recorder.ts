/**
 * What the load phase measures: latency and service time in HDR histograms (microsecond
 * resolution, three significant digits), one per step too, a per-second series, answers by status
 * and the findings, counted together when they say the same thing.
 */
import * as hdr from 'hdr-histogram-js';
import type { Expectation } from '../../ig/requirement.js';
import type { LatencySummary, LoadFinding, SecondSample, StepSummary } from './model.js';

type Histogram = hdr.Histogram;

const MAX_EXAMPLES = 5;
/** Percentiles of the histogram plot: dense towards the tail, as HdrHistogram plots are. */
const PLOT_PERCENTILES = [0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 80, 85, 87.5, 90, 92.5, 95, 96, 97, 97.5, 98, 98.5, 99, 99.25, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100];

function histogram(): Histogram {
  // 1 µs to an hour, growing as needed; the JavaScript build, so nothing waits on WebAssembly start-up.
  return hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

const ms = (us: number): number => Math.round(us) / 1000;

/** The value at a percentile: HdrHistogram gives the top of its bucket, which may lie above the largest value recorded. */
function at(h: Histogram, percentile: number): number {
  return ms(Math.min(h.getValueAtPercentile(percentile), h.maxValue));
}

function summary(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
  return {
    p50: at(h, 50),
    p90: at(h, 90),
    p99: at(h, 99),
    p999: at(h, 99.9),
    max: ms(h.maxValue),
    mean: ms(h.mean),
    count: h.totalCount,
  };
}

export interface FindingInput {
  requirements: readonly string[];
  expectation: Expectation;
  step: string;
  message: string;
  example: string;
}

export class Recorder {
  readonly #latency = histogram();
  readonly #service = histogram();
  readonly #second = histogram();
  readonly #steps = new Map<string, { histogram: Histogram; requests: number; errors: number }>();
  readonly #statuses = new Map<string, number>();
  readonly #findings = new Map<string, LoadFinding>();
  readonly #series: SecondSample[] = [];
  #secondIndex = 0;
  #secondRequests = 0;
  #secondErrors = 0;
  #start = 0;
  completed = 0;
  errors = 0;

  /** The load phase begins now (performance.now() time base). */
  begin(at: number): void {
    this.#start = at;
  }

  /** One answered (or failed) request: due, sent and done in performance.now() ms; `status` a code or `no answer: <why>`. */
  record(step: string, due: number, sent: number, done: number, status: string, error: boolean): void {
    this.#advance(done);
    const latency = Math.max(1, Math.round((done - due) * 1000));
    this.#latency.recordValue(latency);
    this.#service.recordValue(Math.max(1, Math.round((done - sent) * 1000)));
    this.#second.recordValue(latency);
    let s = this.#steps.get(step);
    if (!s) {
      s = { histogram: histogram(), requests: 0, errors: 0 };
      this.#steps.set(step, s);
    }
    s.histogram.recordValue(latency);
    s.requests++;
    this.#statuses.set(status, (this.#statuses.get(status) ?? 0) + 1);
    this.completed++;
    this.#secondRequests++;
    if (error) {
      s.errors++;
      this.errors++;
      this.#secondErrors++;
    }
  }

  /** A finding about a whole flow rather than one answer (e.g. a search that missed a known report): an error of the flow's last request. */
  flowError(): void {
    this.errors++;
    this.#secondErrors++;
  }

  finding(input: FindingInput): void {
    const key = `${input.step}\u0000${input.requirements.join(',')}\u0000${input.message}`;
    const known = this.#findings.get(key);
    if (known) {
      known.count++;
      if (known.examples.length < MAX_EXAMPLES) known.examples.push(input.example);
      return;
    }
    this.#findings.set(key, { requirements: [...input.requirements], expectation: input.expectation, step: input.step, message: input.message, count: 1, examples: [input.example] });
  }

  /** Closes the per-second series at `at` (the end of the load phase). */
  end(at: number): void {
    this.#advance(at);
    if (this.#secondRequests > 0 || this.#series.length === 0) this.#flushSecond();
  }

  #advance(now: number): void {
    const index = Math.floor((now - this.#start) / 1000);
    while (this.#secondIndex < index) {
      this.#flushSecond();
      this.#secondIndex++;
    }
  }

  #flushSecond(): void {
    const h = this.#second;
    const empty = h.totalCount === 0;
    this.#series.push({
      t: this.#secondIndex,
      requests: this.#secondRequests,
      errors: this.#secondErrors,
      p50: empty ? 0 : at(h, 50),
      p90: empty ? 0 : at(h, 90),
      p99: empty ? 0 : at(h, 99),
      max: empty ? 0 : ms(h.maxValue),
    });
    h.reset();
    this.#secondRequests = 0;
    this.#secondErrors = 0;
  }

  latency(): LatencySummary {
    return summary(this.#latency);
  }

  serviceTime(): LatencySummary {
    return summary(this.#service);
  }

  latencyHistogram(): string {
    return hdr.encodeIntoCompressedBase64(this.#latency);
  }

  percentiles(): { percentile: number; ms: number }[] {
    if (this.#latency.totalCount === 0) return [];
    return PLOT_PERCENTILES.map((p) => ({ percentile: p, ms: at(this.#latency, p) }));
  }

  steps(): StepSummary[] {
    return [...this.#steps].map(([step, s]) => ({ step, requests: s.requests, errors: s.errors, latency: summary(s.histogram) }));
  }

  statuses(): Record<string, number> {
    return Object.fromEntries([...this.#statuses].sort(([a], [b]) => a.localeCompare(b)));
  }

  findings(): LoadFinding[] {
    return [...this.#findings.values()].sort((a, b) => b.count - a.count);
  }

  series(): SecondSample[] {
    return this.#series;
  }
}
