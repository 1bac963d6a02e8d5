/**
 * The readiness matrix as Markdown: summary.md beside the HTML, and what a GitHub job's step summary
 * shows. Cells come from SUT content (names, reasons), so table syntax in them is escaped.
 */
import type { RunResults } from '../engine/results.js';
import { attentionItems } from './attention.js';
import { compareRuns } from './compare.js';
import type { Share } from './coverage.js';
import { formatDuration, formatInstant, elapsedMs, verdictLabel } from './format.js';
import { readinessRows, type ReadinessRow } from './readiness.js';
import type { ReportContext, ReportFormat } from './report-format.js';
import { runFacts } from './run-facts.js';

/** Text safe inside a Markdown table cell: no row breaks, no cell breaks, no HTML. */
export function cell(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_`[\]])/g, '\\$1')
    .trim();
}

const shareText = (s: Share): string => (s.percent === null ? '—' : `${s.passed}/${s.total} (${s.percent} %)`);

function formats(row: ReadinessRow, format: 'json' | 'xml'): string {
  const of = row.formats.filter((f) => f[format] !== undefined);
  if (of.length === 0) return '—';
  return of.map((f) => `${of.length > 1 ? `${cell(f.label)}: ` : ''}${verdictLabel(f[format]!)}`).join('<br>');
}

const LIMIT = 50;

export function renderMarkdown(results: RunResults, context: ReportContext): string {
  const facts = runFacts(results, context.resultsText);
  const overall = `${verdictLabel(results.overall)}${results.interrupted ? ' (interrupted)' : ''}`;
  const lines = [
    `## Conformance: ${cell(results.sut.name)} — ${overall}`,
    '',
    `${cell(facts.where)}${facts.software ? ` · ${cell(facts.software)}` : ''} · ${results.tests.length} tests in ${formatDuration(elapsedMs(results.startedAt, results.finishedAt))}, ${formatInstant(results.startedAt)} · ${cell(`${results.harness.name} ${results.harness.version}`)}`,
    '',
    '| Actor or option | SHALL | SHOULD | JSON | XML | Verdict |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of readinessRows(results)) {
    const greyed = row.status === 'not-claimed' || row.status === 'not-run';
    const name = greyed ? `_${cell(row.name)}_` : cell(row.name);
    const verdict = `${greyed ? cell(row.verdict) : `**${cell(row.verdict)}**`}${row.detail && !greyed ? ` (${cell(row.detail)})` : ''}`;
    lines.push(`| ${name} | ${greyed ? '—' : shareText(row.shall)} | ${greyed ? '—' : shareText(row.should)} | ${formats(row, 'json')} | ${formats(row, 'xml')} | ${verdict} |`);
  }
  const previous = context.previous;
  if (previous && 'results' in previous) {
    const c = compareRuns(previous.results, results);
    lines.push('', `Since the previous run (${formatInstant(c.previous.startedAt)}): ${c.newFailures.length} new failure(s), ${c.fixes.length} fixed, ${c.changed.length} other change(s).`);
    for (const x of c.newFailures.slice(0, LIMIT)) lines.push(`- new failure: \`${x.id}\` ${x.expectation}: ${cell(x.reason ?? x.statement)}`);
  }
  const attention = attentionItems(results);
  if (attention.length) {
    lines.push('', `### Needs attention (${attention.length})`, '', '| Verdict | Requirement | Why |', '|---|---|---|');
    for (const a of attention.slice(0, LIMIT)) {
      lines.push(`| ${verdictLabel(a.requirement.verdict)} | \`${a.requirement.id}\` ${a.requirement.expectation}: ${cell(a.requirement.statement)} | ${cell(a.reason)} |`);
    }
    if (attention.length > LIMIT) lines.push('', `…and ${attention.length - LIMIT} more in the HTML report.`);
  }
  lines.push('', `results.json ${facts.resultsHash}`, '');
  return lines.join('\n');
}

export const markdownFormat: ReportFormat = {
  name: 'markdown',
  description: 'summary.md: the readiness matrix and what needs attention, in Markdown',
  render: (results, context) => [{ path: 'summary.md', content: renderMarkdown(results, context) }],
};
