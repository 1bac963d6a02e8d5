/**
 * IHE QRPH mADX Send Aggregate Report [QRPH-58]: every requirement of the digest's §9 list in the
 * project's words, with the digest's ids. Rows that differ between the 3.0.0-comment text (the
 * default rule set, the text this project implements) and the 3.0.0 trial-implementation text say
 * under which text they apply; MADX-MR-015 is the comment text's own SHALL the digest folds into
 * MADX-MR-005. The response-code table
 * (§4), expected actions (§5), asynchronous answers (§6), security (§8) and CapabilityStatement
 * facts (§7) are folded into those rows, which is how the digest numbers them. Where the digest's
 * §11 settles an ambiguity (A1–A9) the statement follows the recommended choice and names it.
 * Expectations the engine does not know are mapped: `SHALL (cond.)` is SHALL on its condition,
 * `info`, `none` and derived-only rows are MAY.
 */
import { defineRequirements, requirementsOf } from '../requirement.js';
import { MADX_CONTENT_CONSUMER, MADX_CONTENT_CREATOR } from './capabilities.js';

const QRPH58 = 'IHE QRPH mADX 3.0.0 QRPH-58';
const VOL1 = 'IHE QRPH mADX 3.0.0 Volume 1';

const creator = requirementsOf(MADX_CONTENT_CREATOR);
const consumer = requirementsOf(MADX_CONTENT_CONSUMER);

const creatorRows = [
  creator('MADX-CRE-001', 'SHALL', `${VOL1} 1:6.1.1.3`, 'The Content Creator builds a MeasureReport that passes the mADX-MeasureReport rules and sends it to the Content Consumer.'),
  creator('MADX-CRE-002', 'MAY', `${QRPH58} 2:3.58.4.1.2`, 'The Content Creator may use Send Aggregate Report to deliver its report; not sending is never a failure.'),
  creator(
    'MADX-CRE-003',
    'SHALL',
    `${QRPH58} 2:3.58.4.1 (digest A1)`,
    'The report is sent as a FHIR update, PUT [base]/MeasureReport/[id], with the body id equal to [id]; a POST create is recorded as a warning (A1: the response section speaks of a POST).',
    { element: 'rest.resource[MeasureReport].interaction[update]' },
  ),
  creator('MADX-CRE-004', 'SHALL', `${QRPH58} Table 2:3.58.4.1.2-1`, 'The Content Creator sends to an https URL.'),
  creator(
    'MADX-CRE-005',
    'SHALL',
    `${QRPH58} Table 2:3.58.4.1.2-1`,
    'The request is labelled Content-Type application/fhir+json or application/fhir+xml (a charset parameter is fine) and the body is in that encoding.',
    { element: 'format' },
  ),
  creator('MADX-CRE-006', 'MAY', `${QRPH58} Table 2:3.58.4.1.2-1`, 'The Content Creator can add headers a Consumer asks for, such as Authorization, and then sends them on every request.'),
  creator('MADX-CRE-007', 'SHALL', `${QRPH58} Table 2:3.58.4.1.2-1; Volume 3 3:8.2`, 'Every MeasureReport in the body meets each SHALL rule of the mADX MeasureReport content (MADX-MR-*).', {
    element: 'rest.resource[MeasureReport].supportedProfile',
  }),
  creator(
    'MADX-CRE-008',
    'MAY',
    `${QRPH58} 2:3.58.4.1.4 (digest A3)`,
    'A Content Creator that sends several reports at once sends one Bundle of type collection whose entries are mADX MeasureReports without entry.request.',
    { element: 'rest.resource[Bundle]' },
  ),
  creator('MADX-CRE-009', 'SHOULD', `${QRPH58} 2:3.58.4.2.2 note`, 'On a 401, a 5xx or a network failure the Content Creator reports an error and does not count the report as delivered.'),
  creator('MADX-CRE-010', 'SHOULD', `${QRPH58} Table 2:3.58.4.2.2-1 (303)`, 'After a 303 answer the Content Creator GETs the URL in Location to learn the outcome.'),
  creator('MADX-CRE-011', 'MAY', `${QRPH58} 2:3.58.4.2.1`, 'After a 202 answer the Content Creator may poll the status URL until it gets a final answer.'),
  creator(
    'MADX-CRE-012',
    'SHALL',
    `${QRPH58} index "Required Support"; mADX-MeasureReport must-support`,
    'A Content Creator that knows the improvement notation fills in improvementNotation (must-support under the 3.0.0 trial-implementation text, where its absence alone is information, not a failure; the 3.0.0-comment text requires it, MADX-MR-015).',
    { element: 'MeasureReport.improvementNotation' },
  ),
  creator('MADX-CRE-013', 'SHALL', `${QRPH58} 2:3.58.4.2.2; ${VOL1} 1:6.1.1.4 (derived)`, 'MeasureReport.measure is the canonical url of the jurisdiction mADX Measure the test is configured with.', {
    element: 'MeasureReport.measure',
  }),
];

