/**
 * A profile (a StructureDefinition with derivation `constraint`) compiled into checks of an
 * instance: cardinality, choice types and reference targets, type profiles (extensions, datatype
 * profiles), fixed and pattern values, slices discriminated by value or pattern, bindings to the
 * value sets the package expands, and invariants (FHIRPath, through fhirpath.js).
 *
 * The elements come from the snapshot when the package has one. A differential-only definition is
 * laid over its base: another profile of the package (its elements, recursively), or the base R4
 * definition, which the project's model (src/fhir/model) stands for; this is no snapshot
 * generator: only what the differential says is checked, and only where it asks more than R4
 * (R4 itself is checked by the structure validator and the base invariants).
 */
import type { ElementDefinition, ElementDefinitionType, StructureDefinition } from 'fhir/r4.js';
import type { Issue } from '../errors.js';
import { childContext, elementDefinition, loadModel, type Context, type ResolvedElement } from '../model/index.js';
import { compileFhirPath } from '../validation/fhirpath.js';
import { codeKey, type ValueSetExpander } from './valuesets.js';

type Json = Record<string, unknown>;

const CORE = 'http://hl7.org/fhir/StructureDefinition/';
const BEST_PRACTICE = 'http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice';

interface Node {
  /** The element's name as in its path: `subject`, `extension`, `value[x]`. */
  name: string;
  slice?: string;
  element?: ElementDefinition;
  children: Node[];
}

/** Where the profiles of a package are found by URL, and what was left unchecked. */
export interface ProfileContext {
  profile(url: string): CompiledProfile | undefined;
  expander: ValueSetExpander;
  /** Records a construct of the package that is not checked, once. */
  notChecked(note: string): void;
}

interface Visit {
  resource: Json;
  issues: Issue[];
}

/** Keys of the base R4 invariants: the structure validator's invariant walk checks those already. */
let baseKeys: Set<string> | undefined;
function isBaseInvariant(key: string): boolean {
  baseKeys ??= new Set(loadModel().constraints.map((c) => c.key));
  return baseKeys.has(key);
}

/** `fixedUri` -> the value, for the first key starting with `prefix` (fixed or pattern). */
function valueWithPrefix(element: ElementDefinition | undefined, prefix: 'fixed' | 'pattern'): { value: unknown } | undefined {
  if (!element) return undefined;
  for (const [key, value] of Object.entries(element)) if (key.startsWith(prefix) && key.length > prefix.length && /[A-Z]/.test(key[prefix.length]!)) return { value };
  return undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Json)[k], (b as Json)[k]));
}

/** An instance matches a pattern when it holds every value of the pattern; an array item of the pattern is matched by some item of the instance. */
function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (typeof pattern !== 'object' || pattern === null) return value === pattern;
  if (Array.isArray(pattern)) {
    const items = Array.isArray(value) ? value : [value];
    return pattern.every((p) => items.some((v) => matchesPattern(v, p)));
  }
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([k, p]) => matchesPattern((value as Json)[k], p));
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The values of an element in a JSON object: the property (or the chosen property of a choice) and, for primitives, the `_` sibling. */
function itemsOf(holder: Json, name: string, location: string): { value: unknown; location: string; type?: string }[] {
  if (name.endsWith('[x]')) {
    const stem = name.slice(0, -3);
    const out: { value: unknown; location: string; type?: string }[] = [];
    for (const key of Object.keys(holder)) {
      if (key.startsWith(stem) && key.length > stem.length && /[A-Z]/.test(key[stem.length]!)) {
        const suffix = key.slice(stem.length);
        const type =
          /^[A-Z][a-z]/.test(suffix) && loadModel().types[suffix.charAt(0).toLowerCase() + suffix.slice(1)]?.kind === 'primitive-type' ? suffix.charAt(0).toLowerCase() + suffix.slice(1) : suffix;
        out.push({ value: holder[key], location: `${location}.${stem}`, type });
      }
    }
    return out;
  }
  const value = holder[name];
  const extra = holder[`_${name}`];
  if (Array.isArray(value) || Array.isArray(extra)) {
    const values = Array.isArray(value) ? value : [];
    const extras = Array.isArray(extra) ? extra : [];
    const n = Math.max(values.length, extras.length);
    return Array.from({ length: n }, (_, i) => ({ value: values[i] ?? extras[i], location: `${location}.${name}[${i}]` })).filter((i) => i.value !== null && i.value !== undefined);
  }
  if (value === undefined && extra === undefined) return [];
  return [{ value: value ?? extra, location: `${location}.${name}` }];
}

export class CompiledProfile {
  readonly url: string;
  readonly name: string;
  readonly type: string;
  private readonly root: Node;

