import { cp, lstat, mkdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { RunResults } from '../engine/results.js';
import type { PreviousRun } from './compare.js';
import { REPORT_FORMAT_NAMES, REPORT_FORMATS, type ReportFormatName } from './formats.js';
import { parseResults, serializeResults } from './results-file.js';

export interface WrittenReports {
  /** Every file written, by format. */
  files: Partial<Record<ReportFormatName, string[]>>;
  html: string;
  json: string;
  junit: string;
  testReports: string[];
  /** The refreshed `latest` folder, when one was asked for. */
  latest?: string;
  /** The results file the report was compared with, when there was one. */
  comparedWith?: string;
}

export interface WriteOptions {
  /**
   * A folder (e.g. `reports/latest`) made to show this run: a symlink to outDir, or a copy where links
   * fail. The run it showed before is what the report is compared with, unless `previous` is given.
   */
  latestDir?: string;
  /** The earlier run to compare with (`report --compare`). */
  previous?: PreviousRun;
  /** The formats to write; default all of REPORT_FORMATS. */
  formats?: readonly ReportFormatName[];
  /** results.json's text when re-rendering from a saved file, so the hash shown is the file's. */
  resultsText?: string;
}

/** The run `latest` showed before this one, if any; a file that cannot be read is said so, not fatal. */
async function previousFromLatest(latestDir: string, current: RunResults): Promise<PreviousRun | undefined> {
  const source = join(latestDir, 'results.json');
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const results = parseResults(JSON.parse(text), source);
    if (results.startedAt === current.startedAt && results.sut.name === current.sut.name) return undefined;
    return { source, results };
  } catch (err) {
    return { source, error: `${source} could not be read as results (${(err as Error).message.split('\n')[0]})` };
  }
}

/** Writes every report format (results.json first) into outDir, creating folders as needed. */
export async function writeReports(results: RunResults, outDir: string, options: WriteOptions = {}): Promise<WrittenReports> {
  const out = resolve(outDir);
  const resultsText = options.resultsText ?? serializeResults(results);
  const previous = options.previous ?? (options.latestDir ? await previousFromLatest(resolve(options.latestDir), results) : undefined);
  const files: WrittenReports['files'] = {};
  await mkdir(out, { recursive: true });
  for (const name of options.formats ?? REPORT_FORMAT_NAMES) {
    const written: string[] = [];
    for (const file of REPORT_FORMATS[name].render(results, { resultsText, ...(previous ? { previous } : {}) })) {
      const path = join(out, ...file.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
      written.push(path);
    }
    files[name] = written;
  }
  const report: WrittenReports = {
    files,
    html: join(out, 'index.html'),
    json: join(out, 'results.json'),
    junit: join(out, 'junit.xml'),
    testReports: files.testreport ?? [],
    ...(previous && 'results' in previous ? { comparedWith: previous.source } : {}),
  };
  if (options.latestDir) report.latest = await refreshLatest(out, resolve(options.latestDir));
  return report;
}

/** Makes `latest` show the run folder `out`: a relative symlink, or a copy where links fail. */
export async function refreshLatest(out: string, latest: string): Promise<string> {
  if (latest === out) return latest;
  if (out.startsWith(latest + sep)) throw new Error(`the latest folder ${latest} contains the run folder ${out}: choose another latest folder`);
  const existing = await lstat(latest).catch(() => undefined);
  if (existing) {
    // `--out reports/latest/..` style paths can make latest the run folder itself through the link.
    if ((await realpath(latest).catch(() => latest)) === (await realpath(out).catch(() => out))) return latest;
    await rm(latest, { recursive: existing.isDirectory() && !existing.isSymbolicLink(), force: true });
  }
  await mkdir(dirname(latest), { recursive: true });
  try {
    // Relative, so the reports folder can be moved or archived with its link intact.
    await symlink(relative(dirname(latest), out), latest, 'dir');
  } catch {
    await cp(out, latest, { recursive: true });
  }
  return latest;
}
