import r4Params from './r4-search-params.json' with { type: 'json' };

export type SearchParamType = 'token' | 'string' | 'date' | 'reference' | 'uri' | 'number' | 'quantity' | 'special';

/** A search parameter declared as data: the engine derives index rows and SQL from it. */
export interface SearchParamDef {
  name: string;
  type: SearchParamType;
  /** Resource types it applies to; `Resource` means every type. */
  base: string[];
  /** FHIRPath selecting the values to index. */
  expression: string;
  /** For reference parameters: the resource types a reference may point to. */
  target?: string[];
}

export const R4_SEARCH_PARAMS: readonly SearchParamDef[] = r4Params as SearchParamDef[];

/**
 * The R4 core parameters plus an IG's own (`igParams`), restricted to `types` (and the parameters
 * every resource has). When the IG and the core define the same name on a type, the IG wins.
 */
export function searchParamsFor(types: readonly string[], igParams: readonly SearchParamDef[] = []): SearchParamDef[] {
  const wanted = new Set(types);
  const applies = (p: SearchParamDef) => p.base.some((b) => b === 'Resource' || wanted.has(b));
  const ig = igParams.filter(applies);
  const shadowed = new Set(ig.flatMap((p) => p.base.map((b) => `${b}.${p.name}`)));
  const core = R4_SEARCH_PARAMS.filter((p) => applies(p) && !p.base.some((b) => shadowed.has(`${b}.${p.name}`)));
  return [...core, ...ig];
}

/** Splits a FHIRPath union at its top level: `A.x | (B.y as T)` -> [`A.x`, `(B.y as T)`]. */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/**
 * The branches of a multi-type expression that can apply to `type`: those rooted at the type, plus
 * those not rooted at any type name (e.g. `descendants().ofType(Coding)`). Empty when none applies.
 */
export function expressionFor(def: SearchParamDef, type: string): string {
  const rootedAt = (part: string) => /^\(*([A-Z][A-Za-z]+)\./.exec(part)?.[1];
  return splitUnion(def.expression)
    .filter((part) => {
      const root = rootedAt(part);
      return root === undefined || root === type || root === 'Resource' || root === 'DomainResource';
    })
    .join(' | ');
}
