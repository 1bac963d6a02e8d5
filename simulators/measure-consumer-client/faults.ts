/**
 * The reference Measure Consumer's fault modes: each makes the client break one rule of Query
 * Measure, so every test of the consumer suite can be shown to fail when the client misbehaves.
 */
import type { FaultModeDef } from '../../src/fhir/server/index.js';

export const consumerClientFaults: readonly FaultModeDef[] = [
  {
    id: 'omit',
    argument: 'Type/interaction or Type/parameter, e.g. Location/read, Location/search-type, Location/_id, MeasureReport/subject:identifier, Measure/_include',
    description: 'Leaves out one interaction on one resource type, or one search parameter (search-type leaves out every search of the type)',
    breaks: ['SANER-QM-CON-001', 'SANER-QM-CON-003', 'SANER-QM-CON-011', 'SANER-QM-CON-028', 'SANER-QM-CON-043'],
  },
  { id: 'no-paging', description: 'Reads the first page of each search and ignores next links', breaks: ['SANER-QM-PG-008-CON'] },
  { id: 'rebuild-next-link', description: 'Builds the next page\'s request from its own search parameters and _offset instead of following the next link as given', breaks: ['SANER-QM-PG-008-CON'] },
  { id: 'no-count', description: 'Never bounds the page size with _count', breaks: ['SANER-QM-PG-008-CON'] },
  { id: 'legacy-format', description: 'Names formats with the short _format values (json, xml) instead of the FHIR media types', breaks: ['SANER-QM-PG-002-CON', 'SANER-QM-PG-003-CON'] },
  { id: 'legacy-accept', description: 'Sends Accept: application/json+fhir (the DSTU2 type) instead of application/fhir+json', breaks: ['SANER-QM-PG-004-CON', 'SANER-QM-PG-005-CON'] },
  { id: 'no-period', description: 'Searches MeasureReport by measure without a period range', breaks: ['SANER-QM-CON-016', 'SANER-QM-PG-016-CON'] },
  { id: 'one-sided-period', description: 'Bounds the period of its MeasureReport searches on one side only', breaks: ['SANER-QM-PG-016-CON'] },
  { id: 'no-measure', description: 'Searches MeasureReport by period without a measure', breaks: ['SANER-QM-CON-017', 'SANER-QM-PG-016-CON'] },
  { id: 'bad-period', description: 'Sends period values that are not FHIR dates (2020-13-45)', breaks: ['SANER-QM-CON-016'] },
  { id: 'unknown-param', description: 'Adds a search parameter Query Measure does not define (facility=…) to its MeasureReport searches', breaks: ['SANER-QM-CON-012'] },
  { id: 'no-reference-reads', description: 'Uses the reports it found without reading their subject, reporter or Measure', breaks: ['SANER-QM-PG-012-CON'] },
  { id: 'include-iterate', description: 'Asks for recursive includes with _include:iterate', breaks: ['SANER-QM-PG-011-CON'] },
  { id: 'post-search-json', description: 'Sends its POST _search with a JSON body instead of a form-encoded one', breaks: ['SANER-QM-PG-001-CON'] },
  { id: 'no-search-csv', description: 'Never calls $search-csv', breaks: ['SANER-CSVPULL-CON-003', 'SANER-QM-PG-024-CON'] },
  { id: 'search-csv-without-period', description: 'Calls $search-csv with measure but no period', breaks: ['SANER-OP-SEARCHCSV-006-CON'] },
  { id: 'search-csv-required-only', description: 'Calls $search-csv only with measure and period, never with the other parameters', breaks: ['SANER-OP-SEARCHCSV-001-CON'] },
  { id: 'no-read-csv', description: 'Never calls $read-csv', breaks: ['SANER-CSVPULL-CON-002'] },
  { id: 'read-csv-bad-map', description: 'Calls $read-csv with a map parameter that is not a map (`$$`)', breaks: ['SANER-OP-READCSV-001-CON'] },
  {
    id: 'malformed',
    argument: 'Type/parameter of an optional search, e.g. MeasureReport/subject:identifier, Location/name, Measure/code:in',
    description: 'Uses one optional search parameter with an empty value',
    breaks: ['SANER-QM-CON-020'],
  },
];
