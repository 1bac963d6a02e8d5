import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BodyCapture } from '../engine/results.js';

export type BodyLanguage = 'json' | 'xml' | 'text';

export interface PrettyBody {
  text: string;
  language: BodyLanguage;
  /** Why the body is shown as captured rather than re-indented, when it is. */
  note?: string;
}

const XML_OPTIONS = {
  ignoreAttributes: false,
  preserveOrder: true,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
  // Entities stay as written so the display shows exactly what the SUT sent.
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  allowBooleanAttributes: true,
} as const;

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

/** Re-indents a captured JSON or XML body for reading; leaves anything it cannot parse as it came. */
export function prettyBody(body: BodyCapture, contentType?: string): PrettyBody {
  const language = bodyLanguage(body.text, contentType);
  if (body.truncated) return { text: body.text, language, note: `truncated: showing ${body.text.length} of ${body.size} bytes, as captured` };
  if (language === 'json') {
    try {
      return { text: JSON.stringify(JSON.parse(body.text), null, 2), language };
    } catch (err) {
      return { text: body.text, language, note: `not valid JSON (${(err as Error).message}), shown as received` };
    }
  }
  if (language === 'xml') {
    const check = XMLValidator.validate(body.text, { allowBooleanAttributes: true });
    if (check !== true) return { text: body.text, language, note: `not well-formed XML (${check.err.msg}), shown as received` };
    const tree: unknown = new XMLParser(XML_OPTIONS).parse(body.text);
    const text = new XMLBuilder({ ...XML_OPTIONS, format: true, indentBy: '  ', suppressEmptyNode: true }).build(tree) as string;
    return { text: text.trim(), language };
  }
  return { text: body.text, language };
}

/** Headers as `name: value` lines, sorted so two runs diff cleanly. */
export function headerLines(headers: Record<string, string> | undefined): string {
  if (!headers) return '';
  return Object.keys(headers)
    .sort()
    .map((name) => `${name}: ${headers[name]}`)
    .join('\n');
}
