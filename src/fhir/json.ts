/**
 * FHIR JSON parsing and serialization that keeps decimal precision (see decimal.ts) and refuses
 * what FHIR forbids but JSON.parse accepts (duplicate keys).
 *
 * The common case (no number whose text differs from its JS form) takes the native JSON.parse;
 * otherwise lossless-json provides each number's text. Duplicate keys are found by comparing the
 * colons outside strings with the keys of the parsed value, because both parsers keep only one
 * of two equal duplicates.
 */
import { parse as losslessParse } from 'lossless-json';
import type { Resource } from 'fhir/r4.js';
import { FhirError } from './errors.js';
import { needsNumberText, numberText, setNumberText } from './decimal.js';

export interface SerializeOptions {
  pretty?: boolean;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;

/**
 * Deepest nesting of objects and arrays accepted. Real resources stay far below it (each level of
 * a repeating element costs two); far deeper text would overflow the stack of every recursive
 * walk after parsing (key count, validation, indexing) and turn a client's mistake into a 500.
 */
export const MAX_JSON_DEPTH = 512;

/** Parses FHIR JSON into a resource; errors are FhirError 400 naming line and column. */
export function parseJson(text: string): Resource {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const scan = scanJson(source);
  const value = scan.numberTexts ? parseKeepingNumbers(source) : parseNative(source);
  if (countKeys(value) !== scan.colons || source.includes('"__proto__"')) {
    const error = keyError(source);
    if (error) throw error;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw FhirError.of(400, 'structure', 'A FHIR JSON resource must be a JSON object');
  }
  const resourceType = (value as { resourceType?: unknown }).resourceType;
  if (typeof resourceType !== 'string' || resourceType === '') {
    throw FhirError.of(400, 'structure', 'A FHIR JSON resource needs a string "resourceType" property');
  }
  return value as Resource;
}

/** Writes a resource (or any JSON value) as JSON, with decimals in their original text. */
export function serializeJson(resource: Resource | object, opts: SerializeOptions = {}): string {
  return writeValue(resource, null, '', opts.pretty ? '\n' : null);
}

interface Scan {
  /** Colons outside strings: exactly one per object key in valid JSON. */
  colons: number;
  /** Whether some number's text differs from its JS form. */
  numberTexts: boolean;
}

function scanJson(text: string): Scan {
  let colons = 0;
  let numberTexts = false;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
    } else if (c === COLON) {
      colons++;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) throw FhirError.of(400, 'structure', `Invalid JSON: objects and arrays nested more than ${MAX_JSON_DEPTH} deep`);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      // Short integers never need their text; anything else is checked.
      if (!numberTexts && (j - i > 15 || !isPlainInteger(text, i, j)) && needsNumberText(text.slice(i, j))) {
        numberTexts = true;
      }
      i = j - 1;
    }
  }
  return { colons, numberTexts };
}

function isPlainInteger(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  if (first === 48 && end - start > 1) return false; // a leading zero: let the parser judge it
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c < 48 || c > 57) && !(c === 45 && i === start && text.charCodeAt(i + 1) !== 48)) return false;
  }
  return true;
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
}

/** Index of the quote closing the string opened at `start` (text length if unterminated). */
function endOfString(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}

function parseNative(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (nativeError) {
    // lossless-json reports the position of the fault, which JSON.parse often does not.
    try {
      losslessParse(text);
    } catch (error) {
      throw syntaxError(text, error);
    }
    throw FhirError.of(400, 'structure', `Invalid JSON: ${(nativeError as Error).message}`);
  }
}

class NumberText {
  constructor(readonly text: string) {}
}

function parseKeepingNumbers(text: string): unknown {
  let value: unknown;
  try {
    value = losslessParse(text, null, (s) => (needsNumberText(s) ? new NumberText(s) : Number(s)));
  } catch (error) {
    throw syntaxError(text, error);
  }
  return restoreNumbers(value);
}

function restoreNumbers(value: unknown): unknown {
  if (value instanceof NumberText) return Number(value.text);
  if (value === null || typeof value !== 'object') return value;
  const holder = value as Record<string, unknown>;
  for (const key of Object.keys(holder)) {
    const child = holder[key];
    if (child instanceof NumberText) {
      holder[key] = Number(child.text);
      setNumberText(holder, key, child.text);
    } else if (child !== null && typeof child === 'object') {
      restoreNumbers(child);
    }
  }
  return value;
}

function countKeys(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    let n = 0;
    for (const item of value) n += countKeys(item);
    return n;
  }
  const holder = value as Record<string, unknown>;
  let n = 0;
  for (const key in holder) n += 1 + countKeys(holder[key]);
  return n;
}

function lineColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}

function syntaxError(text: string, error: unknown): FhirError {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^(.*?)\s*(?:at|got .* at) position (\d+)\s*$/.exec(message) ?? /^(.*) position (\d+)/.exec(message);
  if (!match) return FhirError.of(400, 'structure', `Invalid JSON: ${message}`);
  const { line, column } = lineColumn(text, Number(match[2]));
  const what = message.replace(/\s*at position \d+$/, '').replace(/ position \d+$/, '');
  return FhirError.of(400, 'structure', `Invalid JSON at line ${line}, column ${column}: ${what}`);
}

/**
 * The first repeated key, or a `__proto__` key (an own property that a later spread or
 * Object.assign would turn into a prototype change).
 */
function keyError(text: string): FhirError | undefined {
  const stack: (Set<string> | null)[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) stack.push(new Set());
    else if (c === 91) stack.push(null);
    else if (c === 125 || c === 93) stack.pop();
    else if (c === QUOTE) {
      const end = endOfString(text, i);
      let after = end + 1;
      while (after < n && /\s/.test(text.charAt(after))) after++;
      const keys = stack[stack.length - 1];
      if (keys && text.charCodeAt(after) === COLON) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const { line, column } = lineColumn(text, i);
        if (keys.has(key) || key === '__proto__') {
          const why = key === '__proto__' ? 'is not allowed' : 'appears twice in the same object';
          return FhirError.of(400, 'structure', `Invalid JSON at line ${line}, column ${column}: property "${key}" ${why}`);
        }
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}

/** Strings JSON writes as they are between quotes: no quote, backslash, control or surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000-U+001F are exactly the characters JSON must escape, so the class names them.
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** Quoted keys: resources reuse a few hundred element names, quoting each anew was a fifth of the writer's time. */
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function writeValue(value: unknown, owner: object | null, key: string, indent: string | null): string {
  switch (typeof value) {
    case 'string':
      return value.length < 256 && PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number':
      return owner ? numberText(owner, key, value) : Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? writeArray(value, indent) : writeObject(value as Record<string, unknown>, indent);
    default:
      return 'null';
  }
}

function writeArray(array: unknown[], indent: string | null): string {
  if (array.length === 0) return '[]';
  const inner = indent === null ? null : `${indent}  `;
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out += ',';
    if (inner !== null) out += inner;
    out += writeValue(array[i], array, String(i), inner);
  }
  return out + (indent === null ? ']' : `${indent}]`);
}

function writeObject(object: Record<string, unknown>, indent: string | null): string {
  const inner = indent === null ? null : `${indent}  `;
  let out = '{';
  let first = true;
  for (const key of Object.keys(object)) {
    const child = object[key];
    if (child === undefined || typeof child === 'function' || typeof child === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    if (inner !== null) out += inner;
    out += quotedKey(key) + (inner === null ? ':' : ': ') + writeValue(child, object, key, inner);
  }
  if (first) return '{}';
  return out + (indent === null ? '}' : `${indent}}`);
}
