// The registry of profiles known to the validator. IG folders register theirs at load time.
import type { Issue } from '../errors.js';
import { narrowedTargetIssues } from './references.js';
import { evaluateRules, type Profile, type ResourceLike } from './rules.js';

const profiles = new Map<string, Profile>();

/** Canonical URLs may carry a `|version`; profiles are keyed on the bare URL. */
function bare(url: string): string {
  const bar = url.indexOf('|');
  return bar < 0 ? url : url.slice(0, bar);
}

/** Registers (or replaces) a profile under its canonical URL. */
export function registerProfile(profile: Profile): void {
  profiles.set(bare(profile.url), profile);
}

export function knownProfile(url: string): boolean {
  return profiles.has(bare(url));
}

export function getProfile(url: string): Profile | undefined {
  return profiles.get(bare(url));
}

/** The canonical URLs of every profile known, for messages that suggest one. */
export function knownProfileUrls(): string[] {
  return [...profiles.keys()];
}

/**
 * Checks `resource` against the rules of the profile `url` and the reference targets it narrows. An unknown profile, or a profile for
 * another resource type, is reported as an issue, never thrown.
 */
export function validateAgainstProfile(resource: ResourceLike, url: string): Issue[] {
  // Issues locate their element with a string; a resourceType of another JSON type names none.
  const root = typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
  const profile = getProfile(url);
  if (!profile) {
    return [{ severity: 'warning', code: 'not-supported', message: `profile ${url} is not known to this validator; its rules were not checked`, expression: root }];
  }
  if (profile.resourceType !== resource.resourceType && profile.resourceType !== 'Resource') {
    return [{ severity: 'error', code: 'invalid', message: `profile ${profile.name} applies to ${profile.resourceType}, not ${resource.resourceType}`, expression: root }];
  }
  const issues = evaluateRules(resource, profile.rules);
  if (profile.referenceTargets) issues.push(...narrowedTargetIssues(resource, profile.name, profile.referenceTargets));
  if (profile.check) issues.push(...profile.check(resource));
  return issues;
}
