// Base R4 structure validation with the ajv validator generated at build time (see
// scripts/build-validator.ts). ajv errors become one issue per mistake, located by FHIRPath.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import type { Issue } from '../errors.js';
import { childByName, childContext, type Context, type ResolvedElement } from '../model/index.js';
import { VALIDATOR_FILE } from './generated-files.js';

type StandaloneValidate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

let validator: StandaloneValidate | undefined;

/** The project root is the nearest folder above this module holding the generated validator. */
function findValidatorFile(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, VALIDATOR_FILE);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Loads the generated validator once. Throws with the fix when it has not been generated. */
export function loadStructureValidator(): StandaloneValidate {
  if (validator) return validator;
  const file = findValidatorFile();
  if (!file) {
    throw new Error(`the FHIR R4 structure validator (${VALIDATOR_FILE}) has not been generated: run \`npm run prepare\``);
  }
  validator = createRequire(import.meta.url)(file) as StandaloneValidate;
  return validator;
}

function segments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `/group/0/population/1/count` -> `MeasureReport.group[0].population[1].count`. */
export function pointerToExpression(root: string, parts: readonly string[]): string {
  let out = root;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : `.${p}`;
  return out;
}

function valueAt(data: unknown, parts: readonly string[]): unknown {
  let here = data;
  for (const p of parts) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string, unknown>)[p];
  }
  return here;
}

/**
 * The FHIR type of the element at `parts`, following the model through backbone elements,
 * datatypes and nested resources (contained, Bundle entries); '' when the path is not in the model.
 */
function typeAt(data: unknown, parts: readonly string[]): string {
  let here = data;
  let found: ResolvedElement | undefined;
  for (const p of parts) {
    if (typeof here !== 'object' || here === null) return '';
    if (!/^\d+$/.test(p)) {
      if (p.startsWith('_')) return 'Element';
      const rt = (here as { resourceType?: unknown }).resourceType;
      let ctx: Context;
      if (!found || found.type === 'Resource') {
        if (typeof rt !== 'string') return '';
        ctx = { type: rt, path: '' };
      } else {
        ctx = childContext(found.owner, found.element, found.type);
      }
      found = childByName(ctx, p);
      if (!found) return '';
    }
    here = (here as Record<string, unknown>)[p];
  }
  return found?.type ?? '';
}

const article = (word: string): string => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(error: ErrorObject, data: unknown, parts: string[]): { message: string; parts: string[] } | undefined {
  const p = error.params as Record<string, unknown>;
  const type = typeAt(data, parts);
  const value = valueAt(data, parts);
  switch (error.keyword) {
    case 'required': {
      const missing = String(p.missingProperty);
      // `_status` is only the alternative spelling of a required primitive: reported once as 'status'.
      if (missing.startsWith('_')) return undefined;
      return { message: `'${missing}' is required`, parts: [...parts, missing] };
    }
    case 'anyOf':
      return undefined;
    case 'additionalProperties':
      return { message: `unknown element '${String(p.additionalProperty)}'`, parts: [...parts, String(p.additionalProperty)] };
    case 'type': {
      const expected = String(p.type).split(',')[0] ?? '';
      if (expected === 'array') return { message: 'must be an array', parts };
      if (expected === 'object') {
        const what = /^[A-Z]/.test(type) && !['BackboneElement', 'Element'].includes(type) ? ` (${type})` : '';
        return { message: `must be a JSON object${what}`, parts };
      }
      return { message: `must be ${article(/^[a-z]/.test(type) ? type : expected)}`, parts };
    }
    case 'pattern':
      return { message: `value ${show(value)} does not match the ${type} format`, parts };
    case 'minimum':
    case 'maximum':
      return { message: `value ${show(value)} is out of range for ${article(type || 'integer')}`, parts };
    case 'enum':
      return { message: `value ${show(value)} is not one of the allowed codes: ${(p.allowedValues as unknown[]).filter((v) => v !== null).join(', ')}`, parts };
    case 'minItems':
      return { message: 'empty array is not allowed: omit the element or give it at least one item', parts };
    case 'discriminator':
      if (p.error === 'mapping') return { message: `unknown resourceType ${show(p.tagValue)}`, parts: [...parts] };
      return { message: "'resourceType' is required and must be a string", parts };
    default:
      return { message: error.message ?? error.keyword, parts };
  }
}

/**
 * Checks `resource` against the R4 structure: types, cardinality, unknown elements, primitive
 * formats, required-binding codes, empty arrays, and the resource type of contained and Bundle
 * entry resources. Returns one issue per mistake, with a FHIRPath expression to the element.
 */
export function validateStructure(resource: unknown): Issue[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return [{ severity: 'error', code: 'structure', message: 'a FHIR resource must be a JSON object' }];
  }
  const validate = loadStructureValidator();
  if (validate(resource)) return [];
  const rt = (resource as { resourceType?: unknown }).resourceType;
  const root = typeof rt === 'string' && /^[A-Z][A-Za-z]+$/.test(rt) ? rt : 'Resource';
  const errors = validate.errors ?? [];
  // A value of the wrong JSON type also fails its format or code list: report the type only.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'type' && error.keyword !== 'required' && error.keyword !== 'additionalProperties' && wrongType.has(error.instancePath)) continue;
    const found = describe(error, resource, segments(error.instancePath));
    if (!found) continue;
    const expression = pointerToExpression(root, found.parts);
    const key = `${expression}\u0000${found.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ severity: 'error', code: error.keyword === 'required' ? 'required' : error.keyword === 'enum' ? 'code-invalid' : 'structure', message: found.message, expression });
  }
  return issues;
}
