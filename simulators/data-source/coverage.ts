/**
 * The search-coverage Measure ComputeSearchCoverage (fixtures/compute): one population per
 * resource type and R4 search parameter of the Data Source's CapabilityStatement that a Measure
 * Computer is asked to search with (SANER-CM-MC-0xx), each query using exactly that parameter, so
 * the Measure drives the searches. Every population can be evaluated: the one the Data Source
 * cannot answer has a Measure of its own (unevaluable.ts), so a computer that gives up a whole
 * Measure over one failing population still has its searches judged here.
 *
 * The queries name fixed values the generator always emits whatever the seed and size:
 * pat-000001 and pat-000002 (every data set has at least 3 patients), and per type four coverage
 * records with their own id prefix (so their ids do not depend on how much random data came
 * first), two on each of two coverage encounters, two with code A and two with code B. Code A of
 * every type is one nothing else in the data carries, and none of these records is counted by
 * ComputeCovidImpact (other codes, ambulatory encounters). Counts are decided on the model, so the
 * random records of the same patient, class or day are counted too.
 */
import type { Coding } from 'fhir/r4.js';
import { CANONICAL_BASE, LOINC, NEGATIVE_RESULTS, OTHER_DIAGNOSES, POSITIVE_RESULTS, SNOMED } from './codes.js';
import type { Ids } from './draw.js';
import type { ExpectedGroup } from './expected.js';
import { periodMatches } from './measures.js';
import type { ClinicalModel, CoverageRecord, CoverageType, EncounterRecord, ReportingPeriod } from './model.js';
import { HOUR, MINUTE } from './model.js';

export const COVERAGE_MEASURE_ID = 'ComputeSearchCoverage';
export const COVERAGE_MEASURE_URL = `${CANONICAL_BASE}/Measure/${COVERAGE_MEASURE_ID}`;
export const COVERAGE_MEASURE_VERSION = '1.0.0';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const DEXAMETHASONE: Coding = { system: RXNORM, code: '3264', display: 'dexamethasone' };
const ASPIRIN: Coding = { system: RXNORM, code: '1191', display: 'aspirin' };
const DIABETES: Coding = { system: SNOMED, code: '44054006', display: 'Diabetes mellitus type 2' };
const HYPERTENSION: Coding = { system: SNOMED, code: '38341003', display: 'Hypertensive disorder, systemic arterial' };

/** Per coverage-record type: its id prefix and its codes A (queried) and B. */
export const COVERAGE_RECORDS: Readonly<Record<CoverageType, { prefix: string; codes: readonly [Coding, Coding] }>> = {
  Condition: { prefix: 'cond-coverage', codes: [DIABETES, HYPERTENSION] },
  Observation: {
    prefix: 'obs-coverage',
    codes: [
      { system: LOINC, code: '94563-4', display: 'SARS-CoV-2 (COVID-19) IgG Ab [Presence] in Serum or Plasma by Immunoassay' },
      { system: LOINC, code: '94762-2', display: 'SARS-CoV-2 (COVID-19) Ab [Presence] in Serum or Plasma by Immunoassay' },
    ],
  },
  Procedure: {
    prefix: 'proc-coverage',
    codes: [
      { system: SNOMED, code: '80146002', display: 'Appendectomy' },
      { system: SNOMED, code: '232717009', display: 'Coronary artery bypass grafting' },
    ],
  },
  AllergyIntolerance: {
    prefix: 'allergy',
    codes: [
      { system: SNOMED, code: '91936005', display: 'Allergy to penicillin' },
      { system: SNOMED, code: '300916003', display: 'Latex allergy' },
    ],
  },
  DiagnosticReport: {
    prefix: 'diag-report',
    codes: [
      { system: LOINC, code: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma' },
      { system: LOINC, code: '58410-2', display: 'CBC panel - Blood by Automated count' },
    ],
  },
  MedicationRequest: { prefix: 'med-request', codes: [DEXAMETHASONE, ASPIRIN] },
  ServiceRequest: {
    prefix: 'service-request',
    codes: [
      { system: SNOMED, code: '399208008', display: 'Plain chest X-ray' },
      { system: SNOMED, code: '169069000', display: 'Computed tomography of chest' },
    ],
  },
  DocumentReference: {
    prefix: 'document',
    codes: [
      { system: LOINC, code: '18842-5', display: 'Discharge summary' },
      { system: LOINC, code: '11506-3', display: 'Progress note' },
    ],
  },
  FamilyMemberHistory: { prefix: 'family-history', codes: [DIABETES, HYPERTENSION] },
  MedicationAdministration: { prefix: 'med-administration', codes: [DEXAMETHASONE, ASPIRIN] },
  MedicationDispense: { prefix: 'med-dispense', codes: [DEXAMETHASONE, ASPIRIN] },
  MedicationStatement: { prefix: 'med-statement', codes: [DEXAMETHASONE, ASPIRIN] },
};

const COVERAGE_ENCOUNTER_PREFIX = 'enc-coverage';
const RECORDS_PER_TYPE = 4;

/** The parameters each type is queried with: those of SANER-CM-MC-0xx that R4 defines for it (digest §7 D8). */
export const COVERED_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  Patient: ['_id'],
  Encounter: ['_id', 'patient', 'class', 'date'],
  AllergyIntolerance: ['_id', 'patient', 'code'],
  Condition: ['_id', 'patient', 'encounter', 'code'],
  DiagnosticReport: ['_id', 'patient', 'encounter', 'code'],
  MedicationRequest: ['_id', 'patient', 'encounter', 'code'],
  Observation: ['_id', 'patient', 'encounter', 'code'],
  Procedure: ['_id', 'patient', 'encounter', 'code'],
  ServiceRequest: ['_id', 'patient', 'encounter', 'code'],
  DocumentReference: ['_id', 'patient', 'encounter'],
  FamilyMemberHistory: ['_id', 'patient', 'code'],
  MedicationAdministration: ['_id', 'patient', 'code'],
  MedicationDispense: ['_id', 'patient', 'code'],
  MedicationStatement: ['_id', 'patient', 'code'],
};

