/**
 * The Measure ComputeUnevaluable (fixtures/compute): one group holding a population the Data
 * Source answers (ambulatory encounters, a search-coverage query counted on the model) and one it
 * cannot (Immunization, a type it does not serve), which a Measure Computer reports as an
 * evaluation error rather than a number (SANER-CM-PG-006). It is a Measure of its own so that a
 * computer giving up the whole Measure over the failing population loses only this one.
 */
import { CANONICAL_BASE } from './codes.js';
import { coverageCount, coveragePopulation, QUERIED_PATIENT } from './coverage.js';
import type { ExpectedGroup } from './expected.js';
import type { ClinicalModel, ReportingPeriod } from './model.js';

export const UNEVALUABLE_MEASURE_ID = 'ComputeUnevaluable';
export const UNEVALUABLE_MEASURE_URL = `${CANONICAL_BASE}/Measure/${UNEVALUABLE_MEASURE_ID}`;
export const UNEVALUABLE_MEASURE_VERSION = '1.0.0';

/** The Measure's only group. */
export const PARTLY_EVALUABLE_GROUP = 'PartlyEvaluable';

/** The population the Data Source answers. */
export const EVALUABLE = coveragePopulation('Encounter', 'class');

/** The population on a type the Data Source does not serve, so it cannot be evaluated. */
export const UNEVALUABLE = { code: 'Immunization-patient', expression: `Immunization?patient=Patient/${QUERIED_PATIENT}` } as const;

/** The Measure's expected group for a period: the evaluable population's count; the unevaluable one has none. */
export function unevaluableGroups(model: ClinicalModel, period: ReportingPeriod): ExpectedGroup[] {
  return [{ code: PARTLY_EVALUABLE_GROUP, populations: { [EVALUABLE.code]: coverageCount(model, EVALUABLE.type, EVALUABLE.parameter, period) }, stratifiers: [] }];
}
