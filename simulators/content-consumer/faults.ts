/**
 * Fault modes of the Content Consumer, each breaking one row of the QRPH-58 / LAB-90 response
 * tables, so a Content Consumer suite can show it fails when it should. The core's own faults
 * (accept-invalid, accept-wrong-media-type, ignore-if-match, operation-outcome-missing, …) apply too.
 */
import { defineFaults, type FaultIds } from '../../src/fhir/faults.js';
import type { ActiveFaultsOf } from '../../src/fhir/server/index.js';

export const contentConsumerFaults = defineFaults([
  { id: 'wrong-success-code', description: 'Answers an accepted report or Bundle with 204 instead of 200/201' },
  { id: 'bundle-issue-without-expression', description: 'The OperationOutcome of an invalid Bundle entry has no issue.expression' },
  { id: 'bundle-severity-error', description: 'The OperationOutcome of an invalid Bundle entry has severity error instead of fatal' },
  { id: 'bundle-single-outcome', description: "Answers an invalid Bundle with one OperationOutcome holding every entry's issues (the A4 warning form)" },
  { id: 'bundle-accept-partial', description: 'Stores the valid entries of a Bundle with invalid ones and answers 200' },
  { id: 'async-no-content-location', description: 'Answers 202 without a Content-Location (or Location) status URL' },
  { id: 'redirect-loop', description: 'The status URL redirects (303) to itself for ever, so no final answer is reached' },
  { id: 'no-501', description: 'Answers a method it does not implement (DELETE, PATCH) with 200 as if done, instead of 501' },
  { id: 'auth-403', description: 'Refuses a request with a missing or wrong credential with 403 instead of 401' },
  { id: 'ignore-measure-codes', description: 'Takes group, population and stratifier codes the named Measure does not define' },
  { id: 'ignore-terminology', description: 'Validate option: takes disaggregation values outside the code set the Measure links to their dimension' },
  { id: 'ignore-unknown-subject', description: 'Validate option: takes a report whose subject is no facility of the mCSD directory' },
  { id: 'plain-http', description: 'Serves plain http even when given a certificate' },
  { id: 'xml-bodies-400', description: 'Answers every application/fhir+xml submission 400 without reading it (while its CapabilityStatement still lists XML)' },
  { id: 'unserved-type-400', description: 'Answers a request for a resource type it does not serve 400 instead of 404' },
  { id: 'ignore-body-id', description: 'Stores a PUT under the URL id whatever id the body carries, or none, instead of answering 400' },
  { id: 'expand-entities', description: 'Reads the DTD of an XML body and expands the entities it declares instead of refusing it (RFC 7303)' },
  { id: 'auth-ignored', description: 'Serves every request whatever its credentials, even with a bearer token configured: it demands no authentication (no 401)' },
]);

export type ContentConsumerFault = FaultIds<typeof contentConsumerFaults>;
/** The faults the Consumer's own code sees: the core's and its own. */
export type ContentConsumerFaults = ActiveFaultsOf<ContentConsumerFault>;
