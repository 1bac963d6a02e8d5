/**
 * Push, kill, restart: a file-backed reference Measure Consumer runs in a child process, takes a
 * burst of concurrent pushes (POST creates and PUT creates at client ids, alternately), is SIGKILLed
 * once a set number of them have been acknowledged, and is restarted on the same SQLite file. Every
 * push answered 2xx must then read back as it was sent. Shared by the durability test and bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { Pool, request } from 'undici';

export interface DurabilityOptions {
  pushes: number;
  /** The Consumer is killed when this many pushes have been answered 2xx, with the rest in flight or queued. */
  killAfterAcks: number;
  /** Connections the pushes share; all pushes are issued at once and queue for them. */
  connections: number;
  /** Fault modes of the Consumer, e.g. lose-acknowledged to prove the check can fail. */
  faults?: string[];
}

export interface DurabilityOutcome {
  tried: number;
  acknowledged: number;
  /** 5xx answers: the Consumer broke on a valid push. */
  serverErrors: number;
  /** Other non-2xx answers: a valid push refused. */
  refused: number;
  /** No answer at all: in flight or queued when the process died. */
  unanswered: number;
  /** Exits of the Consumer that were not the test's own SIGKILL or SIGTERM. */
  crashes: number;
  /** Ids of acknowledged reports the restarted Consumer does not give back as they were sent. */
  lost: string[];
  /** Pushes never acknowledged that the restarted Consumer holds anyway (committed, answer cut off). */
  unacknowledgedKept: number;
  /** Status of a fresh push to the restarted Consumer. */
  statusAfterRestart: number;
}

const FHIR_JSON = 'application/fhir+json';
const START_MS = 60_000;
const PUSH_SYSTEM = 'urn:measure-conformance:durability';
const root = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('./durability-child.ts', import.meta.url));

