/**
 * Compute Measure (transaction-4, COMPUTE-MX) rules from the transaction page and
 * measure_automation.md that carry a level, the test plan's success criteria for the Measure
 * Computer, and the parameters of the IG's $evaluate-measure; the behavioural descriptions without
 * a level are not requirements.
 */
import type { Requirement } from '../requirement.js';
import { DATA_SOURCE_CM, MEASURE_COMPUTER_CM } from './capabilities.js';

const AUTOMATION = 'SANER measure_automation.md';
const TEST_PLAN = 'SANER test plan';
const EVALUATE = 'SANER OperationDefinition Measure-evaluate-measure';

/** The IG's own $evaluate-measure (not core R4's): instance level, these parameters only. */
const EVALUATE_PARAMS: readonly [number, string, string, string][] = [
  [1, 'periodEnd', 'in, 1..1, string, searchType date', '$evaluate-measure takes the end of the measurement period in periodEnd.'],
  [2, 'periodStart', 'in, 1..1, string, searchType date', '$evaluate-measure takes the start of the measurement period in periodStart.'],
  [
    3,
    'report',
    'in, 1..1, string',
    '$evaluate-measure with report=true stores the computed report (creating it, or updating the one with the same subject, reporter and period); with report=false (or absent, as the description allows against min=1) it only returns it.',
  ],
  [4, 'return', 'out, 1..1, MeasureReport', '$evaluate-measure returns the computed MeasureReport.'],
];

export const computeMeasurePageRequirements: readonly Requirement[] = [
  {
    id: 'SANER-CM-PG-003',
    expectation: 'SHALL',
    statement: 'The Data Source answers the searches of its CapabilityStatement (SANER-CM-DS-*); the content follows a national or regional IG, which SANER does not check.',
    source: 'SANER transaction-4 (Compute Measure, COMPUTE-MX), Data Source',
    capability: DATA_SOURCE_CM,
  },
  {
    id: 'SANER-CM-PG-004',
    expectation: 'SHALL',
    statement: 'When the Data Source does not support :in or :not-in, the Measure Computer expands the value set itself and sends the codes as a comma-separated list.',
    source: `${AUTOMATION}, value sets in queries`,
    capability: MEASURE_COMPUTER_CM,
  },
  {
    id: 'SANER-CM-PG-006',
    expectation: 'SHOULD',
    statement: 'When a population or stratum cannot be evaluated, the Measure Computer reports an evaluation error; it may fill the count or score with a data-absent-reason extension coded error.',
    source: `${AUTOMATION}, evaluation errors`,
    capability: MEASURE_COMPUTER_CM,
  },
  {
    id: 'SANER-CM-PG-007',
    expectation: 'SHALL',
    statement:
      'The Measure Computer gives expressions the predefined variables Base (the server base without a trailing /), Metadata, Measure, MeasureReport, PriorReport, Reporter, Subject, ValueSet, ReportingPeriod (start inclusive, end exclusive), PriorReportingPeriod, Today, Tomorrow, Yesterday and one per Library attachment named by its id; @Name in queries, %Name in FHIRPath, Name in CQL.',
    source: `${AUTOMATION}, predefined variables`,
    capability: MEASURE_COMPUTER_CM,
  },
  {
    id: 'SANER-CM-PG-008',
    expectation: 'SHALL',
    statement:
      "A computable Measure writes all population criteria in one language (text/fhirpath, text/cql or application/x-fhir-query), names its parameters [A-Z][A-Za-z0-9.]+ without duplicates or clashes with the predefined names, lists the value sets it uses in a referenced Library's relatedArtifact, and writes FHIR queries relative to the server base, RFC 3986-encoded; the Measure Computer relies on this.",
    source: `${AUTOMATION}, writing computable measures`,
    capability: MEASURE_COMPUTER_CM,
    notTestedReason: 'A rule for Measure authors, not a behaviour of a Measure Computer on the wire; the bundled computable Measures are held to it by test/simulators/generator.test.ts.',
  },
  {
    id: 'SANER-CM-PG-009',
    expectation: 'SHALL',
    statement:
      'The Measure Computer retrieves the current Measure (as a Measure Definition Consumer), computes values equal to the expected results for the test data, makes the report available by push or pull, and produces a new report when the Measure changes.',
    source: `${TEST_PLAN}, Measure Computer success criteria`,
    capability: MEASURE_COMPUTER_CM,
  },
  {
    id: 'SANER-TP-005',
    expectation: 'SHALL',
    statement:
      'Connected to a FHIR server with test patient data and triggered internally or through Measure/$evaluate-measure, the Measure Computer retrieves the current Measure, computes a report whose values match the expected results, publishes it (create) or exposes it (search), and a changed Measure yields a new report whose values match.',
    source: `${TEST_PLAN}, unit test of the Measure Computer`,
    capability: MEASURE_COMPUTER_CM,
  },
  {
    id: 'SANER-TP-INT-1',
    expectation: 'SHALL',
    statement:
      'Automated measure computation and reporting: the provider side pulls the computable Measure, computes it on the pre-loaded data and pushes the report to the public-health side (Measure Definition Source and Measure Consumer); the values match the known results.',
    source: `${TEST_PLAN}, integration test 1`,
    capability: MEASURE_COMPUTER_CM,
  },
  {
    id: 'SANER-TP-INT-2',
    expectation: 'SHALL',
    statement:
      "Exchanging updated Measure definitions: after the Measure is replaced by a new version, the next computation yields at least one different value, equal to the new version's expected result.",
    source: `${TEST_PLAN}, integration test 2`,
    capability: MEASURE_COMPUTER_CM,
  },
  ...EVALUATE_PARAMS.map(([n, name, shape, statement]) => ({
    id: `SANER-OP-EVAL-${String(n).padStart(3, '0')}`,
    expectation: 'SHALL' as const,
    statement: `${statement} (The OperationDefinition is normative for the operation's parameters, where a Measure Computer offers it.)`,
    source: `${EVALUATE}, parameter ${name} (${shape})`,
    capability: MEASURE_COMPUTER_CM,
  })),
];
