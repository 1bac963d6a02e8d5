/**
 * Records placed on purpose on every day of the window, so that each filter of the Measure and each
 * boundary instant decides at least one count: an ignored status, class, value-set or date filter,
 * an inclusive end, an age computed a day off or a code matched without its system each change a
 * number (an end read as `le` by a search engine that keeps instants' precision changes the date
 * search of Encounters through the zero-length visit at the end instant). Every day also holds an emergency encounter and a preliminary result, so the two Measure
 * versions differ on every day.
 */
import type { Coding } from 'fhir/r4.js';
import { ANTIGEN_TEST, COVID_DECOY, COVID_DIAGNOSES, NEGATIVE_RESULTS, OTHER_DIAGNOSES, OXYGEN_THERAPY, POSITIVE_RESULTS, SARS_COV2_LABS, VENTILATION_PROCEDURES } from './codes.js';
import type { Ids } from './draw.js';
import { yearsBefore } from './measures.js';
import type { ClinicalModel, EncounterClass, EncounterRecord, EncounterStatus, ObservationStatus, PatientRecord, ProcedureStatus, ReportingPeriod } from './model.js';
import { DAY, HOUR, SECOND } from './model.js';
import type { SeededRandom } from './random.js';

/** Age-boundary patients per day: exactly 18, a day short of 18, exactly 65 at the period start. */
export const AGE_CASES_PER_DAY = 3;

