import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { RunResults } from '../engine/results.js';
import { buildHtmlModel } from './html-model.js';
import { SCRIPT } from './html-script.js';
import { STYLE } from './html-style.js';
import { TEMPLATE } from './html-template.js';

// The CSP allows only our own script, by hash, so even a mistake in escaping could not run SUT content.
const SCRIPT_HASH = `sha256-${createHash('sha256').update(SCRIPT).digest('base64')}`;

let compiled: Handlebars.TemplateDelegate | undefined;

/**
 * Escaping for element content only (never attributes): `&`, `<` and `>` suffice there, and leaving
 * quotes alone keeps pretty-printed JSON bodies, the bulk of a big report, from growing by a third.
 */
function contentText(value: unknown): Handlebars.SafeString {
  const text = typeof value === 'string' ? value : '';
  return new Handlebars.SafeString(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/** The whole report as one self-contained HTML document (inline CSS and JS, nothing fetched). */
export function renderHtml(results: RunResults): string {
  if (!compiled) {
    const hbs = Handlebars.create();
    hbs.registerHelper('content', contentText);
    compiled = hbs.compile(TEMPLATE, { strict: false, noEscape: false });
  }
  return compiled({ ...buildHtmlModel(results), style: STYLE, script: SCRIPT, scriptHash: SCRIPT_HASH });
}
