/** Writes a load run's load.json and load.html into the report folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { refreshLatest } from '../report/write.js';
import { renderLoadHtml } from './html.js';
import type { LoadResult } from './model.js';

export interface WrittenLoadReport {
  json: string;
  html: string;
  latest?: string;
}

export async function writeLoadReport(result: LoadResult, outDir: string, latestDir?: string): Promise<WrittenLoadReport> {
  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  const json = join(out, 'load.json');
  const html = join(out, 'load.html');
  await writeFile(json, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(html, renderLoadHtml(result));
  return { json, html, ...(latestDir ? { latest: await refreshLatest(out, resolve(latestDir)) } : {}) };
}
