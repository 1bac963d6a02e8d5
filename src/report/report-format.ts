/**
 * One report format: a name and a render function from results to files. Every format lives in one
 * file and is listed once in REPORT_FORMATS (formats.ts), the way vitest lists its reporters, so a
 * run writes them all and `report RESULTS.json` can re-render any of them.
 */
import type { RunResults } from '../engine/results.js';
import type { PreviousRun } from './compare.js';

export interface ReportContext {
  /** results.json exactly as written (or read), for the content hash the reports show. */
  resultsText: string;
  /** The earlier run to compare with, or why none could be read. */
  previous?: PreviousRun;
}

export interface ReportFile {
  /** Relative to the report folder, `/`-separated, e.g. `testreport/saner-query-measure-measure-source.json`. */
  path: string;
  content: string;
}

export interface ReportFormat {
  name: string;
  /** One line for `report --help`. */
  description: string;
  render(results: RunResults, context: ReportContext): ReportFile[];
}