  constructor(
    readonly definition: StructureDefinition,
    elements: readonly ElementDefinition[],
    private readonly context: ProfileContext,
  ) {
    this.url = definition.url;
    this.name = definition.name;
    this.type = definition.type;
    this.root = { name: definition.type, children: [] };
    for (const element of elements) this.place(element);
  }

  /** The issues of a resource (or, for an extension or datatype profile, of one value) against this profile. */
  check(value: unknown, location: string, resource: Json): Issue[] {
    const visit: Visit = { resource, issues: [] };
    if (typeof value === 'object' && value !== null) this.visitNode(this.root, value as Json, { type: this.type, path: '' }, location, visit, this.type);
    return visit.issues;
  }

  private place(element: ElementDefinition): void {
    const id = element.id ?? element.path;
    const segments = id.split('.').slice(1);
    let node = this.root;
    for (const segment of segments) {
      const [name, slice] = segment.split(':') as [string, string | undefined];
      let child = node.children.find((c) => c.name === name && c.slice === slice);
      if (!child) {
        child = { name, ...(slice !== undefined ? { slice } : {}), children: [] };
        node.children.push(child);
      }
      node = child;
    }
    node.element = node.element ? { ...node.element, ...element } : element;
  }

  /** The element's own rules on one value, then its children. */
  private visitNode(node: Node, value: Json, ctx: Context, location: string, visit: Visit, typeName: string): void {
    if (node === this.root && node.element) this.applyElement(node, value, location, typeName, undefined, visit);
    const names = [...new Set(node.children.map((c) => c.name))];
    for (const name of names) {
      const base = elementDefinition(ctx.type, ctx.path ? `${ctx.path}.${name}` : name);
      if (!base) {
        this.context.notChecked(`${this.name} ${node.element?.id ?? this.type}.${name}: an element the R4 model does not have here`);
        continue;
      }
      const items = itemsOf(value, name, location);
      const plain = node.children.find((c) => c.name === name && c.slice === undefined);
      const slices = node.children.filter((c) => c.name === name && c.slice !== undefined);
      if (plain?.element) this.cardinality(plain, base, items.length, location, name, visit);
      for (const item of items) if (plain) this.enter(plain, base, item, visit);
      if (slices.length) this.slices(node, plain, slices, base, items, location, visit);
    }
  }

  private enter(node: Node, base: ResolvedElement, item: { value: unknown; location: string; type?: string }, visit: Visit): void {
    const type = item.type ?? base.type;
    this.applyElement(node, item.value, item.location, type, base, visit);
    if (node.children.length && typeof item.value === 'object' && item.value !== null) {
      this.visitNode(node, item.value as Json, childContext(base.owner, base.element, type), item.location, visit, type);
    }
  }

  private cardinality(node: Node, base: ResolvedElement, count: number, location: string, name: string, visit: Visit, slice?: string): void {
    const el = node.element!;
    const min = el.min ?? (slice ? 0 : base.element.min);
    const max = el.max ?? (slice ? base.element.max : base.element.max);
    const what = slice ? `slice ${slice} of ${name}` : name;
    const rule = el.id ?? el.path;
    if (min > (slice ? 0 : base.element.min) && count < min) {
      visit.issues.push({ severity: 'error', code: 'required', message: `${what}: at least ${min} required by ${this.name}, found ${count}`, expression: location, rule });
    }
    if (max !== '*' && count > Number(max)) {
      visit.issues.push({
        severity: 'error',
        code: 'structure',
        message: max === '0' ? `${what} is not allowed by ${this.name}` : `${what}: at most ${max} allowed by ${this.name}, found ${count}`,
        expression: location,
        rule,
      });
    }
  }

  private slices(parent: Node, plain: Node | undefined, slices: Node[], base: ResolvedElement, items: { value: unknown; location: string; type?: string }[], location: string, visit: Visit): void {
    const slicing = plain?.element?.slicing;
    const discriminators = slicing?.discriminator ?? (base.type === 'Extension' ? [{ type: 'value' as const, path: 'url' }] : []);
    const unmatched = new Set(items);
    for (const slice of slices) {
      const required: { path: string; value: unknown; pattern: boolean }[] = [];
      let usable = discriminators.length > 0;
      for (const d of discriminators) {
        const want = d.type === 'value' || d.type === 'pattern' ? this.sliceValue(slice, d.path, parent) : undefined;
        if (!want) {
          usable = false;
          this.context.notChecked(`${this.name} ${slice.element?.id ?? slice.slice}: slice discriminated by ${d.type} ${d.path}`);
          break;
        }
        required.push({ path: d.path, value: want.value, pattern: want.pattern || d.type === 'pattern' });
      }
      if (!usable) {
        if (!discriminators.length) this.context.notChecked(`${this.name} ${slice.element?.id ?? slice.slice}: a slice without a discriminator`);
        continue;
      }
      const members = items.filter((item) =>
        required.every((r) => {
          const at = r.path === '$this' ? item.value : r.path.split('.').reduce<unknown>((v, p) => (typeof v === 'object' && v !== null ? (v as Json)[p] : undefined), item.value);
          return r.pattern ? matchesPattern(at, r.value) : deepEqual(at, r.value);
        }),
      );
      for (const m of members) unmatched.delete(m);
      if (slice.element) this.cardinality(slice, base, members.length, location, slice.name, visit, slice.slice);
      for (const member of members) this.enter(slice, base, member, visit);
    }
    if (slicing?.rules === 'closed') {
      for (const item of unmatched)
        visit.issues.push({
          severity: 'error',
          code: 'structure',
          message: `matches no slice of ${plain?.element?.id ?? base.name}, whose slicing ${this.name} closes`,
          expression: item.location,
          rule: plain?.element?.id ?? '',
        });
    }
  }

