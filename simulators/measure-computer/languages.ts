/**
 * The expression languages the reference Measure Computer evaluates, checked before any query:
 * population criteria `application/x-fhir-query` (all in one language, SANER-CM-PG-008),
 * stratifier criteria `text/fhirpath`. Anything else is refused with the group, the criterion and
 * its language named.
 */
import type { CodeableConcept, Measure, MeasureGroup } from 'fhir/r4.js';
import { FhirError, type Issue } from '../../src/fhir/errors.js';

export const QUERY_LANGUAGE = 'application/x-fhir-query';
export const FHIRPATH_LANGUAGE = 'text/fhirpath';

export function groupName(group: MeasureGroup, index: number): string {
  return group.code?.coding?.[0]?.code ?? group.code?.text ?? `group[${index}]`;
}

export function criterionName(code: Pick<CodeableConcept, 'coding' | 'text'> | undefined, fallback: string): string {
  return code?.coding?.[0]?.code ?? code?.text ?? fallback;
}

function refusal(message: string, expression: string): Issue {
  return { severity: 'error', code: 'not-supported', message, expression };
}

/** Throws a 422 listing every criterion the computer cannot evaluate. */
export function checkLanguages(measure: Measure): void {
  const issues: Issue[] = [];
  const languages = new Set<string>();
  (measure.group ?? []).forEach((group, g) => {
    const name = groupName(group, g);
    (group.population ?? []).forEach((population, p) => {
      const where = `Measure.group[${g}].population[${p}].criteria.language`;
      const language = population.criteria?.language ?? '';
      const criterion = criterionName(population.code, `population[${p}]`);
      languages.add(language);
      if (language !== QUERY_LANGUAGE) {
        issues.push(refusal(`group ${name}, population ${criterion}: criteria in '${language || 'no language'}' cannot be evaluated; population criteria must be ${QUERY_LANGUAGE}`, where));
      }
    });
    (group.stratifier ?? []).forEach((stratifier, s) => {
      const where = `Measure.group[${g}].stratifier[${s}]`;
      const criterion = criterionName(stratifier.code, `stratifier[${s}]`);
      if (stratifier.component?.length) {
        issues.push(refusal(`group ${name}, stratifier ${criterion}: stratifier components cannot be evaluated; give one criteria in ${FHIRPATH_LANGUAGE}`, `${where}.component`));
      }
      const language = stratifier.criteria?.language ?? '';
      if (language !== FHIRPATH_LANGUAGE) {
        issues.push(
          refusal(
            `group ${name}, stratifier ${criterion}: criteria in '${language || 'no language'}' cannot be evaluated; stratifier criteria must be ${FHIRPATH_LANGUAGE}`,
            `${where}.criteria.language`,
          ),
        );
      }
    });
  });
  if (languages.size > 1) {
    issues.unshift(
      refusal(
        `the population criteria use ${languages.size} languages (${[...languages].join(', ')}); a computable Measure writes them all in one (SANER-CM-PG-008)`,
        'Measure.group.population.criteria.language',
      ),
    );
  }
  if (issues.length) throw new FhirError(422, issues);
}
