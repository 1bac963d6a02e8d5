/**
 * `text/fhirpath` stratifier criteria, evaluated with fhirpath.js and the R4 model on each member
 * of a population. `resolve()` reads the resources the Data Source's pages carried (the `_include`d
 * subjects), synchronously: fhirpath.js would otherwise fetch every reference on its own.
 */
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { Reference, Resource } from 'fhir/r4.js';
import type { Variables } from './variables.js';

type Compiled = (data: unknown, env?: Record<string, unknown>) => unknown[];

/** A reference as the pages' index knows it: `Type/id`, or the full URL an entry was given. */
export type Lookup = (reference: string) => Resource | undefined;

export function lookupIn(resources: ReadonlyMap<string, Resource>): Lookup {
  return (reference) => {
    const plain = reference.replace(/\/_history\/[^/]+$/, '');
    return resources.get(plain) ?? resources.get(/([A-Za-z]+\/[^/]+)$/.exec(plain)?.[1] ?? plain);
  };
}

function referenceText(item: unknown): string | undefined {
  const data = typeof item === 'object' && item !== null && 'data' in item ? (item as { data: unknown }).data : item;
  if (typeof data === 'string') return data;
  return typeof data === 'object' && data !== null ? (data as Reference).reference : undefined;
}

/**
 * fhirpath.js keeps a variable's FHIR type only when it comes out of an evaluation with internal
 * types kept, so `%ReportingPeriod.start` compares as a dateTime rather than as text.
 */
function typedEnvironment(vars: Variables): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const [name, value] of vars) env[name] = value;
  for (const name of ['ReportingPeriod', 'PriorReportingPeriod']) {
    const period = vars.get(name);
    if (!period) continue;
    const holder = { resourceType: 'MeasureReport', period };
    env[name] = fhirpath.evaluate(holder, 'MeasureReport.period', undefined, r4, { resolveInternalTypes: false })[0];
  }
  for (const name of ['Today', 'Yesterday', 'Tomorrow']) {
    const day = vars.get(name);
    if (typeof day === 'string') env[name] = fhirpath.evaluate({}, `@${day}`, undefined, r4, { resolveInternalTypes: false })[0];
  }
  return env;
}

/** A FHIRPath result item as the text that names its stratum. */
function stratumText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null) {
    const v = value as { code?: unknown; text?: unknown };
    if (typeof v.code === 'string') return v.code;
    if (typeof v.text === 'string') return v.text;
  }
  return undefined;
}

export class StratifierError extends Error {
  override name = 'StratifierError';
}

export interface Stratifier {
  /** Each member's stratum values: none when the expression yields nothing. */
  valuesOf(member: Resource): string[];
}

export function compileStratifier(expression: string, vars: Variables, lookup: Lookup): Stratifier {
  const resolve = (coll: unknown[]) =>
    coll.flatMap((item) => {
      const ref = referenceText(item);
      const found = ref ? lookup(ref) : undefined;
      return found ? [found] : [];
    });
  let fn: Compiled;
  try {
    fn = fhirpath.compile(expression, r4, { userInvocationTable: { resolve: { fn: resolve, arity: { 0: [] } } } }) as Compiled;
  } catch (err) {
    throw new StratifierError(`the FHIRPath expression does not parse: ${(err as Error).message}`);
  }
  const env = typedEnvironment(vars);
  return {
    valuesOf(member) {
      let out: unknown[];
      try {
        out = fn(member, env);
      } catch (err) {
        throw new StratifierError(`the FHIRPath expression failed on ${member.resourceType}/${member.id ?? ''}: ${(err as Error).message}`);
      }
      return [...new Set(out.map(stratumText).filter((t): t is string => t !== undefined))];
    },
  };
}
