/**
 * Query Measure (transaction-1, PULL-TX) CapabilityStatement rows: Measure Source (server) and
 * Measure Consumer (client), with the Pull Option and with the CSV Option. §7 rulings of the
 * digest are applied: the client keeps the CapabilityStatement's MAY where the page asks more,
 * and the page's stronger word is given in the statement as an advisory.
 */
import { NO_CS_LEVEL, PROFILE_CLAIM, type CapabilityTable } from './capability-rows.js';
import { MEASURE_CONSUMER_QM_CSV_PULL, MEASURE_CONSUMER_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL, MEASURE_SOURCE_QM_PULL } from './capabilities.js';

const D1 = "The transaction-1 page asks SHALL of both roles; the CapabilityStatement's MAY is what is enforced, the page's SHALL is advisory (digest §7 D1).";
const D2 = "The page's MeasureReport parameter table is a mis-copy of the Measure table, so the CapabilityStatement's level is enforced (digest §7 D2).";
const D3 = "The transaction-1 page says SHOULD; the CapabilityStatement's MAY is what is enforced, the page's SHOULD is advisory (digest §7 D3).";
const D4 = "The transaction-1 page says SHALL for both roles; for the client the CapabilityStatement's MAY is what is enforced, the page's SHALL is advisory (digest §7 D4).";
const D7 = 'The CapabilityStatement types it uri while R4 core types it reference; the full canonical URL of the Measure is valid for both and is what tests send (digest §7 D7).';
const D12 = 'MeasureReport.measure is a canonical, not a Reference: the subject Location and the reporter Organization must be included, the Measure may be (digest §7 D12).';
const D15 = 'Its value is a ValueSet canonical, e.g. http://hl7.org/fhir/uv/saner/ValueSet/MeasurePopulations (digest §7 D15).';

export const measureSourceQueryMeasure: CapabilityTable = {
  prefix: 'SANER-QM-SRC',
  actor: 'Measure Source',
  mode: 'server',
  capability: MEASURE_SOURCE_QM_PULL,
  rows: [
    [1, 'Location', 'interaction', 'read', 'SHALL'],
    [2, 'Location', 'interaction', 'search-type', 'SHALL'],
    [3, 'Location', 'searchParam', '_id token', 'SHALL'],
    [4, 'Location', 'searchParam', 'name string', 'SHALL'],
    [5, 'Location', 'searchParam', 'identifier token', 'SHALL'],
    [6, 'Location', 'searchInclude', '*', 'SHALL'],
    [10, 'MeasureReport', 'supportedProfile', 'PublicHealthMeasureReport', 'SHALL', PROFILE_CLAIM],
    [11, 'MeasureReport', 'interaction', 'read', 'SHALL'],
    [12, 'MeasureReport', 'interaction', 'search-type', 'SHALL'],
    [13, 'MeasureReport', 'searchParam', '_id token', 'SHALL'],
    [14, 'MeasureReport', 'searchParam', '_lastUpdated date', 'SHALL'],
    [15, 'MeasureReport', 'searchParam', 'date date', 'SHALL'],
    [16, 'MeasureReport', 'searchParam', 'period date', 'SHALL'],
    [17, 'MeasureReport', 'searchParam', 'measure uri', 'SHALL', D7],
    [18, 'MeasureReport', 'searchParam', 'measure.title string', 'SHOULD', 'It is a chain through the Measure the report is for.'],
    [19, 'MeasureReport', 'searchParam', 'subject reference', 'SHALL'],
    [20, 'MeasureReport', 'searchParam', 'subject:identifier token', 'SHALL'],
    [21, 'MeasureReport', 'searchParam', 'subject:Location.near special', 'SHOULD', 'A bounding-box match is acceptable, so tests allow generous tolerances.'],
    [22, 'MeasureReport', 'searchParam', 'reporter reference', 'SHALL'],
    [23, 'MeasureReport', 'searchParam', 'reporter:identifier token', 'SHALL'],
    [24, 'MeasureReport', 'searchInclude', '*', 'SHALL', D12],
    [27, 'Measure', 'supportedProfile', 'PublicHealthMeasure', 'SHALL', PROFILE_CLAIM],
    [28, 'Measure', 'interaction', 'read', 'SHALL'],
    [29, 'Measure', 'interaction', 'search-type', 'SHALL'],
    [30, 'Measure', 'searchParam', '_id token', 'SHALL'],
    [31, 'Measure', 'searchParam', '_text string', 'SHOULD'],
    [32, 'Measure', 'searchParam', '_content string', 'SHOULD'],
    [33, 'Measure', 'searchParam', 'definition-text string', 'SHOULD'],
    [34, 'Measure', 'searchParam', 'code token', 'SHOULD', "It is the IG's SearchParameter-code over the group, population and stratifier codes."],
    [35, 'Measure', 'searchParam', 'code:in token', 'SHOULD', D15],
    [36, 'Measure', 'searchInclude', '*', 'SHALL'],
    [43, 'Organization', 'interaction', 'read', 'SHALL'],
    [44, 'Organization', 'interaction', 'search-type', 'SHALL'],
    [45, 'Organization', 'searchParam', '_id token', 'SHALL'],
    [46, 'Organization', 'searchParam', 'name string', 'SHALL'],
    [47, 'Organization', 'searchParam', 'identifier token', 'SHALL'],
    [48, 'Organization', 'searchInclude', '*', 'SHALL'],
  ],
};

