// What recording every exchange costs a served simulator: the reference Measure Consumer not
// recording, and recording as `serve` does (the exchange log in SQLite, in a thread of its own,
// written in batches with relaxed syncing), with the log in a data folder and in memory. The three
// run side by side in one process, each on a port of its own with a store of its own, and three
// such processes take turns: a process's luck (JIT, heap layout) moved one way of running against
// another by several per cent when each ran in processes of its own, and within one process it
// falls on all three alike. Every server takes bursts of 400 pushes (POST MeasureReport, validated,
// stored) and of 400 reads (a search returning a report) from 8 connections, in turn, many times
// over, so the machine's changing load falls on all of them alike and every store holds the same
// reports. Before a burst is timed and after it, the logs hand over and write what is pending, so a
// burst is charged with its own records and no other's. Per way of running: requests per second
// (recording may cost less than 10 % of them); the CPU time per request of the simulator's thread,
// which answers every request and so bounds its throughput where the machine has a core to spare,
// held to the same bound; and of the whole process, the log's thread included, which works on
// another core where the machine has one free; and the simulator thread's garbage-collection pauses
// per request, where records held on its heap would show.
// Judging each exchange with the suites runs beside recording, one at a time, in the pauses between
// exchanges (and at least twice a second), and is shown apart: under load it falls behind rather
// than slowing the simulator, and catches up once the load stops.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { RunningFhirServer } from '../src/fhir/server/index.js';

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
/** Requests per burst: a count, not a time, so every store holds the same reports (a search's cost grows with it). */
const BURST = 400;
/** Processes, each running every way of running side by side. */
const PROCESSES = 3;
const CYCLES = 16;
const MODES: Mode[] = ['off', 'log-file', 'log-memory'];
/** What is compared: each kind of request, and both together. */
const COLUMNS: [string, readonly Kind[]][] = [
  ['push', ['push']],
  ['read', ['read']],
  ['both', KINDS],
];

/**
 * Served Measure Consumers, one per mode, in this process. `cpu` answers with the CPU time so far
 * (µs) of the process and of its main thread, taken after every log has written what it was handed,
 * and the main thread's garbage-collection pauses so far (µs).
 */
async function child(modes: Mode[], dir: string, replica: string): Promise<void> {
  const { simulatorById } = await import('../simulators/index.js');
  const { ExchangeLog } = await import('../src/cli/connectathon/exchange-log.js');
  const { Recorder } = await import('../src/cli/connectathon/recorder.js');
  const { transactionAt } = await import('../src/cli/connectathon/transactions.js');
  const transaction = transactionAt('measure-consumer')!;
  const served: { mode: Mode; server: RunningFhirServer; recorder: InstanceType<typeof Recorder> | undefined }[] = [];
  for (const mode of modes) {
    const recorder =
      mode === 'off' ? undefined : new Recorder({ log: await ExchangeLog.open(mode === 'log-memory' ? ':memory:' : join(dir, `exchanges-${mode}-${replica}.sqlite`)), grade: mode === 'judging' });
    let origin: { source: string; baseUrl: string; transaction: typeof transaction; sides: ['client'] } | undefined;
    const server = await simulatorById('measure-consumer')!.start(recorder ? { onExchange: (e) => void recorder.record(origin!, e) } : {});
    origin = { source: 'measure-consumer', baseUrl: server.url, transaction, sides: ['client'] };
    served.push({ mode, server, recorder });
  }
  let gcPauses = 0;
  new PerformanceObserver((entries) => {
    for (const e of entries.getEntries()) gcPauses += e.duration * 1000;
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (m: string) => {
    if (m === 'cpu') {
      // lastSeq() hands over what is pending and waits for the log's thread to write it.
      for (const s of served) s.recorder?.log.lastSeq();
      const { user, system } = process.cpuUsage();
      process.send!({ cpu: user + system, main: mainThreadCpu(), gc: gcPauses } satisfies CpuSnapshot);
    }
    if (m === 'records') {
      const log = served[0]?.recorder?.log;
      process.send!({ recorded: log?.lastSeq() ?? 0, judged: log ? log.list({ finding: 'pass' }).length : 0 });
    }
    if (m === 'idle') void Promise.all(served.map((s) => s.recorder?.idle())).then(() => process.send!('idle'));
    if (m === 'stop') void Promise.all(served.map((s) => s.server.close().then(() => s.recorder?.close()))).then(() => process.exit(0));
  });
  // A bench stopped half way takes its servers with it.
  process.on('disconnect', () => process.exit(0));
  process.send!({ urls: served.map((s) => s.server.url) });
}

/** The CPU time of this process's main thread so far (µs), from Linux's per-thread accounting; undefined elsewhere. */
function mainThreadCpu(): number | undefined {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return undefined;
  }
}

