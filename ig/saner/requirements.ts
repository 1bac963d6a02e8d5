/**
 * The SANER requirement catalogue (HL7 SANER IG, FHIR R4), in the project's words, from the
 * CapabilityStatements, OperationDefinitions, transaction pages and actors.md. Ids are the spec
 * digest's; a page row that binds both roles keeps its id for the server and adds `-CON` for the
 * client (see query-measure-page.ts).
 */
import { defineRequirements } from '../../src/engine/catalogue.js';
import { measureConsumerActorRequirements, measureSourceActorRequirements } from './actors.js';
import { capabilityRequirements } from './capability-rows.js';
import { measureConsumerCsvPull, measureConsumerQueryMeasure, measureSourceCsvPull, measureSourceQueryMeasure } from './query-measure-capabilities.js';
import { queryMeasurePageRequirements } from './query-measure-page.js';

export const requirements = defineRequirements([
  ...measureSourceActorRequirements,
  ...measureConsumerActorRequirements,
  ...capabilityRequirements(measureSourceQueryMeasure),
  ...capabilityRequirements(measureConsumerQueryMeasure),
  ...capabilityRequirements(measureSourceCsvPull),
  ...capabilityRequirements(measureConsumerCsvPull),
  ...queryMeasurePageRequirements,
]);
