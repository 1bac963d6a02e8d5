// `load --export k6`: the script is written, parses as JavaScript, and holds the scenario's
// requests. k6 is not on these machines, so the script runs here in node:vm with k6's modules
// stubbed: it is replayed in lockstep against the answers a `load` run got from a stand-in, and
// must send the same requests in the same order, with every one of its checks passing.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script, createContext } from 'node:vm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { k6Script } from '../../src/load/k6.js';
import type { LoadBounds, LoadModel } from '../../src/load/model.js';
import { runLoad, scenarioState } from '../../src/load/run.js';
import { SCENARIOS } from '../../src/load/scenarios/index.js';
import { parseThreshold } from '../../src/load/thresholds.js';
import { fixtureResources } from '../../simulators/fixtures.js';
import { captureIo } from '../cli/cli-io.js';
import { startStandIn, type RecordedRequest, type StandIn } from './stand-in.js';

let server: StandIn | undefined;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mc-k6-'));
  return () => rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface K6Request {
  method: string;
  path: string;
  body: string;
}

interface K6Run {
  options: Record<string, unknown>;
  requests: K6Request[];
  checks: Record<string, boolean[]>;
}

/** The ES module header and exports k6 reads, as plain script, so node:vm runs it. */
function asScript(source: string): string {
  const code = source
    .replace("import http from 'k6/http';", 'const http = __k6.http;')
    .replace("import { check, sleep } from 'k6';", 'const { check, sleep } = __k6.k6;')
    .replace("import exec from 'k6/execution';", 'const exec = __k6.exec;')
    .replace('export const options =', 'const options =')
    .replace('export default function ()', 'const __default = function ()');
  expect(code).not.toMatch(/^\s*(import|export)\s/m);
  return `${code}\n__k6.done(options, __default);`;
}

const END = new Error('replay over');

/** Runs the script's iterations one after another; the i-th request gets the i-th recorded answer. */
function replay(source: string, env: Record<string, string>, answers: readonly RecordedRequest[]): K6Run {
  const run: K6Run = { options: {}, requests: [], checks: {} };
  // VU 0 numbers its ids from 0 as `load` does, so the ids of the two runs are the same.
  const exec = { scenario: { iterationInTest: 0 }, vu: { idInTest: 0 } };
  let entry: (() => void) | undefined;
  const http = {
    request(method: string, url: string, body: string | null) {
      const answer = answers[run.requests.length];
      if (!answer) throw END;
      const u = new URL(url);
      run.requests.push({ method, path: `${u.pathname}${u.search}`, body: body ?? '' });
      return {
        status: answer.status,
        headers: Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase()), v])),
        body: answer.response,
      };
    },
  };
  const check = (value: unknown, sets: Record<string, (v: unknown) => boolean>) => {
    let all = true;
    for (const [name, fn] of Object.entries(sets)) {
      const ok = fn(value);
      const results = run.checks[name] ?? [];
      results.push(ok);
      run.checks[name] = results;
      all &&= ok;
    }
    return all;
  };
  const context = createContext({
    __ENV: env,
    __k6: {
      http,
      k6: { check, sleep: () => {} },
      exec,
      done: (options: Record<string, unknown>, fn: () => void) => {
        run.options = options;
        entry = fn;
      },
    },
  });
  new Script(asScript(source), { filename: 'load.k6.js' }).runInContext(context);
  for (let n = 0; ; n++) {
    exec.scenario.iterationInTest = n;
    try {
      entry!();
    } catch (e) {
      if (e === END) break;
      throw e;
    }
  }
  return run;
}

const FLOW_LIMIT = 90;

