// The reference Measure Computer against a small hand-checked Data Source (the server core with a
// dozen resources): counts, scores and strata, the report's validity, $evaluate-measure by GET and
// POST with and without storing, push to the reference Measure Consumer, a changed Measure, the
// :in fallback, refused languages and parameters, and each fault mode; and the search-coverage and
// partly evaluable Measures against the reference Data Source.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Encounter, Location, Measure, MeasureReport, Observation, OperationOutcome, Patient, Procedure, Resource, ValueSet } from 'fhir/r4.js';
import type { LightMyRequestResponse } from 'fastify';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../ig/saner/profiles.js';
import { parseJson } from '../../src/fhir/json.js';
import type { RunningFhirServer, ServerDeclaration } from '../../src/fhir/server/index.js';
import { startFhirServer } from '../../src/fhir/server/index.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { startMeasureConsumer } from '../../simulators/measure-consumer/index.js';
import { startMeasureComputer, type MeasureComputerOptions } from '../../simulators/measure-computer/index.js';
import { startDataSource as startReferenceDataSource, type RunningDataSource } from '../../simulators/data-source/index.js';
import { COVERED_PARAMETERS } from '../../simulators/data-source/coverage.js';
import { EVALUABLE, PARTLY_EVALUABLE_GROUP, UNEVALUABLE, UNEVALUABLE_MEASURE_ID } from '../../simulators/data-source/unevaluable.js';

const MEASURE_ID = 'ComputeCovidImpact';
const DAY = { periodStart: '2020-04-03', periodEnd: '2020-04-03' };
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

function fixture<T extends Resource>(name: string): T {
  return parseJson(readFileSync(new URL(`../../fixtures/compute/${name}`, import.meta.url), 'utf8')) as T;
}

const covid = { coding: [{ system: ICD10, code: 'U07.1' }] };
const covidSnomed = { coding: [{ system: SNOMED, code: '840539006' }] };
const hypertension = { coding: [{ system: SNOMED, code: '38341003' }] };

function patient(id: string, gender: Patient['gender'], birthDate?: string): Patient {
  return { resourceType: 'Patient', id, gender, ...(birthDate ? { birthDate } : {}) };
}

function encounter(id: string, subject: string, cls: string, status: Encounter['status'], start: string, end: string | undefined, reason = covid): Encounter {
  return {
    resourceType: 'Encounter',
    id,
    status,
    class: { system: ACT_CODE, code: cls },
    subject: { reference: `Patient/${subject}` },
    period: { start, ...(end ? { end } : {}) },
    reasonCode: [reason],
  };
}

function ventilation(id: string, subject: string, status: Procedure['status'], start: string, end: string | undefined, reason = covid): Procedure {
  return {
    resourceType: 'Procedure',
    id,
    status,
    code: { coding: [{ system: SNOMED, code: '40617009' }] },
    subject: { reference: `Patient/${subject}` },
    performedPeriod: { start, ...(end ? { end } : {}) },
    reasonCode: [reason],
  };
}

function bed(id: string, status: Location['status'], occupied: boolean): Location {
  return {
    resourceType: 'Location',
    id,
    status,
    physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'bd' }] },
    operationalStatus: { system: 'http://terminology.hl7.org/CodeSystem/v2-0116', code: occupied ? 'O' : 'U' },
  };
}

function lab(id: string, status: Observation['status'], when: string, positive: boolean): Observation {
  return {
    resourceType: 'Observation',
    id,
    status,
    code: { coding: [{ system: LOINC, code: '94500-6' }] },
    effectiveDateTime: when,
    valueCodeableConcept: { coding: [{ system: SNOMED, code: positive ? '10828004' : '260385009' }] },
  };
}

/**
 * Hand-checked for 2020-04-03 (UTC): v1 counts e1 (ongoing), e2 (EMER) and e7 (SNOMED reason);
 * e3 ended the day before, e4 is ambulatory, e5 cancelled, e6 not COVID, e8 starts at the end
 * instant. v2 (inpatient only) drops e2. Ventilation: pr1 (ongoing) and pr2; pr3 has no COVID
 * reason. Beds: b1, b3 occupied of b1..b3 active (b4 inactive). Labs v1: o1 positive, o2 negative
 * (o3 preliminary, o4 the day before, o5 cancelled); v2 also counts o3.
 */
