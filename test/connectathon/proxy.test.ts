/**
 * The recording proxy between a reference client and a reference server: it forwards unchanged,
 * records both sides, and grading what it recorded (from the inspector's export, with `grade`)
 * judges the client's requests with the client suite and the server's answers with the answer
 * checks, so a client fault fails the client side only and a server fault the server side only.
 * Over TLS it records the client's certificate subject and leaves mutual authentication, which it
 * cannot observe, to a person.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { main } from '../../src/cli/main.js';
import { simulatorById } from '../../simulators/index.js';
import { measureSourceClient } from '../../simulators/measure-source-client/index.js';
import { madxContentCreatorClient } from '../../simulators/content-creator-client/index.js';
import { runCertificate } from '../../src/cli/run-certificate.js';
import { ExchangeLog } from '../../src/cli/connectathon/exchange-log.js';
import { Recorder } from '../../src/cli/connectathon/recorder.js';
import { startProxy } from '../../src/cli/connectathon/proxy.js';
import { gradeTraffic } from '../../src/cli/connectathon/grading.js';
import { transactionById } from '../../src/cli/connectathon/transactions.js';
import type { HttpExchange, RunResults } from '../../src/engine/index.js';
import { captureIo } from '../cli/cli-io.js';
import { getJson, removeDir, serveInProcess } from './serving.js';
import { selfSignedCertificate } from '../tls-certificates.js';

const CLIENT_SUITE = 'saner/produce-measure/measure-source';
const SERVER_SUITE = 'saner/produce-measure/recorded-answers';

interface Graded {
  results: RunResults;
  findingSides: string[];
  records: { status: number | null; method: string }[];
  /** What the server itself received and answered, oldest first. */
  atServer: HttpExchange[];
  /** What the proxy recorded, oldest first. */
  atProxy: HttpExchange[];
  proxyUrl: string;
  serverUrl: string;
}

/** Reference Measure Source → proxy (CLI) → reference Measure Consumer; then the inspector's export graded by `grade`. */
async function throughProxy(clientFaults: string[], serverFaults: string[]): Promise<Graded> {
  const atServer: HttpExchange[] = [];
  const consumer = await simulatorById('measure-consumer')!.start({ faults: serverFaults, onExchange: (e) => atServer.push(e) });
  const proxy = await serveInProcess(['proxy', '--target', consumer.url, '--transaction', 'saner/produce-measure'], 'simulators: {}\n');
  try {
    await measureSourceClient.run({ baseUrl: proxy.urls['proxy']!, faults: clientFaults });
    const listed = (await getJson<{ exchanges: { status: number | null; method: string; findings: { side: string }[] }[] }>(`${proxy.urls['inspector']!}/api/exchanges`)).body.exchanges;
    const exported = await (await request(`${proxy.urls['inspector']!}/api/export`)).body.text();
    writeFileSync(join(proxy.dir, 'capture.json'), exported);
    const atProxy = (JSON.parse(exported) as { exchanges: { exchange: HttpExchange }[] }).exchanges.map((e) => e.exchange);
    const io = captureIo(proxy.dir);
    await main(['grade', 'capture.json', '--out', 'graded'], io);
    const results = JSON.parse(readFileSync(join(proxy.dir, 'graded', 'results.json'), 'utf8')) as RunResults;
    return {
      results,
      findingSides: [...new Set(listed.flatMap((x) => x.findings.map((f) => f.side)))].sort(),
      records: listed.map((x) => ({ status: x.status, method: x.method })),
      atServer,
      atProxy,
      proxyUrl: proxy.urls['proxy']!,
      serverUrl: consumer.url,
    };
  } finally {
    await proxy.stop();
    removeDir(proxy.dir);
    await consumer.close();
  }
}

const failedIn = (results: RunResults, suite: string) => results.tests.filter((t) => t.suite === suite && t.verdict === 'fail').map((t) => t.id.slice(suite.length + 1));
const passedIn = (results: RunResults, suite: string) => results.tests.filter((t) => t.suite === suite && t.verdict === 'pass').length;
const requirement = (results: RunResults, id: string) => results.requirements.find((r) => r.id === id)?.verdict;

