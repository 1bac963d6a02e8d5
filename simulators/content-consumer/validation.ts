/** What the Content Consumer checks on every MeasureReport it is sent, single or in a Bundle. */
import type { MeasureReport, Resource } from 'fhir/r4.js';
import type { Issue } from '../../src/fhir/errors.js';
import { checkInvariants, validateAgainstProfile, validateStructure, type ResourceLike } from '../../src/fhir/validation/index.js';

export interface ConsumerProfile {
  /** Profile URL the reports are held to. */
  url: string;
  /** Its name in answers, so a report shows which rule set decided. */
  ruleSet: string;
  /** Rules beyond the profile's, such as the Measure's codes; their issues are a 422 too. */
  businessRules?: (report: MeasureReport) => Issue[];
}

/** Base R4 problems (a 400) and profile problems (a 422) of one resource, errors only. */
export function reportProblems(resource: Resource, profile: ConsumerProfile, skipProfile: boolean): { status: 400 | 422; issues: Issue[] } | undefined {
  const like = resource as unknown as ResourceLike;
  const errors = (issues: Issue[]) => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (resource.resourceType !== 'MeasureReport') {
    // Parsing keeps any JSON value as resourceType; an issue's expression must be a string.
    const where = typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
    return { status: 422, issues: [{ severity: 'error', code: 'not-supported', message: `a ${String(resource.resourceType)} is not a MeasureReport`, expression: where }] };
  }
  const base = errors([...validateStructure(resource), ...checkInvariants(like)]);
  if (base.length) return { status: 400, issues: base };
  if (skipProfile) return undefined;
  const own = errors([...validateAgainstProfile(like, profile.url), ...(profile.businessRules?.(resource as MeasureReport) ?? [])]);
  return own.length ? { status: 422, issues: own } : undefined;
}