async function lockstep(name: string, model: LoadModel, bounds: LoadBounds, seed = false): Promise<{ k6: K6Run; recorded: RecordedRequest[]; source: string }> {
  server = await startStandIn(seed ? { seed: fixtureResources('saner', ['MeasureReport', 'Location']) } : {});
  const scenario = SCENARIOS[name]!;
  const common = { scenario, baseUrl: server.url, facilities: 7, invalidShare: 0.2 };
  const { state } = await scenarioState({ ...common, http: {} });
  const result = await runLoad({
    ...common,
    sut: { name: 'stand-in', simulated: false },
    http: {},
    model: { type: 'closed', concurrency: 1 },
    bounds: { requests: FLOW_LIMIT, rampMs: 0 },
    validateSample: 0,
    keepData: true,
    thresholds: [],
    signal: new AbortController().signal,
  });
  expect(result.findings).toEqual([]);
  const recorded = server.requests.filter((r) => r.url !== '/metadata' && !r.url.includes('_count=100'));
  const source = k6Script({ ...common, script: scenario.k6(state), model, bounds, thresholds: [parseThreshold('p99<500ms'), parseThreshold('errors<0.1%')], http: {}, version: 'test' });
  const k6 = replay(source, { RUN_ID: result.runId }, recorded);
  return { k6, recorded, source };
}

describe('k6 export', () => {
  for (const name of ['produce-measure', 'madx-send', 'rpc-send', 'query-measure']) {
    it(`${name}: the script sends the requests of a load run, in order, and its checks pass`, async () => {
      const { k6, recorded } = await lockstep(name, { type: 'closed', concurrency: 3 }, { requests: 300, rampMs: 0 }, name === 'query-measure');
      expect(k6.requests.length).toBe(recorded.length);
      expect(recorded.length).toBe(FLOW_LIMIT);
      k6.requests.forEach((req, i) => {
        const want = recorded[i]!;
        expect({ method: req.method, path: req.path, body: req.body }, `request ${i}`).toEqual({ method: want.method, path: want.url, body: want.body });
      });
      const names = Object.keys(k6.checks);
      expect(names.length).toBeGreaterThan(2);
      for (const [check, results] of Object.entries(k6.checks)) expect(results.every(Boolean), check).toBe(true);
      expect(
        names.every((n) => /^[A-Z]+-[A-Z0-9-]+ /.test(n)),
        names.join('\n'),
      ).toBe(true);
    });
  }

  it("carries the run's model and thresholds as a k6 executor and thresholds", async () => {
    const { k6 } = await lockstep('rpc-send', { type: 'open', rate: 120, maxInFlight: 50 }, { durationMs: 60_000, rampMs: 10_000 });
    const scenario = (k6.options['scenarios'] as Record<string, Record<string, unknown>>)['rpc-send']!;
    expect(scenario).toMatchObject({ executor: 'ramping-arrival-rate', maxVUs: 50, stages: [{ duration: '10s' }, { duration: '50s' }] });
    expect(k6.options['thresholds']).toEqual({ http_req_duration: ['p(99)<500'], checks: ['rate>0.999'] });
  });

  it('load --export k6 FILE writes the script, with no secret of the config in it', async () => {
    server = await startStandIn();
    const config = join(dir, 'config.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(config, `sut:\n  name: Stand-in\n  baseUrl: ${server.url}\n  auth:\n    bearerToken: sekrit-token-value\n  headers:\n    X-Api-Key: api-key-value\n`);
    const file = join(dir, 'produce.k6.js');
    const io = captureIo(dir);
    expect(await main(['load', '--config', config, '--scenario', 'produce-measure', '--rate', '50', '--duration', '1m', '--export', 'k6', file], io), io.err()).toBe(0);
    const source = await readFile(file, 'utf8');
    expect(() => new Script(asScript(source))).not.toThrow();
    expect(source).not.toContain('sekrit-token-value');
    expect(source).not.toContain('api-key-value');
    expect(source).toContain('__ENV.SUT_HEADER_X_API_KEY');
    expect(source).toContain("send('create', 'POST MeasureReport', 'POST', 'MeasureReport'");
    expect(source).toContain('"executor": "constant-arrival-rate"');
    // The load itself did not run: only the pre-flight reached the stand-in.
    expect(server.requests.map((r) => r.url)).toEqual(['/metadata']);
  });
});