const contentRows = [
  creator('MADX-MR-001', 'SHALL', `${QRPH58} 2:3.58.4.1.2; mADX-MeasureReport`, 'MeasureReport.subject is present (any target the base resource allows).', { element: 'MeasureReport.subject' }),
  creator('MADX-MR-002', 'SHALL', 'mADX-MeasureReport', 'The report has at least one group.', { element: 'MeasureReport.group' }),
  creator('MADX-MR-003', 'SHALL', `${QRPH58} 2:3.58.4.1.2; mADX-MeasureReport`, 'Each group has a code with at least one coding, and each of those codings has a code.', {
    element: 'MeasureReport.group.code.coding.code',
  }),
  creator('MADX-MR-004', 'SHALL', `${QRPH58} 2:3.58.4.1.2; mADX-MeasureReport`, 'Each group has at least one population, and each population has a code and a count.', {
    element: 'MeasureReport.group.population',
  }),
  creator(
    'MADX-MR-005',
    'MAY',
    `${QRPH58} 2:3.58.4.1.2; mADX-MeasureReport (digest A9)`,
    'When given, improvementNotation is increase or decrease from the measure-improvement-notation code system; the 3.0.0 trial-implementation text lets it be left out (must-support), the 3.0.0-comment text requires it (MADX-MR-015).',
    { element: 'MeasureReport.improvementNotation' },
  ),
  creator('MADX-MR-006', 'SHALL', 'mADX-MeasureReport', 'Each stratifier a group carries has at least one stratum.', { element: 'MeasureReport.group.stratifier.stratum' }),
  creator('MADX-MR-007', 'SHALL', `${QRPH58} 2:3.58.4.1.2; mADX-MeasureReport`, 'Each stratum has a measureScore holding a value.', {
    element: 'MeasureReport.group.stratifier.stratum.measureScore.value',
  }),
  creator(
    'MADX-MR-008',
    'SHALL',
    `${QRPH58} 2:3.58.4.1.2; mADX-MeasureReport`,
    'Each stratum has at least one component, each with a code and a value: so under the 3.0.0 trial-implementation text; the 3.0.0-comment text (the default) makes stratum.component and stratum.value must-support, a stratum carrying one or the other, and asks only that a component has a code and a value.',
    { element: 'MeasureReport.group.stratifier.stratum.component' },
  ),
  creator(
    'MADX-MR-009',
    'SHALL',
    'FHIR R4 MeasureReport invariant mrp-2',
    'Each stratum has either a value or components, never both and never neither; under the trial-implementation rules, which require components, a stratum therefore carries no value.',
    { element: 'MeasureReport.group.stratifier.stratum' },
  ),
  creator(
    'MADX-MR-010',
    'SHALL',
    'mADX 3.0.0-comment mADX-MeasureReport (digest A9)',
    'Under the 3.0.0-comment text (the default rule set), a report with disaggregation gives each stratifier exactly one code; the 3.0.0 trial-implementation text does not require it.',
    { element: 'MeasureReport.group.stratifier.code' },
  ),
  creator(
    'MADX-MR-011',
    'SHALL',
    'FHIR R4 MeasureReport (digest A8)',
    'status is complete, pending or error; type is individual, subject-list, summary or data-collection; measure and period are present (A8: period stays required by base R4 though the mADX text dropped it).',
    { element: 'MeasureReport.status, type, measure, period' },
  ),
  creator('MADX-MR-012', 'SHALL', 'FHIR R4 MeasureReport invariant mrp-1 (derived)', 'type is not data-collection, since a data-collection report may have no group and mADX requires one.', {
    element: 'MeasureReport.type',
  }),
  creator(
    'MADX-MR-015',
    'SHALL',
    'mADX 3.0.0-comment QRPH-58 2:3.58.4.1.2; 3.0.0-comment mADX-MeasureReport (digest PROFILES.md §3, A9)',
    'Under the 3.0.0-comment text (the default rule set), MeasureReport.improvementNotation is present; the 3.0.0 trial-implementation text leaves it optional (MADX-MR-005).',
    { element: 'MeasureReport.improvementNotation' },
  ),
  creator(
    'MADX-MR-013',
    'SHOULD',
    `mADX-Measure element descriptions; ${QRPH58} 2:3.58.4.1.2 (derived)`,
    "Checked against the referenced mADX Measure: group codes, population codes and stratum component codes are the Measure's, and each component value is in the value set or code system its relatedArtifact (label = component code) names.",
  ),
  creator(
    'MADX-MR-014',
    'SHALL',
    'IHE QRPH mADX 3.0.0 Volume 3 3:8.3 (derived)',
    'Age disaggregation values follow the ADX age-group format (ISO 8601 duration ranges such as P0Y--P1Y), checkable only against a configured code system.',
    { element: 'MeasureReport.group.stratifier.stratum.component.value' },
  ),
];

