import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activateFaults, defineFaults, NO_FAULTS } from '../../src/fhir/faults.js';
import { coreFaults } from '../../src/fhir/server/index.js';
import { projectRoot } from '../../src/harness.js';
import { simulators, referenceClients } from '../../simulators/index.js';

const sample = defineFaults([
  { id: 'no-paging', description: 'Reads the first page only' },
  { id: 'omit', argument: 'Type/interaction', description: 'Leaves one interaction out' },
]);

describe('fault catalogues', () => {
  it('refuse an id defined twice or not written as lower-case words with hyphens', () => {
    expect(() =>
      defineFaults([
        { id: 'a', description: 'x' },
        { id: 'a', description: 'y' },
      ]),
    ).toThrow(/a is defined twice/);
    expect(() => defineFaults([{ id: 'No_Paging', description: 'x' }])).toThrow(/not lower-case words/);
  });

  it('switch on the ids they know, with and without arguments, and tell the arguments apart', () => {
    const active = activateFaults(['no-paging', 'omit:Location/read', 'omit:Measure/_include'], sample);
    expect(active.has('no-paging')).toBe(true);
    expect(active.has('omit:Location/read')).toBe(true);
    expect(active.has('omit:Location/vread')).toBe(false);
    expect(active.argumentsOf('omit')).toEqual(['Location/read', 'Measure/_include']);
    expect(active.ids).toEqual(['no-paging', 'omit:Location/read', 'omit:Measure/_include']);
    expect(activateFaults([], sample).has('no-paging')).toBe(false);
    expect(NO_FAULTS.ids).toEqual([]);
  });

  it('refuse, at run time, an id given as text that none of the catalogues knows, listing the known ones', () => {
    expect(() => activateFaults(['no-pagin'], sample)).toThrow('unknown fault mode(s) no-pagin; known: no-paging, omit:<Type/interaction>');
    // A plain mode takes no argument; one with an argument needs one.
    expect(() => activateFaults(['no-paging:x'], sample)).toThrow(/unknown fault mode\(s\) no-paging:x/);
    expect(() => activateFaults(['omit'], sample)).toThrow(/unknown fault mode\(s\) omit;/);
    expect(() => activateFaults(['omit:'], sample)).toThrow(/unknown fault mode\(s\) omit:;/);
    // Several catalogues are known together: the core's and a simulator's own.
    expect(activateFaults(['no-next-link', 'no-paging'], coreFaults, sample).has('no-next-link')).toBe(true);
  });

  it('give every simulator and reference client distinct, described fault ids', () => {
    for (const s of simulators) {
      const ids = s.faultIds();
      expect(new Set(ids).size, s.id).toBe(ids.length);
    }
    for (const c of referenceClients) {
      for (const m of c.faults.modes) expect(m.description.length, `${c.id} ${m.id}`).toBeGreaterThan(10);
    }
  });

  it('make a misspelt fault id, or an argument fault asked without its argument, a compile error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-typing-'));
    try {
      const file = join(dir, 'typo.ts');
      writeFileSync(
        file,
        [
          `import { activateFaults } from '${join(projectRoot, 'src/fhir/faults.js')}';`,
          `import { consumerClientFaults } from '${join(projectRoot, 'simulators/measure-consumer-client/faults.js')}';`,
          `const faults = activateFaults([], consumerClientFaults);`,
          `export const fine = [faults.has('no-paging'), faults.has('omit:Location/read'), faults.argumentsOf('omit')];`,
          `export const typo = faults.has('no-pagin');`,
          `export const bare = faults.has('omit');`,
          `export const plain = faults.argumentsOf('no-paging');`,
          '',
        ].join('\n'),
      );
      const tsc = join(projectRoot, 'node_modules', '.bin', 'tsc');
      const run = spawnSync(
        tsc,
        [
          '--ignoreConfig',
          '--noEmit',
          '--strict',
          '--target',
          'es2022',
          '--module',
          'esnext',
          '--moduleResolution',
          'bundler',
          '--skipLibCheck',
          '--types',
          'node',
          '--typeRoots',
          join(projectRoot, 'node_modules', '@types'),
          file,
        ],
        { cwd: dir, encoding: 'utf8' },
      );
      const errors = run.stdout.split('\n').filter((l) => l.includes('error TS'));
      // Exactly the three wrong lines (5, 6 and 7) fail; the right ones compile.
      expect(
        errors.map((l) => /\((\d+),\d+\)/.exec(l)?.[1]),
        run.stdout + run.stderr,
      ).toEqual(['5', '6', '7']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
