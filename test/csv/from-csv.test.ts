import { describe, it, expect } from 'vitest';
import type { MeasureReport, MeasureReportGroupPopulation } from 'fhir/r4.js';
import { csvToMeasureReports, readCsvMeasureReports, type FromCsvOptions } from '../../src/csv/index.js';
import { isCsvIssue } from '../../src/csv/issues.js';
import { serializeJson } from '../../src/fhir/json.js';
import { acquiredCovid, bedsVents, capacity, DAR, f001Report, fhirError, fixture, messages, MV } from './helpers.js';

const HEAD = 'subject,reporter,period,Beds,numTotBeds,numbeds,numBedsOcc,Ventilators,numVent,numVentUse';
const P = '2020-04-06T00:00:00-05:00';

function read(csv: string, opts: FromCsvOptions = {}, measure = bedsVents()): Promise<MeasureReport[]> {
  return readCsvMeasureReports(csv, measure, { date: '2020-04-07T06:00:00-05:00', ...opts });
}

function counts(report: MeasureReport): Record<string, number | string | undefined> {
  const out: Record<string, number | string | undefined> = {};
  for (const g of report.group ?? []) {
    out[g.code?.coding?.[0]?.code ?? '?'] = g.measureScore?.value;
    for (const p of g.population ?? []) out[p.code?.coding?.[0]?.code ?? '?'] = p.count ?? absentReason(p);
  }
  return out;
}

function absentReason(p: MeasureReportGroupPopulation): string | undefined {
  const ext = p._count?.extension?.find((e) => e.url === DAR);
  return ext ? `absent:${ext.valueCode}` : undefined;
}

async function rejection(csv: string, opts: FromCsvOptions = {}, measure = bedsVents()): Promise<string[]> {
  const err = await fhirError(() => read(csv, opts, measure));
  expect(err.status).toBe(400);
  return messages(err);
}

