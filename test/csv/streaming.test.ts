import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import type { MeasureReport } from 'fhir/r4.js';
import { csvToMeasureReports, measureReportsToCsv } from '../../src/csv/index.js';
import { acquiredCovid } from './helpers.js';

const HEAD = 'subject,reporter,period,stratifier,stratum,AcquiredCovid,numC19HospPats,numC19HOPats,cumC19HOPats\n';
const ROWS_PER_REPORT = 5;

/** A CSV generated on demand: the test can see how much of it the reader has pulled. */
function generated(reports: number): { stream: Readable; produced: () => number } {
  let produced = 0;
  function* lines(): Generator<string> {
    yield HEAD;
    for (let i = 0; i < reports; i++) {
      const key = `F${i},R,2020-04-06T00:00:00-05:00`;
      let chunk = `${key},,,0.5,${i},1,2\n`;
      for (let s = 1; s < ROWS_PER_REPORT; s++) chunk += `${key},age,band${s},,${s},0,${s}\n`;
      produced += ROWS_PER_REPORT;
      yield chunk;
    }
  }
  return { stream: Readable.from(lines(), { objectMode: false, highWaterMark: 16 * 1024 }), produced: () => produced };
}

describe('streaming over large inputs', () => {
  it('CSV -> MeasureReports reads lazily: reports come out while most of the file is still unread', async () => {
    const total = 10_000;
    const { stream, produced } = generated(total);
    let reports = 0;
    let producedAtFirst = -1;
    let strataSeen = 0;
    for await (const report of csvToMeasureReports(stream, acquiredCovid(), { maxOpenReports: 50 })) {
      if (reports === 0) producedAtFirst = produced();
      reports++;
      strataSeen += report.group![0]!.stratifier![0]!.stratum!.length;
    }
    expect(reports).toBe(total);
    expect(strataSeen).toBe(total * (ROWS_PER_REPORT - 1));
    // The first report left the reader before a tenth of the rows had been generated.
    expect(producedAtFirst).toBeGreaterThan(0);
    expect(producedAtFirst).toBeLessThan((total * ROWS_PER_REPORT) / 10);
  });

  it('stops pulling input when the consumer stops', async () => {
    const { stream, produced } = generated(100_000);
    let n = 0;
    for await (const report of csvToMeasureReports(stream, acquiredCovid(), { maxOpenReports: 10 })) {
      void report;
      if (++n === 100) break;
    }
    expect(produced()).toBeLessThan((100_000 * ROWS_PER_REPORT) / 10);
    expect(stream.destroyed).toBe(true);
  });

  it('MeasureReports -> CSV writes as it reads: a slow consumer holds back the producer', async () => {
    let pulled = 0;
    const total = 10_000;
    async function* reports(): AsyncGenerator<MeasureReport> {
      for (let i = 0; i < total; i++) {
        pulled++;
        yield {
          resourceType: 'MeasureReport',
          status: 'complete',
          type: 'summary',
          measure: acquiredCovid().url!,
          subject: { identifier: { value: `F${i}` } },
          period: { start: '2020-04-06T00:00:00-05:00', end: '2020-04-06T00:00:00-05:00' },
          group: [{ code: { coding: [{ code: 'AcquiredCovid' }] }, population: [{ code: { coding: [{ code: 'numC19HospPats' }] }, count: i }] }],
        };
      }
    }
    const csv = measureReportsToCsv(reports(), acquiredCovid(), { layout: { period: 'single', strata: false }, eol: '\n' });
    let lines = 0;
    let pulledAfterFirstChunk = -1;
    let lastLine = '';
    for await (const chunk of csv) {
      const text = String(chunk);
      if (pulledAfterFirstChunk < 0) pulledAfterFirstChunk = pulled;
      lines += text.split('\n').length - 1;
      const parts = text.trimEnd().split('\n');
      lastLine = parts[parts.length - 1] ?? lastLine;
    }
    expect(lines).toBe(total + 1);
    expect(lastLine).toBe(`F${total - 1},,2020-04-06T00:00:00-05:00,,${total - 1},,`);
    expect(pulledAfterFirstChunk).toBeLessThan(total / 2);
  });
});
