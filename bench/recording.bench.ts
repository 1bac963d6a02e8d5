// What recording every exchange costs a served simulator: the reference Measure Consumer not
// recording, and recording as `serve` does (the exchange log in SQLite, in a thread of its own,
// written in batches with relaxed syncing), with the log in a data folder and in memory. Each runs
// in three processes of its own (a process's luck, JIT and heap layout, is worth several per cent)
// and every process takes bursts of 400 pushes (POST MeasureReport, validated, stored) and of 400
// reads (a search returning a report) from 8 connections, in turn, many times over, so the
// machine's changing load falls on all of them alike and every store holds the same reports. Per way of running: requests per second; the CPU time
// per request of the simulator's thread, which answers every request and so bounds its throughput
// (the overhead against the target); and of the whole process, the log's thread included, which
// works on another core where the machine has one free.
// Judging each exchange with the suites runs beside recording, one at a time, in the pauses between
// exchanges (and at least twice a second), and is shown apart: under load it falls behind rather
// than slowing the simulator, and catches up once the load stops.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

type Mode = 'off' | 'log-file' | 'log-memory' | 'judging';
const LABEL: Record<Mode, string> = {
  off: 'not recorded',
  'log-file': 'recorded, log in the data folder',
  'log-memory': 'recorded, log in memory (no data folder)',
  judging: 'recorded in the data folder and judged',
};
type Kind = 'push' | 'read';
const KINDS: Kind[] = ['push', 'read'];
const CONNECTIONS = 8;
/** Requests per burst: a count, not a time, so every process stores the same reports and serves the same store (a search's cost grows with it). */
const BURST = 400;
/** A process has its own luck (JIT, heap layout) worth several per cent: each way of running gets several, and their sum is compared. */
const REPLICAS = 3;
const CYCLES = 16;
const MODES: Mode[] = ['off', 'log-file', 'log-memory'];

/** A served Measure Consumer in one mode, answering `cpu` with its CPU time so far (µs) and its records. */
async function child(mode: Mode, dir: string, replica: string): Promise<void> {
  const { simulatorById } = await import('../simulators/index.js');
  const { ExchangeLog } = await import('../src/cli/connectathon/exchange-log.js');
  const { Recorder } = await import('../src/cli/connectathon/recorder.js');
  const { transactionAt } = await import('../src/cli/connectathon/transactions.js');
  const recorder =
    mode === 'off' ? undefined : new Recorder({ log: await ExchangeLog.open(mode === 'log-memory' ? ':memory:' : join(dir, `exchanges-${mode}-${replica}.sqlite`)), grade: mode === 'judging' });
  const transaction = transactionAt('measure-consumer')!;
  let base = '';
  const server = await simulatorById('measure-consumer')!.start(
    recorder ? { onExchange: (e) => void recorder.record({ source: 'measure-consumer', baseUrl: base, transaction, sides: ['client'] }, e) } : {},
  );
  base = server.url;
  process.on('message', (m: string) => {
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage();
      const log = recorder?.log;
      process.send!({ cpu: user + system, main: mainThreadCpu(), recorded: log?.lastSeq() ?? 0, judged: log ? log.list({ finding: 'pass' }).length : 0 });
    }
    if (m === 'idle') void recorder?.idle().then(() => process.send!('idle'));
    if (m === 'stop')
      void server
        .close()
        .then(() => recorder?.close())
        .then(() => process.exit(0));
  });
  // A bench stopped half way takes its servers with it.
  process.on('disconnect', () => process.exit(0));
  process.send!({ url: server.url });
}

/** The CPU time of this process's main thread so far (µs), from Linux's per-thread accounting; undefined elsewhere. */
function mainThreadCpu(): number | undefined {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return undefined;
  }
}

interface Served {
  mode: Mode;
  process: ChildProcess;
  pool: Pool;
  done: Record<Kind, number>;
  /** Time spent in each kind's bursts (ms). */
  ms: Record<Kind, number>;
  /** CPU µs during each kind's bursts: the whole process, and its main thread. */
  during: Record<Kind, number>;
  mainDuring: Record<Kind, number>;
}

