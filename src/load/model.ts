/**
 * The shape of a load run: what it was asked to do and what it measured. `load.json` is this
 * object; the console summary, the HTML load report and the thresholds all read it.
 */
import type { Expectation } from '../../ig/requirement.js';

/** Open model: requests arrive at a rate whatever the SUT's speed; closed model: a fixed number of clients, each waiting for its answer. */
export type LoadModel = { type: 'open'; rate: number; maxInFlight: number } | { type: 'closed'; concurrency: number };

export interface LoadBounds {
  /** The load phase ends after this long… */
  durationMs?: number;
  /** …or once this many HTTP requests were sent, whichever comes first. */
  requests?: number;
  /** The rate (open) or the number of clients (closed) grows linearly from zero over this long. */
  rampMs: number;
}

export interface LatencySummary {
  /** Milliseconds, to the microsecond. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

/** A requirement the answers broke, with how often and a few of the requests that showed it. */
export interface LoadFinding {
  requirements: string[];
  /** The strongest expectation among the requirements: SHALL findings make a request an error, SHOULD ones are warnings. */
  expectation: Expectation;
  step: string;
  message: string;
  count: number;
  /** Up to five examples (method, URL, status), oldest first. */
  examples: string[];
}

export interface SecondSample {
  /** Seconds since the load phase began. */
  t: number;
  requests: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface StepSummary {
  step: string;
  requests: number;
  errors: number;
  latency: LatencySummary;
}

export interface WritesSummary {
  /** Resources the run created or updated in the SUT (each carries the run tag). */
  written: number;
  /** Of those, written without an id the harness could learn (no Location, no body id): they cannot be removed by id. */
  withoutId: number;
  removed: number;
  left: number;
  /** --keep-data: nothing was deleted on purpose. */
  kept: boolean;
  /** What the run tag is, so what was left can be found (`_tag=system|code`). */
  tag: { system: string; code: string };
  /** Why something was left, in words. */
  note?: string;
}

export interface ThresholdResult {
  expression: string;
  passed: boolean;
  /** The measured value, in the threshold's unit. */
  actual: number;
}

export interface LoadResult {
  tool: { name: string; version: string };
  runId: string;
  scenario: { id: string; title: string; actor: string };
  sut: { name: string; baseUrl: string; simulated: boolean };
  model: LoadModel;
  bounds: LoadBounds;
  facilities: number;
  invalidShare: number;
  startedAt: string;
  finishedAt: string;
  /** Length of the load phase (setup, validation and clean-up excluded). */
  elapsedMs: number;
  stopReason: 'duration' | 'requests' | 'interrupted';
  requests: {
    sent: number;
    completed: number;
    /** Requests with no answer or with a finding under a SHALL requirement. */
    errors: number;
    errorRate: number;
    /** Times the open model found --max-in-flight requests outstanding and held the next one back. */
    maxInFlightHits: number;
  };
  throughput: { requestsPerSecond: number };
  /**
   * Open model: from the moment the request was due to the end of its answer, so time spent
   * queued behind a slow SUT counts (corrected for coordinated omission). Closed model: equal to
   * the service time.
   */
  latency: LatencySummary;
  /** From the moment the request was sent to the end of its answer. */
  serviceTime: LatencySummary;
  /** The latency histogram, HdrHistogram's compressed base64 form, for other HdrHistogram tools. */
  latencyHistogram: string;
  /** Latency (ms) at percentiles from 0 to 99.999, for the histogram plot. */
  percentiles: { percentile: number; ms: number }[];
  steps: StepSummary[];
  /** Answers by status code; `no answer: <why>` for requests that got none. */
  statuses: Record<string, number>;
  findings: LoadFinding[];
  validation: { sampled: number; invalid: number };
  series: SecondSample[];
  writes: WritesSummary;
  thresholds: ThresholdResult[];
  notes: string[];
}