describe('the recording proxy between a reference client and a reference server', () => {
  it('forwards the exchange unchanged and records and grades both sides, which pass', async () => {
    const { results, findingSides, records, atServer, atProxy, proxyUrl, serverUrl } = await throughProxy([], []);
    expect(records.map((r) => `${r.method} ${r.status}`).reverse()).toEqual(['GET 200', 'POST 201', 'POST 201', 'PUT 200']);
    // Bodies pass both ways byte for byte; only the target's Location becomes the proxy's.
    expect(atProxy.map((x) => x.requestBody?.text)).toEqual(atServer.map((x) => x.requestBody?.text));
    expect(atProxy.map((x) => x.responseBody?.text)).toEqual(atServer.map((x) => x.responseBody?.text));
    expect(atProxy.map((x) => x.requestHeaders['content-type'])).toEqual(atServer.map((x) => x.requestHeaders['content-type']));
    const location = atServer.find((x) => x.responseHeaders?.['location'])!.responseHeaders!['location']!;
    expect(location.startsWith(serverUrl)).toBe(true);
    expect(atProxy.find((x) => x.responseHeaders?.['location'])!.responseHeaders!['location']).toBe(`${proxyUrl}${location.slice(serverUrl.length)}`);
    expect(findingSides).toEqual(['client', 'server']);
    expect(results.suites.map((s) => s.id)).toEqual([CLIENT_SUITE, SERVER_SUITE]);
    expect(failedIn(results, CLIENT_SUITE)).toEqual([]);
    expect(failedIn(results, SERVER_SUITE)).toEqual([]);
    expect(passedIn(results, CLIENT_SUITE)).toBeGreaterThan(3);
    expect(passedIn(results, SERVER_SUITE)).toBeGreaterThan(2);
    expect(requirement(results, 'FHIR-HTTP-005')).toBe('pass');
    expect(requirement(results, 'SANER-PM-SRC-003')).toBe('pass');
  });

  it('fails the client side, and only it, when the client labels its bodies application/json', async () => {
    const { results } = await throughProxy(['wrong-content-type'], []);
    expect(failedIn(results, CLIENT_SUITE)).toEqual(['pushed-bodies-are-labelled-application-fhir-json-or-application-fhir-xml']);
    expect(failedIn(results, SERVER_SUITE)).toEqual([]);
    expect(requirement(results, 'SANER-PM-PG-004')).toBe('fail');
  });

  it('fails the server side, and only it, when the server answers a create without a Location', async () => {
    const { results } = await throughProxy([], ['no-location-header']);
    expect(failedIn(results, SERVER_SUITE)).toEqual(['a-create-is-answered-201-created-with-a-location-naming-the-new-report']);
    expect(failedIn(results, CLIENT_SUITE)).toEqual([]);
    expect(requirement(results, 'FHIR-HTTP-005')).toBe('fail');
  });
});

describe('the recording proxy over TLS', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("ends the client's TLS with its own certificate, records the client certificate subject, and leaves mutual authentication to a person", async () => {
    const made = runCertificate('127.0.0.1');
    if (!made.ok) throw new Error(made.reason);
    const dir = mkdtempSync(join(tmpdir(), 'mc-proxy-tls-'));
    dirs.push(dir);
    selfSignedCertificate(join(dir, 'client.pem'), join(dir, 'client-key.pem'), { subject: '/CN=acme-creator/O=Acme', days: 1 });
    const consumer = await simulatorById('madx-content-consumer')!.start({});
    const log = await ExchangeLog.open(':memory:');
    const recorder = new Recorder({ log });
    const transaction = transactionById('madx/send-aggregate-report')!;
    let base = '';
    const proxy = await startProxy({
      target: consumer.url,
      host: '127.0.0.1',
      port: 0,
      tls: made.certificate,
      onExchange: (e) => recorder.record({ source: 'proxy', baseUrl: base, transaction, sides: ['client', 'server'] }, e),
    });
    base = proxy.url;
    try {
      expect(proxy.url).toMatch(/^https:\/\//);
      const withCertificate = new Agent({ connect: { ca: made.certificate.cert, cert: readFileSync(join(dir, 'client.pem'), 'utf8'), key: readFileSync(join(dir, 'client-key.pem'), 'utf8') } });
      const res = await request(`${proxy.url}/metadata`, { dispatcher: withCertificate, headers: { accept: 'application/fhir+json' } });
      expect(res.statusCode).toBe(200);
      expect(((await res.body.json()) as { resourceType: string }).resourceType).toBe('CapabilityStatement');
      await withCertificate.close();
      await madxContentCreatorClient.run({ baseUrl: proxy.url, ca: made.certificate.cert });
      await recorder.idle();
      const records = log.list({}, { bodies: true, oldestFirst: true });
      expect(records[0]!.exchange.peer?.certificateSubject).toBe('CN=acme-creator, O=Acme');
      expect(records[0]!.client).toBe('127.0.0.1 · CN=acme-creator, O=Acme');
      const results = await gradeTraffic({ transaction, sides: ['client', 'server'], traffic: { baseUrl: proxy.url, exchanges: records.map((r) => r.exchange), source: 'tls test' } });
      const mutual = results.tests.find((t) => t.title === 'The two systems authenticate each other (mutual TLS)')!;
      expect(mutual.verdict).toBe('manual');
      const notes = mutual.evidence.flatMap((e) => (e.kind === 'note' ? [e.text] : [])).join('\n');
      expect(notes).toMatch(/mutual authentication between the two systems is not observed through a proxy/);
      expect(notes).toMatch(/subject CN=acme-creator, O=Acme/);
      expect(results.tests.filter((t) => t.verdict === 'fail').map((t) => t.id)).toEqual([]);
      // The creator's requests reached the server through the proxy and were accepted.
      expect(results.requirements.find((r) => r.id === 'MADX-CON-001')?.verdict).toBe('pass');
    } finally {
      await proxy.close();
      await recorder.close();
      await consumer.close();
    }
  });
});
