// `load` against stand-in servers: a fast conformant one gives no findings and its percentiles and
// is left as found; one answering every fifth request 503, or losing racing writes, shows those
// findings with the suites' requirement ids and misses an error-rate threshold; a bounded run
// sends exactly its request count under both models.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { RUN_TAG_SYSTEM } from '../../src/engine/run-tag.js';
import type { LoadResult } from '../../src/load/model.js';
import { runLoad, type LoadRunOptions } from '../../src/load/run.js';
import { SCENARIOS } from '../../src/load/scenarios/index.js';
import { parseThreshold } from '../../src/load/thresholds.js';
import { fixtureResources } from '../../simulators/fixtures.js';
import { captureIo } from '../cli/cli-io.js';
import { startStandIn, type StandIn, type StandInOptions } from './stand-in.js';

let server: StandIn | undefined;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mc-load-'));
  return () => rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function standIn(options: StandInOptions = {}): Promise<StandIn> {
  server = await startStandIn(options);
  return server;
}

function options(scenario: string, baseUrl: string, extra: Partial<LoadRunOptions> = {}): LoadRunOptions {
  return {
    scenario: SCENARIOS[scenario]!,
    baseUrl,
    sut: { name: 'stand-in', simulated: false },
    http: { timeouts: { requestMs: 10_000 } },
    model: { type: 'closed', concurrency: 4 },
    bounds: { requests: 120, rampMs: 0 },
    facilities: 7,
    invalidShare: 0,
    validateSample: 10,
    keepData: false,
    thresholds: [],
    signal: new AbortController().signal,
    ...extra,
  };
}

/** Requests of the load phase: not the pre-flight, the discovery or the clean-up. */
function loadRequests(s: StandIn): number {
  return s.requests.filter((r) => r.url !== '/metadata' && r.method !== 'DELETE' && !r.url.includes('_count=100')).length;
}

describe('load against a fast conformant stand-in', () => {
  it('produce-measure: no findings, ordered percentiles, everything written tagged and removed afterwards', async () => {
    const s = await standIn();
    const tagged: string[] = [];
    const result = await runLoad(options('produce-measure', s.url, { invalidShare: 0.1, thresholds: [parseThreshold('errors<0.1%'), parseThreshold('findings=0')] }));
    for (const r of s.requests.filter((x) => x.method === 'POST' || x.method === 'PUT')) {
      tagged.push((JSON.parse(r.body) as Resource).meta?.tag?.find((t) => t.system === RUN_TAG_SYSTEM)?.code ?? 'untagged');
    }
    expect(result.findings).toEqual([]);
    expect(result.requests).toMatchObject({ sent: 120, completed: 120, errors: 0 });
    const l = result.latency;
    expect(l.count).toBe(120);
    expect(l.p50).toBeGreaterThan(0);
    expect([l.p50, l.p90, l.p99, l.p999, l.max]).toEqual([l.p50, l.p90, l.p99, l.p999, l.max].sort((a, b) => a - b));
    expect(result.steps.map((x) => x.step)).toEqual(expect.arrayContaining(['create', 'update', 'read back', 'create invalid']));
    expect(result.statuses['400']).toBeGreaterThan(0);
    expect(result.statuses['422']).toBeGreaterThan(0);
    expect(result.validation.sampled).toBe(10);
    expect(result.thresholds.map((t) => t.passed)).toEqual([true, true]);
    // Every write carried this run's tag; every report it created is gone again.
    expect(tagged.length).toBeGreaterThan(50);
    expect(new Set(tagged)).toEqual(new Set([result.runId]));
    expect(result.writes.written).toBeGreaterThan(20);
    expect(result.writes).toMatchObject({ removed: result.writes.written, left: 0, kept: false });
    expect(s.store().size).toBe(0);
  });

  it('--keep-data leaves what was written, and says so', async () => {
    const s = await standIn();
    const result = await runLoad(options('produce-measure', s.url, { keepData: true, bounds: { requests: 30, rampMs: 0 } }));
    expect(result.writes.kept).toBe(true);
    expect(result.writes.left).toBe(result.writes.written);
    expect(s.store().size).toBe(result.writes.written);
    expect(result.writes.note).toContain(`${RUN_TAG_SYSTEM}|${result.runId}`);
  });

  it('rpc-send and madx-send: no findings; the invalid reports refused as the profiles ask', async () => {
    for (const scenario of ['rpc-send', 'madx-send']) {
      const s = await standIn();
      const result = await runLoad(options(scenario, s.url, { invalidShare: 0.2 }));
      expect(result.findings, scenario).toEqual([]);
      expect(result.requests.sent).toBe(120);
      expect(result.statuses['422'], scenario).toBeGreaterThan(0);
      expect(s.store().size, scenario).toBe(0);
      if (scenario === 'madx-send') expect(result.steps.map((x) => x.step)).toContain('send bundle');
      await s.close();
      server = undefined;
    }
  });

  it('query-measure: every search finds what the Source holds, page after page', async () => {
    const seed = fixtureResources('saner', ['MeasureReport', 'Location']);
    const s = await standIn({ seed });
    const result = await runLoad(options('query-measure', s.url, { bounds: { requests: 150, rampMs: 0 } }));
    expect(result.findings).toEqual([]);
    expect(result.steps.map((x) => x.step)).toEqual(expect.arrayContaining(['search', 'next page', 'read subject']));
    expect(s.store().size).toBe(seed.length);
    expect(result.writes.written).toBe(0);
  });
});