const clinicalData: Resource[] = [
  patient('p1', 'female', '1990-01-01'),
  patient('p2', 'male', '2010-06-01'),
  patient('p3', 'female', '1940-02-02'),
  patient('p4', 'male'),
  encounter('e1', 'p1', 'IMP', 'in-progress', '2020-04-02T10:00:00Z', undefined),
  encounter('e2', 'p2', 'EMER', 'finished', '2020-04-03T05:00:00Z', '2020-04-03T09:00:00Z'),
  encounter('e3', 'p3', 'IMP', 'finished', '2020-04-01T00:00:00Z', '2020-04-02T12:00:00Z'),
  encounter('e4', 'p4', 'AMB', 'in-progress', '2020-04-03T08:00:00Z', undefined),
  encounter('e5', 'p1', 'IMP', 'cancelled', '2020-04-03T08:00:00Z', undefined),
  encounter('e6', 'p3', 'IMP', 'in-progress', '2020-04-03T20:00:00Z', undefined, hypertension),
  encounter('e7', 'p4', 'IMP', 'in-progress', '2020-04-03T12:00:00Z', undefined, covidSnomed),
  encounter('e8', 'p2', 'IMP', 'in-progress', '2020-04-04T00:00:00Z', undefined),
  ventilation('pr1', 'p1', 'in-progress', '2020-04-02T12:00:00Z', undefined),
  ventilation('pr2', 'p3', 'completed', '2020-04-03T01:00:00Z', '2020-04-03T02:00:00Z'),
  ventilation('pr3', 'p2', 'completed', '2020-04-03T01:00:00Z', '2020-04-03T02:00:00Z', hypertension),
  bed('b1', 'active', true),
  bed('b2', 'active', false),
  bed('b3', 'active', true),
  bed('b4', 'inactive', true),
  lab('o1', 'final', '2020-04-03T10:00:00Z', true),
  lab('o2', 'final', '2020-04-03T11:00:00Z', false),
  lab('o3', 'preliminary', '2020-04-03T12:00:00Z', true),
  lab('o4', 'final', '2020-04-02T10:00:00Z', true),
  lab('o5', 'cancelled', '2020-04-03T10:00:00Z', true),
];

const valueSets = ['valueset-positive-results.json', 'valueset-sars-cov2-labs.json', 'valueset-suspected-or-confirmed-covid19-diagnoses.json', 'valueset-ventilation-procedures.json'].map((f) =>
  fixture<ValueSet>(f),
);
const facility = fixture<Location>('location-compute-general-hospital.json');

const DS_TYPES = ['Patient', 'Encounter', 'Procedure', 'Observation', 'Location', 'Organization', 'ValueSet'];
const DS_PARAMS: Record<string, string[]> = {
  Patient: ['_id'],
  Encounter: ['_id', 'status', 'class', 'date', 'reason-code'],
  Procedure: ['_id', 'status', 'code', 'date', 'reason-code'],
  Observation: ['_id', 'status', 'code', 'date', 'value-concept'],
  Location: ['_id', 'status', 'physical-type', 'operational-status'],
  Organization: ['_id'],
  ValueSet: ['_id', 'url'],
};

interface DataSourceOptions {
  /** Answer `:in` with 400 (a Data Source without the modifier). */
  noIn?: boolean;
  /** List modifiers in the CapabilityStatement, `:in` only where `noIn` is false. */
  listModifiers?: boolean;
}

interface RecordingServer extends RunningFhirServer {
  urls: string[];
}

