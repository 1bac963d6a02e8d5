/**
 * FHIR XML <-> the JSON object form, driven by the R4 model (element order, attributes,
 * primitives, choices, nested resources), so no type needs its own code here.
 *
 * Reading refuses DTDs outright (no entity can be declared, so none can expand) and decodes only
 * the five predefined entities and character references itself.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Resource } from 'fhir/r4.js';
import { FhirError } from './errors.js';
import { needsNumberText, numberText, setNumberText } from './decimal.js';
import { childByName, childContext, isPrimitiveType, isResourceType, typeDefinition } from './model/index.js';
import type { Context, ResolvedElement } from './model/index.js';

export const FHIR_NS = 'http://hl7.org/fhir';
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

export interface XmlSerializeOptions {
  pretty?: boolean;
}

type JsonObject = Record<string, unknown>;

function structureError(message: string, expression?: string): FhirError {
  return FhirError.of(400, 'structure', message, expression);
}

// ---------------------------------------------------------------- writing

/** Writes a resource as FHIR XML (no XML declaration; UTF-8 is the caller's encoding). */
export function serializeXml(resource: Resource, opts: XmlSerializeOptions = {}): string {
  const writer = new XmlWriter(opts.pretty === true);
  writer.resource(resource as unknown as JsonObject, 0, true, '');
  return writer.out;
}

function escapeAttr(text: string): string {
  return /[&<>"\n\r\t]/.test(text) ? text.replace(/[&<>"\n\r\t]/g, (c) => ATTR_ESCAPES[c] ?? c) : text;
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

interface Entry {
  resolved: ResolvedElement;
  value: unknown;
  ext: unknown;
}

class XmlWriter {
  out = '';
  private readonly indents: string[] = [];

  constructor(private readonly pretty: boolean) {}

  private nl(depth: number): string {
    if (!this.pretty) return '';
    let indent = this.indents[depth];
    if (indent === undefined) {
      indent = `\n${'  '.repeat(depth)}`;
      this.indents[depth] = indent;
    }
    return indent;
  }

  resource(res: JsonObject, depth: number, root: boolean, path: string): void {
    const type = res.resourceType;
    if (typeof type !== 'string' || !isResourceType(type)) {
      throw structureError(`Unknown resource type ${JSON.stringify(type)}`, path || undefined);
    }
    const here = path ? path : type;
    const ctx: Context = { type, path: '' };
    const { entries } = this.entries(ctx, res, here, true);
    this.out += `${this.out === '' ? '' : this.nl(depth)}<${type}${root ? ` xmlns="${FHIR_NS}"` : ''}>`;
    this.body(entries, res, depth + 1, here);
    this.out += `${this.nl(depth)}</${type}>`;
  }

