import type { Resource } from 'fhir/r4.js';

/** Words of the narrative (`text.div` without its markup), for `_text`. */
export function narrativeText(resource: Resource): string {
  const div = (resource as { text?: { div?: unknown } }).text?.div;
  if (typeof div !== 'string') return '';
  return div
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&(lt|gt|amp|quot|apos);/g, (_m, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? ' ');
}

/** Every string value in the resource, for `_content`. */
export function contentText(resource: Resource): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'div') walk(x);
  };
  walk(resource);
  return `${narrativeText(resource)} ${out.join(' ')}`;
}

/** An FTS5 query requiring every word of `text` (quoted, so user input is never FTS syntax). */
export function ftsAllWords(column: 'narrative' | 'content', text: string): string | undefined {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  return `${column} : (${words.map((w) => `"${w}"`).join(' AND ')})`;
}
