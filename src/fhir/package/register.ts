/**
 * Makes the profiles of a loaded package known to the validator (by canonical URL, for
 * `--profile` and meta.profile, in Bundles too), each checked by its compiled StructureDefinition.
 */
import type { ElementDefinition, StructureDefinition } from 'fhir/r4.js';
import { registerProfile } from '../validation/profiles.js';
import type { ResourceLike } from '../validation/rules.js';
import type { LoadedPackage } from './load.js';
import { CompiledProfile, type ProfileContext } from './profile.js';
import { ValueSetExpander } from './valuesets.js';

const CORE = 'http://hl7.org/fhir/StructureDefinition/';

/** What a package's profiles may ask that is never checked, for the command's output and README. */
export const NOT_CHECKED: readonly string[] = [
  'slices discriminated by type, profile, exists or position (value and pattern are checked)',
  'slice order (ordered slicing)',
  'bindings to value sets the package cannot expand (filters, code systems or value sets outside it)',
  'preferred and example bindings',
  'targets of canonical references, and whether a referenced resource exists',
  'minValue, maxValue, maxLength and mustSupport',
  'invariants whose FHIRPath gives no result (reported as not decided) or uses functions fhirpath.js lacks',
];

/**
 * The elements of a definition: its snapshot, or its differential laid over the elements of its
 * base profile when the package holds that base (a base R4 type is the model itself).
 */
function elementsOf(sd: StructureDefinition, byUrl: Map<string, StructureDefinition>, notChecked: (note: string) => void, depth = 0): ElementDefinition[] {
  if (sd.snapshot?.element.length) return sd.snapshot.element;
  const own = sd.differential?.element ?? [];
  const base = sd.baseDefinition;
  if (!base || base.startsWith(CORE)) return own;
  const parent = byUrl.get(base);
  if (!parent || depth > 10) {
    notChecked(`${sd.name}: what its base profile ${base} asks (not in the package)`);
    return own;
  }
  const merged = new Map<string, ElementDefinition>();
  for (const el of elementsOf(parent, byUrl, notChecked, depth + 1)) merged.set(el.id ?? el.path, el);
  for (const el of own) merged.set(el.id ?? el.path, { ...merged.get(el.id ?? el.path), ...el });
  return [...merged.values()];
}

/**
 * Registers every resource profile of the package. Returns what, of what its profiles asked of
 * the resources validated so far, could not be checked (call it after validating).
 */
export function registerPackageProfiles(pkg: LoadedPackage): () => string[] {
  const byUrl = new Map(pkg.structureDefinitions.filter((sd) => sd.url).map((sd) => [sd.url, sd]));
  const compiled = new Map<string, CompiledProfile>();
  const notes = new Set<string>();
  const context: ProfileContext = {
    expander: new ValueSetExpander(pkg.valueSets, pkg.codeSystems),
    notChecked: (note) => void notes.add(note),
    profile(url) {
      const bare = url.split('|')[0]!;
      let found = compiled.get(bare);
      const sd = byUrl.get(bare);
      if (!found && sd && sd.derivation === 'constraint') {
        found = new CompiledProfile(sd, elementsOf(sd, byUrl, context.notChecked), context);
        compiled.set(bare, found);
      }
      return found;
    },
  };
  for (const sd of byUrl.values()) {
    if (sd.derivation !== 'constraint' || sd.kind !== 'resource') continue;
    const profile = context.profile(sd.url)!;
    registerProfile({
      url: sd.url,
      name: sd.name,
      resourceType: sd.type,
      rules: [],
      check: (resource: ResourceLike) => profile.check(resource, resource.resourceType, resource),
    });
  }
  return () => [...notes].sort();
}
