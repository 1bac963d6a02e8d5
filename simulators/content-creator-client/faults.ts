/**
 * The reference Content Creators' fault modes: each makes the sending client break one rule of
 * Send Aggregate Report [QRPH-58] or Send Concordance Report [LAB-90], so every test of the
 * Content Creator suites can be shown to fail when the client misbehaves.
 */
import type { FaultModeDef } from '../../src/fhir/server/index.js';

const shared: readonly FaultModeDef[] = [
  { id: 'no-send', description: 'Sends nothing when triggered', breaks: ['MADX-CRE-001', 'RPC-CRE-001'] },
  { id: 'wrong-content-type', description: 'Labels its JSON bodies application/json instead of application/fhir+json', breaks: ['MADX-CRE-005', 'RPC-CRE-004'] },
  { id: 'wrong-measure', description: 'Names a Measure canonical other than the configured one in MeasureReport.measure', breaks: ['MADX-CRE-013', 'RPC-CRE-007'] },
  { id: 'foreign-codes', description: 'Sends its reports under a group code the named Measure does not define', breaks: ['MADX-MR-013', 'RPC-CRE-007'] },
  { id: 'ignore-303', description: 'Treats a 303 See Other as the end of the exchange and never GETs its Location', breaks: ['MADX-CRE-010', 'RPC-CRE-009'] },
  { id: 'plain-http-send', description: 'Sends over plain http to the endpoint it was given, even an https one', breaks: ['MADX-CRE-004', 'RPC-CRE-003'] },
  { id: 'swallow-errors', description: 'Finishes as if delivered (no failure, exit status 0) when the Consumer answers 401 or 5xx', breaks: ['MADX-CRE-009', 'RPC-CRE-008'] },
];

export const madxCreatorFaults: readonly FaultModeDef[] = [
  ...shared,
  { id: 'post-instead-of-put', description: 'Sends each report by POST [base]/MeasureReport instead of PUT [base]/MeasureReport/[id]', breaks: ['MADX-CRE-003'] },
  { id: 'put-id-mismatch', description: 'PUTs to [base]/MeasureReport/[id] a body whose id differs from [id]', breaks: ['MADX-CRE-003'] },
  { id: 'invalid-report', description: 'Sends its JSON report without MeasureReport.subject', breaks: ['MADX-CRE-001', 'MADX-CRE-007'] },
  { id: 'bundle-as-batch', description: 'Sends its several reports as a batch Bundle with entry.request instead of a collection', breaks: ['MADX-CRE-008'] },
  { id: 'bad-age-group', description: 'Adds an age component whose value is not an ADX age group (ISO 8601 duration range)', breaks: ['MADX-MR-014'] },
  { id: 'no-polling', description: 'Takes a 202 Accepted as the end of the exchange and never polls the status URL', breaks: ['MADX-CRE-011'] },
];

export const rpcCreatorFaults: readonly FaultModeDef[] = [
  ...shared,
  { id: 'put-instead-of-post', description: 'Sends its report by PUT [base]/MeasureReport/[id] instead of creating it with POST', breaks: ['RPC-CRE-002'] },
  { id: 'put-without-id', description: 'Sends its report by PUT [base]/MeasureReport, with no id: not a FHIR update', breaks: ['RPC-CRE-002'] },
  { id: 'invalid-report', description: 'Sends its JSON report with a stratum carrying components instead of a value', breaks: ['RPC-CRE-006'] },
  { id: 'location-subject', description: 'Names a Location, not a Patient or Group, as the report subject', breaks: ['RPC-CRE-006'] },
];
