// Validation of a FHIR R4 resource: structure (generated ajv schema), base invariants, and the
// rules of the profiles asked for or declared in meta.profile.
import type { Issue } from '../errors.js';
import { checkInvariants } from './invariants.js';
import { bareUrl, getProfile, knownProfile, validateAgainstProfile } from './profiles.js';
import type { ResourceLike } from './rules.js';
import { validateStructure } from './structure.js';

export { evaluateRules, type Profile, type ResourceLike, type Rule, type RuleSeverity } from './rules.js';
export { bareUrl, getProfile, knownProfile, knownProfileUrls, registerProfile, validateAgainstProfile } from './profiles.js';
export { BEST_PRACTICE_INVARIANTS, isBestPractice } from './best-practice.js';
export { loadStructureValidator, validateStructure } from './structure.js';
export { checkInvariants } from './invariants.js';
export type { TargetNarrowing } from './references.js';

export interface ValidateOptions {
  /**
   * Canonical URLs of profiles to check besides those the resource declares in meta.profile. One
   * named here takes the place of a declared one with the same canonical (whatever the versions),
   * so a caller that has chosen the text of a profile is not second-guessed by the declaration.
   */
  profiles?: string[];
  /** The caller has already checked R4 structure and invariants (e.g. validation on write): only the profiles are left. */
  baseChecked?: boolean;
}

function isResource(value: unknown): value is ResourceLike {
  return typeof value === 'object' && value !== null && typeof (value as ResourceLike).resourceType === 'string';
}

function declaredProfiles(resource: ResourceLike, named: readonly string[]): string[] {
  const profiles = (resource.meta as { profile?: unknown } | undefined)?.profile;
  const chosen = new Set(named.map(bareUrl));
  return Array.isArray(profiles) ? profiles.filter((p): p is string => typeof p === 'string' && knownProfile(p) && !chosen.has(bareUrl(p))) : [];
}

function relocate(issues: Issue[], from: string, to: string): Issue[] {
  return issues.map((i) => (i.expression?.startsWith(from) ? { ...i, expression: to + i.expression.slice(from.length) } : i));
}

/**
 * Validates `resource` against the R4 structure, invariants and reference targets, then against
 * each profile named in `options.profiles` or (when known) in its meta.profile. For a Bundle,
 * every entry resource is validated too, its issues located as `Bundle.entry[2].resource…`; a
 * named profile for another resource type applies to the entries of that type. An unknown named
 * profile gives a `not-supported` warning.
 */
export function validateResource(resource: unknown, options: ValidateOptions = {}): Issue[] {
  const issues = options.baseChecked ? [] : validateStructure(resource);
  if (!isResource(resource)) return issues;
  if (!options.baseChecked) issues.push(...checkInvariants(resource));
  const named = options.profiles ?? [];
  const entries = resource.resourceType === 'Bundle' && Array.isArray(resource.entry) ? (resource.entry as { resource?: unknown }[]) : [];
  const forEntries = new Set<string>();
  const own = new Set(declaredProfiles(resource, named));
  for (const url of named) {
    const profile = getProfile(url);
    const entryType = profile && profile.resourceType !== resource.resourceType && entries.some((e) => isResource(e?.resource) && e.resource.resourceType === profile.resourceType);
    if (entryType) forEntries.add(url);
    else own.add(url);
  }
  for (const url of own) issues.push(...validateAgainstProfile(resource, url));
  entries.forEach((entry, i) => {
    const inner = entry?.resource;
    if (!isResource(inner)) return;
    const urls = new Set(declaredProfiles(inner, [...forEntries]));
    for (const url of forEntries) if (getProfile(url)?.resourceType === inner.resourceType) urls.add(url);
    for (const url of urls) issues.push(...relocate(validateAgainstProfile(inner, url), inner.resourceType, `Bundle.entry[${i}].resource`));
  });
  return issues;
}