describe('CSV -> MeasureReport (CSV.md §3.2)', () => {
  it('reads worked example 2 back into the same report (modulo date, identifiers and component code) [A27]', async () => {
    const [report, ...more] = await read(fixture('f001-acquired-covid.csv'), {}, acquiredCovid());
    expect(more).toEqual([]);
    const original = f001Report();
    expect(report).toMatchObject({ resourceType: 'MeasureReport', status: 'complete', type: 'summary', measure: original.measure, period: original.period });
    expect(report!.subject).toEqual({ identifier: { value: 'F001' } });
    expect(report!.date).toBe('2020-04-07T06:00:00-05:00');
    expect(counts(report!)).toEqual(counts(original));
    const strata = report!.group![0]!.stratifier![0]!;
    expect(strata.code).toEqual([acquiredCovid().group![0]!.stratifier![0]!.code]);
    expect(strata.stratum!.map((s) => [s.component![0]!.value!.coding![0]!.code, s.measureScore?.value, s.population!.map((p) => p.count)])).toEqual([
      ['male', 0.1333, [70, 4, 30]],
      ['female', 0.2, [50, 2, 10]],
    ]);
    expect(strata.stratum![0]!.value).toBeUndefined();
    expect(strata.stratum![0]!.component![0]!.code).toEqual(acquiredCovid().group![0]!.stratifier![0]!.code);
  });

  it('reads worked example 3 (map, subject parameter, period parameters) into the expected stored report [A12][A14]', async () => {
    const map = [`${MV}|numTotBeds$TotalBeds,numVentUse$VentsInUse,numVent`];
    const [report] = await read(
      fixture('nj-beds-vents-mapped.csv'),
      { map, subject: 'https://www.census.gov/geographies|34', periodStart: '2020-04-06T00:00:00-05:00', periodEnd: '2020-04-07T00:00:00-05:00' },
      capacity(),
    );
    expect(report!.subject).toEqual({ identifier: { system: 'https://www.census.gov/geographies', value: '34' } });
    expect(report!.reporter).toEqual({ identifier: { value: 'NJ-DPH' } });
    expect(report!.period).toEqual({ start: '2020-04-06T00:00:00-05:00', end: '2020-04-07T00:00:00-05:00' });
    expect(report!.measure).toBe('http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity');
    expect(counts(report!)).toEqual({
      Beds: undefined,
      numTotBeds: 20000,
      numbeds: 'absent:unsupported',
      numBedsOcc: 'absent:unsupported',
      Ventilators: undefined,
      numVent: 2250,
      numVentUse: 1576,
      Encounters: undefined,
      numC19HospPats: 'absent:unsupported',
      numC19MechVentPats: 'absent:unsupported',
    });
    expect(report!.group![0]!.measureScore).toBeUndefined();
  });

  it('marks an empty cell unknown and an absent column unsupported [A14]', async () => {
    const [report] = await read(`subject,period,numTotBeds,numbeds\nH1,${P},,7\n`);
    expect(counts(report!)).toMatchObject({ numTotBeds: 'absent:unknown', numbeds: 7, numBedsOcc: 'absent:unsupported', numVent: 'absent:unsupported' });
    expect(report!.reporter).toBeUndefined();
  });

  it('groups rows by subject, reporter and period into one report each, in order of first appearance', async () => {
    const csv = [HEAD, `A,R,${P},,1,,,,,`, `B,R,${P},,2,,,,,`, `A,R,2020-04-07T00:00:00-05:00,,3,,,,,`, `A,R,${P},,,4,,,,`].join('\r\n');
    const reports = await read(csv);
    expect(reports.map((r) => [r.subject?.identifier?.value, r.period.start, counts(r).numTotBeds, counts(r).numbeds])).toEqual([
      ['A', P, 1, 4],
      ['B', P, 2, 'absent:unknown'],
      ['A', '2020-04-07T00:00:00-05:00', 3, 'absent:unknown'],
    ]);
  });

  it('produces DateTimePreciseToSecond periods: a date gets T00:00:00 and the zone, Z becomes +00:00 [A13]', async () => {
    const [a, b] = await read(`subject,period-start,period-end,numVent\nH,2020-04-06,2020-04-07T12:30,1\nH,2020-04-08T00:00:00Z,2020-04-08T00:00:00Z,2\n`, { timezoneOffset: '-05:00' });
    expect(a!.period).toEqual({ start: '2020-04-06T00:00:00-05:00', end: '2020-04-07T12:30:00-05:00' });
    expect(b!.period).toEqual({ start: '2020-04-08T00:00:00+00:00', end: '2020-04-08T00:00:00+00:00' });
    expect(a!.period.start).toHaveLength(25);
    expect(a!.date).toHaveLength(25);
  });

  it('takes the period from the parameters when the CSV has no period columns [A24]', async () => {
    const [r] = await read('subject,numVent\nH,3\n', { periodStart: '2020-04-06', periodEnd: '2020-04-07', timezoneOffset: '+01:00' });
    expect(r!.period).toEqual({ start: '2020-04-06T00:00:00+01:00', end: '2020-04-07T00:00:00+01:00' });
  });

  it('fills a missing subject or reporter column from the parameters [A25]', async () => {
    const [r] = await read(`period,numVent\n${P},3\n`, { subject: 'Location/states-NJ', reporter: 'urn:example:org|NJ-DPH' });
    expect(r!.subject).toEqual({ reference: 'Location/states-NJ' });
    expect(r!.reporter).toEqual({ identifier: { system: 'urn:example:org', value: 'NJ-DPH' } });
  });

  it('accepts a BOM, CRLF records and quoted cells with commas and line breaks', async () => {
    const [r] = await read(`\ufeffsubject,period,numVent\r\n"Hospital, ""North""\r\nWing",${P},"12"\r\n`);
    expect(r!.subject?.identifier?.value).toBe('Hospital, "North"\r\nWing');
    expect(counts(r!).numVent).toBe(12);
  });

  it('keeps the decimal text of a score (1.50 serializes as 1.50)', async () => {
    const [r] = await read(`subject,period,stratifier,stratum,AcquiredCovid\nH,${P},,,1.50\n`, {}, acquiredCovid());
    expect(r!.group![0]!.measureScore!.value).toBe(1.5);
    expect(serializeJson(r!)).toContain('"measureScore":{"value":1.50}');
  });

  it('skips blank lines but counts them in row numbers', async () => {
    const msgs = await rejection(`subject,period,numVent\n\nH,${P},x\n`);
    expect(msgs).toEqual(['row 3, column "numVent": "x" is not a non-negative integer count']);
  });

  it('ignores columns that match no code when told to (CSV.md step 6)', async () => {
    const [r] = await read(`subject,period,notes,numVent\nH,${P},hello,3\n`, { unknownColumns: 'ignore' });
    expect(counts(r!).numVent).toBe(3);
  });

  it('streams: yields finished reports while the input is still being read', async () => {
    const rows = [HEAD, ...Array.from({ length: 3000 }, (_, i) => `S${i},R,${P},,${i},,,,,`)].join('\n');
    const it = csvToMeasureReports(rows, bedsVents(), { maxOpenReports: 10 })[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value?.subject?.identifier?.value).toBe('S0');
    await it.return?.(undefined);
  });

  describe('errors name row and column (T-008, T-010)', () => {
    it('rejects a duplicate stratifier/stratum pair for the same report (worked example 2, fourth row)', async () => {
      const csv = `${fixture('f001-acquired-covid.csv')}F001,F001,${P},gender,male,0.5,1,1,1\n`;
      const msgs = await rejection(csv, {}, acquiredCovid());
      expect(msgs).toEqual([`row 5, column "stratum": duplicate stratifier/stratum pair gender/male for subject "F001", period ${P}/${P} (first at row 3)`]);
    });

    it('allows the same stratum in different reports', async () => {
      const csv = `${fixture('f001-acquired-covid.csv')}F002,F002,${P},gender,male,0.5,1,1,1\n`;
      expect(await read(csv, {}, acquiredCovid())).toHaveLength(2);
    });

    it('rejects unknown columns at row 1', async () => {
      expect(await rejection(`subject,period,numVent,numICUBeds\nH,${P},1,2\n`)).toEqual([
        'row 1, column "numICUBeds": unknown column: not a key column nor a group or population code of the Measure (use map to rename or select columns)',
      ]);
    });

    it('rejects non-numeric, negative, fractional and oversized counts and bad scores, collecting them all', async () => {
      const msgs = await rejection(`subject,period,numVent,numVentUse,Beds\nH,${P},abc,-3,x\nH2,${P},1.5,99999999999,0.5\n`);
      expect(msgs).toEqual([
        'row 2, column "numVent": "abc" is not a non-negative integer count',
        'row 2, column "numVentUse": count -3 is negative',
        'row 2, column "Beds": "x" is not a decimal score',
        'row 3, column "numVent": "1.5" is not a non-negative integer count',
        'row 3, column "numVentUse": count 99999999999 is larger than a FHIR integer allows',
      ]);
    });

    it('rejects ragged rows', async () => {
      expect(await rejection(`subject,period,numVent,numVentUse\nH,${P},1\nH2,${P},1,2,3\n`)).toEqual([
        'row 2, column "numVentUse": row has 3 cells, the header has 4: the cell is missing',
        'row 3, column "#5": row has 5 cells, the header has 4',
      ]);
    });

    it('rejects missing required columns', async () => {
      expect(await rejection('numVent\n1\n')).toEqual([
        'row 1: missing required column "subject": give a subject column or the subject parameter',
        'row 1: missing required column "period": give period or period-start and period-end columns, or the period-start and period-end parameters',
      ]);
      expect(await rejection(`subject,period-start,stratum,numVent\nH,${P},x,1\n`)).toEqual([
        'row 1: missing required column "period-end": period-start and period-end go together',
        'row 1: missing required column "stratifier": stratifier and stratum go together',
      ]);
    });

    it('rejects duplicate column heads', async () => {
      expect(await rejection(`subject,period,numVent,numVent\nH,${P},1,1\n`)).toEqual(['row 1, column "numVent": column appears twice (columns 3 and 4)']);
    });

    it('rejects bad dates, reversed periods and rows outside the period parameters [A13][A24]', async () => {
      const csv = `subject,period-start,period-end,numVent\nA,5/29/2020,${P},1\nB,2020-02-30,2020-03-01,1\nC,2020-04-08,2020-04-07,1\nD,2020-05-01,2020-05-02,1\n`;
      const msgs = await rejection(csv, { periodStart: '2020-04-01', periodEnd: '2020-04-30', timezoneOffset: '+00:00' });
      expect(msgs).toEqual([
        'row 2, column "period-start": "5/29/2020" is not an ISO 8601 date or dateTime',
        'row 3, column "period-start": "2020-02-30" is not an ISO 8601 date or dateTime',
        'row 4, column "period-start": period-start 2020-04-08T00:00:00+00:00 is after period-end 2020-04-07T00:00:00+00:00',
        'row 5, column "period-start": period 2020-05-01T00:00:00+00:00/2020-05-02T00:00:00+00:00 is outside the period-start/period-end parameters 2020-04-01T00:00:00+00:00/2020-04-30T00:00:00+00:00',
      ]);
    });

    it('rejects bad period parameters before reading', async () => {
      expect(await rejection('subject,numVent\nH,1\n', { periodStart: 'yesterday', periodEnd: '2020-04-07' })).toEqual(['parameter "period-start": "yesterday" is not an ISO 8601 date or dateTime']);
      expect(await rejection('subject,numVent\nH,1\n', { periodStart: '2020-04-06' })).toEqual(['parameters "period-start" and "period-end" go together']);
    });

    it('rejects an empty subject, a stratum without stratifier and conflicting values', async () => {
      const csv = `subject,period,stratifier,stratum,AcquiredCovid,numC19HospPats\n,${P},,,,1\nH,${P},,male,,1\nH,${P},,,,2\nH,${P},,,,3\n`;
      expect(await rejection(csv, {}, acquiredCovid())).toEqual([
        'row 2, column "subject": empty subject and no subject parameter',
        'row 3, column "stratifier": stratifier is empty while stratum is not',
        'row 5, column "numC19HospPats": 3 conflicts with 2 given at row 4 for the same report',
      ]);
    });

    it('rejects rows of a report that come back after it was finished', async () => {
      const csv = [HEAD, `A,R,${P},,1,,,,,`, `B,R,${P},,2,,,,,`, `C,R,${P},,3,,,,,`, `A,R,${P},,,4,,,,`].join('\n');
      expect(await read(csv, { maxOpenReports: 3 })).toHaveLength(3);
      const msgs = await rejection(csv, { maxOpenReports: 1 });
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatch(/^row 5: rows of subject "A", reporter "R", period .* are too far apart/);
    });

    it('bounds the number of errors collected', async () => {
      const csv = `subject,period,numVent\n${Array.from({ length: 500 }, (_, i) => `H${i},${P},bad`).join('\n')}\n`;
      const err = await fhirError(() => read(csv, { maxErrors: 5 }));
      expect(err.issues).toHaveLength(6);
      expect(err.issues[5]!.message).toBe('stopped after 5 errors');
    });

    it('reports CSV syntax errors with their row', async () => {
      const msgs = await rejection(`subject,period,numVent\nH,${P},1\nH2,"${P},1\n`);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatch(/^row 3: not valid CSV: Quote Not Closed/);
    });

    it('rejects an empty file', async () => {
      expect(await rejection('')).toEqual(['row 1: the CSV is empty: a header row is required']);
    });

    it('yields no reports once an error is found, and keeps issues structured for the CLI', async () => {
      const csv = [HEAD, `A,R,${P},,1,,,,,`, `B,R,${P},,x,,,,,`, `C,R,${P},,3,,,,,`].join('\n');
      const seen: string[] = [];
      const err = await fhirError(async () => {
        for await (const r of csvToMeasureReports(csv, bedsVents(), { maxOpenReports: 1 })) seen.push(r.subject!.identifier!.value!);
      });
      expect(seen).toEqual([]);
      const issue = err.issues[0]!;
      expect(isCsvIssue(issue) && [issue.row, issue.column, issue.detail]).toEqual([3, 'numTotBeds', '"x" is not a non-negative integer count']);
    });

    it('rejects a Measure whose codes cannot name columns', async () => {
      const measure = bedsVents();
      measure.group![1]!.population![0]!.code = { coding: [{ system: MV, code: 'numbeds' }] };
      const err = await fhirError(() => read(`subject,period\nH,${P}\n`, {}, measure));
      expect(messages(err)[0]).toContain('code "numbeds" names both group[0].population[1] and group[1].population[0]');
    });
  });
});
