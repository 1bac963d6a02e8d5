/**
 * The reference Measure Consumer's fault modes: each makes the client break one rule of Query
 * Measure, so every test of the consumer suite can be shown to fail when the client misbehaves.
 */
import { defineFaults, type FaultIds } from '../../src/fhir/faults.js';

export const consumerClientFaults = defineFaults([
  {
    id: 'omit',
    argument: 'Type/interaction or Type/parameter, e.g. Location/read, Location/search-type, Location/_id, MeasureReport/subject:identifier, Measure/_include',
    description: 'Leaves out one interaction on one resource type, or one search parameter (search-type leaves out every search of the type)',
  },
  { id: 'no-paging', description: 'Reads the first page of each search and ignores next links' },
  { id: 'rebuild-next-link', description: "Builds the next page's request from its own search parameters and _offset instead of following the next link as given" },
  { id: 'no-count', description: 'Never bounds the page size with _count' },
  { id: 'legacy-format', description: 'Names formats with the short _format values (json, xml) instead of the FHIR media types' },
  { id: 'legacy-accept', description: 'Sends Accept: application/json+fhir (the DSTU2 type) instead of application/fhir+json' },
  { id: 'no-period', description: 'Searches MeasureReport by measure without a period range' },
  { id: 'one-sided-period', description: 'Bounds the period of its MeasureReport searches on one side only' },
  { id: 'no-measure', description: 'Searches MeasureReport by period without a measure' },
  { id: 'bad-period', description: 'Sends period values that are not FHIR dates (2020-13-45)' },
  { id: 'unknown-param', description: 'Adds a search parameter Query Measure does not define (facility=…) to its MeasureReport searches' },
  { id: 'no-reference-reads', description: 'Uses the reports it found without reading their subject, reporter or Measure' },
  { id: 'include-iterate', description: 'Asks for recursive includes with _include:iterate' },
  { id: 'post-search-json', description: 'Sends its POST _search with a JSON body instead of a form-encoded one' },
  { id: 'no-search-csv', description: 'Never calls $search-csv' },
  { id: 'search-csv-without-period', description: 'Calls $search-csv with measure but no period' },
  { id: 'search-csv-required-only', description: 'Calls $search-csv only with measure and period, never with the other parameters' },
  { id: 'no-read-csv', description: 'Never calls $read-csv' },
  { id: 'read-csv-bad-map', description: 'Calls $read-csv with a map parameter that is not a map (`$$`)' },
  {
    id: 'malformed',
    argument: 'Type/parameter of an optional search, e.g. MeasureReport/subject:identifier, Location/name, Measure/code:in',
    description: 'Uses one optional search parameter with an empty value',
  },
]);

export type ConsumerClientFault = FaultIds<typeof consumerClientFaults>;
