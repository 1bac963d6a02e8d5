/**
 * Actor-level rules of SANER actors.md that no CapabilityStatement carries. Each is filed under
 * the CapabilityStatement of the option it concerns, so the report shows it with that option.
 */
import type { Requirement } from '../requirement.js';
import {
  DATA_SOURCE_CM,
  MEASURE_COMPUTER_CM,
  MEASURE_DEFINITION_SOURCE_QMD,
  MEASURE_CONSUMER_PM_PUSH,
  MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
  MEASURE_CONSUMER_QM_PULL,
  MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
  MEASURE_SOURCE_QM_PULL,
} from './capabilities.js';

const ACTORS = 'SANER actors.md';

export const measureSourceActorRequirements: readonly Requirement[] = [
  {
    id: 'SANER-PG-SRC-001',
    expectation: 'SHALL',
    statement: 'A Measure Source implements the Pull Option, the Push Option or both; the options it claims decide which suites run against it.',
    source: `${ACTORS}, Measure Source (Table 3-1, options C1/C2)`,
    capability: MEASURE_SOURCE_QM_PULL,
  },
  {
    id: 'SANER-PG-SRC-002',
    expectation: 'SHALL',
    statement: 'A Measure Source with the Pull Option answers GET [base]/metadata with 200 and a CapabilityStatement.',
    source: `${ACTORS}, Measure Source, Pull Option`,
    capability: MEASURE_SOURCE_QM_PULL,
  },
  {
    id: 'SANER-PG-SRC-003',
    expectation: 'SHALL',
    statement: 'A Measure Source with the Supplemental Data Option sends a MeasureReport together with its supplemental-data resources in one HTTP batch interaction.',
    source: `${ACTORS}, Measure Source, Supplemental Data Option`,
    capability: MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
  },
  {
    id: 'SANER-PG-SRC-004',
    expectation: 'SHALL',
    statement: 'A Measure Source claiming the Supplemental Data Option also implements the Push Option.',
    source: `${ACTORS}, Measure Source, Supplemental Data Option`,
    capability: MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA,
  },
];

export const measureConsumerActorRequirements: readonly Requirement[] = [
  {
    id: 'SANER-PG-CON-001',
    expectation: 'SHALL',
    statement: 'A Measure Consumer implements the Pull Option, the Push Option or both; the options it claims decide which suites run against it.',
    source: `${ACTORS}, Measure Consumer (Table 3-1, options C1/C2)`,
    capability: MEASURE_CONSUMER_QM_PULL,
  },
  {
    id: 'SANER-PG-CON-002',
    expectation: 'SHALL',
    statement: 'A Measure Consumer with the Push Option answers GET [base]/metadata with 200 and a CapabilityStatement (with only the Pull Option it is a client and needs none).',
    source: `${ACTORS}, Measure Consumer, Push Option`,
    capability: MEASURE_CONSUMER_PM_PUSH,
  },
  {
    id: 'SANER-PG-CON-003',
    expectation: 'SHALL',
    statement: 'A Measure Consumer with the Supplemental Data Option accepts a MeasureReport together with its supplemental-data resources in one HTTP batch interaction.',
    source: `${ACTORS}, Measure Consumer, Supplemental Data Option`,
    capability: MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
  },
  {
    id: 'SANER-PG-CON-004',
    expectation: 'SHALL',
    statement: 'A Measure Consumer claiming the Supplemental Data Option also implements the Push Option.',
    source: `${ACTORS}, Measure Consumer, Supplemental Data Option`,
    capability: MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
  },
];

const metadata = (id: string, actor: string, when: string, capability: string): Requirement => ({
  id,
  expectation: 'SHALL',
  statement: `${actor}${when} answers GET [base]/metadata with 200 and a CapabilityStatement.`,
  source: `${ACTORS}, ${actor.replace(/^an? /i, '')}`,
  capability,
});

/** Intermediary, definition, computation and security rows; the Intermediary has no statement of its own, so its rows sit with the Source and Consumer ones it is tested as. */
export const otherActorRequirements: readonly Requirement[] = [
  metadata('SANER-INT-PG-001', 'A Measure Intermediary', ' whose Consumer side uses the Push Option', MEASURE_CONSUMER_PM_PUSH),
  metadata('SANER-INT-PG-002', 'A Measure Intermediary', ' whose Source side uses the Pull Option', MEASURE_SOURCE_QM_PULL),
  metadata('SANER-PG-MDS-001', 'A Measure Definition Source', '', MEASURE_DEFINITION_SOURCE_QMD),
  {
    id: 'SANER-PG-MC-001',
    expectation: 'SHALL',
    statement: 'A Measure Computer makes its reports available through the Pull Option or the Push Option of its grouped Measure Source.',
    source: `${ACTORS}, Measure Computer`,
    capability: MEASURE_COMPUTER_CM,
  },
  metadata('SANER-PG-MC-002', 'A Measure Computer', ' with the Pull Option', MEASURE_COMPUTER_CM),
  metadata('SANER-PG-DS-001', 'A Data Source', '', DATA_SOURCE_CM),
  {
    id: 'SANER-SEC-001',
    expectation: 'SHOULD',
    statement: 'A Measure Source records an audit event (a FHIR AuditEvent conforming to AuditEventBase) for each exchange; the same applies to every SANER client and server.',
    source: 'SANER security considerations and test plan (audit events)',
    capability: MEASURE_SOURCE_QM_PULL,
  },
];
