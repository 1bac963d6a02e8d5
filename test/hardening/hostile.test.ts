// The harness against a hostile SUT: real server-role suites run through runSuites, with config.yaml
// timeouts, against a proxy that spoils every answer of a reference simulator in one way. Each run
// must finish, every test must end `error` or `fail` with a reason naming what went wrong, the
// reports must be written, evidence bodies must stay within the capture limit, and a 50 MB answer
// must not grow the heap by anything like its size.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityTitles, catalogue } from '../../ig/index.js';
import { simulatorById } from '../../simulators/index.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { parseConfig } from '../../src/config/load.js';
import { sutHttpConfig } from '../../src/cli/selection.js';
import { HttpClient, TransportError, runSuites, type RunResults, type TestResult } from '../../src/engine/index.js';
import { writeReports } from '../../src/report/index.js';
import { suites } from '../../suites/index.js';
import { HOSTILE_MODES, SPOILED_HEADER, startHostileServer, type HostileMode } from './hostile-server.js';

const CAPTURE_BYTES = 16 * 1024;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const SUITES = ['fhir-core/fhir-server', 'saner/query-measure/measure-source'];

/** What each test's reason must say for each way of misbehaving. */
const REASONS: Record<HostileMode, RegExp> = {
  // A SUT that stops answering stops its suite once: the first test names the timeout, the rest point at it.
  hang: /no complete response within 300 ms|did not finish within|^not run: the SUT stopped answering \(see /,
  trickle: /no complete response within 300 ms|did not finish within|^not run: the SUT stopped answering \(see /,
  huge: /exceeds the 4 MiB limit/,
  reset: /connection closed by the server/,
  'redirect-loop': /redirect loop/,
  'invalid-json': /is not valid FHIR JSON/,
  'xml-labelled-json': /Content-Type .*fhir\+json.* but the body is XML|Content-Type is "?application\/fhir\+json/,
  'json-labelled-xml': /Content-Type .*fhir\+xml.* but the body is JSON|Content-Type is "?application\/fhir\+xml|Content-Type "application\/fhir\+xml/,
};

/** Tests that judge only headers the mode leaves true, so a spoiled body rightly does not fail them. */
const HEADER_ONLY: Partial<Record<HostileMode, string[]>> = {
  'invalid-json': ['fhir-core/fhir-server/format-overrides-accept'],
};

/** config.yaml timeouts: short, so hanging and trickling cost little; long enough for `huge` to meet the size limit first. */
function configFor(mode: HostileMode) {
  // Only the modes that stall are judged on the request deadline; the others get room for a busy machine.
  const requestMs = mode === 'hang' || mode === 'trickle' ? 300 : 20_000;
  return parseConfig(['timeouts:', `  requestMs: ${requestMs}`, '  testMs: 30000', '  waitMs: 300'].join('\n'), 'hostile.yaml', {}).config;
}

let upstream: RunningFhirServer;
const outRoot = mkdtempSync(join(tmpdir(), 'mc-hostile-'));

beforeAll(async () => {
  upstream = await simulatorById('measure-source')!.start();
});
afterAll(async () => {
  await upstream.close();
  rmSync(outRoot, { recursive: true, force: true });
});

async function runAgainst(mode: HostileMode): Promise<{ results: RunResults; requests: number }> {
  const hostile = await startHostileServer(mode, { upstream: upstream.url, trickleMs: 50 });
  const config = configFor(mode);
  try {
    const selected = suites.filter((s) => SUITES.includes(s.id));
    const results = await runSuites({
      suites: selected,
      catalogue: catalogue(),
      capabilityTitles,
      plan: (suite) => ({ target: { baseUrl: hostile.url }, options: suite.options }),
      http: { ...sutHttpConfig(config, []), captureBytes: CAPTURE_BYTES, maxResponseBytes: MAX_RESPONSE_BYTES },
      timeouts: { testMs: config.timeouts.testMs, waitMs: config.timeouts.waitMs },
      sut: { name: `hostile SUT (${mode})`, baseUrl: hostile.url, simulated: false },
    });
    return { results, requests: hostile.requests };
  } finally {
    await hostile.close();
  }
}

/** The test met a spoiled answer or a broken exchange, or never ran because the suite's setup met one. */
function metHostility(test: TestResult): boolean {
  const exchanges = test.evidence.flatMap((e) => (e.kind === 'http' ? [e.exchange] : []));
  if (exchanges.length === 0) return test.verdict === 'error';
  return exchanges.some((x) => x.error !== undefined || x.responseHeaders?.[SPOILED_HEADER] !== undefined);
}

function exchangesOf(results: RunResults) {
  return [...results.tests.flatMap((t) => t.evidence), ...results.suites.flatMap((s) => s.setupEvidence ?? [])].flatMap((e) => (e.kind === 'http' ? [e.exchange] : []));
}

describe('the harness against a hostile SUT', () => {
  for (const mode of HOSTILE_MODES) {
    it(`${mode}: every test ends error or fail with a reason naming it, and the reports are written`, { timeout: 120_000 }, async () => {
      const { results, requests } = await runAgainst(mode);
      expect(requests).toBeGreaterThan(0);
      expect(results.interrupted).toBe(false);
      const touched = results.tests.filter((t) => t.verdict !== 'skip' && metHostility(t) && !(HEADER_ONLY[mode] ?? []).includes(t.id));
      expect(touched.length).toBeGreaterThan(results.tests.length / 2);
      // A SHOULD test that is not met ends `warning`: that is its failing verdict.
      const wrong = touched.filter((t) => !['error', 'fail', 'warning'].includes(t.verdict) || !REASONS[mode].test(t.reason ?? ''));
      expect(wrong.map((t) => `${t.id}: ${t.verdict} (${t.reason ?? 'no reason'})`)).toEqual([]);
      if (mode === 'hang' || mode === 'trickle') {
        // One suite-level stop per suite, not one timeout per test.
        const stopped = results.suites.filter((s) => s.stopped);
        expect(stopped.length).toBeGreaterThan(0);
        // Each suite meets the stall once (in its setup, or in one test) and every other test points at it.
        const timedOutAlone = results.tests.filter((t) => /no complete response within 300 ms/.test(t.reason ?? '') && !(t.reason ?? '').startsWith('suite setup failed'));
        expect(timedOutAlone.length).toBeLessThanOrEqual(results.suites.length);
        expect(stopped.map((s) => s.stopped)).toEqual(stopped.map(() => expect.stringMatching(/^the SUT (stopped answering during|did not answer during the suite's setup)/)));
      }

      for (const exchange of exchangesOf(results)) {
        for (const body of [exchange.requestBody, exchange.responseBody]) {
          if (!body) continue;
          expect(Buffer.byteLength(body.text)).toBeLessThanOrEqual(CAPTURE_BYTES + 8);
          if (body.size > CAPTURE_BYTES) expect(body.truncated).toBe(true);
        }
      }

      const out = join(outRoot, mode);
      const written = await writeReports(results, out);
      for (const file of [written.html, written.json, written.junit]) expect(existsSync(file)).toBe(true);
      const saved = JSON.parse(readFileSync(written.json, 'utf8')) as RunResults;
      expect(saved.tests.map((t) => t.verdict)).toEqual(results.tests.map((t) => t.verdict));
      expect(readFileSync(written.junit, 'utf8')).toContain('<testsuites');
    });
  }

  it('a 50 MB answer grows the heap by far less than its size: reading stops at the response limit', { timeout: 120_000 }, async () => {
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakBuffers = baseline.arrayBuffers;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
    }, 5);
    try {
      const { results } = await runAgainst('huge');
      const sizes = exchangesOf(results).flatMap((e) => (e.responseBody ? [e.responseBody.size] : []));
      expect(sizes.length).toBeGreaterThan(0);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES + 64 * 1024);
    } finally {
      clearInterval(sampler);
    }
    const mb = 1024 * 1024;
    expect((peakHeap - baseline.heapUsed) / mb).toBeLessThan(25);
    // Buffers (outside the heap) never held one whole answer either, though garbage awaits collection.
    expect((peakBuffers - baseline.arrayBuffers) / mb).toBeLessThan(50);
  });

  it('a Content-Length above the response limit is refused before any of the body is read', async () => {
    const hostile = await startHostileServer('huge', { upstream: upstream.url, hugeBytes: 50 * 1024 * 1024, declareLength: true });
    const client = new HttpClient({ baseUrl: hostile.url, maxResponseBytes: MAX_RESPONSE_BYTES });
    try {
      const failure = await client.request({ url: 'metadata' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(TransportError);
      const err = failure as TransportError;
      expect(err.failure).toBe('too-large');
      expect(err.message).toContain('Content-Length 52428800 exceeds the 4 MiB limit');
      expect(err.exchange.responseBody?.size ?? 0).toBe(0);
    } finally {
      await client.close();
      await hostile.close();
    }
  });
});
