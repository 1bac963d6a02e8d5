const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `±hh:mm` of the local time zone at that local wall-clock time (so DST is honoured). */
function localOffset(year: number, month: number, day: number, hour: number, minute: number): string {
  const minutes = -new Date(year, month - 1, day, hour, minute).getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * Turns an ISO 8601 date or dateTime from a CSV cell or an operation parameter into a FHIR
 * dateTime precise to the second with a time zone (PublicHealthMeasureReport's
 * DateTimePreciseToSecond) [A13]: a date becomes `T00:00:00` at the local offset, missing seconds
 * become `:00`, a missing zone the local offset, `Z` becomes `+00:00`. Returns undefined for
 * anything else, including impossible dates such as 2020-02-30.
 */
export function toFhirDateTime(text: string, offset?: string): string | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = m as unknown as string[] as [string, string, string, string, string?, string?, string?, string?, string?];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone && zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4)) > 59)) return undefined;
  const tz = zone === 'Z' ? '+00:00' : (zone ?? offset ?? localOffset(year, month, day, Number(h), Number(mi)));
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${tz}`;
}

/** Milliseconds since the epoch of a dateTime produced by {@link toFhirDateTime}. */
export function instant(dateTime: string): number {
  return Date.parse(dateTime);
}

/** Now as a FHIR dateTime precise to the second in the local zone (`YYYY-MM-DDThh:mm:ss±hh:mm`). */
export function nowDateTime(now: Date = new Date()): string {
  const local = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  return `${local}${localOffset(now.getFullYear(), now.getMonth() + 1, now.getDate(), now.getHours(), now.getMinutes())}`;
}
