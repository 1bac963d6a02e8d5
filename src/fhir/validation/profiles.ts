// The registry of profiles known to the validator. IG folders register theirs at load time.
import type { Issue } from '../errors.js';
import { narrowedTargetIssues } from './references.js';
import { evaluateRules, type Profile, type ResourceLike } from './rules.js';

/**
 * Profiles by canonical URL. A canonical may carry a `|version`: a profile registered with a version
 * answers exactly that `url|version`, and (the last one registered) the bare URL until a profile
 * is registered under the bare URL itself, which then answers every version no profile is
 * registered for. So one IG
 * can carry two texts of a profile under one canonical, `…|3.0.0` and `…|3.0.0-comment`, and
 * choose which the unversioned canonical means.
 */
const versioned = new Map<string, Profile>();
const byBareUrl = new Map<string, Profile>();
const bareChosen = new Set<string>();

/** Canonical URLs may carry a `|version`; this is the URL without it. */
export function bareUrl(url: string): string {
  const bar = url.indexOf('|');
  return bar < 0 ? url : url.slice(0, bar);
}

/** Registers (or replaces) a profile under its canonical URL, versioned or not. */
export function registerProfile(profile: Profile): void {
  const bare = bareUrl(profile.url);
  if (bare !== profile.url) {
    versioned.set(profile.url, profile);
    if (!bareChosen.has(bare)) byBareUrl.set(bare, profile);
    return;
  }
  byBareUrl.set(bare, profile);
  bareChosen.add(bare);
}

export function knownProfile(url: string): boolean {
  return getProfile(url) !== undefined;
}

export function getProfile(url: string): Profile | undefined {
  return versioned.get(url) ?? byBareUrl.get(bareUrl(url));
}

/** The canonical URLs of every profile known (versioned ones with their version), for messages that suggest one. */
export function knownProfileUrls(): string[] {
  return [...new Set([...byBareUrl.keys(), ...versioned.keys()])];
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
