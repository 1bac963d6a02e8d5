/**
 * The codes the generated data carries: the members of the bundled Compute Measure value sets
 * (fixtures/compute/valueset-*.json, the same canonicals) and near misses that a correct Measure
 * Computer must not count: the same code in another system, a test or procedure just outside the
 * value set, a negative result.
 */
import type { Coding } from 'fhir/r4.js';
import { PROJECT_CANONICAL_BASE } from '../../ig/saner/canonicals.js';

export const CANONICAL_BASE = PROJECT_CANONICAL_BASE;
export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
/** WHO ICD-10, not ICD-10-CM: the decoy that shares U07.1 with the diagnoses value set. */
export const ICD10_WHO = 'http://hl7.org/fhir/sid/icd-10';
export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
export const PHYSICAL_TYPE = 'http://terminology.hl7.org/CodeSystem/location-physical-type';
export const BED_STATUS = 'http://terminology.hl7.org/CodeSystem/v2-0116';
export const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
export const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

export const valueSetUrl = (name: string) => `${CANONICAL_BASE}/ValueSet/${name}`;

export const COVID_DIAGNOSES: readonly Coding[] = [
  { system: ICD10CM, code: 'U07.1', display: 'COVID-19' },
  { system: ICD10CM, code: 'U07.2', display: 'COVID-19, virus not identified' },
  { system: SNOMED, code: '840539006', display: 'Disease caused by severe acute respiratory syndrome coronavirus 2' },
];
export const SARS_COV2_LABS: readonly Coding[] = [
  { system: LOINC, code: '94500-6', display: 'SARS-CoV-2 (COVID-19) RNA [Presence] in Respiratory specimen by NAA with probe detection' },
  { system: LOINC, code: '94309-2', display: 'SARS-CoV-2 (COVID-19) RNA [Presence] in Specimen by NAA with probe detection' },
  { system: LOINC, code: '94531-1', display: 'SARS-CoV-2 (COVID-19) RNA panel - Respiratory specimen by NAA with probe detection' },
];
export const POSITIVE_RESULTS: readonly Coding[] = [
  { system: SNOMED, code: '10828004', display: 'Positive' },
  { system: SNOMED, code: '260373001', display: 'Detected' },
];
export const VENTILATION_PROCEDURES: readonly Coding[] = [{ system: SNOMED, code: '40617009', display: 'Artificial respiration' }];

/** Value-set name (the Library attachment id) -> its members, as the generator counts them. */
export const VALUE_SETS: Readonly<Record<string, readonly Coding[]>> = {
  SuspectedOrConfirmedCOVID19Diagnoses: COVID_DIAGNOSES,
  SARSCoV2Labs: SARS_COV2_LABS,
  PositiveResults: POSITIVE_RESULTS,
  VentilationProcedures: VENTILATION_PROCEDURES,
};

export const COVID_DECOY: Coding = { system: ICD10_WHO, code: 'U07.1', display: 'COVID-19, virus identified' };
export const OTHER_DIAGNOSES: readonly Coding[] = [
  { system: ICD10CM, code: 'J18.9', display: 'Pneumonia, unspecified organism' },
  { system: ICD10CM, code: 'I21.9', display: 'Acute myocardial infarction, unspecified' },
  { system: SNOMED, code: '195662009', display: 'Acute viral pharyngitis' },
];
export const ANTIGEN_TEST: Coding = { system: LOINC, code: '94558-4', display: 'SARS-CoV-2 (COVID-19) Ag [Presence] in Respiratory specimen by Rapid immunoassay' };
export const NEGATIVE_RESULTS: readonly Coding[] = [
  { system: SNOMED, code: '260385009', display: 'Negative' },
  { system: SNOMED, code: '260415000', display: 'Not detected' },
];
export const OXYGEN_THERAPY: Coding = { system: SNOMED, code: '371907003', display: 'Oxygen administration by nasal cannula' };
export const VENTILATOR_DEVICE: Coding = { system: SNOMED, code: '706172005', display: 'Ventilator' };

export function inValueSet(coding: Coding | undefined, members: readonly Coding[]): boolean {
  return coding !== undefined && members.some((m) => m.system === coding.system && m.code === coding.code);
}
