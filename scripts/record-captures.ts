/**
 * Records the regression captures kept in test/connectathon/captures: reference clients (clean and
 * with a fault) talking to `serve`'s recorder and through the recording proxy, exported as the
 * inspector exports them (one also as a HAR file), each with the verdicts grading gave when it was
 * recorded. test/connectathon/grade.test.ts holds that grading them again gives the
 * same verdicts. Run again (`npx tsx scripts/record-captures.ts`) only when a suite's verdicts are
 * meant to change, and read the diff of the .verdicts.json files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulatorById } from '../simulators/index.js';
import type { ReferenceClient } from '../simulators/simulator.js';
import { measureSourceClient } from '../simulators/measure-source-client/index.js';
import { measureConsumerClient } from '../simulators/measure-consumer-client/index.js';
import { madxContentCreatorClient } from '../simulators/content-creator-client/index.js';
import { projectRoot } from '../src/harness.js';
import type { HttpExchange } from '../src/engine/index.js';
import { verdictsOf } from '../test/connectathon/verdicts.js';
import { ExchangeLog, type Side } from '../src/cli/connectathon/exchange-log.js';
import { Recorder } from '../src/cli/connectathon/recorder.js';
import { toCapture, type CaptureFile } from '../src/cli/connectathon/capture-file.js';
import { startProxy } from '../src/cli/connectathon/proxy.js';
import { gradeRecorded, suitesFor } from '../src/cli/connectathon/grading.js';
import { transactionAt } from '../src/cli/connectathon/transactions.js';

const OUT = join(projectRoot, 'test', 'connectathon', 'captures');

interface Recording {
  name: string;
  simulator: string;
  client: ReferenceClient;
  clientFaults: string[];
  serverFaults: string[];
  /** Through the recording proxy (both sides), or straight to serve's simulator (the client side). */
  proxy: boolean;
  options?: string[];
  /** Keep only the first exchanges, as an export of a selection would (the rest only adds size). */
  first?: number;
}

const RECORDINGS: Recording[] = [
  { name: 'produce-measure-source-clean', simulator: 'measure-consumer', client: measureSourceClient, clientFaults: [], serverFaults: [], proxy: false },
  { name: 'produce-measure-source-invalid-report', simulator: 'measure-consumer', client: measureSourceClient, clientFaults: ['invalid-report', 'ignore-location'], serverFaults: [], proxy: false },
  { name: 'produce-measure-proxy-no-location', simulator: 'measure-consumer', client: measureSourceClient, clientFaults: [], serverFaults: ['no-location-header'], proxy: true },
  { name: 'query-measure-consumer-no-paging', simulator: 'measure-source', client: measureConsumerClient, clientFaults: ['no-paging'], serverFaults: [], proxy: false, options: ['Pull'], first: 20 },
  { name: 'madx-creator-clean', simulator: 'madx-content-consumer', client: madxContentCreatorClient, clientFaults: [], serverFaults: [], proxy: false },
];

/** A capture as a HAR 1.2 file, the way a browser or an HTTP tool would have saved the same traffic. */
function toHar(capture: CaptureFile): unknown {
  const headers = (bag: Record<string, string> | undefined) => Object.entries(bag ?? {}).map(([name, value]) => ({ name, value }));
  const entry = (x: HttpExchange) => ({
    startedDateTime: x.startedAt,
    time: x.durationMs ?? 0,
    request: {
      method: x.method,
      url: x.url,
      httpVersion: 'HTTP/1.1',
      headers: headers(x.requestHeaders),
      queryString: [...new URL(x.url).searchParams].map(([name, value]) => ({ name, value })),
      cookies: [],
      headersSize: -1,
      bodySize: x.requestBody?.size ?? 0,
      ...(x.requestBody ? { postData: { mimeType: x.requestHeaders['content-type'] ?? '', text: x.requestBody.text } } : {}),
    },
    response: {
      status: x.status ?? 0,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      headers: headers(x.responseHeaders),
      cookies: [],
      content: { size: x.responseBody?.size ?? 0, mimeType: x.responseHeaders?.['content-type'] ?? '', ...(x.responseBody ? { text: x.responseBody.text } : {}) },
      redirectURL: '',
      headersSize: -1,
      bodySize: x.responseBody?.size ?? -1,
    },
    cache: {},
    timings: { send: 0, wait: x.durationMs ?? 0, receive: 0 },
  });
  return { log: { version: '1.2', creator: { name: 'measure-conformance record-captures', version: '1' }, entries: capture.exchanges.map((e) => entry(e.exchange)) } };
}

async function record(spec: Recording): Promise<void> {
  const transaction = transactionAt(spec.simulator)!;
  const log = await ExchangeLog.open(':memory:');
  const recorder = new Recorder({ log, grade: false });
  const sides: Side[] = spec.proxy ? ['client', 'server'] : ['client'];
  let base = '';
  const origin = () => ({ source: spec.proxy ? 'proxy' : spec.simulator, baseUrl: base, transaction, sides });
  const server = await simulatorById(spec.simulator)!.start({ faults: spec.serverFaults, ...(spec.proxy ? {} : { onExchange: (e: HttpExchange) => recorder.record(origin(), e) }) });
  const proxy = spec.proxy ? await startProxy({ target: server.url, host: '127.0.0.1', port: 0, onExchange: (e) => recorder.record(origin(), e) }) : undefined;
  base = proxy?.url ?? server.url;
  try {
    await spec.client.run({ baseUrl: base, faults: spec.clientFaults, ...(spec.options ? { options: spec.options } : {}) }).catch(() => undefined);
  } finally {
    await proxy?.close();
    await server.close();
  }
  const capture = toCapture(log.list({}, { bodies: true, oldestFirst: true }).slice(0, spec.first));
  await recorder.close();
  const parts = sides.flatMap((side) =>
    suitesFor(transaction, [side]).map(({ suite }) => ({ suite, traffic: { baseUrl: base, exchanges: capture.exchanges.map((e) => e.exchange), source: `${spec.name}.capture.json` } })),
  );
  const results = await gradeRecorded(parts);
  writeFileSync(join(OUT, `${spec.name}.capture.json`), `${JSON.stringify(capture, null, 1)}\n`);
  writeFileSync(join(OUT, `${spec.name}.verdicts.json`), `${JSON.stringify(verdictsOf(results), null, 2)}\n`);
  if (spec.name === 'madx-creator-clean') writeFileSync(join(OUT, 'madx-creator-clean.har'), `${JSON.stringify(toHar(capture), null, 1)}\n`);
  process.stdout.write(`${spec.name}: ${capture.exchanges.length} exchanges, ${results.tests.filter((t) => t.verdict === 'fail').length} failed tests\n`);
}

mkdirSync(OUT, { recursive: true });
for (const spec of RECORDINGS) await record(spec);
