// The reference Measure Computer against a small hand-checked Data Source (the server core with a
// dozen resources): counts, scores and strata, the report's validity, $evaluate-measure by GET and
// POST with and without storing, push to the reference Measure Consumer, a changed Measure, the
// :in fallback, refused languages and parameters, and each fault mode.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Encounter, Location, Measure, MeasureReport, Observation, OperationOutcome, Patient, Procedure, Resource, ValueSet } from 'fhir/r4.js';
import type { LightMyRequestResponse } from 'fastify';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../ig/saner/profiles.js';
import { parseJson } from '../../src/fhir/json.js';
import type { RunningFhirServer, ServerDeclaration } from '../../src/fhir/server/index.js';
import { startFhirServer } from '../../src/fhir/server/index.js';
import { searchParamsFor } from '../../src/fhir/search/search-param-def.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { startMeasureConsumer } from '../../simulators/measure-consumer/index.js';
import { startMeasureComputer, type MeasureComputerOptions } from '../../simulators/measure-computer/index.js';

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

const valueSets = ['valueset-positive-results.json', 'valueset-sars-cov2-labs.json', 'valueset-suspected-or-confirmed-covid19-diagnoses.json', 'valueset-ventilation-procedures.json'].map((f) => fixture<ValueSet>(f));
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
    searchParamDefs: [...searchParamsFor(DS_TYPES), { name: 'physical-type', type: 'token', base: ['Location'], expression: 'Location.physicalType' }],
    operations: [],
    validateOnWrite: { base: false, profiles: false },
    faults: [],
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
