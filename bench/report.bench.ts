// Report rendering cost and size on a big run: how long a CI job waits for index.html, junit.xml and
// the TestReports, and how large the single HTML file gets (evidence is rendered once per test).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHtml } from '../src/report/html.js';
import { renderJunit } from '../src/report/junit.js';
import { toTestReports } from '../src/report/testreport.js';
import { writeReports } from '../src/report/write.js';
import { bigResults } from '../test/fixtures-report/sample.js';

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

for (const [tests, body] of [[100, 2_000], [1_000, 2_000], [1_000, 20_000]] as const) {
  const results = bigResults(tests, body);
  const evidence = results.tests.reduce((n, t) => n + t.evidence.reduce((m, e) => m + (e.kind === 'http' ? (e.exchange.responseBody?.size ?? 0) : 0), 0), 0);
  const html = renderHtml(results);
  console.log(
    `${tests} tests x ${body} B bodies (${mb(evidence)} evidence): ` +
      `HTML ${time(() => renderHtml(results)).toFixed(0)} ms, ${mb(Buffer.byteLength(html))}; ` +
      `JUnit ${time(() => renderJunit(results)).toFixed(1)} ms, ${mb(Buffer.byteLength(renderJunit(results)))}; ` +
      `TestReports ${time(() => toTestReports(results)).toFixed(1)} ms`,
  );
}

const dir = await mkdtemp(join(tmpdir(), 'mc-bench-report-'));
try {
  const results = bigResults(1_000, 2_000);
  const took: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await writeReports(results, join(dir, `run-${i}`), { latestDir: join(dir, 'latest') });
    took.push(performance.now() - t);
  }
  const size = (await stat(join(dir, 'run-0', 'results.json'))).size;
  console.log(`writeReports (1000 tests, all four outputs + latest link): median ${median(took).toFixed(0)} ms; results.json ${mb(size)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
