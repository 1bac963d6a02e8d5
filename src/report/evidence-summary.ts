import type { HttpExchange, TestResult } from '../engine/results.js';
import { formatDuration } from './format.js';

export function exchangeLine(x: HttpExchange): string {
  const outcome = x.status !== undefined ? String(x.status) : `no response${x.error ? ` (${x.error})` : ''}`;
  const took = x.durationMs === undefined ? '' : `, ${formatDuration(x.durationMs)}`;
  return `${x.direction === 'inbound' ? 'received' : 'sent'} ${x.method} ${x.url} -> ${outcome}${took}`;
}

/** A plain-text account of a test (assertions, exchanges, validation issues, notes) for CI logs and TestReport details. */
export function evidenceSummary(t: TestResult): string {
  const lines: string[] = [];
  if (t.requirements.length) lines.push(`Requirements: ${t.requirements.join(', ')}`);
  if (t.reason) lines.push(`Reason: ${t.reason}`);
  if (t.assertions.length) {
    lines.push('Assertions:');
    for (const a of t.assertions) lines.push(`  ${a.passed ? 'ok  ' : 'FAIL'} ${a.message}`);
  }
  const http = t.evidence.flatMap((e) => (e.kind === 'http' ? [e.exchange] : []));
  if (http.length) {
    lines.push('HTTP:');
    for (const x of http) lines.push(`  ${exchangeLine(x)}`);
  }
  for (const e of t.evidence) {
    if (e.kind !== 'validation') continue;
    lines.push(`Validation of ${e.subject}: ${e.issues.length} issue(s)`);
    for (const i of e.issues) lines.push(`  ${i.severity}${i.expression ? ` ${i.expression}` : ''}: ${i.message}${i.rule ? ` [${i.rule}]` : ''}`);
  }
  for (const e of t.evidence) if (e.kind === 'note') lines.push(`Note: ${e.text}`);
  for (const e of t.evidence) {
    if (e.kind === 'attestation') lines.push(`Attestation of ${e.requirement}: ${e.attested ? 'yes' : 'no'}, by ${e.by}${e.note ? ` (${e.note})` : ''}: ${e.question}`);
  }
  if (t.negativeControl) lines.push(`Negative control: ${t.negativeControl}`);
  return lines.join('\n');
}
