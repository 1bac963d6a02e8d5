// Public API of the CSV Option (SANER CSV_Conversion): used by $read-csv, $search-csv,
// $report-csv and the `csv` command.
export { measureReportsToCsv, measureReportsToCsvString, type ToCsvOptions } from './to-csv.js';
export { csvToMeasureReports, readCsvMeasureReports, DATA_ABSENT_REASON, type FromCsvOptions } from './from-csv.js';
export { parseMap, planColumns, type ColumnPlan, type MapEntry, type MeasureColumn } from './map.js';
export { layoutOf, type CsvLayout } from './report-rows.js';
export { KEY_COLUMNS, measureCodes, type KeyColumn, type MeasureCode } from './measure-columns.js';
export { parseParty } from './party.js';
export { toFhirDateTime } from './dates.js';
export { isCsvIssue, type CsvIssue } from './issues.js';
