/**
 * What needs someone: the requirements that failed, errored, warned or wait for a person's answer,
 * each with the one reason a reader needs. The HTML summary, the Markdown step summary and the
 * GitHub annotations all list these, in this order.
 */
import type { Assertion, RequirementResult, RequirementVerdict, RunResults, TestResult } from '../engine/results.js';

export interface AttentionItem {
  requirement: RequirementResult;
  /** Why, in words: the failed check, the test's reason, or what a person must answer. */
  reason: string;
  /** The test that decided the verdict, when one did. */
  test?: TestResult;
}

const ORDER: Partial<Record<RequirementVerdict, number>> = { fail: 0, error: 1, warning: 2, manual: 3 };
const LEVEL: Record<RequirementResult['expectation'], number> = { SHALL: 0, SHOULD: 1, 'SHOULD-NOT': 1, MAY: 2 };

/** Whether a failed check speaks about this requirement (a check naming none speaks for all its test cites). */
function decides(a: Assertion, id: string): boolean {
  if (a.requirements) return a.requirements.includes(id);
  return a.requirement === undefined || a.requirement === id;
}

/** Runs of whitespace as one space, so a reason fits one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The reason a requirement has its verdict, from the test that decided it. */
export function requirementReason(r: RequirementResult, testsById: ReadonlyMap<string, TestResult>): { reason: string; test?: TestResult } {
  if (r.verdict === 'not-tested') return { reason: r.notTestedReason ?? 'no test in this run covers it' };
  const tests = r.tests.flatMap((id) => testsById.get(id) ?? []);
  const deciding = tests.find((t) => t.verdict === r.verdict) ?? tests.find((t) => t.verdict !== 'pass' && t.verdict !== 'skip') ?? tests[0];
  if (!deciding) return { reason: r.verdict };
  const failed = deciding.assertions.find((a) => !a.passed && decides(a, r.id));
  const reason = (r.verdict === 'fail' || r.verdict === 'warning') && failed ? failed.message : (deciding.reason ?? failed?.message ?? r.verdict);
  return { reason: oneLine(reason), test: deciding };
}

/** Failed, errored, warned and manual requirements: failures first, SHALL before SHOULD, then catalogue order. */
export function attentionItems(results: RunResults): AttentionItem[] {
  const testsById = new Map(results.tests.map((t) => [t.id, t]));
  return results.requirements
    .map((requirement, index) => ({ requirement, index }))
    .filter(({ requirement }) => ORDER[requirement.verdict] !== undefined)
    .sort((a, b) => ORDER[a.requirement.verdict]! - ORDER[b.requirement.verdict]! || LEVEL[a.requirement.expectation] - LEVEL[b.requirement.expectation] || a.index - b.index)
    .map(({ requirement }) => ({ requirement, ...requirementReason(requirement, testsById) }));
}
