/**
 * Typed access to the generated R4 4.0.1 model (r4-model.json, built by
 * scripts/generate-model.ts). The JSON is read on first use and indexed once.
 *
 * A place in a resource is named by a type and a path below it (`'MeasureReport'`,
 * `'group.population'`); the empty path is the type itself. Nested backbone elements stay in
 * their resource type; an element of a complex datatype continues in that datatype.
 */
import { readFileSync } from 'node:fs';
import type { ConstraintDef, ElementDef, ModelFile, TypeDef } from './types.js';

export type { ConstraintDef } from './types.js';

/** An element found by name, with the type it is defined in and, for a choice, the chosen type. */
export interface ResolvedElement {
  /** Type whose snapshot defines the element (`Quantity` for `measureScore.value`). */
  owner: string;
  element: ElementDef;
  /** The one type this occurrence has: the choice's type for `valueQuantity`, else the only type. */
  type: string;
  /** The JSON property name (`valueQuantity`, `status`). */
  name: string;
  /** Position of the element in its type's snapshot: children of one parent sort in XML order by it. */
  index: number;
}

/** Where the children of an element are defined. */
export interface Context {
  type: string;
  path: string;
}

interface TypeIndex {
  def: TypeDef;
  byPath: Map<string, ElementDef>;
  /** JSON property names of the children of each path, choices expanded. */
  names: Map<string, Map<string, { element: ElementDef; type: string; index: number }>>;
}

let model: ModelFile | undefined;
const typeIndexes = new Map<string, TypeIndex>();
const NESTED = new Set(['BackboneElement', 'Element']);

export function loadModel(): ModelFile {
  model ??= JSON.parse(readFileSync(new URL('./r4-model.json', import.meta.url), 'utf8')) as ModelFile;
  return model;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function typeIndex(typeName: string): TypeIndex | undefined {
  const cached = typeIndexes.get(typeName);
  if (cached) return cached;
  const def = loadModel().types[typeName];
  if (!def) return undefined;
  const byPath = new Map<string, ElementDef>();
  const names = new Map<string, Map<string, { element: ElementDef; type: string; index: number }>>();
  for (const [index, el] of def.elements.entries()) {
    byPath.set(el.path, el);
    const dot = el.path.lastIndexOf('.');
    const parent = dot < 0 ? '' : el.path.slice(0, dot);
    const own = dot < 0 ? el.path : el.path.slice(dot + 1);
    let byName = names.get(parent);
    if (!byName) {
      byName = new Map();
      names.set(parent, byName);
    }
    if (own.endsWith('[x]')) {
      const stem = own.slice(0, -3);
      for (const t of el.types) byName.set(stem + upperFirst(t), { element: el, type: t, index });
    } else {
      byName.set(own, { element: el, type: el.types[0] ?? 'Element', index });
    }
  }
  const index = { def, byPath, names };
  typeIndexes.set(typeName, index);
  return index;
}

export function typeDefinition(name: string): TypeDef | undefined {
  return loadModel().types[name];
}

export function isResourceType(name: string): boolean {
  const def = loadModel().types[name];
  return def !== undefined && def.kind === 'resource' && !def.abstract;
}

export function isPrimitiveType(name: string): boolean {
  return loadModel().types[name]?.kind === 'primitive-type';
}

export function constraintsOf(refs: number[] | undefined): ConstraintDef[] {
  const all = loadModel().constraints;
  return (refs ?? []).flatMap((i) => (all[i] ? [all[i]] : []));
}

/** Where the children of `element` (found in `owner`, with the chosen `type`) are defined. */
export function childContext(owner: string, element: ElementDef, type: string): Context {
  if (element.contentReference) return { type: owner, path: element.contentReference };
  if (NESTED.has(type) && owner !== type) return { type: owner, path: element.path };
  return { type, path: '' };
}

/** A child of a place by its JSON property name; choices resolve (`valueQuantity` -> `value[x]`). */
export function childByName(ctx: Context, name: string): ResolvedElement | undefined {
  const found = typeIndex(ctx.type)?.names.get(ctx.path)?.get(name);
  return found ? { owner: ctx.type, element: found.element, type: found.type, name, index: found.index } : undefined;
}

/**
 * The element at a dotted path of JSON names below a type, following backbone elements,
 * contentReferences and datatypes: `('MeasureReport', 'group.measureScore.value')` is
 * Quantity.value, `('Observation', 'valueQuantity')` is Observation.value[x] as Quantity.
 */
export function elementDefinition(typeName: string, path: string): ResolvedElement | undefined {
  let ctx: Context = { type: typeName, path: '' };
  let found: ResolvedElement | undefined;
  for (const name of path.split('.')) {
    if (found) ctx = childContext(found.owner, found.element, found.type);
    found = childByName(ctx, name) ?? childByDefinitionName(ctx, name);
    if (!found) return undefined;
  }
  return found;
}

/** Accepts the definition spelling of a choice (`value[x]`) as well as a JSON name. */
function childByDefinitionName(ctx: Context, name: string): ResolvedElement | undefined {
  if (!name.endsWith('[x]')) return undefined;
  const path = ctx.path === '' ? name : `${ctx.path}.${name}`;
  const index = typeIndex(ctx.type);
  const element = index?.byPath.get(path);
  if (!index || !element) return undefined;
  return { owner: ctx.type, element, type: element.types[0] ?? 'Element', name, index: index.def.elements.indexOf(element) };
}
