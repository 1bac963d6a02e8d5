/**
 * Every report format, once. A run writes them all; `report RESULTS.json --format NAME` re-renders
 * any. Adding a format is one file exporting a ReportFormat and one line here.
 */
import { htmlFormat } from './html.js';
import { junitFormat } from './junit.js';
import { markdownFormat } from './markdown.js';
import type { ReportFormat } from './report-format.js';
import { jsonFormat } from './results-file.js';
import { testReportFormat } from './testreport.js';

// results.json first: if a later format fails, the run's data is already on disk.
export const REPORT_FORMATS = {
  json: jsonFormat,
  html: htmlFormat,
  junit: junitFormat,
  testreport: testReportFormat,
  markdown: markdownFormat,
} as const satisfies Record<string, ReportFormat>;

export type ReportFormatName = keyof typeof REPORT_FORMATS;

export const REPORT_FORMAT_NAMES = Object.keys(REPORT_FORMATS) as ReportFormatName[];

export function isReportFormatName(name: string): name is ReportFormatName {
  return Object.hasOwn(REPORT_FORMATS, name);
}
