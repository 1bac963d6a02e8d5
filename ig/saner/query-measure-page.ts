/**
 * Query Measure (transaction-1, PULL-TX) rules from the transaction page and the two CSV
 * OperationDefinitions. A page row names both roles; the digest's id is the Measure Source
 * (server) requirement, and where the Measure Consumer (client) column has an expectation of its
 * own the row has a twin with `-CON` appended, filed under the Consumer's CapabilityStatement so
 * the report shows each role its own verdict.
 */
import type { Expectation, Requirement } from '../requirement.js';
import { MEASURE_CONSUMER_QM_CSV_PULL, MEASURE_CONSUMER_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL, MEASURE_SOURCE_QM_PULL } from './capabilities.js';

const PAGE = 'SANER transaction-1 (Query Measure, PULL-TX)';
const LEGACY = 'xml, json, text/xml, application/json, application/xml and the DSTU2 types application/xml+fhir, application/json+fhir';

type Row = readonly [id: string, expectation: Expectation, topic: string, statement: string];

function rows(capability: string, list: readonly Row[]): Requirement[] {
  return list.map(([id, expectation, topic, statement]) => ({ id, expectation, statement, source: `${PAGE}, ${topic}`, capability }));
}

const sourcePage = rows(MEASURE_SOURCE_QM_PULL, [
  ['SANER-QM-PG-001', 'SHALL', 'searches by GET or POST', 'The Measure Source accepts searches both as GET [base]/{type}?… and as form-encoded POST [base]/{type}/_search, and answers the two alike.'],
  [
    'SANER-QM-PG-002',
    'SHALL',
    'formats (_format)',
    'Asked with _format=application/fhir+xml or _format=application/fhir+json on a read or search, the Measure Source answers in that format with the matching Content-Type.',
  ],
  ['SANER-QM-PG-003', 'SHOULD', 'formats (_format)', `The Measure Source also accepts the short and legacy _format values (${LEGACY}) and answers in the matching FHIR format, without an error.`],
  ['SANER-QM-PG-004', 'SHALL', 'formats (Accept)', 'The Measure Source honours Accept: application/fhir+xml and Accept: application/fhir+json, answering in the format asked for.'],
  [
    'SANER-QM-PG-005',
    'SHOULD',
    'formats (Accept)',
    `The Measure Source also accepts the short and legacy media types (${LEGACY}) in Accept and answers in the matching FHIR format, without complaint.`,
  ],
  ['SANER-QM-PG-006', 'SHALL', 'formats (_format and Accept)', 'When a request has both, _format wins over Accept (Accept: application/fhir+xml with _format=json gets JSON).'],
  ['SANER-QM-PG-007', 'SHALL', 'formats (_format and Accept)', 'Every value the Measure Source accepts in _format it also accepts in the Accept header.'],
  ['SANER-QM-PG-008', 'SHALL', 'paging (_count)', 'A search with _count=N answers pages of at most N entries, with a next link leading to the rest while more match.'],
  ['SANER-QM-PG-009', 'SHOULD', 'paging (_count)', 'A search without _count answers a bounded page (100 entries recommended) rather than every match at once.'],
  [
    'SANER-QM-PG-010',
    'SHALL',
    '_include',
    'GET [base]/MeasureReport?_id=X&_include=* returns X with the resources it references: the subject Location and the reporter Organization; the Measure, a canonical rather than a Reference, may be left out (digest §7 D12).',
  ],
  ['SANER-QM-PG-011', 'SHOULD-NOT', '_include', 'The Measure Source should not carry out recursive includes (_include:iterate); it may refuse or ignore them.'],
  ['SANER-QM-PG-012', 'SHALL', 'reads', 'The Measure Source answers reads of Location, MeasureReport, Measure and Organization (GET [base]/{type}/{id}) with 200 and the resource.'],
  [
    'SANER-QM-PG-013',
    'SHALL',
    'search by _id',
    'A search by _id on Location, MeasureReport, Measure or Organization returns exactly the resources named (several ids separated by commas), also when combined with _include=*.',
  ],
  ['SANER-QM-PG-014', 'SHALL', 'search by name or identifier', 'The Measure Source demonstrates searching Location and Organization by name and by identifier.'],
  [
    'SANER-QM-PG-015',
    'SHOULD',
    'Measure search',
    "Each of the Measure search parameters _text, _content, definition-text, code and code:in narrows the results correctly; code follows the IG's SearchParameter-code.",
  ],
  [
    'SANER-QM-PG-016',
    'SHALL',
    'minimal search',
    'The Measure Source searches MeasureReport by measure at the very least, and a search by measure with a date range on period always returns the matching reports.',
  ],
  [
    'SANER-QM-PG-017',
    'SHALL',
    'date ranges',
    'Two-sided ranges (ge or gt with le or lt) work on date, period and _lastUpdated, with the prefixes eq, le, lt, ge and gt; ap need not be supported and is not tested.',
  ],
  [
    'SANER-QM-PG-018',
    'SHALL',
    'facility identifiers',
    'A client can find the reports of a facility by its public identifier (e.g. NPI, HIFLD): subject:identifier on MeasureReport and identifier on Location do it.',
  ],
  [
    'SANER-QM-PG-019',
    'SHOULD',
    'geographic search',
    'The Measure Source supports the chained geographic search subject:Location.near on MeasureReport; a bounding-box implementation is acceptable, so tests allow generous tolerances.',
  ],
  [
    'SANER-QM-PG-020',
    'MAY',
    'server business rules',
    'The Measure Source may refuse a search it finds too broad (no measure, _id, location or period range) with a 4xx and an OperationOutcome; a search by measure and a period range must still be answered (SANER-QM-PG-016).',
  ],
  [
    'SANER-QM-PG-021',
    'SHALL',
    'response content',
    'MeasureReports the Measure Source returns conform to PublicHealthMeasureReport; Locations and Organizations, for which the IG defines no profile, are valid base R4.',
  ],
]);

