// Profile rules are data: a FHIRPath constraint, where it applies, and what to say when it fails.
import type { Issue } from '../errors.js';
import { compileFhirPath, holds, selectNodes, type FhirPathNode } from './fhirpath.js';
import type { ModelPosition } from '../search/member-path.js';
import type { TargetNarrowing } from './references.js';
import { compileNative, locationOf, rootNode, UNSUPPORTED, type NativeExpression, type NativeNode } from './native-fhirpath.js';

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
  /**
   * Checks beyond FHIRPath rules, for a profile read from a StructureDefinition (cardinality,
   * types, fixed and pattern values, slices, bindings): see src/fhir/package.
   */
  check?: (resource: ResourceLike) => Issue[];
  /** References whose targets the profile narrows below R4's, checked besides the rules. */
  referenceTargets?: readonly TargetNarrowing[];
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

interface NativeRule {
  /** The resource's model position, the very object the expressions were compiled for. */
  root: ModelPosition;
  context: NativeExpression | undefined;
  test: NativeExpression;
}

/** Rules compiled for the native evaluator, per resource type; null when a rule needs fhirpath.js. */
const natives = new Map<string, Map<Rule, NativeRule | null>>();

function nativeRule(rule: Rule, resourceType: string): NativeRule | null {
  let byRule = natives.get(resourceType);
  if (!byRule) {
    byRule = new Map();
    natives.set(resourceType, byRule);
  }
  let found = byRule.get(rule);
  if (found === undefined) {
    const root = { path: resourceType, type: resourceType };
    const context = rule.context === undefined ? undefined : compileNative(rule.context, [root]);
    const test = rule.context === undefined || context?.located ? compileNative(rule.expression, context?.out ?? [root]) : undefined;
    found = test ? { root, context, test } : null;
    byRule.set(rule, found);
  }
  return found;
}

/** The rule's issues natively, or undefined when the data needs fhirpath.js. */
function holdsOn(test: NativeExpression, node: NativeNode): boolean {
  const out = test.evaluate(node);
  return out.length === 1 && out[0]!.value === true && out[0]!.pos === undefined;
}

function nativeIssues(rule: Rule, compiled: NativeRule, resource: ResourceLike): Issue[] | undefined {
  const root = rootNode(resource, compiled.root);
  try {
    if (!compiled.context) return holdsOn(compiled.test, root) ? [] : [failure(rule, resource.resourceType)];
    const issues: Issue[] = [];
    for (const item of compiled.context.evaluate(root)) {
      if (!holdsOn(compiled.test, item)) issues.push(failure(rule, locationOf(item) ?? `${resource.resourceType}.${rule.context}`));
    }
    return issues;
  } catch (err) {
    if (err === UNSUPPORTED) return undefined;
    throw err;
  }
}

function fhirPathIssues(rule: Rule, resource: ResourceLike): Issue[] {
  const test = compileFhirPath(rule.expression);
  if (!rule.context) return holds(test, resource, resource, resource) ? [] : [failure(rule, resource.resourceType)];
  const issues: Issue[] = [];
  for (const item of selectNodes(resource, rule.context)) {
    if (holds(test, item, resource, resource)) continue;
    const where = (isNode(item) && item.fullPropertyName()) || `${resource.resourceType}.${rule.context}`;
    issues.push(failure(rule, where));
  }
  return issues;
}

export interface EvaluateOptions {
  /**
   * Evaluate every rule with fhirpath.js, never natively: the reference the native evaluator is
   * tested against (and measured against in bench/validation.bench.ts).
   */
  fhirPathOnly?: boolean;
}

/**
 * Runs `rules` on `resource`. Each failing context item gives one issue whose `expression` locates
 * it (e.g. `MeasureReport.group[1].stratifier[0].stratum[2]`). A rule that cannot be compiled or
 * evaluated is reported as an `exception` issue rather than silently passing. Rules of the simple
 * shapes native-fhirpath.ts models run natively, with the same result as fhirpath.js.
 */
export function evaluateRules(resource: ResourceLike, rules: readonly Rule[], options: EvaluateOptions = {}): Issue[] {
  const issues: Issue[] = [];
  for (const rule of rules) {
    try {
      const compiled = options.fhirPathOnly ? null : nativeRule(rule, resource.resourceType);
      const native = compiled ? nativeIssues(rule, compiled, resource) : undefined;
      issues.push(...(native ?? fhirPathIssues(rule, resource)));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      issues.push(failure(rule, resource.resourceType, `rule ${rule.id} could not be evaluated: ${reason}`, 'exception'));
    }
  }
  return issues;
}
