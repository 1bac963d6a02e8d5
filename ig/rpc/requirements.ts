/**
 * IHE PaLM RPC 0.1.0 (CI build), Send Concordance Report [LAB-90]: every requirement of the
 * digest's §9 list in the project's words, with the digest's ids; the status-code table (§4),
 * expected actions (§5), asynchronous answers (§6), security (§8) and CapabilityStatement facts
 * (§7) are folded into those rows as the digest numbers them. Where the digest's §11 settles an
 * ambiguity (B1–B7) the statement follows the recommended choice and names it. `SHALL (cond.)`
 * is SHALL on its condition; `info`, `none` and derived-only rows are MAY. The RPC-ALN-* rows are
 * mADX rules RPC does not state: informational, never an RPC failure.
 */
import { defineRequirements, requirementsOf } from '../requirement.js';
import { RPC_CONTENT_CONSUMER, RPC_CONTENT_CREATOR } from './capabilities.js';

const LAB90 = 'IHE PaLM RPC 0.1.0 LAB-90';

const creator = requirementsOf(RPC_CONTENT_CREATOR);
const consumer = requirementsOf(RPC_CONTENT_CONSUMER);

const creatorRows = [
  creator('RPC-CRE-001', 'SHALL', `${LAB90} Message Semantics`, 'When triggered, the Content Creator sends its concordance report with Send Concordance Report.'),
  creator(
    'RPC-CRE-002',
    'SHALL',
    `${LAB90} "FHIR create" (digest B1)`,
    'The report is sent as a FHIR create, POST [base]/MeasureReport; a PUT to [base]/MeasureReport/[id] is a warning and a PUT without an id a failure (B1).',
    { element: 'rest.resource[MeasureReport].interaction[create]' },
  ),
  creator('RPC-CRE-003', 'SHALL', `${LAB90} message semantics table`, 'The Content Creator sends to an https URL.'),
  creator('RPC-CRE-004', 'SHALL', `${LAB90} message semantics table`, 'The request is labelled Content-Type application/fhir+json or application/fhir+xml and the body is in that encoding.', {
    element: 'format',
  }),
  creator('RPC-CRE-005', 'MAY', `${LAB90} message semantics table`, 'The Content Creator can send headers the Consumer requires, such as Authorization.'),
  creator(
    'RPC-CRE-006',
    'SHALL',
    `${LAB90} message semantics table ("valid RPC data payload"; digest B5)`,
    "The body is one MeasureReport that meets every SHALL rule of the RPC content (RPC-MR-*), the project's rule set written from the LAB-90 text since Section 8.2 does not exist (B5).",
  ),
  creator(
    'RPC-CRE-007',
    'SHALL',
    `${LAB90} Message Semantics (derived check)`,
    "The report meets the configured RPC Measure: MeasureReport.measure is that Measure's canonical and group and stratifier codes come from it.",
    { element: 'MeasureReport.measure' },
  ),
  creator('RPC-CRE-008', 'SHOULD', `${LAB90} response note`, 'On a 401, a 5xx or a network failure the Content Creator reports an error and does not count the report as delivered.'),
  creator('RPC-CRE-009', 'SHOULD', `${LAB90} status-code table (303)`, 'After a 303 answer the Content Creator GETs the URL in Location.'),
];

const contentRows = [
  creator('RPC-MR-001', 'SHALL', LAB90, 'MeasureReport.subject is present.', { element: 'MeasureReport.subject' }),
  creator(
    'RPC-MR-002',
    'SHALL',
    `${LAB90} (digest B6)`,
    "subject refers to a Patient or a Group (by the reference's type prefix or the contained resource it points to); a reference whose type cannot be told is a warning (B6).",
    { element: 'MeasureReport.subject' },
  ),
  creator('RPC-MR-003', 'SHALL', `${LAB90}; FHIR R4 MeasureReport`, 'MeasureReport.period is present with both a start and an end.', { element: 'MeasureReport.period' }),
  creator(
    'RPC-MR-004',
    'SHALL',
    `${LAB90} ("group.coding.code", read as group.code.coding.code)`,
    'The report has at least one group, and every group has a code.coding whose codings each have a code.',
    { element: 'MeasureReport.group.code.coding.code' },
  ),
  creator('RPC-MR-005', 'SHALL', `${LAB90} ("stratifier.stratum.value")`, 'Every stratum of every stratifier has a value (a CodeableConcept).', {
    element: 'MeasureReport.group.stratifier.stratum.value',
  }),
  creator(
    'RPC-MR-006',
    'SHALL',
    'FHIR R4 MeasureReport invariant mrp-2 (digest B4)',
    'No stratum has both a value and components, so RPC strata carry no components (B4: the repository example that has both is not a valid fixture).',
    { element: 'MeasureReport.group.stratifier.stratum.component' },
  ),
  creator('RPC-MR-007', 'SHALL', 'FHIR R4 MeasureReport', 'status is complete, pending or error; type is individual, subject-list, summary or data-collection; measure is present.', {
    element: 'MeasureReport.status, type, measure',
  }),
  creator('RPC-MR-008', 'SHALL', 'FHIR R4 MeasureReport invariant mrp-1', 'A data-collection report has no group, so with RPC-MR-004 the type is never data-collection.', {
    element: 'MeasureReport.type',
  }),
  creator('RPC-MR-009', 'SHOULD', `${LAB90} (derived)`, 'The report has at least one stratifier with at least one stratum, since the text asks for a stratum value in each report.', {
    element: 'MeasureReport.group.stratifier',
  }),
];

