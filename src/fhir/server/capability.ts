/** The CapabilityStatement a server publishes at [base]/metadata, generated from its declaration. */
import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceOperation, CapabilityStatementRestResourceSearchParam } from 'fhir/r4.js';
import type { SearchParamDef } from '../search/search-param-def.js';
import { NO_FAULTS } from '../faults.js';
import type { OperationDeclaration, ServerDeclaration } from './declaration.js';
import type { CoreFaults } from './faults.js';

type SearchParamType = NonNullable<CapabilityStatementRestResourceSearchParam['type']>;

/** R4 core parameters defined on DomainResource rather than Resource. */
const DOMAIN_RESOURCE_PARAMS = new Set(['_text']);

/**
 * Definition URL of a search parameter: the declaration's own, else the R4 core one. A modified
 * (`subject:identifier`) or chained (`measure.title`) name is defined by its first parameter.
 */
function searchParamDefinition(name: string, declared: Record<string, string> | undefined, type: string): string {
  const own = declared?.[`${type}.${name}`] ?? declared?.[name];
  if (own) return own;
  const first = name.split(/[:.]/, 1)[0] ?? name;
  const base = first.startsWith('_') ? (DOMAIN_RESOURCE_PARAMS.has(first) ? 'DomainResource' : 'Resource') : type;
  return `http://hl7.org/fhir/SearchParameter/${base}-${first.replace(/^_/, '')}`;
}

function findDef(defs: SearchParamDef[], name: string, type: string): SearchParamDef | undefined {
  return defs.find((d) => d.name === name && (d.base.includes(type) || d.base.includes('Resource')));
}

/**
 * The type a client searches with: `:identifier` is a token search; a chain takes the type of
 * its last link (`measure.title` is a string, `subject:Location.near` special).
 */
function searchParamType(defs: SearchParamDef[], name: string, type: string): SearchParamType {
  if (name.endsWith(':identifier')) return 'token';
  const chain = /^([^:.]+)(?::([A-Z][A-Za-z]+))?\.(.+)$/.exec(name);
  if (chain) {
    const [, first = '', target, last = ''] = chain;
    const targets = target ? [target] : (findDef(defs, first, type)?.target ?? []);
    const def = defs.find((d) => d.name === last && d.base.some((b) => targets.includes(b) || b === 'Resource'));
    return (def?.type ?? 'string') as SearchParamType;
  }
  return (findDef(defs, name.split(':', 1)[0] ?? name, type)?.type ?? 'string') as SearchParamType;
}

function operationEntry(op: OperationDeclaration): CapabilityStatementRestResourceOperation {
  return { name: op.name, definition: op.definition ?? `urn:measure-conformance:operation:${op.name}` };
}

export function buildCapabilityStatement(declaration: ServerDeclaration<string>, baseUrl: string, faults: CoreFaults = NO_FAULTS): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = declaration.resources.map((r) => {
    const entry: CapabilityStatementRestResource = {
      type: r.type as CapabilityStatementRestResource['type'],
      ...(r.profile ? { profile: r.profile } : {}),
      ...(r.supportedProfiles?.length ? { supportedProfile: r.supportedProfiles } : {}),
      interaction: r.interactions.map((code) => ({ code })),
      versioning: 'versioned',
      readHistory: r.interactions.includes('vread'),
      updateCreate: r.updateCreate ?? false,
      conditionalUpdate: r.conditionalUpdate ?? false,
    };
    if (r.searchInclude?.length) entry.searchInclude = r.searchInclude;
    if (r.searchParams.length) {
      entry.searchParam = r.searchParams.map((name) => ({
        name,
        definition: searchParamDefinition(name, declaration.searchParamUrls, r.type),
        type: searchParamType(declaration.searchParamDefs, name, r.type),
      }));
    }
    const ops = declaration.operations.filter((o) => (o.level.includes('type') || o.level.includes('instance')) && o.resources?.includes(r.type));
    if (ops.length) entry.operation = ops.map(operationEntry);
    return entry;
  });

  const systemOps = declaration.operations.filter((o) => o.level.includes('system'));
  const statement: CapabilityStatement = {
    resourceType: 'CapabilityStatement',
    url: `${declaration.canonicalBase.replace(/\/$/, '')}/CapabilityStatement/${declaration.name}`,
    name: declaration.name,
    title: declaration.title,
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    ...(declaration.instantiates?.length ? { instantiates: declaration.instantiates } : {}),
    software: { name: 'measure-conformance' },
    implementation: { description: declaration.title, url: baseUrl },
    fhirVersion: faults.has('metadata-wrong-fhir-version') ? '3.0.1' : declaration.fhirVersion,
    format: ['json', 'xml', 'application/fhir+json', 'application/fhir+xml'],
    rest: [
      {
        mode: 'server',
        resource,
        ...(systemOps.length ? { operation: systemOps.map(operationEntry) } : {}),
      },
    ],
  };
  if (faults.has('metadata-missing-format')) {
    const { format: _dropped, ...withoutFormat } = statement;
    return withoutFormat as CapabilityStatement;
  }
  if (faults.has('metadata-no-rest')) {
    const { rest: _dropped, ...withoutRest } = statement;
    return withoutRest as CapabilityStatement;
  }
  return statement;
}
