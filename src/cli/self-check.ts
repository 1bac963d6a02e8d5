/**
 * Proof that the verdicts can be trusted: every suite passes against its clean reference simulator,
 * and each test fails when the SUT's stand-in runs with the fault mode the test names as its
 * negative control: the simulator of a server-role suite, or the reference client of a client-role
 * suite (planFor routes the faults). A test that asks a person (negative control attested-false)
 * fails when the answer recorded for it is no. A test that still passes under its fault cannot
 * detect what it claims to check.
 */
import { ATTESTED_FALSE, runSuites, type Attestation, type Fixture, type RequirementCatalogue, type RunResults, type Suite, type TestResult, type Verdict } from '../engine/index.js';
import type { HarnessConfig } from '../config/types.js';
import { planFor } from './selection.js';

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

/** How far self-check is: runs done of the total (one clean run per suite, one per fault mode), and the run starting. */
export type SelfCheckProgress = (done: number, total: number, next: string) => void;

/** The number of suite runs self-check makes: one clean, then one per distinct negative control. */
export function selfCheckRuns(suites: readonly Suite<Fixture>[]): number {
  return suites.reduce((n, s) => n + 1 + new Set(s.tests.map((t) => t.negativeControl)).size, 0);
}

export async function selfCheck(
  suites: readonly Suite<Fixture>[],
  catalogue: RequirementCatalogue,
  config: HarnessConfig,
  signal?: AbortSignal,
  onProgress?: SelfCheckProgress,
): Promise<ControlOutcome[]> {
  const total = selfCheckRuns(suites);
  let done = 0;
  // Clean runs ask their questions unanswered, whatever config.yaml records for a SUT.
  const run = async (suite: Suite<Fixture>, faults: string[], attestations: Record<string, Attestation> = {}): Promise<RunResults> => {
    onProgress?.(done, total, `${suite.id}${faults.length ? ` under ${faults.join(', ')}` : Object.keys(attestations).length ? ' attested no' : ' clean'}`);
    const results = await runSuites({
      suites: [suite],
      catalogue,
      attestations,
      plan: (s) => planFor(s, { ...config, sut: undefined }, faults),
      timeouts: { testMs: config.timeouts.testMs, waitMs: config.timeouts.waitMs },
      ...(signal ? { signal } : {}),
    });
    onProgress?.(++done, total, '');
    return results;
  };

  const outcomes: ControlOutcome[] = [];
  for (const suite of suites) {
    const clean = byId((await run(suite, [])).tests);
    const faults = [...new Set(suite.tests.map((t) => t.negativeControl))];
    for (const fault of faults) {
      const faulty = byId((await (fault === ATTESTED_FALSE ? run(suite, [], deniedFor(suite, fault)) : run(suite, [fault]))).tests);
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
  return outcomes;
}

/** A "no" from self-check to every requirement the attestation tests of the suite ask about. */
function deniedFor(suite: Suite<Fixture>, fault: string): Record<string, Attestation> {
  const asked = suite.tests.filter((t) => t.negativeControl === fault).flatMap((t) => t.requirements);
  return Object.fromEntries(asked.map((id) => [id, { attested: false, by: 'self-check', note: 'the negative control of an attestation test' }]));
}

function byId(tests: TestResult[]): Map<string, TestResult> {
  return new Map(tests.map((t) => [t.id, t]));
}
