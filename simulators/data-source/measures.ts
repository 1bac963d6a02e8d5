/**
 * The bundled ComputeCovidImpact Measure versions as the generator reads them: which records each
 * population counts in a reporting period, decided on the model with the same rules the project's
 * search engine applies to the FHIR queries of fixtures/compute (see periodMatches), so the
 * expected counts are computed without querying anything.
 */
import { COVID_DIAGNOSES, inValueSet, POSITIVE_RESULTS, SARS_COV2_LABS, VENTILATION_PROCEDURES } from './codes.js';
import type { ClinicalModel, EncounterClass, Instant, ObservationStatus, PatientRecord, ReportingPeriod } from './model.js';
import { SECOND } from './model.js';

/** What changes between the versions of the Measure. */
export interface MeasureVersion {
  version: string;
  /** Encounter classes numC19Pats counts. */
  encounterClasses: readonly EncounterClass[];
  /** Observation statuses the lab results group counts. */
  labStatuses: readonly ObservationStatus[];
}

export const MEASURE_VERSIONS: readonly MeasureVersion[] = [
  { version: '1.0.0', encounterClasses: ['IMP', 'EMER'], labStatuses: ['final', 'amended', 'corrected'] },
  { version: '2.0.0', encounterClasses: ['IMP'], labStatuses: ['final', 'amended', 'corrected', 'preliminary'] },
];

/** A population member: the resource the query matches, and the patient its stratifiers look at. */
export interface Member {
  resourceType: string;
  id: string;
  patient?: PatientRecord;
}

/** Group code -> population code -> its members, in the order of the Measure. */
export type GroupMembers = ReadonlyArray<{ code: string; populations: ReadonlyArray<{ code: string; members: Member[] }> }>;

/**
 * `date=ge<start>&date=lt<end>` on a Period with second-precision bounds, as the search engine
 * decides it: the Period covers [start, end + 1 s) (an end is a whole second), `lt` asks that it
 * begins before the end instant, and `ge` that it reaches past the start instant's second, or
 * lies wholly inside it. So a Period ending exactly at the period start is out, one starting
 * exactly at the period end is out, and one without an end is still going.
 */
export function periodMatches(start: Instant, end: Instant | undefined, period: ReportingPeriod): boolean {
  if (start.ms >= period.endMs) return false;
  if (end === undefined) return true;
  const high = end.ms + SECOND;
  const queryHigh = period.startMs + SECOND;
  return high > queryHigh || (start.ms >= period.startMs && high <= queryHigh);
}

/** The same for a dateTime to the second: inside [start, end). */
export function instantMatches(at: Instant, period: ReportingPeriod): boolean {
  return at.ms >= period.startMs && at.ms < period.endMs;
}

const ACTIVE_ENCOUNTER = new Set(['in-progress', 'finished']);
const COUNTED_PROCEDURE = new Set(['in-progress', 'completed']);

export function populationMembers(model: ClinicalModel, version: MeasureVersion, period: ReportingPeriod): GroupMembers {
  const classes = new Set<string>(version.encounterClasses);
  const labStatuses = new Set<string>(version.labStatuses);
  const c19Encounters = model.encounters.filter((e) => ACTIVE_ENCOUNTER.has(e.status) && classes.has(e.class) && periodMatches(e.start, e.end, period) && inValueSet(e.reason, COVID_DIAGNOSES));
  const ventilations = model.procedures.filter(
    (p) => inValueSet(p.code, VENTILATION_PROCEDURES) && COUNTED_PROCEDURE.has(p.status) && periodMatches(p.start, p.end, period) && inValueSet(p.reason, COVID_DIAGNOSES),
  );
  const activeBeds = model.beds.filter((b) => b.physicalType === 'bd' && b.status === 'active');
  const results = model.observations.filter((o) => inValueSet(o.code, SARS_COV2_LABS) && labStatuses.has(o.status) && instantMatches(o.effective, period));
  return [
    {
      code: 'Encounters',
      populations: [
        { code: 'numC19Pats', members: c19Encounters.map((e) => ({ resourceType: 'Encounter', id: e.id, patient: e.patient })) },
        { code: 'numC19VentPats', members: ventilations.map((p) => ({ resourceType: 'Procedure', id: p.id, patient: p.patient })) },
      ],
    },
    {
      code: 'Beds',
      populations: [
        { code: 'numTotBeds', members: activeBeds.map((b) => ({ resourceType: 'Location', id: b.id })) },
        { code: 'numTotBedsOcc', members: activeBeds.filter((b) => b.operationalStatus === 'O').map((b) => ({ resourceType: 'Location', id: b.id })) },
      ],
    },
    {
      code: 'LabResults',
      populations: [
        { code: 'totalTestResults', members: results.map((o) => ({ resourceType: 'Observation', id: o.id, patient: o.patient })) },
        {
          code: 'positive',
          members: results.filter((o) => inValueSet(o.value, POSITIVE_RESULTS)).map((o) => ({ resourceType: 'Observation', id: o.id, patient: o.patient })),
        },
      ],
    },
  ];
}

/** `date` minus whole years, the day clamped to the month's last (2020-02-29 - 1 year = 2019-02-28). */
export function yearsBefore(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const year = y - years;
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The "By Age Group" stratum: the age at the period start, under 18, 18 to 64, 65 and over. */
export function ageGroup(birthDate: string, period: ReportingPeriod): string {
  const day = period.start.slice(0, 10);
  if (birthDate > yearsBefore(day, 18)) return 'P0Y--P18Y';
  if (birthDate > yearsBefore(day, 65)) return 'P18Y--P65Y';
  return 'P65Y--P9999Y';
}

/** Stratifiers by group code: the stratifier code text and the stratum of a member's patient. */
export const STRATIFIERS: Readonly<Record<string, ReadonlyArray<{ code: string; value(patient: PatientRecord, period: ReportingPeriod): string }>>> = {
  Encounters: [
    { code: 'By Gender', value: (p) => p.gender },
    { code: 'By Age Group', value: (p, period) => ageGroup(p.birthDate, period) },
  ],
};
