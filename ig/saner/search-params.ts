import { searchParamsFor, type SearchParamDef } from '../../src/fhir/search/search-param-def.js';

/** The SearchParameters the SANER IG defines itself (PROFILES.md §6), written as data. */
export const SANER_SEARCH_PARAMS: readonly SearchParamDef[] = [
  {
    name: 'definition-text',
    type: 'string',
    base: ['Measure', 'ValueSet', 'CodeSystem', 'ConceptMap', 'CapabilityStatement'],
    expression: [
      'Measure.title',
      'Measure.subtitle',
      'Measure.publisher',
      'Measure.description',
      'Measure.purpose',
      'Measure.usage',
      'Measure.riskAdjustment',
      'Measure.rateAggregation',
      'Measure.clinicalRecommendationStatement',
      'Measure.definition',
      'Measure.guidance',
      'ValueSet.title',
      'ValueSet.publisher',
      'ValueSet.description',
      'ValueSet.purpose',
      'CodeSystem.title',
      'CodeSystem.publisher',
      'CodeSystem.description',
      'CodeSystem.purpose',
      'ConceptMap.title',
      'ConceptMap.publisher',
      'ConceptMap.description',
      'ConceptMap.purpose',
      'CapabilityStatement.title',
      'CapabilityStatement.publisher',
      'CapabilityStatement.description',
      'CapabilityStatement.purpose',
    ].join(' | '),
  },
  // Any Coding anywhere in the resource, extensions included.
  { name: 'code', type: 'token', base: ['Measure', 'MeasureReport'], expression: 'descendants().ofType(Coding)' },
  { name: 'disposition', type: 'token', base: ['Encounter'], expression: 'Encounter.hospitalization.dischargeDisposition' },
];

/** The R4 parameters of `types` with SANER's own added (SANER's win where both define a name). */
export function sanerSearchParamsFor(types: readonly string[]): SearchParamDef[] {
  return searchParamsFor(types, SANER_SEARCH_PARAMS);
}
