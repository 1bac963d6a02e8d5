/**
 * Validation of what the Consumer stores outside the core's create and update (batch entries and
 * reports built from CSV), failing the way the core does: base R4 errors are 400, profile errors
 * 422, and the core faults that switch validation off apply here too.
 */
import type { Resource } from 'fhir/r4.js';
import { FhirError, hasErrors } from '../../src/fhir/errors.js';
import type { CoreFaults } from '../../src/fhir/server/index.js';
import { checkInvariants, knownProfile, validateAgainstProfile, validateStructure, type ResourceLike } from '../../src/fhir/validation/index.js';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../ig/saner/profiles.js';

/** The profile every instance of a type must meet on this server. */
export function declaredProfile(type: string): string | undefined {
  return type === 'MeasureReport' ? PUBLIC_HEALTH_MEASURE_REPORT : undefined;
}

export function checkForWrite(resource: Resource, faults: CoreFaults): void {
  if (faults.has('accept-invalid')) return;
  const like = resource as unknown as ResourceLike;
  const base = [...validateStructure(resource), ...checkInvariants(like)];
  if (hasErrors(base)) throw new FhirError(400, base);
  if (faults.has('skip-profile-validation')) return;
  const urls = new Set((resource.meta?.profile ?? []).filter(knownProfile));
  const declared = declaredProfile(resource.resourceType);
  if (declared) urls.add(declared);
  const issues = [...urls].flatMap((url) => validateAgainstProfile(like, url));
  if (hasErrors(issues)) throw new FhirError(422, issues);
}
