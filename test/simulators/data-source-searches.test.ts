import { describe, expect, it } from 'vitest';
import { generateDataSet } from '../../simulators/data-source/index.js';
import { coverageCount, coveragePopulations } from '../../simulators/data-source/coverage.js';
import { coverageSearch, populationSearches, usesValueSetModifier, valueSetSearches, withCodeLists } from '../../simulators/data-source/searches.js';

const { model, periods, expected } = generateDataSet({ patients: 30, seed: 3 });

describe('the searches a Measure Computer makes of the Data Source', () => {
  it("are the populations of both ComputeCovidImpact versions, parameters substituted, with the generator's members", () => {
    const period = periods[2]!;
    const searches = populationSearches(model, period);
    expect(searches.map((s) => s.label)).toEqual(
      ['1.0.0', '2.0.0'].flatMap((v) => ['numC19Pats', 'numC19VentPats', 'numTotBeds', 'numTotBedsOcc', 'totalTestResults', 'positive'].map((p) => `ComputeCovidImpact|${v} ${p} 2020-04-03`)),
    );
    const encounters = searches[0]!;
    expect(encounters.type).toBe('Encounter');
    expect(encounters.params).toContainEqual(['date', `ge${period.start}`]);
    expect(encounters.params).toContainEqual(['reason-code:in', 'http://measure-conformance.example.org/fhir/ValueSet/SuspectedOrConfirmedCOVID19Diagnoses']);
    const v1 = expected.results.find((r) => r.version === '1.0.0' && r.period.start === period.start)!;
    expect(searches.slice(0, 6).map((s) => s.members.length)).toEqual(v1.groups.flatMap((g) => Object.values(g.populations)));
  });

  it('send a value set as its codes where :in is not taken, and leave the other parameters as they are', () => {
    const procedures = populationSearches(model, periods[0]!)[1]!;
    expect(usesValueSetModifier(procedures.params)).toBe(true);
    const rewritten = withCodeLists(procedures.params);
    expect(usesValueSetModifier(rewritten)).toBe(false);
    expect(rewritten).toContainEqual(['code', 'http://snomed.info/sct|40617009']);
    expect(rewritten).toContainEqual(['reason-code', 'http://hl7.org/fhir/sid/icd-10-cm|U07.1,http://hl7.org/fhir/sid/icd-10-cm|U07.2,http://snomed.info/sct|840539006']);
    expect(rewritten.filter(([n]) => !n.startsWith('code') && !n.startsWith('reason-code'))).toEqual(procedures.params.filter(([n]) => !n.startsWith('code') && !n.startsWith('reason-code')));
  });

  it("hold the coverage Measure's single-parameter queries with as many members as it counts, and each value-set criterion alone", () => {
    for (const p of coveragePopulations()) {
      const search = coverageSearch(model, p.type, p.parameter, periods[1]!);
      expect(search.members.length, p.code).toBe(coverageCount(model, p.type, p.parameter, periods[1]!));
      expect(search.members.length, p.code).toBeGreaterThan(0);
    }
    expect(coverageSearch(model, 'AllergyIntolerance', 'code', periods[0]!).params).toEqual([['code', 'http://snomed.info/sct|91936005']]);
    const alone = valueSetSearches(model);
    expect(alone.map((s) => s.params[0]![0])).toEqual(['reason-code:in', 'code:in', 'code:in', 'value-concept:in']);
    expect(alone.every((s) => s.members.length > 0)).toBe(true);
  });
});