const consumerRows = [
  consumer(
    'MADX-CON-001',
    'SHALL',
    `${QRPH58} 2:3.58.4.1.2; ${VOL1} 1:6.1.1.4 (digest A2)`,
    'A valid mADX MeasureReport sent by PUT is accepted with 200, or 201 when the PUT created it (A2), and can then be read back or is shown processed.',
    { element: 'rest.resource[MeasureReport].interaction[update]' },
  ),
  consumer('MADX-CON-002', 'SHALL', `${QRPH58} 2:3.58.4.1.3`, 'Every request is answered with an HTTP status code, directly or, when processing is asynchronous, by a 202 or 303 that leads to one.'),
  consumer('MADX-CON-003', 'SHALL', `${QRPH58} Table 2:3.58.4.1.2-1`, 'The Content Consumer serves its endpoint over https.', { element: 'rest.security' }),
  consumer(
    'MADX-CON-004',
    'SHALL',
    `${QRPH58} Table 2:3.58.4.1.2-1; ITI TF-2 Appendix Z (derived)`,
    'Bodies labelled application/fhir+json and bodies labelled application/fhir+xml are both processed, because the Creator may choose either: accepted and held as sent (read back); escaping a 415 is not enough. MADX-CON-FMT-JSON and MADX-CON-FMT-XML give the verdict of each format.',
    { element: 'format' },
  ),
  consumer(
    'MADX-CON-005',
    'SHALL',
    `${QRPH58} 2:3.58.4.2.3; Table 2:3.58.4.2.2-1 (415) (digest A5)`,
    'A body with a Content-Type that is not a FHIR media type (e.g. text/plain) is answered 415; plain application/json may be accepted or answered 415 (A5).',
  ),
  consumer('MADX-CON-006', 'SHALL', `${QRPH58} 2:3.58.4.2.3; Table 2:3.58.4.2.2-1 (400)`, 'A body that does not parse, or is not a FHIR resource, is answered 400.'),
  consumer('MADX-CON-007', 'SHALL', 'FHIR R4 http.html update', 'PUT [base]/MeasureReport/A with a body whose id is B, or has no id, is answered 400 (preferably with an OperationOutcome).'),
  consumer(
    'MADX-CON-008',
    'SHALL',
    `${QRPH58} Table 2:3.58.4.2.2-1 (401)`,
    'A Consumer that requires authorization answers 401 to a request with missing or wrong credentials: with credentials configured for the run (or the bearer token the reference Consumer demands), a request with none and one with a wrong one are each refused with 401 (an OperationOutcome being MADX-CON-019).',
    { element: 'rest.security' },
  ),
  consumer('MADX-CON-009', 'SHALL', `${QRPH58} Table 2:3.58.4.2.2-1 (404)`, 'A request for a resource type the Consumer does not serve is answered 404.'),
  consumer('MADX-CON-010', 'SHALL', `${QRPH58} Table 2:3.58.4.2.2-1 (405)`, 'A Consumer that does not let clients choose ids answers 405 to a PUT at an id it does not hold.'),
  consumer('MADX-CON-011', 'SHALL', `${QRPH58} Table 2:3.58.4.2.2-1 (409/412); FHIR R4 http.html`, 'A Consumer that keeps versions answers a PUT carrying a stale If-Match with 412 (409 accepted).', {
    element: 'rest.resource[MeasureReport].versioning',
  }),
  consumer('MADX-CON-012', 'SHALL', `${QRPH58} Table 2:3.58.4.2.2-1 (501)`, 'An HTTP method the Consumer does not implement on the endpoint is answered 501 (405 accepted; the report says which).'),
  consumer(
    'MADX-CON-013',
    'SHALL',
    `${QRPH58} 2:3.58.4.2.3`,
    'A well-formed FHIR MeasureReport that breaks a SHALL rule of the mADX content (MADX-MR-*) is answered 422 when no earlier error applies.',
  ),
  consumer('MADX-CON-014', 'SHALL', `${QRPH58} 2:3.58.4.2.3`, 'The 422 answer carries an OperationOutcome.'),
  consumer(
    'MADX-CON-015',
    'SHALL',
    `${QRPH58} 2:3.58.4.2.3 (digest A3, A4)`,
    'For a collection Bundle holding k invalid MeasureReports the answer has k OperationOutcomes, one per invalid report and none for valid ones: a collection Bundle of OperationOutcomes, or (a warning, A4) one OperationOutcome with one issue per invalid report.',
  ),
  consumer(
    'MADX-CON-016',
    'SHALL',
    `${QRPH58} 2:3.58.4.2.3`,
    'Each of those outcomes has an issue.expression FHIRPath selecting the invalid MeasureReport, e.g. Bundle.entry[2].resource, or MeasureReport for a single report.',
  ),
  consumer('MADX-CON-017', 'SHALL', `${QRPH58} 2:3.58.4.2.3 (typo: "expression" read as severity)`, 'Each of those issues has severity fatal.'),
  consumer(
    'MADX-CON-018',
    'SHALL',
    `${QRPH58} 2:3.58.4.2.3 (digest A6)`,
    'Each of those issues has an issue.code tied to the status-code table, which must be a valid IssueType code; the HTTP number belongs in issue.details.text, and a bare number in issue.code is reported as invalid FHIR (A6).',
  ),
  consumer('MADX-CON-019', 'SHOULD', 'FHIR R4 http.html Rejecting Updates', 'Every 400, 401, 404, 405, 409, 412 and 422 answer carries an OperationOutcome.'),
  consumer(
    'MADX-CON-020',
    'MAY',
    `${QRPH58} Table 2:3.58.4.2.2-1 (202); 2:3.58.4.2`,
    'The Consumer may answer 202 with a status URL (Content-Location); polling it ends in a final status code or a 303.',
  ),
  consumer('MADX-CON-021', 'MAY', `${QRPH58} Table 2:3.58.4.2.2-1 (303)`, 'The Consumer may answer 303 with a Location whose GET gives the result.'),
  consumer('MADX-CON-022', 'MAY', `${QRPH58} 2:3.58.4.2`, 'Status and result URLs may expire; a later 404 there is not a failure.', {
    notTestedReason: 'a permission, not an obligation: nothing a Consumer does can break it; the suite uses status and result URLs at once and never fails a later 404 there',
  }),
  consumer(
    'MADX-CON-023',
    'SHOULD',
    `${QRPH58} 2:3.58.4.1.4 (derived; digest A3)`,
    'A valid collection Bundle of MeasureReports, POSTed to [base] or [base]/Bundle (A3), is accepted with a 2xx and every report in it processed.',
    { element: 'rest.resource[Bundle]' },
  ),
  consumer(
    'MADX-CON-024',
    'SHOULD',
    'IHE QRPH mADX 3.0.0 index "Required Support"',
    'Reports with and without the must-support elements are accepted: with and without stratifiers under either text; under the 3.0.0 trial-implementation text with and without improvementNotation; under the 3.0.0-comment text (the default) strata given by value and strata given by components (both must-support).',
  ),
  consumer('MADX-CON-025', 'MAY', `${QRPH58} Table 2:3.58.4.1.2-1`, 'The Consumer may support extra request parameters; an unknown parameter does not break a valid submission (derived).'),
  consumer(
    'MADX-CON-FMT-JSON',
    'SHALL',
    `${QRPH58} Table 2:3.58.4.1.2-1 ("SHALL ... application/fhir+xml or application/fhir+json"); ITI TF-2 Appendix Z (derived)`,
    'Send Aggregate Report in JSON: a valid report labelled application/fhir+json is accepted (200 or 201) and held as sent, since the Creator may choose JSON.',
    { element: 'format[json]' },
  ),
  consumer(
    'MADX-CON-FMT-XML',
    'SHALL',
    `${QRPH58} Table 2:3.58.4.1.2-1 ("SHALL ... application/fhir+xml or application/fhir+json"); ITI TF-2 Appendix Z (derived)`,
    'Send Aggregate Report in XML: a valid report labelled application/fhir+xml is accepted (200 or 201) and held as sent, since the Creator may choose XML; an answer that is not a 415 is not enough.',
    { element: 'format[xml]' },
  ),
  consumer('MADX-CON-026', 'MAY', `${QRPH58} 2:3.58.4.1 (informative)`, 'Reports from many Content Creators, with different subject and reporter, are all accepted.'),
];

