/**
 * Validation of a resource before it is stored. R4 http.html splits the failures: a resource that
 * breaks base FHIR rules (structure, cardinality, datatypes, core invariants) is 400 Bad Request;
 * one that is valid FHIR but breaks a profile or business rule is 422 Unprocessable Entity.
 */
import type { Resource } from 'fhir/r4.js';
import { FhirError, hasErrors } from '../errors.js';
import { checkInvariants, validateResource, validateStructure, type ResourceLike } from '../validation/index.js';
import type { ResourceDeclaration } from './declaration.js';
import type { ServerContext } from './context.js';

export function validateForWrite(ctx: ServerContext, r: ResourceDeclaration, resource: Resource): void {
  const policy = ctx.declaration.validateOnWrite;
  const like = resource as unknown as ResourceLike;
  if (policy.base) {
    const issues = [...validateStructure(resource), ...checkInvariants(like)];
    if (hasErrors(issues)) throw new FhirError(400, issues);
  }
  if (policy.profiles && !ctx.faults.has('skip-profile-validation')) {
    // Base errors were answered above, so what is left here comes from the declared profile and
    // the profiles the resource (or, for a Bundle, each entry) claims in meta.profile.
    const issues = validateResource(resource, { profiles: r.profile ? [r.profile] : [], baseChecked: policy.base });
    if (hasErrors(issues)) throw new FhirError(422, issues);
  }
}
