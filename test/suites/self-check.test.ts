import { describe, it, expect } from 'vitest';
import { catalogue } from '../../ig/index.js';
import { suites } from '../../suites/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { selfCheck } from '../../src/cli/self-check.js';

// The proof DESIGN.md asks for: against the clean reference simulator every test passes (or is
// skipped for a stated reason) with a passing check of its own for every requirement it cites (or
// a written reason why the reference cannot show one), and every test fails under the fault mode
// it names.
describe.each(suites.map((s) => [s.id, s] as const))('suite %s', (_id, suite) => {
  it('passes cleanly with positive evidence and fails under each negative control', async () => {
    const { controls, unproved } = await selfCheck([suite], catalogue(), defaultConfig().config);
    expect(controls.length).toBe(suite.tests.length);
    const missed = controls.filter((o) => !o.ok).map((o) => `${o.test}: ${o.reason}`);
    expect(missed).toEqual([]);
    expect(unproved.filter((u) => !u.gap).map((u) => `${u.test} ${u.requirement}: ${u.seen}`)).toEqual([]);
  }, 300_000);
});
