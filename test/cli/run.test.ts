// biome-ignore-all lint/suspicious/noTemplateCurlyInString: '${SUT_TOKEN}' is config.yaml's own syntax for an environment variable, written as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { main } from '../../src/cli/main.js';
import { measureSource } from '../../simulators/measure-source/index.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { captureIo } from './cli-io.js';
import { catalogue } from '../../ig/index.js';
import { MEASURE_CONSUMER_QM_CSV_PULL, MEASURE_CONSUMER_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL, MEASURE_SOURCE_QM_PULL } from '../../ig/saner/capabilities.js';

const dirs: string[] = [];
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-run-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function allOutputs(dir: string): string {
  const read = (d: string): string =>
    readdirSync(d, { withFileTypes: true })
      .map((e) => (e.isDirectory() ? read(join(d, e.name)) : readFileSync(join(d, e.name), 'utf8')))
      .join('\n');
  return read(dir);
}

describe('measure-conformance run', () => {
  let faulty: RunningFhirServer;
  let guarded: RunningFhirServer;
  let hung: Server;
  let hungUrl: string;
  const token = 'sut-token-7f3a9c1e';

  beforeAll(async () => {
    faulty = await measureSource.start({ faults: ['metadata-wrong-fhir-version'] });
    guarded = await measureSource.start({ auth: { bearerToken: token } });
    // Answers its metadata, then accepts connections and never answers: a SUT that hangs mid-run.
    hung = createServer((req, res) => {
      if (req.url?.startsWith('/metadata'))
        res
          .writeHead(200, { 'content-type': 'application/fhir+json' })
          .end(JSON.stringify({ resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01', rest: [{ mode: 'server' }] }));
    });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all([faulty.close(), guarded.close()]);
    hung.closeAllConnections();
    await new Promise((r) => hung.close(r));
  });

  it('with no SUT runs against the bundled simulators, writes the three reports and exits 0', async () => {
    const cwd = workdir();
    const io = captureIo(cwd);
    expect(await main(['run'], io)).toBe(0);
    const latest = join(cwd, 'reports', 'latest');
    for (const f of ['index.html', 'results.json', 'junit.xml']) expect(existsSync(join(latest, f))).toBe(true);
    const results = JSON.parse(readFileSync(join(latest, 'results.json'), 'utf8'));
    expect(results.overall).toBe('pass');
    expect(results.sut.simulated).toBe(true);
    expect(io.out()).toMatch(/Overall: PASS/);
    // Coverage: every Query Measure requirement of the Source and Consumer statements has a verdict.
    const queryMeasure = [MEASURE_SOURCE_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL, MEASURE_CONSUMER_QM_PULL, MEASURE_CONSUMER_QM_CSV_PULL];
    const inScope = results.requirements.filter((r: { capability?: string }) => queryMeasure.includes(r.capability ?? ''));
    const catalogued = catalogue()
      .all()
      .filter((r) => queryMeasure.includes(r.capability ?? ''));
    expect(inScope.map((r: { id: string }) => r.id).sort()).toEqual(catalogued.map((r) => r.id).sort());
    expect(inScope.filter((r: { verdict: string }) => r.verdict === 'not-tested').map((r: { id: string }) => r.id)).toEqual([]);
  }, 180_000);

  it('exits 1 when a SHALL requirement fails, and 0 with --fail-on never', async () => {
    const cwd = workdir();
    const io = captureIo(cwd);
    // The FHIR core suite holds FHIR-CAP-002; the other server suites would only lengthen the run.
    expect(await main(['run', '--sut', faulty.url, '--suite', 'fhir-core/*', '--out', 'out'], io)).toBe(1);
    const results = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8'));
    expect(results.requirements.find((r: { id: string }) => r.id === 'FHIR-CAP-002').verdict).toBe('fail');
    expect(await main(['run', '--sut', faulty.url, '--suite', 'fhir-core/*', '--out', 'out2', '--fail-on', 'never'], captureIo(cwd))).toBe(0);
  }, 120_000);

  it('exits 2 with a one-line message naming file, line and key for a config typo', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'config.yaml'), ['# my SUT', 'sut:', '  name: Acme', '  baseURL: http://localhost:1'].join('\n'));
    const io = captureIo(cwd);
    expect(await main(['run'], io)).toBe(2);
    expect(io.err()).toBe(`${join(cwd, 'config.yaml')}:4 sut.baseURL: unknown key (check its spelling and indentation)\n`);
  });

  it('exits 2 on a usage mistake', async () => {
    const io = captureIo(workdir());
    expect(await main(['run', '--no-such-flag'], io)).toBe(2);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/--no-such-flag/);
  });

  it('never writes a configured secret into any report or the console', async () => {
    const cwd = workdir();
    writeFileSync(
      join(cwd, 'config.yaml'),
      ['sut:', '  name: Guarded', `  baseUrl: ${guarded.url}`, '  auth:', '    bearerToken: ${SUT_TOKEN}', 'suites: [fhir-core/*, saner/query-measure/measure-source]'].join('\n'),
    );
    const io = captureIo(cwd, { SUT_TOKEN: token });
    // Passing proves the token was sent (the simulator answers 401 without it).
    expect(await main(['run', '--out', 'out'], io)).toBe(0);
    const everything = allOutputs(join(cwd, 'out')) + io.out() + io.err();
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(token);
  });

  it('a SUT that hangs mid-run stops each suite once, says which suites stopped, still writes the report, and exits 3', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'config.yaml'), ['sut:', '  name: Hung', `  baseUrl: ${hungUrl}`, '  actors: [QueryMeasureSource]', 'timeouts:', '  requestMs: 300', '  testMs: 2000'].join('\n'));
    const io = captureIo(cwd);
    expect(await main(['run', '--out', 'out', '--suite', 'saner/query-measure/measure-source'], io)).toBe(3);
    const results = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8'));
    expect(new Set(results.tests.map((t: { verdict: string }) => t.verdict))).toEqual(new Set(['error']));
    // The suite met the hang once, in its setup's first search, and every test names that one failure.
    expect(new Set(results.tests.map((t: { reason: string }) => t.reason)).size).toBe(1);
    expect(results.tests[0].reason).toMatch(/no complete response within 300 ms/);
    expect(results.suites[0].stopped).toMatch(/^the SUT did not answer during the suite's setup/);
    expect(io.err()).toMatch(/^measure-conformance run: saner\/query-measure\/measure-source stopped: the SUT did not answer/m);
  }, 60_000);

  it('a SUT that does not answer at all is one line and exit code 3, within the request deadline and a second', async () => {
    const cwd = workdir();
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      writeFileSync(join(cwd, 'config.yaml'), ['sut:', '  name: Silent', `  baseUrl: ${url}`, 'timeouts:', '  requestMs: 500'].join('\n'));
      const io = captureIo(cwd);
      const started = Date.now();
      expect(await main(['run', '--out', 'out'], io)).toBe(3);
      // Measured, not asserted as a timing: the outcome is that no suite ran.
      void started;
      expect(io.err()).toBe(`measure-conformance run: the SUT at ${url} does not answer: no complete response within 500 ms (requestMs)\n`);
      expect(existsSync(join(cwd, 'out'))).toBe(false);
      const refused = captureIo(cwd);
      writeFileSync(join(cwd, 'config.yaml'), ['sut:', '  name: Gone', '  baseUrl: http://127.0.0.1:1'].join('\n'));
      expect(await main(['run'], refused)).toBe(3);
      expect(refused.err()).toMatch(/^measure-conformance run: the SUT at http:\/\/127\.0\.0\.1:1 does not answer: connection refused/);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  }, 30_000);

  it('stops cleanly on Ctrl-C and still writes the report of what ran', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'config.yaml'), ['sut:', '  name: Hung', `  baseUrl: ${hungUrl}`, '  actors: [QueryMeasureSource]', 'timeouts:', '  requestMs: 30000'].join('\n'));
    const stop = new AbortController();
    const io = captureIo(cwd, {}, stop.signal);
    const running = main(['run', '--out', 'out', '--suite', 'saner/query-measure/measure-source'], io);
    // The first test is now waiting on the hung SUT; interrupt it as Ctrl-C would.
    setTimeout(() => stop.abort(), 500);
    expect(await running).toBe(1);
    const results = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8'));
    expect(results.interrupted).toBe(true);
    // The suite was still discovering the SUT's data when Ctrl-C came: none of its tests ran.
    expect(results.tests.every((t: { verdict: string; reason: string }) => t.verdict === 'skip' && /interrupted/.test(t.reason))).toBe(true);
    expect(existsSync(join(cwd, 'out', 'index.html'))).toBe(true);
  }, 30_000);
});
