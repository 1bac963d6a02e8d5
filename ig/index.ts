import { RequirementCatalogue } from './requirement.js';
import { requirements as fhirCore } from './fhir-core/requirements.js';
import { madxCapabilityTitles } from './madx/capabilities.js';
import { registerMadxProfiles } from './madx/profiles.js';
import { requirements as madx } from './madx/requirements.js';
import { rpcCapabilityTitles } from './rpc/capabilities.js';
import { registerRpcProfiles } from './rpc/profiles.js';
import { requirements as rpc } from './rpc/requirements.js';
import { capabilityTitles as sanerCapabilityTitles } from './saner/capabilities.js';
import { registerSanerProfiles } from './saner/profiles.js';
import { requirements as saner } from './saner/requirements.js';

export { registerMadxProfiles, registerRpcProfiles, registerSanerProfiles };

/** Canonical URL -> title of every CapabilityStatement the catalogue files requirements under. */
export const capabilityTitles: Readonly<Record<string, string>> = Object.freeze({ ...sanerCapabilityTitles, ...madxCapabilityTitles, ...rpcCapabilityTitles });

// Whatever loads the catalogue (run, list, self-check) validates with the IG profiles too.
registerSanerProfiles();
registerMadxProfiles();
registerRpcProfiles();

/** The project's requirement catalogue: every requirement of every IG it covers. */
export function catalogue(): RequirementCatalogue {
  return new RequirementCatalogue([...fhirCore, ...saner, ...madx, ...rpc]);
}
