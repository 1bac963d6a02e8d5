/**
 * The Measure Source's own fault modes: behaviours the server core cannot break by itself (the CSV
 * operations, the content of what it serves), each breaking one SANER Query Measure requirement.
 */
import { defineFaults, type FaultIds } from '../../src/fhir/faults.js';

export const measureSourceFaults = defineFaults([
  { id: 'read-csv-as-json', description: '$read-csv answers the MeasureReport as FHIR JSON instead of CSV' },
  { id: 'csv-binary-without-data', description: 'Asked in a FHIR format, the CSV operations answer a Binary labelled text/csv with no data' },
  { id: 'csv-wrong-header', description: 'CSV answers name their measure columns in lower case, so they match no Measure code' },
  { id: 'csv-wrong-counts', description: 'CSV answers report every population count one higher than the MeasureReport says' },
  { id: 'csv-map-ignored', description: 'The CSV operations ignore the map parameter and answer canonical columns' },
  { id: 'search-csv-no-period-check', description: '$search-csv without measure or period answers 200 instead of 400' },
  { id: 'search-csv-ignore-period', description: '$search-csv ignores its period parameter and converts every report of the measure' },
  { id: 'invalid-measurereport', description: 'Serves MeasureReports whose date has no time zone and whose subject has no identifier (PublicHealthMeasureReport violations)' },
  { id: 'invalid-measure', description: 'Serves Measures without the ReportingPeriod extension (a PublicHealthMeasure violation)' },
  { id: 'include-without-subject', description: '_include=* on MeasureReport leaves the subject Location out' },
  { id: 'accept-fhir-types-only', description: 'Refuses the short and DSTU2 media types in Accept with 406 while _format still takes them' },
  { id: 'include-iterate-breaks', description: 'Answers a search carrying _include:iterate with a 500 and no OperationOutcome, neither refusing nor ignoring it' },
  { id: 'default-page-size-10', description: 'Pages a search without _count by 10 instead of the recommended 100' },
  {
    id: 'refuse-format',
    argument: 'json or xml',
    description:
      'Serves the other format only, and says so: a request naming this one (Accept or _format) gets 406, a wildcard gets the other format, and the CapabilityStatement lists the other alone',
  },
  { id: 'invalid-location', description: 'Serves Locations whose position has no longitude (1..1 in R4)' },
]);

export type MeasureSourceFault = FaultIds<typeof measureSourceFaults>;