/**
 * The transaction's format obligations of the Measure Source, one row per format so JSON and XML
 * get verdicts of their own: the _format and Accept tables make both FHIR media types SHALL for
 * the server (SANER-QM-PG-002/-004), and the CapabilityStatements list xml and json. The rows about
 * _format and Accept themselves are decided in the formats the server lists; these decide the
 * formats.
 */
const sourceFormats: Requirement[] = (['json', 'xml'] as const).map((format, i) => ({
  id: `SANER-QM-FMT-${String(i + 1).padStart(3, '0')}`,
  expectation: 'SHALL',
  statement: `The Measure Source answers reads and searches in ${format.toUpperCase()}: asked for application/fhir+${format} (Accept or _format), it answers 200 with the resources in that format and Content-Type application/fhir+${format}.`,
  source: `${PAGE}, formats (_format and Accept: application/fhir+${format} is SHALL for the server); SANER CapabilityStatement MeasureSource-QueryMeasure-Pull, format (xml, json)`,
  capability: MEASURE_SOURCE_QM_PULL,
  element: `format[${format}]`,
}));

const sourceCsvPage = rows(MEASURE_SOURCE_QM_CSV_PULL, [
  [
    'SANER-QM-PG-023',
    'SHALL',
    'CSV Option ($read-csv)',
    'The Measure Source demonstrates $read-csv: GET or POST [base]/MeasureReport/[id]/$read-csv returns that report as CSV (parameters in SANER-OP-READCSV-*).',
  ],
  [
    'SANER-QM-PG-024',
    'SHALL',
    'CSV Option ($search-csv)',
    'The Measure Source supports $search-csv: GET or POST [base]/MeasureReport/$search-csv returns one CSV of every report matching its parameters (SANER-OP-SEARCHCSV-*).',
  ],
]);