async function startDataSource(options: DataSourceOptions = {}): Promise<RecordingServer> {
  const declaration: ServerDeclaration = {
    name: 'TinyDataSource',
    title: 'hand-checked Data Source',
    canonicalBase: 'urn:test',
    fhirVersion: '4.0.1',
    resources: DS_TYPES.map((type) => {
      const names = DS_PARAMS[type] ?? [];
      const modifiers = options.listModifiers ? names.filter((n) => ['code', 'reason-code', 'value-concept'].includes(n)).map((n) => `${n}:${options.noIn ? 'text' : 'in'}`) : [];
      return { type, interactions: ['read', 'search-type'], searchParams: [...names, ...modifiers], searchInclude: ['*'] };
    }),
    // R4 has no Location physical-type (R5 does); the bundled Measure counts beds with it.
    searchParamDefs: [...sanerSearchParamsFor(DS_TYPES), { name: 'physical-type', type: 'token', base: ['Location'], expression: 'Location.physicalType' }],
    operations: [],
    validateOnWrite: { base: false, profiles: false },
  };
  const store = ResourceStore.open({ path: ':memory:', searchParams: declaration.searchParamDefs });
  store.transaction(() => {
    for (const r of [...clinicalData, ...valueSets, facility, fixture<Resource>('organization-compute-general-hospital.json')]) store.create(r, r.id ? { id: r.id } : {});
  });
  const urls: string[] = [];
  const server = await startFhirServer({
    declaration,
    store,
    configure: (app) => {
      app.addHook('onRequest', async (request, reply) => {
        urls.push(decodeURIComponent(request.url));
        if (options.noIn && /:in=|%3Ain=/i.test(request.url)) {
          const outcome: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', diagnostics: 'the :in modifier is not supported' }] };
          return reply.code(400).header('content-type', 'application/fhir+json').send(JSON.stringify(outcome));
        }
      });
    },
  });
  return {
    ...server,
    urls,
    async close() {
      await server.close();
      store.close();
    },
  };
}

const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  while (open.length) await open.pop()?.close();
});

async function computer(dataSource: RunningFhirServer, options: Partial<MeasureComputerOptions> = {}): Promise<RunningFhirServer> {
  const server = await startMeasureComputer({ dataSourceUrl: dataSource.url, ...options });
  open.push(server);
  return server;
}

function evaluate(server: RunningFhirServer, params: Record<string, string>, id = MEASURE_ID): Promise<LightMyRequestResponse> {
  return server.app.inject({ method: 'GET', url: `/Measure/${id}/$evaluate-measure?${new URLSearchParams(params)}`, headers: { accept: 'application/fhir+json' } });
}

function reportOf(res: LightMyRequestResponse): MeasureReport {
  expect(res.statusCode, res.body).toBe(200);
  const report = JSON.parse(res.body) as MeasureReport;
  expect(report.resourceType).toBe('MeasureReport');
  return report;
}

function groupOf(report: MeasureReport, code: string) {
  const group = report.group?.find((g) => g.code?.coding?.[0]?.code === code);
  expect(group, `group ${code}`).toBeDefined();
  return group!;
}

function counts(report: MeasureReport): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const g of report.group ?? []) for (const p of g.population ?? []) out[p.code?.coding?.[0]?.code ?? '?'] = p.count;
  return out;
}

/** Stratifier text -> stratum value -> population code -> count. */
function strata(report: MeasureReport, group: string): Record<string, Record<string, Record<string, number | undefined>>> {
  const out: Record<string, Record<string, Record<string, number | undefined>>> = {};
  for (const s of groupOf(report, group).stratifier ?? []) {
    const byValue: Record<string, Record<string, number | undefined>> = {};
    for (const stratum of s.stratum ?? []) {
      const value = stratum.component?.[0]?.value?.text ?? '?';
      byValue[value] = Object.fromEntries((stratum.population ?? []).map((p) => [p.code?.coding?.[0]?.code ?? '?', p.count]));
    }
    out[s.code?.[0]?.text ?? '?'] = byValue;
  }
  return out;
}

const V1_COUNTS = { numC19Pats: 3, numC19VentPats: 2, numTotBeds: 3, numTotBedsOcc: 2, totalTestResults: 2, positive: 1 };

