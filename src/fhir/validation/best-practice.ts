/**
 * Best-practice findings: invariants the FHIR specification marks as best practice (the
 * elementdefinition-bestpractice extension), reported as warnings that a user may silence
 * (`validate --no-best-practice`), as the HL7 validator's users expect.
 */
import type { Issue } from '../errors.js';

/**
 * The R4 invariants marked best practice in the official StructureDefinitions (dom-6: a resource
 * should have a narrative; con-3: a problem-list Condition should have a clinicalStatus). A test
 * holds this list equal to the definitions.
 */
export const BEST_PRACTICE_INVARIANTS: ReadonlySet<string> = new Set(['dom-6', 'con-3']);

export function isBestPractice(issue: Issue): boolean {
  return issue.bestPractice === true || (issue.rule !== undefined && BEST_PRACTICE_INVARIANTS.has(issue.rule));
}
