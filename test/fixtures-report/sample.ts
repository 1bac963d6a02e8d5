/**
 * A realistic RunResults for the report tests: two server suites and one client suite, three
 * CapabilityStatements (one of an option the SUT does not claim), SHALL/SHOULD/MAY requirements with
 * every verdict including not-tested, per-format (JSON/XML) rows, HTTP evidence in JSON and XML
 * (one exchange recorded from both sides), validation issues, notes, hostile SUT content, and the
 * run's applicability decisions, data sets, writes and rule sets.
 */
import type { HttpExchange, RunResults, TestResult } from '../../src/engine/results.js';

export const SOURCE_CS = 'http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureSource';
export const CONSUMER_CS = 'http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureConsumer';
export const CSV_CS = 'http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureSource-QueryMeasure-CSV-Pull';
export const HOSTILE = '<script>window.__pwned = true</script>';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

const measureReport = {
  resourceType: 'MeasureReport',
  id: 'mr-1',
  status: 'complete',
  type: 'summary',
  measure: 'http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity',
  period: { start: '2026-03-01', end: '2026-03-01' },
  group: [{ population: [{ count: 42 }] }],
};

const jsonSearch: HttpExchange = {
  direction: 'outbound',
  method: 'GET',
  url: 'http://sut.example/fhir/MeasureReport?measure=http%3A%2F%2Fhl7.org%2Ffhir%2Fuv%2Fsaner%2FMeasure%2FCDC&date=ge2026-03-01',
  requestHeaders: { accept: 'application/fhir+json', authorization: '[redacted]' },
  status: 200,
  responseHeaders: { 'content-type': 'application/fhir+json; charset=utf-8', 'x-note': HOSTILE },
  responseBody: {
    text: JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: measureReport }], note: HOSTILE }),
    size: 400,
    truncated: false,
  },
  startedAt: at(10),
  durationMs: 12,
};

const xmlRead: HttpExchange = {
  direction: 'outbound',
  method: 'GET',
  url: 'http://sut.example/fhir/MeasureReport/mr-1?_format=xml',
  requestHeaders: { accept: 'application/fhir+xml' },
  status: 200,
  responseHeaders: { 'content-type': 'application/fhir+xml' },
  responseBody: {
    text: '<MeasureReport xmlns="http://hl7.org/fhir"><id value="mr-1"/><status value="complete"/><type value="summary"/><measure value="http://hl7.org/fhir/uv/saner/Measure/CDC"/></MeasureReport>',
    size: 180,
    truncated: false,
  },
  startedAt: at(40),
  durationMs: 8,
};
const { responseBody: _none, ...xmlReadUnanswered } = xmlRead;

const inboundPost: HttpExchange = {
  direction: 'inbound',
  method: 'POST',
  url: 'http://127.0.0.1:41234/fhir/MeasureReport',
  requestHeaders: { 'content-type': 'application/fhir+json' },
  requestBody: { text: JSON.stringify({ ...measureReport, id: undefined }), size: 300, truncated: false },
  status: 422,
  responseHeaders: { 'content-type': 'application/fhir+json' },
  responseBody: {
    text: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'period.end is required' }] }),
    size: 120,
    truncated: false,
  },
  startedAt: at(2_000),
  durationMs: 3,
};

const transportError: HttpExchange = {
  direction: 'outbound',
  method: 'GET',
  url: 'http://sut.example/fhir/Measure/$evaluate-measure',
  requestHeaders: {},
  startedAt: at(3_000),
  error: 'connect ECONNREFUSED 10.0.0.1:443',
};

function test(partial: Partial<TestResult> & Pick<TestResult, 'id' | 'suite' | 'title' | 'verdict'>, offset: number): TestResult {
  return { requirements: [], startedAt: at(offset), durationMs: 25, assertions: [], evidence: [], ...partial };
}

