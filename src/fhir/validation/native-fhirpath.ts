// A native evaluator for the simple FHIRPath shapes most profile rules are made of: member paths,
// exists/empty/count/not, where, ofType and `is` on model types, and/or/xor/implies, = and != with
// literals, integer comparisons, startsWith/matches, toString()/length() on strings and well-formed
// dates, and the `descendants().extension` walk. On
// plain FHIR JSON it takes a few microseconds where fhirpath.js takes tens to hundreds.
//
// It must give exactly fhirpath.js's answer. What it cannot model is refused: at compile time
// (undefined: use fhirpath.js) or, for data outside the plain shapes it models (a primitive's
// `_name` sibling, nulls, collections where a singleton is needed, non-string comparisons), at run
// time by throwing UNSUPPORTED, so the caller evaluates that rule with fhirpath.js instead.
// test/ig/saner-profiles.test.ts runs both evaluators over every rule on valid and broken instances.
import r4 from 'fhirpath/fhir-context/r4';
import { memberOptions, type MemberOption, type ModelPosition } from '../search/member-path.js';

const type2Parent = r4.type2Parent as Record<string, string | undefined>;

/** Thrown when the data is outside what this evaluator models: evaluate with fhirpath.js instead. */
export const UNSUPPORTED: unique symbol = Symbol('native FHIRPath cannot decide');

/** Where a node sits in its resource, as fhirpath.js's fullPropertyName() renders it. */
interface Location {
  up: Location | undefined;
  name: string;
  index: number;
}

/** One item of a collection: a JSON value at a model position (a model element), or a System value. */
export interface NativeNode {
  value: unknown;
  /** Undefined for System values (literals and function results). */
  pos: ModelPosition | undefined;
  loc: Location | undefined;
}

type Eval = (focus: NativeNode[], self: NativeNode) => NativeNode[];

interface Compiled {
  run: Eval;
  /** Model positions the results can be at. */
  out: ModelPosition[];
  /** Every result node knows its location (false after the descendants() walk). */
  located: boolean;
}

/** A compiled expression: evaluates on a node and gives the result collection, or throws UNSUPPORTED. */
export interface NativeExpression {
  evaluate(node: NativeNode): NativeNode[];
  out: ModelPosition[];
  located: boolean;
}

/** The node for a whole resource, the starting point of a rule; `pos` is the position compiled for. */
export function rootNode(resource: { resourceType: string }, pos: ModelPosition): NativeNode {
  return { value: resource, pos, loc: { up: undefined, name: resource.resourceType, index: -1 } };
}

/** fhirpath.js's fullPropertyName() of a located node (`MeasureReport.group[1].population[0]`). */
export function locationOf(node: NativeNode): string | undefined {
  const parts: string[] = [];
  for (let l = node.loc; l; l = l.up) parts.push(l.index < 0 ? l.name : `${l.name}[${l.index}]`);
  return parts.length > 0 ? parts.reverse().join('.') : undefined;
}

// ---- parsing ---------------------------------------------------------------------------------

type Ast =
  | { k: 'literal'; value: string | number | boolean }
  | { k: 'this' }
  | { k: 'member'; from: Ast | undefined; name: string }
  | { k: 'call'; from: Ast | undefined; name: string; args: Ast[] }
  | { k: 'binary'; op: string; left: Ast; right: Ast }
  | { k: 'is'; left: Ast; type: string };

const TOKEN = /\s*(?:('(?:[^'\\]|\\.)*')|(\d+)(?![.\d])|(\$this\b)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|!=|[=<>+().,]))/y;

function tokenize(expression: string): string[] | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(expression);
    if (!m) return undefined;
    tokens.push(m[0].trim());
  }
  return tokens;
}

const FUNCTIONS = new Set(['exists', 'empty', 'count', 'not', 'where', 'ofType', 'startsWith', 'matches', 'combine', 'descendants', 'toString', 'length']);
const KEYWORDS = new Set(['and', 'or', 'xor', 'implies', 'is', 'as', 'in', 'contains', 'div', 'mod', 'true', 'false']);