/** Gives the first AGE_CASES_PER_DAY patients of each day their boundary birth dates. */
export function setBoundaryBirthDates(patients: PatientRecord[], periods: readonly ReportingPeriod[]): void {
  periods.forEach((period, d) => {
    const day = period.start.slice(0, 10);
    const dayAfter = new Date(Date.parse(`${yearsBefore(day, 18)}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
    [yearsBefore(day, 18), dayAfter, yearsBefore(day, 65)].forEach((birthDate, i) => {
      patients[d * AGE_CASES_PER_DAY + i]!.birthDate = birthDate;
    });
  });
}

interface Sink {
  ids: Ids;
  model: ClinicalModel;
  random: SeededRandom;
}

const covid = COVID_DIAGNOSES[0]!;
const vent = VENTILATION_PROCEDURES[0]!;
const lab = SARS_COV2_LABS[0]!;
const positive = POSITIVE_RESULTS[0]!;
const negative = NEGATIVE_RESULTS[0]!;

function encounter(sink: Sink, patient: PatientRecord, cls: EncounterClass, status: EncounterStatus, reason: Coding, startMs: number, endMs?: number, endOffset = 0): EncounterRecord {
  const beds = sink.model.beds.filter((b) => b.physicalType === 'bd');
  const record: EncounterRecord = {
    id: sink.ids.next('enc'),
    patient,
    class: cls,
    status,
    start: { ms: startMs, offsetMinutes: 0 },
    ...(endMs === undefined ? {} : { end: { ms: endMs, offsetMinutes: endOffset } }),
    reason,
    bed: beds[sink.random.int(0, beds.length - 1)]!.id,
  };
  sink.model.encounters.push(record);
  return record;
}

function procedure(sink: Sink, on: EncounterRecord, code: Coding, status: ProcedureStatus, reason: Coding, startMs: number, endMs?: number): void {
  sink.model.procedures.push({
    id: sink.ids.next('proc'),
    patient: on.patient,
    encounter: on.id,
    code,
    status,
    start: { ms: startMs, offsetMinutes: 0 },
    ...(endMs === undefined ? {} : { end: { ms: endMs, offsetMinutes: 0 } }),
    reason,
  });
}

function result(sink: Sink, patient: PatientRecord, code: Coding, status: ObservationStatus, value: Coding, ms: number, offsetMinutes = 0): void {
  sink.model.observations.push({ id: sink.ids.next('obs'), patient, code, status, effective: { ms, offsetMinutes }, value });
}

export function addBoundaryCases(sink: Sink, periods: readonly ReportingPeriod[]): void {
  const { patients } = sink.model;
  const anyPatient = () => patients[sink.random.int(0, patients.length - 1)]!;
  periods.forEach((period, d) => {
    const S = period.startMs;
    const E = period.endMs;
    for (let i = 0; i < AGE_CASES_PER_DAY; i++) encounter(sink, patients[d * AGE_CASES_PER_DAY + i]!, 'IMP', 'finished', covid, S + HOUR, S + 5 * HOUR);

    encounter(sink, anyPatient(), 'IMP', 'finished', covid, S - 2 * DAY, S); // ends at the start instant: out
    encounter(sink, anyPatient(), 'IMP', 'finished', COVID_DIAGNOSES[2]!, S - 3 * DAY, S, -240); // the same, written at -04:00: out
    encounter(sink, anyPatient(), 'IMP', 'in-progress', COVID_DIAGNOSES[1]!, E); // starts at the end instant, no end: out today
    encounter(sink, anyPatient(), 'EMER', 'finished', covid, S, S + 4 * HOUR); // emergency: v1 only
    encounter(sink, anyPatient(), 'IMP', 'finished', covid, E - SECOND, E + 2 * HOUR); // last second of the day: in
    encounter(sink, anyPatient(), 'IMP', 'finished', covid, S - DAY, S + SECOND); // ends a second in: in
    encounter(sink, anyPatient(), 'AMB', 'finished', covid, S + 2 * HOUR, S + 3 * HOUR); // ambulatory: out
    encounter(sink, anyPatient(), 'IMP', 'cancelled', covid, S + 2 * HOUR, S + 20 * HOUR); // cancelled: out
    encounter(sink, anyPatient(), 'IMP', 'finished', OTHER_DIAGNOSES[0]!, S + 2 * HOUR, S + 20 * HOUR); // not COVID: out
    encounter(sink, anyPatient(), 'IMP', 'finished', COVID_DECOY, S + 2 * HOUR, S + 20 * HOUR); // U07.1 of WHO ICD-10: out
    encounter(sink, anyPatient(), 'EMER', 'planned', covid, S + 2 * HOUR); // planned: out

    const ventilated = encounter(sink, anyPatient(), 'IMP', 'in-progress', covid, S - DAY);
    procedure(sink, ventilated, vent, 'in-progress', covid, S + HOUR); // goes on: in from today
    procedure(sink, ventilated, vent, 'completed', covid, S - DAY, S); // ended at the start instant: out
    procedure(sink, ventilated, vent, 'not-done', covid, S + HOUR, S + 3 * HOUR); // not done: out
    procedure(sink, ventilated, vent, 'completed', OTHER_DIAGNOSES[0]!, S + HOUR, S + 3 * HOUR); // not for COVID: out
    procedure(sink, ventilated, OXYGEN_THERAPY, 'completed', covid, S + HOUR, S + 3 * HOUR); // not a ventilation: out

    result(sink, anyPatient(), lab, 'final', positive, S); // at the start instant: in
    result(sink, anyPatient(), lab, 'final', positive, E - SECOND); // last second: in
    result(sink, anyPatient(), SARS_COV2_LABS[1]!, 'final', negative, E, -240); // at the end instant, written at -04:00: tomorrow
    result(sink, anyPatient(), lab, 'preliminary', positive, S + 6 * HOUR); // preliminary: v2 only
    result(sink, anyPatient(), lab, 'cancelled', positive, S + 6 * HOUR); // cancelled: out
    result(sink, anyPatient(), lab, 'entered-in-error', positive, S + 6 * HOUR); // in error: out
    result(sink, anyPatient(), ANTIGEN_TEST, 'final', positive, S + 6 * HOUR); // not in the value set: out
    encounter(sink, anyPatient(), 'IMP', 'cancelled', covid, E, E); // a visit cancelled at the end instant: dated tomorrow, not today; in no count
  });
}
