// Profile rules are data: a FHIRPath constraint, where it applies, and what to say when it fails.
import type { Issue } from '../errors.js';
import { compileFhirPath, holds, selectNodes, type FhirPathNode } from './fhirpath.js';

export type RuleSeverity = 'error' | 'warning' | 'information';

export interface Rule {
  id: string;
  /** The requirement of the IG this rule enforces, e.g. `SANER-PR-004`. */
  requirement?: string;
  severity: RuleSeverity;
  /** FHIRPath selecting the elements the rule applies to; the resource itself when absent. */
  context?: string;
  /** FHIRPath that must evaluate to `true` for each context item. */
  expression: string;
  message: string;
}

export interface Profile {
  url: string;
  name: string;
  resourceType: string;
  rules: Rule[];
}

/** The minimal shape every resource has; rules run on plain parsed JSON. */
export interface ResourceLike {
  resourceType: string;
  [element: string]: unknown;
}

function isNode(value: unknown): value is FhirPathNode {
  return typeof value === 'object' && value !== null && typeof (value as FhirPathNode).fullPropertyName === 'function';
}

function failure(rule: Rule, expression: string, message = rule.message, code: Issue['code'] = 'invariant'): Issue {
  return { severity: rule.severity, code, message, expression, rule: rule.id };
}

/**
 * Runs `rules` on `resource`. Each failing context item gives one issue whose `expression` locates
 * it (e.g. `MeasureReport.group[1].stratifier[0].stratum[2]`). A rule that cannot be compiled or
 * evaluated is reported as an `exception` issue rather than silently passing.
 */
export function evaluateRules(resource: ResourceLike, rules: readonly Rule[]): Issue[] {
  const issues: Issue[] = [];
  for (const rule of rules) {
    try {
      const test = compileFhirPath(rule.expression);
      if (!rule.context) {
        if (!holds(test, resource, resource, resource)) issues.push(failure(rule, resource.resourceType));
        continue;
      }
      for (const item of selectNodes(resource, rule.context)) {
        if (holds(test, item, resource, resource)) continue;
        const where = (isNode(item) && item.fullPropertyName()) || `${resource.resourceType}.${rule.context}`;
        issues.push(failure(rule, where));
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      issues.push(failure(rule, resource.resourceType, `rule ${rule.id} could not be evaluated: ${reason}`, 'exception'));
    }
  }
  return issues;
}
