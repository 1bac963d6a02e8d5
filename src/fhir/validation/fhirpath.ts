// FHIRPath evaluation through the fhirpath package with the R4 model. Every expression is parsed
// once and cached: parsing costs far more than evaluating (see research notes on fhirpath).
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';

/** A node returned by fhirpath with `resolveInternalTypes: false`: it knows its place in the resource. */
export interface FhirPathNode {
  fullPropertyName(): string | undefined;
  data: unknown;
}

type Compiled = (data: unknown, env?: Record<string, unknown>) => unknown[];

const cache = new Map<string, Compiled>();

/**
 * Compiles `expression` (cached). `base` is the model path or type of the data it will run on
 * (e.g. `Period`, `MeasureReport.group`), so choice types and type tests work on a fragment.
 * Throws the fhirpath parse error for a malformed expression.
 */
export function compileFhirPath(expression: string, options: { base?: string; nodes?: boolean } = {}): Compiled {
  const key = `${options.base ?? ''}\u0000${options.nodes ? 'n' : 'v'}\u0000${expression}`;
  let fn = cache.get(key);
  if (!fn) {
    const path = options.base ? { base: options.base, expression } : expression;
    fn = fhirpath.compile(path, r4, { resolveInternalTypes: !options.nodes }) as Compiled;
    cache.set(key, fn);
  }
  return fn;
}

/** Evaluates `expression` on `resource` and returns the matching nodes with their locations. */
export function selectNodes(resource: object, expression: string): FhirPathNode[] {
  return compileFhirPath(expression, { nodes: true })(resource, { resource, rootResource: resource }) as FhirPathNode[];
}

/**
 * Evaluates a constraint on one item and says whether it holds: a single `true`. With `lenient`,
 * an empty result also holds: the official R4 invariants are written so (ref-1 on a Reference
 * without `reference`, per-1 on dates of different precision evaluate to empty), while profile
 * rules must prove themselves.
 */
export function holds(fn: Compiled, item: unknown, resource: object, rootResource: object, lenient = false): boolean {
  const out = fn(item, { resource, rootResource });
  return (out.length === 1 && out[0] === true) || (lenient && out.length === 0);
}
