// Engine figures: HTTP client round trips with evidence capture, runner overhead per test, and
// verdict aggregation on a large catalogue. Prints medians of 3 runs.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient } from '../src/http/client.js';
import { runSuites } from '../src/engine/runner.js';
import { defineSuite, test } from '../src/engine/suite.js';
import { RequirementCatalogue } from '../src/engine/catalogue.js';
import { requirementResults } from '../src/engine/verdict.js';
import type { HttpExchange, Requirement, TestResult } from '../src/engine/results.js';

const small = JSON.stringify({ resourceType: 'Basic', id: 'b', code: { text: 'x'.repeat(200) } });
const big = JSON.stringify({ resourceType: 'Basic', id: 'big', code: { text: 'y'.repeat(4 * 1024 * 1024) } });
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/fhir+json; charset=utf-8' });
  res.end(req.url?.includes('big') ? big : small);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;

async function median(label: string, unit: string, fn: () => Promise<number>): Promise<void> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push(await fn());
  runs.sort((a, b) => a - b);
  console.log(`${label}: ${runs[1]!.toFixed(1)} ${unit} (runs ${runs.map((r) => r.toFixed(1)).join(' / ')})`);
}

await median('HTTP GET, 250 B body, evidence captured, sequential', 'requests/s', async () => {
  const evidence: HttpExchange[] = [];
  const client = new HttpClient({ baseUrl: base, secrets: ['secret-value-1', 'secret-value-2'] }, (e) => evidence.push(e));
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await client.request({ url: 'Basic/b' });
  const s = (performance.now() - t0) / 1000;
  await client.close();
  return n / s;
});

await median('HTTP GET, 4 MiB body (256 KiB captured)', 'ms per request', async () => {
  const client = new HttpClient({ baseUrl: base }, () => undefined);
  const n = 20;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await client.request({ url: 'Basic/big' });
  const ms = (performance.now() - t0) / n;
  await client.close();
  return ms;
});

const catalogue = new RequirementCatalogue([{ id: 'BENCH-1', expectation: 'SHALL', statement: 's', source: 's' }]);
await median('runner, 500 tests of one GET each, one suite', 'tests/s', async () => {
  const suite = defineSuite({
    id: 'bench/runner',
    title: 'bench',
    actorUnderTest: 'X',
    role: 'server',
    capabilities: [],
    tests: Array.from({ length: 500 }, (_, i) =>
      test(`test ${i}`, {
        requirements: 'BENCH-1',
        negativeControl: 'none',
        async run(t) {
          const res = await t.sut.read('Basic', 'b');
          t.expectStatus(res, 200);
          t.expectResourceType(res.resource(), 'Basic');
        },
      }),
    ),
  });
  const t0 = performance.now();
  await runSuites({ suites: [suite], catalogue, plan: () => ({ target: { baseUrl: base } }) });
  return 500 / ((performance.now() - t0) / 1000);
});

await median('verdict aggregation, 5,000 requirements x 20,000 tests', 'ms', async () => {
  const reqs: Requirement[] = Array.from({ length: 5000 }, (_, i) => ({ id: `BENCH-${i}`, expectation: i % 3 ? 'SHALL' : 'SHOULD', statement: 's', source: 's' }));
  const tests: TestResult[] = Array.from({ length: 20000 }, (_, i) => ({
    id: `t${i}`,
    suite: 's',
    title: `t${i}`,
    requirements: [`BENCH-${i % 5000}`, `BENCH-${(i * 7) % 5000}`],
    verdict: i % 11 ? 'pass' : 'fail',
    startedAt: '',
    durationMs: 0,
    assertions: [{ passed: i % 11 !== 0, message: 'x' }],
    evidence: [],
  }));
  const t0 = performance.now();
  requirementResults(reqs, tests);
  return performance.now() - t0;
});

server.close();
