/**
 * What a Measure needs besides itself: its Libraries (whose attachments name the variables) and
 * the ValueSets they list in relatedArtifact (SANER-CM-PG-008), found by canonical url.
 */
import type { Library, Measure, Resource, ValueSet } from 'fhir/r4.js';

/** Finds a definitional resource by canonical url (`url` or `url|version`). */
export type CanonicalResolver = (type: 'Library' | 'ValueSet', canonical: string) => Promise<Resource | undefined>;

export interface MeasureDefinitions {
  measure: Measure;
  libraries: Library[];
  /** By canonical url without version. */
  valueSets: Map<string, ValueSet>;
  /** Canonicals that could not be found, for the evaluation's issues. */
  missing: string[];
}

const unversioned = (canonical: string): string => canonical.split('|')[0] ?? canonical;

export async function loadDefinitions(measure: Measure, resolve: CanonicalResolver): Promise<MeasureDefinitions> {
  const missing: string[] = [];
  const libraries: Library[] = [];
  for (const canonical of measure.library ?? []) {
    const found = await resolve('Library', canonical);
    if (found?.resourceType === 'Library') libraries.push(found as Library);
    else missing.push(`Library ${canonical}`);
  }
  const wanted = new Set<string>();
  for (const library of libraries) {
    for (const artifact of library.relatedArtifact ?? []) if (artifact.resource) wanted.add(artifact.resource);
    for (const attachment of library.content ?? []) if (attachment.url && /\/ValueSet\//.test(attachment.url)) wanted.add(attachment.url);
  }
  const valueSets = new Map<string, ValueSet>();
  for (const canonical of wanted) {
    if (valueSets.has(unversioned(canonical))) continue;
    const found = await resolve('ValueSet', canonical);
    if (found?.resourceType === 'ValueSet') valueSets.set(unversioned(canonical), found as ValueSet);
    else if (/\/ValueSet\//.test(canonical)) missing.push(`ValueSet ${canonical}`);
  }
  return { measure, libraries, valueSets, missing };
}