export const measureConsumerQueryMeasure: CapabilityTable = {
  prefix: 'SANER-QM-CON',
  actor: 'Measure Consumer',
  mode: 'client',
  capability: MEASURE_CONSUMER_QM_PULL,
  rows: [
    [1, 'Location', 'interaction', 'read', 'SHALL'],
    [2, 'Location', 'interaction', 'search-type', 'SHALL'],
    [3, 'Location', 'searchParam', '_id token', 'SHALL'],
    [4, 'Location', 'searchParam', 'name string', 'MAY', D1],
    [5, 'Location', 'searchParam', 'identifier token', 'MAY', D1],
    [6, 'Location', 'searchInclude', '*', 'MAY', D4],
    [10, 'MeasureReport', 'supportedProfile', 'PublicHealthMeasureReport', 'SHALL', PROFILE_CLAIM],
    [11, 'MeasureReport', 'interaction', 'read', 'SHALL'],
    [12, 'MeasureReport', 'interaction', 'search-type', 'SHALL'],
    [13, 'MeasureReport', 'searchParam', '_id token', 'SHALL'],
    [14, 'MeasureReport', 'searchParam', '_lastUpdated date', 'MAY', D2],
    [15, 'MeasureReport', 'searchParam', 'date date', 'MAY', D2],
    [16, 'MeasureReport', 'searchParam', 'period date', 'SHALL'],
    [17, 'MeasureReport', 'searchParam', 'measure uri', 'SHALL', D7],
    [18, 'MeasureReport', 'searchParam', 'measure.title string', 'MAY', D2],
    [19, 'MeasureReport', 'searchParam', 'subject reference', 'MAY', D2],
    [20, 'MeasureReport', 'searchParam', 'subject:identifier token', 'MAY', D2],
    [21, 'MeasureReport', 'searchParam', 'subject:Location.near special', 'MAY', D2],
    [22, 'MeasureReport', 'searchParam', 'reporter reference', 'MAY', D2],
    [23, 'MeasureReport', 'searchParam', 'reporter:identifier token', 'MAY', D2],
    [24, 'MeasureReport', 'searchInclude', '*', 'MAY', D4],
    [27, 'Measure', 'supportedProfile', 'PublicHealthMeasure', 'SHALL', PROFILE_CLAIM],
    [28, 'Measure', 'interaction', 'read', 'SHALL'],
    [29, 'Measure', 'interaction', 'search-type', 'SHALL'],
    [30, 'Measure', 'searchParam', '_id token', 'SHALL'],
    [31, 'Measure', 'searchParam', '_text string', 'MAY', D3],
    [32, 'Measure', 'searchParam', '_content string', 'MAY', D3],
    [33, 'Measure', 'searchParam', 'definition-text string', 'MAY', D3],
    [34, 'Measure', 'searchParam', 'code token', 'MAY', D3],
    [35, 'Measure', 'searchParam', 'code:in token', 'MAY', `${D3} ${D15}`],
    [36, 'Measure', 'searchInclude', '*', 'MAY', D4],
    [43, 'Organization', 'interaction', 'read', 'SHALL'],
    [44, 'Organization', 'interaction', 'search-type', 'SHALL'],
    [45, 'Organization', 'searchParam', '_id token', 'SHALL'],
    [46, 'Organization', 'searchParam', 'name string', 'MAY', D1],
    [47, 'Organization', 'searchParam', 'identifier token', 'MAY', D1],
    [48, 'Organization', 'searchInclude', '*', 'MAY', D4],
  ],
};

export const measureSourceCsvPull: CapabilityTable = {
  prefix: 'SANER-CSVPULL-SRC',
  actor: 'Measure Source',
  mode: 'server',
  capability: MEASURE_SOURCE_QM_CSV_PULL,
  rows: [
    [1, 'MeasureReport', 'supportedProfile', 'PublicHealthMeasureReport', 'SHALL', PROFILE_CLAIM],
    [
      2,
      'MeasureReport',
      'operation',
      '$read-csv',
      'SHALL',
      `${NO_CS_LEVEL} the transaction-1 page asks the server to demonstrate it: GET [base]/MeasureReport/[id]/$read-csv (optionally with map) answers 200 with the report as CSV.`,
    ],
    [
      3,
      'MeasureReport',
      'operation',
      '$search-csv',
      'SHALL',
      `${NO_CS_LEVEL} the transaction-1 page requires it: GET [base]/MeasureReport/$search-csv with measure and a period range answers 200 with one CSV covering every matching report.`,
    ],
  ],
};

export const measureConsumerCsvPull: CapabilityTable = {
  prefix: 'SANER-CSVPULL-CON',
  actor: 'Measure Consumer',
  mode: 'client',
  capability: MEASURE_CONSUMER_QM_CSV_PULL,
  rows: [
    [1, 'MeasureReport', 'supportedProfile', 'PublicHealthMeasureReport', 'SHALL', PROFILE_CLAIM],
    [2, 'MeasureReport', 'operation', '$read-csv', 'MAY', `${NO_CS_LEVEL} the transaction-1 page makes it optional for the client.`],
    [3, 'MeasureReport', 'operation', '$search-csv', 'SHALL', `${NO_CS_LEVEL} the transaction-1 page requires it of the client, always with measure and period (both mandatory).`],
  ],
};
