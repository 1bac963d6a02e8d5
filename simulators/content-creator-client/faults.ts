/**
 * The reference Content Creators' fault modes: each makes the sending client break one rule of
 * Send Aggregate Report [QRPH-58] or Send Concordance Report [LAB-90], so every test of the
 * Content Creator suites can be shown to fail when the client misbehaves.
 */
import { defineFaults, type FaultIds, type FaultMode } from '../../src/fhir/faults.js';

const shared = [
  { id: 'no-send', description: 'Sends nothing when triggered' },
  { id: 'wrong-content-type', description: 'Labels its JSON bodies application/json instead of application/fhir+json' },
  { id: 'wrong-measure', description: 'Names a Measure canonical other than the configured one in MeasureReport.measure' },
  { id: 'foreign-codes', description: 'Sends its reports under a group code the named Measure does not define' },
  { id: 'ignore-303', description: 'Treats a 303 See Other as the end of the exchange and never GETs its Location' },
  { id: 'plain-http-send', description: 'Sends over plain http to the endpoint it was given, even an https one' },
  { id: 'swallow-errors', description: 'Finishes as if delivered (no failure, exit status 0) when the Consumer answers 401 or 5xx' },
  { id: 'no-credential', description: 'Sends without the bearer token the Consumer demands (no Authorization header)' },
] as const satisfies readonly FaultMode[];

export const madxCreatorFaults = defineFaults([
  ...shared,
  { id: 'post-instead-of-put', description: 'Sends each report by POST [base]/MeasureReport instead of PUT [base]/MeasureReport/[id]' },
  { id: 'put-id-mismatch', description: 'PUTs to [base]/MeasureReport/[id] a body whose id differs from [id]' },
  { id: 'invalid-report', description: 'Sends its JSON report without MeasureReport.subject' },
  { id: 'bundle-as-batch', description: 'Sends its several reports as a batch Bundle with entry.request instead of a collection' },
  { id: 'bad-age-group', description: 'Adds an age component whose value is not an ADX age group (ISO 8601 duration range)' },
  { id: 'no-polling', description: 'Takes a 202 Accepted as the end of the exchange and never polls the status URL' },
]);

export const rpcCreatorFaults = defineFaults([
  ...shared,
  { id: 'put-instead-of-post', description: 'Sends its report by PUT [base]/MeasureReport/[id] instead of creating it with POST' },
  { id: 'put-without-id', description: 'Sends its report by PUT [base]/MeasureReport, with no id: not a FHIR update' },
  { id: 'invalid-report', description: 'Sends its JSON report with a stratum carrying components instead of a value' },
  { id: 'location-subject', description: 'Names a Location, not a Patient or Group, as the report subject' },
]);

/** What either Creator's sending code may ask its active faults. */
export type CreatorFault = FaultIds<typeof madxCreatorFaults | typeof rpcCreatorFaults>;
