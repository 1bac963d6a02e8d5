/**
 * The predefined variables of SANER measure automation (SANER-CM-PG-007) and the Library's
 * attachment variables, one environment for both languages: `@Name` / `@Name.part` in FHIR queries
 * and `%Name` in FHIRPath.
 */
import type { Library, Location, Measure, Organization, Period, Resource, ValueSet } from 'fhir/r4.js';
import { priorPeriod, type ReportingPeriod } from './period.js';

/** Variable name -> value: a string, a Period, or a resource. */
export type Variables = ReadonlyMap<string, unknown>;

export interface VariableSources {
  measure: Measure;
  libraries: readonly Library[];
  /** ValueSets by canonical url (without version). */
  valueSets: ReadonlyMap<string, ValueSet>;
  period: ReportingPeriod;
  subject: Location;
  reporter: Organization;
  /** The Data Source base, without a trailing slash. */
  base: string;
  now: Date;
}

function isoDay(time: Date, shiftDays: number): string {
  const day = new Date(time.getTime());
  day.setUTCDate(day.getUTCDate() + shiftDays);
  return day.toISOString().slice(0, 10);
}

export function buildVariables(sources: VariableSources): Variables {
  const period: Period = { start: sources.period.start, end: sources.period.end };
  const vars = new Map<string, unknown>([
    ['Base', sources.base],
    ['Measure', sources.measure],
    ['Subject', sources.subject],
    ['Reporter', sources.reporter],
    ['ReportingPeriod', period],
    ['PriorReportingPeriod', priorPeriod(sources.period)],
    ['Today', isoDay(sources.now, 0)],
    ['Yesterday', isoDay(sources.now, -1)],
    ['Tomorrow', isoDay(sources.now, 1)],
  ]);
  for (const attachment of sources.libraries.flatMap((l) => l.content ?? [])) {
    if (!attachment.id || !attachment.url || vars.has(attachment.id)) continue;
    const url = attachment.url.split('|')[0] ?? attachment.url;
    vars.set(attachment.id, sources.valueSets.get(url) ?? attachment.url);
  }
  return vars;
}

export class UnknownVariable extends Error {
  override name = 'UnknownVariable';
}

function isResource(value: unknown): value is Resource & { url?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as Resource).resourceType === 'string';
}

/**
 * The text a variable reference stands for in a query: `@ReportingPeriod.start` an instant, a
 * definitional resource (ValueSet, Measure) its canonical url, any other resource its relative
 * reference `Type/id`, a string itself. A name may contain dots, so the longest known prefix is
 * the variable and the rest a path into it.
 */
export function queryText(vars: Variables, reference: string): string {
  const parts = reference.split('.');
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join('.');
    if (!vars.has(name)) continue;
    let value: unknown = vars.get(name);
    for (const step of parts.slice(n)) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[step] : undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (isResource(value)) return typeof value.url === 'string' ? value.url : `${value.resourceType}/${value.id ?? ''}`;
    throw new UnknownVariable(`@${reference} has no value that can be written into a query`);
  }
  throw new UnknownVariable(`@${reference} names no predefined variable and no Library attachment`);
}
