// Generates the R4 structure validator ahead of time: the JSON schema is built from the compact
// model and compiled once into standalone ajv code, so the runtime loads a module (~0.2 s) instead
// of compiling the schema (~2 s) on every start. Runs on `npm ci` (prepare) and `npm run build`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { loadModel } from '../src/fhir/model/index.js';
import { buildSchema } from '../src/fhir/validation/schema/generate.js';
import { requiredCodes } from '../src/fhir/validation/schema/required-codes.js';
import { VALIDATOR_FILE, SCHEMA_FILE } from '../src/fhir/validation/generated-files.js';

const started = performance.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = buildSchema(loadModel(), requiredCodes());
// allErrors: report every mistake in one pass; strictRequired is off because `required` inside
// anyOf/discriminator names properties defined by the enclosing schema; code.source + CJS is what standalone needs
// (the generated code requires ajv runtime helpers, which ESM output cannot do).
const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true, strictRequired: false, code: { source: true, esm: false } });
const validate = ajv.compile(schema);
const out = join(root, VALIDATOR_FILE);
mkdirSync(dirname(out), { recursive: true });
// `.default`: under NodeNext the default import of this CommonJS module is its exports object.
writeFileSync(out, standaloneCode.default(ajv, validate));
writeFileSync(join(root, SCHEMA_FILE), JSON.stringify(schema));
const definitions = Object.keys(schema.definitions as object).length;
process.stdout.write(`build-validator: ${definitions} definitions -> ${VALIDATOR_FILE} in ${Math.round(performance.now() - started)} ms\n`);
