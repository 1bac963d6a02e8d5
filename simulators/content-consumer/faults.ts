/**
 * Fault modes of the Content Consumer, each breaking one row of the QRPH-58 / LAB-90 response
 * tables, so a Content Consumer suite can show it fails when it should. The core's own faults
 * (accept-invalid, accept-wrong-media-type, ignore-if-match, operation-outcome-missing, …) apply too.
 */
import type { FaultModeDef } from '../../src/fhir/server/index.js';

export const contentConsumerFaults: FaultModeDef[] = [
  { id: 'wrong-success-code', description: 'Answers an accepted report or Bundle with 204 instead of 200/201', breaks: ['MADX-CON-001', 'RPC-CON-001'] },
  { id: 'bundle-issue-without-expression', description: 'The OperationOutcome of an invalid Bundle entry has no issue.expression', breaks: ['MADX-CON-016'] },
  { id: 'bundle-severity-error', description: 'The OperationOutcome of an invalid Bundle entry has severity error instead of fatal', breaks: ['MADX-CON-017'] },
  { id: 'bundle-single-outcome', description: 'Answers an invalid Bundle with one OperationOutcome holding every entry\'s issues (the A4 warning form)', breaks: ['MADX-CON-015'] },
  { id: 'bundle-accept-partial', description: 'Stores the valid entries of a Bundle with invalid ones and answers 200', breaks: ['MADX-CON-013', 'MADX-CON-015'] },
  { id: 'async-no-content-location', description: 'Answers 202 without a Content-Location (or Location) status URL', breaks: ['MADX-CON-020', 'RPC-CON-015'] },
  { id: 'redirect-loop', description: 'The status URL redirects (303) to itself for ever, so no final answer is reached', breaks: ['MADX-CON-020', 'MADX-CON-021', 'RPC-CON-015'] },
  { id: 'no-501', description: 'Answers a method it does not implement (DELETE, PATCH) with 200 as if done, instead of 501', breaks: ['MADX-CON-012', 'RPC-CON-011'] },
  { id: 'auth-403', description: 'Requires credentials no client has and refuses every request but metadata with 403 instead of 401', breaks: ['MADX-CON-008', 'RPC-CON-007'] },
  { id: 'ignore-measure-codes', description: 'Takes group, population and stratifier codes the named Measure does not define', breaks: ['MADX-MR-013', 'RPC-CRE-007'] },
  { id: 'ignore-terminology', description: 'Validate option: takes disaggregation values outside the code set the Measure links to their dimension', breaks: ['MADX-OPT-002', 'MADX-OPT-004'] },
  { id: 'ignore-unknown-subject', description: 'Validate option: takes a report whose subject is no facility of the mCSD directory', breaks: ['MADX-OPT-003'] },
  { id: 'plain-http', description: 'Serves plain http even when given a certificate', breaks: ['MADX-CON-003', 'MADX-SEC-001', 'RPC-CON-003', 'RPC-SEC-001'] },
  { id: 'xml-bodies-400', description: 'Answers every application/fhir+xml submission 400 without reading it (while its CapabilityStatement still lists XML)', breaks: ['MADX-CON-FMT-XML', 'MADX-CON-004', 'RPC-CON-FMT-XML', 'RPC-CON-004'] },
  { id: 'unserved-type-400', description: 'Answers a request for a resource type it does not serve 400 instead of 404', breaks: ['MADX-CON-009', 'RPC-CON-008'] },
  { id: 'ignore-body-id', description: 'Stores a PUT under the URL id whatever id the body carries, or none, instead of answering 400', breaks: ['MADX-CON-007'] },
  { id: 'auth-ignored', description: 'Serves every request whatever its credentials, even with a bearer token configured (no 401)', breaks: ['MADX-CON-008', 'RPC-CON-007'] },
];
