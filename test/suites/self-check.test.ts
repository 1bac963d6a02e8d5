import { describe, it, expect } from 'vitest';
import { catalogue } from '../../ig/index.js';
import { suites } from '../../suites/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { selfCheck } from '../../src/cli/self-check.js';

// The proof DESIGN.md asks for: against the clean reference simulator every test passes (or is
// skipped for a stated reason), and every test fails under the fault mode it names.
describe.each(suites.map((s) => [s.id, s] as const))('suite %s', (_id, suite) => {
  it('passes cleanly and fails under each negative control', async () => {
    const outcomes = await selfCheck([suite], catalogue(), defaultConfig().config);
    expect(outcomes.length).toBe(suite.tests.length);
    const missed = outcomes.filter((o) => !o.ok).map((o) => `${o.test}: ${o.reason}`);
    expect(missed).toEqual([]);
  }, 300_000);
});
