import type { Reference } from 'fhir/r4.js';

const REFERENCE = /(^|\/)[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * A `subject`/`reporter` operation parameter [A25]: `Type/id` (or an absolute URL ending in it)
 * is a reference, `system|value` an identifier, anything else an identifier value.
 */
export function parseParty(text: string): Reference {
  const bar = text.indexOf('|');
  if (bar >= 0) {
    const system = text.slice(0, bar);
    return { identifier: { ...(system ? { system } : {}), value: text.slice(bar + 1) } };
  }
  if (REFERENCE.test(text)) return { reference: text };
  return { identifier: { value: text } };
}

/**
 * The reference for a CSV cell: the cell is the identifier value and the parameter, when it is an
 * identifier, lends its system [A12]; an empty cell falls back to the parameter.
 */
export function partyFor(cell: string, fallback: Reference | undefined): Reference | undefined {
  if (!cell) return fallback;
  const system = fallback?.identifier?.system;
  return { identifier: { ...(system ? { system } : {}), value: cell } };
}
