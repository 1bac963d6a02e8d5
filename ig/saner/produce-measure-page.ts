/**
 * Produce Measure (transaction-2, PUSH-TX) and Supplemental Data rules from the transaction page
 * and actors.md, and the $report-csv parameters. Here the Measure Consumer is the server: a row
 * that binds both roles keeps the digest id for the Consumer and adds `-SRC` for the Measure
 * Source (client); a row binding one role keeps the id for that role.
 */
import type { Expectation, Requirement } from '../requirement.js';
import {
  MEASURE_CONSUMER_PM_CSV_PUSH,
  MEASURE_CONSUMER_PM_PUSH,
  MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
  MEASURE_SOURCE_PM_CSV_PUSH,
  MEASURE_SOURCE_PM_PUSH,
  MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
} from './capabilities.js';

const PAGE = 'SANER transaction-2 (Produce Measure, PUSH-TX)';

type Row = readonly [id: string, expectation: Expectation, capability: string, topic: string, statement: string];

const rows = (list: readonly Row[]): Requirement[] =>
  list.map(([id, expectation, capability, topic, statement]) => ({ id, expectation, statement, source: topic.startsWith('SANER') ? topic : `${PAGE}, ${topic}`, capability }));

const producePage = rows([
  ['SANER-PM-PG-002', 'SHALL', MEASURE_CONSUMER_PM_PUSH, 'Expected Actions', 'The Measure Consumer takes reports by create (POST [base]/MeasureReport) and by update (PUT [base]/MeasureReport/[id]).'],
  [
    'SANER-PM-PG-002-SRC',
    'SHALL',
    MEASURE_SOURCE_PM_PUSH,
    'Expected Actions',
    'The Measure Source delivers reports with create (POST [base]/MeasureReport) or update (PUT [base]/MeasureReport/[id]).',
  ],
  [
    'SANER-PM-PG-003',
    'SHALL',
    MEASURE_CONSUMER_PM_PUSH,
    'Expected Actions',
    'The Measure Consumer answers a successful create or update with 200 OK, 201 Created or 204 No Content; any of the three is accepted for either interaction.',
  ],
  [
    'SANER-PM-PG-004',
    'SHALL',
    MEASURE_SOURCE_PM_PUSH,
    'message content',
    'The body the Measure Source sends is a PublicHealthMeasureReport (profile rules and invariants), labelled application/fhir+json or application/fhir+xml.',
  ],
  ['SANER-PM-PG-005', 'SHALL', MEASURE_CONSUMER_PM_CSV_PUSH, 'CSV Option', 'With the CSV Option the Measure Consumer takes reports as CSV through Measure/[id]/$report-csv.'],
  ['SANER-PM-PG-005-SRC', 'SHALL', MEASURE_SOURCE_PM_CSV_PUSH, 'CSV Option', 'With the CSV Option the Measure Source sends its CSV through Measure/[id]/$report-csv instead of a MeasureReport body.'],
  [
    'SANER-PM-PG-006',
    'SHALL',
    MEASURE_CONSUMER_PM_PUSH,
    'SANER actors.md, Measure Consumer with Push',
    'A Measure Consumer with the Push Option answers GET [base]/metadata with its CapabilityStatement (as SANER-PG-CON-002).',
  ],
  [
    'SANER-PM-PG-007',
    'SHALL',
    MEASURE_CONSUMER_PM_PUSH,
    'SANER test plan, Generate and Store',
    'After a report is created and then updated, a read of it on the Measure Consumer gives the updated values.',
  ],
]);

/**
 * The Consumer's format obligations, one row per format so JSON and XML get verdicts of their own:
 * the CapabilityStatements list xml and json, and a Measure Source may send either (SANER-PM-PG-004),
 * so a Consumer takes both. "Processed" is judged by reading back what was stored, not by the
 * absence of a 415.
 */
const consumerFormats: Requirement[] = (['json', 'xml'] as const).map((format, i) => ({
  id: `SANER-PM-FMT-${String(i + 1).padStart(3, '0')}`,
  expectation: 'SHALL',
  statement: `The Measure Consumer processes MeasureReports sent in ${format.toUpperCase()} (Content-Type application/fhir+${format}) by create and by update: it acknowledges them and stores what was sent.`,
  source: `SANER CapabilityStatement MeasureConsumer-ProduceMeasure-Push, format (xml, json); ${PAGE}, message content (the Measure Source sends application/fhir+json or application/fhir+xml)`,
  capability: MEASURE_CONSUMER_PM_PUSH,
  element: `format[${format}]`,
}));

