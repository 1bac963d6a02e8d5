/**
 * The deterministic clinical data set of the Data Source: `generateDataSet({ seed, patients, start,
 * days })` draws a facility's beds, patients and their encounters, ventilations and SARS-CoV-2
 * results around a window of daily reporting periods, adds the boundary cases of
 * boundary-cases.ts and the records the search-coverage Measure queries (coverage.ts), and counts
 * from its own model what each version of ComputeCovidImpact, ComputeSearchCoverage and
 * ComputeUnevaluable reports for each day (`expected`, see expected.ts). The same options give
 * the same resources and results; another seed gives other ones.
 */
import type { Resource } from 'fhir/r4.js';
import { addBoundaryCases, AGE_CASES_PER_DAY, setBoundaryBirthDates } from './boundary-cases.js';
import { addCoverageRecords } from './coverage.js';
import { drawEncounter, drawFacility, drawLabResult, drawPatient, drawVentilation, Ids } from './draw.js';
import { expectedResults, type ExpectedResults } from './expected.js';
import type { ClinicalModel, ReportingPeriod } from './model.js';
import { dailyPeriods } from './model.js';
import { COVID_DIAGNOSES, inValueSet } from './codes.js';
import { SeededRandom } from './random.js';
import { modelResources } from './resources.js';

export type { ExpectedGroup, ExpectedMeasureResult, ExpectedResults, ExpectedStratifier } from './expected.js';

export const DEFAULT_SEED = 1;
/** Small enough for tests to load and search in well under a second. */
export const DEFAULT_PATIENTS = 200;
/** The large data set (`--patients 100000`). */
export const LARGE_PATIENTS = 100_000;
export const DEFAULT_START = '2020-04-01';
export const DEFAULT_DAYS = 7;

export interface DataSetOptions {
  seed?: number;
  patients?: number;
  /** First day of the window, YYYY-MM-DD (midnight UTC). */
  start?: string;
  days?: number;
}

export interface DataSet {
  /** Locations (wards, beds), Devices, Patients, Encounters, Conditions, Procedures, Observations, and the coverage types. */
  resources: Resource[];
  expected: ExpectedResults;
  model: ClinicalModel;
  periods: ReportingPeriod[];
}

/** How often generation reports progress, in patients. */
const PROGRESS_EVERY = 1000;

export function generateDataSet(options: DataSetOptions = {}, onProgress?: (done: number, total: number) => void): DataSet {
  const seed = options.seed ?? DEFAULT_SEED;
  const patientCount = options.patients ?? DEFAULT_PATIENTS;
  const days = options.days ?? DEFAULT_DAYS;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, not ${seed}`);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error(`days must be an integer from 1 to 366, not ${days}`);
  const least = AGE_CASES_PER_DAY * days;
  if (!Number.isInteger(patientCount) || patientCount < least) throw new Error(`patients must be an integer of at least ${least} for ${days} day(s), not ${patientCount}`);
  const periods = dailyPeriods(options.start ?? DEFAULT_START, days);
  const window = { startMs: periods[0]!.startMs, endMs: periods[periods.length - 1]!.endMs };

  const random = new SeededRandom(seed);
  const ids = new Ids();
  const model: ClinicalModel = { ...drawFacility(random, ids, patientCount), patients: [], encounters: [], conditions: [], procedures: [], observations: [], coverage: [] };
  const beds = model.beds.filter((b) => b.physicalType === 'bd');
  for (let i = 0; i < patientCount; i++) model.patients.push(drawPatient(random, ids, window));
  setBoundaryBirthDates(model.patients, periods);

  for (const [n, patient] of model.patients.entries()) {
    if (onProgress && n % PROGRESS_EVERY === 0) onProgress(n, patientCount);
    const encounters = Array.from(
      {
        length: random.weighted([
          [0, 60],
          [1, 30],
          [2, 10],
        ]),
      },
      () => drawEncounter(random, ids, window, patient, beds),
    );
    for (const encounter of encounters) {
      model.encounters.push(encounter);
      if (random.chance(0.8)) {
        model.conditions.push({
          id: ids.next('cond'),
          patient,
          encounter: encounter.id,
          code: encounter.reason,
          onset: encounter.start,
          verification: random.chance(0.8) ? 'confirmed' : 'provisional',
        });
      }
      const ventilated = encounter.class === 'IMP' && random.chance(inValueSet(encounter.reason, COVID_DIAGNOSES) ? 0.3 : 0.05);
      if (ventilated) model.procedures.push(drawVentilation(random, ids, encounter));
    }
    const labs = random.weighted([
      [0, 55],
      [1, 35],
      [2, 10],
    ]);
    for (let i = 0; i < labs; i++) model.observations.push(drawLabResult(random, ids, window, patient, random.chance(0.5) ? encounters[0] : undefined));
  }
  // Ventilators in use follow ventilated patients, so a Device search finds patient links.
  model.devices.forEach((device, i) => {
    const on = model.procedures[i];
    if (on && i % 2 === 0) device.patient = on.patient.id;
  });
  addBoundaryCases({ ids, model, random }, periods);
  addCoverageRecords({ ids, model }, periods);

  return { resources: modelResources(model), expected: expectedResults(model, periods, seed), model, periods };
}
