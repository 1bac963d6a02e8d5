import { describe, it, expect } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import { measureReportsToCsv, measureReportsToCsvString } from '../../src/csv/index.js';
import { parseJson } from '../../src/fhir/json.js';
import { acquiredCovid, bedsVents, f001Report, fhirError, fixture, messages, MV, njReport } from './helpers.js';

const lf = { eol: '\n' } as const;

describe('MeasureReport -> CSV (CSV.md §3.1)', () => {
  it('reproduces worked example 1 byte for byte: split period, empty scores and data-absent counts (T-001..T-003)', async () => {
    expect(await measureReportsToCsvString([njReport()], bedsVents(), lf)).toBe(fixture('nj-beds-vents.csv'));
  });

  it('reproduces worked example 2: one period column, one row per stratum (T-004)', async () => {
    expect(await measureReportsToCsvString([f001Report()], acquiredCovid(), lf)).toBe(fixture('f001-acquired-covid.csv'));
  });

  it('reproduces worked example 3: map selects, renames and orders columns (T-005)', async () => {
    const map = [`${MV}|numTotBeds$TotalBeds,numVentUse$VentsInUse,numVent`];
    expect(await measureReportsToCsvString([njReport()], bedsVents(), { ...lf, map })).toBe(fixture('nj-beds-vents-mapped.csv'));
  });

  it('writes RFC 4180 CRLF records by default', async () => {
    const csv = await measureReportsToCsvString([njReport()], bedsVents());
    expect(csv).toBe(fixture('nj-beds-vents.csv').replace(/\n/g, '\r\n'));
  });

  it('uses period-start/period-end as soon as one report of several has distinct bounds [A4]', async () => {
    const same = f001Report();
    const other = { ...f001Report(), period: { start: '2020-04-07T00:00:00-05:00', end: '2020-04-08T00:00:00-05:00' } };
    const both = await measureReportsToCsvString([same, other], acquiredCovid(), lf);
    expect(both.split('\n')[0]).toBe('subject,reporter,period-start,period-end,stratifier,stratum,AcquiredCovid,numC19HospPats,numC19HOPats,cumC19HOPats');
    expect(both.split('\n')[1]).toBe('F001,F001,2020-04-06T00:00:00-05:00,2020-04-06T00:00:00-05:00,,,0.15,120,6,40');
    expect(both.split('\n')).toHaveLength(1 + 6 + 1);
  });

  it('leaves out stratifier/stratum columns when no report has strata', async () => {
    const plain = f001Report();
    delete plain.group?.[0]?.stratifier;
    const csv = await measureReportsToCsvString([plain], acquiredCovid(), lf);
    expect(csv).toBe('subject,reporter,period,AcquiredCovid,numC19HospPats,numC19HOPats,cumC19HOPats\nF001,F001,2020-04-06T00:00:00-05:00,0.15,120,6,40\n');
  });

  it('writes a header-only CSV for no reports', async () => {
    expect(await measureReportsToCsvString([], bedsVents(), lf)).toBe('subject,reporter,period,Beds,numTotBeds,numbeds,numBedsOcc,Ventilators,numVent,numVentUse\n');
  });

  it('keeps the decimal text of a score parsed with parseJson (1.50 stays 1.50)', async () => {
    const text = fixture('report-f001-acquired-covid.json').replace('"measureScore": { "value": 0.15 }', '"measureScore": { "value": 1.50 }');
    const report = parseJson(text) as MeasureReport;
    const csv = await measureReportsToCsvString([report], acquiredCovid(), lf);
    expect(csv.split('\n')[1]).toBe('F001,F001,2020-04-06T00:00:00-05:00,,,1.50,120,6,40');
  });

  it('takes stratifier text when it has no coding [A8] and joins component values with + [A9]', async () => {
    const report = f001Report();
    const stratifier = report.group![0]!.stratifier![0]!;
    stratifier.code = [{ text: 'By Gender' }];
    stratifier.stratum![0]!.component!.push({ code: { text: 'age' }, value: { coding: [{ code: '65+' }] } });
    const csv = await measureReportsToCsvString([report], acquiredCovid(), lf);
    expect(csv.split('\n')[2]).toBe('F001,F001,2020-04-06T00:00:00-05:00,By Gender,male+65+,0.1333,70,4,30');
  });

  it('quotes cells holding commas, quotes or line breaks', async () => {
    const report = njReport();
    report.subject = { identifier: { value: 'Hospital, "North"' } };
    const csv = await measureReportsToCsvString([report], bedsVents(), lf);
    expect(csv.split('\n')[1]).toMatch(/^"Hospital, ""North""",NJ-DPH,/);
  });

  it('shares one row between groups that report the same stratum', async () => {
    const measure = bedsVents();
    measure.url = 'http://example.org/Measure/m';
    const report: MeasureReport = {
      resourceType: 'MeasureReport',
      status: 'complete',
      type: 'summary',
      measure: measure.url,
      subject: { identifier: { value: 'S' } },
      period: { start: '2020-01-01T00:00:00+00:00', end: '2020-01-01T00:00:00+00:00' },
      group: ['Beds', 'Ventilators'].map((code, g) => ({
        code: { coding: [{ code }] },
        stratifier: [{ code: [{ text: 'ward' }], stratum: [{ value: { text: 'icu' }, population: [{ code: { coding: [{ code: g ? 'numVent' : 'numbeds' }] }, count: 5 + g }] }] }],
      })),
    };
    const lines = (await measureReportsToCsvString([report], measure, lf)).split('\n');
    expect(lines[2]).toBe('S,,2020-01-01T00:00:00+00:00,ward,icu,,,5,,,6,');
    expect(lines).toHaveLength(4);
  });

  it('streams from an async iterable when the layout is given, pulling reports as rows are read', async () => {
    let pulled = 0;
    async function* many(): AsyncGenerator<MeasureReport> {
      for (let i = 0; i < 5000; i++) {
        pulled++;
        yield { ...njReport(), subject: { identifier: { value: `S${i}` } } };
      }
    }
    const stream = measureReportsToCsv(many(), bedsVents(), { layout: { period: 'split', strata: false }, eol: '\n' });
    let first = '';
    for await (const chunk of stream) {
      first = String(chunk);
      break;
    }
    expect(first.startsWith('subject,reporter,period-start')).toBe(true);
    expect(pulled).toBeLessThan(5000);
  });

  describe('report/Measure mismatches are 400s naming the report', () => {
    it('rejects a report of another Measure', async () => {
      const err = await fhirError(() => measureReportsToCsvString([f001Report()], bedsVents()));
      expect(err.status).toBe(400);
      expect(messages(err)[0]).toContain('MeasureReport/csv-f001-20200406: measure http://example.org/fhir/Measure/CsvAcquiredCovid is not the Measure');
    });

    it('accepts a versioned canonical of the same Measure', async () => {
      const report = { ...njReport(), measure: `${njReport().measure}|0.1.0` };
      expect(await measureReportsToCsvString([report], bedsVents(), lf)).toBe(fixture('nj-beds-vents.csv'));
    });

    it('rejects group and population codes the Measure does not have', async () => {
      const report = njReport();
      report.group![0]!.population![1]!.code = { coding: [{ system: MV, code: 'numICUBeds' }] };
      report.group![1]!.code = { coding: [{ code: 'Staff' }] };
      const err = await fhirError(() => measureReportsToCsvString([report], bedsVents()));
      expect(err.issues.map((i) => i.expression)).toEqual(['MeasureReport.group[0].population[1].code', 'MeasureReport.group[1].code']);
    });

    it('rejects a forced single period column for a report whose bounds differ', async () => {
      const err = await fhirError(() => measureReportsToCsvString([njReport()], bedsVents(), { layout: { period: 'single', strata: false } }));
      expect(messages(err)[0]).toContain('single period column');
    });

    it('fails the stream, not the process, when a later report is bad', async () => {
      const bad = { ...f001Report(), id: 'bad' };
      const stream = measureReportsToCsv([njReport(), bad], bedsVents());
      const err = await fhirError(async () => {
        for await (const chunk of stream) void chunk;
      });
      expect(messages(err)[0]).toContain('MeasureReport/bad');
    });
  });
});
