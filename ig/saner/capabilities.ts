/**
 * The SANER CapabilityStatements (all `kind = requirements`, FHIR 4.0.1). They come in pairs: an
 * actor-level statement (e.g. MeasureSource-Pull) and a transaction-level twin with the same
 * requirements (MeasureSource-QueryMeasure-Pull). The catalogue files every requirement under the
 * transaction-level twin and names the actor-level one in its source; the Aggregate statements
 * have no twin.
 */
const BASE = 'http://hl7.org/fhir/uv/saner/CapabilityStatement';

const url = (id: string): string => `${BASE}/${id}`;

export const MEASURE_SOURCE_QM_PULL = url('MeasureSource-QueryMeasure-Pull');
export const MEASURE_CONSUMER_QM_PULL = url('MeasureConsumer-QueryMeasure-Pull');
export const MEASURE_SOURCE_QM_CSV_PULL = url('MeasureSource-QueryMeasure-CSV-Pull');
export const MEASURE_CONSUMER_QM_CSV_PULL = url('MeasureConsumer-QueryMeasure-CSV-Pull');
export const MEASURE_SOURCE_PM_PUSH = url('MeasureSource-ProduceMeasure-Push');
export const MEASURE_CONSUMER_PM_PUSH = url('MeasureConsumer-ProduceMeasure-Push');
export const MEASURE_SOURCE_PM_CSV_PUSH = url('MeasureSource-ProduceMeasure-CSV-Push');
export const MEASURE_CONSUMER_PM_CSV_PUSH = url('MeasureConsumer-ProduceMeasure-CSV-Push');
export const MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA = url('MeasureSource-ProduceMeasure-SupplementalData');
export const MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA = url('MeasureConsumer-ProduceMeasure-SupplementalData');
export const MEASURE_SOURCE_AGGREGATE = url('MeasureSource-Aggregate');
export const MEASURE_CONSUMER_AGGREGATE = url('MeasureConsumer-Aggregate');
export const MEASURE_DEFINITION_SOURCE_QMD = url('MeasureDefinitionSource-QueryMeasureDefinition');
export const MEASURE_DEFINITION_CONSUMER_QMD = url('MeasureDefinitionConsumer-QueryMeasureDefinition');
export const MEASURE_COMPUTER_CM = url('MeasureComputer-ComputeMeasure');
export const DATA_SOURCE_CM = url('DataSource-ComputeMeasure');

/** Transaction-level statement URL -> the id of its actor-level twin. */
export const ACTOR_LEVEL_TWIN: Readonly<Record<string, string>> = {
  [MEASURE_SOURCE_QM_PULL]: 'MeasureSource-Pull',
  [MEASURE_CONSUMER_QM_PULL]: 'MeasureConsumer-Pull',
  [MEASURE_SOURCE_QM_CSV_PULL]: 'MeasureSource-CSV-Pull',
  [MEASURE_CONSUMER_QM_CSV_PULL]: 'MeasureConsumer-CSV-Pull',
  [MEASURE_SOURCE_PM_PUSH]: 'MeasureSource-Push',
  [MEASURE_CONSUMER_PM_PUSH]: 'MeasureConsumer-Push',
  [MEASURE_SOURCE_PM_CSV_PUSH]: 'MeasureSource-CSV-Push',
  [MEASURE_CONSUMER_PM_CSV_PUSH]: 'MeasureConsumer-CSV-Push',
  [MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA]: 'MeasureSource-SupplementalData',
  [MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA]: 'MeasureConsumer-SupplementalData',
  [MEASURE_DEFINITION_SOURCE_QMD]: 'MeasureDefinitionSource',
  [MEASURE_DEFINITION_CONSUMER_QMD]: 'MeasureDefinitionConsumer',
  [MEASURE_COMPUTER_CM]: 'MeasureComputer',
  [DATA_SOURCE_CM]: 'DataSource',
};

