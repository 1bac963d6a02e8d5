/** Shape of the generated `r4-model.json` (written by scripts/generate-model.ts). */

export type TypeKind = 'primitive-type' | 'complex-type' | 'resource';
export type JsonPrimitive = 'string' | 'number' | 'boolean';

/** An invariant (`ele-1`, `mrp-1`, …) as in ElementDefinition.constraint. */
export interface ConstraintDef {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression: string;
  /** Name of the type that defines it (e.g. `Element` for ele-1). */
  source?: string;
}

export interface ElementDef {
  /** Path below the type, e.g. `group.population` or `value[x]`. */
  path: string;
  min: number;
  /** `'1'`, `'*'`, `'0'` or a number as text, as in the StructureDefinition. */
  max: string;
  /** True when max != '1': the JSON property is an array, the XML element may repeat. */
  array: boolean;
  /** Type codes; several for a choice (`value[x]`); `BackboneElement`/`Element` for nested parts. */
  types: string[];
  /**
   * For a Reference: the resource types it may point at, as R4 4.0.1 defines them (`Resource`:
   * any). Absent when the element is no Reference or any resource may be the target.
   */
  targets?: string[];
  /** For a canonical: the resource types the URL may name, as R4 4.0.1 defines them. */
  canonicalTargets?: string[];
  /** Profiles on the type (e.g. `SimpleQuantity`). */
  profiles?: string[];
  /** Path below the same type whose definition this element reuses (e.g. `item` for `item.item`). */
  contentReference?: string;
  /** Written as an XML attribute (`id` of elements, `Extension.url`, primitive `value`). */
  xmlAttr?: true;
  /** The xhtml `div` of a Narrative. */
  xhtml?: true;
  modifier?: true;
  summary?: true;
  /** Indexes into {@link ModelFile.constraints}. */
  constraints?: number[];
}

export interface TypeDef {
  kind: TypeKind;
  /** Base type name (`DomainResource`, `Element`, `Quantity` for SimpleQuantity…). */
  base?: string;
  abstract?: true;
  /** Set for constraint profiles on a type (SimpleQuantity, MoneyQuantity). */
  profileOf?: string;
  /** Primitive types: the value regex (anchored by the caller) and its JSON representation. */
  regex?: string;
  jsonType?: JsonPrimitive;
  /** Invariants on the type itself (the root element's constraints), indexes into constraints. */
  invariants?: number[];
  /** Elements in snapshot order, which is the XML element order. */
  elements: ElementDef[];
}

export interface ModelFile {
  fhirVersion: string;
  constraints: ConstraintDef[];
  types: Record<string, TypeDef>;
}
