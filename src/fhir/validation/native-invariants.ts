// Base invariants implemented in TypeScript instead of FHIRPath, because they apply to (almost)
// every element and FHIRPath costs microseconds per call, or because the official expression does
// not run in fhirpath.js. Each is the exact rule of the official expression quoted beside it;
// test/fhir/validation-invariants.test.ts checks every one on passing and failing resources.

/** ele-1 `hasValue() or (children().count() > id.count())`: an element must hold something besides its id. */
export function ele1Object(value: object): boolean {
  for (const key in value) if (key !== 'id') return true;
  return false;
}

/** ele-1 for a primitive: a value, or a `_name` sibling with something besides its id. */
export function ele1Primitive(value: unknown, sibling: unknown): boolean {
  if (value !== null && value !== undefined) return true;
  return typeof sibling === 'object' && sibling !== null && ele1Object(sibling);
}

/** ext-1 `extension.exists() != value.exists()`: an extension has nested extensions or a value, not both. */
export function ext1(extension: Record<string, unknown>): boolean {
  const nested = Array.isArray(extension.extension) && extension.extension.length > 0;
  let value = false;
  for (const key in extension) if (key.startsWith('value') && key.length > 5) value = true;
  return nested !== value;
}

/**
 * ref-1 `reference.startsWith('#').not() or (reference.substring(1) in %rootResource.contained.id)`:
 * a local reference points at a contained resource. `#` alone (a contained resource pointing at
 * its container) is allowed, as the FHIR validator does; the R4 expression forgets that case.
 */
export function ref1(reference: Record<string, unknown>, rootResource: Record<string, unknown>): boolean {
  const ref = reference.reference;
  if (typeof ref !== 'string' || !ref.startsWith('#') || ref === '#') return true;
  const contained = rootResource.contained;
  return Array.isArray(contained) && contained.some((c) => (c as { id?: unknown } | null)?.id === ref.slice(1));
}

/** Every string in a resource that starts with `#` (references, canonicals, uris), for dom-3. */
function localReferences(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') {
    if (value.startsWith('#')) into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) localReferences(v, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const key in value) localReferences((value as Record<string, unknown>)[key], into);
  }
  return into;
}

/**
 * dom-3: each contained resource is referenced from elsewhere in the resource (`#id` in a
 * reference, canonical or uri), or itself references its container (`#`). The official
 * expression applies `.as()` to a collection, which fhirpath.js rejects, and walks
 * `descendants()` four times (~3.6 ms per MeasureReport); this walks once. Any string equal to
 * `#id` counts, a slight superset of the reference/canonical/uri/url elements the rule names.
 * Returns the indexes of the contained resources that are not referenced.
 */
export function dom3Unreferenced(resource: Record<string, unknown>): number[] {
  const contained = resource.contained;
  if (!Array.isArray(contained) || contained.length === 0) return [];
  const refs = new Set<string>();
  for (const key in resource) if (key !== 'contained') localReferences(resource[key], refs);
  for (const c of contained) localReferences(c, refs);
  const out: number[] = [];
  contained.forEach((c, i) => {
    const id = (c as { id?: unknown } | null)?.id;
    // Without an id, `'#' + id` is empty and the official expression does not select it.
    if (typeof id !== 'string' || refs.has(`#${id}`)) return;
    if (localReferences(c, new Set()).has('#')) return;
    out.push(i);
  });
  return out;
}

type Json = Record<string, unknown>;

/** FHIRPath `exists()` of a child in JSON: a value, a non-empty array, or a primitive's `_name`. */
function has(obj: unknown, key: string): boolean {
  if (typeof obj !== 'object' || obj === null) return false;
  const v = (obj as Json)[key];
  if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) return true;
  return (obj as Json)[`_${key}`] !== undefined;
}

function items(value: unknown): Json[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((v): v is Json => typeof v === 'object' && v !== null);
}

/** A dateTime to the second with a zone, or a whole date: the shapes per-1 compares natively. */
const SECOND_WITH_ZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/;
const WHOLE_DATE = /^\d{4}-\d\d-\d\d$/;

