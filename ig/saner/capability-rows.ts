/**
 * The mechanical rows of the SANER CapabilityStatements (interactions, search parameters,
 * `_include`, supported profiles, operations) as compact data, and the one function that turns a
 * row into a catalogue entry with a statement written from its fields. Combination rows carry no
 * expectation and are not requirements, so they have no row here (their ids are skipped).
 */
import type { Expectation, Requirement } from '../requirement.js';
import { ACTOR_LEVEL_TWIN, capabilityId } from './capabilities.js';
import { AGGREGATE_OPERATION, EVALUATE_MEASURE_OPERATION, READ_CSV_OPERATION, REPORT_CSV_OPERATION, SEARCH_CSV_OPERATION } from './canonicals.js';

export type ElementKind = 'interaction' | 'searchParam' | 'searchInclude' | 'supportedProfile' | 'operation';

/**
 * One requirement-bearing element: its number in the digest table, the resource type (`system`
 * for whole-server interactions), the element kind, the name (search parameters: `name type`,
 * e.g. `date date`; operations: `$read-csv`), the expectation, and an optional note appended to
 * the statement (rulings, advisories, what a test checks).
 */
export type CapabilityRow = readonly [n: number, resource: string, kind: ElementKind, name: string, expectation: Expectation, note?: string];

export interface CapabilityTable {
  /** Id prefix, e.g. `SANER-QM-SRC`; the row number completes it as `-NNN`. */
  prefix: string;
  actor: string;
  mode: 'server' | 'client';
  /** Transaction-level CapabilityStatement URL the rows belong to. */
  capability: string;
  rows: readonly CapabilityRow[];
}

export const PROFILE_CLAIM = 'The CapabilityStatement claims the profile for the resource, so conformance is required.';
export const NO_CS_LEVEL = 'The CapabilityStatement lists the operation without an expectation;';

const D14 = 'It binds only when the search of this resource type, itself a SHOULD, is implemented (digest §7 D14).';

/**
 * Where a resource's search interaction is only SHOULD while its parameters are SHALL, the
 * parameters bind only implementations that search that resource at all (digest §7 D14).
 */
export function paramsFollowOptionalSearch(table: CapabilityTable): CapabilityTable {
  const optional = new Set(table.rows.filter(([, , kind, name, expectation]) => kind === 'interaction' && name === 'search-type' && expectation === 'SHOULD').map(([, resource]) => resource));
  return {
    ...table,
    rows: table.rows.map((row) => {
      const [n, resource, kind, name, expectation, note] = row;
      if (kind !== 'searchParam' || expectation !== 'SHALL' || !optional.has(resource)) return row;
      return [n, resource, kind, name, expectation, note ? `${note} ${D14}` : D14];
    }),
  };
}

const PROFILE_BASE = 'http://hl7.org/fhir/uv/saner/StructureDefinition/';
const PROFILES: Readonly<Record<string, string>> = {
  MeasureReport: 'PublicHealthMeasureReport',
  Measure: 'PublicHealthMeasure',
};

const OPERATIONS: Readonly<Record<string, string>> = {
  '$read-csv': READ_CSV_OPERATION,
  '$search-csv': SEARCH_CSV_OPERATION,
  '$report-csv': REPORT_CSV_OPERATION,
  $aggregate: AGGREGATE_OPERATION,
  '$evaluate-measure': EVALUATE_MEASURE_OPERATION,
};