describe('load finds what breaks under load', () => {
  it('a server answering every fifth request 503: findings with the requirement ids, the error-rate threshold missed (exit 1)', async () => {
    const s = await standIn({ every5th503: true });
    const io = captureIo(dir);
    const out = join(dir, 'every-fifth');
    const code = await main(['load', '--sut', s.url, '--scenario', 'produce-measure', '--requests', '100', '--concurrency', '5', '--threshold', 'errors<1%', '--out', out], io);
    expect(code, io.err()).toBe(1);
    const result = JSON.parse(await readFile(join(out, 'load.json'), 'utf8')) as LoadResult;
    expect(result.statuses['503']).toBeGreaterThanOrEqual(19);
    const create503 = result.findings.find((f) => f.step === 'create' && f.message.includes('answered 503'));
    expect(create503?.requirements).toEqual(['SANER-PM-CON-002', 'SANER-PM-PG-003']);
    expect(create503?.expectation).toBe('SHALL');
    expect(result.requests.errorRate).toBeGreaterThan(0.1);
    expect(result.thresholds).toEqual([{ expression: 'errors<1%', passed: false, actual: expect.any(Number) }]);
    expect(io.out()).toContain('SANER-PM-CON-002 SANER-PM-PG-003');
    expect(io.out()).toContain('errors<1%: MISSED');
  });

  it('a server losing racing writes: the read back finds reports missing (SANER-PM-CON-002, SANER-PM-PG-007)', async () => {
    const s = await standIn({ loseRacingWrites: true });
    const result = await runLoad(options('produce-measure', s.url, { model: { type: 'closed', concurrency: 12 }, bounds: { requests: 240, rampMs: 0 }, thresholds: [parseThreshold('errors<1%')] }));
    const missing = result.findings.find((f) => f.step === 'read back' && f.message.includes('answered 404'));
    expect(missing?.requirements).toEqual(['SANER-PM-CON-002', 'SANER-PM-PG-007']);
    expect(missing!.count).toBeGreaterThan(0);
    expect(result.thresholds[0]?.passed).toBe(false);
  });

  it('the same server at one client at a time loses nothing', async () => {
    const s = await standIn({ loseRacingWrites: true });
    const result = await runLoad(options('produce-measure', s.url, { model: { type: 'closed', concurrency: 1 }, bounds: { requests: 30, rampMs: 0 } }));
    expect(result.findings).toEqual([]);
  });

  it('a Consumer offering no read: pushes are not read back, and the report says why', async () => {
    const s = await standIn({ noRead: true });
    const result = await runLoad(options('produce-measure', s.url, { bounds: { requests: 40, rampMs: 0 } }));
    expect(result.steps.map((x) => x.step)).not.toContain('read back');
    expect(result.notes.join(' ')).toContain('declares no MeasureReport read');
  });
});