describe('evaluation on hand-checked data', () => {
  let ds: RecordingServer;
  let mc: RunningFhirServer;
  let report: MeasureReport;
  beforeAll(async () => {
    ds = await startDataSource();
    open.push(ds);
    mc = await computer(ds);
    report = reportOf(await evaluate(mc, DAY));
  });

  it('counts each population as the distinct matches of its query', () => {
    expect(counts(report)).toEqual(V1_COUNTS);
  });

  it('scores numerator over denominator', () => {
    expect(groupOf(report, 'Beds').measureScore?.value).toBeCloseTo(2 / 3, 10);
    expect(groupOf(report, 'LabResults').measureScore?.value).toBe(0.5);
    expect(groupOf(report, 'Encounters').measureScore).toBeUndefined();
  });

  it('stratifies every population of the group by the included subjects, a member without a value in no stratum', () => {
    expect(strata(report, 'Encounters')).toEqual({
      'By Gender': { female: { numC19Pats: 1, numC19VentPats: 2 }, male: { numC19Pats: 2, numC19VentPats: 0 } },
      'By Age Group': {
        'P0Y--P18Y': { numC19Pats: 1, numC19VentPats: 0 },
        'P18Y--P65Y': { numC19Pats: 1, numC19VentPats: 1 },
        'P65Y--P9999Y': { numC19Pats: 0, numC19VentPats: 1 },
      },
    });
  });

  it('writes a report valid against R4 and PublicHealthMeasureReport, naming the Measure version, subject, reporter and period', () => {
    const errors = validateResource(report, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] }).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    expect(errors).toEqual([]);
    expect(report).toMatchObject({
      status: 'complete',
      type: 'summary',
      measure: 'http://measure-conformance.example.org/fhir/Measure/ComputeCovidImpact|1.0.0',
      subject: { reference: 'Location/compute-general-hospital', identifier: { value: 'CGH-01' } },
      reporter: { reference: 'Organization/compute-general-hospital' },
      period: { start: '2020-04-03T00:00:00+00:00', end: '2020-04-04T00:00:00+00:00' },
    });
    expect(report.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(report.contained).toBeUndefined();
  });

  it('asks for counts only where a group has no stratifier, and never one resource at a time', () => {
    const searches = ds.urls.filter((u) => /^\/(Encounter|Procedure|Observation|Location)\?/.test(u));
    expect(searches.filter((u) => u.startsWith('/Location?')).every((u) => u.includes('_summary=count'))).toBe(true);
    expect(searches.filter((u) => u.startsWith('/Encounter?')).every((u) => u.includes('_include=Encounter:subject') && !u.includes('_summary'))).toBe(true);
    expect(ds.urls.some((u) => /^\/Patient\/[^?]+$/.test(u))).toBe(false);
  });
});

function post(server: RunningFhirServer, params: Record<string, string>, id = MEASURE_ID): Promise<LightMyRequestResponse> {
  const parameters = {
    resourceType: 'Parameters',
    parameter: Object.entries(params).map(([name, value]) => (name === 'periodStart' || name === 'periodEnd' ? { name, valueDate: value } : { name, valueString: value })),
  };
  return server.app.inject({
    method: 'POST',
    url: `/Measure/${id}/$evaluate-measure`,
    headers: { accept: 'application/fhir+json', 'content-type': 'application/fhir+json' },
    payload: JSON.stringify(parameters),
  });
}

async function search(server: RunningFhirServer, query: string): Promise<Bundle> {
  const res = await server.app.inject({ method: 'GET', url: `/${query}`, headers: { accept: 'application/fhir+json' } });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body) as Bundle;
}

function reportsIn(bundle: Bundle): MeasureReport[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is MeasureReport => r?.resourceType === 'MeasureReport');
}

