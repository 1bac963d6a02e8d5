/**
 * The fault modes every server built on the core can switch on: each breaks one FHIR REST or
 * SANER Query/Produce behaviour, so a conformance test can be shown to fail against it.
 */
import type { FaultModeDef } from './declaration.js';

export const coreFaults: readonly FaultModeDef[] = [
  { id: 'ignore-format', description: 'Answers JSON whatever _format or Accept asks for', breaks: ['SANER-QM-PG-002', 'SANER-QM-PG-004'] },
  { id: 'ignore-format-param', description: 'Honours Accept but ignores _format', breaks: ['SANER-QM-PG-002', 'SANER-QM-PG-006'] },
  { id: 'xml-with-json-content-type', description: 'Labels XML responses application/fhir+json', breaks: ['SANER-QM-PG-002'] },
  { id: 'legacy-formats-406', description: 'Refuses the short and DSTU2 media types (json, xml, application/json, application/xml+fhir, …) with 406 or 415', breaks: ['SANER-QM-PG-003', 'SANER-QM-PG-005'] },
  { id: 'no-406', description: 'Answers JSON instead of 406 when the requested format is unknown' },
  { id: 'ignore-count', description: 'Ignores _count and pages by the default size', breaks: ['SANER-QM-PG-008'] },
  { id: 'no-next-link', description: 'Leaves the next link out of search pages', breaks: ['SANER-QM-PG-008'] },
  { id: 'broken-next-link', description: 'Gives search pages a next link that does not resolve', breaks: ['SANER-QM-PG-008'] },
  { id: 'drop-include', description: 'Ignores _include', breaks: ['SANER-QM-PG-010'] },
  { id: 'ignore-date-filter', description: 'Ignores date search parameters (date, period, _lastUpdated, …)', breaks: ['SANER-QM-PG-017'] },
  { id: 'ignore-identifier-modifier', description: 'Ignores search parameters with the :identifier modifier', breaks: ['SANER-QM-PG-018'] },
  { id: 'no-post-search', description: 'Refuses POST [base]/Type/_search with 405', breaks: ['SANER-QM-PG-001'] },
  { id: 'metadata-wrong-fhir-version', description: 'CapabilityStatement claims fhirVersion 3.0.1 (STU3)' },
  { id: 'metadata-missing-format', description: 'CapabilityStatement lists no format' },
  { id: 'metadata-no-rest', description: 'CapabilityStatement has no rest entry: it declares no resources or interactions' },
  { id: 'no-metadata', description: 'GET [base]/metadata answers 404' },
  { id: 'accept-invalid', description: 'Stores resources that fail validation and answers 201' },
  { id: 'skip-profile-validation', description: 'Checks base R4 structure but not the declared profiles' },
  { id: 'no-location-header', description: 'Answers a create without a Location header' },
  { id: 'ignore-if-match', description: 'Applies an update whatever If-Match says' },
  { id: 'accept-wrong-media-type', description: 'Reads a create or update body whatever its Content-Type says instead of answering 415' },
  { id: 'wrong-status-on-create', description: 'Answers a create with 200 instead of 201' },
  { id: 'operation-outcome-missing', description: 'Sends errors with their status but an empty body' },
  { id: 'no-bundle-total', description: 'Leaves Bundle.total out of searchset Bundles' },
  { id: 'ignore-search-param', argument: 'search parameter name, e.g. measure or subject:identifier', description: 'Ignores one search parameter, e.g. ignore-search-param:measure', breaks: ['SANER-QM-PG-016'] },
  { id: 'refuse-interaction', argument: 'Type/interaction, e.g. MeasureReport/read', description: 'Answers 405 to one declared interaction, e.g. refuse-interaction:Location/read', breaks: ['SANER-QM-PG-012'] },
];

/** The argument of an active `<id>:<argument>` fault, one per active instance. */
export function faultArguments(faults: ReadonlySet<string>, id: string): string[] {
  const prefix = `${id}:`;
  return [...faults].filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length));
}

/** The active faults of one server; a fault it does not know is a configuration mistake. */
export function activeFaults(requested: readonly string[], known: readonly FaultModeDef[]): ReadonlySet<string> {
  const byId = new Map(known.map((f) => [f.id, f]));
  const isKnown = (requestedId: string) => {
    const colon = requestedId.indexOf(':');
    const def = byId.get(colon < 0 ? requestedId : requestedId.slice(0, colon));
    // A fault with an argument needs one; a plain fault takes none.
    return def !== undefined && (def.argument === undefined) === (colon < 0) && !requestedId.endsWith(':');
  };
  const unknown = requested.filter((id) => !isKnown(id));
  if (unknown.length > 0) {
    const names = known.map((f) => (f.argument ? `${f.id}:<${f.argument}>` : f.id));
    throw new Error(`unknown fault mode(s) ${unknown.join(', ')}; known: ${names.join(', ')}`);
  }
  return new Set(requested);
}
