import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Binary, Bundle, CapabilityStatement, Measure, MeasureReport, OperationOutcome } from 'fhir/r4.js';
import { measureReportsToCsvString } from '../../src/csv/index.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT, registerSanerProfiles } from '../../ig/saner/profiles.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { measureSource, seedResources } from '../../simulators/measure-source/index.js';

const BEDS = 'http://measure-conformance.example.org/fhir/Measure/BedCapacity';
const VENTS = 'http://measure-conformance.example.org/fhir/Measure/VentilatorAvailability';
const HIFLD = 'https://hifld-geoplatform.opendata.arcgis.com/datasets/hospitals';
const NPI = 'http://hl7.org/fhir/sid/us-npi';
const APRIL_3 = ['ge2020-04-03T00:00:00-04:00', 'le2020-04-03T23:59:59-04:00'];

async function get(server: RunningFhirServer, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/${path}`, { headers: { accept: 'application/fhir+json', ...headers } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

function query(params: Record<string, string | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  return q.toString();
}

async function ids(server: RunningFhirServer, type: string, params: Record<string, string | string[]>): Promise<string[]> {
  const res = await get(server, `${type}?${query({ _count: '1000', ...params })}`);
  expect(res.status, res.text).toBe(200);
  const bundle = JSON.parse(res.text) as Bundle;
  return (bundle.entry ?? [])
    .filter((e) => e.search?.mode === 'match')
    .map((e) => e.resource!.id!)
    .sort();
}

const seeded = seedResources();
const reports = seeded.filter((r): r is MeasureReport => r.resourceType === 'MeasureReport');
const measures = seeded.filter((r): r is Measure => r.resourceType === 'Measure');
const idsWhere = (keep: (r: MeasureReport) => boolean) =>
  reports
    .filter(keep)
    .map((r) => r.id!)
    .sort();
const onApril3 = (r: MeasureReport) => r.period!.start!.startsWith('2020-04-03');

describe('measure-source simulator, clean', () => {
  let server: RunningFhirServer;
  beforeAll(async () => {
    server = await measureSource.start();
  });
  afterAll(() => server.close());

  it('is seeded with fixtures that are valid R4 and valid SANER reports and measures', () => {
    registerSanerProfiles();
    const profileOf: Record<string, string[]> = { MeasureReport: [PUBLIC_HEALTH_MEASURE_REPORT], Measure: [PUBLIC_HEALTH_MEASURE] };
    expect(reports.length).toBeGreaterThan(30);
    for (const r of seeded) expect(validateResource(r, { profiles: profileOf[r.resourceType] ?? [] }), `${r.resourceType}/${r.id}`).toEqual([]);
  });

  it('claims the SANER Measure Source statements, profiles, IG search parameters and CSV operations', async () => {
    const cs = JSON.parse((await get(server, 'metadata')).text) as CapabilityStatement;
    expect(cs.instantiates).toEqual([
      'http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureSource-QueryMeasure-Pull',
      'http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureSource-QueryMeasure-CSV-Pull',
    ]);
    const report = cs.rest![0]!.resource!.find((r) => r.type === 'MeasureReport')!;
    expect(report.supportedProfile).toEqual(['http://hl7.org/fhir/uv/saner/StructureDefinition/PublicHealthMeasureReport']);
    expect(report.operation?.map((o) => o.name).sort()).toEqual(['read-csv', 'search-csv']);
    const measure = cs.rest![0]!.resource!.find((r) => r.type === 'Measure')!;
    expect(measure.searchParam?.find((p) => p.name === 'definition-text')?.definition).toBe('http://hl7.org/fhir/uv/saner/SearchParameter/SearchParameter-definition-text');
  });

  it('searches MeasureReport by measure, period, date and _lastUpdated', async () => {
    expect(await ids(server, 'MeasureReport', { measure: BEDS })).toEqual(idsWhere((r) => r.measure === BEDS));
    expect(await ids(server, 'MeasureReport', { measure: VENTS, period: APRIL_3 })).toEqual(idsWhere((r) => r.measure === VENTS && onApril3(r)));
    expect(await ids(server, 'MeasureReport', { date: ['ge2020-04-04T06:15:00-04:00', 'le2020-04-04T06:15:00-04:00'] })).toEqual(['beds-newark-2020-04-03', 'vents-newark-2020-04-03']);
    expect(await ids(server, 'MeasureReport', { _lastUpdated: 'lt2020-01-01' })).toEqual([]);
    expect((await ids(server, 'MeasureReport', { _lastUpdated: 'ge2020-01-01' })).length).toBe(reports.length);
  });

  it('searches MeasureReport by subject, reporter, their identifiers, measure.title and near', async () => {
    const newark = idsWhere((r) => r.subject?.reference === 'Location/loc-newark');
    expect(newark.length).toBe(28);
    expect(await ids(server, 'MeasureReport', { subject: 'Location/loc-newark' })).toEqual(newark);
    expect(await ids(server, 'MeasureReport', { 'subject:identifier': `${HIFLD}|0007102` })).toEqual(newark);
    expect(await ids(server, 'MeasureReport', { reporter: 'Organization/org-newark' })).toEqual(newark);
    expect(await ids(server, 'MeasureReport', { 'reporter:identifier': `${NPI}|1770580334` })).toEqual(newark);
    expect(await ids(server, 'MeasureReport', { 'measure.title': 'Ventilator' })).toEqual(idsWhere((r) => r.measure === VENTS));
    // Trenton and Camden lie about 45 km apart, Newark about 75 km from Trenton.
    expect(await ids(server, 'MeasureReport', { 'subject:Location.near': '40.2171|-74.7429|25|km' })).toEqual(idsWhere((r) => r.subject?.reference === 'Location/loc-trenton'));
    expect((await ids(server, 'MeasureReport', { 'subject:Location.near': '40.2171|-74.7429|60|km' })).length).toBe(56);
  });

  it('pages MeasureReports by _count with next links that lead through every match once', async () => {
    let url: string | undefined = `${server.url}/MeasureReport?measure=${encodeURIComponent(BEDS)}&_count=10`;
    const seen: string[] = [];
    let pages = 0;
    while (url) {
      const bundle = (await (await fetch(url, { headers: { accept: 'application/fhir+json' } })).json()) as Bundle;
      expect(bundle.entry!.length).toBeLessThanOrEqual(10);
      seen.push(...bundle.entry!.map((e) => e.resource!.id!));
      url = bundle.link?.find((l) => l.relation === 'next')?.url;
      pages++;
    }
    expect(pages).toBe(5);
    expect(seen.sort()).toEqual(idsWhere((r) => r.measure === BEDS));
  });

  it('includes the subject Location and reporter Organization of a report with _include=*', async () => {
    const bundle = JSON.parse((await get(server, 'MeasureReport?_id=beds-camden-2020-04-02&_include=*')).text) as Bundle;
    const included = bundle
      .entry!.filter((e) => e.search?.mode === 'include')
      .map((e) => `${e.resource!.resourceType}/${e.resource!.id}`)
      .sort();
    expect(included).toEqual(['Location/loc-camden', 'Measure/BedCapacity', 'Organization/org-camden']);
  });

  it('searches Location and Organization by name and identifier, Measure by text, code and code:in', async () => {
    expect(await ids(server, 'Location', { name: 'Passaic' })).toEqual(['loc-newark']);
    expect(await ids(server, 'Location', { identifier: `${HIFLD}|0008103` })).toEqual(['loc-camden']);
    expect(await ids(server, 'Organization', { name: 'Garden' })).toEqual(['garden-state-health']);
    expect(await ids(server, 'Organization', { identifier: `${NPI}|1316948003` })).toEqual(['org-trenton']);
    expect(await ids(server, 'Measure', { _text: 'ventilators' })).toEqual(['VentilatorAvailability']);
    expect(await ids(server, 'Measure', { _content: 'admissions' })).toEqual(['CovidAdmissions']);
    expect(await ids(server, 'Measure', { 'definition-text': 'Hospital' })).toEqual(['BedCapacity']);
    expect(await ids(server, 'Measure', { code: 'http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues|numVent' })).toEqual(['VentilatorAvailability']);
    expect(await ids(server, 'Measure', { 'code:in': 'http://hl7.org/fhir/uv/saner/ValueSet/MeasurePopulations' })).toEqual(['BedCapacity', 'VentilatorAvailability']);
  });

  it('$read-csv answers what src/csv makes of the report, remapped by map, or a Binary when FHIR is asked for', async () => {
    const report = reports.find((r) => r.id === 'beds-trenton-2020-04-05')!;
    const bedMeasure = measures.find((m) => m.url === BEDS)!;
    const csv = await get(server, 'MeasureReport/beds-trenton-2020-04-05/$read-csv', { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text).toBe(await measureReportsToCsvString([report], bedMeasure));
    const mapped = await get(server, `MeasureReport/beds-trenton-2020-04-05/$read-csv?${query({ map: 'numTotBedsOcc$Occupied,numTotBeds' })}`, { accept: 'text/csv' });
    expect(mapped.text.split('\r\n')[0]).toBe('subject,reporter,period-start,period-end,stratifier,stratum,Occupied,numTotBeds');
    expect(mapped.text).toBe(await measureReportsToCsvString([report], bedMeasure, { map: ['numTotBedsOcc$Occupied,numTotBeds'] }));
    const binary = JSON.parse((await get(server, 'MeasureReport/beds-trenton-2020-04-05/$read-csv')).text) as Binary;
    expect(binary.resourceType).toBe('Binary');
    expect(Buffer.from(binary.data!, 'base64').toString('utf8')).toBe(csv.text);
    expect((await get(server, 'MeasureReport/no-such-report/$read-csv', { accept: 'text/csv' })).status).toBe(404);
    const badMap = await get(server, `MeasureReport/beds-trenton-2020-04-05/$read-csv?map=notACode`, { accept: 'text/csv' });
    expect(badMap.status).toBe(400);
    expect((JSON.parse(badMap.text) as OperationOutcome).resourceType).toBe('OperationOutcome');
  });

  it('$search-csv answers one CSV of every matching report (GET and POST), header only when none match, 400 without measure or period', async () => {
    const matching = reports.filter((r) => r.measure === VENTS && onApril3(r));
    const expected = await measureReportsToCsvString(matching, measures.find((m) => m.url === VENTS)!);
    const viaGet = await get(server, `MeasureReport/$search-csv?${query({ measure: VENTS, period: APRIL_3 })}`, { accept: 'text/csv' });
    expect(viaGet.text).toBe(expected);
    const viaPost = await fetch(`${server.url}/MeasureReport/$search-csv`, {
      method: 'POST',
      headers: { accept: 'text/csv', 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'measure', valueString: VENTS }, ...APRIL_3.map((p) => ({ name: 'period', valueString: p }))] }),
    });
    expect(await viaPost.text()).toBe(expected);
    const none = await get(server, `MeasureReport/$search-csv?${query({ measure: VENTS, period: 'ge2021-01-01' })}`, { accept: 'text/csv' });
    expect(none.text.trim().split('\r\n')).toHaveLength(1);
    for (const params of [{ measure: VENTS }, { period: APRIL_3 }] as Record<string, string | string[]>[]) {
      const res = await get(server, `MeasureReport/$search-csv?${query(params)}`, { accept: 'text/csv' });
      expect(res.status).toBe(400);
      expect((JSON.parse(res.text) as OperationOutcome).resourceType).toBe('OperationOutcome');
    }
    const twoMeasures = await get(server, `MeasureReport/$search-csv?${query({ measure: `${BEDS},${VENTS}`, period: APRIL_3 })}`, { accept: 'text/csv' });
    expect(twoMeasures.status).toBe(400);
  });
});

describe('measure-source simulator, own fault modes', () => {
  const withFault = async <T>(fault: string, check: (server: RunningFhirServer) => Promise<T>): Promise<T> => {
    const server = await measureSource.start({ faults: [fault] });
    try {
      return await check(server);
    } finally {
      await server.close();
    }
  };
  const readCsv = (server: RunningFhirServer, extra = '') => get(server, `MeasureReport/vents-camden-2020-04-02/$read-csv${extra}`, { accept: 'text/csv' });

  it('read-csv-as-json answers FHIR JSON', async () => {
    const res = await withFault('read-csv-as-json', readCsv);
    expect(res.type).toMatch(/^application\/fhir\+json/);
    expect(JSON.parse(res.text).resourceType).toBe('MeasureReport');
  });

  it('csv-wrong-header lower-cases the header row only', async () => {
    const res = await withFault('csv-wrong-header', readCsv);
    expect(res.text.split('\r\n')[0]).toContain(',numventuse,');
    expect(res.text.split('\r\n')[1]).toContain('2020-04-02T00:00:00-04:00');
  });

  it('csv-wrong-counts adds one to every count', async () => {
    const res = await withFault('csv-wrong-counts', readCsv);
    const clean = reports.find((r) => r.id === 'vents-camden-2020-04-02')!.group![0]!.population!.map((p) => String(p.count! + 1));
    expect(res.text.split('\r\n')[1]!.split(',').slice(-3)).toEqual(clean);
  });

  it('csv-map-ignored answers canonical columns whatever map says', async () => {
    const res = await withFault('csv-map-ignored', (s) => readCsv(s, '?map=numVent%24Total'));
    expect(res.text.split('\r\n')[0]).toBe('subject,reporter,period-start,period-end,Ventilators,numVent,numVentUse,numVentAvail');
  });

  it('search-csv-no-period-check and search-csv-ignore-period break the period rules of $search-csv', async () => {
    expect((await withFault('search-csv-no-period-check', (s) => get(s, `MeasureReport/$search-csv?measure=${encodeURIComponent(VENTS)}`, { accept: 'text/csv' }))).status).toBe(200);
    const rows = await withFault('search-csv-ignore-period', (s) => get(s, `MeasureReport/$search-csv?${query({ measure: VENTS, period: APRIL_3 })}`, { accept: 'text/csv' }));
    expect(rows.text.trim().split('\r\n')).toHaveLength(1 + 42);
  });

  it('invalid-measurereport and invalid-measure serve resources breaking the SANER profiles', async () => {
    const report = await withFault('invalid-measurereport', (s) => get(s, 'MeasureReport/beds-newark-2020-04-01'));
    const served = JSON.parse(report.text) as MeasureReport;
    expect(served.date).toBe('2020-04-02');
    expect(served.subject?.identifier).toBeUndefined();
    const measure = await withFault('invalid-measure', (s) => get(s, 'Measure?_id=BedCapacity'));
    const m = (JSON.parse(measure.text) as Bundle).entry![0]!.resource as Measure;
    expect(m.extension?.some((e) => e.url.endsWith('/ReportingPeriod'))).toBe(false);
  });

  it('include-without-subject drops only the subject Location from _include=*', async () => {
    const res = await withFault('include-without-subject', (s) => get(s, 'MeasureReport?_id=beds-camden-2020-04-02&_include=*'));
    const included = (JSON.parse(res.text) as Bundle)
      .entry!.filter((e) => e.search?.mode === 'include')
      .map((e) => e.resource!.resourceType)
      .sort();
    expect(included).toEqual(['Measure', 'Organization']);
  });

  it('accept-fhir-types-only refuses a legacy Accept but still takes the same value in _format', async () => {
    const [viaAccept, viaParam] = await withFault('accept-fhir-types-only', async (s) => [
      await get(s, 'MeasureReport/beds-newark-2020-04-01', { accept: 'application/json+fhir' }),
      await get(s, 'MeasureReport/beds-newark-2020-04-01?_format=application/json%2Bfhir', { accept: '' }),
    ]);
    expect(viaAccept!.status).toBe(406);
    expect(viaParam!.status).toBe(200);
  });

  it('refuse-format:xml is a JSON-only server that says so: 406 for XML asked by name, JSON otherwise, format lists json alone', async () => {
    const [xml, param, wildcard, csv, metadata] = await withFault('refuse-format:xml', async (s) => [
      await get(s, 'MeasureReport/beds-newark-2020-04-01', { accept: 'application/fhir+xml' }),
      await get(s, 'MeasureReport/beds-newark-2020-04-01?_format=xml', { accept: 'application/fhir+json' }),
      await get(s, 'MeasureReport/beds-newark-2020-04-01', { accept: '*/*' }),
      await get(s, 'MeasureReport/beds-newark-2020-04-01/$read-csv', { accept: 'text/csv' }),
      await get(s, 'metadata'),
    ]);
    expect([xml!.status, param!.status]).toEqual([406, 406]);
    expect(JSON.parse(xml!.text).resourceType).toBe('OperationOutcome');
    expect([wildcard!.status, wildcard!.type]).toEqual([200, 'application/fhir+json; charset=utf-8']);
    expect(csv!.type).toMatch(/^text\/csv/);
    expect((JSON.parse(metadata!.text) as CapabilityStatement).format).toEqual(['json', 'application/fhir+json']);
  });

  it('refuse-format:json answers XML to a wildcard and 406 to JSON asked by name', async () => {
    const [json, none] = await withFault('refuse-format:json', async (s) => [await get(s, 'Measure/BedCapacity'), await get(s, 'Measure/BedCapacity', { accept: '' })]);
    expect(json!.status).toBe(406);
    expect(json!.type).toMatch(/^application\/fhir\+xml/);
    expect([none!.status, none!.type]).toEqual([200, 'application/fhir+xml; charset=utf-8']);
  });

  it('invalid-location serves Locations without a longitude, which breaks base R4', async () => {
    const res = await withFault('invalid-location', (s) => get(s, 'Location?_count=100'));
    const locations = (JSON.parse(res.text) as Bundle).entry!.map((e) => e.resource!);
    expect(locations.length).toBeGreaterThan(0);
    for (const l of locations) expect(validateResource(l).some((i) => i.severity === 'error')).toBe(true);
    for (const l of seeded.filter((r) => r.resourceType === 'Location')) expect(validateResource(l).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('default-page-size-10 pages a search without _count by 10', async () => {
    const res = await withFault('default-page-size-10', (s) => get(s, `MeasureReport?measure=${encodeURIComponent(BEDS)}`));
    expect((JSON.parse(res.text) as Bundle).entry).toHaveLength(10);
  });

  it('include-iterate-breaks answers _include:iterate with a bare 500 while the clean simulator refuses it with an OperationOutcome', async () => {
    const url = 'MeasureReport?_id=beds-newark-2020-04-01&_include:iterate=*';
    const broken = await withFault('include-iterate-breaks', (s) => get(s, url));
    expect(broken.status).toBe(500);
    expect(broken.text).not.toContain('OperationOutcome');
    const server = await measureSource.start();
    try {
      const clean = await get(server, url);
      expect(clean.status).toBe(400);
      expect(JSON.parse(clean.text).resourceType).toBe('OperationOutcome');
    } finally {
      await server.close();
    }
  });
});