interface CpuSnapshot {
  cpu: number;
  main: number | undefined;
  gc: number;
}

/**
 * What bursts add up to, per kind of request: requests done, time spent (ms), CPU time of the
 * whole process and of its main thread (µs), and the main thread's garbage-collection pauses (µs).
 */
const TALLIED = ['done', 'ms', 'cpu', 'main', 'gc'] as const;
type Tally = Record<(typeof TALLIED)[number], Record<Kind, number>>;

function newTally(): Tally {
  return Object.fromEntries(TALLIED.map((field) => [field, { push: 0, read: 0 }])) as Tally;
}

function addTally(into: Tally, from: Tally): void {
  for (const field of TALLIED) for (const kind of KINDS) into[field][kind] += from[field][kind];
}

interface Served {
  mode: Mode;
  process: ChildProcess;
  pool: Pool;
  tally: Tally;
}

function ask<T>(p: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    p.once('message', (m) => resolve(m as T));
    p.send(message);
  });
}

const cpuOf = (s: Served) => ask<CpuSnapshot>(s.process, 'cpu');

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
        s.tally.done[kind]++;
      }
    }),
  );
  s.tally.ms[kind] += performance.now() - started;
  const after = await cpuOf(s);
  s.tally.cpu[kind] += after.cpu - before.cpu;
  s.tally.main[kind] += (after.main ?? Number.NaN) - (before.main ?? Number.NaN);
  s.tally.gc[kind] += after.gc - before.gc;
}

/** A process running `modes` side by side, one Served per mode. */
async function start(modes: Mode[], dir: string, replica = 0): Promise<Served[]> {
  const p = fork(fileURLToPath(import.meta.url), ['child', modes.join(','), dir, String(replica)], { execArgv: ['--import', 'tsx'] });
  p.once('exit', (code) => {
    if (code !== 0) {
      console.error(`the server process (${modes.join(', ')}) exited with ${code}`);
      process.exit(1);
    }
  });
  const { urls } = await new Promise<{ urls: string[] }>((resolve) => p.once('message', (m) => resolve(m as { urls: string[] })));
  return modes.map((mode, i) => ({
    mode,
    process: p,
    pool: new Pool(urls[i]!, { connections: CONNECTIONS }),
    tally: newTally(),
  }));
}

async function stop(served: Served[]): Promise<void> {
  for (const s of served) await s.pool.close();
  const p = served[0]!.process;
  const exited = new Promise((r) => p.once('exit', r));
  p.send('stop');
  await exited;
}

const perSecond = (done: number, ms: number) => (done / ms) * 1000;
const change = (value: number, base: number) => {
  const share = (value - base) / base;
  return `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)} %`;
};

