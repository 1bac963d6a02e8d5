import { XMLValidator } from 'fast-xml-parser';
import type { BodyCapture } from '../engine/results.js';

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

/** Why a body is shown as captured rather than re-indented, when it is. */
export function bodyNote(body: BodyCapture, language: BodyLanguage): string | undefined {
  if (body.truncated) return `truncated: showing ${body.text.length} of ${body.size} bytes, as captured`;
  if (language === 'json') {
    try {
      JSON.parse(body.text);
    } catch (err) {
      return `not valid JSON (${(err as Error).message}), shown as received`;
    }
  }
  if (language === 'xml') {
    const check = XMLValidator.validate(body.text, { allowBooleanAttributes: true });
    if (check !== true) return `not well-formed XML (${check.err.msg}), shown as received`;
  }
  return undefined;
}

/** Headers as `name: value` lines, sorted so two runs diff cleanly. */
export function headerLines(headers: Record<string, string> | undefined): string {
  if (!headers) return '';
  return Object.keys(headers)
    .sort()
    .map((name) => `${name}: ${headers[name]}`)
    .join('\n');
}
