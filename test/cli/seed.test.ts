import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { declaration } from '../../simulators/measure-source/index.js';
import type { MeasureSourceFault } from '../../simulators/measure-source/faults.js';
import { startFhirServer, type RunningFhirServer, type ServerDeclaration } from '../../src/fhir/server/index.js';
import { captureIo } from './cli-io.js';

// An empty Measure Source that also takes writes: what a vendor's server looks like before --seed.
const writable: ServerDeclaration<MeasureSourceFault> = {
  ...declaration,
  resources: [
    ...declaration.resources.map((r) => ({ ...r, interactions: [...r.interactions, 'update' as const], updateCreate: true })),
    ...['ValueSet', 'Library'].map((type) => ({ type, interactions: ['read' as const, 'update' as const], searchParams: [], updateCreate: true })),
  ],
};

describe('measure-conformance run --seed', () => {
  let sut: RunningFhirServer;
  const dir = mkdtempSync(join(tmpdir(), 'mc-seed-'));
  beforeAll(async () => {
    sut = await startFhirServer({ declaration: writable });
  });
  afterAll(async () => {
    await sut.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses --seed without a SUT', async () => {
    const io = captureIo(dir);
    expect(await main(['run', '--seed'], io)).toBe(2);
    expect(io.err()).toMatch(/--seed loads fixtures into a SUT/);
  });

  it('loads the fixtures into an empty SUT, after which the Measure Source suite has data to test', async () => {
    expect(sut.store.count('MeasureReport')).toBe(0);
    const io = captureIo(dir);
    const code = await main(['run', '--sut', sut.url, '--seed', '--suite', 'saner/query-measure/measure-source', '--out', 'out', '--fail-on', 'never'], io);
    expect(code, io.err()).toBe(0);
    expect(sut.store.count('MeasureReport')).toBeGreaterThan(50);
    const results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as { tests: { verdict: string; reason?: string }[] };
    // Seeded, this server (the reference simulator's declaration plus writes) passes every test but
    // the attestations, which need a person, and the two whose situation the fixtures do not give
    // (a broad search refused, more than a page of 100 matches), which say so.
    expect(results.tests.length).toBeGreaterThan(50);
    expect(results.tests.filter((t) => t.verdict !== 'pass' && t.verdict !== 'manual').map((t) => `${t.verdict}: ${t.reason}`)).toEqual([
      'skip: not used (MAY): GET [base]/MeasureReport with no parameters answered 200 OK, so the server refuses no search as too broad',
      'skip: the search by measure matched 42 reports, answered in one page: with no more than 100 matches a bounded page cannot be told from an unbounded one',
    ]);
  }, 120_000);
});