async function publish(server: RunningFhirServer, measure: Measure): Promise<void> {
  const res = await server.app.inject({
    method: 'PUT',
    url: `/Measure/${measure.id}`,
    headers: { accept: 'application/fhir+json', 'content-type': 'application/fhir+json' },
    payload: JSON.stringify(measure),
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

const V2_COUNTS = { ...V1_COUNTS, numC19Pats: 2, totalTestResults: 3, positive: 2 };

describe('$evaluate-measure', () => {
  let ds: RecordingServer;
  beforeAll(async () => {
    ds = await startDataSource();
    open.push(ds);
  });

  it('answers the same report by GET and by POST with Parameters', async () => {
    const mc = await computer(ds);
    const byGet = reportOf(await evaluate(mc, DAY));
    const byPost = reportOf(await post(mc, DAY));
    expect(counts(byPost)).toEqual(counts(byGet));
    expect(byPost.period).toEqual(byGet.period);
  });

  it('stores with report=true, updating the same report on a re-run, and stores nothing with report=false', async () => {
    const mc = await computer(ds);
    reportOf(await evaluate(mc, { ...DAY, report: 'false' }));
    reportOf(await evaluate(mc, DAY));
    expect(reportsIn(await search(mc, 'MeasureReport'))).toHaveLength(0);
    const first = reportOf(await evaluate(mc, { ...DAY, report: 'true' }));
    const again = reportOf(await post(mc, { ...DAY, report: 'true' }));
    expect(again.id).toBe(first.id);
    expect(again.meta?.versionId).toBe('2');
    const stored = reportsIn(await search(mc, `MeasureReport?subject=Location/compute-general-hospital`));
    expect(stored.map((r) => r.id)).toEqual([first.id]);
    const nextDay = reportOf(await evaluate(mc, { periodStart: '2020-04-02', periodEnd: '2020-04-02', report: 'true' }));
    expect(nextDay.id).not.toBe(first.id);
    expect(reportsIn(await search(mc, 'MeasureReport'))).toHaveLength(2);
  });

  it('pushes a stored report to the Measure Consumer, and updates it there on a re-run', async () => {
    const consumer = await startMeasureConsumer();
    open.push(consumer);
    const mc = await computer(ds, { measureConsumerUrl: consumer.url });
    reportOf(await evaluate(mc, { ...DAY, report: 'true' }));
    reportOf(await evaluate(mc, { ...DAY, report: 'true' }));
    const held = reportsIn(await search(consumer, 'MeasureReport?subject=Location/compute-general-hospital'));
    expect(held).toHaveLength(1);
    expect(held[0]?.meta?.versionId).toBe('2');
    expect(counts(held[0]!)).toEqual(V1_COUNTS);
  });

  it('evaluates the Measure as it is now: a changed Measure (v2) yields a new report with changed values', async () => {
    const mc = await computer(ds);
    const v1 = reportOf(await evaluate(mc, { ...DAY, report: 'true' }));
    await publish(mc, fixture<Measure>('measure-compute-covid-impact-v2.json'));
    const v2 = reportOf(await evaluate(mc, { ...DAY, report: 'true' }));
    expect(v2.measure).toBe('http://measure-conformance.example.org/fhir/Measure/ComputeCovidImpact|2.0.0');
    expect(counts(v2)).toEqual(V2_COUNTS);
    expect(v2.id).not.toBe(v1.id);
    expect(reportsIn(await search(mc, 'MeasureReport'))).toHaveLength(2);
  });

  it('refuses bad parameters with a 400 OperationOutcome naming the parameter', async () => {
    const mc = await computer(ds);
    const cases: Array<[Record<string, string>, string]> = [
      [{ periodEnd: '2020-04-03' }, 'periodStart'],
      [{ periodStart: '2020-04-03' }, 'periodEnd'],
      [{ periodStart: 'yesterday', periodEnd: '2020-04-03' }, 'periodStart'],
      [{ periodStart: '2020-04-03', periodEnd: '2020-02-30' }, 'periodEnd'],
      [{ periodStart: '2020-04-05', periodEnd: '2020-04-03' }, 'periodEnd'],
      [{ ...DAY, report: 'yes' }, 'report'],
      [{ ...DAY, measure: 'x' }, 'measure'],
      [{ ...DAY, subject: 'Patient/p1' }, 'subject'],
      [{ ...DAY, subject: 'Location/nowhere' }, 'subject'],
      [{ ...DAY, reporter: 'Location/compute-general-hospital' }, 'reporter'],
    ];
    for (const [params, name] of cases) {
      const res = await evaluate(mc, params);
      expect(res.statusCode, JSON.stringify(params)).toBe(400);
      const outcome = JSON.parse(res.body) as OperationOutcome;
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue?.[0]?.expression, JSON.stringify(params)).toEqual([name]);
    }
    expect((await evaluate(mc, DAY, 'NoSuchMeasure')).statusCode).toBe(404);
  });

  it('refuses a Measure written in an unsupported language before any query, naming group, criterion and language', async () => {
    const mc = await computer(ds);
    const measure = fixture<Measure>('measure-compute-covid-impact.json');
    const cql: Measure = {
      ...measure,
      id: 'CqlImpact',
      url: 'http://measure-conformance.example.org/fhir/Measure/CqlImpact',
      group: measure.group?.map((g, i) => (i === 1 ? { ...g, population: g.population?.map((p) => ({ ...p, criteria: { ...p.criteria, language: 'text/cql', expression: 'BedCount' } })) } : g)),
    };
    await publish(mc, cql);
    const before = ds.urls.length;
    const res = await evaluate(mc, DAY, 'CqlImpact');
    expect(res.statusCode).toBe(422);
    const messages = ((JSON.parse(res.body) as OperationOutcome).issue ?? []).map((i) => i.diagnostics ?? '');
    expect(messages.some((m) => m.includes('group Beds, population numTotBeds') && m.includes("'text/cql'"))).toBe(true);
    expect(messages.some((m) => m.includes('one'))).toBe(true);
    expect(ds.urls.length).toBe(before);
  });
});

describe('Data Sources without :in (SANER-CM-PG-004)', () => {
  function sentCodes(urls: string[]): boolean {
    return urls.some((u) => u.startsWith('/Encounter?') && u.includes(`reason-code=${ICD10}|U07.1`) && !u.includes(':in='));
  }

  it('retries with the value set codes after a 400 on :in, and remembers it', async () => {
    const ds = await startDataSource({ noIn: true });
    open.push(ds);
    const report = reportOf(await evaluate(await computer(ds), DAY));
    expect(counts(report)).toEqual(V1_COUNTS);
    expect(sentCodes(ds.urls)).toBe(true);
    expect(ds.urls.filter((u) => u.startsWith('/Observation?') && u.includes(':in=')).length).toBe(1);
  });

  it('sends the codes at once when the CapabilityStatement lists modifiers but not :in', async () => {
    const ds = await startDataSource({ noIn: true, listModifiers: true });
    open.push(ds);
    const report = reportOf(await evaluate(await computer(ds), DAY));
    expect(counts(report)).toEqual(V1_COUNTS);
    expect(ds.urls.some((u) => u.includes(':in='))).toBe(false);
  });

  it('uses :in where the CapabilityStatement lists it', async () => {
    const ds = await startDataSource({ listModifiers: true });
    open.push(ds);
    reportOf(await evaluate(await computer(ds), DAY));
    expect(ds.urls.some((u) => u.startsWith('/Encounter?') && u.includes('reason-code:in='))).toBe(true);
    expect(sentCodes(ds.urls)).toBe(false);
  });
});

describe('fault modes', () => {
  let ds: RecordingServer;
  beforeAll(async () => {
    ds = await startDataSource();
    open.push(ds);
  });

  it('off-by-one reports the first count one higher', async () => {
    const report = reportOf(await evaluate(await computer(ds, { faults: ['off-by-one'] }), DAY));
    expect(counts(report)).toEqual({ ...V1_COUNTS, numC19Pats: 4 });
  });

  it('drop-stratifier leaves the strata out', async () => {
    const report = reportOf(await evaluate(await computer(ds, { faults: ['drop-stratifier'] }), DAY));
    expect(groupOf(report, 'Encounters').stratifier).toBeUndefined();
    expect(counts(report)).toEqual(V1_COUNTS);
  });

  it('no-push stores the report but the Measure Consumer never gets it', async () => {
    const consumer = await startMeasureConsumer();
    open.push(consumer);
    const mc = await computer(ds, { measureConsumerUrl: consumer.url, faults: ['no-push'] });
    reportOf(await evaluate(mc, { ...DAY, report: 'true' }));
    expect(reportsIn(await search(mc, 'MeasureReport'))).toHaveLength(1);
    expect(reportsIn(await search(consumer, 'MeasureReport?subject=Location/compute-general-hospital'))).toHaveLength(0);
  });

  it('stale-measure keeps evaluating the first version', async () => {
    const mc = await computer(ds, { faults: ['stale-measure'] });
    reportOf(await evaluate(mc, DAY));
    await publish(mc, fixture<Measure>('measure-compute-covid-impact-v2.json'));
    const after = reportOf(await evaluate(mc, DAY));
    expect(after.measure).toMatch(/\|1\.0\.0$/);
    expect(counts(after)).toEqual(V1_COUNTS);
  });

  it('skip-data-source reports zeros without a query', async () => {
    const before = ds.urls.length;
    const report = reportOf(await evaluate(await computer(ds, { faults: ['skip-data-source'] }), DAY));
    expect(Object.values(counts(report)).every((c) => c === 0)).toBe(true);
    expect(ds.urls.slice(before).filter((u) => /^\/(Encounter|Procedure|Observation|Location)\?/.test(u))).toEqual([]);
  });

  it("period-end-day-late ends the report's period a day after the period computed, counting the day asked", async () => {
    const report = reportOf(await evaluate(await computer(ds, { faults: ['period-end-day-late'] }), DAY));
    expect(report.period).toEqual({ start: '2020-04-03T00:00:00+00:00', end: '2020-04-05T00:00:00+00:00' });
    expect(counts(report)).toEqual(V1_COUNTS);
  });

  it('ignore-period counts outside the reporting period', async () => {
    const report = reportOf(await evaluate(await computer(ds, { faults: ['ignore-period'] }), DAY));
    // e3 (ended the day before) and e8 (starts at the end) join e1, e2 and e7.
    expect(counts(report).numC19Pats).toBe(5);
  });

  it('evaluate-ignores-period answers with the day before the one asked, by GET and by POST', async () => {
    const mc = await computer(ds, { faults: ['evaluate-ignores-period'] });
    const dayBefore = { start: '2020-04-02T00:00:00+00:00', end: '2020-04-03T00:00:00+00:00' };
    expect(reportOf(await evaluate(mc, DAY)).period).toEqual(dayBefore);
    expect(reportOf(await post(mc, DAY)).period).toEqual(dayBefore);
    expect((await evaluate(mc, { periodStart: 'yesterday', periodEnd: '2020-04-03' })).statusCode).toBe(400);
  });

  it('evaluate-stores-always stores the report when report is false or absent', async () => {
    const mc = await computer(ds, { faults: ['evaluate-stores-always'] });
    const returned = reportOf(await evaluate(mc, { ...DAY, report: 'false' }));
    expect(returned.id).toBeDefined();
    expect(reportsIn(await search(mc, 'MeasureReport')).map((r) => r.id)).toEqual([returned.id]);
  });

  it('evaluate-never-stores returns the report of report=true without storing or pushing it', async () => {
    const consumer = await startMeasureConsumer();
    open.push(consumer);
    const mc = await computer(ds, { measureConsumerUrl: consumer.url, faults: ['evaluate-never-stores'] });
    const returned = reportOf(await evaluate(mc, { ...DAY, report: 'true' }));
    expect(counts(returned)).toEqual(V1_COUNTS);
    expect(returned.id).toBeUndefined();
    expect(reportsIn(await search(mc, 'MeasureReport'))).toHaveLength(0);
    expect(reportsIn(await search(consumer, 'MeasureReport?subject=Location/compute-general-hospital'))).toHaveLength(0);
  });

  it('evaluate-duplicates stores a re-run for the same period as a second report', async () => {
    const mc = await computer(ds, { faults: ['evaluate-duplicates'] });
    const first = reportOf(await evaluate(mc, { ...DAY, report: 'true' }));
    const again = reportOf(await post(mc, { ...DAY, report: 'true' }));
    expect(again.id).not.toBe(first.id);
    expect(again.meta?.versionId).toBe('1');
    const stored = reportsIn(await search(mc, 'MeasureReport?subject=Location/compute-general-hospital'));
    expect(stored.map((r) => r.id).sort()).toEqual([first.id, again.id].sort());
    expect(stored.every((r) => r.period?.start === '2020-04-03T00:00:00+00:00')).toBe(true);
  });

  it('no-in-fallback leaves the counts of :in criteria data-absent, with the evaluation error in the report', async () => {
    const noIn = await startDataSource({ noIn: true });
    open.push(noIn);
    const report = reportOf(await evaluate(await computer(noIn, { faults: ['no-in-fallback'] }), DAY));
    const encounters = groupOf(report, 'Encounters').population?.[0];
    expect(encounters?.count).toBeUndefined();
    expect(encounters?._count?.extension?.[0]).toEqual({ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'error' });
    expect(counts(report).numTotBeds).toBe(3);
    expect(groupOf(report, 'LabResults').measureScore?.extension?.[0]?.valueCode).toBe('error');
    const outcome = report.contained?.[0] as OperationOutcome | undefined;
    expect(outcome?.issue?.some((i) => i.diagnostics?.includes('group Encounters, population numC19Pats') && i.diagnostics.includes(':in'))).toBe(true);
    const errors = validateResource(report, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] }).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    expect(errors).toEqual([]);
  });
});