export const QUERIED_PATIENT = 'pat-000001';
const nth = (prefix: string, n: number) => `${prefix}-${String(n).padStart(6, '0')}`;
export const QUERIED_ENCOUNTER = nth(COVERAGE_ENCOUNTER_PREFIX, 2);

export interface CoveragePopulation {
  type: string;
  parameter: string;
  /** The population code, `Type-parameter`. */
  code: string;
  expression: string;
}

function idsOf(type: string): string {
  if (type === 'Patient') return 'pat-000001,pat-000002';
  const prefix = type === 'Encounter' ? COVERAGE_ENCOUNTER_PREFIX : COVERAGE_RECORDS[type as CoverageType].prefix;
  return `${nth(prefix, 1)},${nth(prefix, 3)}`;
}

function criterion(type: string, parameter: string): string {
  switch (parameter) {
    case '_id':
      return `_id=${idsOf(type)}`;
    case 'patient':
      return `patient=Patient/${QUERIED_PATIENT}`;
    case 'encounter':
      return `encounter=Encounter/${QUERIED_ENCOUNTER}`;
    case 'class':
      return 'class=AMB';
    case 'date':
      return 'date=ge@ReportingPeriod.start&date=lt@ReportingPeriod.end';
    case 'code': {
      const [a] = COVERAGE_RECORDS[type as CoverageType].codes;
      return `code=${encodeURIComponent(`${a.system}|${a.code}`).replace(/%2F/g, '/').replace(/%3A/g, ':')}`;
    }
  }
  throw new Error(`no coverage criterion for ${type} ${parameter}`);
}

/** The population searching one type with one covered parameter alone. */
export function coveragePopulation(type: string, parameter: string): CoveragePopulation {
  return { type, parameter, code: `${type}-${parameter}`, expression: `${type}?${criterion(type, parameter)}` };
}

/** Every population of the coverage groups, in the Measure's order. */
export function coveragePopulations(): CoveragePopulation[] {
  return Object.entries(COVERED_PARAMETERS).flatMap(([type, parameters]) => parameters.map((parameter) => coveragePopulation(type, parameter)));
}

interface Sink {
  ids: Ids;
  model: ClinicalModel;
}

