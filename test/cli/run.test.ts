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
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

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
    // Accepts connections and never answers: a hung SUT.
    hung = createServer(() => undefined);
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
    const catalogued = catalogue().all().filter((r) => queryMeasure.includes(r.capability ?? ''));
    expect(inScope.map((r: { id: string }) => r.id).sort()).toEqual(catalogued.map((r) => r.id).sort());
    expect(inScope.filter((r: { verdict: string }) => r.verdict === 'not-tested').map((r: { id: string }) => r.id)).toEqual([]);
  }, 180_000);

  it('exits 1 when a SHALL requirement fails, and 0 with --fail-on never', async () => {
    const cwd = workdir();
    const io = captureIo(cwd);
    expect(await main(['run', '--sut', faulty.url, '--out', 'out'], io)).toBe(1);
    const results = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8'));
    expect(results.requirements.find((r: { id: string }) => r.id === 'FHIR-CAP-002').verdict).toBe('fail');
    expect(await main(['run', '--sut', faulty.url, '--out', 'out2', '--fail-on', 'never'], captureIo(cwd))).toBe(0);
  });

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

  it('ends the tests of a hung SUT as error within the timeouts and still writes the report', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'config.yaml'), ['sut:', '  name: Hung', `  baseUrl: ${hungUrl}`, 'timeouts:', '  requestMs: 300', '  testMs: 2000'].join('\n'));
    const io = captureIo(cwd);
    expect(await main(['run', '--out', 'out'], io)).toBe(1);
    const results = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8'));
    const verdicts = new Set(results.tests.map((t: { verdict: string }) => t.verdict));
    expect(verdicts).toEqual(new Set(['error']));
    expect(results.tests[0].reason).toMatch(/no complete response within 300 ms/);
  }, 60_000);

  it('stops cleanly on Ctrl-C and still writes the report of what ran', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'config.yaml'), ['sut:', '  name: Hung', `  baseUrl: ${hungUrl}`, 'timeouts:', '  requestMs: 30000'].join('\n'));
    const stop = new AbortController();
    const io = captureIo(cwd, {}, stop.signal);
    const running = main(['run', '--out', 'out'], io);
    // The first test is now waiting on the hung SUT; interrupt it as Ctrl-C would.
    setTimeout(() => stop.abort(), 500);
    expect(await running).toBe(1);
    const results = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8'));
    expect(results.interrupted).toBe(true);
    expect(results.tests[0].verdict).toBe('error');
    expect(results.tests[0].reason).toMatch(/interrupted/);
    expect(results.tests.slice(1).every((t: { verdict: string }) => t.verdict === 'skip')).toBe(true);
    expect(existsSync(join(cwd, 'out', 'index.html'))).toBe(true);
  }, 30_000);
});