/** Recursive descent over FHIRPath's precedence: implies < or/xor < and < = != < comparisons < is < + < invocation. */
function parse(expression: string): Ast | undefined {
  const tokens = tokenize(expression);
  if (!tokens) return undefined;
  let at = 0;
  const peek = () => tokens[at];
  const take = (t: string) => {
    if (tokens[at] !== t) return false;
    at++;
    return true;
  };
  const fail = (): never => {
    throw new SyntaxError(expression);
  };
  const binary = (ops: string[], next: () => Ast) => (): Ast => {
    let left = next();
    for (let op = peek(); op !== undefined && ops.includes(op); op = peek()) {
      at++;
      left = { k: 'binary', op, left, right: next() };
    }
    return left;
  };
  const term = (): Ast => {
    const t = tokens[at++] ?? fail();
    if (t === '(') {
      const inner = implies();
      if (!take(')')) fail();
      return inner;
    }
    if (t.startsWith("'")) {
      if (t.includes('\\')) fail();
      return { k: 'literal', value: t.slice(1, -1) };
    }
    if (/^\d+$/.test(t)) return { k: 'literal', value: Number(t) };
    if (t === 'true' || t === 'false') return { k: 'literal', value: t === 'true' };
    if (t === '$this') return { k: 'this' };
    return invocation(undefined, t);
  };
  const invocation = (from: Ast | undefined, name: string): Ast => {
    if (!/^[a-z]/.test(name) || KEYWORDS.has(name)) fail();
    if (!take('(')) return { k: 'member', from, name };
    if (!FUNCTIONS.has(name)) fail();
    const args: Ast[] = [];
    if (!take(')')) {
      do args.push(name === 'ofType' ? { k: 'literal', value: tokens[at++] ?? fail() } : implies());
      while (take(','));
      if (!take(')')) fail();
    }
    return { k: 'call', from, name, args };
  };
  const postfix = (): Ast => {
    let ast = term();
    while (take('.')) ast = invocation(ast, tokens[at++] ?? fail());
    return ast;
  };
  const additive = binary(['+'], postfix);
  const typeTest = (): Ast => {
    const left = additive();
    if (!take('is')) return left;
    return { k: 'is', left, type: tokens[at++] ?? fail() };
  };
  const comparison = binary(['<=', '>=', '<', '>'], typeTest);
  const equality = binary(['=', '!='], comparison);
  const and = binary(['and'], equality);
  const or = binary(['or', 'xor'], and);
  const implies: () => Ast = binary(['implies'], or);
  try {
    const ast = implies();
    return at === tokens.length ? ast : undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

// ---- evaluation ------------------------------------------------------------------------------

const STRING_TYPES = new Set(['string', 'code', 'uri', 'url', 'canonical', 'id', 'oid', 'uuid', 'markdown', 'System.String']);
const TRUE: NativeNode[] = [{ value: true, pos: undefined, loc: undefined }];
const FALSE: NativeNode[] = [{ value: false, pos: undefined, loc: undefined }];
const EMPTY: NativeNode[] = [];
const bool = (b: boolean): NativeNode[] => (b ? TRUE : FALSE);
const system = (value: unknown): NativeNode[] => [{ value, pos: undefined, loc: undefined }];

/** A three-valued boolean operand: undefined for empty. */
function logical(items: NativeNode[]): boolean | undefined {
  if (items.length === 0) return undefined;
  const v = items[0]!.value;
  if (items.length > 1 || items[0]!.pos !== undefined || typeof v !== 'boolean') throw UNSUPPORTED;
  return v;
}

/** A singleton string of a string-typed element or literal. */
function text(items: NativeNode[]): string | undefined {
  if (items.length === 0) return undefined;
  const { value, pos } = items[0]!;
  if (items.length > 1 || typeof value !== 'string' || (pos !== undefined && !STRING_TYPES.has(pos.type))) throw UNSUPPORTED;
  return value;
}

const TEMPORAL_TYPES = new Set(['date', 'dateTime', 'instant']);
/** A date, dateTime or instant as R4 writes them: fhirpath.js's toString() gives these back as written. */
const TEMPORAL = /^\d{4}(-\d\d(-\d\d(T\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))?)?)?$/;

/** toString() of a singleton string or well-formed date element (others: fhirpath.js decides). */
function asString(items: NativeNode[]): NativeNode[] {
  if (items.length === 0) return EMPTY;
  const { value, pos } = items[0]!;
  if (items.length > 1 || typeof value !== 'string') throw UNSUPPORTED;
  if (pos !== undefined && !STRING_TYPES.has(pos.type) && !(TEMPORAL_TYPES.has(pos.type) && TEMPORAL.test(value))) throw UNSUPPORTED;
  return system(value);
}

/** A singleton System integer (count() results and integer literals). */
function integer(items: NativeNode[]): number | undefined {
  if (items.length === 0) return undefined;
  const { value, pos } = items[0]!;
  if (items.length > 1 || pos !== undefined || !Number.isInteger(value)) throw UNSUPPORTED;
  return value as number;
}

function equal(left: NativeNode[], right: NativeNode[]): boolean | undefined {
  if (left.length === 0 || right.length === 0) return undefined;
  if (left.length !== right.length) return false;
  const a = left[0]!;
  const b = right[0]!;
  if (typeof a.value === 'number' && typeof b.value === 'number') return integer(left) === integer(right);
  return text(left) === text(right);
}

function isType(node: NativeNode, name: string): boolean {
  const pos = node.pos;
  if (!pos || node.value === null) throw UNSUPPORTED;
  return typeIn(pos, name);
}

/**
 * Member `name` of `node`, as fhirpath.js's makeChildResNodes reads it: the element, its `_name`
 * sibling (a primitive's id and extensions: the node exists, with a null value when only the
 * sibling is there), and for a choice the first type present in the model's order.
 */
function typeIn(pos: ModelPosition, name: string): boolean {
  const wanted = name.startsWith('FHIR.') ? name.slice(5) : name;
  for (let t: string | undefined = pos.type; t !== undefined; t = type2Parent[t]) if (t === wanted) return true;
  return false;
}

/** A member option with its JSON keys made once: keys built per lookup are slow. */
interface Member {
  option: MemberOption;
  sibling: string;
  stem: string;
}

/** The child node for `v` at `index` (-1 for a single value); a function, not a closure per call. */
function childAt(node: NativeNode, member: Member, sibling: unknown, v: unknown, index: number): NativeNode {
  // An object beside a `_name` sibling, or an array entry missing, is not plain FHIR JSON.
  if (v === undefined || (v !== null && typeof v === 'object' && sibling != null)) throw UNSUPPORTED;
  return { value: v, pos: member.option, loc: node.loc && { up: node.loc, name: member.stem, index } };
}

function children(node: NativeNode, name: string, options: Map<ModelPosition, Member[]>, into: NativeNode[]): void {
  const obj = node.value;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || !node.pos) throw UNSUPPORTED;
  const json = obj as Record<string, unknown>;
  const found = options.get(node.pos);
  if (!found || found.length === 0) {
    if (json[name] !== undefined || json[`_${name}`] !== undefined) throw UNSUPPORTED;
    return;
  }
  for (const member of found) {
    const value = json[member.option.key];
    const sibling = json[member.sibling];
    if (value === undefined && sibling === undefined) continue;
    if (Array.isArray(value)) {
      if (sibling != null && !Array.isArray(sibling)) throw UNSUPPORTED;
      const siblings = (sibling ?? []) as unknown[];
      for (let i = 0; i < value.length; i++) {
        if (value[i] === null && siblings[i] == null) throw UNSUPPORTED;
        into.push(childAt(node, member, sibling, value[i], i));
      }
      for (let i = value.length; i < siblings.length; i++) into.push(childAt(node, member, sibling, null, i));
    } else if (value == null && Array.isArray(sibling)) {
      for (let i = 0; i < sibling.length; i++) into.push(childAt(node, member, sibling, null, i));
    } else if (value != null || sibling != null) {
      if (Array.isArray(sibling)) throw UNSUPPORTED;
      into.push(childAt(node, member, sibling, value ?? null, -1));
    }
    // fhirpath.js takes the first choice type present.
    if (member.option.choice) return;
  }
}

