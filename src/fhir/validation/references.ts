// Which resource type a Reference points at, as far as the reference itself tells, and the check
// of that type against the targets an element allows: R4's own (checked in the base walk,
// invariants.ts) and a profile's narrower ones (checked with the profile's rules, profiles.ts).
import type { Issue } from '../errors.js';
import { isResourceType } from '../model/index.js';
import type { ResourceLike, RuleSeverity } from './rules.js';

/**
 * A literal reference (R4 references.html: `[type]/[id]`, `[base]/[type]/[id]`, either with
 * `/_history/[vid]`). The id is not judged here (its format is the id type's business); a
 * query (`Patient?identifier=…`, a conditional reference) or fragment is no literal reference.
 */
const LITERAL = /^(?:(https?:\/\/[^?#]*)\/)?([A-Z][A-Za-z]+)\/[^/?#]+(?:\/_history\/[^/?#]+)?$/;

/**
 * The resource type a literal reference names, or undefined when the reference names none: a
 * contained (`#id`) or `urn:uuid:`/`urn:oid:` reference, a conditional reference, or an absolute
 * URL whose last segments are no R4 `[type]/[id]` (an opaque, non-RESTful URL). A relative
 * reference is always `[type]/[id]`, so its type is returned even when R4 has no such type.
 */
export function literalReferenceType(reference: string): string | undefined {
  const m = LITERAL.exec(reference);
  if (!m) return undefined;
  const type = m[2]!;
  return m[1] === undefined || isResourceType(type) ? type : undefined;
}

const article = (word: string): string => (/^[AEIOU]/.test(word) ? `an ${word}` : `a ${word}`);

/** `Patient, Group` -> `Patient or Group`; longer lists end in `or`. */
function alternatives(types: readonly string[]): string {
  return types.length <= 1 ? (types[0] ?? '') : `${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}`;
}

/**
 * The base check: a literal reference in an element of R4 type Reference names one of the
 * resource types R4 4.0.1 allows there. Contained, urn: and identifier-only references are left
 * alone: their target's type is not in the reference (ref-1 checks that a contained one exists).
 */
export function literalTargetMessage(reference: string, targets: readonly string[]): string | undefined {
  const type = literalReferenceType(reference);
  if (type === undefined || targets.includes(type)) return undefined;
  return `reference '${reference}' points at ${article(type)}; R4 allows only ${alternatives(targets)} here`;
}

/** A profile's narrowing of a Reference element's targets (type.targetProfile in its StructureDefinition). */
export interface TargetNarrowing {
  /** Rule id of the issues, e.g. `SANER-PR-MR-005-TYPE`. */
  id: string;
  /** The requirement of the IG the narrowing enforces. */
  requirement?: string;
  severity: RuleSeverity;
  /** Dotted path of the Reference element below the resource (`subject`, `group.population.subjectResults`). */
  path: string;
  /** The resource types the profile allows, a subset of R4's. */
  targets: readonly string[];
  /** When set, a reference that tells no type (identifier only, urn:uuid, an opaque URL) gets an issue under this id. */
  untold?: { id: string; severity: RuleSeverity };
}

type Json = Record<string, unknown>;

/** The objects at a dotted JSON path, each with its located expression (`MeasureReport.group[1].x`). */
function objectsAt(resource: Json, path: string): { value: Json; where: string }[] {
  let here: { value: unknown; where: string }[] = [{ value: resource, where: String(resource.resourceType) }];
  for (const name of path.split('.')) {
    const next: { value: unknown; where: string }[] = [];
    for (const { value, where } of here) {
      const child = typeof value === 'object' && value !== null ? (value as Json)[name] : undefined;
      if (Array.isArray(child)) {
        for (const [i, v] of child.entries()) next.push({ value: v, where: `${where}.${name}[${i}]` });
      } else if (child !== undefined) next.push({ value: child, where: `${where}.${name}` });
    }
    here = next;
  }
  return here.filter((h): h is { value: Json; where: string } => typeof h.value === 'object' && h.value !== null && !Array.isArray(h.value));
}

/** What a reference says of its target's type: its literal form, the contained resource it points at, its `type`. */
function statedTypes(ref: Json, resource: Json): { type: string; how: string }[] {
  const stated: { type: string; how: string }[] = [];
  const reference = ref.reference;
  if (typeof reference === 'string') {
    const literal = literalReferenceType(reference);
    if (literal) stated.push({ type: literal, how: `'${reference}' points at ${article(literal)}` });
    if (reference.startsWith('#') && reference.length > 1 && Array.isArray(resource.contained)) {
      const target = (resource.contained as unknown[]).find((c) => (c as Json | null)?.id === reference.slice(1)) as Json | undefined;
      if (typeof target?.resourceType === 'string') stated.push({ type: target.resourceType, how: `'${reference}' is a contained ${target.resourceType}` });
    }
  }
  if (typeof ref.type === 'string') stated.push({ type: ref.type, how: `its type is ${ref.type}` });
  return stated;
}

/**
 * Checks the References a profile narrows: each one's literal reference, the contained resource
 * it points at and its `type` name one of the profile's targets. A reference that tells no type
 * (identifier only, urn:uuid, an opaque URL) breaks no target; the narrowing's `untold` says
 * whether it deserves an issue of its own.
 */
export function narrowedTargetIssues(resource: ResourceLike, profileName: string, narrowings: readonly TargetNarrowing[]): Issue[] {
  const issues: Issue[] = [];
  for (const n of narrowings) {
    for (const { value, where } of objectsAt(resource, n.path)) {
      const allowed = alternatives(n.targets.map(article));
      const stated = statedTypes(value, resource);
      for (const { type, how } of stated) {
        if (n.targets.includes(type)) continue;
        const message = `${where} must refer to ${allowed} under ${profileName}; ${how}`;
        issues.push({ severity: n.severity, code: 'structure', message, expression: where, rule: n.id });
      }
      if (stated.length === 0 && n.untold) {
        const told = typeof value.reference === 'string' ? `'${value.reference}' names no resource type` : 'it has no reference and no type';
        const message = `the type of ${where} cannot be told (${told}): it should be ${allowed} under ${profileName}`;
        issues.push({ severity: n.untold.severity, code: 'incomplete', message, expression: where, rule: n.untold.id });
      }
    }
  }
  return issues;
}
