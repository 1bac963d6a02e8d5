/**
 * Random clinical data for the model: the facility's wards, beds and ventilators, patients, and
 * their encounters, diagnoses, ventilations and SARS-CoV-2 results around the reporting window,
 * mixing what the Measure counts with what it must not (other classes and statuses, other
 * diagnoses, other tests, negative results, times outside the window).
 */
import type { Coding } from 'fhir/r4.js';
import { ANTIGEN_TEST, COVID_DECOY, COVID_DIAGNOSES, NEGATIVE_RESULTS, OTHER_DIAGNOSES, OXYGEN_THERAPY, POSITIVE_RESULTS, SARS_COV2_LABS, VENTILATION_PROCEDURES } from './codes.js';
import type {
  BedOperationalStatus,
  BedRecord,
  ClinicalModel,
  DeviceRecord,
  EncounterClass,
  EncounterRecord,
  EncounterStatus,
  Gender,
  Instant,
  LocationStatus,
  ObservationStatus,
  PatientRecord,
  ProcedureStatus,
  WardRecord,
} from './model.js';
import { DAY, HOUR, MINUTE, SECOND } from './model.js';
import type { SeededRandom } from './random.js';

/** Sequential ids per kind (`enc-000042`), so a seed fixes the ids too. */
export class Ids {
  private readonly counters = new Map<string, number>();

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${String(n).padStart(6, '0')}`;
  }
}

/** The window the data is drawn around: its first midnight and its end, in epoch ms. */
export interface Window {
  startMs: number;
  endMs: number;
}

const pick = <T>(random: SeededRandom, list: readonly T[]): T => list[random.int(0, list.length - 1)]!;
/** Whole seconds, so every instant is written exactly. */
const at = (ms: number, offsetMinutes = 0): Instant => ({ ms: Math.floor(ms / SECOND) * SECOND, offsetMinutes });
/** Most times in UTC, some with the offsets of a US facility, which the engine must normalise. */
const someOffset = (random: SeededRandom) =>
  random.weighted<number>([
    [0, 6],
    [-240, 2],
    [-300, 1],
    [60, 1],
  ]);

export function drawFacility(random: SeededRandom, ids: Ids, patients: number): Pick<ClinicalModel, 'wards' | 'beds' | 'devices'> {
  const bedCount = Math.max(30, Math.ceil(patients / 20));
  const wardCount = Math.max(3, Math.ceil(bedCount / 30));
  const wards: WardRecord[] = Array.from({ length: wardCount }, (_, i) => {
    const icu = i % 3 === 0;
    return { id: ids.next('ward'), name: `${icu ? 'Intensive care' : 'Medical'} ward ${i + 1}`, icu };
  });
  const beds: BedRecord[] = [];
  for (let i = 0; i < bedCount; i++) {
    const status = random.weighted<LocationStatus>([
      ['active', 90],
      ['suspended', 5],
      ['inactive', 5],
    ]);
    const operationalStatus = random.weighted<BedOperationalStatus | undefined>([
      ['O', 60],
      ['U', 28],
      ['C', 4],
      ['H', 3],
      ['K', 2],
      [undefined, 3],
    ]);
    beds.push({ id: ids.next('bed'), ward: wards[i % wardCount]!.id, physicalType: 'bd', status, ...(operationalStatus ? { operationalStatus } : {}) });
  }
  // Occupied, active rooms: counted by a query that forgets physical-type=bd.
  for (const ward of wards) beds.push({ id: ids.next('room'), ward: ward.id, physicalType: 'ro', status: 'active', operationalStatus: 'O' });
  const devices: DeviceRecord[] = Array.from({ length: Math.max(3, Math.ceil(bedCount / 10)) }, (_, i) => ({
    id: ids.next('vent'),
    ward: wards.filter((w) => w.icu)[i % wards.filter((w) => w.icu).length]!.id,
  }));
  return { wards, beds, devices };
}

export function drawPatient(random: SeededRandom, ids: Ids, window: Window): PatientRecord {
  const gender = random.weighted<Gender>([
    ['female', 48],
    ['male', 48],
    ['other', 2],
    ['unknown', 2],
  ]);
  const ageDays = random.weighted<[number, number]>([
    [[0, 18 * 365], 15],
    [[18 * 365, 65 * 365], 55],
    [[65 * 365, 100 * 365], 30],
  ]);
  const born = new Date(window.startMs - random.int(ageDays[0], ageDays[1]) * DAY);
  return { id: ids.next('pat'), gender, birthDate: born.toISOString().slice(0, 10) };
}

const DURATION: Readonly<Record<EncounterClass, [number, number]>> = {
  IMP: [1 * DAY, 10 * DAY],
  EMER: [2 * HOUR, 16 * HOUR],
  AMB: [20 * MINUTE, 2 * HOUR],
};

function drawReason(random: SeededRandom): Coding {
  return random.weighted<Coding>([
    [COVID_DIAGNOSES[0]!, 30],
    [COVID_DIAGNOSES[1]!, 12],
    [COVID_DIAGNOSES[2]!, 18],
    [COVID_DECOY, 5],
    [pick(random, OTHER_DIAGNOSES), 35],
  ]);
}

export function drawEncounter(random: SeededRandom, ids: Ids, window: Window, patient: PatientRecord, beds: readonly BedRecord[]): EncounterRecord {
  const cls = random.weighted<EncounterClass>([
    ['IMP', 45],
    ['EMER', 35],
    ['AMB', 20],
  ]);
  const status = random.weighted<EncounterStatus>([
    ['finished', 55],
    ['in-progress', 30],
    ['planned', 8],
    ['cancelled', 7],
  ]);
  const startMs = random.int(window.startMs - 6 * DAY, window.endMs + DAY);
  const [min, max] = DURATION[cls];
  const endMs = startMs + random.int(min, max);
  const open = status === 'in-progress' ? random.chance(0.7) : status === 'planned';
  const offset = someOffset(random);
  return {
    id: ids.next('enc'),
    patient,
    class: cls,
    status,
    start: at(startMs, offset),
    ...(open ? {} : { end: at(endMs, offset) }),
    reason: drawReason(random),
    bed: pick(random, beds).id,
  };
}

export function drawVentilation(random: SeededRandom, ids: Ids, encounter: EncounterRecord): ClinicalModel['procedures'][number] {
  const status = random.weighted<ProcedureStatus>([
    ['completed', 50],
    ['in-progress', 35],
    ['not-done', 7],
    ['entered-in-error', 4],
    ['preparation', 4],
  ]);
  const startMs = encounter.start.ms + random.int(0, 2 * DAY);
  const open = status === 'in-progress' && random.chance(0.6);
  return {
    id: ids.next('proc'),
    patient: encounter.patient,
    encounter: encounter.id,
    code: random.chance(0.9) ? VENTILATION_PROCEDURES[0]! : OXYGEN_THERAPY,
    status,
    start: at(startMs, encounter.start.offsetMinutes),
    ...(open ? {} : { end: at(startMs + random.int(6 * HOUR, 6 * DAY), encounter.start.offsetMinutes) }),
    reason: random.chance(0.9) ? encounter.reason : pick(random, OTHER_DIAGNOSES),
  };
}

export function drawLabResult(random: SeededRandom, ids: Ids, window: Window, patient: PatientRecord, encounter?: EncounterRecord): ClinicalModel['observations'][number] {
  const code = random.weighted<Coding>([
    [SARS_COV2_LABS[0]!, 50],
    [SARS_COV2_LABS[1]!, 25],
    [SARS_COV2_LABS[2]!, 15],
    [ANTIGEN_TEST, 10],
  ]);
  const status = random.weighted<ObservationStatus>([
    ['final', 70],
    ['amended', 5],
    ['corrected', 5],
    ['preliminary', 10],
    ['cancelled', 5],
    ['entered-in-error', 5],
  ]);
  const value = random.weighted<Coding>([
    [POSITIVE_RESULTS[0]!, 25],
    [POSITIVE_RESULTS[1]!, 10],
    [NEGATIVE_RESULTS[0]!, 45],
    [NEGATIVE_RESULTS[1]!, 20],
  ]);
  return {
    id: ids.next('obs'),
    patient,
    ...(encounter ? { encounter: encounter.id } : {}),
    code,
    status,
    effective: at(random.int(window.startMs - 2 * DAY, window.endMs + DAY), someOffset(random)),
    value,
  };
}
