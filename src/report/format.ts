import type { Expectation, RequirementVerdict, Verdict } from '../engine/results.js';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'warning', 'error', 'skip', 'manual'];
export const REQUIREMENT_VERDICTS: readonly RequirementVerdict[] = [...VERDICTS, 'not-tested'];
export const EXPECTATIONS: readonly Expectation[] = ['SHALL', 'SHOULD', 'MAY', 'SHOULD-NOT'];

const LABELS: Record<RequirementVerdict, string> = {
  pass: 'Pass',
  fail: 'Fail',
  warning: 'Warning',
  error: 'Error',
  skip: 'Skipped',
  manual: 'Manual',
  'not-tested': 'Not tested',
};

export function verdictLabel(verdict: RequirementVerdict): string {
  return LABELS[verdict];
}

/** `83.5 s` under ten minutes, `1 h 02 min 05 s` style above. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${totalSeconds.toFixed(1)} s`;
  const s = Math.round(totalSeconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min ${sec} s` : `${m} min ${sec} s`;
}

/** An ISO instant as `2026-03-02 09:00:00 UTC`; anything unparseable is shown unchanged. */
export function formatInstant(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function elapsedMs(startedAt: string, finishedAt: string): number {
  return Date.parse(finishedAt) - Date.parse(startedAt);
}

/** A file- and anchor-safe name: `saner/query-measure/source` -> `saner-query-measure-source`. */
export function slug(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed';
}
