/**
 * The results a correct Measure Computer reports for the generated data, counted from the model.
 *
 * Shape (`ExpectedResults`): `{ seed, patients, periods: [{start, end}], results: [{ measure,
 * version, period: {start, end}, groups: [{ code, populations: { [populationCode]: count },
 * measureScore?, stratifiers: [{ code, strata: { [value]: { [populationCode]: count } } }] }] }] }`
 *
 * - ComputeSearchCoverage has one result per day too: a group per resource type (its code the
 *   type), a count per parameter (`Type-parameter`), no scores or strata.
 * - ComputeUnevaluable has one result per day with its one group, `PartlyEvaluable`, counting only
 *   the evaluable population (`Encounter-class`); the other has no expected count (see
 *   unevaluable.ts).
 * - A population's count is its number of distinct members (the resources its query matches;
 *   `_include`d resources are not members).
 * - `measureScore` is numerator / denominator for the Beds and LabResults groups, 0 when the
 *   denominator is 0, unrounded (compare with a tolerance); the Encounters group has none.
 * - A stratifier's `code` is its code text (`By Gender`, `By Age Group`); a stratum's key is the
 *   FHIRPath result as a string, and it carries a count for every population of its group (0 when
 *   none of that population's members falls in it). Only values some member yields appear; a
 *   member whose patient yields nothing is in no stratum.
 */
import { coverageGroups, COVERAGE_MEASURE_URL, COVERAGE_MEASURE_VERSION } from './coverage.js';
import { COMPUTE_MEASURE_URL } from '../../ig/saner/canonicals.js';
import { MEASURE_VERSIONS, populationMembers, STRATIFIERS } from './measures.js';
import type { ClinicalModel, ReportingPeriod } from './model.js';
import { UNEVALUABLE_MEASURE_URL, UNEVALUABLE_MEASURE_VERSION, unevaluableGroups } from './unevaluable.js';

export interface ExpectedStratifier {
  code: string;
  strata: Record<string, Record<string, number>>;
}

export interface ExpectedGroup {
  code: string;
  populations: Record<string, number>;
  measureScore?: number;
  stratifiers: ExpectedStratifier[];
}

export interface ExpectedMeasureResult {
  measure: string;
  version: string;
  period: { start: string; end: string };
  groups: ExpectedGroup[];
}

export interface ExpectedResults {
  seed: number;
  patients: number;
  periods: { start: string; end: string }[];
  results: ExpectedMeasureResult[];
}

/** Numerator and denominator population codes of the groups that have a score. */
const SCORED: Readonly<Record<string, [string, string]>> = {
  Beds: ['numTotBedsOcc', 'numTotBeds'],
  LabResults: ['positive', 'totalTestResults'],
};

export function expectedResults(model: ClinicalModel, periods: readonly ReportingPeriod[], seed: number): ExpectedResults {
  const results: ExpectedMeasureResult[] = [];
  for (const version of MEASURE_VERSIONS) {
    for (const period of periods) {
      const groups = populationMembers(model, version, period).map((group): ExpectedGroup => {
        const populations = Object.fromEntries(group.populations.map((p) => [p.code, new Set(p.members.map((m) => m.id)).size]));
        const stratifiers = (STRATIFIERS[group.code] ?? []).map(({ code, value }) => {
          const strata: Record<string, Record<string, number>> = {};
          for (const population of group.populations) {
            for (const member of population.members) {
              if (!member.patient) continue;
              const stratumValue = value(member.patient, period);
              const stratum = strata[stratumValue] ?? Object.fromEntries(group.populations.map((p) => [p.code, 0]));
              strata[stratumValue] = stratum;
              stratum[population.code]! += 1;
            }
          }
          return { code, strata };
        });
        const scored = SCORED[group.code];
        const measureScore = scored ? (populations[scored[1]]! === 0 ? 0 : populations[scored[0]]! / populations[scored[1]]!) : undefined;
        return { code: group.code, populations, ...(measureScore === undefined ? {} : { measureScore }), stratifiers };
      });
      results.push({ measure: COMPUTE_MEASURE_URL, version: version.version, period: { start: period.start, end: period.end }, groups });
    }
  }
  for (const period of periods) {
    results.push({ measure: COVERAGE_MEASURE_URL, version: COVERAGE_MEASURE_VERSION, period: { start: period.start, end: period.end }, groups: coverageGroups(model, period) });
    results.push({ measure: UNEVALUABLE_MEASURE_URL, version: UNEVALUABLE_MEASURE_VERSION, period: { start: period.start, end: period.end }, groups: unevaluableGroups(model, period) });
  }
  return { seed, patients: model.patients.length, periods: periods.map(({ start, end }) => ({ start, end })), results };
}