/**
 * Hot invariants of the datatypes and resources in every MeasureReport, checked natively: each
 * returns the location suffixes of the failures ('' = the element itself), none when it holds,
 * or undefined when the data is outside what it decides (the official FHIRPath decides then).
 */
export const NATIVE_CHECKS: Record<string, (item: Json) => string[] | undefined> = {
  // per-1 `start.hasValue().not() or end.hasValue().not() or (start <= end)`. Two instants of the
  // same precision compare exactly; mixed precisions (where FHIRPath's answer can be empty) do not.
  'per-1': (p) => {
    const { start, end } = p;
    if (start === undefined || start === null || end === undefined || end === null) return [];
    if (typeof start !== 'string' || typeof end !== 'string') return undefined;
    const instants = SECOND_WITH_ZONE.test(start) && SECOND_WITH_ZONE.test(end);
    if (!instants && !(WHOLE_DATE.test(start) && WHOLE_DATE.test(end))) return undefined;
    const from = Date.parse(start);
    const to = Date.parse(end);
    if (Number.isNaN(from) || Number.isNaN(to)) return undefined;
    return from <= to ? [] : [''];
  },
  // bdl-7 `(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()`.
  // fhirpath.js compares every pair for isDistinct(): a Bundle of 50,000 entries took minutes. A Set
  // decides the same for plain string values; without a type the result is empty, which does not fail.
  'bdl-7': (b) => {
    if (!Array.isArray(b.entry) || typeof b.type !== 'string') return b.type === undefined ? [] : undefined;
    if (b.type === 'history') return [];
    const seen = new Set<string>();
    for (const e of b.entry as unknown[]) {
      if (typeof e !== 'object' || e === null) return undefined;
      const { fullUrl, _fullUrl, resource } = e as Json;
      if (_fullUrl !== undefined || (fullUrl !== undefined && typeof fullUrl !== 'string')) return undefined;
      if (fullUrl === undefined) continue;
      const meta = resource && typeof resource === 'object' ? (resource as Json).meta : undefined;
      const versionId = meta && typeof meta === 'object' ? (meta as Json).versionId : undefined;
      if ((versionId !== undefined && typeof versionId !== 'string') || (meta && typeof meta === 'object' && (meta as Json)._versionId !== undefined)) return undefined;
      const key = `${fullUrl}${versionId ?? ''}`;
      if (seen.has(key)) return [''];
      seen.add(key);
    }
    return [];
  },
  // qty-3 `code.empty() or system.exists()`
  'qty-3': (q) => (!has(q, 'code') || has(q, 'system') ? [] : ['']),
  // mrp-1 `(type != 'data-collection') or group.exists().not()`; without a type the result is
  // empty, which does not fail (see holds())
  'mrp-1': (r) => (r.type === 'data-collection' && has(r, 'group') ? [''] : []),
  // mrp-2 `group.stratifier.stratum.all(value.exists() xor component.exists())`, per stratum
  'mrp-2': (r) => {
    const out: string[] = [];
    for (const [i, g] of items(r.group).entries()) {
      for (const [j, s] of items(g.stratifier).entries()) {
        for (const [k, st] of items(s.stratum).entries()) {
          if (has(st, 'value') === has(st, 'component')) out.push(`.group[${i}].stratifier[${j}].stratum[${k}]`);
        }
      }
    }
    return out;
  },
  // dom-2 `contained.contained.empty()`
  'dom-2': (r) => (items(r.contained).some((c) => has(c, 'contained')) ? [''] : []),
  // dom-4 `contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()`
  'dom-4': (r) => (items(r.contained).some((c) => items(c.meta).some((m) => has(m, 'versionId') || has(m, 'lastUpdated'))) ? [''] : []),
  // dom-5 `contained.meta.security.empty()`
  'dom-5': (r) => (items(r.contained).some((c) => items(c.meta).some((m) => has(m, 'security'))) ? [''] : []),
  // dom-6 `text.`div`.exists()`
  'dom-6': (r) => (items(r.text).some((t) => has(t, 'div')) ? [] : ['']),
};
