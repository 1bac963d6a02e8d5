import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import { projectRoot } from '../../src/harness.js';
import { fixtureResources } from '../fixtures.js';

/** What the Consumer knows before anything is pushed: the Measures reported on, and who and where reports are about. */
export const SEEDED_TYPES = ['Measure', 'Location', 'Organization'];

/**
 * The one place choosing the seed: the SANER fixtures (Measures with the IG's profile) when the
 * project has them, the generic fixtures otherwise.
 */
export function seedResources(): Resource[] {
  const folder = existsSync(join(projectRoot, 'fixtures', 'saner')) ? 'saner' : 'resources';
  return fixtureResources(folder, SEEDED_TYPES);
}
