export { capabilityCoverage, requirementsWithoutCapability, share, type CapabilityCoverage, type Share } from './coverage.js';
export { createProgressPrinter, renderSummary, useColour, type ConsoleStream, type ProgressOptions, type ProgressPrinter, type SummaryOptions } from './console.js';
export { renderHtml } from './html.js';
export { junitTestName, renderJunit } from './junit.js';
export { loadResults, parseResults, ResultsFileError, serializeResults } from './results-file.js';
export { redactDeep } from '../http/redact.js';
export { RESULTS_SCHEMA } from './results-schema.js';
export { toTestReports, type SuiteTestReport } from './testreport.js';
export { writeReports, type WriteOptions, type WrittenReports } from './write.js';