const consumerRows = [
  consumer(
    'RPC-CON-001',
    'SHALL',
    `${LAB90} Message Semantics, Expected Actions (digest B2)`,
    'A valid RPC MeasureReport sent by POST [base]/MeasureReport is accepted with 201 (FHIR create) or 200 (the RPC table, B2) and is then readable or shown processed.',
    { element: 'rest.resource[MeasureReport].interaction[create]' },
  ),
  consumer('RPC-CON-002', 'SHALL', `${LAB90} response`, 'Every request is answered with an HTTP status code.'),
  consumer('RPC-CON-003', 'SHALL', `${LAB90} message semantics table`, 'The Content Consumer serves its endpoint over https.', { element: 'rest.security' }),
  consumer(
    'RPC-CON-004',
    'SHALL',
    `${LAB90} message semantics table; ITI TF-2 Appendix Z (derived)`,
    'Bodies labelled application/fhir+json and bodies labelled application/fhir+xml are both processed, because the Creator may choose either: accepted and held as sent (read back); escaping a 415 is not enough. RPC-CON-FMT-JSON and RPC-CON-FMT-XML give the verdict of each format.',
    { element: 'format' },
  ),
  consumer('RPC-CON-005', 'SHALL', `${LAB90} Expected Actions; status-code table (415)`, 'A body with a Content-Type that is not a FHIR media type is answered 415.'),
  consumer('RPC-CON-006', 'SHALL', `${LAB90} Expected Actions; status-code table (400)`, 'A body that does not parse, or is not FHIR, is answered 400.'),
  consumer(
    'RPC-CON-007',
    'SHALL',
    `${LAB90} status-code table (401)`,
    'A Consumer that requires authorization answers 401 to missing or wrong credentials: with credentials configured for the run (or the bearer token the reference Consumer demands), a request with none and one with a wrong one are each refused with 401.',
    { element: 'rest.security' },
  ),
  consumer('RPC-CON-008', 'SHALL', `${LAB90} status-code table (404)`, 'A request for a resource type the Consumer does not serve is answered 404.'),
  consumer('RPC-CON-009', 'SHALL', `${LAB90} status-code table (405)`, 'A Consumer that takes PUT but not client-chosen ids answers 405 to a PUT at a new id.'),
  consumer('RPC-CON-010', 'SHALL', `${LAB90} status-code table (409/412); FHIR R4 http.html`, 'A Consumer that keeps versions answers a stale If-Match with 412 (409 accepted).', {
    element: 'rest.resource[MeasureReport].versioning',
  }),
  consumer('RPC-CON-011', 'SHALL', `${LAB90} status-code table (501)`, 'A method the Consumer does not implement is answered 501 (405 tolerated; the report says which).'),
  consumer(
    'RPC-CON-012',
    'SHALL',
    `${LAB90} Expected Actions; status-code table (422)`,
    'A MeasureReport that parses but breaks a SHALL rule of the RPC content (RPC-MR-*) is answered 422; a 400 is tolerated as a warning, since RPC only asks for "appropriate error codes".',
  ),
  consumer(
    'RPC-CON-013',
    'SHOULD',
    `${LAB90} Expected Actions ("should include") (digest B7)`,
    'Error answers carry an OperationOutcome naming the table code: a valid IssueType in issue.code, and the HTTP number in details or diagnostics (its absence a warning).',
  ),
  consumer('RPC-CON-014', 'SHOULD', `${LAB90} response ("expected synchronously") (digest B3)`, 'The final status comes back synchronously, with no 202 or 303.'),
  consumer('RPC-CON-015', 'MAY', `${LAB90} status-code table (202) (digest B3)`, 'A Consumer answering 202 gives a status URL whose polling ends in a final code or a 303.'),
  consumer('RPC-CON-016', 'MAY', `${LAB90} status-code table (303)`, 'A Consumer answering 303 gives a Location whose GET returns the result.'),
  consumer('RPC-CON-017', 'MAY', `${LAB90} message semantics table (derived)`, 'Unknown extra parameters do not break a valid submission.'),
  consumer(
    'RPC-CON-018',
    'SHALL',
    `${LAB90} Message Semantics ("consume ... according to the RPC Measure") (derived)`,
    "The Consumer consumes a report according to the RPC Measure it names: a report whose group or stratifier code that Measure does not define is refused (422; 400 tolerated as a warning, as for RPC-CON-012), while one using the Measure's codes is accepted. RPC Measures define no populations.",
  ),
  consumer(
    'RPC-CON-FMT-JSON',
    'SHALL',
    `${LAB90} message semantics table ("SHALL ... application/fhir+xml or application/fhir+json"); ITI TF-2 Appendix Z (derived)`,
    'Send Concordance Report in JSON: a valid report labelled application/fhir+json is accepted (201 or 200) and held as sent, since the Creator may choose JSON.',
    { element: 'format[json]' },
  ),
  consumer(
    'RPC-CON-FMT-XML',
    'SHALL',
    `${LAB90} message semantics table ("SHALL ... application/fhir+xml or application/fhir+json"); ITI TF-2 Appendix Z (derived)`,
    'Send Concordance Report in XML: a valid report labelled application/fhir+xml is accepted (201 or 200) and held as sent, since the Creator may choose XML; an answer that is not a 415 is not enough.',
    { element: 'format[xml]' },
  ),
];

