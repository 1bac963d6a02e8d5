import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Measure, MeasureReport } from 'fhir/r4.js';
import { FhirError } from '../../src/fhir/errors.js';

const dir = fileURLToPath(new URL('../../fixtures/csv/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(dir + name, 'utf8');
}

export function fixtureJson<T>(name: string): T {
  return JSON.parse(fixture(name)) as T;
}

export const bedsVents = (): Measure => fixtureJson<Measure>('measure-beds-vents.json');
export const capacity = (): Measure => fixtureJson<Measure>('measure-capacity.json');
export const acquiredCovid = (): Measure => fixtureJson<Measure>('measure-acquired-covid.json');
export const njReport = (): MeasureReport => fixtureJson<MeasureReport>('report-nj-beds-vents.json');
export const f001Report = (): MeasureReport => fixtureJson<MeasureReport>('report-f001-acquired-covid.json');

export const MV = 'http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues';
export const DAR = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** Runs `work` and returns the FhirError it fails with (the test fails when it does not). */
export async function fhirError(work: () => unknown): Promise<FhirError> {
  try {
    await work();
  } catch (err) {
    if (err instanceof FhirError) return err;
    throw err;
  }
  throw new Error('expected a FhirError');
}

export function messages(err: FhirError): string[] {
  return err.issues.map((i) => i.message);
}
