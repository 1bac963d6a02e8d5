/**
 * The change view: this run against an earlier one (the run `<report.dir>/latest` showed before, or
 * `report --compare OLD/results.json`), requirement by requirement, since requirement ids are what
 * stays stable across runs and versions of the harness.
 */
import type { RequirementResult, RequirementVerdict, RunResults } from '../engine/results.js';
import { requirementReason } from './attention.js';

/** `absent`: the requirement was not in that run's results (an older catalogue, or results written before the whole catalogue was). */
export type ComparedVerdict = RequirementVerdict | 'absent';

export interface VerdictChange {
  id: string;
  expectation: RequirementResult['expectation'];
  statement: string;
  before: ComparedVerdict;
  after: ComparedVerdict;
  /** Why it has its verdict now (from this run). */
  reason?: string;
}

export interface RunComparison {
  previous: { startedAt: string; sut: string; harness: string; overall: RunResults['overall'] };
  /** Now failed or errored, and did not before. */
  newFailures: VerdictChange[];
  /** Failed or errored before, pass now. */
  fixes: VerdictChange[];
  /** Every other change of verdict. */
  changed: VerdictChange[];
}

/** The earlier run a report is compared with, or why there is none to compare with. */
export type PreviousRun = { source: string; results: RunResults } | { source: string; error: string };

const FAILING: readonly ComparedVerdict[] = ['fail', 'error'];

export function compareRuns(previous: RunResults, current: RunResults): RunComparison {
  const before = new Map(previous.requirements.map((r) => [r.id, r]));
  const testsById = new Map(current.tests.map((t) => [t.id, t]));
  const comparison: RunComparison = {
    previous: {
      startedAt: previous.startedAt,
      sut: previous.sut.name,
      harness: `${previous.harness.name} ${previous.harness.version}`,
      overall: previous.overall,
    },
    newFailures: [],
    fixes: [],
    changed: [],
  };
  const seen = new Set<string>();
  const change = (r: Pick<RequirementResult, 'id' | 'expectation' | 'statement'>, was: ComparedVerdict, now: ComparedVerdict, reason?: string) => {
    // Results written before the whole catalogue was listed leave untested requirements out: no news.
    if (was === now || (was === 'absent' && now === 'not-tested') || (was === 'not-tested' && now === 'absent')) return;
    const entry: VerdictChange = { id: r.id, expectation: r.expectation, statement: r.statement, before: was, after: now, ...(reason ? { reason } : {}) };
    if (FAILING.includes(now) && !FAILING.includes(was)) comparison.newFailures.push(entry);
    else if (FAILING.includes(was) && now === 'pass') comparison.fixes.push(entry);
    else comparison.changed.push(entry);
  };
  for (const r of current.requirements) {
    seen.add(r.id);
    change(r, before.get(r.id)?.verdict ?? 'absent', r.verdict, r.verdict === 'pass' ? undefined : requirementReason(r, testsById).reason);
  }
  for (const r of previous.requirements) if (!seen.has(r.id)) change(r, r.verdict, 'absent');
  return comparison;
}

export function hasChanges(c: RunComparison): boolean {
  return c.newFailures.length + c.fixes.length + c.changed.length > 0;
}
