/**
 * Globs over suite and test ids (`--suite`, `--test`, config.yaml `suites`), through picomatch in
 * bash mode: a single `*` crosses `/`, as it always has here (`saner/*` is every SANER suite, `*`
 * is everything), with `?`, `{a,b}`, `[...]`, and `!glob` to leave ids out.
 */
import picomatch from 'picomatch';
import { closest } from './near-miss.js';

const OPTIONS: picomatch.PicomatchOptions = { bash: true, dot: true };

/**
 * True for an id that some positive glob matches (any id when all are negative) and no `!glob`
 * does.
 */
export function idMatcher(globs: readonly string[]): (id: string) => boolean {
  const positive = globs.filter((g) => !g.startsWith('!'));
  const negative = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const include = positive.length ? picomatch(positive, OPTIONS) : () => true;
  const exclude = negative.length ? picomatch(negative, OPTIONS) : () => false;
  return (id) => include(id) && !exclude(id);
}

/**
 * Ids or globs close to a glob that matched nothing: the whole id for a plain name, and for a glob
 * its fixed leading part corrected (`saner/qery-measure/*` -> `saner/query-measure/*`).
 */
export function suggestionsFor(glob: string, ids: readonly string[]): string[] {
  const pattern = glob.startsWith('!') ? glob.slice(1) : glob;
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) return closest(pattern, ids);
  if (!scan.base) return [];
  const depth = scan.base.split('/').length;
  const prefixes = ids.map((id) => id.split('/').slice(0, depth).join('/'));
  return closest(scan.base, prefixes).map((p) => `${p}/${scan.glob}`);
}

/**
 * For each positive glob that matches none of `ids`: `'glob' matches no suite id; did you mean …?`,
 * joined; '' when every glob matches something.
 */
export function unmatchedGlobs(globs: readonly string[], ids: readonly string[], what: string): string {
  return globs
    .filter((g) => !g.startsWith('!'))
    .filter((g) => !ids.some(idMatcher([g])))
    .map((g) => {
      const near = suggestionsFor(g, ids);
      return `'${g}' matches no ${what}${near.length ? `; did you mean ${near.join(', ')}?` : ''}`;
    })
    .join('; ');
}
