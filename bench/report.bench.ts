// The report as its readers meet it. The reference run (`npm start`: every suite against the bundled
// simulators) is run here, then: how big index.html is, how long each format takes to render, and in
// headless Chromium how long the page takes to open and to expand every test, and how many A4 pages
// the summary print takes. Targets (issue "The report a program manager can sign"): index.html
// <= 2 MB, open < 0.5 s, expand-all < 0.5 s, summary print <= 5 pages. On a shared machine wall
// times grow with its load; the renderer's main-thread CPU time beside them does not. Then the
// synthetic big runs.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/command.js';
import { REPORT_FORMAT_NAMES, REPORT_FORMATS } from '../src/report/formats.js';
import { renderHtml } from '../src/report/html.js';
import { renderJunit } from '../src/report/junit.js';
import { parseResults } from '../src/report/results-file.js';
import { writeReports } from '../src/report/write.js';
import { EXPAND_ALL_MS, OPEN_TIMING, PREPARE_FULL_PRINT } from '../test/report/browser-probes.js';
import { countPdfPages } from '../test/report/pdf-pages.js';
import { bigResults } from '../test/fixtures-report/sample.js';

const CHROMIUM = '/usr/bin/chromium';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => unknown, runs = 5): number {
  fn();
  const took: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    took.push(performance.now() - t);
  }
  return median(took);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;

const dir = await mkdtemp(join(tmpdir(), 'mc-bench-report-'));
try {
  // ---- the reference run --------------------------------------------------------------------------
  const out = join(dir, 'reference');
  const io: CliIo = { stdout: () => undefined, stderr: (t) => process.stderr.write(t), cwd: dir, env: {}, signal: new AbortController().signal };
  const started = performance.now();
  const code = await main(['run', '--out', out], io);
  console.log(`reference run: exit ${code}, ${ms(performance.now() - started)} (suites, simulators and all reports)`);
  const text = await readFile(join(out, 'results.json'), 'utf8');
  const results = parseResults(JSON.parse(text));
  const html = await readFile(join(out, 'index.html'));
  const bodies = results.tests.flatMap((t) => t.evidence.flatMap((e) => (e.kind === 'http' ? [e.exchange.requestBody, e.exchange.responseBody] : []))).filter((b) => b !== undefined);
  console.log(
    `  ${results.tests.length} tests, ${results.requirements.length} requirements, ${bodies.length} HTTP bodies (${mb(bodies.reduce((n, b) => n + b.text.length, 0))}, ` +
      `${new Set(bodies.map((b) => b.text)).size} unique); results.json ${mb(text.length)}`,
  );
  console.log(`  index.html ${mb(html.length)} (target <= 2 MB; ${mb(gzipSync(html).length)} gzipped)`);
  for (const name of REPORT_FORMAT_NAMES) {
    console.log(`  render ${name.padEnd(10)} ${ms(time(() => REPORT_FORMATS[name].render(results, { resultsText: text }), 3))}`);
  }

  if (!existsSync(CHROMIUM)) {
    console.log(`  (no ${CHROMIUM}: open, expand-all and print figures skipped)`);
  } else {
    const profile = await mkdtemp(join(tmpdir(), 'mc-bench-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1400, height: 900 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const url = pathToFileURL(join(out, 'index.html')).href;
      // Wall time suffers from whatever else the machine runs; the renderer's main-thread CPU time does not.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const threadMs = async () => 1000 * ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN);
      const opens: number[] = [];
      const ready: number[] = [];
      const openCpu: number[] = [];
      const expands: number[] = [];
      const expandCpu: number[] = [];
      for (let i = 0; i < 5; i++) {
        await page.goto(url, { waitUntil: 'load' });
        const timing = (await page.evaluate(OPEN_TIMING)) as { load: number; ready: number };
        opens.push(timing.load);
        ready.push(timing.ready);
        openCpu.push(await threadMs());
        const before = await threadMs();
        expands.push((await page.evaluate(EXPAND_ALL_MS)) as number);
        expandCpu.push((await threadMs()) - before);
      }
      console.log(`  open in Chromium: load event ${ms(median(opens))}, script ready ${ms(median(ready))}, main-thread CPU ${ms(median(openCpu))} (target < 500 ms; median of 5)`);
      console.log(`  expand all ${await page.locator('details.test').count()} tests: ${ms(median(expands))}, main-thread CPU ${ms(median(expandCpu))} (target < 500 ms; median of 5)`);
      await page.goto(url, { waitUntil: 'load' });
      const summary = countPdfPages(await page.pdf({ format: 'A4' }));
      const t = performance.now();
      await page.evaluate(PREPARE_FULL_PRINT);
      const full = countPdfPages(await page.pdf({ format: 'A4' }));
      console.log(`  print: summary ${summary} A4 pages (target <= 5); full ${full} pages (${ms(performance.now() - t)} to lay out and print)`);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }

  // ---- synthetic big runs -------------------------------------------------------------------------
  for (const [tests, body] of [
    [100, 2_000],
    [1_000, 2_000],
    [1_000, 20_000],
  ] as const) {
    const big = bigResults(tests, body);
    const evidence = big.tests.reduce((n, t) => n + t.evidence.reduce((m, e) => m + (e.kind === 'http' ? (e.exchange.responseBody?.size ?? 0) : 0), 0), 0);
    const page = renderHtml(big);
    const junit = renderJunit(big);
    console.log(
      `${tests} tests x ${body} B bodies (${mb(evidence)} evidence): ` +
        `HTML ${ms(time(() => renderHtml(big)))}, ${mb(Buffer.byteLength(page))}; ` +
        `JUnit (XMLBuilder) ${time(() => renderJunit(big)).toFixed(1)} ms, ${mb(Buffer.byteLength(junit))}`,
    );
  }
  const big = bigResults(1_000, 2_000);
  const took: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await writeReports(big, join(dir, `run-${i}`), { latestDir: join(dir, 'latest') });
    took.push(performance.now() - t);
  }
  const size = (await stat(join(dir, 'run-0', 'results.json'))).size;
  console.log(`writeReports (1000 tests, every format + latest link + comparison): median ${ms(median(took))}; results.json ${mb(size)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
