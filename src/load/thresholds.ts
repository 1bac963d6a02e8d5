/**
 * `--threshold` expressions: a metric, a comparison and a value, e.g. `p99<500ms`, `errors<0.1%`,
 * `errors<=3`, `rps>=200`, `findings=0`. A missed threshold makes the exit code 1.
 */
import type { LoadResult, ThresholdResult } from './model.js';

const LATENCY = { p50: 'p50', p90: 'p90', p99: 'p99', 'p99.9': 'p999', max: 'max', mean: 'mean' } as const;
type LatencyMetric = keyof typeof LATENCY;
type Metric = LatencyMetric | 'errors' | 'rps' | 'findings';
type Comparison = '<' | '<=' | '>' | '>=' | '=';

export interface Threshold {
  expression: string;
  metric: Metric;
  comparison: Comparison;
  value: number;
  /** errors only: the value is a share of the requests sent. */
  percent: boolean;
}

const PATTERN = /^(p50|p90|p99|p99\.9|max|mean|errors|rps|findings)\s*(<=|>=|<|>|=)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?$/;

/** Parses one expression; throws an Error whose message says what is accepted. */
export function parseThreshold(text: string): Threshold {
  const m = PATTERN.exec(text.trim());
  if (!m)
    throw new Error(
      `--threshold ${JSON.stringify(text)}: expected METRIC OP VALUE, e.g. 'p99<500ms', 'errors<0.1%', 'rps>=100', 'findings=0' (metrics p50 p90 p99 p99.9 max mean errors rps findings)`,
    );
  const [, metric, comparison, raw, unit] = m as unknown as [string, Metric, Comparison, string, string | undefined];
  let value = Number(raw);
  const latency = metric in LATENCY;
  if (latency) {
    if (unit === '%') throw new Error(`--threshold ${JSON.stringify(text)}: a latency takes ms or s, not %`);
    if (unit === 's') value *= 1000;
  } else if (unit === 'ms' || unit === 's') {
    throw new Error(`--threshold ${JSON.stringify(text)}: ${metric} is not a time`);
  } else if (unit === '%' && metric !== 'errors') {
    throw new Error(`--threshold ${JSON.stringify(text)}: only errors takes a percentage`);
  }
  return { expression: text.trim(), metric, comparison, value, percent: unit === '%' };
}

function actualOf(t: Threshold, result: LoadResult): number {
  if (t.metric === 'errors') return t.percent ? result.requests.errorRate * 100 : result.requests.errors;
  if (t.metric === 'rps') return result.throughput.requestsPerSecond;
  if (t.metric === 'findings') return result.findings.filter((f) => f.expectation === 'SHALL').reduce((n, f) => n + f.count, 0);
  return result.latency[LATENCY[t.metric]];
}

function holds(actual: number, comparison: Comparison, value: number): boolean {
  switch (comparison) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '=':
      return actual === value;
  }
}

export function evaluateThresholds(thresholds: readonly Threshold[], result: LoadResult): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = actualOf(t, result);
    return { expression: t.expression, passed: holds(actual, t.comparison, t.value), actual: Math.round(actual * 1000) / 1000 };
  });
}

/**
 * The same thresholds in k6's terms, where k6 has them: errors as a share become the rate of passed
 * checks, findings=0 every check passed; counts of errors and other finding counts have no k6 form
 * and are listed in `unmapped`.
 */
export function k6Thresholds(thresholds: readonly Threshold[]): { thresholds: Record<string, string[]>; unmapped: string[] } {
  const out: Record<string, string[]> = {};
  const unmapped: string[] = [];
  const add = (metric: string, rule: string) => {
    const rules = out[metric] ?? [];
    rules.push(rule);
    out[metric] = rules;
  };
  const op = (c: Comparison) => (c === '=' ? '==' : c);
  for (const t of thresholds) {
    if (t.metric in LATENCY) {
      const m = t.metric as LatencyMetric;
      add('http_req_duration', `${m === 'mean' ? 'avg' : m === 'max' ? 'max' : `p(${m.slice(1)})`}${op(t.comparison)}${t.value}`);
    } else if (t.metric === 'errors') {
      if (t.percent) add('checks', `rate${flip(t.comparison)}${Math.round((1 - t.value / 100) * 1e6) / 1e6}`);
      else unmapped.push(t.expression);
    } else if (t.metric === 'rps') {
      add('http_reqs', `rate${op(t.comparison)}${t.value}`);
    } else if (t.value === 0 && (t.comparison === '=' || t.comparison === '<=')) {
      add('checks', 'rate==1');
    } else {
      unmapped.push(t.expression);
    }
  }
  return { thresholds: out, unmapped };
}

/** errors < x% is passed checks > 1 - x%. */
function flip(c: Comparison): string {
  return { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '==' }[c];
}
