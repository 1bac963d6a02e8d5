/**
 * Compute Measure (transaction-4, COMPUTE-MX) rules from the transaction page and
 * measure_automation.md that carry a level; the behavioural descriptions without one are not
 * requirements.
 */
import type { Requirement } from '../../src/engine/results.js';
import { DATA_SOURCE_CM, MEASURE_COMPUTER_CM } from './capabilities.js';

const AUTOMATION = 'SANER measure_automation.md';

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
      'A computable Measure writes all population criteria in one language (text/fhirpath, text/cql or application/x-fhir-query), names its parameters [A-Z][A-Za-z0-9.]+ without duplicates or clashes with the predefined names, lists the value sets it uses in a referenced Library\'s relatedArtifact, and writes FHIR queries relative to the server base, RFC 3986-encoded; the Measure Computer relies on this.',
    source: `${AUTOMATION}, writing computable measures`,
    capability: MEASURE_COMPUTER_CM,
  },
];