describe('the search-coverage and partly evaluable Measures against the reference Data Source', () => {
  const COVERAGE_ID = 'ComputeSearchCoverage';
  let ds: RunningDataSource;
  const searched: string[] = [];
  beforeAll(async () => {
    ds = await startReferenceDataSource({ onExchange: (e) => searched.push(`${e.method} ${new URL(e.url).pathname}${new URL(e.url).search}`) });
    open.push(ds);
  });

  const expectedCounts = (measureId: string): Record<string, number> => {
    const result = ds.expected.results.find((r) => r.measure.endsWith(`/${measureId}`) && r.period.start.startsWith(DAY.periodStart))!;
    return Object.assign({}, ...result.groups.map((g) => g.populations)) as Record<string, number>;
  };

  it("searches every covered type with every covered parameter and reports the generator's counts, with no evaluation error", async () => {
    const before = searched.length;
    const report = reportOf(await evaluate(await computer(ds), DAY, COVERAGE_ID));
    expect(counts(report)).toEqual(expectedCounts(COVERAGE_ID));
    expect(report.contained).toBeUndefined();
    const types = new Set(searched.slice(before).map((line) => /^GET \/([A-Za-z]+)\?/.exec(line)?.[1]));
    for (const type of Object.keys(COVERED_PARAMETERS)) expect(types.has(type), type).toBe(true);
  });

  it('reports the population the Data Source cannot answer as an evaluation error and still counts the evaluable one', async () => {
    const report = reportOf(await evaluate(await computer(ds), DAY, UNEVALUABLE_MEASURE_ID));
    const { [UNEVALUABLE.code]: unevaluable, ...evaluable } = counts(report);
    expect(evaluable).toEqual(expectedCounts(UNEVALUABLE_MEASURE_ID));
    expect(Object.keys(evaluable)).toEqual([EVALUABLE.code]);
    expect(unevaluable).toBeUndefined();
    expect(groupOf(report, PARTLY_EVALUABLE_GROUP).population?.[1]?._count?.extension?.[0]).toEqual({ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'error' });
    expect((report.contained?.[0] as OperationOutcome | undefined)?.issue?.[0]?.diagnostics).toContain('Immunization');
  });

  it('skip-search-types searches only the ComputeCovidImpact types and reports 0 for the others', async () => {
    const before = searched.length;
    const report = reportOf(await evaluate(await computer(ds, { faults: ['skip-search-types'] }), DAY, COVERAGE_ID));
    const types = new Set(searched.slice(before).flatMap((line) => /^GET \/([A-Za-z]+)\?/.exec(line)?.[1] ?? []));
    expect([...types].sort()).toEqual(['Encounter', 'Observation', 'Procedure']);
    const got = counts(report);
    expect(got['Condition-code']).toBe(0);
    expect(got['Patient-_id']).toBe(0);
    expect(got['Encounter-class']).toBe(expectedCounts(COVERAGE_ID)['Encounter-class']);
  });

  it('count-unevaluable-as-zero reports 0 and no evaluation error for the population the Data Source cannot answer', async () => {
    const report = reportOf(await evaluate(await computer(ds, { faults: ['count-unevaluable-as-zero'] }), DAY, UNEVALUABLE_MEASURE_ID));
    expect(counts(report)[UNEVALUABLE.code]).toBe(0);
    expect(report.contained).toBeUndefined();
    expect(counts(report)[EVALUABLE.code]).toBe(expectedCounts(UNEVALUABLE_MEASURE_ID)[EVALUABLE.code]);
  });
});
