/**
 * The reports a load run sends are built by string substitution into a template serialized once,
 * so thousands of requests a second cost a regular-expression pass each, not a clone and a
 * serialization. A template is a resource's JSON with named slots (`__MC_NAME__`, inside strings)
 * and count slots (`"__MC_N_3__"`, a whole JSON value) that render to the base count scaled by the
 * variant's factor. The k6 export carries the same templates and a JavaScript copy of `render`
 * (K6_TEMPLATE_FUNCTIONS), which a test holds equal to this one.
 */

export interface Template {
  /** JSON text with slots. */
  text: string;
  /** Base value of each count slot, by slot number. */
  base: number[];
}

/** What fills a template's slots for one request. */
export interface Variant {
  /** Multiplies every count slot (rounded, at least 0). */
  factor: number;
  /** Named slot -> text (JSON string content, so no quotes or backslashes). */
  slots: Record<string, string>;
}

export const slot = (name: string): string => `__MC_${name}__`;

/** Serializes a resource whose string values may hold `slot(NAME)`, turning the numbers `isCount` picks into count slots. */
export function makeTemplate(resource: object, isCount: (path: readonly string[]) => boolean): Template {
  const base: number[] = [];
  const walk = (value: unknown, path: string[]): unknown => {
    if (typeof value === 'number' && isCount(path)) {
      base.push(value);
      return `__MC_N_${base.length - 1}__`;
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, path));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    return value;
  };
  return { text: JSON.stringify(walk(resource, [])), base };
}

const SLOTS = /"__MC_N_(\d+)__"|__MC_([A-Z0-9]+)__/g;

/** A template split at its slots once: text, slot, text, slot… (a slot is a count's number or a name). */
type Compiled = (string | number | { name: string })[];
const compiled = new WeakMap<Template, Compiled>();

function compile(template: Template): Compiled {
  const parts: Compiled = [];
  let last = 0;
  for (const m of template.text.matchAll(SLOTS)) {
    parts.push(template.text.slice(last, m.index));
    parts.push(m[1] !== undefined ? Number(m[1]) : { name: m[2]! });
    last = m.index + m[0].length;
  }
  parts.push(template.text.slice(last));
  compiled.set(template, parts);
  return parts;
}

/** The template with its slots filled: the same text as replacing each slot in turn (K6_TEMPLATE_FUNCTIONS does that). */
export function render(template: Template, variant: Variant): string {
  const parts = compiled.get(template) ?? compile(template);
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if (typeof part === 'number') out += String(Math.max(0, Math.round((template.base[part] ?? 0) * variant.factor)));
    else {
      const value = variant.slots[part.name];
      if (value === undefined) throw new Error(`template slot ${part.name} has no value`);
      out += value;
    }
  }
  return out;
}

/**
 * The count factor of a facility's report for a day (revision 0) and of its corrections (1, 2…):
 * between 0.8 and 1.2, the same for the same inputs on every run, so a report read back can be
 * compared with what was sent and the k6 script sends the same counts.
 */
export function factorOf(facility: number, day: number, revision: number): number {
  let h = Math.imul(facility + 1, 0x9e3779b1) ^ Math.imul(day + 1, 0x85ebca77) ^ Math.imul(revision + 1, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return (800 + ((h >>> 0) % 401)) / 1000;
}

/** Days after each start, by offset: every flow of a day asks, and a lookup by number needs no key string built per request. */
const days = new Map<string, string[]>();
const MAX_REMEMBERED_DAYS = 100_000;

/** ISO date `days` after `start` (YYYY-MM-DD), in UTC; remembered, since every flow of a day asks. */
export function dayAfter(start: string, offset: number): string {
  let byOffset = days.get(start);
  if (!byOffset) {
    byOffset = [];
    days.set(start, byOffset);
  }
  let day = byOffset[offset];
  if (day === undefined) {
    const [y, m, d] = start.split('-').map(Number) as [number, number, number];
    day = new Date(Date.UTC(y, m - 1, d + offset)).toISOString().slice(0, 10);
    if (offset >= 0 && offset < MAX_REMEMBERED_DAYS) byOffset[offset] = day;
  }
  return day;
}

/** The first day of the month `months` after the month of `start` (YYYY-MM-DD), and that month's last day. */
export function monthAfter(start: string, months: number): { first: string; last: string } {
  const [y, m] = start.split('-').map(Number) as [number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(y, m + months, 0));
  return { first: first.toISOString().slice(0, 10), last: last.toISOString().slice(0, 10) };
}

/** The same functions for the k6 script, in plain JavaScript; test/load/k6.test.ts holds them equal to the ones above. */
export const K6_TEMPLATE_FUNCTIONS = String.raw`
const SLOTS = /"__MC_N_(\d+)__"|__MC_([A-Z0-9]+)__/g;
function render(template, variant) {
  return template.text.replace(SLOTS, (_m, n, name) => {
    if (n !== undefined) return String(Math.max(0, Math.round((template.base[Number(n)] || 0) * variant.factor)));
    const value = variant.slots[name];
    if (value === undefined) throw new Error('template slot ' + name + ' has no value');
    return value;
  });
}
function factorOf(facility, day, revision) {
  let h = Math.imul(facility + 1, 0x9e3779b1) ^ Math.imul(day + 1, 0x85ebca77) ^ Math.imul(revision + 1, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return (800 + ((h >>> 0) % 401)) / 1000;
}
function dayAfter(start, days) {
  const [y, m, d] = start.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
function monthAfter(start, months) {
  const [y, m] = start.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(y, m + months, 0));
  return { first: first.toISOString().slice(0, 10), last: last.toISOString().slice(0, 10) };
}
`;
