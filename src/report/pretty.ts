export type BodyLanguage = 'json' | 'xml' | 'text';

/** Guesses the body's syntax from its Content-Type, then from its first character. */
export function bodyLanguage(text: string, contentType?: string): BodyLanguage {
  const type = (contentType ?? '').toLowerCase();
  if (/json/.test(type)) return 'json';
  if (/xml/.test(type)) return 'xml';
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return 'json';
  if (first === '<') return 'xml';
  return 'text';
}

/** Headers as `name: value` lines, sorted so two runs diff cleanly. */
export function headerLines(headers: Record<string, string> | undefined): string {
  if (!headers) return '';
  return Object.keys(headers)
    .sort()
    .map((name) => `${name}: ${headers[name]}`)
    .join('\n');
}
