/** Canonical URLs of the SANER IG's operations, search parameters and value sets, in one place. */
const SANER = 'http://hl7.org/fhir/uv/saner';

export const READ_CSV_OPERATION = `${SANER}/OperationDefinition/MeasureReport-read-csv`;
export const SEARCH_CSV_OPERATION = `${SANER}/OperationDefinition/MeasureReport-search-csv`;
export const REPORT_CSV_OPERATION = `${SANER}/OperationDefinition/Measure-report-csv`;
export const AGGREGATE_OPERATION = `${SANER}/OperationDefinition/MeasureReport-aggregate`;
export const EVALUATE_MEASURE_OPERATION = `${SANER}/OperationDefinition/Measure-evaluate-measure`;

export const SEARCH_PARAMETER_CODE = `${SANER}/SearchParameter/SearchParameter-code`;
export const SEARCH_PARAMETER_DEFINITION_TEXT = `${SANER}/SearchParameter/SearchParameter-definition-text`;

/** The IG's value set of every population code (D15: the value `code:in` is tested with). */
export const MEASURE_POPULATIONS_VALUE_SET = `${SANER}/ValueSet/MeasurePopulations`;
