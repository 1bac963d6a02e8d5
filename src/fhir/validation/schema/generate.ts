// Builds the R4 JSON schema from the compact model (src/fhir/model): one definition per type and
// per backbone element, used once at build time to generate the standalone ajv validator.
import type { ElementDef, ModelFile, TypeDef } from '../../model/types.js';

export type JsonSchema = { [keyword: string]: unknown };

const ROOT_ID = 'urn:measure-conformance:fhir-r4';
const NESTED = new Set(['BackboneElement', 'Element']);
const INTEGERS: Record<string, { minimum: number; maximum: number }> = {
  integer: { minimum: -2147483648, maximum: 2147483647 },
  unsignedInt: { minimum: 0, maximum: 2147483647 },
  positiveInt: { minimum: 1, maximum: 2147483647 },
};
/**
 * Regexes taken from the model except where the official one is unsafe: base64Binary's
 * `(\s*([0-9a-zA-Z\+/=]){4}\s*)+` backtracks exponentially on long invalid input. This form
 * accepts the same strings in linear time.
 */
const REGEX_OVERRIDES: Record<string, string> = {
  base64Binary: '(?:\\s*[0-9a-zA-Z+/=]\\s*[0-9a-zA-Z+/=]\\s*[0-9a-zA-Z+/=]\\s*[0-9a-zA-Z+/=])+\\s*',
};
/** Suffix of the definition that also accepts `null`, for the placeholders of primitive arrays. */
export const NULLABLE = '-or-null';

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function primitiveSchema(name: string, def: TypeDef, nullable: boolean): JsonSchema {
  const int = INTEGERS[name];
  const jsonType = int ? 'integer' : (def.jsonType ?? 'string');
  const schema: JsonSchema = { type: nullable ? [jsonType, 'null'] : jsonType };
  if (int) Object.assign(schema, int);
  const regex = REGEX_OVERRIDES[name] ?? def.regex;
  if (jsonType === 'string' && regex) schema.pattern = `^(?:${regex})$`;
  return schema;
}

interface Context {
  model: ModelFile;
  codes: Map<string, string[]>;
  definitions: Record<string, JsonSchema>;
}

function isPrimitive(ctx: Context, type: string): boolean {
  return type.startsWith('System.') || ctx.model.types[type]?.kind === 'primitive-type';
}

/** Schema of one value of an element with the given type (array items or the single value). */
function valueSchema(ctx: Context, owner: string, el: ElementDef, type: string, inArray: boolean): JsonSchema {
  if (el.contentReference) return ref(`${owner}.${el.contentReference}`);
  if (type === 'Resource') return ref('ResourceList');
  if (NESTED.has(type) && owner !== type) return ref(`${owner}.${el.path}`);
  if (type.startsWith('System.')) return { type: inArray ? ['string', 'null'] : 'string' };
  const codes = type === 'code' ? ctx.codes.get(`${owner}.${el.path}`) : undefined;
  if (codes) return inArray ? { type: ['string', 'null'], enum: [...codes, null] } : { type: 'string', enum: codes };
  if (isPrimitive(ctx, type) && inArray) return ref(type + NULLABLE);
  return ref(type);
}

function elementProperties(ctx: Context, owner: string, el: ElementDef, own: string, target: JsonSchema): void {
  const props = target.properties as Record<string, JsonSchema>;
  const choice = own.endsWith('[x]');
  const types = el.contentReference ? ['Element'] : el.types;
  for (const type of types) {
    const name = choice ? own.slice(0, -3) + upperFirst(type) : own;
    const item = valueSchema(ctx, owner, el, type, el.array);
    props[name] = el.array ? { type: 'array', minItems: 1, items: item } : item;
    // A primitive's id and extensions travel in a `_name` sibling (attributes such as
    // Extension.url or Element.id have none).
    if (isPrimitive(ctx, type) && !el.xmlAttr && !type.startsWith('System.')) {
      const ext = el.array ? ref(`Element${NULLABLE}`) : ref('Element');
      props[`_${name}`] = el.array ? { type: 'array', minItems: 1, items: ext } : ext;
    }
  }
  if (el.min < 1 || choice) return;
  const type = types[0] ?? 'Element';
  // A required primitive may carry only extensions (`_status`), as FHIR JSON allows; xml
  // attributes and complex elements must be present themselves.
  if (isPrimitive(ctx, type) && !el.xmlAttr && !type.startsWith('System.')) {
    const all = (target.allOf ?? []) as JsonSchema[];
    all.push({ anyOf: [{ required: [own] }, { required: [`_${own}`] }] });
    target.allOf = all;
  } else {
    const required = (target.required ?? []) as string[];
    required.push(own);
    target.required = required;
  }
}

/** Definition of the object at `path` below `owner` (the type itself when path is ''). */
function objectSchema(ctx: Context, owner: string, def: TypeDef, path: string, nullable = false): JsonSchema {
  const schema: JsonSchema = { type: nullable ? ['object', 'null'] : 'object', properties: {}, additionalProperties: false };
  if (def.kind === 'resource' && path === '') {
    (schema.properties as Record<string, JsonSchema>).resourceType = { const: owner };
    schema.required = ['resourceType'];
  }
  const prefix = path === '' ? '' : `${path}.`;
  for (const el of def.elements) {
    if (!el.path.startsWith(prefix)) continue;
    const own = el.path.slice(prefix.length);
    if (own.includes('.')) continue;
    elementProperties(ctx, owner, el, own, schema);
    const nested = !el.contentReference && el.types.length === 1 && NESTED.has(el.types[0] ?? '') && owner !== el.types[0];
    if (nested) ctx.definitions[`${owner}.${el.path}`] = objectSchema(ctx, owner, def, el.path);
  }
  return schema;
}

/**
 * The whole R4 schema. `codes` maps `Type.path` to the codes of its required binding. Every
 * Resource-typed element (contained, Bundle.entry.resource, Parameters.parameter.resource) and
 * the root switch on `resourceType` through ajv's discriminator: one branch is checked and one
 * error is given, instead of trying every resource type.
 */
export function buildSchema(model: ModelFile, codes: Map<string, string[]>): JsonSchema {
  const ctx: Context = { model, codes, definitions: {} };
  const resources: string[] = [];
  for (const [name, def] of Object.entries(model.types)) {
    if (def.profileOf || (def.abstract && def.kind === 'resource')) continue;
    if (def.kind === 'primitive-type') {
      ctx.definitions[name] = primitiveSchema(name, def, false);
      ctx.definitions[name + NULLABLE] = primitiveSchema(name, def, true);
      continue;
    }
    ctx.definitions[name] = objectSchema(ctx, name, def, '');
    if (name === 'Element') ctx.definitions[name + NULLABLE] = objectSchema(ctx, name, def, '', true);
    if (def.kind === 'resource') resources.push(name);
  }
  ctx.definitions.ResourceList = {
    type: 'object',
    discriminator: { propertyName: 'resourceType' },
    required: ['resourceType'],
    oneOf: resources.sort().map(ref),
  };
  return { $id: ROOT_ID, definitions: ctx.definitions, $ref: '#/definitions/ResourceList' };
}
