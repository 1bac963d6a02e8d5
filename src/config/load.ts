import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { LineCounter, parseDocument, isMap, isNode, isPair, isScalar, isSeq, visit, type Document } from 'yaml';
import { configSchema } from './schema.js';
import { secretsOf, type HarnessConfig } from './types.js';
import { TIMEOUTS } from '../http/timeouts.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** A mistake in the config file, located: prints as `config.yaml:12 sut.baseUrl: must be an absolute URL`. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}${key ? ` ${key}` : ''}: ${reason}`);
  }
}

export interface LoadedConfig {
  config: HarnessConfig;
  /** Values to redact everywhere: auth secrets, header values and whatever came from `${VAR}`. */
  secrets: string[];
  /** The file it was read from; absent for the defaults. */
  file?: string;
  /** The line of a key in that file (`['attestations', 'X-1']`), for messages about values checked later. */
  lineOf?: (path: (string | number)[]) => number | undefined;
}

const defaults = {
  suites: ['*'],
  timeouts: { requestMs: TIMEOUTS.requestMs, testMs: TIMEOUTS.testMs, waitMs: TIMEOUTS.waitMs },
  simulators: { host: '127.0.0.1', ports: {} },
  report: { dir: 'reports', failOn: 'shall' as const },
};

const ajv = new Ajv({ allErrors: true, strict: true, discriminator: true });
addFormats(ajv);
const validate = ajv.compile(configSchema);

export function loadConfig(file: string, env: NodeJS.ProcessEnv): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, undefined, '', `cannot read it (${code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (code ?? String(e))})`);
  }
  return parseConfig(text, file, env);
}

/** The configuration when there is no config file: every suite against the bundled simulators. */
export function defaultConfig(): LoadedConfig {
  return { config: structuredClone(defaults), secrets: [] };
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const key = keyBefore(doc, syntax.pos[0]);
    // An error found only at the end of the text (an unclosed quote or bracket) is where its key is.
    const atEnd = syntax.pos[0] >= text.trimEnd().length && key;
    const line = lines.linePos(atEnd ? key.start : syntax.pos[0]).line;
    throw new ConfigError(file, line, keyOf(key?.path ?? []), syntax.message.split('\n')[0] ?? 'invalid YAML');
  }
  const raw: unknown = doc.toJS() ?? {};
  const lineOf = (path: (string | number)[]): number | undefined => lineOfPath(doc, lines, path);

  const fromEnvironment: string[] = [];
  const expanded = expandEnv(raw, [], env, fromEnvironment, (path, reason) => new ConfigError(file, lineOf(path), keyOf(path), reason));

  if (!validate(expanded)) {
    const err = mostUseful(validate.errors ?? []);
    const path = errorPath(err);
    throw new ConfigError(file, lineOf(path), keyOf(path), describe(err));
  }
  const given = expanded as Partial<HarnessConfig>;
  const config: HarnessConfig = {
    ...given,
    suites: given.suites ?? defaults.suites,
    timeouts: { ...defaults.timeouts, ...given.timeouts },
    simulators: { ...defaults.simulators, ...given.simulators, ports: { ...given.simulators?.ports } },
    report: { ...defaults.report, ...given.report },
  };
  return { config, secrets: secretsOf(config, fromEnvironment), file, lineOf };
}

/**
 * The path of the last key that starts at or before `offset`: where a YAML syntax error is, in the
 * terms of the config (`sut.baseUrl`), as far as the document could be read.
 */
function keyBefore(doc: Document, offset: number): { start: number; path: (string | number)[] } | undefined {
  let found: { start: number; path: (string | number)[] } | undefined;
  visit(doc, {
    Pair(_, pair, ancestors) {
      const start = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (start === undefined || start > offset || (found && found.start > start)) return;
      const path: (string | number)[] = [];
      ancestors.forEach((node, i) => {
        if (isPair(node) && isScalar(node.key)) path.push(String(node.key.value));
        const next = ancestors[i + 1];
        if (isSeq(node) && next) path.push(node.items.indexOf(next as never));
      });
      const full = [...path, String((pair.key as { value: unknown }).value)];
      // Text the broken document made into a key (`http://x bad`) is no key of the config.
      const plausible = full.findIndex((k) => typeof k === 'string' && !/^[A-Za-z_][\w.-]*$/.test(k));
      found = { start, path: plausible < 0 ? full : full.slice(0, plausible) };
    },
  });
  return found;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function expandEnv(value: unknown, path: (string | number)[], env: NodeJS.ProcessEnv, fromEnvironment: string[], fail: (path: (string | number)[], reason: string) => ConfigError): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw fail(path, `environment variable ${name} is not set`);
      fromEnvironment.push(v);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, [...path, i], env, fromEnvironment, fail));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, [...path, k], env, fromEnvironment, fail)]));
  }
  return value;
}

function errorPath(err: ErrorObject): (string | number)[] {
  const path = err.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (err.keyword === 'additionalProperties') path.push(String(err.params.additionalProperty));
  return path;
}

/** Prefer the error deepest in the document: it names the key the user actually got wrong. */
function mostUseful(errors: ErrorObject[]): ErrorObject {
  return [...errors].sort((a, b) => errorPath(b).length - errorPath(a).length)[0] as ErrorObject;
}

function describe(err: ErrorObject): string {
  switch (err.keyword) {
    case 'additionalProperties':
      return 'unknown key (check its spelling and indentation)';
    case 'required':
      return `missing required key '${String(err.params.missingProperty)}'`;
    case 'enum':
      return `must be one of ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(err.params.allowedValue)}`;
    case 'format':
    case 'pattern':
      if (String(err.schemaPath).includes('baseUrl') || String(err.schemaPath).includes('url') || err.params.format === 'uri') return 'must be an absolute URL (http:// or https://)';
      return err.message ?? 'has the wrong form';
    case 'discriminator':
      return "must have a 'type' of command, webhook, prompt or none";
    default:
      return err.message ?? 'is invalid';
  }
}

function keyOf(path: (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function lineOfPath(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    // Point at the key itself: a block value starts on the line below its key.
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      if (pair && isNode(pair.key) && pair.key.range) return lines.linePos(pair.key.range[0]).line;
    }
    if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last];
      if (isNode(item) && item.range) return lines.linePos(item.range[0]).line;
    }
  }
  const root = doc.contents;
  return isNode(root) && root.range ? lines.linePos(root.range[0]).line : undefined;
}
