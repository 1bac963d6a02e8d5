// What recording every exchange costs a served simulator: the reference Measure Consumer not
// recording, and recording as `serve` does (the exchange log in SQLite, written in batches with
// relaxed syncing), with the log in a data folder and in memory. Each runs in its own process and
// takes bursts of pushes (POST MeasureReport, validated, stored) and reads (a search returning a
// report) from 8 connections, in turn, many times over, so the machine's changing load falls on all
// of them alike. Two figures per way of running: requests per second, and the process's CPU time
// per request, everything it did counted (the batched writes between bursts too); the overhead is
// the extra CPU per request, which is what recording takes from the simulator's throughput.
// Judging each exchange with the suites runs beside recording, one at a time, in the pauses between
// exchanges (and at least twice a second), and is shown apart: under load it falls behind rather
// than slowing the simulator, and catches up once the load stops.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
const BURST_MS = 250;
const CYCLES = 40;

/** A served Measure Consumer in one mode, answering `cpu` with its CPU time so far (µs) and its records. */
async function child(mode: Mode, dir: string): Promise<void> {
  const { simulatorById } = await import('../simulators/index.js');
  const { ExchangeLog } = await import('../src/cli/connectathon/exchange-log.js');
  const { Recorder } = await import('../src/cli/connectathon/recorder.js');
  const { transactionAt } = await import('../src/cli/connectathon/transactions.js');
  const recorder = mode === 'off' ? undefined : new Recorder({ log: ExchangeLog.open(mode === 'log-memory' ? ':memory:' : join(dir, `exchanges-${mode}.sqlite`)), grade: mode === 'judging' });
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
      process.send!({ cpu: user + system, recorded: log?.lastSeq() ?? 0, judged: log ? log.list({ finding: 'pass' }).length : 0 });
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

interface Served {
  mode: Mode;
  process: ChildProcess;
  pool: Pool;
  done: Record<Kind, number>;
  /** CPU µs during each kind's bursts. */
  during: Record<Kind, number>;
}

function ask<T>(p: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    p.once('message', (m) => resolve(m as T));
    p.send(message);
  });
}

const cpuOf = async (s: Served) => (await ask<{ cpu: number }>(s.process, 'cpu')).cpu;

async function burst(s: Served, kind: Kind, body: string): Promise<void> {
  const before = await cpuOf(s);
  const end = performance.now() + BURST_MS;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
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
  s.during[kind] += (await cpuOf(s)) - before;
}

async function start(mode: Mode, dir: string): Promise<Served> {
  const p = fork(fileURLToPath(import.meta.url), ['child', mode, dir], { execArgv: ['--import', 'tsx'] });
  p.once('exit', (code) => {
    if (code !== 0) {
      console.error(`the ${mode} server exited with ${code}`);
      process.exit(1);
    }
  });
  const { url } = await new Promise<{ url: string }>((resolve) => p.once('message', (m) => resolve(m as { url: string })));
  return { mode, process: p, pool: new Pool(url, { connections: CONNECTIONS }), done: { push: 0, read: 0 }, during: { push: 0, read: 0 } };
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
    const all = [await start('off', dir), await start('log-file', dir), await start('log-memory', dir)];
    for (const s of all) for (const kind of KINDS) for (let i = 0; i < 3; i++) await burst(s, kind, body);
    for (const s of all) s.done = { push: 0, read: 0 };
    for (const s of all) s.during = { push: 0, read: 0 };
    const from = await Promise.all(all.map(cpuOf));
    let seconds = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Another one goes first each cycle, so none always follows the same neighbour.
      const order = all.map((_, i) => all[(i + cycle) % all.length]!);
      for (const kind of KINDS) for (const s of order) await burst(s, kind, body);
      seconds += BURST_MS / 1000;
    }
    await new Promise((r) => setTimeout(r, 200));
    const total = (await Promise.all(all.map(cpuOf))).map((cpu, i) => cpu - from[i]!);
    console.log(`reference Measure Consumer (resources in memory), one process each; ${CONNECTIONS} connections; ${CYCLES} bursts of ${BURST_MS} ms of pushes and of reads each, taken in turn`);
    const off = all[0]!;
    const perRequest = (s: Served, i: number) => total[i]! / (s.done.push + s.done.read);
    let worst = 0;
    all.forEach((s, i) => {
      const kinds = KINDS.map((k) => {
        const cpu = s.during[k] / s.done[k];
        const share = (cpu - off.during[k] / off.done[k]) / (off.during[k] / off.done[k]);
        if (s !== off) worst = Math.max(worst, share);
        return `${k} ${(s.done[k] / seconds).toFixed(0).padStart(5)}/s ${cpu.toFixed(0).padStart(5)} µs${s === off ? '       ' : ` ${share >= 0 ? '+' : ''}${(share * 100).toFixed(1).padStart(4)} %`}`;
      });
      const overall = (perRequest(s, i) - perRequest(off, 0)) / perRequest(off, 0);
      if (s !== off) worst = Math.max(worst, overall);
      console.log(
        `  ${LABEL[s.mode].padEnd(42)} ${kinds.join('   ')}   all work ${perRequest(s, i).toFixed(0).padStart(5)} µs per request${s === off ? '' : ` ${overall >= 0 ? '+' : ''}${(overall * 100).toFixed(1)} %`}`,
      );
    });
    console.log(`  recording overhead: ${(worst * 100).toFixed(1)} % more simulator CPU per request, the worst of push, read and all work, data folder or memory (target < 10 %)`);
    for (const s of all) await stop(s);

    const judging = await start('judging', dir);
    // The first judgement loads the suites and builds their validators: a warm-up, as for the others.
    for (let i = 0; i < 3; i++) await burst(judging, 'push', body);
    await ask(judging.process, 'idle');
    const warm = await ask<{ recorded: number; judged: number }>(judging.process, 'cpu');
    judging.done = { push: 0, read: 0 };
    for (let i = 0; i < 12; i++) await burst(judging, 'push', body);
    const atEnd = await ask<{ recorded: number; judged: number }>(judging.process, 'cpu');
    const started = performance.now();
    await ask(judging.process, 'idle');
    const later = await ask<{ recorded: number; judged: number }>(judging.process, 'cpu');
    console.log(
      `  ${LABEL.judging.padEnd(42)} push ${(judging.done.push / ((12 * BURST_MS) / 1000)).toFixed(0).padStart(5)}/s; ${atEnd.judged - warm.judged} of ${atEnd.recorded - warm.recorded} judged by the end of the pushes, all ${later.judged - warm.judged} ${((performance.now() - started) / 1000).toFixed(1)} s later`,
    );
    await stop(judging);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3] as Mode, process.argv[4]!);
else await main();