async function main(): Promise<void> {
  const { freshReport, PUSHED } = await import('../simulators/measure-source-client/reports.js');
  const body = JSON.stringify(freshReport(PUSHED.json));
  const dir = mkdtempSync(join(tmpdir(), 'mc-recording-bench-'));
  try {
    const processes: Served[][] = [];
    for (let replica = 0; replica < PROCESSES; replica++) processes.push(await start(MODES, dir, replica));
    const servers = processes.flat();
    for (const s of servers) for (const kind of KINDS) for (let i = 0; i < 3; i++) await burst(s, kind, body);
    for (const s of servers) s.tally = newTally();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Another one goes first each cycle, so none always follows the same neighbour.
      const order = servers.map((_, i) => servers[(i + cycle) % servers.length]!);
      for (const kind of KINDS) for (const s of order) await burst(s, kind, body);
    }
    // Each way of running, its servers in all processes together.
    const totals = MODES.map((mode) => {
      const tally = newTally();
      for (const s of servers) if (s.mode === mode) addTally(tally, s.tally);
      return { mode, tally };
    });
    console.log(
      `reference Measure Consumer (resources in memory); ${PROCESSES} processes each serving every way of running side by side, ${CONNECTIONS} connections; ${CYCLES} rounds in which every server takes a burst of ${BURST} pushes and one of ${BURST} reads`,
    );
    console.log(
      "  CPU per request: the simulator's thread / the whole process (the log's thread included), then the simulator thread's garbage-collection pauses; \"both\" counts pushes and reads together",
    );
    const off = totals[0]!;
    // The worst of push, read and both, data folder or memory: throughput lost, and CPU added on the simulator's thread.
    let worstRate = 0;
    let worst = 0;
    const compare = (value: number, base: number) => {
      if (Number.isFinite(value)) worst = Math.max(worst, (value - base) / base);
      return change(value, base);
    };
    const compareRate = (value: number, base: number) => {
      worstRate = Math.max(worstRate, (base - value) / base);
      return change(value, base);
    };
    for (const t of totals) {
      const columns = COLUMNS.map(([name, kinds]) => {
        const sum = (of: Record<Kind, number>) => kinds.reduce((n, k) => n + of[k], 0);
        const rate = perSecond(sum(t.tally.done), sum(t.tally.ms));
        const main = sum(t.tally.main) / sum(t.tally.done);
        const cpu = sum(t.tally.cpu) / sum(t.tally.done);
        const gc = `gc ${(sum(t.tally.gc) / sum(t.tally.done)).toFixed(1).padStart(4)} µs`;
        if (t === off) return `${name} ${rate.toFixed(0).padStart(5)}/s ${main.toFixed(0).padStart(4)} / ${cpu.toFixed(0).padStart(4)} µs ${gc}`;
        const offRate = perSecond(sum(off.tally.done), sum(off.tally.ms));
        const offMain = sum(off.tally.main) / sum(off.tally.done);
        const offCpu = sum(off.tally.cpu) / sum(off.tally.done);
        return `${name} ${rate.toFixed(0).padStart(5)}/s (${compareRate(rate, offRate)}) ${main.toFixed(0).padStart(4)} µs (${compare(main, offMain)}) / ${cpu.toFixed(0).padStart(4)} µs (${change(cpu, offCpu)}) ${gc}`;
      });
      console.log(`  ${LABEL[t.mode]}`);
      console.log(`    ${columns.join('   ')}`);
      if (t === off) continue;
      // Each process's own comparison: how far apart they land is the noise the figures above carry.
      const spread = COLUMNS.map(([name, kinds]) => {
        const perProcess = processes.map((served) => {
          const mainPerRequest = (s: Served) => kinds.reduce((n, k) => n + s.tally.main[k], 0) / kinds.reduce((n, k) => n + s.tally.done[k], 0);
          const mine = served.find((s) => s.mode === t.mode)!;
          const notRecorded = served.find((s) => s.mode === 'off')!;
          return change(mainPerRequest(mine), mainPerRequest(notRecorded));
        });
        return `${name} ${perProcess.join(', ')}`;
      });
      console.log(`    the simulator's thread in each process: ${spread.join('   ')}`);
    }
    const verdict = (share: number) => `target < 10 %: ${share < 0.1 ? 'met' : 'NOT met'}`;
    console.log(`  recording overhead, the worst of push, read and both, data folder or memory:`);
    console.log(`    simulator throughput ${(worstRate * 100).toFixed(1)} % lower (${verdict(worstRate)})`);
    // The stricter figure: the simulator's thread bounds its throughput where the machine has a core to spare, and its CPU time is not
    // limited by how fast this process sends.
    console.log(`    CPU per request on the simulator's thread ${(worst * 100).toFixed(1)} % more (${verdict(worst)})`);
    for (const p of processes) await stop(p);

    const [judging] = await start(['judging'], dir);
    if (!judging) throw new Error('the judging server did not start');
    // The first judgement loads the suites and builds their validators: a warm-up, as for the others.
    for (let i = 0; i < 3; i++) await burst(judging, 'push', body);
    await ask(judging.process, 'idle');
    const warm = await ask<{ recorded: number; judged: number }>(judging.process, 'records');
    judging.tally = newTally();
    for (let i = 0; i < 12; i++) await burst(judging, 'push', body);
    const atEnd = await ask<{ recorded: number; judged: number }>(judging.process, 'records');
    const started = performance.now();
    await ask(judging.process, 'idle');
    const later = await ask<{ recorded: number; judged: number }>(judging.process, 'records');
    console.log(
      `  ${LABEL.judging.padEnd(42)} push ${perSecond(judging.tally.done.push, judging.tally.ms.push).toFixed(0).padStart(5)}/s; ${atEnd.judged - warm.judged} of ${atEnd.recorded - warm.recorded} judged by the end of the pushes, all ${later.judged - warm.judged} ${((performance.now() - started) / 1000).toFixed(1)} s later`,
    );
    await stop([judging]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!.split(',') as Mode[], process.argv[4]!, process.argv[5]!);
else await main();