const supplementalPage = rows([
  [
    'SANER-SD-PG-001',
    'SHALL',
    MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
    'SANER actors.md and CapabilityStatements, Supplemental Data Option',
    'The Measure Consumer takes a batch Bundle POSTed to [base] and answers a batch-response Bundle with one response per entry. A collection Bundle POSTed to [base]/Bundle, an alternative reading of actors.md, is only a warning (digest §7 D5).',
  ],
  [
    'SANER-SD-PG-001-SRC',
    'SHALL',
    MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
    'SANER actors.md and CapabilityStatements, Supplemental Data Option',
    'The Measure Source sends its report with the supplemental data as a batch Bundle POSTed to [base] (digest §7 D5).',
  ],
  [
    'SANER-SD-PG-002',
    'SHALL',
    MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
    'SANER actors.md, Supplemental Data Option',
    'In that batch, the first entry is the MeasureReport and every later entry is a resource its evaluatedResource refers to.',
  ],
  [
    'SANER-SD-PG-003',
    'SHALL',
    MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
    'SANER actors.md, Supplemental Data Option',
    'The Measure Consumer stores the batch entries by the usual batch rules, each entry on its own.',
  ],
  [
    'SANER-SD-PG-004',
    'SHALL',
    MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
    'SANER actors.md, Supplemental Data Option',
    'A Measure Consumer with the Supplemental Data Option also implements the Push Option.',
  ],
  [
    'SANER-SD-PG-004-SRC',
    'SHALL',
    MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
    'SANER actors.md, Supplemental Data Option',
    'A Measure Source with the Supplemental Data Option also implements the Push Option.',
  ],
]);

const REPORT_CSV = 'SANER OperationDefinition Measure-report-csv';

/** $report-csv parameters: number, name, use/cardinality/type, what the Consumer does with it. */
const REPORT_CSV_PARAMS: readonly (readonly [n: number, name: string, shape: string, statement: string])[] = [
  [1, 'input', 'in, 1..1, Binary', '$report-csv takes the CSV file (labelled columns) in input, which every call carries.'],
  [2, 'map', 'in, 0..*, string, searchType composite', "$report-csv accepts any number of map parameters relating CSV columns to the Measure's codes."],
  [3, 'period-end', 'in, 1..1, string, searchType date', '$report-csv takes the end of the reporting period in period-end, which every call carries.'],
  [4, 'period-start', 'in, 1..1, string, searchType date', '$report-csv takes the start of the reporting period in period-start, which every call carries.'],
  [5, 'reporter', 'in, 0..1, string, searchType reference', '$report-csv accepts the reporter as a reference or identifier; without it the server may decide (e.g. from the sender).'],
  [6, 'subject', 'in, 0..1, string, searchType reference', '$report-csv accepts the subject as a reference or identifier; without it the server may decide.'],
  [7, 'return', 'out, 0..1, Bundle', '$report-csv creates the reports, or updates those with the same subject, reporter and period, and may return a Bundle of the result.'],
];

const reportCsvId = (n: number) => `SANER-OP-REPORTCSV-${String(n).padStart(3, '0')}`;

const reportCsv: Requirement[] = [
  ...REPORT_CSV_PARAMS.map(([n, name, shape, statement]) => ({
    id: reportCsvId(n),
    expectation: 'SHALL' as const,
    statement: `${statement} (The OperationDefinition is normative for the operation's parameters.)`,
    source: `${REPORT_CSV}, parameter ${name} (${shape})`,
    capability: MEASURE_CONSUMER_PM_CSV_PUSH,
  })),
  ...[1, 3, 4].map((n) => {
    const [, name, shape] = REPORT_CSV_PARAMS[n - 1]!;
    return {
      id: `${reportCsvId(n)}-SRC`,
      expectation: 'SHALL' as const,
      statement: `The Measure Source's $report-csv calls always carry ${name} (${shape.split(', ').slice(1).join(', ')}), which the operation requires.`,
      source: `${REPORT_CSV}, parameter ${name}`,
      capability: MEASURE_SOURCE_PM_CSV_PUSH,
    };
  }),
];

export const produceMeasurePageRequirements: readonly Requirement[] = [...producePage, ...consumerFormats, ...supplementalPage, ...reportCsv];
