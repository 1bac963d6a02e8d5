// The base R4 invariants (ele-1, ext-1, dom-*, mrp-*, bdl-*, per-1, ...) of every element of a
// resource, taken from the constraints in the model (the official StructureDefinitions). One walk
// over the resource follows the model; the hot generic invariants run natively
// (native-invariants.ts), the others through FHIRPath, compiled once per expression. The same
// walk checks that each literal reference names a resource type its element allows
// (references.ts): it is the one pass that knows every Reference's element.
import type { Issue } from '../errors.js';
import { childByName, childContext, constraintsOf, typeDefinition, type ConstraintDef, type Context, type ResolvedElement } from '../model/index.js';
import { compileFhirPath, holds, selectNodes } from './fhirpath.js';
import { NATIVE_CHECKS, dom3Unreferenced, ele1Object, ele1Primitive, ext1, ref1 } from './native-invariants.js';
import { literalTargetMessage } from './references.js';

type Json = Record<string, unknown>;

/** Checked natively in the walk: see native-invariants.ts (NATIVE_CHECKS are run from checksOf). */
const NATIVE = new Set(['ele-1', 'ext-1', 'ref-1', 'dom-3']);

/**
 * Official expressions rewritten to run in fhirpath.js. `trace()` is only a debugging aid in
 * ref-1, que-1, sdf-16, sdf-17, and fhirpath.js prints its output to the console.
 */
