/**
 * The last line of defence for secrets: the HTTP client redacts the exchanges it records, but notes,
 * reasons and assertion messages are free text (a trigger command line, what it printed, an error
 * quoting a URL). Everything a report or the console shows passes through here first.
 */
/** What stands in evidence where a secret was. */
export const REDACTED = '[redacted]';

/** A copy of `value` with each secret replaced by `[redacted]` in every string it holds (keys are the project's own names). */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  // Longest first, so a secret containing another is replaced whole.
  const ordered = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return value;
  const text = (s: string): string => {
    let out = s;
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(value) as T;
}
