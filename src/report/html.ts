import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { RunResults } from '../engine/results.js';
import { buildHtmlModel } from './html-model.js';
import { SCRIPT } from './html-script.js';
import { STYLE } from './html-style.js';
import { TEMPLATE } from './html-template.js';
import type { ReportContext, ReportFormat } from './report-format.js';
import { serializeResults } from './results-file.js';

// The CSP allows only our own script, by hash, so even a mistake in escaping could not run SUT content.
const SCRIPT_HASH = `sha256-${createHash('sha256').update(SCRIPT).digest('base64')}`;

let compiled: Handlebars.TemplateDelegate | undefined;

/** The whole report as one self-contained HTML document (inline CSS, JS and packed evidence; nothing fetched). */
export function renderHtml(results: RunResults, context: ReportContext = { resultsText: serializeResults(results) }): string {
  compiled ??= Handlebars.create().compile(TEMPLATE, { strict: false, noEscape: false });
  const model = buildHtmlModel(results, context);
  // Inserted unescaped inside <script> (a raw-text element, where entities would stay as written): base64 only.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(model.evidencePack)) throw new Error('the evidence pack is not base64');
  return compiled({ ...model, style: STYLE, script: SCRIPT, scriptHash: SCRIPT_HASH });
}

export const htmlFormat: ReportFormat = {
  name: 'html',
  description: 'index.html: readiness matrix, requirements and tests with their evidence, for people',
  render: (results, context) => [{ path: 'index.html', content: renderHtml(results, context) }],
};