  /** An object's properties in XML order, and its XML attributes as text. */
  private entries(ctx: Context, obj: JsonObject, path: string, isResource: boolean): { entries: Entry[]; attrs: string } {
    const entries: Entry[] = [];
    let attrs = '';
    let sorted = true;
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (value === undefined || (isResource && key === 'resourceType')) continue;
      const isExt = key.charCodeAt(0) === 95; // '_'
      const name = isExt ? key.slice(1) : key;
      const resolved = childByName(ctx, name);
      if (!resolved || (isResource && resolved.element.xmlAttr)) {
        throw structureError(`Unknown element '${key}' at ${path}`, `${path}.${key}`);
      }
      if (resolved.element.xmlAttr) {
        if (isExt || typeof value !== 'string') {
          throw structureError(`'${key}' at ${path} must be a string`, `${path}.${key}`);
        }
        attrs += ` ${key}="${escapeAttr(value)}"`;
        continue;
      }
      // `x` and `_x` are usually neighbours, so look back from the end.
      let entry: Entry | undefined;
      for (let i = entries.length - 1; i >= 0 && !entry; i--) {
        if (entries[i]?.resolved.name === name) entry = entries[i];
      }
      if (!entry) {
        const previous = entries[entries.length - 1];
        if (previous && previous.resolved.index > resolved.index) sorted = false;
        entry = { resolved, value: undefined, ext: undefined };
        entries.push(entry);
      }
      if (isExt) entry.ext = value;
      else entry.value = value;
    }
    if (!sorted) entries.sort((a, b) => a.resolved.index - b.resolved.index);
    for (let i = 1; i < entries.length; i++) {
      const [prev, cur] = [entries[i - 1], entries[i]];
      if (prev && cur && prev.resolved.element === cur.resolved.element) {
        throw structureError(`Only one of '${prev.resolved.name}' and '${cur.resolved.name}' may be present at ${path}`, `${path}.${cur.resolved.name}`);
      }
    }
    return { entries, attrs };
  }

  private body(entries: Entry[], owner: JsonObject, depth: number, path: string): void {
    for (const { resolved, value, ext } of entries) {
      const childPath = `${path}.${resolved.name}`;
      if (resolved.element.array) {
        if ((value !== undefined && !Array.isArray(value)) || (ext !== undefined && !Array.isArray(ext))) {
          throw structureError(`'${resolved.name}' at ${path} must be an array`, childPath);
        }
        const values = (value ?? []) as unknown[];
        const exts = (ext ?? []) as unknown[];
        const n = Math.max(values.length, exts.length);
        if (n === 0) throw structureError(`'${resolved.name}' at ${path} must not be an empty array`, childPath);
        for (let i = 0; i < n; i++) {
          this.one(resolved, values[i] ?? null, exts[i] ?? null, values, i, depth, `${childPath}[${i}]`);
        }
      } else {
        if (Array.isArray(value) || Array.isArray(ext)) {
          throw structureError(`'${resolved.name}' at ${path} must not be an array`, childPath);
        }
        this.one(resolved, value ?? null, ext ?? null, owner, resolved.name, depth, childPath);
      }
    }
  }

  private one(resolved: ResolvedElement, value: unknown, ext: unknown, holder: object, key: string | number, depth: number, path: string): void {
    const tag = resolved.name;
    const { element, type } = resolved;
    if (element.xhtml) {
      if (typeof value !== 'string' || ext !== null) {
        throw structureError(`'${tag}' must be an xhtml string`, path);
      }
      this.out += this.nl(depth) + value;
      return;
    }
    if (isPrimitiveType(type)) {
      this.primitive(tag, type, value, ext, holder, key, depth, path);
      return;
    }
    if (ext !== null) throw structureError(`'_${tag}' is only allowed on primitive elements`, path);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw structureError(`'${tag}' must be an object`, path);
    }
    if (type === 'Resource') {
      this.out += `${this.nl(depth)}<${tag}>`;
      this.resource(value as JsonObject, depth + 1, false, path);
      this.out += `${this.nl(depth)}</${tag}>`;
      return;
    }
    this.complex(tag, childContext(resolved.owner, element, type), value as JsonObject, depth, path);
  }

  private complex(tag: string, ctx: Context, obj: JsonObject, depth: number, path: string): void {
    const { entries, attrs } = this.entries(ctx, obj, path, false);
    this.out += `${this.nl(depth)}<${tag}${attrs}`;
    if (entries.length === 0) {
      this.out += '/>';
      return;
    }
    this.out += '>';
    this.body(entries, obj, depth + 1, path);
    this.out += `${this.nl(depth)}</${tag}>`;
  }

  private primitive(tag: string, type: string, value: unknown, ext: unknown, holder: object, key: string | number, depth: number, path: string): void {
    let attrs = '';
    let extensions: unknown;
    if (ext !== null) {
      if (typeof ext !== 'object' || Array.isArray(ext)) throw structureError(`'_${tag}' must be an object`, path);
      for (const key of Object.keys(ext)) {
        const v = (ext as JsonObject)[key];
        if (key === 'id' && typeof v === 'string') attrs += ` id="${escapeAttr(v)}"`;
        else if (key === 'extension') extensions = v;
        else if (v !== undefined) throw structureError(`Unknown element '${key}' in '_${tag}'`, `${path}.${key}`);
      }
    }
    if (value !== null) attrs += ` value="${primitiveText(type, value, holder, key, tag, path)}"`;
    else if (ext === null) throw structureError(`'${tag}' has neither a value nor an extension`, path);
    if (extensions === undefined) {
      this.out += `${this.nl(depth)}<${tag}${attrs}/>`;
      return;
    }
    this.out += `${this.nl(depth)}<${tag}${attrs}>`;
    const parts = { extension: extensions };
    this.body(this.entries({ type, path: '' }, parts, path, false).entries, parts, depth + 1, path);
    this.out += `${this.nl(depth)}</${tag}>`;
  }
}

