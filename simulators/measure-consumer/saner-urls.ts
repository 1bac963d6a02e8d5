/** Canonical URLs of the SANER artefacts the Measure Consumer claims (its profiles come from ig/saner/profiles.ts). */
const SANER = 'http://hl7.org/fhir/uv/saner';

export const REPORT_CSV_OPERATION = `${SANER}/OperationDefinition/Measure-report-csv`;

/** Both twins of each statement (D6: the actor-level and the transaction-level one say the same). */
export const MEASURE_CONSUMER_CAPABILITIES = [
  'MeasureConsumer-Push',
  'MeasureConsumer-ProduceMeasure-Push',
  'MeasureConsumer-CSV-Push',
  'MeasureConsumer-ProduceMeasure-CSV-Push',
  'MeasureConsumer-SupplementalData',
  'MeasureConsumer-ProduceMeasure-SupplementalData',
].map((id) => `${SANER}/CapabilityStatement/${id}`);
