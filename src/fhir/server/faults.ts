/**
 * The fault modes every server built on the core can switch on: each breaks one FHIR REST
 * behaviour (formats, paging, search, writes, metadata, errors), so a conformance test can be
 * shown to fail against it. Which requirements a fault breaks is the business of the suites that
 * name it as their negative control, not of the IG-free core.
 */
import { defineFaults, type ActiveFaults, type FaultIds } from '../faults.js';

export const coreFaults = defineFaults([
  { id: 'ignore-format', description: 'Answers JSON whatever _format or Accept asks for' },
  { id: 'ignore-format-param', description: 'Honours Accept but ignores _format' },
  { id: 'xml-with-json-content-type', description: 'Labels XML responses application/fhir+json' },
  { id: 'legacy-formats-406', description: 'Refuses the short and DSTU2 media types (json, xml, application/json, application/xml+fhir, …) with 406 or 415' },
  { id: 'no-406', description: 'Answers JSON instead of 406 when the requested format is unknown' },
  { id: 'ignore-count', description: 'Ignores _count and pages by the default size' },
  { id: 'no-next-link', description: 'Leaves the next link out of search pages' },
  { id: 'broken-next-link', description: 'Gives search pages a next link that does not resolve' },
  { id: 'drop-include', description: 'Ignores _include' },
  { id: 'ignore-date-filter', description: 'Ignores date search parameters (date, period, _lastUpdated, …)' },
  { id: 'ignore-identifier-modifier', description: 'Ignores search parameters with the :identifier modifier' },
  { id: 'no-post-search', description: 'Refuses POST [base]/Type/_search with 405' },
  { id: 'metadata-wrong-fhir-version', description: 'CapabilityStatement claims fhirVersion 3.0.1 (STU3)' },
  { id: 'metadata-missing-format', description: 'CapabilityStatement lists no format' },
  { id: 'metadata-no-rest', description: 'CapabilityStatement has no rest entry: it declares no resources or interactions' },
  { id: 'no-metadata', description: 'GET [base]/metadata answers 404' },
  { id: 'accept-invalid', description: 'Stores resources that fail validation and answers 201' },
  { id: 'skip-profile-validation', description: 'Checks base R4 structure but not the declared profiles' },
  { id: 'no-location-header', description: 'Answers a create without a Location header' },
  { id: 'ignore-if-match', description: 'Applies an update whatever If-Match says' },
  { id: 'accept-wrong-media-type', description: 'Reads a create or update body whatever its Content-Type says instead of answering 415' },
  { id: 'wrong-status-on-create', description: 'Answers a create with 200 instead of 201' },
  { id: 'operation-outcome-missing', description: 'Sends errors with their status but an empty body' },
  { id: 'no-bundle-total', description: 'Leaves Bundle.total out of searchset Bundles' },
  { id: 'ignore-search-param', argument: 'search parameter name, e.g. measure or subject:identifier', description: 'Ignores one search parameter, e.g. ignore-search-param:measure' },
  { id: 'refuse-interaction', argument: 'Type/interaction, e.g. MeasureReport/read', description: 'Answers 405 to one declared interaction, e.g. refuse-interaction:Location/read' },
]);

/** What the core's own checks may ask an active fault set. */
export type CoreFault = FaultIds<typeof coreFaults>;

/** The active faults as the core sees them: its own, whatever else the server's declaration adds. */
export type CoreFaults = ActiveFaults<CoreFault>;
