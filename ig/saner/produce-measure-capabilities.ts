/**
 * Produce Measure (transaction-2, PUSH-TX) CapabilityStatement rows: Measure Source (client) and
 * Measure Consumer (server) with the Push, Supplemental Data and CSV Options, and the two Aggregate
 * Option statements. The supportedProfile of the actor-level twins applies to the transaction-level
 * ones too (digest §7 D6). The Aggregate statements list $aggregate without an expectation and no
 * page gives one, so only their profile claims are requirements.
 */
import { NO_CS_LEVEL, PROFILE_CLAIM, type CapabilityTable } from './capability-rows.js';
import {
  MEASURE_CONSUMER_AGGREGATE,
  MEASURE_CONSUMER_PM_CSV_PUSH,
  MEASURE_CONSUMER_PM_PUSH,
  MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
  MEASURE_SOURCE_AGGREGATE,
  MEASURE_SOURCE_PM_CSV_PUSH,
  MEASURE_SOURCE_PM_PUSH,
  MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
} from './capabilities.js';

const NO_CS_LEVEL_CSV_PUSH = `${NO_CS_LEVEL} the transaction-2 page makes it the way reports travel with the CSV and Push Options.`;

export const measureSourceProduceMeasure: CapabilityTable = {
  prefix: 'SANER-PM-SRC',
  actor: 'Measure Source',
  mode: 'client',
  capability: MEASURE_SOURCE_PM_PUSH,
  rows: [
    [1, 'MeasureReport', 'supportedProfile', 'PublicHealthMeasureReport', 'SHALL', PROFILE_CLAIM],
    [2, 'MeasureReport', 'interaction', 'create', 'SHALL'],
    [3, 'MeasureReport', 'interaction', 'update', 'SHALL'],
  ],
};

export const measureConsumerProduceMeasure: CapabilityTable = {
  prefix: 'SANER-PM-CON',
  actor: 'Measure Consumer',
  mode: 'server',
  capability: MEASURE_CONSUMER_PM_PUSH,
  rows: [
    [1, 'MeasureReport', 'supportedProfile', 'PublicHealthMeasureReport', 'SHALL', PROFILE_CLAIM],
    [2, 'MeasureReport', 'interaction', 'create', 'SHALL'],
    [3, 'MeasureReport', 'interaction', 'update', 'SHALL'],
  ],
};

export const measureSourceSupplementalData: CapabilityTable = {
  prefix: 'SANER-SD-SRC',
  actor: 'Measure Source',
  mode: 'client',
  capability: MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
  rows: [[1, 'system', 'interaction', 'batch', 'SHALL']],
};

export const measureConsumerSupplementalData: CapabilityTable = {
  prefix: 'SANER-SD-CON',
  actor: 'Measure Consumer',
  mode: 'server',
  capability: MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
  rows: [[1, 'system', 'interaction', 'batch', 'SHALL']],
};

export const measureSourceCsvPush: CapabilityTable = {
  prefix: 'SANER-CSVPUSH-SRC',
  actor: 'Measure Source',
  mode: 'client',
  capability: MEASURE_SOURCE_PM_CSV_PUSH,
  rows: [
    [1, 'Measure', 'supportedProfile', 'PublicHealthMeasure', 'SHALL', PROFILE_CLAIM],
    [2, 'Measure', 'operation', '$report-csv', 'SHALL', NO_CS_LEVEL_CSV_PUSH],
  ],
};

export const measureConsumerCsvPush: CapabilityTable = {
  prefix: 'SANER-CSVPUSH-CON',
  actor: 'Measure Consumer',
  mode: 'server',
  capability: MEASURE_CONSUMER_PM_CSV_PUSH,
  rows: [
    [1, 'Measure', 'supportedProfile', 'PublicHealthMeasure', 'SHALL', PROFILE_CLAIM],
    [2, 'Measure', 'operation', '$report-csv', 'SHALL', NO_CS_LEVEL_CSV_PUSH],
  ],
};

export const measureSourceAggregate: CapabilityTable = {
  prefix: 'SANER-AGG-SRC',
  actor: 'Measure Source',
  mode: 'client',
  capability: MEASURE_SOURCE_AGGREGATE,
  rows: [[1, 'MeasureReport', 'supportedProfile', 'PublicHealthMeasureReport', 'SHALL', PROFILE_CLAIM]],
};

export const measureConsumerAggregate: CapabilityTable = {
  prefix: 'SANER-AGG-CON',
  actor: 'Measure Consumer',
  mode: 'server',
  capability: MEASURE_CONSUMER_AGGREGATE,
  rows: [[1, 'MeasureReport', 'supportedProfile', 'PublicHealthMeasureReport', 'SHALL', PROFILE_CLAIM]],
};