const securityRows = [
  consumer('RPC-SEC-001', 'SHALL', `${LAB90} message semantics table (https)`, 'No exchange happens over plain HTTP.', { element: 'rest.security' }),
  consumer(
    'RPC-SEC-002',
    'SHOULD',
    `${LAB90} Security Considerations`,
    "Mutual authentication: the Consumer refuses a client that presents neither a credential nor a client certificate, and the Creator presents the credential a Consumer demands — both seen on the wire; whether the mechanism is appropriate under the jurisdiction's guidelines a person attests.",
    { element: 'rest.security' },
  ),
  consumer('RPC-SEC-003', 'SHOULD', `${LAB90} Security Considerations; Volume 1 XX.5`, 'Patient data is protected as PaLM TF-1 Appendix A, ATNA and IUA describe (a person attests it).'),
  consumer(
    'RPC-SEC-005',
    'SHOULD',
    `${LAB90} Security Considerations ("generic processing of RPC documents")`,
    'The Consumer takes adequate account of the security of processing RPC documents generically: an XML body with a DTD declaring an entity is refused with 400 and never expanded (derived, as mADX MADX-SEC-003 reads RFC 7303).',
  ),
  consumer('RPC-SEC-004', 'MAY', `${LAB90} Security Considerations`, 'LAB-90 asks for no ATNA audit event.', {
    notTestedReason: 'not applicable: the row places no obligation on any actor, so there is nothing to test or attest',
  }),
];

const capabilityRows = [
  consumer('RPC-CS-001', 'SHALL', `${LAB90} CapabilityStatement Resource`, 'GET [base]/metadata on the Consumer returns a CapabilityStatement.', { element: 'interaction[capabilities]' }),
  consumer(
    'RPC-CS-002',
    'SHALL',
    `${LAB90} CapabilityStatement Resource`,
    'That CapabilityStatement has a rest entry in server mode listing MeasureReport with the create (or update) interaction, showing the transaction is implemented.',
    { element: 'rest[mode=server].resource[MeasureReport].interaction' },
  ),
  consumer(
    'RPC-CS-003',
    'MAY',
    'RPC digest §7 (derived)',
    'The IHE CapabilityStatements LAB-90 links to do not exist; the harness uses its own IHE.RPC.ContentCreator and IHE.RPC.ContentConsumer and fails no SUT for not instantiating an IHE canonical.',
    {
      element: 'CapabilityStatement.instantiates',
      notTestedReason: 'a rule for the harness, not the Consumer: no test judges CapabilityStatement.instantiates, which the metadata test only notes',
    },
  ),
];

const alignmentRows = [
  consumer('RPC-ALN-001', 'MAY', 'IHE QRPH mADX QRPH-58 2:3.58.4.1.4 (alignment only)', 'Informational: the Consumer accepts a collection Bundle of RPC MeasureReports, as an mADX Consumer does.', {
    element: 'rest.resource[Bundle]',
  }),
  consumer(
    'RPC-ALN-002',
    'MAY',
    'IHE QRPH mADX QRPH-58 2:3.58.4.2.3 (alignment only)',
    'Informational: one OperationOutcome per invalid MeasureReport, with issue.expression locating it and severity fatal, as mADX asks.',
  ),
  consumer('RPC-ALN-003', 'MAY', 'IHE QRPH mADX QRPH-58 2:3.58.6 (alignment only)', 'Informational: mutual-authentication TLS is required, as mADX makes it (RPC only says should).', {
    element: 'rest.security',
  }),
];

export const requirements = defineRequirements([...creatorRows, ...contentRows, ...consumerRows, ...securityRows, ...capabilityRows, ...alignmentRows]);