  /**
   * The value a slice's members have at a discriminator path: fixed or pattern on the slice's
   * child element, the canonical of an extension slice's profile (path `url`), or what the
   * extension profile of the enclosing element says of a slice of the same name.
   */
  private sliceValue(slice: Node, path: string, parent: Node): { value: unknown; pattern: boolean } | undefined {
    let node: Node | undefined = slice;
    if (path !== '$this') for (const part of path.split('.')) node = node?.children.find((c) => c.name === part && c.slice === undefined);
    const fixed = valueWithPrefix(node?.element, 'fixed');
    if (fixed) return { value: fixed.value, pattern: false };
    const pattern = valueWithPrefix(node?.element, 'pattern');
    if (pattern) return { value: pattern.value, pattern: true };
    if (path === 'url') {
      const profile = slice.element?.type?.[0]?.profile?.[0];
      if (profile) return { value: profile, pattern: false };
      const enclosing = parent.element?.type?.[0]?.profile?.[0];
      const other = enclosing ? this.context.profile(enclosing) : undefined;
      return other?.extensionSliceUrl(slice.slice!);
    }
    return undefined;
  }

  /** The `url` an extension profile fixes for its sub-extension slice `slice`. */
  extensionSliceUrl(slice: string): { value: unknown; pattern: boolean } | undefined {
    const node = this.root.children.find((c) => c.name === 'extension' && c.slice === slice);
    const url = node?.children.find((c) => c.name === 'url' && c.slice === undefined);
    const fixed = valueWithPrefix(url?.element, 'fixed');
    return fixed ? { value: fixed.value, pattern: false } : undefined;
  }

  private applyElement(node: Node, value: unknown, location: string, type: string, base: ResolvedElement | undefined, visit: Visit): void {
    const el = node.element;
    if (!el) return;
    const rule = el.id ?? el.path;
    const types = el.type;
    if (types?.length && base && base.element.types.length > 1 && !types.some((t) => t.code === type)) {
      visit.issues.push({
        severity: 'error',
        code: 'structure',
        message: `type ${type} is not allowed here by ${this.name} (allowed: ${types.map((t) => t.code).join(', ')})`,
        expression: location,
        rule,
      });
    }
    const chosen = types?.find((t) => t.code === type) ?? (types?.length === 1 ? types[0] : undefined);
    if (chosen) this.typeRules(chosen, el, value, location, visit);
    const fixed = valueWithPrefix(el, 'fixed');
    if (fixed && !deepEqual(value, fixed.value)) {
      visit.issues.push({ severity: 'error', code: 'value', message: `value must be ${show(fixed.value)} (fixed by ${this.name}), not ${show(value)}`, expression: location, rule });
    }
    const pattern = valueWithPrefix(el, 'pattern');
    if (pattern && !matchesPattern(value, pattern.value)) {
      visit.issues.push({ severity: 'error', code: 'value', message: `value must match ${show(pattern.value)} (pattern of ${this.name}), not ${show(value)}`, expression: location, rule });
    }
    if (el.binding?.valueSet && (el.binding.strength === 'required' || el.binding.strength === 'extensible')) this.binding(el, value, location, type, visit);
    for (const c of el.constraint ?? []) {
      if (!c.expression || isBaseInvariant(c.key)) continue;
      this.invariant(c, value, location, type, visit);
    }
  }