export function sampleResults(): RunResults {
  const SRC = 'saner/query-measure/measure-source';
  const FMT = 'saner/formats/measure-source';
  const CON = 'saner/produce-measure/measure-consumer';
  const tests: TestResult[] = [
    test(
      {
        id: `${SRC}/search-by-measure-and-date`,
        suite: SRC,
        title: 'MeasureReport search by measure and date range',
        verdict: 'pass',
        requirements: ['SANER-QM-SRC-001', 'SANER-QM-FMT-JSON'],
        negativeControl: 'ignore-date-filter',
        assertions: [
          { passed: true, message: 'status is 200' },
          { passed: true, message: 'every MeasureReport.date is in range' },
        ],
        evidence: [
          { kind: 'http', exchange: jsonSearch },
          { kind: 'note', text: `SUT said ${HOSTILE}` },
        ],
      },
      10,
    ),
    test(
      {
        id: `${SRC}/count-paging`,
        suite: SRC,
        title: '_count limits the page and links next',
        verdict: 'fail',
        requirements: ['SANER-QM-PG-008'],
        reason: 'no next link in a Bundle of 10 with _count=5',
        assertions: [
          { passed: true, message: 'status is 200' },
          { passed: false, message: `expected a next link, found none ${HOSTILE}` },
        ],
        evidence: [{ kind: 'http', exchange: { ...jsonSearch, url: `${jsonSearch.url}&_count=5` } }],
      },
      100,
    ),
    test(
      {
        id: `${SRC}/read-xml`,
        suite: SRC,
        title: 'Read a MeasureReport as XML',
        verdict: 'pass',
        requirements: ['SANER-QM-PG-002', 'SANER-QM-FMT-XML'],
        assertions: [{ passed: true, message: 'Content-Type is application/fhir+xml', requirements: ['SANER-QM-PG-002', 'SANER-QM-FMT-XML'] }],
        // The simulator standing in for the SUT recorded the same request: one exchange, seen from both sides.
        evidence: [
          { kind: 'http', exchange: xmlRead },
          { kind: 'http', exchange: { ...xmlRead, direction: 'inbound', startedAt: at(41), requestHeaders: { ...xmlRead.requestHeaders, host: 'sut.example' } } },
        ],
      },
      200,
    ),
    test(
      {
        id: `${SRC}/legacy-format`,
        suite: SRC,
        title: 'Legacy _format=xml answered',
        verdict: 'warning',
        requirements: ['SANER-QM-PG-003'],
        reason: '_format=text/xml answered 406',
        assertions: [{ passed: false, message: '_format=text/xml gave 406' }],
        evidence: [{ kind: 'http', exchange: { ...xmlReadUnanswered, status: 406, url: 'http://sut.example/fhir/MeasureReport/mr-1?_format=text/xml' } }],
      },
      300,
    ),
    test(
      {
        id: `${SRC}/evaluate-measure`,
        suite: SRC,
        title: '$evaluate-measure answers',
        verdict: 'error',
        requirements: ['SANER-QM-SRC-004'],
        reason: 'connect ECONNREFUSED 10.0.0.1:443',
        evidence: [{ kind: 'http', exchange: transportError }],
      },
      400,
    ),
    test(
      {
        id: `${FMT}/profile-valid`,
        suite: FMT,
        title: 'Returned MeasureReports conform to the SANER profile',
        verdict: 'fail',
        requirements: ['SANER-PR-004', 'SANER-PR-005'],
        reason: '2 validation errors',
        assertions: [
          { passed: false, message: 'MeasureReport/mr-1 is valid against the SANER profile', requirement: 'SANER-PR-004', requirements: ['SANER-PR-004'] },
          { passed: false, message: 'supplemental data is well-formed', requirement: 'SANER-PR-005', requirements: ['SANER-PR-005'] },
        ],
        evidence: [
          { kind: 'http', exchange: xmlRead },
          {
            kind: 'validation',
            subject: 'MeasureReport/mr-1',
            issues: [
              { severity: 'error', code: 'required', message: 'period.end is required', expression: 'MeasureReport.period.end', rule: 'SANER-PR-004' },
              { severity: 'warning', code: 'invariant', message: `subject should be a Location ${HOSTILE}`, expression: 'MeasureReport.subject' },
            ],
          },
        ],
      },
      500,
    ),
    test(
      {
        id: `${FMT}/csv-option`,
        suite: FMT,
        title: 'CSV export',
        verdict: 'skip',
        requirements: ['SANER-CSV-001'],
        reason: 'CSV option not claimed',
      },
      600,
    ),
    test(
      {
        id: `${CON}/accepts-report`,
        suite: CON,
        title: 'Consumer accepts a valid MeasureReport',
        verdict: 'fail',
        requirements: ['SANER-PM-CON-001', 'SANER-PM-FMT-JSON'],
        reason: 'valid report refused with 422',
        assertions: [{ passed: false, message: 'expected 201, got 422' }],
        evidence: [{ kind: 'http', exchange: inboundPost }],
      },
      2_000,
    ),
    test(
      {
        id: `${CON}/attest-retention`,
        suite: CON,
        title: 'Consumer retains reports for the reporting period',
        verdict: 'manual',
        requirements: ['SANER-PM-CON-002'],
        reason: 'needs the vendor to attest retention',
      },
      2_100,
    ),
  ];
  const counts = { pass: 0, fail: 0, warning: 0, skip: 0, error: 0, manual: 0 };
  for (const t of tests) counts[t.verdict]++;
  return {
    schemaVersion: 1,
    harness: { name: 'measure-conformance', version: '0.1.0' },
    sut: { name: 'Acme <Reporting> Server', baseUrl: 'http://sut.example/fhir', simulated: false, software: { name: 'Acme FHIR', version: '4.2.1', fhirVersion: '4.0.1' } },
    startedAt: at(0),
    finishedAt: at(83_500),
    interrupted: false,
    overall: 'fail',
    counts,
    capabilities: [
      { url: SOURCE_CS, title: 'SANER Measure Source', shall: { passed: 4, total: 8 }, should: { passed: 0, total: 1 } },
      { url: CONSUMER_CS, title: 'SANER Measure Consumer', shall: { passed: 0, total: 3 }, should: { passed: 0, total: 1 } },
      { url: CSV_CS, title: 'SANER Measure Source, CSV option', shall: { passed: 0, total: 1 }, should: { passed: 0, total: 0 } },
    ],
    suites: [
      {
        id: SRC,
        title: 'SANER Query Measure: Measure Source',
        actorUnderTest: 'MeasureSource',
        role: 'server',
        capabilities: [SOURCE_CS],
        target: 'http://sut.example/fhir',
        testIds: tests.filter((t) => t.suite === SRC).map((t) => t.id),
        startedAt: at(0),
        durationMs: 450,
        dataSet: { kind: 'discovered', description: 'MeasureReport mr-1 found by searching the SUT' },
        setupEvidence: [
          { kind: 'http', exchange: { ...jsonSearch, url: 'http://sut.example/fhir/MeasureReport?_count=1', startedAt: at(1) } },
          { kind: 'note', text: 'using MeasureReport/mr-1' },
        ],
      },
      {
        id: FMT,
        title: 'SANER formats and profiles: Measure Source',
        actorUnderTest: 'MeasureSource',
        role: 'server',
        capabilities: [SOURCE_CS, CSV_CS],
        target: 'http://sut.example/fhir',
        testIds: tests.filter((t) => t.suite === FMT).map((t) => t.id),
        startedAt: at(500),
        durationMs: 150,
        dataSet: { kind: 'seeded', description: 'the project fixtures, PUT with their ids' },
      },
      {
        id: CON,
        title: 'SANER Produce Measure: Measure Consumer',
        actorUnderTest: 'MeasureConsumer',
        role: 'client',
        capabilities: [CONSUMER_CS],
        target: 'http://127.0.0.1:41234/fhir',
        testIds: tests.filter((t) => t.suite === CON).map((t) => t.id),
        startedAt: at(2_000),
        durationMs: 200,
      },
    ],
    requirements: [
      {
        id: 'SANER-QM-SRC-001',
        expectation: 'SHALL',
        statement: 'Search MeasureReport by measure and date',
        source: 'SANER transaction-1',
        capability: SOURCE_CS,
        element: 'MeasureReport.searchParam[date]',
        verdict: 'pass',
        tests: [`${SRC}/search-by-measure-and-date`],
      },
      {
        id: 'SANER-QM-PG-008',
        expectation: 'SHALL',
        statement: '_count limits the page size and provides a next link',
        source: 'SANER transaction-1',
        capability: SOURCE_CS,
        element: 'MeasureReport.searchParam[_count]',
        verdict: 'fail',
        tests: [`${SRC}/count-paging`],
      },
      {
        id: 'SANER-QM-PG-002',
        expectation: 'SHALL',
        statement: 'Return XML or JSON as requested',
        source: 'SANER transaction-1',
        capability: SOURCE_CS,
        element: 'format',
        verdict: 'pass',
        tests: [`${SRC}/read-xml`],
      },
      {
        id: 'SANER-QM-PG-003',
        expectation: 'SHOULD',
        statement: 'Answer legacy _format values',
        source: 'SANER transaction-1',
        capability: SOURCE_CS,
        element: 'format',
        verdict: 'warning',
        tests: [`${SRC}/legacy-format`],
      },
      {
        id: 'SANER-QM-SRC-004',
        expectation: 'SHALL',
        statement: 'Support $evaluate-measure',
        source: 'SANER transaction-1',
        capability: SOURCE_CS,
        element: 'Measure.operation[evaluate-measure]',
        verdict: 'error',
        tests: [`${SRC}/evaluate-measure`],
      },
      {
        id: 'SANER-QM-SRC-005',
        expectation: 'SHALL',
        statement: 'Support read of MeasureReport',
        source: 'SANER transaction-1',
        capability: SOURCE_CS,
        element: 'MeasureReport.interaction[read]',
        verdict: 'not-tested',
        tests: [],
        notTestedReason: 'covered by the search tests only',
      },
      {
        id: 'SANER-PR-004',
        expectation: 'SHALL',
        statement: 'MeasureReport conforms to PublicHealthMeasureReport',
        source: 'SANER profiles',
        capability: SOURCE_CS,
        element: 'MeasureReport.supportedProfile',
        verdict: 'fail',
        tests: [`${FMT}/profile-valid`],
      },
      {
        id: 'SANER-PR-005',
        expectation: 'MAY',
        statement: 'MeasureReport may carry supplemental data',
        source: 'SANER profiles',
        capability: SOURCE_CS,
        element: 'MeasureReport.supportedProfile',
        verdict: 'fail',
        tests: [`${FMT}/profile-valid`],
      },
      {
        id: 'SANER-QM-FMT-JSON',
        expectation: 'SHALL',
        statement: 'Query Measure answers in JSON',
        source: 'SANER transaction-1',
        capability: SOURCE_CS,
        element: 'format[json]',
        verdict: 'pass',
        tests: [`${SRC}/search-by-measure-and-date`],
      },
      {
        id: 'SANER-QM-FMT-XML',
        expectation: 'SHALL',
        statement: 'Query Measure answers in XML',
        source: 'SANER transaction-1',
        capability: SOURCE_CS,
        element: 'format[xml]',
        verdict: 'pass',
        tests: [`${SRC}/read-xml`],
      },
      {
        id: 'SANER-CSV-001',
        expectation: 'MAY',
        statement: 'Export MeasureReports as CSV',
        source: 'SANER CSV',
        capability: CSV_CS,
        element: 'MeasureReport.operation[csv]',
        verdict: 'skip',
        tests: [`${FMT}/csv-option`],
      },
      {
        id: 'SANER-CSV-002',
        expectation: 'SHALL',
        statement: 'Answer $search-csv with text/csv',
        source: 'SANER CSV',
        capability: CSV_CS,
        element: 'MeasureReport.operation[search-csv]',
        verdict: 'not-tested',
        tests: [],
        notTestedReason: 'option CSV not claimed',
      },
      {
        id: 'SANER-PM-CON-001',
        expectation: 'SHALL',
        statement: 'Accept a valid MeasureReport with 201',
        source: 'SANER transaction-2',
        capability: CONSUMER_CS,
        element: 'MeasureReport.interaction[create]',
        verdict: 'fail',
        tests: [`${CON}/accepts-report`],
      },
      {
        id: 'SANER-PM-CON-002',
        expectation: 'SHOULD',
        statement: 'Retain received reports',
        source: 'SANER transaction-2',
        capability: CONSUMER_CS,
        element: 'MeasureReport.interaction[create]',
        verdict: 'manual',
        tests: [`${CON}/attest-retention`],
      },
      {
        id: 'SANER-PM-FMT-JSON',
        expectation: 'SHALL',
        statement: 'Produce Measure accepts JSON',
        source: 'SANER transaction-2',
        capability: CONSUMER_CS,
        element: 'format[json]',
        verdict: 'fail',
        tests: [`${CON}/accepts-report`],
      },
      {
        id: 'SANER-PM-FMT-XML',
        expectation: 'SHALL',
        statement: 'Produce Measure accepts XML',
        source: 'SANER transaction-2',
        capability: CONSUMER_CS,
        element: 'format[xml]',
        verdict: 'not-tested',
        tests: [],
        notTestedReason: 'actor not selected in this run',
      },
      {
        id: 'FHIR-HTTP-001',
        expectation: 'SHALL',
        statement: `Errors carry an OperationOutcome ${HOSTILE}`,
        source: 'FHIR R4 http',
        verdict: 'not-tested',
        tests: [],
        notTestedReason: 'no error path exercised in this run',
      },
      { id: 'FHIR-HTTP-002', expectation: 'SHOULD-NOT', statement: 'Do not send DSTU2 mime types', source: 'FHIR R4 http', verdict: 'pass', tests: [`${SRC}/read-xml`] },
    ],
    tests,
    applicability: [
      {
        kind: 'actor',
        name: 'MeasureSource (SANER Query Measure)',
        capabilities: [SOURCE_CS],
        suites: [SRC, FMT],
        claimed: true,
        source: 'capability-statement',
        reason: 'the CapabilityStatement lists MeasureReport search with the SANER parameters',
      },
      {
        kind: 'actor',
        name: 'MeasureConsumer (SANER Produce Measure)',
        capabilities: [CONSUMER_CS],
        suites: [CON],
        claimed: true,
        source: 'config',
        reason: 'sut.actors in config.yaml names MeasureConsumer',
      },
      { kind: 'option', name: 'CSV', capabilities: [CSV_CS], suites: [FMT], claimed: false, source: 'capability-statement', reason: 'no $search-csv in the CapabilityStatement and none in config' },
    ],
    writes: [
      { type: 'MeasureReport', id: 'mc-seed-1', by: 'seed', interaction: 'update', cleanup: 'deleted' },
      { type: 'Measure', id: 'mc-seed-2', by: 'seed', interaction: 'update', cleanup: 'not-removed', note: 'DELETE answered 405' },
    ],
    ruleSets: [{ ig: 'IHE mADX', ruleSet: 'trial-implementation', reason: 'the default' }],
  };
}