const EXTENSION: ModelPosition = { path: 'Extension', type: 'Extension' };

/**
 * `descendants().extension` on FHIR JSON: every Extension object below a node, whatever its depth
 * (on primitives through their `_name` sibling, in contained resources, in extensions).
 */
function descendantExtensions(value: unknown, into: NativeNode[], top: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (Array.isArray(item)) throw UNSUPPORTED;
      descendantExtensions(item, into, false);
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const json = value as Record<string, unknown>;
  for (const key in json) {
    const child = json[key];
    if (key === 'resourceType') continue;
    if (key.charCodeAt(0) === 95 /* _ */) {
      const own = json[key.slice(1)];
      // fhirpath.js pairs `_name` with its primitive; beside an object or a mismatched shape it does not.
      if (own != null && (Array.isArray(own) !== Array.isArray(child) || (Array.isArray(own) ? own.some((o) => typeof o === 'object' && o !== null) : typeof own === 'object'))) {
        throw UNSUPPORTED;
      }
    }
    if (key === 'extension' && !top) {
      for (const ext of Array.isArray(child) ? child : [child]) {
        if (typeof ext !== 'object' || ext === null || Array.isArray(ext)) throw UNSUPPORTED;
        into.push({ value: ext, pos: EXTENSION, loc: undefined });
      }
    }
    descendantExtensions(child, into, false);
  }
}

