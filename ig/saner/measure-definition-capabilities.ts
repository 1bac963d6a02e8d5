/**
 * Query Measure Definition (transaction-3, PULL-MX) CapabilityStatement rows: Measure Definition
 * Source (server) and Measure Definition Consumer (client).
 */
import { PROFILE_CLAIM, paramsFollowOptionalSearch, type CapabilityTable } from './capability-rows.js';
import { MEASURE_DEFINITION_CONSUMER_QMD, MEASURE_DEFINITION_SOURCE_QMD } from './capabilities.js';

const D3 = "The transaction-3 page says SHOULD; the CapabilityStatement's MAY is what is enforced, the page's SHOULD is advisory.";
const D4 = "The transaction-3 page says SHALL for both roles; for the client the CapabilityStatement's MAY is what is enforced, the page's SHALL is advisory (digest §7 D4).";
const D15 = 'Its value is a ValueSet canonical, e.g. http://hl7.org/fhir/uv/saner/ValueSet/MeasurePopulations (digest §7 D15).';

export const measureDefinitionSource: CapabilityTable = {
  prefix: 'SANER-QMD-SRC',
  actor: 'Measure Definition Source',
  mode: 'server',
  capability: MEASURE_DEFINITION_SOURCE_QMD,
  rows: [
    [1, 'Measure', 'supportedProfile', 'PublicHealthMeasure', 'SHALL', PROFILE_CLAIM],
    [2, 'Measure', 'interaction', 'read', 'SHALL'],
    [3, 'Measure', 'interaction', 'search-type', 'SHALL'],
    [4, 'Measure', 'searchParam', '_id token', 'SHALL'],
    [5, 'Measure', 'searchParam', 'url uri', 'SHALL'],
    [6, 'Measure', 'searchParam', '_text string', 'SHOULD'],
    [7, 'Measure', 'searchParam', '_content string', 'SHOULD'],
    [8, 'Measure', 'searchParam', 'definition-text string', 'SHOULD'],
    [9, 'Measure', 'searchParam', 'code token', 'SHOULD'],
    [10, 'Measure', 'searchParam', 'code:in token', 'SHOULD', D15],
    [11, 'Measure', 'searchInclude', '*', 'SHALL'],
    [19, 'Library', 'interaction', 'read', 'SHALL'],
    [20, 'Library', 'interaction', 'search-type', 'SHALL'],
    [21, 'Library', 'searchParam', '_id token', 'SHALL'],
    [22, 'Library', 'searchParam', 'url uri', 'SHALL'],
    [23, 'Library', 'searchInclude', '*', 'SHALL'],
    [26, 'ValueSet', 'interaction', 'read', 'SHALL'],
    [27, 'ValueSet', 'interaction', 'search-type', 'SHALL'],
    [28, 'ValueSet', 'searchParam', '_id token', 'SHALL'],
    [29, 'ValueSet', 'searchParam', 'url uri', 'SHALL'],
    [30, 'ValueSet', 'searchInclude', '*', 'SHALL'],
    [33, 'CodeSystem', 'interaction', 'read', 'SHALL'],
    [34, 'CodeSystem', 'interaction', 'search-type', 'SHALL'],
    [35, 'CodeSystem', 'searchParam', '_id token', 'SHALL'],
    [36, 'CodeSystem', 'searchParam', 'url uri', 'SHALL'],
    [37, 'CodeSystem', 'searchInclude', '*', 'SHALL'],
    [40, 'ConceptMap', 'interaction', 'read', 'SHALL'],
    [41, 'ConceptMap', 'interaction', 'search-type', 'SHALL'],
    [42, 'ConceptMap', 'searchParam', '_id token', 'SHALL'],
    [43, 'ConceptMap', 'searchParam', 'url uri', 'SHALL'],
    [44, 'ConceptMap', 'searchInclude', '*', 'SHALL'],
  ],
};

export const measureDefinitionConsumer: CapabilityTable = paramsFollowOptionalSearch({
  prefix: 'SANER-QMD-CON',
  actor: 'Measure Definition Consumer',
  mode: 'client',
  capability: MEASURE_DEFINITION_CONSUMER_QMD,
  rows: [
    [1, 'Measure', 'supportedProfile', 'PublicHealthMeasure', 'SHALL', PROFILE_CLAIM],
    [2, 'Measure', 'interaction', 'read', 'SHALL'],
    [3, 'Measure', 'interaction', 'search-type', 'SHOULD'],
    [4, 'Measure', 'searchParam', '_id token', 'SHALL'],
    [5, 'Measure', 'searchParam', 'url uri', 'SHALL'],
    [6, 'Measure', 'searchParam', '_text string', 'MAY', D3],
    [7, 'Measure', 'searchParam', '_content string', 'MAY', D3],
    [8, 'Measure', 'searchParam', 'definition-text string', 'MAY', D3],
    [9, 'Measure', 'searchParam', 'code token', 'MAY', D3],
    [10, 'Measure', 'searchParam', 'code:in token', 'MAY', `${D3} ${D15}`],
    [11, 'Measure', 'searchInclude', '*', 'MAY', D4],
    [19, 'Library', 'interaction', 'read', 'SHALL'],
    [20, 'Library', 'interaction', 'search-type', 'SHOULD'],
    [21, 'Library', 'searchParam', '_id token', 'SHALL'],
    [22, 'Library', 'searchParam', 'url uri', 'SHALL'],
    [23, 'Library', 'searchInclude', '*', 'MAY', D4],
    [26, 'ValueSet', 'interaction', 'read', 'SHALL'],
    [27, 'ValueSet', 'interaction', 'search-type', 'SHOULD'],
    [28, 'ValueSet', 'searchParam', '_id token', 'SHALL'],
    [29, 'ValueSet', 'searchParam', 'url uri', 'SHALL'],
    [30, 'ValueSet', 'searchInclude', '*', 'MAY', D4],
    [33, 'CodeSystem', 'interaction', 'read', 'SHALL'],
    [34, 'CodeSystem', 'interaction', 'search-type', 'SHOULD'],
    [35, 'CodeSystem', 'searchParam', '_id token', 'SHALL'],
    [36, 'CodeSystem', 'searchParam', 'url uri', 'SHALL'],
    [37, 'CodeSystem', 'searchInclude', '*', 'MAY', D4],
    [40, 'ConceptMap', 'interaction', 'read', 'SHALL'],
    [41, 'ConceptMap', 'interaction', 'search-type', 'SHOULD'],
    [42, 'ConceptMap', 'searchParam', '_id token', 'SHALL'],
    [43, 'ConceptMap', 'searchParam', 'url uri', 'SHALL'],
    [44, 'ConceptMap', 'searchInclude', '*', 'MAY', D4],
  ],
});