  private typeRules(type: ElementDefinitionType, el: ElementDefinition, value: unknown, location: string, visit: Visit): void {
    for (const url of type.profile ?? []) {
      const profile = this.context.profile(url);
      if (profile) visit.issues.push(...profile.check(value, location, visit.resource));
      else if (!url.startsWith(CORE)) this.context.notChecked(`${this.name} ${el.id ?? el.path}: type profile ${url} (not in the package)`);
    }
    if (!type.targetProfile?.length) return;
    if (type.code !== 'Reference') {
      this.context.notChecked(`${this.name} ${el.id ?? el.path}: targets of a ${type.code} (${type.targetProfile.join(', ')})`);
      return;
    }
    const allowed = type.targetProfile.map((t) => (t.startsWith(CORE) ? t.slice(CORE.length) : this.context.profile(t)?.type)).filter((t): t is string => !!t);
    if (allowed.length < type.targetProfile.length || allowed.includes('Resource')) return;
    const ref = value as { reference?: unknown; type?: unknown };
    const named = typeof ref.type === 'string' ? ref.type : referencedType(ref.reference, visit.resource);
    if (named && !allowed.includes(named)) {
      visit.issues.push({ severity: 'error', code: 'structure', message: `refers to a ${named}; ${this.name} allows only ${allowed.join(', ')}`, expression: location, rule: el.id ?? el.path });
    }
  }

  private binding(el: ElementDefinition, value: unknown, location: string, type: string, visit: Visit): void {
    const url = el.binding!.valueSet!;
    const expansion = this.context.expander.expand(url);
    if ('reason' in expansion) {
      this.context.notChecked(`${this.name} ${el.id ?? el.path}: ${el.binding!.strength} binding (${expansion.reason})`);
      return;
    }
    const codes = expansion.codes;
    const inSet = (system: unknown, code: unknown) =>
      typeof code === 'string' && (codes.has(codeKey(typeof system === 'string' ? system : undefined, code)) || (system === undefined && [...codes].some((k) => k.endsWith(`|${code}`))));
    let ok: boolean;
    let shown: string;
    switch (type) {
      case 'code':
      case 'string':
      case 'uri':
        ok = inSet(undefined, value);
        shown = show(value);
        break;
      case 'Coding':
      case 'Quantity': {
        const c = value as { system?: unknown; code?: unknown };
        ok = inSet(c.system, c.code);
        shown = `${String(c.system ?? '')}#${String(c.code ?? '')}`;
        break;
      }
      case 'CodeableConcept': {
        const codings = ((value as { coding?: unknown }).coding ?? []) as { system?: unknown; code?: unknown }[];
        ok = Array.isArray(codings) && codings.some((c) => inSet(c.system, c.code));
        shown = Array.isArray(codings) ? codings.map((c) => `${String(c.system ?? '')}#${String(c.code ?? '')}`).join(', ') || 'no coding' : 'no coding';
        break;
      }
      default:
        this.context.notChecked(`${this.name} ${el.id ?? el.path}: a binding on a ${type}`);
        return;
    }
    if (ok) return;
    const required = el.binding!.strength === 'required';
    visit.issues.push({
      severity: required ? 'error' : 'warning',
      code: 'code-invalid',
      message: `${shown} is not in the value set ${url}${required ? ` (required by ${this.name})` : ` (extensible binding of ${this.name}: a code from it should be used when one fits)`}`,
      expression: location,
      rule: el.id ?? el.path,
    });
  }

  private invariant(c: NonNullable<ElementDefinition['constraint']>[number], value: unknown, location: string, type: string, visit: Visit): void {
    const bestPractice = (c.extension ?? []).some((x) => x.url === BEST_PRACTICE && x.valueBoolean === true);
    let out: unknown[];
    try {
      out = compileFhirPath(c.expression!, { base: type })(value, { resource: visit.resource, rootResource: visit.resource });
    } catch (err) {
      visit.issues.push({ severity: 'warning', code: 'exception', message: `invariant ${c.key} of ${this.name} could not be evaluated: ${(err as Error).message}`, expression: location, rule: c.key });
      return;
    }
    if (out.length === 1 && out[0] === true) return;
    if (out.length === 0) {
      visit.issues.push({
        severity: 'warning',
        code: 'informational',
        message: `invariant ${c.key} of ${this.name} gave no result here, so it was not decided: ${c.human}`,
        expression: location,
        rule: c.key,
      });
      return;
    }
    visit.issues.push({
      severity: c.severity === 'warning' ? 'warning' : 'error',
      code: 'invariant',
      message: c.human,
      expression: location,
      rule: c.key,
      ...(bestPractice ? { bestPractice: true as const } : {}),
    });
  }
}

/** The resource type a reference names: `Location/1`, an absolute URL ending so, or `#id` of a contained resource. */
function referencedType(reference: unknown, resource: Json): string | undefined {
  if (typeof reference !== 'string') return undefined;
  if (reference.startsWith('#')) {
    const contained = (resource.contained ?? []) as Json[];
    const found = Array.isArray(contained) ? contained.find((r) => r?.id === reference.slice(1)) : undefined;
    return typeof found?.resourceType === 'string' ? found.resourceType : undefined;
  }
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/.exec(reference);
  return m?.[1];
}
