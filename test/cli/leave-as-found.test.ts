// A vendor's shared test server after a run: what the run wrote is gone, what it replaced is back,
// --read-only writes nothing, and running the server suites together decides what each decides alone.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import { main } from '../../src/cli/main.js';
import { seedResources } from '../../simulators/measure-source/index.js';
import { RUN_TAG_SYSTEM, type RunResults } from '../../src/engine/index.js';
import { startPlainServer, type PlainServer } from '../stand-ins/plain-fhir-server.js';
import { captureIo } from './cli-io.js';

const SERVER_SUITES = ['fhir-core/fhir-server', 'saner/query-measure/measure-source', 'saner/produce-measure/measure-consumer'];
const TYPES = ['MeasureReport', 'Measure', 'Location', 'Organization', 'Library'];
/** What the vendor's server serves: the SANER types, and the Patients and Observations a Supplemental Data batch carries. */
const SERVED = [...TYPES, 'Patient', 'Observation', 'Condition'];

/** The vendor's own data before the run: a few of the fixtures, one of them changed so a restore can be told from a re-seed. */
function vendorData(): Resource[] {
  const all = seedResources().filter((r) => TYPES.includes(r.resourceType));
  const some = all.filter((r) => r.resourceType !== 'MeasureReport' || /2020-04-0[12]$/.test(r.id ?? ''));
  return some.map((r) => (r.resourceType === 'Location' ? ({ ...r, name: `${(r as { name?: string }).name ?? ''} (vendor copy)` } as Resource) : r));
}

/** What the store holds, without the bookkeeping a write changes (versions, timestamps). */
function contents(server: PlainServer): Map<string, string> {
  return new Map(
    [...server.store].map(([key, r]) => {
      const { meta: _meta, ...rest } = r as Resource & { meta?: unknown };
      return [key, JSON.stringify(rest)];
    }),
  );
}

const servers: PlainServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function run(server: PlainServer, args: string[]): Promise<{ code: number; results: RunResults; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-found-'));
  dirs.push(dir);
  const io = captureIo(dir);
  const code = await main(['run', '--sut', server.baseUrl, '--out', 'out', '--fail-on', 'never', ...args], io);
  return { code, results: JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as RunResults, out: io.out() };
}

const stand = async () => {
  const server = await startPlainServer({ types: SERVED, seed: vendorData(), delete: true, batch: true, formats: ['json', 'xml'] });
  servers.push(server);
  return server;
};

describe('leaving the SUT as found', () => {
  it('after a full run with --seed, a server that implements delete holds exactly what it held before', async () => {
    const server = await stand();
    const before = contents(server);
    const { code, results, out } = await run(server, ['--seed', ...SERVER_SUITES.flatMap((s) => ['--suite', s])]);
    expect(code).toBe(0);
    expect(results.writes!.length).toBeGreaterThan(20);
    // The vendor's Location the seeding overwrote is put back; what the run created is deleted.
    expect(results.writes!.some((w) => w.by === 'seed' && w.type === 'Location' && w.cleanup === 'restored')).toBe(true);
    expect(results.writes!.some((w) => w.by !== 'seed' && w.cleanup === 'deleted')).toBe(true);
    expect(results.writes!.filter((w) => w.cleanup === 'not-removed' || w.cleanup === 'kept')).toEqual([]);
    expect(contents(server)).toEqual(before);
    // Ids the run chose itself are fresh (the server's own are numbers); only the seeded data set keeps fixed ids.
    const chosen = results.writes!.filter((w) => w.by !== 'seed' && !/^\d+$/.test(w.id));
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.filter((w) => !/-[0-9a-f]{8}$/.test(w.id))).toEqual([]);
    expect([...server.store.values()].some((r) => r.meta?.tag?.some((t) => t.system === RUN_TAG_SYSTEM))).toBe(false);
    expect(out).toMatch(/^Wrote \d+ resource\(s\) into the SUT: \d+ deleted, \d+ put back as they were, 0 kept, 0 could not be removed\.$/m);
    // Every write carried the run's tag on its way in.
    const writes = server.requests.filter((r) => r.method === 'POST' || r.method === 'PUT');
    expect(writes.filter((r) => r.body.includes('"resourceType"') && !r.body.includes('<')).every((r) => r.body.includes(RUN_TAG_SYSTEM))).toBe(true);
  }, 300_000);

  it('--keep-data leaves what the run wrote, and lists it', async () => {
    const server = await stand();
    const { results } = await run(server, ['--keep-data', '--suite', 'saner/produce-measure/measure-consumer']);
    expect(results.writes!.length).toBeGreaterThan(0);
    expect(results.writes!.every((w) => w.cleanup === 'kept')).toBe(true);
    expect([...server.store.values()].filter((r) => r.meta?.tag?.some((t) => t.system === RUN_TAG_SYSTEM)).length).toBeGreaterThan(0);
  }, 300_000);

  it('--read-only writes nothing: every test that would write ends skip saying so', async () => {
    const server = await stand();
    const before = contents(server);
    const { results } = await run(server, ['--read-only', ...SERVER_SUITES.flatMap((s) => ['--suite', s])]);
    // A search by POST [type]/_search reads; everything else but GET would write.
    expect(server.requests.filter((r) => r.method !== 'GET' && !(r.method === 'POST' && /\/_search$/.test(r.path)))).toEqual([]);
    expect(contents(server)).toEqual(before);
    expect(results.writes).toEqual([]);
    const skipped = results.tests.filter((t) => t.verdict === 'skip' && /--read-only/.test(t.reason ?? ''));
    expect(skipped.length).toBeGreaterThan(10);
    expect(skipped.every((t) => /^not run: --read-only, and this test writes to the SUT \((POST|PUT|DELETE) /.test(t.reason!))).toBe(true);
  }, 300_000);

  it('the server suites run together give each requirement the verdict they give it run alone', async () => {
    const verdicts = (results: RunResults) => new Map(results.requirements.filter((r) => r.verdict !== 'not-tested').map((r) => [r.id, r.verdict]));
    const together = verdicts((await run(await stand(), ['--seed', ...SERVER_SUITES.flatMap((s) => ['--suite', s])])).results);
    const alone = new Map<string, string>();
    for (const suite of SERVER_SUITES) for (const [id, verdict] of verdicts((await run(await stand(), ['--seed', '--suite', suite])).results)) alone.set(id, verdict);
    expect(together.size).toBeGreaterThan(100);
    expect(Object.fromEntries(together)).toEqual(Object.fromEntries(alone));
  }, 600_000);
});
