// Measure Consumer ingest: 100 concurrent pushers creating valid SANER MeasureReports against the
// reference Consumer with a file-backed store (WAL, synchronous=FULL, validation on write), then the
// store reopened from disk to count what survived. Target: 1,000 creates/s with nothing lost. The
// pushers run in a worker thread, so the figures are the server's, not the clients' event loop.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeasureReport } from 'fhir/r4.js';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { parseJson, serializeJson } from '../src/fhir/json.js';
import { ResourceStore } from '../src/fhir/store/resource-store.js';
import { consumerDeclaration, startMeasureConsumer } from '../simulators/measure-consumer/index.js';

const PUSHERS = 100;
const MAX_CREATES = 20_000;
const MAX_SECONDS = 20;

/** Distinct valid reports (facility and day vary), serialized once so the clients cost little. */
function bodies(count: number): string[] {
  const text = readFileSync(new URL('../fixtures/saner/measurereport-beds-camden-2020-04-01.json', import.meta.url), 'utf8');
  const { id: _id, ...template } = parseJson(text) as MeasureReport;
  return Array.from({ length: count }, (_, i) => {
    const day = `2020-04-${String((i % 28) + 1).padStart(2, '0')}`;
    const report: MeasureReport = {
      ...template,
      subject: { ...template.subject, identifier: { system: 'urn:example:facility', value: `F${i % 200}` } },
      date: `${day}T06:20:00-04:00`,
      period: { start: `${day}T00:00:00-04:00`, end: `${day}T23:59:59-04:00` },
    };
    return serializeJson(report);
  });
}

/**
 * CPU seconds the main thread (the server) has used, from Linux's per-thread accounting: the
 * wall-clock rate depends on what else runs on the machine, this does not. Undefined elsewhere.
 */
function mainThreadCpuSeconds(): number | undefined {
  const stat = `/proc/self/task/${process.pid}/stat`;
  if (!existsSync(stat)) return undefined;
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const text = readFileSync(stat, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface PushResult {
  acknowledged: string[];
  latencies: number[];
  failures: number;
  seconds: number;
}

/** The pushers (in the worker): as many creates as the bounds allow, 100 in flight. */
async function push(url: string, payloads: string[]): Promise<PushResult> {
  const pool = new Pool(url, { connections: PUSHERS, pipelining: 1 });
  const result: PushResult = { acknowledged: [], latencies: [], failures: 0, seconds: 0 };
  let issued = 0;
  const deadline = performance.now() + MAX_SECONDS * 1000;
  const pusher = async (): Promise<void> => {
    while (issued < MAX_CREATES && performance.now() < deadline) {
      const body = payloads[issued++ % payloads.length]!;
      const t = performance.now();
      const res = await pool.request({
        method: 'POST',
        path: '/MeasureReport',
        headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
        body,
      });
      await res.body.dump();
      result.latencies.push(performance.now() - t);
      const location = res.headers['location'];
      if (res.statusCode >= 200 && res.statusCode < 300 && typeof location === 'string') {
        result.acknowledged.push(/\/MeasureReport\/([^/]+)\/_history\//.exec(location)?.[1] ?? '');
      } else result.failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: PUSHERS }, pusher));
  result.seconds = (performance.now() - started) / 1000;
  await pool.close();
  return result;
}

function pushFromWorker(url: string): Promise<PushResult> {
  return new Promise((resolve, reject) => {
    // A worker does not inherit the main thread's tsx loader: it registers it, then loads this file.
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: { url } });
    worker.once('message', (m: PushResult) => resolve(m));
    worker.once('error', reject);
  });
}

/** One ingest run against a fresh Consumer with its own store file; prints its figures. */
async function ingest(label: string, faults: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-bench-'));
  const storePath = join(dir, 'consumer.sqlite');
  try {
    const server = await startMeasureConsumer({ storePath, faults });
    const cpuBefore = mainThreadCpuSeconds();
    const { acknowledged, latencies, failures, seconds } = await pushFromWorker(server.url);
    const cpuAfter = mainThreadCpuSeconds();
    await server.close();

    // What a restarted Consumer finds on disk for each acknowledged create.
    const reopened = ResourceStore.open({ path: storePath, searchParams: consumerDeclaration({ clientIds: true }).searchParamDefs, fullText: false });
    let readBack = 0;
    for (const id of acknowledged) {
      try {
        reopened.readText('MeasureReport', id);
        readBack++;
      } catch {
        // not on disk: counted as lost below
      }
    }
    const stored = reopened.count('MeasureReport');
    reopened.close();

    latencies.sort((a, b) => a - b);
    const pct = (p: number) => (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(1);
    console.log(`${label}: ${PUSHERS} pushers, ${latencies.length} creates in ${seconds.toFixed(1)} s`);
    console.log(`  creates/s ${Math.round(acknowledged.length / seconds)}   p50 ${pct(0.5)} ms   p99 ${pct(0.99)} ms`);
    if (cpuBefore !== undefined && cpuAfter !== undefined && acknowledged.length > 0) {
      const perCreate = ((cpuAfter - cpuBefore) * 1000) / acknowledged.length;
      console.log(`  server thread CPU ${perCreate.toFixed(3)} ms per create (${Math.round(1000 / perCreate)}/s if it had a core to itself)`);
    }
    console.log(`  acknowledged (2xx) ${acknowledged.length}   refused ${failures}   read back ${readBack}   MeasureReports on disk ${stored}`);
    console.log(`  lost: ${acknowledged.length - readBack}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMainThread) {
  await ingest('validation on write (base R4 + PublicHealthMeasureReport)', []);
  // The same without validation, to show what validation costs against HTTP, indexing and fsync.
  await ingest('validation off (fault accept-invalid)', ['accept-invalid']);
} else {
  parentPort?.postMessage(await push((workerData as { url: string }).url, bodies(1000)));
}
