import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseJson } from '../src/fhir/json.js';
import { validateResource } from '../src/fhir/validation/index.js';
import { projectRoot } from '../src/harness.js';
import { registerSanerProfiles } from '../ig/index.js';

// Simulators serve these and suites compare SUTs against them: a fixture that breaks the base spec
// or a profile it claims would make a correct SUT look wrong.
registerSanerProfiles();
const root = join(projectRoot, 'fixtures');
const files = readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.json') && !e.name.includes('invalid'))
  .map((e) => relative(root, join(e.parentPath, e.name)))
  .sort();

describe('fixtures', () => {
  it('exist', () => expect(files.length).toBeGreaterThan(100));

  it.each(files)('%s is valid R4 and conforms to the profiles it claims', (file) => {
    const issues = validateResource(parseJson(readFileSync(join(root, file), 'utf8')));
    expect(issues.filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
  });
});
