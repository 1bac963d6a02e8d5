/**
 * The SANER requirement catalogue (HL7 SANER IG, FHIR R4), in the project's words, from the
 * CapabilityStatements, OperationDefinitions, transaction pages and actors.md. Ids are the spec
 * digest's; a page row that binds both roles keeps its id for the server and adds the client's
 * role (`-CON`, or `-SRC` where the Measure Source is the client) for the client.
 */
import { defineRequirements, type Requirement } from '../requirement.js';
import { MEASURE_DEFINITION_CONSUMER_QMD, MEASURE_DEFINITION_SOURCE_QMD } from './capabilities.js';
import { measureConsumerActorRequirements, measureSourceActorRequirements, otherActorRequirements } from './actors.js';
import { capabilityRequirements } from './capability-rows.js';
import { computeMeasureRequirements } from './compute-measure-capabilities.js';
import { computeMeasurePageRequirements } from './compute-measure-page.js';
import { measureDefinitionConsumer, measureDefinitionSource } from './measure-definition-capabilities.js';
import { measureDefinitionPageRequirements } from './measure-definition-page.js';
import {
  measureConsumerAggregate,
  measureConsumerCsvPush,
  measureConsumerProduceMeasure,
  measureConsumerSupplementalData,
  measureSourceAggregate,
  measureSourceCsvPush,
  measureSourceProduceMeasure,
  measureSourceSupplementalData,
} from './produce-measure-capabilities.js';
import { produceMeasurePageRequirements } from './produce-measure-page.js';
import { measureConsumerCsvPull, measureConsumerQueryMeasure, measureSourceCsvPull, measureSourceQueryMeasure } from './query-measure-capabilities.js';
import { queryMeasurePageRequirements } from './query-measure-page.js';

const tables = [
  measureSourceQueryMeasure,
  measureConsumerQueryMeasure,
  measureSourceCsvPull,
  measureConsumerCsvPull,
  measureSourceProduceMeasure,
  measureConsumerProduceMeasure,
  measureSourceSupplementalData,
  measureConsumerSupplementalData,
  measureSourceCsvPush,
  measureConsumerCsvPush,
  measureSourceAggregate,
  measureConsumerAggregate,
  measureDefinitionSource,
  measureDefinitionConsumer,
];

/**
 * Actors the project has no suite for keep their rows, each saying why it goes untested, so a
 * report showing the whole catalogue does not make them look covered.
 */
const UNCOVERED: Readonly<Record<string, string>> = {
  [MEASURE_DEFINITION_SOURCE_QMD]:
    'no suite tests a Measure Definition Source (Query Measure Definition, PULL-MX): the project plays one only as the public-health side beside the Measure Computer suite',
  [MEASURE_DEFINITION_CONSUMER_QMD]:
    'no suite tests a Measure Definition Consumer: the Measure Computer suite judges a computer reading its Measure as one only under SANER-CM-PG-009 and SANER-TP-005, not by these rows',
};

function withUncoveredReasons(list: readonly Requirement[]): Requirement[] {
  return list.map((r) => {
    const reason = r.capability ? UNCOVERED[r.capability] : undefined;
    return reason && !r.notTestedReason ? { ...r, notTestedReason: reason } : r;
  });
}

export const requirements = defineRequirements(
  withUncoveredReasons([
    ...measureSourceActorRequirements,
    ...measureConsumerActorRequirements,
    ...otherActorRequirements,
    ...tables.flatMap(capabilityRequirements),
    ...computeMeasureRequirements,
    ...queryMeasurePageRequirements,
    ...produceMeasurePageRequirements,
    ...measureDefinitionPageRequirements,
    ...computeMeasurePageRequirements,
  ]),
);
