/**
 * Citations against the requirement catalogue: a test citing an id the catalogue does not know is a
 * harness error, found before anything runs.
 */
import type { RequirementCatalogue } from '../../ig/requirement.js';
import { HarnessError } from './errors.js';
import { testId, type Suite } from './suite.js';

export { RequirementCatalogue, defineRequirements, requirementsOf, requirementProblems, CatalogueError } from '../../ig/requirement.js';

/**
 * Every citation problem in the suites: unknown requirement ids, each naming test and id.
 * Empty when every test cites only known requirements.
 */
export function citationProblems(suites: readonly Suite<object>[], catalogue: RequirementCatalogue): string[] {
  const problems: string[] = [];
  for (const suite of suites) {
    for (const t of suite.tests) {
      for (const id of t.requirements) {
        if (!catalogue.has(id)) problems.push(`test ${testId(suite, t)} cites unknown requirement ${id}`);
      }
    }
  }
  return problems;
}

export function assertCitationsKnown(suites: readonly Suite<object>[], catalogue: RequirementCatalogue): void {
  const problems = citationProblems(suites, catalogue);
  if (problems.length) throw new HarnessError(`the requirement catalogue does not know what these tests cite:\n  ${problems.join('\n  ')}`);
}
