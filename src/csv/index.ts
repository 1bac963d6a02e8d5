// Public API of the CSV Option (SANER CSV_Conversion): used by $read-csv, $search-csv,
// $report-csv and the `csv` command.
export { measureReportsToCsv, measureReportsToCsvString } from './to-csv.js';
export { csvToMeasureReports, readCsvMeasureReports, type FromCsvOptions } from './from-csv.js';
export { parseMap, planColumns } from './map.js';
export { measureCodes } from './measure-columns.js';
