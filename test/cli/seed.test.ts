import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('refuses sut.seed in the config together with --read-only, naming where the seeding was asked for', async () => {
    writeFileSync(join(dir, 'seeding.yaml'), `sut:\n  name: Vendor server\n  baseUrl: ${sut.url}\n  seed: true\n`);
    const io = captureIo(dir);
    expect(await main(['run', '--config', 'seeding.yaml', '--read-only'], io)).toBe(2);
    expect(io.err()).toMatch(/sut\.seed in the config writes the fixtures into the SUT, which --read-only forbids/);
  });

  it('a SUT that stops answering while it is seeded ends the run with exit 3, listing what went in', async () => {
    // Takes every type by update, stores three PUTs, then drops every connection.
    let puts = 0;
    const dying = createServer((req, res) => {
      if (puts >= 3) return void req.socket.destroy();
      if (req.method === 'PUT') {
        puts += 1;
        res.writeHead(201, { 'content-type': 'application/fhir+json' });
        return void req.pipe(res);
      }
      const statement = {
        resourceType: 'CapabilityStatement',
        status: 'active',
        kind: 'instance',
        fhirVersion: '4.0.1',
        format: ['json'],
        rest: [
          {
            mode: 'server',
            resource: ['MeasureReport', 'Measure', 'Location', 'Organization', 'Library', 'ValueSet'].map((type) => ({
              type,
              interaction: [{ code: 'read' }, { code: 'update' }, { code: 'delete' }],
            })),
          },
        ],
      };
      res.writeHead(req.url === '/metadata' ? 200 : 404, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(req.url === '/metadata' ? statement : { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }));
    });
    await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', resolve));
    try {
      const io = captureIo(dir);
      const code = await main(['run', '--sut', `http://127.0.0.1:${(dying.address() as AddressInfo).port}`, '--seed', '--suite', 'saner/query-measure/measure-source', '--out', 'out-dying'], io);
      expect(code, io.err()).toBe(3);
      expect(io.err()).toMatch(/^measure-conformance run: seeding stopped: /m);
      expect(io.err()).toMatch(/^Wrote 3 resource\(s\) into the SUT: 0 deleted, 0 put back as they were, 0 kept, 3 could not be removed\.$/m);
    } finally {
      dying.closeAllConnections();
      await new Promise<void>((resolve) => dying.close(() => resolve()));
    }
  });
});