const consumerPage = rows(MEASURE_CONSUMER_QM_PULL, [
  ['SANER-QM-PG-001-CON', 'MAY', 'searches by GET or POST', 'The Measure Consumer may send its searches as GET [base]/{type}?… or as form-encoded POST [base]/{type}/_search.'],
  ['SANER-QM-PG-002-CON', 'SHALL', 'formats (_format)', 'When the Measure Consumer names a format with _format it uses application/fhir+xml or application/fhir+json.'],
  ['SANER-QM-PG-003-CON', 'SHOULD-NOT', 'formats (_format)', `The Measure Consumer should not send the short or legacy _format values (${LEGACY}).`],
  ['SANER-QM-PG-004-CON', 'SHALL', 'formats (Accept)', 'When the Measure Consumer names a format with Accept it uses application/fhir+xml or application/fhir+json.'],
  ['SANER-QM-PG-005-CON', 'SHOULD-NOT', 'formats (Accept)', `The Measure Consumer should not send the short or legacy media types (${LEGACY}) in Accept.`],
  ['SANER-QM-PG-008-CON', 'SHALL', 'paging (_count)', 'The Measure Consumer copes with paged results: it can bound the page size with _count and follows next links until it has every match.'],
  [
    'SANER-QM-PG-010-CON',
    'MAY',
    '_include',
    "The Measure Consumer may ask for _include=* and use the included resources. The page says SHALL for both roles; for the client the CapabilityStatement's MAY is what is enforced, the page's SHALL is advisory (digest §7 D4).",
  ],
  ['SANER-QM-PG-011-CON', 'SHOULD-NOT', '_include', 'The Measure Consumer should not send _include:iterate (recursive includes).'],
  ['SANER-QM-PG-012-CON', 'SHALL', 'reads', 'The Measure Consumer reads the resources a MeasureReport points to: its subject Location, its reporter Organization and its Measure.'],
  ['SANER-QM-PG-013-CON', 'SHALL', 'search by _id', 'The Measure Consumer can search Location, MeasureReport, Measure and Organization by _id.'],
  [
    'SANER-QM-PG-014-CON',
    'MAY',
    'search by name or identifier',
    "The Measure Consumer may search Location and Organization by name and by identifier. The page says SHALL; the CapabilityStatement's MAY is what is enforced, the page's SHALL is advisory (digest §7 D1).",
  ],
  [
    'SANER-QM-PG-015-CON',
    'MAY',
    'Measure search',
    "The Measure Consumer may search Measure by _text, _content, definition-text, code and code:in. The page says SHOULD; the CapabilityStatement's MAY is what is enforced, the page's SHOULD is advisory (digest §7 D3).",
  ],
  ['SANER-QM-PG-016-CON', 'SHALL', 'minimal search', 'The Measure Consumer finds MeasureReports by measure with a date range on period, the search every Measure Source answers.'],
]);

const consumerCsvPage = rows(MEASURE_CONSUMER_QM_CSV_PULL, [
  ['SANER-QM-PG-023-CON', 'MAY', 'CSV Option ($read-csv)', 'The Measure Consumer may call $read-csv on a MeasureReport and use the CSV.'],
  ['SANER-QM-PG-024-CON', 'SHALL', 'CSV Option ($search-csv)', 'The Measure Consumer can call $search-csv (with measure and a period range) and use the CSV.'],
]);

const READ_CSV = 'SANER OperationDefinition MeasureReport-read-csv';
const SEARCH_CSV = 'SANER OperationDefinition MeasureReport-search-csv';

const readCsvSource: Requirement[] = [
  {
    id: 'SANER-OP-READCSV-001',
    expectation: 'SHALL',
    statement: '$read-csv accepts any number of map parameters and lays out the CSV columns as each one says (the map grammar of the CSV Option).',
    source: `${READ_CSV}, parameter map (in, 0..*, string, searchType composite); transaction-1: server SHALL demonstrate`,
    capability: MEASURE_SOURCE_QM_CSV_PULL,
  },
  {
    id: 'SANER-OP-READCSV-002',
    expectation: 'SHALL',
    statement: '$read-csv returns one CSV: the CSV itself with Content-Type text/csv, or a Binary resource holding it when a FHIR format was asked for.',
    source: `${READ_CSV}, parameter return (out, 1..1, Binary); transaction-1: server SHALL demonstrate`,
    capability: MEASURE_SOURCE_QM_CSV_PULL,
  },
];

const readCsvConsumer: Requirement = {
  id: 'SANER-OP-READCSV-001-CON',
  expectation: 'MAY',
  statement: 'The Measure Consumer may pass map parameters to $read-csv to choose the CSV columns it gets.',
  source: `${READ_CSV}, parameter map; transaction-1: client MAY`,
  capability: MEASURE_CONSUMER_QM_CSV_PULL,
};

