/**
 * The generator's own model of a facility's clinical data: plain records with times as epoch
 * milliseconds. Measure membership is decided on these records (measures.ts), never by searching
 * the FHIR resources built from them (resources.ts), so the two can be checked against each other.
 */
import type { Coding } from 'fhir/r4.js';

/** A point in time, written in FHIR with the given UTC offset (whole seconds, so the text is exact). */
export interface Instant {
  ms: number;
  offsetMinutes: number;
}

export type Gender = 'male' | 'female' | 'other' | 'unknown';
export type EncounterClass = 'IMP' | 'EMER' | 'AMB';
export type EncounterStatus = 'planned' | 'in-progress' | 'finished' | 'cancelled';
export type ProcedureStatus = 'preparation' | 'in-progress' | 'not-done' | 'completed' | 'entered-in-error';
export type ObservationStatus = 'preliminary' | 'final' | 'amended' | 'corrected' | 'cancelled' | 'entered-in-error';
export type LocationStatus = 'active' | 'suspended' | 'inactive';
/** v2-0116 bed status: Occupied, Unoccupied, Closed, Housekeeping, Contaminated. */
export type BedOperationalStatus = 'O' | 'U' | 'C' | 'H' | 'K';

export interface PatientRecord {
  id: string;
  gender: Gender;
  /** YYYY-MM-DD */
  birthDate: string;
}

export interface WardRecord {
  id: string;
  name: string;
  icu: boolean;
}

export interface BedRecord {
  id: string;
  ward: string;
  /** `bd` for beds; a few rooms (`ro`) stand among them and are no beds. */
  physicalType: 'bd' | 'ro';
  status: LocationStatus;
  operationalStatus?: BedOperationalStatus;
}

export interface DeviceRecord {
  id: string;
  ward: string;
  patient?: string;
}

export interface EncounterRecord {
  id: string;
  patient: PatientRecord;
  class: EncounterClass;
  status: EncounterStatus;
  start: Instant;
  /** Absent while it goes on. */
  end?: Instant;
  reason: Coding;
  bed: string;
}

export interface ConditionRecord {
  id: string;
  patient: PatientRecord;
  encounter: string;
  code: Coding;
  onset: Instant;
  verification: 'confirmed' | 'provisional';
}

export interface ProcedureRecord {
  id: string;
  patient: PatientRecord;
  encounter?: string;
  code: Coding;
  status: ProcedureStatus;
  start: Instant;
  end?: Instant;
  reason: Coding;
}

export interface ObservationRecord {
  id: string;
  patient: PatientRecord;
  encounter?: string;
  code: Coding;
  status: ObservationStatus;
  effective: Instant;
  value: Coding;
}

/** Resource types the generator writes only for the search-coverage Measure (coverage.ts), beside its coverage Conditions, Observations and Procedures. */
export type CoverageType =
  | 'Condition'
  | 'Observation'
  | 'Procedure'
  | 'AllergyIntolerance'
  | 'DiagnosticReport'
  | 'MedicationRequest'
  | 'ServiceRequest'
  | 'DocumentReference'
  | 'FamilyMemberHistory'
  | 'MedicationAdministration'
  | 'MedicationDispense'
  | 'MedicationStatement';

/** A record of a coverage type: whose it is, the encounter it belongs to, its code and when. */
export interface CoverageRecord {
  type: CoverageType;
  id: string;
  patient: PatientRecord;
  encounter: string;
  code: Coding;
  at: Instant;
}

export interface ClinicalModel {
  patients: PatientRecord[];
  wards: WardRecord[];
  beds: BedRecord[];
  devices: DeviceRecord[];
  encounters: EncounterRecord[];
  conditions: ConditionRecord[];
  procedures: ProcedureRecord[];
  observations: ObservationRecord[];
  /** Records of the types only the search-coverage Measure asks for (AllergyIntolerance, DiagnosticReport, Medication*, …). */
  coverage: CoverageRecord[];
}

/** A reporting period: start inclusive, end exclusive, both at midnight UTC. */
export interface ReportingPeriod {
  start: string;
  end: string;
  startMs: number;
  endMs: number;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const utc = (ms: number): Instant => ({ ms, offsetMinutes: 0 });

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2020-04-01T00:00:00Z`, or the same instant as local time with its offset (`2020-03-31T20:00:00-04:00`). */
export function formatInstant({ ms, offsetMinutes }: Instant): string {
  const local = new Date(ms + offsetMinutes * MINUTE);
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (offsetMinutes === 0) return `${date}T${time}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${date}T${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The daily periods of the window starting at `start` (YYYY-MM-DD, midnight UTC). */
export function dailyPeriods(start: string, days: number): ReportingPeriod[] {
  const first = Date.parse(`${start}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(first)) throw new Error(`start must be a date (YYYY-MM-DD), not '${start}'`);
  return Array.from({ length: days }, (_, d) => {
    const startMs = first + d * DAY;
    return { start: formatInstant(utc(startMs)), end: formatInstant(utc(startMs + DAY)), startMs, endMs: startMs + DAY };
  });
}