function serverStatement(actor: string, resource: string, kind: ElementKind, name: string, type: string): string {
  switch (kind) {
    case 'interaction':
      if (name === 'read') return `The ${actor} answers a read of a ${resource} (GET [base]/${resource}/[id]) with 200 and that ${resource}.`;
      if (name === 'search-type') return `The ${actor} answers a ${resource} search (GET [base]/${resource}?… and POST [base]/${resource}/_search) with 200 and a searchset Bundle.`;
      if (name === 'create') return `The ${actor} accepts a ${resource} created with POST [base]/${resource}, answering 200, 201 or 204.`;
      if (name === 'update') return `The ${actor} accepts a ${resource} revised with PUT [base]/${resource}/[id], answering 200, 201 or 204, and keeps the new content.`;
      if (name === 'batch') return `The ${actor} processes a batch Bundle POSTed to [base], each entry on its own, and answers with a batch-response Bundle holding one response per entry.`;
      break;
    case 'searchParam':
      return `The ${actor} supports the ${resource} search parameter ${name} (${type}): a search using it returns only the ${resource} resources that match the criterion.`;
    case 'searchInclude':
      return `The ${actor} supports _include=* on ${resource} searches: the matches come back with the resources they reference, marked search.mode = include.`;
    case 'supportedProfile':
      return `Every ${resource} the ${actor} serves or accepts conforms to the ${PROFILES[resource]} profile (${PROFILE_BASE}${PROFILES[resource]}).`;
    case 'operation':
      return `The ${actor} supports the ${name} operation on ${resource} (${OPERATIONS[name]}).`;
  }
  throw new Error(`no statement template for server ${kind} ${name}`);
}

function clientStatement(actor: string, resource: string, kind: ElementKind, name: string, type: string): string {
  switch (kind) {
    case 'interaction':
      if (name === 'read') return `The ${actor} can read a ${resource} (GET [base]/${resource}/[id]) and use the ${resource} it gets back.`;
      if (name === 'search-type') return `The ${actor} can search ${resource} (type-level search) and process the searchset Bundle it gets back.`;
      if (name === 'create') return `The ${actor} sends a new ${resource} with create (POST [base]/${resource}) in a FHIR format (application/fhir+json or application/fhir+xml).`;
      if (name === 'update') return `The ${actor} revises a ${resource} it sent before with update (PUT [base]/${resource}/[id]).`;
      if (name === 'batch') return `The ${actor} sends a batch Bundle (POST [base], Bundle.type = batch).`;
      break;
    case 'searchParam':
      return `The ${actor} can search ${resource} with the parameter ${name} (${type}).`;
    case 'searchInclude':
      return `The ${actor} can ask for _include=* on ${resource} searches and process the included entries.`;
    case 'supportedProfile':
      return `Every ${resource} the ${actor} sends or accepts conforms to the ${PROFILES[resource]} profile (${PROFILE_BASE}${PROFILES[resource]}).`;
    case 'operation':
      return `The ${actor} can invoke the ${name} operation on ${resource} (${OPERATIONS[name]}) and use its result.`;
  }
  throw new Error(`no statement template for client ${kind} ${name}`);
}

function elementPath(resource: string, kind: ElementKind, name: string): string {
  const prefix = resource === 'system' ? '' : `${resource}.`;
  return kind === 'supportedProfile' ? `${prefix}supportedProfile` : `${prefix}${kind}[${name}]`;
}

/** The catalogue entries of one CapabilityStatement table. */
export function capabilityRequirements(table: CapabilityTable): Requirement[] {
  const csId = capabilityId(table.capability);
  const twin = ACTOR_LEVEL_TWIN[table.capability];
  const document = `SANER CapabilityStatement ${csId}${twin ? ` (and its actor-level twin ${twin})` : ''}`;
  return table.rows.map(([n, resource, kind, nameAndType, expectation, note]) => {
    const [name = nameAndType, type = ''] = nameAndType.split(' ');
    const statement = (table.mode === 'server' ? serverStatement : clientStatement)(table.actor, resource, kind, name, type);
    const where = resource === 'system' ? 'rest' : `rest.resource[${resource}]`;
    return {
      id: `${table.prefix}-${String(n).padStart(3, '0')}`,
      expectation,
      statement: note ? `${statement} ${note}` : statement,
      source: `${document}, ${where}.${kind === 'supportedProfile' ? 'supportedProfile' : `${kind}[${name}]`}`,
      capability: table.capability,
      element: elementPath(resource, kind, name),
    };
  });
}