/** $search-csv inputs: number, name, cardinality, search type, page level for both roles (undefined: none). */
const SEARCH_CSV_PARAMS: readonly (readonly [n: number, name: string, card: string, type: string, level: Expectation | undefined])[] = [
  [1, '_lastUpdated', '0..2', 'date', 'SHALL'],
  [2, 'date', '0..2', 'date', 'SHALL'],
  [3, 'map', '0..*', 'composite', undefined],
  [4, 'measure', '1..*', 'uri', 'SHALL'],
  [5, 'measure.title', '0..*', 'string', 'SHOULD'],
  [6, 'period', '1..2', 'date', 'SHALL'],
  [7, 'reporter', '0..*', 'reference', 'SHALL'],
  [8, 'reporter:identifier', '0..*', 'token', 'SHALL'],
  [9, 'subject', '0..*', 'reference', 'SHALL'],
  [10, 'subject:Location.near', '0..1', 'special', 'SHOULD'],
  [11, 'subject:identifier', '0..*', 'token', 'SHALL'],
];

const SEARCH_CSV_NOTES: Readonly<Record<string, string>> = {
  measure:
    ' A call without measure is refused with 400 and an OperationOutcome. Several Measures in one CSV are an interpretation: one Measure is required to work, several may be refused with 400 or answered with the union of their columns (digest §7 D22).',
  period: ' A call without period is refused with 400 and an OperationOutcome; period given twice forms a range.',
  map: " The OperationDefinition declares it and is normative for the operation's parameters; the page gives no level of its own.",
};

const searchCsvId = (n: number) => `SANER-OP-SEARCHCSV-${String(n).padStart(3, '0')}`;

const searchCsvSource: Requirement[] = [
  ...SEARCH_CSV_PARAMS.map(
    ([n, name, card, type, level]): Requirement => ({
      id: searchCsvId(n),
      expectation: level ?? 'SHALL',
      statement:
        name === 'map'
          ? `$search-csv accepts any number of map parameters and lays out the CSV columns as each one says.${SEARCH_CSV_NOTES.map}`
          : `$search-csv accepts ${name} (${card}, ${type}) and selects reports with it exactly as the MeasureReport search parameter of the same name does.${SEARCH_CSV_NOTES[name] ?? ''}`,
      source: `${SEARCH_CSV}, parameter ${name} (in, ${card}, string, searchType ${type}); transaction-1 $search-csv table${level ? `: ${level} for the server` : ''}`,
      capability: MEASURE_SOURCE_QM_CSV_PULL,
    }),
  ),
  {
    id: searchCsvId(12),
    expectation: 'SHALL',
    statement: '$search-csv returns one CSV covering every matching report: the CSV itself with Content-Type text/csv, or a Binary resource holding it when a FHIR format was asked for.',
    source: `${SEARCH_CSV}, parameter return (out, 1..1, Binary)`,
    capability: MEASURE_SOURCE_QM_CSV_PULL,
  },
];

const searchCsvConsumer: Requirement[] = SEARCH_CSV_PARAMS.filter(([, , , , level]) => level).map(([n, name, card, type, level]) => ({
  id: `${searchCsvId(n)}-CON`,
  expectation: level as Expectation,
  statement: card.startsWith('1')
    ? `The Measure Consumer's $search-csv calls always carry ${name} (${card}, ${type}), which the operation requires.`
    : `The Measure Consumer can select the reports of $search-csv with ${name} (${card}, ${type}).`,
  source: `${SEARCH_CSV}, parameter ${name}; transaction-1 $search-csv table: ${level} for the client`,
  capability: MEASURE_CONSUMER_QM_CSV_PULL,
}));

export const queryMeasurePageRequirements: readonly Requirement[] = [
  ...sourcePage,
  ...sourceFormats,
  ...sourceCsvPage,
  ...consumerPage,
  ...consumerCsvPage,
  ...readCsvSource,
  readCsvConsumer,
  ...searchCsvSource,
  ...searchCsvConsumer,
];
