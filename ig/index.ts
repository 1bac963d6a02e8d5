import { RequirementCatalogue } from '../src/engine/index.js';
import { requirements as fhirCore } from './fhir-core/requirements.js';
import { registerSanerProfiles } from './saner/profiles.js';
import { requirements as saner } from './saner/requirements.js';

export { capabilityTitles } from './saner/capabilities.js';
export { registerSanerProfiles };

// Whatever loads the catalogue (run, list, self-check) validates with the IG profiles too.
registerSanerProfiles();

/** The project's requirement catalogue: every requirement of every IG it covers. */
export function catalogue(): RequirementCatalogue {
  return new RequirementCatalogue([...fhirCore, ...saner]);
}
