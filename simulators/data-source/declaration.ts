/**
 * What the Data Source serves: search-type (GET and POST _search) and read on the resource types
 * of SANER-CM-DS-*, with the R4 parameters among those the rows name that exist in R4 (§7 D8: the
 * others are N/A) and the ones the bundled Measure's queries use; Locations, Devices and the
 * facility's Organization; and ValueSet, Library and Measure by url, so `:in` resolves against
 * the stored value sets. The value-set modifiers are declared only when the server answers them.
 */
import type { ResourceDeclaration, ServerDeclaration } from '../../src/fhir/server/index.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';
import type { SearchParamDef } from '../../src/fhir/search/search-param-def.js';
import { DATA_SOURCE_CM } from '../../ig/saner/capabilities.js';
import { CANONICAL_BASE } from './codes.js';
import { dataSourceFaults, type DataSourceFault } from './faults.js';

/** The resource types of SANER-CM-DS-* (DataSource-ComputeMeasure), in the order of its rows. */
export const COMPUTE_MEASURE_TYPES = [
  'Patient',
  'Encounter',
  'AllergyIntolerance',
  'Condition',
  'DiagnosticReport',
  'MedicationRequest',
  'Observation',
  'Procedure',
  'ServiceRequest',
  'DocumentReference',
  'FamilyMemberHistory',
  'MedicationAdministration',
  'MedicationDispense',
  'MedicationStatement',
];

/**
 * R4 has no Location physical-type parameter (R5 added one); the bundled Measure counts beds with
 * it, so the Data Source defines it, under the project's canonical.
 */
const LOCATION_PHYSICAL_TYPE: SearchParamDef = { name: 'physical-type', type: 'token', base: ['Location'], expression: 'Location.physicalType' };
const LOCATION_PHYSICAL_TYPE_URL = `${CANONICAL_BASE}/SearchParameter/Location-physical-type`;

/** Parameters wanted per type; only those with a definition are declared (SANER-CM-DS rows name some R4 lacks). */
const WANTED: Readonly<Record<string, readonly string[]>> = {
  Patient: ['_id', '_lastUpdated', 'identifier', 'gender', 'birthdate', 'organization', 'date', 'class'],
  Encounter: ['_id', '_lastUpdated', 'patient', 'subject', 'encounter', 'code', 'date', 'class', 'status', 'reason-code', 'location', 'type', 'service-provider'],
  Observation: ['_id', '_lastUpdated', 'patient', 'subject', 'encounter', 'code', 'date', 'status', 'category', 'value-concept'],
  Procedure: ['_id', '_lastUpdated', 'patient', 'subject', 'encounter', 'code', 'date', 'status', 'reason-code'],
  Condition: ['_id', '_lastUpdated', 'patient', 'subject', 'encounter', 'code', 'clinical-status', 'verification-status', 'category', 'onset-date'],
  Location: ['_id', 'name', 'identifier', 'status', 'operational-status', 'physical-type', 'partof', 'type', 'organization'],
  Device: ['_id', 'type', 'location', 'patient', 'status', 'organization'],
  Organization: ['_id', 'name', 'identifier'],
  ValueSet: ['_id', 'url', 'version'],
  Library: ['_id', 'url', 'version'],
  Measure: ['_id', 'url', 'version'],
};
const CM_DEFAULT = ['_id', '_lastUpdated', 'patient', 'subject', 'encounter', 'code', 'date', 'status'];
/** Token parameters whose values come from the value sets a Measure names. */
const CODED = new Set(['code', 'reason-code', 'value-concept', 'class', 'type', 'category']);
/** `Type:param` includes offered: the references a Measure Computer follows to the patient and place. */
const INCLUDED = new Set(['patient', 'subject', 'encounter', 'location', 'partof']);

const ALL_TYPES = [...COMPUTE_MEASURE_TYPES, 'Location', 'Device', 'Organization', 'ValueSet', 'Library', 'Measure'];
const DEFINITIONS: readonly SearchParamDef[] = [...sanerSearchParamsFor(ALL_TYPES), LOCATION_PHYSICAL_TYPE];

function defined(type: string, name: string): SearchParamDef | undefined {
  return DEFINITIONS.find((d) => d.name === name && (d.base.includes(type) || d.base.includes('Resource')));
}

function resourceDeclaration(type: string, inModifier: boolean): ResourceDeclaration {
  const names = (WANTED[type] ?? CM_DEFAULT).filter((n) => defined(type, n));
  const modifiers = inModifier ? names.filter((n) => CODED.has(n) && defined(type, n)?.type === 'token').flatMap((n) => [`${n}:in`, `${n}:not-in`]) : [];
  const includes = names.filter((n) => INCLUDED.has(n) && defined(type, n)?.type === 'reference').map((n) => `${type}:${n}`);
  return {
    type,
    interactions: ['read', 'search-type'],
    searchParams: [...names, ...modifiers],
    ...(includes.length ? { searchInclude: [...includes, '*'] } : {}),
  };
}

/** Definitions of the parameters served and no others: each one costs index rows on every load. */
function servedDefinitions(resources: readonly ResourceDeclaration[]): SearchParamDef[] {
  return DEFINITIONS.filter((d) => resources.some((r) => r.searchParams.includes(d.name) && d.base.some((b) => b === r.type || b === 'Resource')));
}

export function dataSourceDeclaration(options: { inModifier: boolean }): ServerDeclaration<DataSourceFault> {
  const resources = ALL_TYPES.map((type) => resourceDeclaration(type, options.inModifier));
  return {
    name: options.inModifier ? 'DataSourceSimulator' : 'DataSourceSimulatorWithoutIn',
    title: `measure-conformance reference Data Source${options.inModifier ? '' : ' (no :in modifier)'}`,
    canonicalBase: 'urn:measure-conformance',
    fhirVersion: '4.0.1',
    instantiates: [DATA_SOURCE_CM],
    resources,
    searchParamDefs: servedDefinitions(resources),
    searchParamUrls: { 'Location.physical-type': LOCATION_PHYSICAL_TYPE_URL },
    operations: [],
    // Read-only: nothing is written through the API, and the generated data is checked by tests.
    validateOnWrite: { base: true, profiles: false },
    faults: dataSourceFaults,
  };
}