const optionRows = [
  consumer(
    'MADX-OPT-001',
    'SHALL',
    `${VOL1} 1:6.2.1, 1:6.3`,
    'An actor claiming the Validate mADX Message option is grouped with a Content Data Structure Consumer, an SVCM Terminology Consumer and an mCSD Care Services Update Consumer (a declaration: a person attests it).',
  ),
  consumer(
    'MADX-OPT-002',
    'SHALL',
    'IHE QRPH mADX 3.0.0 test plan TC2; Volume 1 1:6.6.3',
    "With the Validate option, a report whose indicator or disaggregation code is not in the Measure's value set gets an error status: 422 with an OperationOutcome, issue.code code-invalid recommended.",
  ),
  consumer(
    'MADX-OPT-003',
    'SHALL',
    'IHE QRPH mADX 3.0.0 test plan TC3; Volume 1 1:6.6.2 (digest A7)',
    'With the Validate option, a report whose subject is not a known mCSD Location gets an error status: 422 expected, 404 tolerated as a warning (A7).',
  ),
  consumer(
    'MADX-OPT-004',
    'MAY',
    'IHE QRPH mADX 3.0.0 Volume 3 3:8.1; issue mADX_002',
    'Disaggregation codes may be validated with the value sets the Measure links through relatedArtifact (label = component code).',
  ),
];

