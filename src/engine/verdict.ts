/**
 * Verdict rules, in one place so every report agrees:
 * - every check names the requirement(s) it decides (a check in a test citing one requirement
 *   decides that one);
 * - a test passes when all its checks pass; a failed check fails the test when a SHALL requirement
 *   it decides is at stake, and is only a warning when every requirement it decides is SHOULD, MAY
 *   or SHOULD-NOT ("a failed SHOULD is a warning, never a fail");
 * - a requirement passes in a test only on positive evidence: at least one check deciding it
 *   passed and none failed. One whose checks never ran is not decided: `skip` with the reason when
 *   the situation it speaks of did not arise, `error` when the SUT or the harness broke first;
 * - across tests a requirement takes the worst of its verdicts (fail > error > warning > manual >
 *   pass > skip), or `not-tested` when no test cited it.
 */
import type { Assertion, CapabilitySummary, Requirement, RequirementResult, RequirementVerdict, RunResults, TestResult, Verdict } from './results.js';

const SEVERITY: Record<Verdict, number> = { fail: 5, error: 4, warning: 3, manual: 2, pass: 1, skip: 0 };

export function worst(verdicts: Iterable<Verdict>): Verdict | undefined {
  let out: Verdict | undefined;
  for (const v of verdicts) if (out === undefined || SEVERITY[v] > SEVERITY[out]) out = v;
  return out;
}

/**
 * The requirements a check decides. Results written before checks named them carry at most
 * `requirement`; a check naming nothing decides everything its test cites.
 */
export function decidedBy(a: Assertion, cited: readonly string[]): readonly string[] {
  if (a.requirements?.length) return a.requirements;
  if (a.requirement !== undefined) return [a.requirement];
  return cited;
}

/** What a failure of this check means: `fail` when a SHALL it decides is among `atStake`, else `warning`. */
function failureVerdict(a: Assertion, atStake: readonly Requirement[]): 'fail' | 'warning' {
  if (a.severity === 'warning') return 'warning';
  const decided = decidedBy(
    a,
    atStake.map((r) => r.id),
  );
  return atStake.some((r) => decided.includes(r.id) && r.expectation === 'SHALL') ? 'fail' : 'warning';
}

/** The verdict of a test that ran to its end (or was stopped by a failed check), from its checks. */
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
 * The verdict one test gives one of the requirements it cites, and why. A test citing a SHALL and
 * a SHOULD that fails only its SHOULD check fails neither the test nor the SHALL requirement; a
 * test that stopped before any check about a requirement leaves it undecided.
 */
export function verdictForRequirement(test: TestResult, requirement: Requirement): { verdict: Verdict; reason?: string } {
  const mine = test.assertions.filter((a) => decidedBy(a, test.requirements).includes(requirement.id));
  const failed = mine.filter((a) => !a.passed);
  if (failed.length) {
    const verdict = failed.some((a) => failureVerdict(a, [requirement]) === 'fail') ? 'fail' : 'warning';
    return { verdict, reason: failed[0]!.message };
  }
  if (test.verdict === 'error' || test.verdict === 'skip' || test.verdict === 'manual') {
    return { verdict: test.verdict, ...(test.reason !== undefined ? { reason: test.reason } : {}) };
  }
  if (mine.some((a) => a.passed)) return { verdict: 'pass' };
  const why = test.undecided?.find((u) => u.requirement === requirement.id)?.reason;
  return { verdict: 'skip', reason: why ?? `not decided: ${test.verdict === 'pass' ? 'no check of the test was about it' : 'the test ended before any check about it'}` };
}

export function requirementResults(catalogue: readonly Requirement[], tests: readonly TestResult[]): RequirementResult[] {
  const citing = new Map<string, TestResult[]>();
  for (const t of tests) for (const id of t.requirements) (citing.get(id) ?? citing.set(id, []).get(id)!).push(t);
  return catalogue.map((r) => {
    const ts = citing.get(r.id) ?? [];
    const decided = ts.map((t) => ({ test: t, ...verdictForRequirement(t, r) }));
    const verdict: RequirementVerdict = worst(decided.map((d) => d.verdict)) ?? 'not-tested';
    const deciding = decided.find((d) => d.verdict === verdict && d.reason !== undefined && verdict !== 'pass');
    return { ...r, verdict, tests: ts.map((t) => t.id), ...(deciding ? { reason: `${deciding.reason} (${deciding.test.id})` } : {}) };
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

export function capabilitySummaries(capabilities: readonly { url: string; title?: string }[], requirements: readonly RequirementResult[]): CapabilitySummary[] {
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
