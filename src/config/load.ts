import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
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
    throw new ConfigError(file, undefined, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
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
    const line = lines.linePos(syntax.pos[0]).line;
    throw new ConfigError(file, line, '', syntax.message.split('\n')[0] ?? 'invalid YAML');
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
  return { config, secrets: secretsOf(config, fromEnvironment) };
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function expandEnv(
  value: unknown,
  path: (string | number)[],
  env: NodeJS.ProcessEnv,
  fromEnvironment: string[],
  fail: (path: (string | number)[], reason: string) => ConfigError,
): unknown {
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
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandEnv(v, [...path, k], env, fromEnvironment, fail)]),
    );
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
      if (String(err.schemaPath).includes('baseUrl') || String(err.schemaPath).includes('url') || err.params.format === 'uri')
        return 'must be an absolute URL (http:// or https://)';
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
