/**
 * The SANER requirement catalogue (HL7 SANER IG, FHIR R4), in the project's words, from the
 * CapabilityStatements, OperationDefinitions, transaction pages and actors.md. Ids are the spec
 * digest's; a page row that binds both roles keeps its id for the server and adds the client's
 * role (`-CON`, or `-SRC` where the Measure Source is the client) for the client.
 */
import { defineRequirements } from '../requirement.js';
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

export const requirements = defineRequirements([
  ...measureSourceActorRequirements,
  ...measureConsumerActorRequirements,
  ...otherActorRequirements,
  ...tables.flatMap(capabilityRequirements),
  ...computeMeasureRequirements,
  ...queryMeasurePageRequirements,
  ...produceMeasurePageRequirements,
  ...measureDefinitionPageRequirements,
  ...computeMeasurePageRequirements,
]);
