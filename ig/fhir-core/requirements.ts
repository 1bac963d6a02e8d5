/**
 * Core FHIR R4 RESTful requirements every server actor in this project inherits, restated in the
 * project's words from http.html (RESTful API) and capabilitystatement.html of FHIR 4.0.1. The IG
 * catalogues cite these when a transaction relies on plain FHIR behaviour.
 */
import { defineRequirements } from '../requirement.js';

const HTTP = 'FHIR R4 (4.0.1) http.html';
const CONTENT = `${HTTP} §3.1.0.1.10 Content Types and encodings`;

export const requirements = defineRequirements([
  {
    id: 'FHIR-CAP-001',
    expectation: 'SHALL',
    statement: 'A GET on [base]/metadata is answered with 200 and a CapabilityStatement describing the server.',
    source: `${HTTP} §3.1.0.13 capabilities`,
    element: 'interaction[capabilities]',
  },
  {
    id: 'FHIR-CAP-002',
    expectation: 'SHALL',
    statement: 'The CapabilityStatement of an R4 server gives fhirVersion 4.0.1.',
    source: 'FHIR R4 (4.0.1) capabilitystatement.html, CapabilityStatement.fhirVersion (1..1)',
    element: 'fhirVersion',
  },
  {
    id: 'FHIR-CAP-003',
    expectation: 'SHALL',
    statement:
      'The CapabilityStatement lists in format the formats the server supports (json, xml, or their media types), and those only: a server that serves JSON alone lists json alone, which FHIR allows (it makes XML a SHOULD; an IG that needs XML says so in format rows of its own).',
    source: 'FHIR R4 (4.0.1) capabilitystatement.html, CapabilityStatement.format (1..*)',
    element: 'format',
  },
  {
    id: 'FHIR-CAP-004',
    expectation: 'SHALL',
    statement: 'The CapabilityStatement has a rest entry in server mode that declares the resource types and interactions supported.',
    source: `${HTTP} §3.1.0.13 capabilities; capabilitystatement.html CapabilityStatement.rest`,
    element: 'rest[mode=server]',
  },
  {
    id: 'FHIR-FMT-001',
    expectation: 'SHALL',
    statement: 'Responses with a resource body carry the FHIR media type of that body: application/fhir+json for JSON, application/fhir+xml for XML.',
    source: CONTENT,
    element: 'format',
  },
  {
    id: 'FHIR-FMT-002',
    expectation: 'SHALL',
    statement:
      'The server negotiates the response format from the Accept header: asked for a format its CapabilityStatement lists, it answers in that format (a format it does not list is not asked for here; FHIR-FMT-004 covers those).',
    source: `${CONTENT} (server-driven content negotiation)`,
    element: 'format',
  },
  {
    id: 'FHIR-FMT-003',
    expectation: 'SHOULD',
    statement: 'The server honours the _format query parameter, which takes precedence over the Accept header.',
    source: `${CONTENT}, the _format parameter`,
    element: 'format',
  },
  {
    id: 'FHIR-FMT-004',
    expectation: 'SHOULD',
    statement: 'Asked (by Accept) for a format it does not support, the server answers 406 Not Acceptable rather than another format.',
    source: CONTENT,
    element: 'format',
  },
  {
    id: 'FHIR-FMT-005',
    expectation: 'SHALL',
    statement: 'Resource bodies are UTF-8 and the Content-Type header says so with charset=utf-8.',
    source: CONTENT,
    element: 'format',
  },
  {
    id: 'FHIR-FMT-006',
    expectation: 'SHOULD',
    statement: 'A request body in a format the server does not support is refused with 415 Unsupported Media Type.',
    source: CONTENT,
    element: 'format',
  },
  {
    id: 'FHIR-HTTP-001',
    expectation: 'SHALL',
    statement: 'A read of an existing resource answers 200 with that resource, its id matching the one in the URL.',
    source: `${HTTP} §3.1.0.2 read`,
    element: 'interaction[read]',
  },
  {
    id: 'FHIR-HTTP-002',
    expectation: 'SHALL',
    statement: 'A read of a resource the server does not know answers 404 Not Found (or 410 Gone when it was deleted).',
    source: `${HTTP} §3.1.0.2 read`,
    element: 'interaction[read]',
  },
  {
    id: 'FHIR-HTTP-003',
    expectation: 'SHALL',
    statement: 'A search answers 200 with a Bundle of type searchset, even when nothing matches.',
    source: `${HTTP} §3.1.0.9 search`,
    element: 'interaction[search-type]',
  },
  {
    id: 'FHIR-HTTP-004',
    expectation: 'SHOULD',
    statement: 'Error responses (4xx, 5xx) carry an OperationOutcome saying what went wrong.',
    source: `${HTTP} §3.1.0.1.4 HTTP Status Codes and the error paragraphs of each interaction`,
  },
  {
    id: 'FHIR-HTTP-005',
    expectation: 'SHALL',
    statement: 'A successful create answers 201 Created with a Location header giving the new resource id (and version).',
    source: `${HTTP} §3.1.0.7 create`,
    element: 'interaction[create]',
  },
  {
    id: 'FHIR-HTTP-006',
    expectation: 'SHALL',
    statement:
      'A successful update answers 200 OK when it changed an existing resource, or 201 Created when it created one, with an ETag header carrying the new versionId and a Last-Modified header.',
    source: `${HTTP} §3.1.0.4 update`,
    element: 'interaction[update]',
  },
  {
    id: 'FHIR-HTTP-007',
    expectation: 'SHOULD',
    statement: 'A successful create also gives the version in an ETag header and the time of the change in a Last-Modified header.',
    source: `${HTTP} §3.1.0.7 create`,
    element: 'interaction[create]',
  },
  {
    id: 'FHIR-HTTP-008',
    expectation: 'SHALL',
    statement: 'A create assigns the id of the new resource itself: an id the client puts in the body is ignored.',
    source: `${HTTP} §3.1.0.7 create`,
    element: 'interaction[create]',
  },
  {
    id: 'FHIR-HTTP-009',
    expectation: 'SHALL',
    statement: 'An update whose body has no id, or an id other than the one in the URL, is refused with 400 Bad Request (and should say why in an OperationOutcome).',
    source: `${HTTP} §3.1.0.4 update`,
    element: 'interaction[update]',
  },
  {
    id: 'FHIR-HTTP-010',
    expectation: 'SHOULD',
    statement: 'A create or update whose body cannot be parsed, or that breaks the base rules of FHIR (structure, data types, cardinality), is refused with 400 Bad Request.',
    source: `${HTTP} §3.1.0.4 update, Rejecting Updates; §3.1.0.7 create, Rejecting Creates`,
  },
  {
    id: 'FHIR-HTTP-011',
    expectation: 'SHOULD',
    statement:
      'An update of an id the server does not hold, on a server that does not let clients choose ids, is refused with 405 Method Not Allowed; a server that does (updateCreate) creates the resource instead.',
    source: `${HTTP} §3.1.0.4 update, update as create and Rejecting Updates`,
    element: 'interaction[update]',
  },
  {
    id: 'FHIR-HTTP-012',
    expectation: 'SHOULD',
    statement:
      'An update whose If-Match names a version that is not the current one is refused with 412 Precondition Failed (409 Conflict is also used for version conflicts) and the resource stays as it was.',
    source: `${HTTP} §3.1.0.4 update, Rejecting Updates; Managing Resource Contention`,
    element: 'interaction[update]',
  },
  {
    id: 'FHIR-HTTP-013',
    expectation: 'SHOULD',
    statement:
      'A create or update that breaks a profile the server applies, or one of its business rules, is refused with 422 Unprocessable Entity and an OperationOutcome saying which element is wrong.',
    source: `${HTTP} §3.1.0.4 update, Rejecting Updates; §3.1.0.7 create, Rejecting Creates`,
  },
  {
    id: 'FHIR-HTTP-014',
    expectation: 'SHOULD',
    statement:
      'The server honours the Prefer header of a create or update: return=minimal gets no body, return=representation the stored resource, return=OperationOutcome an OperationOutcome about the outcome.',
    source: `${HTTP} §3.1.0.1 general considerations, Managing Return Content`,
  },
]);