const securityRows = [
  consumer('MADX-SEC-001', 'SHALL', `${QRPH58} 2:3.58.6`, 'The exchange is protected by TLS: the Consumer offers no plain-HTTP endpoint and the Creator is not configured with http://.', {
    element: 'rest.security',
  }),
  consumer(
    'MADX-SEC-002',
    'SHALL',
    `${QRPH58} 2:3.58.6`,
    "The exchange uses mutual authentication: the Consumer refuses a client that presents neither a credential nor a client certificate (401 or 403, or a TLS handshake asking for a certificate), and the Creator presents the credential a Consumer demands on every request — both seen on the wire; whether the mechanism is appropriate under the jurisdiction's guidelines a person attests.",
    { element: 'rest.security' },
  ),
  consumer('MADX-SEC-003', 'SHOULD', `${QRPH58} 2:3.58.6 (RFC 7303)`, 'The Consumer processes XML safely: a body with a DTD or external entity is refused with 400 and never expanded (derived).'),
  creator('MADX-SEC-004', 'SHOULD', `${QRPH58} 2:3.58.6`, 'The risk of re-identifying people from small counts is considered before reports are shared (a policy: a person attests it).'),
  consumer('MADX-SEC-005', 'MAY', `${QRPH58} 2:3.58.6.1`, 'QRPH-58 asks for no ATNA audit event.', {
    notTestedReason: 'not applicable: the row places no obligation on any actor, so there is nothing to test or attest',
  }),
];

const capabilityRows = [
  consumer(
    'MADX-CS-001',
    'MAY',
    'mADX digest §7 (derived)',
    "mADX defines no CapabilityStatement: the harness states its own IHE.mADX.ContentCreator and IHE.mADX.ContentConsumer requirements, and a Consumer's GET [base]/metadata is information only, never a failure.",
    {
      element: 'CapabilityStatement',
    },
  ),
];

export const requirements = defineRequirements([...creatorRows, ...contentRows, ...consumerRows, ...optionRows, ...securityRows, ...capabilityRows]);
