/**
 * Query Measure Definition (transaction-3, PULL-MX) rules from the transaction page and the test
 * plan. The Measure Definition Source is the server and keeps the digest id; where the Measure
 * Definition Consumer (client) has its own level the row has a `-CON` twin.
 */
import type { Expectation, Requirement } from '../requirement.js';
import { MEASURE_DEFINITION_CONSUMER_QMD, MEASURE_DEFINITION_SOURCE_QMD } from './capabilities.js';

const PAGE = 'SANER transaction-3 (Query Measure Definition, PULL-MX)';
const LEGACY = 'xml, json, text/xml, application/json, application/xml, application/xml+fhir, application/json+fhir';
const TYPES = 'Measure, Library, ValueSet, CodeSystem and ConceptMap';

type Row = readonly [n: number, expectation: Expectation, topic: string, statement: string];

const rows = (capability: string, suffix: string, list: readonly Row[]): Requirement[] =>
  list.map(([n, expectation, topic, statement]) => ({
    id: `SANER-QMD-PG-${String(n).padStart(3, '0')}${suffix}`,
    expectation,
    statement,
    source: topic.startsWith('SANER') ? topic : `${PAGE}, ${topic}`,
    capability,
  }));

const server = rows(MEASURE_DEFINITION_SOURCE_QMD, '', [
  [1, 'SHALL', 'searches by GET or POST', 'The Measure Definition Source accepts searches both as GET and as form-encoded POST [base]/{type}/_search.'],
  [2, 'SHALL', 'formats (_format)', 'Asked with _format=application/fhir+xml or application/fhir+json, the Measure Definition Source answers in that format.'],
  [3, 'SHOULD', 'formats (_format)', `The Measure Definition Source also accepts the short and legacy _format values (${LEGACY}).`],
  [4, 'SHALL', 'formats (Accept)', 'The Measure Definition Source honours Accept: application/fhir+xml and application/fhir+json.'],
  [5, 'SHOULD', 'formats (Accept)', `The Measure Definition Source also accepts the short and legacy media types (${LEGACY}) in Accept.`],
  [6, 'SHALL', 'formats (_format and Accept)', 'The Measure Definition Source lets _format win over Accept and accepts in Accept every value it accepts in _format.'],
  [7, 'SHALL', '_include', 'The Measure Definition Source supports _include=*, e.g. GET [base]/Measure?_id=X&_include=* returns X with the resources it references.'],
  [8, 'SHOULD-NOT', '_include', 'The Measure Definition Source should not carry out recursive includes (_include:iterate).'],
  [9, 'SHALL', 'paging (_count)', 'The Measure Definition Source honours _count with next links to the rest, and without _count answers bounded pages (100 recommended).'],
  [10, 'SHALL', 'reads', `The Measure Definition Source demonstrates reads of ${TYPES}.`],
  [11, 'SHALL', 'search by _id', `The Measure Definition Source demonstrates searching ${TYPES} by _id.`],
  [12, 'SHALL', 'search by url', 'A search by url (canonical) returns the resource with that canonical, e.g. Library?url=http://hl7.org/fhir/uv/saner/Library/ComputableNHSNMeasureLibrary.'],
  [13, 'SHOULD', 'Measure search', 'Each of the Measure search parameters _text, _content, definition-text, code and code:in narrows the results correctly.'],
  [14, 'SHALL', 'response content', 'Measures the Measure Definition Source returns conform to PublicHealthMeasure (and Libraries to PublicHealthMeasureLibrary).'],
  [15, 'SHALL', 'SANER test plan, Measure Definition Source', 'After the Measure Definition Source replaces a Measure with a corrected version, searches and reads return the corrected one.'],
  [16, 'SHALL', 'SANER actors.md, Measure Definition Source', 'The Measure Definition Source answers GET [base]/metadata with its CapabilityStatement (as SANER-PG-MDS-001).'],
]);

const client = rows(MEASURE_DEFINITION_CONSUMER_QMD, '-CON', [
  [2, 'SHALL', 'formats (_format)', 'When the Measure Definition Consumer names a format with _format it uses application/fhir+xml or application/fhir+json.'],
  [3, 'SHOULD-NOT', 'formats (_format)', `The Measure Definition Consumer should not send the short or legacy _format values (${LEGACY}).`],
  [4, 'SHALL', 'formats (Accept)', 'When the Measure Definition Consumer names a format with Accept it uses application/fhir+xml or application/fhir+json.'],
  [5, 'SHOULD-NOT', 'formats (Accept)', `The Measure Definition Consumer should not send the short or legacy media types (${LEGACY}) in Accept.`],
  [
    7,
    'MAY',
    '_include',
    "The Measure Definition Consumer may ask for _include=*. The page says SHALL for both roles; for the client the CapabilityStatement's MAY is what is enforced, the page's SHALL is advisory (digest §7 D4).",
  ],
  [8, 'SHOULD-NOT', '_include', 'The Measure Definition Consumer should not send _include:iterate.'],
  [9, 'SHALL', 'paging (_count)', 'The Measure Definition Consumer copes with paged results: it can bound the page size with _count and follows next links.'],
  [10, 'SHALL', 'reads', 'The Measure Definition Consumer can read Measure and Library.'],
  [11, 'SHOULD', 'search by _id', `The Measure Definition Consumer should search ${TYPES} by _id (the CapabilityStatement makes the search SHOULD and _id SHALL within it).`],
  [12, 'SHALL', 'search by url', 'The Measure Definition Consumer can find a resource by its canonical url.'],
  [
    13,
    'MAY',
    'Measure search',
    "The Measure Definition Consumer may search Measure by _text, _content, definition-text, code and code:in. The page says SHOULD; the CapabilityStatement's MAY is what is enforced, the page's SHOULD is advisory.",
  ],
  [15, 'SHALL', 'SANER test plan, Measure Definition Consumer', 'After the Measure Definition Source publishes a corrected Measure, the Measure Definition Consumer obtains the new version.'],
]);

export const measureDefinitionPageRequirements: readonly Requirement[] = [...server, ...client];
