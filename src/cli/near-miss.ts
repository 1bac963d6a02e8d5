/** Suggestions for a name that matched nothing: the closest candidates by edit distance. */
import { distance } from 'fastest-levenshtein';

/**
 * Up to `limit` candidates at most about a third of `word`'s length away (2 edits at least), the
 * closest first; none when nothing is near enough to be a plausible typo.
 */
export function closest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const budget = Math.max(2, Math.floor(word.length / 3));
  const scored: { name: string; d: number }[] = [];
  for (const name of new Set(candidates)) {
    const d = distance(word.toLowerCase(), name.toLowerCase());
    if (d <= budget && d > 0) scored.push({ name, d });
  }
  return scored
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** `; did you mean a or b?`, or '' when there is nothing close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = closest(word, candidates);
  if (near.length === 0) return '';
  return `; did you mean ${near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`}?`;
}