describe('bounds', () => {
  it('a closed-model run of N requests sends exactly N', async () => {
    const s = await standIn();
    const result = await runLoad(options('produce-measure', s.url, { model: { type: 'closed', concurrency: 7 }, bounds: { requests: 101, rampMs: 0 } }));
    expect(result.requests.sent).toBe(101);
    expect(result.stopReason).toBe('requests');
    expect(loadRequests(s)).toBe(101);
  });

  it('an open-model run of N requests sends exactly N, each counted from when it was due', async () => {
    const s = await standIn();
    const result = await runLoad(options('produce-measure', s.url, { model: { type: 'open', rate: 400, maxInFlight: 3 }, bounds: { requests: 97, rampMs: 100 } }));
    expect(result.requests.sent).toBe(97);
    expect(result.requests.completed).toBe(97);
    expect(loadRequests(s)).toBe(97);
    // Latency counts from the due instant, so it is never below the service time.
    expect(result.latency.max).toBeGreaterThanOrEqual(result.serviceTime.max);
    expect(result.latency.p50).toBeGreaterThanOrEqual(result.serviceTime.p50);
  });

  it('Ctrl-C stops the load and still reports what ran', async () => {
    const s = await standIn();
    const controller = new AbortController();
    const run = runLoad(options('produce-measure', s.url, { bounds: { durationMs: 60_000, rampMs: 0 }, signal: controller.signal }));
    while (loadRequests(s) < 20) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const result = await run;
    expect(result.stopReason).toBe('interrupted');
    // Ctrl-C aborts the requests in flight: of the 20 the stand-in received, those whose answers had
    // not arrived are sent but not answered, so the report counts them as sent only.
    expect(result.requests.sent).toBeGreaterThanOrEqual(20);
    expect(result.requests.completed).toBeGreaterThan(0);
    expect(result.requests.completed).toBeLessThanOrEqual(result.requests.sent);
    expect(Object.values(result.statuses).reduce((n, c) => n + c, 0)).toBe(result.requests.completed);
    expect(result.series.length).toBeGreaterThan(0);
  });
});

describe('the load command', () => {
  it('writes load.json and load.html, and exits 0 with no finding', async () => {
    const s = await standIn();
    const io = captureIo(dir);
    const out = join(dir, 'ok');
    const code = await main(['load', '--sut', s.url, '--scenario', 'rpc-send', '--requests', '40', '--rate', '200/s', '--out', out], io);
    expect(code, io.err()).toBe(0);
    const result = JSON.parse(await readFile(join(out, 'load.json'), 'utf8')) as LoadResult;
    expect(result.requests.sent).toBe(40);
    expect(result.model).toEqual({ type: 'open', rate: 200, maxInFlight: 1000 });
    expect(await readFile(join(out, 'load.html'), 'utf8')).toContain('id="latency-plot"');
    expect(io.out()).toContain('findings    none');
  });

  it('exits 3 when the SUT does not answer', async () => {
    const s = await standIn();
    const url = s.url;
    await s.close();
    server = undefined;
    const io = captureIo(dir);
    expect(await main(['load', '--sut', url, '--scenario', 'produce-measure', '--requests', '5'], io)).toBe(3);
    expect(io.err()).toMatch(/does not answer: GET metadata got connection refused/);
  });

  it('refuses bad options with exit 2 and one line', async () => {
    for (const args of [
      ['--scenario', 'nope'],
      ['--scenario', 'produce-measure', '--rate', '10', '--concurrency', '2'],
      ['--scenario', 'produce-measure', '--duration', 'soon'],
      ['--scenario', 'produce-measure', '--threshold', 'p99<fast'],
      ['--scenario', 'produce-measure', '--invalid-share', '2'],
      ['--scenario', 'produce-measure', '--export', 'jmeter', 'x.jmx'],
      ['--requests', '5'],
    ]) {
      const io = captureIo(dir);
      expect(await main(['load', ...args], io), args.join(' ')).toBe(2);
      expect(io.err().trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('exits 2 saying why when the SUT holds nothing the scenario can work on', async () => {
    const s = await standIn();
    const io = captureIo(dir);
    expect(await main(['load', '--sut', s.url, '--scenario', 'query-measure', '--requests', '5'], io)).toBe(2);
    expect(io.err()).toMatch(/scenario query-measure: the Measure Source holds no MeasureReport .* to query/);
  });

  it('the scenarios cite requirements of the catalogue', async () => {
    const { catalogue } = await import('../../ig/index.js');
    const known = catalogue();
    for (const s of Object.values(SCENARIOS)) for (const id of s.requirements) expect(known.get(id), `${s.id}: ${id}`).toBeDefined();
  });
});