const TITLES: readonly (readonly [id: string, title: string])[] = [
  ['MeasureSource-Pull', 'Measure Source implementing the Pull Option'],
  ['MeasureSource-QueryMeasure-Pull', 'Measure Source implementing the Query Measure transaction with the Pull Option'],
  ['MeasureConsumer-Pull', 'Measure Consumer implementing the Pull Option'],
  ['MeasureConsumer-QueryMeasure-Pull', 'Measure Consumer implementing the Query Measure transaction with the Pull Option'],
  ['MeasureSource-Push', 'Measure Source implementing the Push Option'],
  ['MeasureSource-ProduceMeasure-Push', 'Measure Source implementing the Produce Measure transaction with the Push Option'],
  ['MeasureConsumer-Push', 'Measure Consumer implementing the Push Option'],
  ['MeasureConsumer-ProduceMeasure-Push', 'Measure Consumer implementing the Produce Measure transaction with the Push Option'],
  ['MeasureSource-SupplementalData', 'Measure Source implementing the Supplemental Data Option'],
  ['MeasureSource-ProduceMeasure-SupplementalData', 'Measure Source implementing the Produce Measure transaction with the Supplemental Data Option'],
  ['MeasureConsumer-SupplementalData', 'Measure Consumer implementing the Supplemental Data Option'],
  ['MeasureConsumer-ProduceMeasure-SupplementalData', 'Measure Consumer implementing the Produce Measure transaction with the Supplemental Data Option'],
  ['MeasureSource-CSV-Pull', 'Measure Source implementing the CSV Option and the Pull Option'],
  ['MeasureSource-QueryMeasure-CSV-Pull', 'Measure Source implementing the Query Measure transaction with the CSV Option and the Pull Option'],
  ['MeasureConsumer-CSV-Pull', 'Measure Consumer implementing the CSV Option and the Pull Option'],
  ['MeasureConsumer-QueryMeasure-CSV-Pull', 'Measure Consumer implementing the Query Measure transaction with the CSV Option and the Pull Option'],
  ['MeasureSource-CSV-Push', 'Measure Source implementing the CSV Option and the Push Option'],
  ['MeasureSource-ProduceMeasure-CSV-Push', 'Measure Source implementing the Produce Measure transaction with the CSV Option and the Push Option'],
  ['MeasureConsumer-CSV-Push', 'Measure Consumer implementing the CSV Option and the Push Option'],
  ['MeasureConsumer-ProduceMeasure-CSV-Push', 'Measure Consumer implementing the Produce Measure transaction with the CSV Option and the Push Option'],
  ['MeasureSource-Aggregate', 'Measure Source implementing the Aggregate Option'],
  ['MeasureConsumer-Aggregate', 'Measure Consumer implementing the Aggregate Option'],
  ['MeasureDefinitionSource', 'Measure Definition Source'],
  ['MeasureDefinitionSource-QueryMeasureDefinition', 'Measure Definition Source implementing the Query Measure Definition transaction'],
  ['MeasureDefinitionConsumer', 'Measure Definition Consumer'],
  ['MeasureDefinitionConsumer-QueryMeasureDefinition', 'Measure Definition Consumer implementing the Query Measure Definition transaction'],
  ['MeasureComputer', 'Measure Computer'],
  ['MeasureComputer-ComputeMeasure', 'Measure Computer implementing the Compute Measure transaction'],
  ['DataSource', 'Data Source'],
  ['DataSource-ComputeMeasure', 'Data Source implementing the Compute Measure transaction'],
];

/** Canonical URL -> title of every SANER CapabilityStatement, for the report's summary. */
/** A transaction-level statement with its actor-level twin first (D6: the two say the same), for `instantiates`. */
export function withActorLevelTwin(transactionLevel: string): string[] {
  const twin = ACTOR_LEVEL_TWIN[transactionLevel];
  return twin ? [url(twin), transactionLevel] : [transactionLevel];
}

export const capabilityTitles: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(TITLES.map(([id, title]) => [url(id), `SANER ${title}`])));

/** The id part of a SANER CapabilityStatement URL, e.g. `MeasureSource-QueryMeasure-Pull`. */
export function capabilityId(canonical: string): string {
  return canonical.slice(BASE.length + 1);
}