function compileAst(ast: Ast, positions: ModelPosition[]): Compiled | undefined {
  switch (ast.k) {
    case 'literal':
      return { run: () => system(ast.value), out: [], located: false };
    case 'this':
      return { run: (_focus, self) => [self], out: positions, located: true };
    case 'member': {
      if (ast.name === 'extension' && ast.from?.k === 'call' && ast.from.name === 'descendants') return compileDescendantExtensions(ast, positions);
      const from = ast.from ? compileAst(ast.from, positions) : undefined;
      if (ast.from && !from) return undefined;
      const at = from ? from.out : positions;
      const options = new Map(at.map((p) => [p, memberOptions(p, ast.name).map((option) => ({ option, sibling: `_${option.key}`, stem: option.choice ? ast.name : option.key }))] as const));
      const out = [...options.values()].flat().map((m) => m.option);
      return {
        run: (focus, self) => {
          const input = from ? from.run(focus, self) : focus;
          const result: NativeNode[] = [];
          for (const node of input) children(node, ast.name, options, result);
          return result;
        },
        out,
        located: from ? from.located : true,
      };
    }
    case 'call':
      return compileCall(ast, positions);
    case 'is': {
      const left = compileAst(ast.left, positions);
      if (!left || !/^(FHIR\.)?[A-Za-z]+$/.test(ast.type)) return undefined;
      return {
        run: (focus, self) => {
          const items = left.run(focus, self);
          if (items.length === 0) return EMPTY;
          if (items.length > 1) throw UNSUPPORTED;
          return bool(isType(items[0]!, ast.type));
        },
        out: [],
        located: false,
      };
    }
    case 'binary': {
      const left = compileAst(ast.left, positions);
      const right = compileAst(ast.right, positions);
      if (!left || !right) return undefined;
      const op = BINARY[ast.op];
      if (!op) return undefined;
      return { run: (focus, self) => op(left.run(focus, self), right.run(focus, self)), out: [], located: false };
    }
  }
}

const BINARY: Record<string, (l: NativeNode[], r: NativeNode[]) => NativeNode[]> = {
  and: (l, r) => {
    const a = logical(l);
    const b = logical(r);
    if (a === false || b === false) return FALSE;
    return a === undefined || b === undefined ? EMPTY : TRUE;
  },
  or: (l, r) => {
    const a = logical(l);
    const b = logical(r);
    if (a === true || b === true) return TRUE;
    return a === undefined || b === undefined ? EMPTY : FALSE;
  },
  xor: (l, r) => {
    const a = logical(l);
    const b = logical(r);
    return a === undefined || b === undefined ? EMPTY : bool(a !== b);
  },
  implies: (l, r) => {
    const a = logical(l);
    const b = logical(r);
    if (a === false || b === true) return TRUE;
    return a === undefined || b === undefined ? EMPTY : FALSE;
  },
  '=': (l, r) => {
    const eq = equal(l, r);
    return eq === undefined ? EMPTY : bool(eq);
  },
  '!=': (l, r) => {
    const eq = equal(l, r);
    return eq === undefined ? EMPTY : bool(!eq);
  },
  '+': (l, r) => {
    const a = integer(l);
    const b = integer(r);
    return a === undefined || b === undefined ? EMPTY : system(a + b);
  },
  '<': (l, r) => compare(l, r, (a, b) => a < b),
  '<=': (l, r) => compare(l, r, (a, b) => a <= b),
  '>': (l, r) => compare(l, r, (a, b) => a > b),
  '>=': (l, r) => compare(l, r, (a, b) => a >= b),
};

function compare(l: NativeNode[], r: NativeNode[], test: (a: number, b: number) => boolean): NativeNode[] {
  const a = integer(l);
  const b = integer(r);
  return a === undefined || b === undefined ? EMPTY : bool(test(a, b));
}

