/** Search-side form of a string: accents removed, lower case, so `Clarke` and `clárke` compare equal. */
export function normalizeText(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Upper bound of the keys that start with `prefix`, for index range scans in place of LIKE. */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}\u{10ffff}`;
}