/** A run with many tests and large bodies, to look at output size. */
export function bigResults(testCount: number, bodyBytes: number): RunResults {
  const base = sampleResults();
  const body = JSON.stringify({ resourceType: 'Bundle', entry: Array.from({ length: Math.ceil(bodyBytes / 300) }, (_, i) => ({ resource: { ...measureReport, id: `mr-${i}` } })) });
  const suite = base.suites[0]!;
  const tests: TestResult[] = Array.from({ length: testCount }, (_, i) =>
    test(
      {
        id: `${suite.id}/t${i}`,
        suite: suite.id,
        title: `Generated test ${i}`,
        verdict: i % 7 === 0 ? 'fail' : 'pass',
        requirements: ['SANER-QM-SRC-001', 'SANER-QM-PG-008'],
        assertions: [{ passed: i % 7 !== 0, message: 'status is 200' }],
        evidence: [{ kind: 'http', exchange: { ...jsonSearch, responseBody: { text: body, size: body.length, truncated: false } } }],
      },
      i,
    ),
  );
  const ids = tests.map((t) => t.id);
  return {
    ...base,
    suites: [{ ...suite, testIds: ids }],
    tests,
    requirements: base.requirements.map((r) => (r.id === 'SANER-QM-SRC-001' || r.id === 'SANER-QM-PG-008' ? { ...r, tests: ids } : { ...r, tests: [] })),
  };
}
