/** The console summary of a load run: what ran, what it measured, what the SUT broke, what was left in it. */
import type { LatencySummary, LoadModel, LoadResult } from './model.js';

const n = (x: number): string => x.toLocaleString('en-US');
const msText = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function modelText(model: LoadModel): string {
  return model.type === 'open' ? `open model, ${n(model.rate)} requests/s, at most ${n(model.maxInFlight)} in flight` : `closed model, ${n(model.concurrency)} clients`;
}

function latencyText(l: LatencySummary): string {
  return `p50 ${msText(l.p50)} ms  p90 ${msText(l.p90)}  p99 ${msText(l.p99)}  p99.9 ${msText(l.p999)}  max ${msText(l.max)}`;
}

export function boundsText(result: LoadResult): string {
  const { bounds } = result;
  const parts = [bounds.durationMs !== undefined ? `${bounds.durationMs / 1000} s` : undefined, bounds.requests !== undefined ? `${n(bounds.requests)} requests` : undefined].filter(Boolean);
  return `${parts.join(' or ')}${bounds.rampMs ? `, ramp-up ${bounds.rampMs / 1000} s` : ''}`;
}

export function writesText(result: LoadResult): string {
  const w = result.writes;
  if (w.written === 0) return 'nothing written';
  return `${n(w.written)} written, ${n(w.removed)} removed, ${n(w.left)} left${w.note ? `: ${w.note}` : ''}`;
}

const STOPPED = { duration: 'the duration was reached', requests: 'the request count was reached', interrupted: 'interrupted (Ctrl-C)' } as const;

export function renderLoadSummary(result: LoadResult, files: readonly string[]): string {
  const r = result.requests;
  const lines = [
    `load ${result.scenario.id} against ${result.sut.baseUrl} (${result.sut.name}${result.sut.simulated ? ', the bundled simulator in this process' : ''})`,
    `  model       ${modelText(result.model)}; bound ${boundsText(result)}; ${result.facilities} facilities${result.invalidShare ? `, ${+(result.invalidShare * 100).toFixed(2)} % invalid` : ''}`,
    `  stopped     ${STOPPED[result.stopReason]} after ${(result.elapsedMs / 1000).toFixed(1)} s`,
    `  requests    ${n(r.sent)} sent, ${n(r.completed)} answered: ${n(result.throughput.requestsPerSecond)} requests/s; ${n(r.errors)} errors (${(r.errorRate * 100).toFixed(2)} %)`,
    ...(result.model.type === 'open' && r.maxInFlightHits
      ? [`  in flight   --max-in-flight ${n(result.model.maxInFlight)} reached: ${n(r.maxInFlightHits)} requests waited for a free slot (their wait is in the latency)`]
      : []),
    `  latency     ${latencyText(result.latency)}${result.model.type === 'open' ? '  (from when each request was due)' : ''}`,
    ...(result.model.type === 'open' ? [`  service     ${latencyText(result.serviceTime)}  (from when each request was sent)`] : []),
    `  steps       ${result.steps.map((s) => `${s.step} ${n(s.requests)} (p99 ${msText(s.latency.p99)} ms${s.errors ? `, ${n(s.errors)} errors` : ''})`).join(', ')}`,
    `  answers     ${
      Object.entries(result.statuses)
        .map(([status, count]) => `${status} ×${n(count)}`)
        .join(', ') || 'none'
    }`,
  ];
  if (result.findings.length === 0) lines.push('  findings    none');
  else {
    lines.push(`  findings    ${result.findings.length}:`);
    for (const f of result.findings) {
      lines.push(`    ${f.expectation.padEnd(6)} ${f.requirements.join(' ')}  ${f.step}: ${f.message}  ×${n(f.count)}`);
      lines.push(`           e.g. ${f.examples[0] ?? ''}`);
    }
  }
  lines.push(`  validation  ${n(result.validation.sampled)} answers validated, ${n(result.validation.invalid)} invalid`);
  lines.push(`  data        ${writesText(result)}`);
  for (const t of result.thresholds) lines.push(`  threshold   ${t.expression}: ${t.passed ? 'met' : 'MISSED'} (${t.actual})`);
  for (const note of result.notes) lines.push(`  note        ${note}`);
  if (files.length) lines.push(`  report      ${files.join('  ')}`);
  return lines.join('\n');
}