function compileCall(ast: Extract<Ast, { k: 'call' }>, positions: ModelPosition[]): Compiled | undefined {
  const from = ast.from ? compileAst(ast.from, positions) : undefined;
  if (ast.from && !from) return undefined;
  const at = from ? from.out : positions;
  const located = from ? from.located : true;
  const input: Eval = from ? from.run : (focus) => focus;
  const arity = ast.args.length;
  const stringArg = ast.args[0]?.k === 'literal' && typeof ast.args[0].value === 'string' ? ast.args[0].value : undefined;
  switch (ast.name) {
    case 'exists':
    case 'empty':
    case 'count':
    case 'not':
    case 'descendants':
    case 'toString':
    case 'length':
      if (arity !== 0) return undefined;
      break;
    case 'where':
    case 'combine':
      if (arity !== 1) return undefined;
      break;
    default:
      if (arity !== 1 || stringArg === undefined) return undefined;
  }
  switch (ast.name) {
    case 'exists':
      return { run: (f, s) => bool(input(f, s).length > 0), out: [], located: false };
    case 'empty':
      return { run: (f, s) => bool(input(f, s).length === 0), out: [], located: false };
    case 'count':
      return { run: (f, s) => system(input(f, s).length), out: [], located: false };
    case 'not':
      return {
        run: (f, s) => {
          const v = logical(input(f, s));
          return v === undefined ? EMPTY : bool(!v);
        },
        out: [],
        located: false,
      };
    case 'where': {
      const criteria = compileAst(ast.args[0]!, at);
      if (!criteria) return undefined;
      return {
        run: (f, s) => {
          const kept: NativeNode[] = [];
          for (const item of input(f, s)) if (logical(criteria.run([item], item)) === true) kept.push(item);
          return kept;
        },
        out: at,
        located,
      };
    }
    case 'ofType': {
      const name = stringArg!;
      if (!/^(FHIR\.)?[A-Za-z]+$/.test(name)) return undefined;
      return {
        run: (f, s) => {
          const kept: NativeNode[] = [];
          for (const item of input(f, s)) if (isType(item, name)) kept.push(item);
          return kept;
        },
        out: at.filter((p) => typeIn(p, name)),
        located,
      };
    }
    case 'toString':
      return { run: (f, s) => asString(input(f, s)), out: [], located: false };
    case 'length':
      return {
        run: (f, s) => {
          const v = text(input(f, s));
          return v === undefined ? EMPTY : system(v.length);
        },
        out: [],
        located: false,
      };
    case 'startsWith':
      return { run: (f, s) => stringTest(input(f, s), (v) => v.startsWith(stringArg!)), out: [], located: false };
    case 'matches': {
      const regex = new RegExp(stringArg!, 'us');
      return { run: (f, s) => stringTest(input(f, s), (v) => regex.test(v)), out: [], located: false };
    }
    case 'combine': {
      // Function arguments start from $this, not from the function's input.
      const other = compileAst(ast.args[0]!, positions);
      if (!other) return undefined;
      return { run: (f, s) => [...input(f, s), ...other.run([s], s)], out: [...at, ...other.out], located: located && other.located };
    }
    case 'descendants':
      return undefined;
  }
  return undefined;
}

function stringTest(items: NativeNode[], test: (value: string) => boolean): NativeNode[] {
  const v = text(items);
  return v === undefined ? EMPTY : bool(test(v));
}

/** `descendants().extension`, the one use of descendants() the rules make, as one native walk. */
function compileDescendantExtensions(ast: Ast, positions: ModelPosition[]): Compiled | undefined {
  if (ast.k !== 'member' || ast.name !== 'extension' || ast.from?.k !== 'call' || ast.from.name !== 'descendants' || ast.from.args.length > 0) return undefined;
  const from = ast.from.from ? compileAst(ast.from.from, positions) : undefined;
  if (ast.from.from && !from) return undefined;
  return {
    run: (focus, self) => {
      const out: NativeNode[] = [];
      for (const node of from ? from.run(focus, self) : focus) descendantExtensions(node.value, out, true);
      return out;
    },
    out: [EXTENSION],
    located: false,
  };
}

/**
 * Compiles `expression` for nodes at `positions` (the very objects: nodes are matched to their
 * position by identity), or undefined when it is not one of the shapes
 * this evaluator models (evaluate it with fhirpath.js).
 */
export function compileNative(expression: string, positions: ModelPosition[]): NativeExpression | undefined {
  const ast = parse(expression);
  if (!ast) return undefined;
  const compiled = compileAst(ast, positions);
  if (!compiled) return undefined;
  return { evaluate: (node) => compiled.run([node], node), out: compiled.out, located: compiled.located };
}
