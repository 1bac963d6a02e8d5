import { describe, it, expect } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import { measureReportsToCsvString, readCsvMeasureReports } from '../../src/csv/index.js';
import { acquiredCovid, bedsVents, f001Report, fixture, MV, njReport } from './helpers.js';

/** Every number of a report, by where it sits, for comparing two reports. */
function numbers(report: MeasureReport): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const g of report.group ?? []) {
    const gc = g.code?.coding?.[0]?.code ?? '';
    out[gc] = g.measureScore?.value;
    for (const p of g.population ?? []) out[`${gc}/${p.code?.coding?.[0]?.code}`] = p.count;
    for (const s of g.stratifier ?? []) {
      for (const t of s.stratum ?? []) {
        const key = `${gc}/${s.code?.[0]?.coding?.[0]?.code ?? s.code?.[0]?.text}=${t.component?.[0]?.value?.coding?.[0]?.code ?? t.value?.coding?.[0]?.code}`;
        out[key] = t.measureScore?.value;
        for (const p of t.population ?? []) out[`${key}/${p.code?.coding?.[0]?.code}`] = p.count;
      }
    }
  }
  return out;
}

describe('round trips (T-006)', () => {
  it('MeasureReport -> CSV -> MeasureReport keeps every number, unstratified and stratified', async () => {
    for (const [report, measure] of [
      [njReport(), bedsVents()],
      [f001Report(), acquiredCovid()],
    ] as const) {
      const csv = await measureReportsToCsvString([report], measure);
      const [back] = await readCsvMeasureReports(csv, measure);
      expect(numbers(back!)).toEqual(numbers(report));
      expect(back!.period).toEqual(report.period);
      expect(back!.subject!.identifier!.value).toBe(report.subject!.identifier!.value);
    }
  });

  it('CSV -> MeasureReport -> CSV gives the same file, with and without a map', async () => {
    for (const [csv, measure, map] of [
      [fixture('nj-beds-vents.csv'), bedsVents(), []],
      [fixture('f001-acquired-covid.csv'), acquiredCovid(), []],
      [fixture('nj-beds-vents-mapped.csv'), bedsVents(), [`${MV}|numTotBeds$TotalBeds,numVentUse$VentsInUse,numVent`]],
    ] as const) {
      const reports = await readCsvMeasureReports(csv, measure, { map });
      expect(await measureReportsToCsvString(reports, measure, { map, eol: '\n' })).toBe(csv);
    }
  });

  it('many reports of several subjects and periods survive the trip in order', async () => {
    const reports = Array.from({ length: 50 }, (_, i) => {
      const r = f001Report();
      r.subject = { identifier: { value: `F${i % 7}` } };
      const day = String(1 + Math.floor(i / 7)).padStart(2, '0');
      r.period = { start: `2020-04-${day}T00:00:00-05:00`, end: `2020-04-${day}T00:00:00-05:00` };
      r.group![0]!.population![0]!.count = i;
      r.group![0]!.stratifier![0]!.stratum![1]!.population![2]!.count = 1000 + i;
      return r;
    });
    const back = await readCsvMeasureReports(await measureReportsToCsvString(reports, acquiredCovid()), acquiredCovid());
    expect(back.map(numbers)).toEqual(reports.map(numbers));
  });
});
