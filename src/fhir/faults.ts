/**
 * Fault modes as a typed catalogue (fastify's lib/errors.js is the model): each simulator and
 * reference client declares its switches once with `defineFaults`, and code asks an active set
 * `faults.has('no-next-link')` with the catalogue's ids only, so a misspelt id is a compile error
 * instead of a branch that never runs. Ids that arrive as text (config, `serve --fault`, a suite's
 * negative control) are checked when a server or client starts, against the catalogues it knows.
 */

/** A switch that breaks one behaviour on purpose, so a test can prove it fails when it should. */
export interface FaultMode {
  readonly id: string;
  readonly description: string;
  /**
   * A fault that takes an argument is switched on as `<id>:<argument>`, e.g.
   * `ignore-search-param:measure`; this names the argument for people.
   */
  readonly argument?: string;
}

/** What `has` accepts for a mode: its id, or `<id>:<argument>` for a mode that takes an argument. */
type FaultIdOf<M> = M extends { readonly id: infer I extends string; readonly argument: string } ? `${I}:${string}` : M extends { readonly id: infer I extends string } ? I : never;

/** The id of a mode that takes an argument, from its `<id>:<argument>` form. */
type ArgumentFaultOf<Id> = Id extends `${infer P}:${string}` ? P : never;

declare const ids: unique symbol;

/** The fault modes of one server or client; `Id` is what an active set of them answers `has` for. */
export interface FaultCatalogue<Id extends string> {
  readonly modes: readonly FaultMode[];
  /** Carries `Id` for the compiler only; never set. */
  readonly [ids]?: Id;
}

/** The ids of a catalogue (of each catalogue of a union, as one union). */
export type FaultIds<C> = C extends FaultCatalogue<infer Id> ? Id : never;

/** The faults switched on in one running server or client. */
export interface ActiveFaults<Id extends string> {
  has(id: Id): boolean;
  /** The arguments of the active `<id>:<argument>` instances of a mode, one per instance. */
  argumentsOf(id: ArgumentFaultOf<Id>): string[];
  /** Every active id as it was switched on, e.g. to hand on to a server started alongside. */
  readonly ids: readonly string[];
}

/** A catalogue of modes given as literals (`as const` is implied): ids are checked once, here. */
export function defineFaults<const M extends readonly FaultMode[]>(modes: M): FaultCatalogue<FaultIdOf<M[number]>> {
  const seen = new Set<string>();
  for (const m of modes) {
    if (seen.has(m.id)) throw new Error(`fault mode ${m.id} is defined twice`);
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(m.id)) throw new Error(`fault mode id "${m.id}" is not lower-case words joined by hyphens`);
    seen.add(m.id);
  }
  return { modes };
}

/** How a mode is switched on, for the list of known ones in an error. */
function usage(mode: FaultMode): string {
  return mode.argument ? `${mode.id}:<${mode.argument}>` : mode.id;
}

/**
 * The active faults of one server or client, from ids given as text; an id none of its
 * catalogues knows (or a plain mode given an argument, or one that needs an argument given none)
 * is a configuration mistake, refused with the ids it knows.
 */
export function activateFaults<const C extends readonly FaultCatalogue<string>[]>(requested: readonly string[], ...catalogues: C): ActiveFaults<FaultIds<C[number]>> {
  const known = catalogues.flatMap((c) => c.modes);
  const byId = new Map(known.map((m) => [m.id, m]));
  const isKnown = (requestedId: string) => {
    const colon = requestedId.indexOf(':');
    const mode = byId.get(colon < 0 ? requestedId : requestedId.slice(0, colon));
    return mode !== undefined && (mode.argument === undefined) === colon < 0 && !requestedId.endsWith(':');
  };
  const unknown = requested.filter((id) => !isKnown(id));
  if (unknown.length > 0) throw new Error(`unknown fault mode(s) ${unknown.join(', ')}; known: ${known.map(usage).join(', ')}`);
  const active = new Set(requested);
  return {
    has: (id) => active.has(id),
    argumentsOf: (id) => [...active].filter((f) => f.startsWith(`${id}:`)).map((f) => f.slice(id.length + 1)),
    ids: [...active],
  };
}

/** No fault at all: what a server or client runs with when none is switched on. */
export const NO_FAULTS: ActiveFaults<never> = activateFaults([]);