function primitiveText(type: string, value: unknown, holder: object, key: string | number, tag: string, path: string): string {
  const jsonType = typeDefinition(type)?.jsonType ?? 'string';
  if (typeof value !== jsonType) throw structureError(`'${tag}' must be a ${jsonType} (${type})`, path);
  if (typeof value === 'number') return numberText(holder, key, value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return escapeAttr(value as string);
}

// ---------------------------------------------------------------- reading

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  stopNodes: ['*.div'],
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Matches the JSON limit (MAX_JSON_DEPTH counts arrays too, two levels per repeating element).
  maxNestedTags: 256,
});

type XmlNode = Record<string, unknown>;
type Attrs = Record<string, string>;

/** Parses FHIR XML into the JSON object form; errors are FhirError 400 with line/column or path. */
export function parseXml(text: string): Resource {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (/<!(DOCTYPE|ENTITY)/i.test(source)) {
    throw FhirError.of(400, 'security', 'XML with a DOCTYPE or ENTITY declaration is not accepted');
  }
  const valid = XMLValidator.validate(source);
  if (valid !== true) {
    throw structureError(`Invalid XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  let parsed: XmlNode[];
  try {
    parsed = parser.parse(source) as XmlNode[];
  } catch (err) {
    // Well-formed XML the parser still refuses, e.g. nesting past maxNestedTags.
    throw structureError(`Invalid XML: ${(err as Error).message}`);
  }
  const roots = elementsOf(parsed, '');
  const root = roots[0];
  if (!root || roots.length > 1) throw structureError('An XML resource must have exactly one root element');
  const attrs = attrsOf(root);
  const tag = tagOf(root);
  if (attrs.xmlns !== FHIR_NS) {
    throw structureError(`The root element <${tag}> must be in the namespace ${FHIR_NS}`);
  }
  return readResource(root, tag, true) as unknown as Resource;
}

function tagOf(node: XmlNode): string {
  for (const key in node) if (key !== ':@') return key;
  return '';
}

function attrsOf(node: XmlNode): Attrs {
  return (node[':@'] as Attrs | undefined) ?? {};
}

function childrenOf(node: XmlNode): XmlNode[] {
  return (node[tagOf(node)] as XmlNode[] | undefined) ?? [];
}

/** The element children of a node list; non-blank text is an error at `path`. */
function elementsOf(nodes: XmlNode[], path: string): XmlNode[] {
  const elements: XmlNode[] = [];
  for (const node of nodes) {
    const text = node['#text'];
    if (typeof text === 'string') {
      if (text.trim() !== '') {
        throw structureError(`Unexpected text '${text.trim().slice(0, 40)}' in ${path || 'the document'}`, path || undefined);
      }
    } else {
      elements.push(node);
    }
  }
  return elements;
}

/** Decodes the five predefined entities and character references; any other `&` is an error. */
function decode(raw: string, path: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos)?;?/g, (match, ref: string | undefined) => {
    if (!ref || !match.endsWith(';')) throw structureError(`Unknown or unterminated entity reference in ${path}`, path);
    switch (ref) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (code > 0x10ffff || code === 0) throw structureError(`Invalid character reference &${ref}; in ${path}`, path);
    return String.fromCodePoint(code);
  });
}

/** An attribute value as XML defines it: literal whitespace becomes spaces, then references decode. */
function attrValue(raw: string, path: string): string {
  // Not well-formed XML, though the parser lets it through.
  if (raw.includes('<')) throw structureError(`A literal '<' in an attribute value of ${path} (escape it as &lt;)`, path);
  return decode(raw.replace(/\r\n|[\t\n\r]/g, ' '), path);
}

function checkNamespace(attrs: Attrs, expected: string, tag: string, path: string): void {
  const ns = attrs.xmlns;
  if (ns !== undefined && ns !== expected) {
    throw structureError(`Element <${tag}> at ${path} must be in the namespace ${expected}, not '${ns}'`, path);
  }
}

function readResource(node: XmlNode, path: string, root: boolean): JsonObject {
  const type = tagOf(node);
  if (!isResourceType(type)) throw structureError(`Unknown resource type '${type}' at ${path}`, path);
  const here = root ? type : path;
  const attrs = attrsOf(node);
  for (const name of Object.keys(attrs)) {
    const declaration = name === 'xmlns' || name.startsWith('xmlns:') || (root && name === 'xsi:schemaLocation');
    if (!declaration) throw structureError(`Unknown attribute '${name}' on <${type}> at ${here}`, here);
  }
  checkNamespace(attrs, FHIR_NS, type, here);
  const obj: JsonObject = { resourceType: type };
  readChildren({ type, path: '' }, childrenOf(node), obj, here);
  return obj;
}

interface Collected {
  resolved: ResolvedElement;
  values: unknown[];
  exts: (JsonObject | null)[];
}

/** Reads the attributes (already set by the caller) and child elements of one complex element. */
function readChildren(ctx: Context, nodes: XmlNode[], obj: JsonObject, path: string): void {
  const collected: Collected[] = [];
  let last: Collected | undefined;
  for (const node of elementsOf(nodes, path)) {
    const tag = tagOf(node);
    const resolved = tag.includes(':') ? undefined : childByName(ctx, tag);
    if (!resolved || resolved.element.xmlAttr) {
      throw structureError(`Unknown element '${tag}' at ${path}`, `${path}.${tag}`);
    }
    if (last && resolved.index < last.resolved.index) {
      throw structureError(`Element '${tag}' at ${path} is out of order: it must come before '${last.resolved.name}'`, `${path}.${tag}`);
    }
    if (last && resolved.index === last.resolved.index) {
      if (!resolved.element.array || resolved.name !== last.resolved.name) {
        throw structureError(`Element '${tag}' at ${path} must not repeat`, `${path}.${tag}`);
      }
    } else {
      last = { resolved, values: [], exts: [] };
      collected.push(last);
    }
    const at = resolved.element.array ? `${path}.${tag}[${last.values.length}]` : `${path}.${tag}`;
    readElement(node, resolved, last, at);
  }
  for (const { resolved, values, exts } of collected) {
    const { name } = resolved;
    const array = resolved.element.array;
    if (values.some((v) => v !== null)) {
      obj[name] = array ? values : values[0];
      if (array) transferNumberTexts(values, obj[name] as unknown[]);
      else if (pendingText.has(values)) setNumberText(obj, name, pendingText.get(values)?.get(0) ?? '');
    }
    if (exts.some((e) => e !== null)) obj[`_${name}`] = array ? exts : exts[0];
  }
}

/** Number texts read before their array or holder object exists, keyed by the values list. */
const pendingText = new WeakMap<unknown[], Map<number, string>>();

function transferNumberTexts(values: unknown[], target: unknown[]): void {
  const texts = pendingText.get(values);
  if (texts) for (const [i, text] of texts) setNumberText(target, i, text);
}

function readElement(node: XmlNode, resolved: ResolvedElement, into: Collected, path: string): void {
  const tag = resolved.name;
  const { element, type } = resolved;
  const attrs = attrsOf(node);
  if (element.xhtml) {
    checkXhtml(attrs, path);
    into.values.push(rebuildDiv(node, attrs, path));
    into.exts.push(null);
    return;
  }
  if (isPrimitiveType(type)) {
    readPrimitive(node, resolved, into, path);
    return;
  }
  if (type === 'Resource') {
    for (const name of Object.keys(attrs)) {
      if (name !== 'xmlns') throw structureError(`Unknown attribute '${name}' on <${tag}> at ${path}`, path);
    }
    checkNamespace(attrs, FHIR_NS, tag, path);
    const inner = elementsOf(childrenOf(node), path);
    const first = inner[0];
    if (!first || inner.length > 1) throw structureError(`<${tag}> at ${path} must contain exactly one resource`, path);
    into.values.push(readResource(first, path, false));
    into.exts.push(null);
    return;
  }
  const ctx = childContext(resolved.owner, element, type);
  const obj: JsonObject = {};
  readAttributes(ctx, attrs, obj, tag, path);
  readChildren(ctx, childrenOf(node), obj, path);
  into.values.push(obj);
  into.exts.push(null);
}

function readAttributes(ctx: Context, attrs: Attrs, obj: JsonObject, tag: string, path: string): void {
  for (const name of Object.keys(attrs)) {
    if (name === 'xmlns') {
      checkNamespace(attrs, FHIR_NS, tag, path);
      continue;
    }
    const resolved = childByName(ctx, name);
    if (!resolved?.element.xmlAttr) throw structureError(`Unknown attribute '${name}' on <${tag}> at ${path}`, `${path}.${name}`);
    obj[name] = attrValue(attrs[name] ?? '', `${path}.${name}`);
  }
}

function readPrimitive(node: XmlNode, resolved: ResolvedElement, into: Collected, path: string): void {
  const tag = resolved.name;
  const attrs = attrsOf(node);
  let raw: string | undefined;
  const ext: JsonObject = {};
  for (const name of Object.keys(attrs)) {
    if (name === 'value') raw = attrValue(attrs[name] ?? '', path);
    else if (name === 'id') ext.id = attrValue(attrs[name] ?? '', path);
    else if (name === 'xmlns') checkNamespace(attrs, FHIR_NS, tag, path);
    else throw structureError(`Unknown attribute '${name}' on <${tag}> at ${path}`, `${path}.${name}`);
  }
  const children = childrenOf(node);
  if (children.length > 0) {
    readChildren({ type: resolved.type, path: '' }, children, ext, path);
    for (const key of Object.keys(ext)) {
      if (key !== 'id' && key !== 'extension') throw structureError(`Unknown element '${key}' at ${path}`, `${path}.${key}`);
    }
  }
  const hasExt = Object.keys(ext).length > 0;
  if (raw === undefined && !hasExt) throw structureError(`<${tag}> at ${path} has neither a value nor children`, path);
  into.exts.push(hasExt ? ext : null);
  if (raw === undefined) {
    into.values.push(null);
    return;
  }
  const jsonType = typeDefinition(resolved.type)?.jsonType ?? 'string';
  if (jsonType === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw structureError(`Invalid boolean '${raw}' at ${path}`, path);
    into.values.push(raw === 'true');
  } else if (jsonType === 'number') {
    if (!valueRegex(resolved.type).test(raw) || !Number.isFinite(Number(raw))) {
      throw structureError(`Invalid ${resolved.type} '${raw}' at ${path}`, path);
    }
    if (needsNumberText(raw)) {
      let texts = pendingText.get(into.values);
      if (!texts) {
        texts = new Map();
        pendingText.set(into.values, texts);
      }
      texts.set(into.values.length, raw);
    }
    into.values.push(Number(raw));
  } else {
    into.values.push(raw);
  }
}

const valueRegexes = new Map<string, RegExp>();
function valueRegex(type: string): RegExp {
  let regex = valueRegexes.get(type);
  if (!regex) {
    regex = new RegExp(`^(?:${typeDefinition(type)?.regex ?? '.+'})$`);
    valueRegexes.set(type, regex);
  }
  return regex;
}

function checkXhtml(attrs: Attrs, path: string): void {
  if (attrs.xmlns !== XHTML_NS) {
    throw structureError(`The narrative <div> at ${path} must be in the namespace ${XHTML_NS}`, path);
  }
}

/** The div as written, from its attributes and its unparsed content (a stop node). */
function rebuildDiv(node: XmlNode, attrs: Attrs, path: string): string {
  let open = '<div';
  for (const name of Object.keys(attrs)) open += ` ${name}="${escapeAttr(attrValue(attrs[name] ?? '', path))}"`;
  const content = childrenOf(node)
    .map((child) => (typeof child['#text'] === 'string' ? child['#text'] : ''))
    .join('');
  return `${open}>${content}</div>`;
}