export async function pushKillRestart(options: DurabilityOptions): Promise<DurabilityOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-durability-'));
  const storePath = join(dir, 'consumer.sqlite');
  const outcome: DurabilityOutcome = {
    tried: options.pushes,
    acknowledged: 0,
    serverErrors: 0,
    refused: 0,
    unanswered: 0,
    crashes: 0,
    lost: [],
    unacknowledgedKept: 0,
    statusAfterRestart: 0,
  };
  const onCrash = () => void outcome.crashes++;
  const reports = Array.from({ length: options.pushes }, (_, i) => pushedReport(i));
  const acknowledged = new Map<string, MeasureReport>();
  const started: RunningConsumer[] = [];
  try {
    const first = await startConsumer(storePath, options.faults ?? [], onCrash);
    started.push(first);
    await pushAll(first, reports, options, acknowledged, outcome);
    // Already dead when the kill came mid-burst; otherwise (fewer acknowledgements) killed now.
    first.stop('SIGKILL');
    await first.exited;

    const second = await startConsumer(storePath, options.faults ?? [], onCrash);
    started.push(second);
    outcome.lost = await notReadBack(second.url, acknowledged);
    outcome.unacknowledgedKept = (await countPushed(second.url)) - acknowledged.size;
    outcome.statusAfterRestart = await postOne(second.url, pushedReport(options.pushes));
    second.stop('SIGTERM');
    await second.exited;
    outcome.acknowledged = acknowledged.size;
    return outcome;
  } finally {
    for (const consumer of started) {
      if (!consumer.hasExited()) consumer.stop('SIGKILL');
      await consumer.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

interface RunningConsumer {
  url: string;
  /** Sends the signal; an exit caused by it is not counted as a crash. */
  stop(signal: 'SIGKILL' | 'SIGTERM'): void;
  hasExited(): boolean;
  exited: Promise<void>;
}

async function startConsumer(storePath: string, faults: string[], onCrash: () => void): Promise<RunningConsumer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', childScript, storePath, ...faults], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let stoppedWith: NodeJS.Signals | undefined;
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      const asked = stoppedWith !== undefined && (signal === stoppedWith || (stoppedWith === 'SIGTERM' && code === 0));
      if (!asked) onCrash();
      resolve();
    });
  });
  const lines = createInterface({ input: child.stdout! });
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    exited.then(() => {
      throw new Error(`the Consumer process exited before listening: ${stderr.trim()}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        stoppedWith = 'SIGKILL';
        child.kill('SIGKILL');
        reject(new Error(`the Consumer process did not listen within ${START_MS / 1000} s`));
      }, START_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  lines.close();
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    stop(signal) {
      if (hasExited) return;
      stoppedWith ??= signal;
      child.kill(signal);
    },
    hasExited: () => hasExited,
    exited,
  };
}

/** A valid SANER report, distinct per push by its identifier, subject and day. */
function pushedReport(i: number): MeasureReport {
  const text = readFileSync(join(root, 'fixtures/saner/measurereport-beds-camden-2020-04-01.json'), 'utf8');
  const { id: _id, ...template } = JSON.parse(text) as MeasureReport;
  const day = `2020-04-${String((i % 28) + 1).padStart(2, '0')}`;
  return {
    ...template,
    ...(i % 2 === 1 ? { id: `durability-${i}` } : {}),
    identifier: [{ system: PUSH_SYSTEM, value: `push-${i}` }],
    subject: { ...template.subject, identifier: { system: 'urn:example:facility', value: `F${i % 200}` } },
    date: `${day}T06:20:00-04:00`,
    period: { start: `${day}T00:00:00-04:00`, end: `${day}T23:59:59-04:00` },
  };
}

async function pushAll(consumer: RunningConsumer, reports: MeasureReport[], options: DurabilityOptions, acknowledged: Map<string, MeasureReport>, outcome: DurabilityOutcome): Promise<void> {
  const base = new URL(consumer.url);
  const path = `${base.pathname.replace(/\/$/, '')}/MeasureReport`;
  const pool = new Pool(base.origin, { connections: options.connections });
  const pushOne = async (report: MeasureReport): Promise<void> => {
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await pool.request({
        method: report.id ? 'PUT' : 'POST',
        path: report.id ? `${path}/${report.id}` : path,
        headers: { 'content-type': FHIR_JSON, accept: FHIR_JSON, prefer: 'return=minimal' },
        body: JSON.stringify(report),
      });
    } catch {
      outcome.unanswered++;
      return;
    }
    // The status line is the acknowledgement; a body cut off by the kill does not take it back.
    await res.body.dump().catch(() => undefined);
    if (res.statusCode >= 200 && res.statusCode < 300) {
      const id = report.id ?? /\/MeasureReport\/([^/]+)\/_history\//.exec(String(res.headers['location']))?.[1];
      if (id === undefined) throw new Error(`a ${res.statusCode} to a create without a usable Location header`);
      acknowledged.set(id, report);
      if (acknowledged.size === options.killAfterAcks) consumer.stop('SIGKILL');
    } else if (res.statusCode >= 500) outcome.serverErrors++;
    else outcome.refused++;
  };
  try {
    await Promise.all(reports.map(pushOne));
  } finally {
    await pool.destroy();
  }
}

/** Ids of acknowledged reports that are missing or differ from what was sent. */
async function notReadBack(url: string, acknowledged: Map<string, MeasureReport>): Promise<string[]> {
  const lost: string[] = [];
  const pool = new Pool(new URL(url).origin, { connections: 8 });
  const base = new URL(url).pathname.replace(/\/$/, '');
  try {
    await Promise.all(
      [...acknowledged].map(async ([id, sent]) => {
        const res = await pool.request({ method: 'GET', path: `${base}/MeasureReport/${id}`, headers: { accept: FHIR_JSON } });
        const text = await res.body.text();
        if (res.statusCode !== 200 || canonical(essentials(JSON.parse(text) as MeasureReport)) !== canonical(essentials({ ...sent, id }))) lost.push(id);
      }),
    );
  } finally {
    await pool.close();
  }
  return lost.sort();
}

/** What a push carries, without what the server assigns (version and time of the write). */
function essentials(report: MeasureReport): MeasureReport {
  const { versionId: _v, lastUpdated: _l, ...meta } = report.meta ?? {};
  return { ...report, meta };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** MeasureReports on the Consumer that came from this run's pushes, whether acknowledged or not. */
async function countPushed(url: string): Promise<number> {
  let count = 0;
  let next: string | undefined = `${url}/MeasureReport?_count=500`;
  while (next) {
    const res = await request(next, { headers: { accept: FHIR_JSON } });
    const page = (await res.body.json()) as Bundle;
    if (res.statusCode !== 200) throw new Error(`search of the restarted Consumer answered ${res.statusCode}`);
    count += (page.entry ?? []).filter((e) => (e.resource as MeasureReport | undefined)?.identifier?.some((i) => i.system === PUSH_SYSTEM)).length;
    next = page.link?.find((l) => l.relation === 'next')?.url;
  }
  return count;
}

async function postOne(url: string, report: MeasureReport): Promise<number> {
  const { id: _id, ...body } = report;
  const res = await request(`${url}/MeasureReport`, { method: 'POST', headers: { 'content-type': FHIR_JSON }, body: JSON.stringify(body) });
  await res.body.dump();
  return res.statusCode;
}
