/**
 * SIGTERM, as Docker, systemd and Kubernetes send it, stops `serve` and `proxy` the way Ctrl-C
 * does: no new connections, requests in flight finished, the SQLite files checkpointed (no WAL file
 * left behind), exit 0, with a message of their own, not the run's "writing the report".
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/harness.js';
import { simulatorById } from '../../simulators/index.js';
import { ExchangeLog } from '../../src/cli/connectathon/exchange-log.js';
import { push, validReport } from './serving.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Child {
  child: ChildProcessWithoutNullStreams;
  out(): string;
  err(): string;
  exit: Promise<number | null>;
}

async function start(args: string[], dir: string): Promise<Child> {
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'measure-conformance.js'), ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (let i = 0; i < 600 && !/Press Ctrl-C to stop/.test(out) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  if (!/Press Ctrl-C to stop/.test(out)) throw new Error(`did not start: ${err}`);
  return { child, out: () => out, err: () => err, exit };
}

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-sigterm-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'config.yaml'), 'simulators:\n  dataDir: ./data\n');
  return dir;
}

const url = (out: string, name: string) => new RegExp(`^${name}\\s+(https?://\\S+)`, 'm').exec(out)![1]!;
const walFiles = (dir: string) => readdirSync(join(dir, 'data')).filter((f) => f.endsWith('-wal') || f.endsWith('-shm'));

describe('SIGTERM', () => {
  it('stops serve cleanly: exit 0, its own message, the exchange kept, no WAL file left', async () => {
    const dir = workdir();
    const served = await start(['serve', '--simulator', 'measure-consumer', '--config', 'config.yaml'], dir);
    expect(await push(url(served.out(), 'measure-consumer'), validReport())).toBe(201);
    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    expect(served.err()).toMatch(/^\nserve: stopping: no new connections; finishing the requests in flight and writing the exchange log\nserve: stopped; data and exchanges kept in .*data\n$/);
    expect(served.err()).not.toMatch(/writing the report/);
    expect(walFiles(dir)).toEqual([]);
    const log = await ExchangeLog.open(join(dir, 'data', 'exchanges.sqlite'));
    try {
      expect(log.list().map((r) => r.exchange.status)).toEqual([201]);
    } finally {
      log.close();
    }
  }, 60_000);

  it('stops the proxy cleanly too', async () => {
    const dir = workdir();
    const consumer = await simulatorById('measure-consumer')!.start({});
    try {
      const proxy = await start(['proxy', '--target', consumer.url, '--transaction', 'saner/produce-measure', '--config', 'config.yaml'], dir);
      expect(await push(url(proxy.out(), 'proxy'), validReport())).toBe(201);
      proxy.child.kill('SIGTERM');
      expect(await proxy.exit).toBe(0);
      expect(proxy.err()).toMatch(/^\nproxy: stopping: no new connections; finishing the requests in flight and writing the exchange log\nproxy: stopped; exchanges kept in .*data\n$/);
      expect(walFiles(dir)).toEqual([]);
    } finally {
      await consumer.close();
    }
  }, 60_000);
});
