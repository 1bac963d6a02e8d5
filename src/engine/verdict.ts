/**
 * Verdict rules, in one place so every report agrees:
 * - a test passes when all its assertions pass;
 * - a failed assertion fails the test when a SHALL requirement is at stake, and is only a warning
 *   when every requirement at stake is SHOULD, MAY or SHOULD-NOT ("a failed SHOULD is a warning,
 *   never a fail");
 * - a requirement takes the worst verdict of the tests citing it (fail > error > warning > manual >
 *   pass > skip), or `not-tested` when none ran.
 */
import type {
  Assertion,
  CapabilitySummary,
  Requirement,
  RequirementResult,
  RequirementVerdict,
  RunResults,
  TestResult,
  Verdict,
} from './results.js';

const SEVERITY: Record<Verdict, number> = { fail: 5, error: 4, warning: 3, manual: 2, pass: 1, skip: 0 };

export function worst(verdicts: Iterable<Verdict>): Verdict | undefined {
  let out: Verdict | undefined;
  for (const v of verdicts) if (out === undefined || SEVERITY[v] > SEVERITY[out]) out = v;
  return out;
}

/** What a failure of this assertion means for the given requirements: `fail` or `warning`. */
function failureVerdict(a: Assertion, atStake: readonly Requirement[]): 'fail' | 'warning' {
  if (a.severity === 'warning') return 'warning';
  const relevant = a.requirement ? atStake.filter((r) => r.id === a.requirement) : atStake;
  return relevant.some((r) => r.expectation === 'SHALL') ? 'fail' : 'warning';
}

/** The verdict of a test that ran to its end (or was stopped by a failed assertion), from its assertions. */
export function verdictFromAssertions(assertions: readonly Assertion[], requirements: readonly Requirement[]): { verdict: Verdict; reason?: string } {
  const failed = assertions.filter((a) => !a.passed);
  if (failed.length === 0) return { verdict: 'pass' };
  const decisive = failed.filter((a) => failureVerdict(a, requirements) === 'fail');
  const verdict = decisive.length ? 'fail' : 'warning';
  const shown = decisive.length ? decisive : failed;
  const more = shown.length > 1 ? ` (and ${shown.length - 1} more failed check${shown.length > 2 ? 's' : ''})` : '';
  return { verdict, reason: `${shown[0]!.message}${more}` };
}

/**
 * The verdict a test gives one of the requirements it cites. A test citing a SHALL and a SHOULD
 * that fails only its SHOULD check fails neither the test nor the SHALL requirement.
 */
export function verdictForRequirement(test: TestResult, requirement: Requirement): Verdict {
  if (test.verdict !== 'fail' && test.verdict !== 'warning') return test.verdict;
  const failed = test.assertions.filter((a) => !a.passed && (a.requirement === undefined || a.requirement === requirement.id));
  if (failed.length === 0) return 'pass';
  return failed.some((a) => failureVerdict(a, [requirement]) === 'fail') ? 'fail' : 'warning';
}

export function requirementResults(catalogue: readonly Requirement[], tests: readonly TestResult[]): RequirementResult[] {
  const citing = new Map<string, TestResult[]>();
  for (const t of tests) for (const id of t.requirements) (citing.get(id) ?? citing.set(id, []).get(id)!).push(t);
  return catalogue.map((r) => {
    const ts = citing.get(r.id) ?? [];
    const verdict: RequirementVerdict = worst(ts.map((t) => verdictForRequirement(t, r))) ?? 'not-tested';
    return { ...r, verdict, tests: ts.map((t) => t.id) };
  });
}

/**
 * SHALL and SHOULD shares of a set of requirements: passed (verdict `pass`) of all, tested or not;
 * SHOULD-NOT counts with SHOULD, MAY with neither. results.json and every report take their numbers
 * from here, so they cannot disagree.
 */
export function requirementShares(requirements: readonly Pick<RequirementResult, 'expectation' | 'verdict'>[]): Pick<CapabilitySummary, 'shall' | 'should'> {
  const tally = (levels: readonly Requirement['expectation'][]) => {
    const of = requirements.filter((r) => levels.includes(r.expectation));
    return { passed: of.filter((r) => r.verdict === 'pass').length, total: of.length };
  };
  return { shall: tally(['SHALL']), should: tally(['SHOULD', 'SHOULD-NOT']) };
}

export function capabilitySummaries(
  capabilities: readonly { url: string; title?: string }[],
  requirements: readonly RequirementResult[],
): CapabilitySummary[] {
  return capabilities.map(({ url, title }) => ({ url, title: title ?? url, ...requirementShares(requirements.filter((r) => r.capability === url)) }));
}

export function countVerdicts(tests: readonly Pick<TestResult, 'verdict'>[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, warning: 0, skip: 0, error: 0, manual: 0 };
  for (const t of tests) counts[t.verdict]++;
  return counts;
}

/** `fail` when a SHALL requirement failed, else `error` when a test broke, else `pass`. */
export function overallVerdict(requirements: readonly RequirementResult[], tests: readonly TestResult[]): RunResults['overall'] {
  if (requirements.some((r) => r.expectation === 'SHALL' && r.verdict === 'fail') || tests.some((t) => t.verdict === 'fail')) return 'fail';
  if (tests.some((t) => t.verdict === 'error')) return 'error';
  return 'pass';
}
