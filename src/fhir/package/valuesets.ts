/**
 * The value sets of a package expanded from what the package itself holds: an `expansion`, or a
 * `compose` of listed concepts, whole code systems of the package (content complete) and other
 * value sets it can expand, minus the excluded concepts. Filters, and systems or value sets the
 * package does not hold, need a terminology server: such a value set is not expandable, and a
 * binding to it is reported as not checked rather than half checked.
 */
import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from 'fhir/r4.js';

export type Expansion = { codes: ReadonlySet<string> } | { reason: string };

/** The key of a code in an expansion: `system|code`. */
export const codeKey = (system: string | undefined, code: string): string => `${system ?? ''}|${code}`;

const bare = (url: string): string => url.split('|')[0] ?? url;

export class ValueSetExpander {
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly done = new Map<string, Expansion>();

  constructor(valueSets: readonly ValueSet[], codeSystems: readonly CodeSystem[]) {
    for (const vs of valueSets) if (vs.url) this.valueSets.set(vs.url, vs);
    for (const cs of codeSystems) if (cs.url) this.codeSystems.set(cs.url, cs);
  }

  expand(url: string, depth = 0): Expansion {
    const key = bare(url);
    const cached = this.done.get(key);
    if (cached) return cached;
    const result = this.compute(key, depth);
    this.done.set(key, result);
    return result;
  }

  private compute(url: string, depth: number): Expansion {
    const vs = this.valueSets.get(url);
    if (!vs) return { reason: `the value set ${url} is not in the package` };
    if (vs.expansion?.contains) {
      const codes = new Set<string>();
      const walk = (items: NonNullable<ValueSet['expansion']>['contains']) => {
        for (const c of items ?? []) {
          if (c.code) codes.add(codeKey(c.system, c.code));
          walk(c.contains);
        }
      };
      walk(vs.expansion.contains);
      return { codes };
    }
    if (depth > 8) return { reason: `the value set ${url} imports too deeply` };
    const codes = new Set<string>();
    for (const include of vs.compose?.include ?? []) {
      const part = this.include(include, depth);
      if ('reason' in part) return { reason: `the value set ${url} cannot be expanded from the package: ${part.reason}` };
      for (const c of part.codes) codes.add(c);
    }
    for (const exclude of vs.compose?.exclude ?? []) {
      if (!exclude.concept) return { reason: `the value set ${url} excludes more than listed concepts` };
      for (const c of exclude.concept) codes.delete(codeKey(exclude.system, c.code));
    }
    return { codes };
  }

  private include(include: ValueSetComposeInclude, depth: number): Expansion {
    if (include.filter?.length) return { reason: 'it uses filters' };
    let codes: Set<string> | undefined;
    if (include.system) {
      if (include.concept) codes = new Set(include.concept.map((c) => codeKey(include.system, c.code)));
      else {
        const cs = this.codeSystems.get(include.system);
        if (!cs) return { reason: `the code system ${include.system} is not in the package` };
        if (cs.content !== 'complete') return { reason: `the code system ${include.system} is not complete in the package (content ${cs.content})` };
        codes = new Set(flatten(cs.concept).map((c) => codeKey(include.system, c)));
      }
    }
    for (const imported of include.valueSet ?? []) {
      const other = this.expand(imported, depth + 1);
      if ('reason' in other) return other;
      // Included systems and imported value sets intersect (ValueSet.compose.include rules).
      codes = codes ? new Set([...codes].filter((c) => other.codes.has(c))) : new Set(other.codes);
    }
    return { codes: codes ?? new Set() };
  }
}

function flatten(concepts: readonly CodeSystemConcept[] | undefined, out: string[] = []): string[] {
  for (const c of concepts ?? []) {
    out.push(c.code);
    flatten(c.concept, out);
  }
  return out;
}
