/** Canonical URLs of the SANER IG artefacts the Measure Source claims (profiles: ig/saner/profiles.ts). */
const SANER = 'http://hl7.org/fhir/uv/saner';

export const MEASURE_SOURCE_QUERY_MEASURE_PULL = `${SANER}/CapabilityStatement/MeasureSource-QueryMeasure-Pull`;
export const MEASURE_SOURCE_QUERY_MEASURE_CSV_PULL = `${SANER}/CapabilityStatement/MeasureSource-QueryMeasure-CSV-Pull`;

export const READ_CSV_OPERATION = `${SANER}/OperationDefinition/MeasureReport-read-csv`;
export const SEARCH_CSV_OPERATION = `${SANER}/OperationDefinition/MeasureReport-search-csv`;

export const SEARCH_PARAMETER_CODE = `${SANER}/SearchParameter/SearchParameter-code`;
export const SEARCH_PARAMETER_DEFINITION_TEXT = `${SANER}/SearchParameter/SearchParameter-definition-text`;

/** The IG's value set of every population code (D15: the value `code:in` is tested with). */
export const MEASURE_POPULATIONS_VALUE_SET = `${SANER}/ValueSet/MeasurePopulations`;
