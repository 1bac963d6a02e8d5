import { cp, lstat, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { RunResults } from '../engine/results.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { serializeResults } from './results-file.js';
import { toTestReports } from './testreport.js';

export interface WrittenReports {
  html: string;
  json: string;
  junit: string;
  testReports: string[];
  /** The refreshed `latest` folder, when one was asked for. */
  latest?: string;
}

export interface WriteOptions {
  /** A folder (e.g. `reports/latest`) made to show this run: a symlink to outDir, or a copy where links fail. */
  latestDir?: string;
}

/** Writes index.html, results.json, junit.xml and testreport/<suite>.json into outDir, creating folders as needed. */
export async function writeReports(results: RunResults, outDir: string, options: WriteOptions = {}): Promise<WrittenReports> {
  const out = resolve(outDir);
  await mkdir(join(out, 'testreport'), { recursive: true });
  const html = join(out, 'index.html');
  const json = join(out, 'results.json');
  const junit = join(out, 'junit.xml');
  await writeFile(json, serializeResults(results));
  await writeFile(junit, renderJunit(results));
  const testReports: string[] = [];
  for (const report of toTestReports(results)) {
    const file = join(out, 'testreport', report.fileName);
    await writeFile(file, `${JSON.stringify(report.resource, null, 2)}\n`);
    testReports.push(file);
  }
  await writeFile(html, renderHtml(results));
  const written: WrittenReports = { html, json, junit, testReports };
  if (options.latestDir) written.latest = await refreshLatest(out, resolve(options.latestDir));
  return written;
}

/** Makes `latest` show the run folder `out`: a relative symlink, or a copy where links fail. */
export async function refreshLatest(out: string, latest: string): Promise<string> {
  if (latest === out) return latest;
  if (out.startsWith(latest + sep)) throw new Error(`the latest folder ${latest} contains the run folder ${out}: choose another latest folder`);
  const existing = await lstat(latest).catch(() => undefined);
  if (existing) await rm(latest, { recursive: existing.isDirectory() && !existing.isSymbolicLink(), force: true });
  await mkdir(dirname(latest), { recursive: true });
  try {
    // Relative, so the reports folder can be moved or archived with its link intact.
    await symlink(relative(dirname(latest), out), latest, 'dir');
  } catch {
    await cp(out, latest, { recursive: true });
  }
  return latest;
}
