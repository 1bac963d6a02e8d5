/**
 * What the Compute Measure servers share: the definitional resources a Measure needs (Measure,
 * Library, ValueSet, taking a PUT of a new version as a Measure Definition Source publishes it),
 * the reported-on parties (Location, Organization), MeasureReport's search parameters, and the
 * bundled definitions they are seeded with. The reference Measure Computer and the public-health
 * side (Measure Definition Source and Measure Consumer) each add their own MeasureReport
 * interactions and operations to these.
 */
import type { Resource } from 'fhir/r4.js';
import { PUBLIC_HEALTH_MEASURE } from '../../ig/saner/profiles.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';
import type { ResourceDeclaration } from '../../src/fhir/server/index.js';
import { fixtureResources } from '../fixtures.js';

const DEFINITIONS = ['Measure', 'Library', 'ValueSet'];
const PARTIES = ['Location', 'Organization'];

/** Types the Compute Measure servers hold, for their stores and search parameter definitions. */
export const COMPUTE_TYPES: readonly string[] = [...DEFINITIONS, 'MeasureReport', ...PARTIES];

export const MEASURE_REPORT_SEARCH_PARAMS = ['_id', 'measure', 'subject', 'reporter', 'period', 'date', 'status'];

/** Definitional resources take PUT of a new version (update as create), as from a Measure Definition Source. */
function definitional(type: string, supportedProfiles?: string[]): ResourceDeclaration {
  return {
    type,
    interactions: ['read', 'vread', 'search-type', 'create', 'update'],
    searchParams: ['_id', 'url', 'version'],
    updateCreate: true,
    ...(supportedProfiles ? { supportedProfiles } : {}),
  };
}

/** The Measure, Library and ValueSet declarations. */
export const definitionResources: readonly ResourceDeclaration[] = [definitional('Measure', [PUBLIC_HEALTH_MEASURE]), definitional('Library'), definitional('ValueSet')];

/** The facility reported on and the organization reporting. */
export const partyResources: readonly ResourceDeclaration[] = PARTIES.map(
  (type): ResourceDeclaration => ({ type, interactions: ['read', 'search-type'], searchParams: ['_id', 'identifier', 'name'] }),
);

export const computeSearchParamDefs = () => sanerSearchParamsFor(COMPUTE_TYPES);

/**
 * The bundled computable Measures with their Library and ValueSets, the facility and the reporter.
 * Where the fixtures hold several versions of one resource (the changed Measure), the first
 * version is seeded; the later one is what a Measure Definition Source would publish next.
 */
export function seedResources(): Resource[] {
  const first = new Map<string, Resource>();
  const version = (r: Resource) => (r as { version?: string }).version ?? '';
  for (const r of fixtureResources('compute', [...DEFINITIONS, ...PARTIES])) {
    const key = `${r.resourceType}/${r.id ?? ''}`;
    const held = first.get(key);
    if (!held || version(r).localeCompare(version(held), undefined, { numeric: true }) < 0) first.set(key, r);
  }
  return [...first.values()];
}
