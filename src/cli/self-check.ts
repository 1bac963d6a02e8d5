/**
 * Proof that the verdicts can be trusted, in two halves:
 * - every suite passes against its clean reference simulator, and each test fails when the SUT's
 *   stand-in runs with the fault mode the test names as its negative control: the simulator of a
 *   server-role suite, or the reference client of a client-role suite (planFor routes the faults).
 *   A test that asks a person (negative control attested-false) fails when the answer is no. A
 *   test that still passes under its fault cannot detect what it claims to check;
 * - against the clean simulator every requirement a test cites gets at least one passing check of
 *   its own (a person's yes, for a question), so no requirement passes only because nothing failed.
 *   A test says in `referenceGaps` why a requirement it cites cannot be shown on the reference.
 */
import { ATTESTED_FALSE, decidedBy, runSuites, type Attestation, type RequirementCatalogue, type RunResults, type Suite, type TestResult, type Verdict } from '../engine/index.js';
import type { HarnessConfig } from '../config/types.js';
import { launcher, planFor } from './selection.js';

export interface ControlOutcome {
  test: string;
  fault: string;
  /** Verdict of the test against the clean simulator. */
  clean: Verdict;
  /** Verdict of the test with its fault switched on. */
  faulty: Verdict;
  /** Clean run passed (or was skipped or left to a person, with a reason) and the faulty run failed (a warning for a SHOULD-only test). */
  ok: boolean;
  reason?: string;
}

/** A requirement a test cites that its clean run gave no passing check of its own. */
export interface Unproved {
  test: string;
  requirement: string;
  /** The test's written reason (its referenceGaps entry), when it has one. */
  gap?: string;
  /** What the clean run did instead. */
  seen: string;
}

export interface SelfCheckResult {
  controls: ControlOutcome[];
  /** (test, requirement) pairs proved by a passing check of their own against the clean simulator. */
  proved: number;
  unproved: Unproved[];
}

/** How far self-check is: runs done of the total (one clean run per suite, one per fault mode), and the run starting. */
export type SelfCheckProgress = (done: number, total: number, next: string) => void;

/** The number of suite runs self-check makes: one clean, then one per distinct negative control. */
export function selfCheckRuns(suites: readonly Suite<object>[]): number {
  return suites.reduce((n, s) => n + 1 + new Set(s.tests.map((t) => t.negativeControl)).size, 0);
}

export async function selfCheck(
  suites: readonly Suite<object>[],
  catalogue: RequirementCatalogue,
  config: HarnessConfig,
  signal?: AbortSignal,
  onProgress?: SelfCheckProgress,
): Promise<SelfCheckResult> {
  const total = selfCheckRuns(suites);
  let done = 0;
  // Clean runs ask their questions unanswered, whatever config.yaml records for a SUT.
  const run = async (suite: Suite<object>, faults: string[], attestations: Record<string, Attestation> = {}): Promise<RunResults> => {
    onProgress?.(done, total, `${suite.id}${faults.length ? ` under ${faults.join(', ')}` : Object.keys(attestations).length ? ' attested no' : ' clean'}`);
    const results = await runSuites({
      suites: [suite],
      catalogue,
      attestations,
      plan: (s) => planFor(s, { ...config, sut: undefined }, faults),
      launch: launcher(config),
      timeouts: { testMs: config.timeouts.testMs, waitMs: config.timeouts.waitMs },
      ...(signal ? { signal } : {}),
    });
    onProgress?.(++done, total, '');
    return results;
  };

  const outcomes: ControlOutcome[] = [];
  const unproved: Unproved[] = [];
  let proved = 0;
  for (const suite of suites) {
    // Questions of the clean run are answered yes, so each gives positive evidence of its own.
    const clean = byId((await run(suite, [], answeredFor(suite, true))).tests);
    for (const t of suite.tests) {
      const result = clean.get(`${suite.id}/${t.slug}`);
      for (const requirement of t.requirements) {
        const shown = result?.assertions.some((a) => a.passed && decidedBy(a, result.requirements).includes(requirement));
        if (shown) proved++;
        else {
          const seen = result ? `the clean run ended ${result.verdict}${result.reason ? ` (${result.reason})` : ''} with no passing check of ${requirement}` : 'the test did not run';
          unproved.push({ test: `${suite.id}/${t.slug}`, requirement, seen, ...(t.referenceGaps?.[requirement] ? { gap: t.referenceGaps[requirement] } : {}) });
        }
      }
    }
    const faults = [...new Set(suite.tests.map((t) => t.negativeControl))];
    for (const fault of faults) {
      const faulty = byId((await (fault === ATTESTED_FALSE ? run(suite, [], answeredFor(suite, false)) : run(suite, [fault]))).tests);
      for (const t of suite.tests.filter((x) => x.negativeControl === fault)) {
        const id = `${suite.id}/${t.slug}`;
        const c = clean.get(id);
        const f = faulty.get(id);
        const shouldOnly = t.requirements.every((r) => catalogue.get(r)?.expectation !== 'SHALL');
        const detected = f?.verdict === 'fail' || (shouldOnly && f?.verdict === 'warning');
        // A manual test passes its checks and then asks a person; its fault must still fail a check.
        const cleanOk = c?.verdict === 'pass' || ((c?.verdict === 'skip' || c?.verdict === 'manual') && !!c.reason);
        outcomes.push({
          test: id,
          fault,
          clean: c?.verdict ?? 'error',
          faulty: f?.verdict ?? 'error',
          ok: cleanOk && detected,
          ...(!cleanOk ? { reason: `against the clean simulator: ${c?.verdict} ${c?.reason ?? ''}`.trim() } : {}),
          ...(cleanOk && !detected ? { reason: `under fault ${fault} the test ended ${f?.verdict}${f?.reason ? ` (${f.reason})` : ''}, not ${shouldOnly ? 'fail or warning' : 'fail'}` } : {}),
        });
      }
    }
  }
  return { controls: outcomes, proved, unproved };
}

/**
 * Self-check's answer to every requirement the attestation tests of the suite ask about: no for
 * their negative control, yes for the clean run.
 */
function answeredFor(suite: Suite<object>, attested: boolean): Record<string, Attestation> {
  const asked = suite.tests.filter((t) => t.negativeControl === ATTESTED_FALSE).flatMap((t) => t.requirements);
  const note = attested ? 'the clean run of an attestation test' : 'the negative control of an attestation test';
  return Object.fromEntries(asked.map((id) => [id, { attested, by: 'self-check', note }]));
}

function byId(tests: TestResult[]): Map<string, TestResult> {
  return new Map(tests.map((t) => [t.id, t]));
}
