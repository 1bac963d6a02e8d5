/**
 * FHIR decimals carry their precision in their text (`1.50` is not `1.5`), but validators,
 * FHIRPath and suites need plain JS numbers. So resources stay plain objects with numbers, and
 * the original text of each number whose JS form differs lives in a side table keyed by the
 * object or array that holds it. Serializers use that text only while the number is unchanged.
 */

const texts = new WeakMap<object, Map<string, string>>();

/** True when `String(Number(text))` would not give back `text` (trailing zeros, exponent, …). */
export function needsNumberText(text: string): boolean {
  return String(Number(text)) !== text;
}

/** Remembers the source text of `owner[key]` (key is an array index for arrays). */
export function setNumberText(owner: object, key: string | number, text: string): void {
  let map = texts.get(owner);
  if (!map) {
    map = new Map();
    texts.set(owner, map);
  }
  map.set(String(key), text);
}

/** The text to write for `owner[key] === value`: the remembered text if it still denotes value. */
export function numberText(owner: object, key: string | number, value: number): string {
  const raw = texts.get(owner)?.get(String(key));
  if (raw !== undefined && Number(raw) === value) return raw;
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * A deep copy of a JSON-like value that keeps the remembered number texts, for callers that
 * copy resources (structuredClone and spreads would drop the precision).
 */
export function cloneWithNumberTexts<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const source = value as unknown as Record<string, unknown>;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  for (const key of Object.keys(source)) {
    (copy as Record<string, unknown>)[key] = cloneWithNumberTexts(source[key]);
  }
  const map = texts.get(source);
  if (map) texts.set(copy, new Map(map));
  return copy as T;
}
