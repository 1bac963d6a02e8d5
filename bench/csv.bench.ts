// Throughput and peak memory of the SANER CSV conversion on a generated 1,000,000-row CSV
// (200,000 reports of 1 unstratified + 4 stratified rows). Targets: each direction under 10 s,
// peak RSS under 300 MB.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Measure, MeasureReport } from 'fhir/r4.js';
import { csvToMeasureReports, measureReportsToCsv } from '../src/csv/index.js';

const REPORTS = 200_000;
const STRATA = 4;
const ROWS = REPORTS * (1 + STRATA);
const MV = 'http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues';
const POPULATIONS = ['numC19HospPats', 'numC19HOPats', 'cumC19HOPats'];

const measure: Measure = {
  resourceType: 'Measure',
  url: 'http://example.org/fhir/Measure/CsvBench',
  status: 'draft',
  group: [
    {
      code: { coding: [{ system: 'http://hl7.org/fhir/uv/saner/CodeSystem/MeasureGroupSystem', code: 'AcquiredCovid' }] },
      population: POPULATIONS.map((code) => ({ code: { coding: [{ system: MV, code }] }, criteria: { language: 'text/plain', expression: code } })),
      stratifier: [{ code: { text: 'age' } }],
    },
  ],
};

const PERIOD = '2020-04-06T00:00:00-05:00';

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`subject,reporter,period,stratifier,stratum,AcquiredCovid,${POPULATIONS.join(',')}\n`);
  for (let i = 0; i < REPORTS; i++) {
    let chunk = `F${i},R1,${PERIOD},,,0.15,${i % 997},${i % 13},${i % 101}\n`;
    for (let s = 0; s < STRATA; s++) chunk += `F${i},R1,${PERIOD},age,band${s},0.${s + 1},${s * 3},${s},${s * 2}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function* syntheticReports(): AsyncGenerator<MeasureReport> {
  const codes = POPULATIONS.map((code) => ({ coding: [{ system: MV, code }] }));
  for (let i = 0; i < REPORTS; i++) {
    yield {
      resourceType: 'MeasureReport',
      status: 'complete',
      type: 'summary',
      measure: measure.url!,
      subject: { identifier: { value: `F${i}` } },
      reporter: { identifier: { value: 'R1' } },
      period: { start: PERIOD, end: PERIOD },
      group: [
        {
          code: measure.group![0]!.code!,
          measureScore: { value: 0.15 },
          population: codes.map((code, p) => ({ code, count: (i + p) % 997 })),
          stratifier: [
            {
              code: [{ text: 'age' }],
              stratum: Array.from({ length: STRATA }, (_, s) => ({
                component: [{ code: { text: 'age' }, value: { coding: [{ code: `band${s}` }] } }],
                population: codes.map((code, p) => ({ code, count: s * 3 + p })),
              })),
            },
          ],
        },
      ],
    };
  }
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function line(label: string, ms: number, rss: number): void {
  const seconds = ms / 1000;
  const verdict = seconds < 10 && rss < 300 * 1024 * 1024 ? 'within target' : 'OVER TARGET (10 s, 300 MB)';
  process.stdout.write(
    `${label.padEnd(24)} ${ROWS.toLocaleString('en')} rows in ${seconds.toFixed(2)} s = ${Math.round(ROWS / seconds).toLocaleString('en')} rows/s, peak RSS ${mb(rss)} (${verdict})\n`,
  );
}

const dir = await mkdtemp(join(tmpdir(), 'csv-bench-'));
try {
  const file = join(dir, 'million.csv');
  await writeCsv(file);
  process.stdout.write(`generated ${file}: ${ROWS.toLocaleString('en')} data rows, ${mb((await stat(file)).size)}\n`);
  globalThis.gc?.();

  peakRss = process.memoryUsage.rss();
  let t = performance.now();
  let reports = 0;
  let strata = 0;
  for await (const report of csvToMeasureReports(createReadStream(file), measure)) {
    reports++;
    strata += report.group![0]!.stratifier?.[0]?.stratum?.length ?? 0;
  }
  line('CSV -> MeasureReport', performance.now() - t, peakRss);
  if (reports !== REPORTS || strata !== REPORTS * STRATA) throw new Error(`expected ${REPORTS} reports and ${REPORTS * STRATA} strata, got ${reports} and ${strata}`);
  globalThis.gc?.();

  peakRss = process.memoryUsage.rss();
  t = performance.now();
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  await pipeline(measureReportsToCsv(syntheticReports(), measure, { layout: { period: 'single', strata: true } }), sink);
  line('MeasureReport -> CSV', performance.now() - t, peakRss);
  process.stdout.write(`wrote ${mb(bytes)} of CSV\n`);
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
