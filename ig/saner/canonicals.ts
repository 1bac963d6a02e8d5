/**
 * Canonical URLs of the SANER IG's operations, search parameters, value sets and the extension a
 * Measure Computer reports evaluation errors with, in one place; and the canonical of the project's
 * own computable Measure, which the Data Source's generator, the reference Measure Computer and the
 * Compute Measure suite must agree on.
 */
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

/**
 * R5's MeasureReport.error (Reference(OperationOutcome)) carried into R4 as a cross-version
 * extension: one way a Measure Computer reports an evaluation error (SANER-CM-PG-006).
 */
export const EVALUATION_ERROR_EXTENSION = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-MeasureReport.error';

/** Canonical base of the project's own Compute Measure content (fixtures/compute): Measures, value sets, code systems. */
export const PROJECT_CANONICAL_BASE = 'http://measure-conformance.example.org/fhir';

/** The project's computable Measure ComputeCovidImpact (fixtures/compute), in every version. */
export const COMPUTE_MEASURE_URL = `${PROJECT_CANONICAL_BASE}/Measure/ComputeCovidImpact`;