function ask<T>(p: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    p.once('message', (m) => resolve(m as T));
    p.send(message);
  });
}

const cpuOf = (s: Served) => ask<{ cpu: number; main?: number }>(s.process, 'cpu');

async function burst(s: Served, kind: Kind, body: string): Promise<void> {
  const before = await cpuOf(s);
  const started = performance.now();
  let left = BURST;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (left-- > 0) {
        const res =
          kind === 'push'
            ? await s.pool.request({ method: 'POST', path: '/MeasureReport', headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' }, body })
            : await s.pool.request({ method: 'GET', path: '/MeasureReport?_count=1', headers: { accept: 'application/fhir+json' } });
        await res.body.dump();
        if (res.statusCode >= 300) throw new Error(`${kind} answered ${res.statusCode}`);
        s.done[kind]++;
      }
    }),
  );
  s.ms[kind] += performance.now() - started;
  const after = await cpuOf(s);
  s.during[kind] += after.cpu - before.cpu;
  s.mainDuring[kind] += (after.main ?? Number.NaN) - (before.main ?? Number.NaN);
}

async function start(mode: Mode, dir: string, replica = 0): Promise<Served> {
  const p = fork(fileURLToPath(import.meta.url), ['child', mode, dir, String(replica)], { execArgv: ['--import', 'tsx'] });
  p.once('exit', (code) => {
    if (code !== 0) {
      console.error(`the ${mode} server exited with ${code}`);
      process.exit(1);
    }
  });
  const { url } = await new Promise<{ url: string }>((resolve) => p.once('message', (m) => resolve(m as { url: string })));
  return { mode, process: p, pool: new Pool(url, { connections: CONNECTIONS }), done: { push: 0, read: 0 }, ms: { push: 0, read: 0 }, during: { push: 0, read: 0 }, mainDuring: { push: 0, read: 0 } };
}

async function stop(s: Served): Promise<void> {
  await s.pool.close();
  const exited = new Promise((r) => s.process.once('exit', r));
  s.process.send('stop');
  await exited;
}

