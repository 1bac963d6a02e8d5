/** Files written by scripts/build-validator.ts, relative to the project root (gitignored). */
export const VALIDATOR_FILE = 'generated/fhir-r4-validator.cjs';
export const SCHEMA_FILE = 'generated/fhir-r4.schema.json';
