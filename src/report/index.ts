/** What the command line uses of the report writers. */
export { createProgressPrinter, renderSummary, useColour } from './console.js';
export { renderHtml } from './html.js';
export { loadResults, ResultsFileError } from './results-file.js';
export { writeReports } from './write.js';
