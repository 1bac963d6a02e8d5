// The load generator is not the bottleneck: a trivial server answering every request with a fixed
// 201, driven for the same time at the same concurrency by `load` (rpc-send, every answer judged on
// its status and OperationOutcome rules) and by autocannon, an established Node load generator;
// target: load >= 0.8x autocannon's requests/s. Beside them, load's transport alone (undici, the same
// requests, no flows, no checks, nothing recorded) shows how much of the gap is the HTTP client and
// how much the harness's own work. Then `load` against the bundled Measure Consumer
// with its full checks (create, update, read back, validation of a sample). Each server runs in a
// worker thread of this process, so the generator being measured has the main thread to itself.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, type Worker, workerData } from 'node:worker_threads';
import { startThread } from '../src/cli/threads.js';

const SECONDS = Number(process.env['LOAD_BENCH_SECONDS'] ?? 3);
const ROUNDS = 8;
/** The simulator validates every report it stores: fewer clients than the trivial server gets. */
const CONSUMER_CLIENTS = 10;
const CONNECTIONS = 50;

type ServerKind = 'fixed-201' | 'measure-consumer';

async function serve(kind: ServerKind): Promise<string> {
  if (kind === 'measure-consumer') {
    const { simulatorById } = await import('../simulators/index.js');
    const server = await simulatorById('measure-consumer')!.start({ host: '127.0.0.1' });
    return server.url;
  }
  const body = '{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational","diagnostics":"stored"}]}';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(201, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(body) }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

if (!isMainThread) {
  void serve(workerData as ServerKind).then((url) => parentPort!.postMessage(url));
} else {
  await main();
}

/** A server in a worker thread running this file too. */
function startWorker(kind: ServerKind): Promise<{ url: string; worker: Worker }> {
  const worker = startThread(new URL(import.meta.url), { workerData: kind });
  return new Promise((resolve, reject) => {
    worker.once('message', (url: string) => resolve({ url, worker }));
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const autocannon = (await import('autocannon')).default;
  const { runLoad } = await import('../src/load/run.js');
  const { SCENARIOS } = await import('../src/load/scenarios/index.js');
  const { scenarioState } = await import('../src/load/run.js');
  const { render } = await import('../src/load/templates.js');
  const { LoadTransport } = await import('../src/load/transport.js');
  const { cpus, loadavg } = await import('node:os');

  const base = {
    sut: { name: 'bench', simulated: false },
    http: { timeouts: { requestMs: 10_000 } },
    facilities: 50,
    invalidShare: 0,
    validateSample: 50,
    thresholds: [],
    signal: new AbortController().signal,
  };
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; ${CONNECTIONS} connections; servers in a worker thread`);

  // 1. The trivial server: load and autocannon with the same concurrency, time and body, in
  // alternating rounds after a warm-up of each, so a machine whose load drifts favours neither.
  const fixed = await startWorker('fixed-201');
  const scenario = SCENARIOS['rpc-send']!;
  const { state } = await scenarioState({ scenario, baseUrl: fixed.url, http: {}, facilities: 1, invalidShare: 0 });
  const template = (state as { valid: Parameters<typeof render>[0][] }).valid[0]!;
  const body = render(template, { factor: 1, slots: { RUN: 'bench', SUBJECT: 'lab1-1', DAY: '2021-05-11' } });
  const loadRun = (seconds: number) =>
    runLoad({ ...base, scenario, baseUrl: fixed.url, model: { type: 'closed', concurrency: CONNECTIONS }, bounds: { durationMs: seconds * 1000, rampMs: 0 }, keepData: true });
  const cannonRun = (seconds: number) =>
    autocannon({
      url: `${fixed.url}/MeasureReport`,
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body,
      connections: CONNECTIONS,
      pipelining: 1,
      duration: seconds,
    });
  const transportRun = async (seconds: number) => {
    const transport = new LoadTransport(fixed.url, base.http, CONNECTIONS);
    const started = performance.now();
    const end = started + seconds * 1000;
    let requests = 0;
    let errors = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const answer = await transport.send({ method: 'POST', url: 'MeasureReport', body });
          if (answer.status !== 201) errors++;
          requests++;
        }
      }),
    );
    const ms = performance.now() - started;
    await transport.close();
    return { requests, ms, errors };
  };
  // JIT warm-up of both generators takes a few seconds on a busy machine; these rounds are not counted.
  await loadRun(SECONDS);
  await cannonRun(SECONDS);
  await transportRun(SECONDS);
  const totals = { load: { requests: 0, ms: 0, errors: 0, findings: 0 }, cannon: { requests: 0, ms: 0, errors: 0 }, transport: { requests: 0, ms: 0, errors: 0 } };
  let lastLoad: Awaited<ReturnType<typeof loadRun>> | undefined;
  let lastCannon: Awaited<ReturnType<typeof cannonRun>> | undefined;
  const rounds: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const once = async (which: 'load' | 'cannon' | 'transport') => {
      if (which === 'transport') {
        const t = await transportRun(SECONDS);
        totals.transport.requests += t.requests;
        totals.transport.ms += t.ms;
        totals.transport.errors += t.errors;
        return (t.requests / t.ms) * 1000;
      }
      if (which === 'load') {
        lastLoad = await loadRun(SECONDS);
        totals.load.requests += lastLoad.requests.completed;
        totals.load.ms += lastLoad.elapsedMs;
        totals.load.errors += lastLoad.requests.errors;
        totals.load.findings += lastLoad.findings.length;
        return lastLoad.throughput.requestsPerSecond;
      }
      lastCannon = await cannonRun(SECONDS);
      totals.cannon.requests += lastCannon.requests.total;
      totals.cannon.ms += lastCannon.duration * 1000;
      totals.cannon.errors += lastCannon.errors + lastCannon.non2xx;
      return lastCannon.requests.average;
    };
    const order: ('load' | 'cannon' | 'transport')[] = round % 2 === 0 ? ['load', 'cannon', 'transport'] : ['transport', 'cannon', 'load'];
    const rates: Record<string, number> = {};
    for (const which of order) rates[which] = await once(which);
    rounds.push(`${(rates['load']! / rates['cannon']!).toFixed(2)}x`);
  }
  await fixed.worker.terminate();
  const loadRps = (totals.load.requests / totals.load.ms) * 1000;
  const cannonRps = (totals.cannon.requests / totals.cannon.ms) * 1000;
  const transportRps = (totals.transport.requests / totals.transport.ms) * 1000;
  const ratio = loadRps / cannonRps;
  console.log(`trivial server, POST MeasureReport (${body.length} B) answered 201; ${ROUNDS} alternating rounds of ${SECONDS} s each:`);
  console.log(
    `  load (rpc-send, checks on)  ${fmt(loadRps).padStart(8)} req/s   last round p50 ${lastLoad!.serviceTime.p50.toFixed(2)} ms, p99 ${lastLoad!.serviceTime.p99.toFixed(2)} ms   ${fmt(totals.load.requests)} requests, ${totals.load.errors} errors, ${totals.load.findings} findings`,
  );
  console.log(
    `  autocannon                  ${fmt(cannonRps).padStart(8)} req/s   last round p50 ${lastCannon!.latency.p50.toFixed(2)} ms, p99 ${lastCannon!.latency.p99.toFixed(2)} ms   ${fmt(totals.cannon.requests)} requests, ${totals.cannon.errors} errors or non-2xx`,
  );
  console.log(
    `  load's transport alone      ${fmt(transportRps).padStart(8)} req/s   (undici, no flows or checks: ${(transportRps / cannonRps).toFixed(2)}x autocannon; load is ${(loadRps / transportRps).toFixed(2)}x of it)   ${totals.transport.errors} errors`,
  );
  console.log(`  load / autocannon           ${ratio.toFixed(2)}x   (rounds ${rounds.join(', ')}; target >= 0.80x: ${ratio >= 0.8 ? 'met' : 'NOT met'})`);

  // 2. The bundled Measure Consumer with every check of produce-measure.
  const consumer = await startWorker('measure-consumer');
  const pm = SCENARIOS['produce-measure']!;
  await runLoad({ ...base, scenario: pm, baseUrl: consumer.url, model: { type: 'closed', concurrency: 10 }, bounds: { durationMs: 2_000, rampMs: 0 }, keepData: true });
  const full = await runLoad({
    ...base,
    http: { timeouts: { requestMs: 60_000 } },
    scenario: pm,
    baseUrl: consumer.url,
    model: { type: 'closed', concurrency: CONSUMER_CLIENTS },
    bounds: { durationMs: 2 * SECONDS * 1000, rampMs: 0 },
    invalidShare: 0.05,
    keepData: true,
  });
  await consumer.worker.terminate();
  console.log(`bundled Measure Consumer, produce-measure with full checks (${CONSUMER_CLIENTS} clients; create, update, read back; 5 % invalid; ${full.validation.sampled} answers validated):`);
  console.log(
    `  load                        ${fmt(full.throughput.requestsPerSecond).padStart(8)} req/s   p50 ${full.latency.p50.toFixed(2)} ms   p99 ${full.latency.p99.toFixed(2)} ms   ${fmt(full.requests.completed)} requests, ${full.requests.errors} errors, ${full.findings.length} findings`,
  );
  for (const f of full.findings) console.log(`    ${f.expectation} ${f.requirements.join(' ')} ${f.step}: ${f.message} x${f.count}`);
  process.exit(0);
}
