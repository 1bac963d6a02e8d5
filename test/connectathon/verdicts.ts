/** What a grading decided, without its timings: per test and per requirement its suites cite. */
import type { RunResults } from '../../src/engine/index.js';

export interface Verdicts {
  tests: Record<string, string>;
  requirements: Record<string, string>;
}

export function verdictsOf(results: RunResults): Verdicts {
  const cited = new Set(results.tests.flatMap((t) => t.requirements));
  return {
    tests: Object.fromEntries(results.tests.map((t) => [t.id, t.verdict])),
    requirements: Object.fromEntries(results.requirements.filter((r) => cited.has(r.id)).map((r) => [r.id, r.verdict])),
  };
}
