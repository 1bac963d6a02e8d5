import { describe, it, expect } from 'vitest';
import { parseMap, planColumns, readCsvMeasureReports, measureReportsToCsvString } from '../../src/csv/index.js';
import { bedsVents, fhirError, messages, MV, njReport } from './helpers.js';

const MGS = 'http://hl7.org/fhir/uv/saner/CodeSystem/MeasureGroupSystem';

describe('map grammar (CSV.md §4.1)', () => {
  it('parses the full, inferred-system and column-omitted forms', () => {
    expect(parseMap([`${MV}|numTotBeds$TotalBeds,numVentUse$VentsInUse,numVent`])).toEqual([
      { system: MV, code: 'numTotBeds', column: 'TotalBeds', text: `${MV}|numTotBeds$TotalBeds` },
      { code: 'numVentUse', column: 'VentsInUse', text: 'numVentUse$VentsInUse' },
      { code: 'numVent', column: 'numVent', text: 'numVent' },
    ]);
    expect(parseMap([`${MV}|numVent`])).toEqual([{ system: MV, code: 'numVent', column: 'numVent', text: `${MV}|numVent` }]);
  });

  it('concatenates repeated values in order [A18]', () => {
    expect(parseMap(['a$x', 'b,c$y']).map((e) => [e.code, e.column])).toEqual([
      ['a', 'x'],
      ['b', 'b'],
      ['c', 'y'],
    ]);
  });

  it('unescapes \\| \\$ \\, and \\\\ [A19]', () => {
    expect(parseMap(['a\\|b$col\\,1\\$\\\\'])).toEqual([{ code: 'a|b', column: 'col,1$\\', text: 'a\\|b$col\\,1\\$\\\\' }]);
  });

  it.each([
    ['a,,b', 'empty entry'],
    ['a,', 'empty entry'],
    ['|a', 'empty system before "|"'],
    ['s|', 'empty code'],
    ['a$', 'empty column after "$"'],
    ['a$b|c', '"|" after "$"'],
    ['s|a|b', 'too many "|" or "$"'],
    ['a$b$c', 'too many "|" or "$"'],
    ['a\\x', '"\\x" is not an escape'],
    ['a\\', 'ends with a lone "\\"'],
  ])('rejects %j (%s) with 400', async (value, why) => {
    const err = await fhirError(() => parseMap([value]));
    expect(err.status).toBe(400);
    expect(messages(err)[0]).toContain(why);
    expect(err.issues[0]!.expression).toBe('map');
  });
});

describe('map semantics (CSV.md §4.2)', () => {
  it('without a map, uses every group and population code in Measure order', () => {
    const plan = planColumns(bedsVents());
    expect(plan.selected).toBe(false);
    expect(plan.measure.map((c) => c.column)).toEqual(['Beds', 'numTotBeds', 'numbeds', 'numBedsOcc', 'Ventilators', 'numVent', 'numVentUse']);
  });

  it('orders output columns by the map and keeps key columns first', async () => {
    const csv = await measureReportsToCsvString([njReport()], bedsVents(), { map: ['numVentUse', `${MGS}|Ventilators$V`, 'numTotBeds$T'], eol: '\n' });
    expect(csv.split('\n')[0]).toBe('subject,reporter,period-start,period-end,numVentUse,V,T');
    expect(csv.split('\n')[1]).toBe('34,NJ-DPH,2020-04-06T00:00:00-05:00,2020-04-07T00:00:00-05:00,1576,,20000');
  });

  it('renames key columns with reserved names, as real CDC files need [A20]', async () => {
    const map = ['subject$orgid,period$collectionDate,numVent$vents'];
    const measure = bedsVents();
    const [report] = await readCsvMeasureReports('collectionDate,orgid,vents,numbeds\n2020-05-29,H7,12,99\n', measure, { map, timezoneOffset: '-04:00' });
    expect(report!.subject).toEqual({ identifier: { value: 'H7' } });
    expect(report!.period.start).toBe('2020-05-29T00:00:00-04:00');
    const counts = report!.group!.flatMap((g) => g.population!.map((p) => p.count ?? null));
    // numbeds is not mapped: ignored on input even though it is a Measure code.
    expect(counts).toEqual([null, null, null, 12, null]);
  });

  it('uses a map that only renames key columns with the canonical measure columns', () => {
    const plan = planColumns(bedsVents(), ['reporter$sender']);
    expect(plan.keys.reporter).toBe('sender');
    expect(plan.selected).toBe(false);
    expect(plan.measure).toHaveLength(7);
  });

  it('answers 400 for unknown codes, wrong systems, ambiguous systems and double use [A21]', async () => {
    const measure = bedsVents();
    measure.group![1]!.code = { coding: [{ system: 'urn:other', code: 'numbeds' }] };
    const err = await fhirError(() => planColumns(measure, [`numICUBeds,urn:x|numVent,numbeds,numVent$A,numVentUse$A,urn:other|numbeds$B,urn:other|numbeds$C`]));
    expect(err.status).toBe(400);
    expect(messages(err)).toEqual([
      'map entry "numICUBeds": code "numICUBeds" is not a group or population code of Measure http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity',
      `map entry "urn:x|numVent": code "numVent" is not in system urn:x (the Measure uses ${MV})`,
      `map entry "numbeds": code "numbeds" occurs in several systems (${MV}, urn:other); write system|code`,
      'map entry "numVentUse$A": column "A" is already used by "numVent$A"',
      'map entry "urn:other|numbeds$C": code "numbeds" is already mapped by "urn:other|numbeds$B"',
    ]);
  });

  it('gives a population shadowed by a group code (P3) a column only through a system-qualified map entry', () => {
    const measure = bedsVents();
    measure.group![1]!.code = { coding: [{ system: 'urn:other', code: 'numbeds' }] };
    expect(planColumns(measure).measure.map((c) => `${c.kind}:${c.column}`)).toEqual([
      'group:Beds',
      'population:numTotBeds',
      'population:numBedsOcc',
      'group:numbeds',
      'population:numVent',
      'population:numVentUse',
    ]);
    const mapped = planColumns(measure, [`${MV}|numbeds$bedsAvailable,urn:other|numbeds`]).measure;
    expect(mapped.map((c) => [c.kind, c.group, c.column])).toEqual([
      ['population', 0, 'bedsAvailable'],
      ['group', 1, 'numbeds'],
    ]);
  });

  it('answers 400 when a measure column would take a key column name', async () => {
    const err = await fhirError(() => planColumns(bedsVents(), ['numVent$subject']));
    expect(messages(err)[0]).toBe('map entry "numVent$subject": column "subject" is the subject key column; rename that one too or pick another name');
    expect(planColumns(bedsVents(), ['subject$site,numVent$subject']).measure[0]!.column).toBe('subject');
  });

  it('rejects an unknown map code on both operations directions (T-010)', async () => {
    await expect(measureReportsToCsvString([njReport()], bedsVents(), { map: ['nope'] })).rejects.toMatchObject({ status: 400 });
    await expect(readCsvMeasureReports('subject\n', bedsVents(), { map: ['nope'] })).rejects.toMatchObject({ status: 400 });
  });
});