function rewrite(expression: string): string {
  return expression.replace(/\.trace\('[^']*'(?:,\s*[A-Za-z]+)?\)/g, '');
}

const NESTED = new Set(['BackboneElement', 'Element']);
const MESSAGES: Record<string, string> = {
  'ele-1': 'All FHIR elements must have a @value or children',
  'ext-1': 'Must have either extensions or value[x], not both',
  'ref-1': 'SHALL have a contained resource if a local reference is provided',
  'dom-3': 'If the resource is contained in another resource, it SHALL be referred to from elsewhere in the resource or SHALL refer to the containing resource',
};

interface Walk {
  root: Json;
  /** The resource being walked: the root, a contained resource or a Bundle entry's resource. */
  resource: Json;
  issues: Issue[];
}

/**
 * `path.all(criteria)` checked per item, so the issue names the failing item
 * (`MeasureReport.group[1].stratifier[0].stratum[2]`) instead of the whole resource. Same
 * result: all() is true exactly when the criteria are true for every item.
 */
function splitAll(expression: string): { path: string; criteria: string } | undefined {
  const m = /^([A-Za-z]+(?:\.[A-Za-z]+)*)\.all\((.*)\)$/s.exec(expression.trim());
  if (!m?.[1] || m[2] === undefined) return undefined;
  let depth = 0;
  for (const ch of m[2]) {
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return undefined;
  }
  return depth === 0 ? { path: m[1], criteria: m[2] } : undefined;
}

interface Check {
  constraint: ConstraintDef;
  expression: string;
  each?: { path: string; criteria: string };
  native?: (item: Json) => string[] | undefined;
}

const checks = new WeakMap<number[], Check[]>();

/** The FHIRPath checks of a constraint list (natively checked keys left out), prepared once. */
function checksOf(indexes: number[] | undefined): Check[] {
  if (!indexes) return [];
  let list = checks.get(indexes);
  if (!list) {
    list = constraintsOf(indexes)
      .filter((c) => !NATIVE.has(c.key))
      .map((constraint) => {
        const expression = rewrite(constraint.expression);
        const native = NATIVE_CHECKS[constraint.key];
        const each = splitAll(expression);
        return { constraint, expression, ...(each ? { each } : {}), ...(native ? { native } : {}) };
      });
    checks.set(indexes, list);
  }
  return list;
}

/**
 * Where the walk is, kept as a chain of steps and turned into `A.b[2].c` text only when an issue
 * is reported: building the text for every element visited cost an eighth of the validation time.
 */
interface Path {
  up: Path | null;
  name: string;
  /** Position in a repeating element; -1 when the element does not repeat. */
  index: number;
}

function at(up: Path | null, name: string, index = -1): Path {
  return { up, name, index };
}

function render(path: Path): string {
  const parts: string[] = [];
  for (let p: Path | null = path; p; p = p.up) parts.push(p.index < 0 ? p.name : `${p.name}[${p.index}]`);
  return parts.reverse().join('.');
}

function native(w: Walk, key: string, path: Path): void {
  w.issues.push({ severity: 'error', code: 'invariant', message: MESSAGES[key] ?? key, expression: render(path), rule: key });
}

function runConstraints(w: Walk, list: Check[], item: Json | string | number | boolean, base: string | undefined, path: Path): void {
  for (const { constraint: c, expression: fhirpath, each, native: check } of list) {
    try {
      const decided = check?.(item as Json);
      if (decided) {
        for (const suffix of decided) w.issues.push({ severity: c.severity, code: 'invariant', message: c.human, expression: render(path) + suffix, rule: c.key });
      } else if (each && !base) {
        // Resource-level: nodes know their indexed path below the resource type.
        const test = compileFhirPath(each.criteria);
        const type = String((item as Json).resourceType);
        for (const node of selectNodes(item as Json, each.path)) {
          if (holds(test, node, w.resource, w.root, true)) continue;
          const full = node.fullPropertyName() ?? type;
          w.issues.push({ severity: c.severity, code: 'invariant', message: c.human, expression: render(path) + full.slice(type.length), rule: c.key });
        }
      } else if (!holds(compileFhirPath(fhirpath, base ? { base } : {}), item, w.resource, w.root, true)) {
        w.issues.push({ severity: c.severity, code: 'invariant', message: c.human, expression: render(path), rule: c.key });
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      w.issues.push({ severity: 'warning', code: 'exception', message: `invariant ${c.key} could not be evaluated: ${reason}`, expression: render(path), rule: c.key });
    }
  }
}

/** What the walk needs to know about a child element, worked out once per place in the model. */
interface Step {
  name: string;
  /** `_name`, the key of the primitive's id and extensions, made once: a key built per lookup is slow. */
  siblingKey: string;
  array: boolean;
  kind: 'primitive' | 'resource' | 'contained' | 'object';
  /** The choice stem (`value`) when the element is a `[x]` choice. */
  stem?: string;
  type: string;
  /** Constraints of the element, then of its datatype (for datatypes, not backbone elements). */
  checks: Check[];
  base: string;
  typeChecks: Check[];
  /** For a Reference: the resource types R4 allows it to point at; absent when any may be. */
  targets?: readonly string[];
  context: Context;
  plan: Plan;
}

type Plan = Map<string, Step | null>;
const plans = new Map<string, Plan>();

function planOf(ctx: Context): Plan {
  const key = `${ctx.type}|${ctx.path}`;
  let plan = plans.get(key);
  if (!plan) {
    plan = new Map();
    plans.set(key, plan);
  }
  return plan;
}

function stepOf(plan: Plan, ctx: Context, name: string): Step | null {
  let step = plan.get(name);
  if (step !== undefined) return step;
  const found = childByName(ctx, name);
  step = found ? makeStep(found) : null;
  plan.set(name, step);
  return step;
}

function makeStep(found: ResolvedElement): Step {
  const { type, element, owner, name } = found;
  const def = typeDefinition(type);
  const primitive = def?.kind === 'primitive-type' || type.startsWith('System.');
  const resource = type === 'Resource' && !element.contentReference;
  const nested = NESTED.has(type) && owner !== type;
  const context = primitive ? { type: 'Element', path: '' } : childContext(owner, element, type);
  const step: Step = {
    name,
    siblingKey: `_${name}`,
    array: element.array,
    kind: primitive ? 'primitive' : resource ? (element.path === 'contained' ? 'contained' : 'resource') : 'object',
    type,
    checks: checksOf(element.constraints),
    base: `${owner}.${element.path}`,
    typeChecks: nested || element.contentReference || primitive ? [] : checksOf(def?.invariants),
    context,
    plan: planOf(context),
  };
  if (element.path.endsWith('[x]')) step.stem = element.path.slice(element.path.lastIndexOf('.') + 1);
  if (type === 'Reference' && element.targets && !element.targets.includes('Resource')) step.targets = element.targets;
  return step;
}

function visitResource(w: Walk, resource: Json, path: Path): void {
  const type = resource.resourceType;
  const def = typeof type === 'string' ? typeDefinition(type) : undefined;
  if (def?.kind !== 'resource') return;
  const inner: Walk = { ...w, resource };
  runConstraints(inner, checksOf(def.invariants), resource, undefined, path);
  if (Array.isArray(resource.contained)) {
    for (const i of dom3Unreferenced(resource)) native(inner, 'dom-3', at(path, 'contained', i));
  }
  const ctx = { type: type as string, path: '' };
  visitChildren(inner, resource, ctx, planOf(ctx), path);
}

function visitChildren(w: Walk, obj: Json, ctx: Context, plan: Plan, path: Path): void {
  let choices: Map<string, string> | undefined;
  for (const key in obj) {
    if (key === 'resourceType') continue;
    const primitiveOnly = key.charCodeAt(0) === 95; // '_'
    const name = primitiveOnly ? key.slice(1) : key;
    // `_name` is visited with `name`; alone it still carries a primitive's id and extensions.
    if (primitiveOnly && name in obj) continue;
    const step = stepOf(plan, ctx, name);
    if (!step) continue;
    if (step.stem) {
      choices ??= new Map();
      const other = choices.get(step.stem);
      if (other && other !== name) {
        w.issues.push({ severity: 'error', code: 'structure', message: `only one of ${other} and ${name} may be present`, expression: render(at(path, name)) });
      }
      choices.set(step.stem, name);
    }
    const value = primitiveOnly ? undefined : obj[key];
    const sibling = step.kind === 'primitive' ? obj[step.siblingKey] : undefined;
    if (step.array) {
      const values = Array.isArray(value) ? value : [];
      const siblings = Array.isArray(sibling) ? sibling : [];
      const n = Math.max(values.length, siblings.length);
      for (let i = 0; i < n; i++) visitElement(w, step, values[i], siblings[i], at(path, name, i));
    } else {
      visitElement(w, step, value, sibling, at(path, name));
    }
  }
}

function visitElement(w: Walk, step: Step, value: unknown, sibling: unknown, path: Path): void {
  if (step.kind === 'primitive') {
    if (!ele1Primitive(value, sibling)) native(w, 'ele-1', path);
    if (step.checks.length > 0 && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      runConstraints(w, step.checks, value, step.base, path);
    }
    if (typeof sibling === 'object' && sibling !== null) visitChildren(w, sibling as Json, step.context, step.plan, path);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const item = value as Json;
  if (step.kind === 'contained' || step.kind === 'resource') {
    // A contained resource lives in its container (%rootResource); a Bundle entry's or a
    // Parameters' resource stands on its own.
    visitResource(step.kind === 'contained' ? w : { ...w, root: item }, item, path);
    return;
  }
  if (!ele1Object(item)) native(w, 'ele-1', path);
  if (step.checks.length > 0) runConstraints(w, step.checks, item, step.base, path);
  if (step.typeChecks.length > 0) runConstraints(w, step.typeChecks, item, step.type, path);
  if (step.type === 'Extension' && !ext1(item)) native(w, 'ext-1', path);
  if (step.type === 'Reference') {
    if (!ref1(item, w.root)) native(w, 'ref-1', path);
    const message = step.targets && typeof item.reference === 'string' ? literalTargetMessage(item.reference, step.targets) : undefined;
    if (message) w.issues.push({ severity: 'error', code: 'structure', message, expression: render(path) });
  }
  visitChildren(w, item, step.context, step.plan, path);
}

/**
 * Checks the base invariants of `resource` and of everything in it (contained resources, Bundle
 * entries), and the resource type each literal reference names against its element's R4
 * targets. Issues are located like `MeasureReport.group[1].stratifier[0].stratum[2]`; `rule` is
 * the invariant key (none for a reference target).
 */
export function checkInvariants(resource: Json): Issue[] {
  const w: Walk = { root: resource, resource, issues: [] };
  if (typeof resource.resourceType === 'string') visitResource(w, resource, at(null, resource.resourceType));
  return w.issues;
}