/** The coverage encounters and records, on the first day of the window; call after the other records. */
export function addCoverageRecords({ ids, model }: Sink, periods: readonly ReportingPeriod[]): void {
  const S = periods[0]!.startMs;
  const bed = model.beds.find((b) => b.physicalType === 'bd')!.id;
  const encounters: EncounterRecord[] = [0, 1, 2, 3].map((i) => ({
    id: ids.next(COVERAGE_ENCOUNTER_PREFIX),
    patient: model.patients[i % 2]!,
    class: 'AMB',
    status: 'finished',
    start: { ms: S + 10 * HOUR + i * MINUTE, offsetMinutes: 0 },
    end: { ms: S + 11 * HOUR + i * MINUTE, offsetMinutes: 0 },
    reason: OTHER_DIAGNOSES[2]!,
    bed,
  }));
  model.encounters.push(...encounters);
  const [first, second] = encounters as [EncounterRecord, EncounterRecord];
  for (const [type, { prefix, codes }] of Object.entries(COVERAGE_RECORDS) as Array<[CoverageType, (typeof COVERAGE_RECORDS)[CoverageType]]>) {
    for (let i = 0; i < RECORDS_PER_TYPE; i++) {
      const on = i % 2 === 0 ? first : second;
      const record: CoverageRecord = { type, id: ids.next(prefix), patient: on.patient, encounter: on.id, code: codes[i < 2 ? 0 : 1], at: { ms: on.start.ms + 15 * MINUTE, offsetMinutes: 0 } };
      if (type === 'Condition') model.conditions.push({ id: record.id, patient: record.patient, encounter: record.encounter, code: record.code, onset: record.at, verification: 'confirmed' });
      else if (type === 'Observation') {
        model.observations.push({
          id: record.id,
          patient: record.patient,
          encounter: record.encounter,
          code: record.code,
          status: 'final',
          effective: record.at,
          value: i % 2 ? NEGATIVE_RESULTS[0]! : POSITIVE_RESULTS[0]!,
        });
      } else if (type === 'Procedure') {
        model.procedures.push({
          id: record.id,
          patient: record.patient,
          encounter: record.encounter,
          code: record.code,
          status: 'completed',
          start: record.at,
          end: { ms: record.at.ms + 30 * MINUTE, offsetMinutes: 0 },
          reason: OTHER_DIAGNOSES[2]!,
        });
      } else model.coverage.push(record);
    }
  }
}

/** What each coverage query matches, as the model's records searched by one parameter. */
interface Searchable {
  id: string;
  patient?: string;
  encounter?: string;
  code?: Coding;
  class?: string;
  matchesPeriod?: (period: ReportingPeriod) => boolean;
}

function searchable(model: ClinicalModel, type: string): Searchable[] {
  switch (type) {
    case 'Patient':
      return model.patients.map((p) => ({ id: p.id }));
    case 'Encounter':
      return model.encounters.map((e) => ({ id: e.id, patient: e.patient.id, class: e.class, matchesPeriod: (period) => periodMatches(e.start, e.end, period) }));
    case 'Condition':
      return model.conditions.map((c) => ({ id: c.id, patient: c.patient.id, encounter: c.encounter, code: c.code }));
    case 'Observation':
      return model.observations.map((o) => ({ id: o.id, patient: o.patient.id, code: o.code, ...(o.encounter ? { encounter: o.encounter } : {}) }));
    case 'Procedure':
      return model.procedures.map((p) => ({ id: p.id, patient: p.patient.id, code: p.code, ...(p.encounter ? { encounter: p.encounter } : {}) }));
    default:
      return model.coverage.filter((r) => r.type === type).map((r) => ({ id: r.id, patient: r.patient.id, encounter: r.encounter, code: r.code }));
  }
}

function matches(record: Searchable, type: string, parameter: string, period: ReportingPeriod): boolean {
  switch (parameter) {
    case '_id':
      return idsOf(type).split(',').includes(record.id);
    case 'patient':
      return record.patient === QUERIED_PATIENT;
    case 'encounter':
      return record.encounter === QUERIED_ENCOUNTER;
    case 'class':
      return record.class === 'AMB';
    case 'date':
      return record.matchesPeriod?.(period) ?? false;
    case 'code': {
      const [a] = COVERAGE_RECORDS[type as CoverageType].codes;
      return record.code?.system === a.system && record.code?.code === a.code;
    }
  }
  return false;
}

/** `Type/id` of the records of the type the search with that one covered parameter matches in the period. */
export function coverageMembers(model: ClinicalModel, type: string, parameter: string, period: ReportingPeriod): string[] {
  return searchable(model, type)
    .filter((r) => matches(r, type, parameter, period))
    .map((r) => `${type}/${r.id}`);
}

/** How many records of the type the search with that one covered parameter matches in the period. */
export function coverageCount(model: ClinicalModel, type: string, parameter: string, period: ReportingPeriod): number {
  return coverageMembers(model, type, parameter, period).length;
}

/** The coverage Measure's expected groups for a period: one per type, a count per parameter. */
export function coverageGroups(model: ClinicalModel, period: ReportingPeriod): ExpectedGroup[] {
  return Object.entries(COVERED_PARAMETERS).map(([type, parameters]) => {
    const populations = Object.fromEntries(parameters.map((parameter) => [`${type}-${parameter}`, coverageCount(model, type, parameter, period)]));
    return { code: type, populations, stratifiers: [] };
  });
}
