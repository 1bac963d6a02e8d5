/** A date value as the half-open range [low, high) of epoch milliseconds its precision covers. */
export interface DateRange {
  low: number;
  high: number;
}

/** Stand-ins for an open Period end; well inside what both JS numbers and SQLite integers hold. */
export const MIN_TIME = -8.64e15;
export const MAX_TIME = 8.64e15;

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Parses a FHIR date, dateTime or instant (also the partial forms search allows, such as `2020-04`
 * or `2020-04-01T10:00`). Values without a zone are read as UTC, so results do not depend on the
 * machine's time zone. Returns undefined when the text is not such a value.
 */
export function parseDateRange(text: string): DateRange | undefined {
  const m = DATE_RE.exec(text);
  // Date.UTC reads years 0..99 as 1900+; such years are not worth a special case here.
  if (!m || Number(m[1]) < 100) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  const offset = zone === undefined || zone === 'Z' ? 0 : zoneMinutes(zone);
  const ms = frac === undefined ? 0 : Number(`0.${frac}`) * 1000;
  const low = Date.UTC(year, month - 1, day, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Math.floor(ms)) - offset * 60_000;
  let high: number;
  if (mo === undefined) high = Date.UTC(year + 1, 0, 1);
  else if (d === undefined) high = Date.UTC(year, month, 1);
  else if (h === undefined) high = Date.UTC(year, month - 1, day + 1);
  else if (s === undefined) high = low + 60_000;
  else if (frac === undefined) high = low + 1000;
  else high = low + Math.max(1, 10 ** (3 - frac.length));
  return { low, high };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function zoneMinutes(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}