async function main(): Promise<void> {
  const { freshReport, PUSHED } = await import('../simulators/measure-source-client/reports.js');
  const body = JSON.stringify(freshReport(PUSHED.json));
  const dir = mkdtempSync(join(tmpdir(), 'mc-recording-bench-'));
  try {
    const servers: Served[] = [];
    for (let replica = 0; replica < REPLICAS; replica++) for (const mode of MODES) servers.push(await start(mode, dir, replica));
    for (const s of servers) for (const kind of KINDS) for (let i = 0; i < 3; i++) await burst(s, kind, body);
    for (const s of servers) {
      s.done = { push: 0, read: 0 };
      s.ms = { push: 0, read: 0 };
      s.during = { push: 0, read: 0 };
      s.mainDuring = { push: 0, read: 0 };
    }
    const from = await Promise.all(servers.map(cpuOf));
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Another one goes first each cycle, so none always follows the same neighbour.
      const order = servers.map((_, i) => servers[(i + cycle) % servers.length]!);
      for (const kind of KINDS) for (const s of order) await burst(s, kind, body);
    }
    await new Promise((r) => setTimeout(r, 200));
    const to = await Promise.all(servers.map(cpuOf));
    // Each way of running, its processes together: requests, CPU during each kind's bursts, and all of it.
    const totals = MODES.map((mode) => {
      const t = { mode, done: { push: 0, read: 0 }, ms: { push: 0, read: 0 }, during: { push: 0, read: 0 }, mainDuring: { push: 0, read: 0 }, cpu: 0, main: 0 };
      servers.forEach((s, i) => {
        if (s.mode !== mode) return;
        for (const k of KINDS) {
          t.done[k] += s.done[k];
          t.ms[k] += s.ms[k];
          t.during[k] += s.during[k];
          t.mainDuring[k] += s.mainDuring[k];
        }
        t.cpu += to[i]!.cpu - from[i]!.cpu;
        t.main += (to[i]!.main ?? Number.NaN) - (from[i]!.main ?? Number.NaN);
      });
      return t;
    });
    console.log(
      `reference Measure Consumer (resources in memory); ${REPLICAS} processes for each way of running, ${CONNECTIONS} connections; ${CYCLES} rounds in which every process takes a burst of ${BURST} pushes and one of ${BURST} reads`,
    );
    console.log('  CPU per request: the simulator\'s thread / the whole process; "all work" counts everything between the first burst and the last');
    const off = totals[0]!;
    const change = (value: number, base: number) => {
      const share = (value - base) / base;
      return `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)} %`;
    };
    let worst = 0;
    const worse = (value: number, base: number) => {
      if (Number.isFinite(value)) worst = Math.max(worst, (value - base) / base);
    };
    for (const t of totals) {
      const kinds = KINDS.map((k) => {
        const rate = (t.done[k] / t.ms[k]) * 1000;
        const main = t.mainDuring[k] / t.done[k];
        const cpu = t.during[k] / t.done[k];
        const offMain = off.mainDuring[k] / off.done[k];
        const offCpu = off.during[k] / off.done[k];
        if (t === off) return `${k} ${rate.toFixed(0).padStart(5)}/s ${main.toFixed(0).padStart(4)} / ${cpu.toFixed(0).padStart(4)} µs`;
        worse(main, offMain);
        return `${k} ${rate.toFixed(0).padStart(5)}/s (${change(rate, (off.done[k] / off.ms[k]) * 1000)}) ${main.toFixed(0).padStart(4)} µs (${change(main, offMain)}) / ${cpu.toFixed(0).padStart(4)} µs (${change(cpu, offCpu)})`;
      });
      const n = t.done.push + t.done.read;
      const offN = off.done.push + off.done.read;
      const main = t.main / n;
      const cpu = t.cpu / n;
      if (t !== off) worse(main, off.main / offN);
      const allWork = t === off ? `${main.toFixed(0)} / ${cpu.toFixed(0)} µs` : `${main.toFixed(0)} µs (${change(main, off.main / offN)}) / ${cpu.toFixed(0)} µs (${change(cpu, off.cpu / offN)})`;
      console.log(`  ${LABEL[t.mode]}`);
      console.log(`    ${kinds.join('   ')}   all work ${allWork}`);
    }
    console.log(
      `  recording overhead: ${(worst * 100).toFixed(1)} % more CPU per request on the simulator's thread, the worst of push, read and all work, data folder or memory (target < 10 %: ${worst < 0.1 ? 'met' : 'NOT met'})`,
    );
    for (const s of servers) await stop(s);

    const judging = await start('judging', dir);
    // The first judgement loads the suites and builds their validators: a warm-up, as for the others.
    for (let i = 0; i < 3; i++) await burst(judging, 'push', body);
    await ask(judging.process, 'idle');
    const warm = await ask<{ recorded: number; judged: number }>(judging.process, 'cpu');
    judging.done = { push: 0, read: 0 };
    judging.ms = { push: 0, read: 0 };
    for (let i = 0; i < 12; i++) await burst(judging, 'push', body);
    const atEnd = await ask<{ recorded: number; judged: number }>(judging.process, 'cpu');
    const started = performance.now();
    await ask(judging.process, 'idle');
    const later = await ask<{ recorded: number; judged: number }>(judging.process, 'cpu');
    console.log(
      `  ${LABEL.judging.padEnd(42)} push ${((judging.done.push / judging.ms.push) * 1000).toFixed(0).padStart(5)}/s; ${atEnd.judged - warm.judged} of ${atEnd.recorded - warm.recorded} judged by the end of the pushes, all ${later.judged - warm.judged} ${((performance.now() - started) / 1000).toFixed(1)} s later`,
    );
    await stop(judging);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3] as Mode, process.argv[4]!, process.argv[5]!);
else await main();
