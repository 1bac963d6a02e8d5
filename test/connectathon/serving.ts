/** Starting `serve` (or `proxy`) in process for a test, and the reports a vendor would push to it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeasureReport } from 'fhir/r4.js';
import { request } from 'undici';
import { main } from '../../src/cli/main.js';
import { freshReport, PUSHED } from '../../simulators/measure-source-client/reports.js';
import { captureIo } from '../cli/cli-io.js';

export interface Served {
  dir: string;
  /** Base URLs printed at start, by name (`measure-consumer`, `inspector`, `proxy`). */
  urls: Record<string, string>;
  out(): string;
  err(): string;
  /** Stops it as Ctrl-C or SIGTERM would, and resolves to its exit code. */
  stop(): Promise<number>;
}

/** Runs `measure-conformance <args>` with a config file in a fresh folder until stop(). */
export async function serveInProcess(args: string[], configYaml: string): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-connectathon-'));
  writeFileSync(join(dir, 'config.yaml'), configYaml);
  const controller = new AbortController();
  const io = captureIo(dir, {}, controller.signal);
  const running = main([...args, '--config', 'config.yaml'], io);
  let exited: number | undefined;
  void running.then((code) => (exited = code));
  for (let i = 0; i < 400 && !/Press Ctrl-C to stop/.test(io.out()) && exited === undefined; i++) await new Promise((r) => setTimeout(r, 50));
  if (exited !== undefined || !/Press Ctrl-C to stop/.test(io.out())) throw new Error(`did not start (exit ${exited}): ${io.err()}`);
  const urls = Object.fromEntries([...io.out().matchAll(/^(\S+)\s+(https?:\/\/\S+)/gm)].map((m) => [m[1]!, m[2]!]));
  return {
    dir,
    urls,
    out: io.out,
    err: io.err,
    async stop() {
      controller.abort();
      const code = await running;
      return code;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A PublicHealthMeasureReport as a Measure Source pushes it. */
export function validReport(): MeasureReport {
  return freshReport(PUSHED.json);
}

/** The same report dated to the day only, which PublicHealthMeasureReport forbids (DateTimePreciseToSecond). */
export function invalidReport(): MeasureReport {
  const report = freshReport(PUSHED.json);
  report.date = report.date!.slice(0, 10);
  return report;
}

export async function push(base: string, report: MeasureReport, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(`${base}/MeasureReport`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', ...headers },
    body: JSON.stringify(report),
  });
  await res.body.text();
  return res.statusCode;
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}
