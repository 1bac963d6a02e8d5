/** What the Content Consumer checks on every MeasureReport it is sent, single or in a Bundle. */
import type { MeasureReport, Resource } from 'fhir/r4.js';
import type { Issue } from '../../src/fhir/errors.js';
import { checkInvariants, validateAgainstProfile, validateStructure, type ResourceLike } from '../../src/fhir/validation/index.js';

/** A profile reports are held to, and its name in answers, so a report shows which rule set decided. */
export interface RuleSetProfile {
  url: string;
  ruleSet: string;
}

export interface ConsumerProfile extends RuleSetProfile {
  /**
   * The text a report declares for itself (mADX: a versioned canonical in meta.profile), which
   * takes the place of the Consumer's own for that report; undefined when it declares none.
   */
  declared?: (report: MeasureReport) => RuleSetProfile | undefined;
  /** Rules beyond the profile's, such as the Measure's codes; their issues are a 422 too. */
  businessRules?: (report: MeasureReport) => Issue[];
}

export interface ReportProblems {
  status: 400 | 422;
  issues: Issue[];
  /** The rule set that decided. */
  ruleSet: string;
}

/** Base R4 problems (a 400) and profile problems (a 422) of one resource, errors only. */
export function reportProblems(resource: Resource, profile: ConsumerProfile, skipProfile: boolean): ReportProblems | undefined {
  const like = resource as unknown as ResourceLike;
  const errors = (issues: Issue[]) => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (resource.resourceType !== 'MeasureReport') {
    // Parsing keeps any JSON value as resourceType; an issue's expression must be a string.
    const where = typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
    return { status: 422, ruleSet: profile.ruleSet, issues: [{ severity: 'error', code: 'not-supported', message: `a ${String(resource.resourceType)} is not a MeasureReport`, expression: where }] };
  }
  const base = errors([...validateStructure(resource), ...checkInvariants(like)]);
  if (base.length) return { status: 400, ruleSet: profile.ruleSet, issues: base };
  if (skipProfile) return undefined;
  const report = resource as MeasureReport;
  const rules = profile.declared?.(report) ?? profile;
  const own = errors([...validateAgainstProfile(like, rules.url), ...(profile.businessRules?.(report) ?? [])]);
  return own.length ? { status: 422, ruleSet: rules.ruleSet, issues: own } : undefined;
}
