import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import { parseJson } from '../src/fhir/json.js';
import { projectRoot } from '../src/harness.js';

/** The project's fixture resources in `fixtures/<folder>` of the given types, in file-name order. */
export function fixtureResources(folder: string, types: readonly string[]): Resource[] {
  const dir = join(projectRoot, 'fixtures', folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseJson(readFileSync(join(dir, f), 'utf8')))
    .filter((r) => types.includes(r.resourceType));
}
