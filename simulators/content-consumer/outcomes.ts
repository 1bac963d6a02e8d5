/**
 * The rejection of a report as QRPH-58 2:3.58.4.2.3 asks (digest §5): every issue fatal, a valid
 * IssueType code, the HTTP status and the rule set in the text, and an expression locating the
 * invalid MeasureReport (`MeasureReport`, or `Bundle.entry[i].resource` in a Bundle) besides the
 * element at fault.
 */
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';
import type { Issue } from '../../src/fhir/errors.js';

export interface OutcomeStyle {
  /** Where the report sits: `MeasureReport` or `Bundle.entry[2].resource`. */
  at: string;
  status: number;
  ruleSet: string;
  withExpression: boolean;
  severity: 'fatal' | 'error';
}

/** `MeasureReport.group[0]` relocated under `Bundle.entry[2].resource.group[0]`. */
function relocate(expression: string | undefined, at: string): string | undefined {
  if (!expression || at === 'MeasureReport') return expression;
  return expression.replace(/^[A-Z][A-Za-z]+/, at);
}

export function rejectionIssues(issues: readonly Issue[], style: OutcomeStyle): OperationOutcomeIssue[] {
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  return errors.map((i) => {
    const element = relocate(i.expression, style.at);
    const expression = [style.at, ...(element && element !== style.at ? [element] : [])];
    return {
      severity: style.severity,
      code: i.code,
      details: { ...(i.rule ? { coding: [{ system: 'urn:measure-conformance:rule', code: i.rule }] } : {}), text: String(style.status) },
      diagnostics: `${i.message} (HTTP ${style.status}; rule set ${style.ruleSet})`,
      ...(style.withExpression ? { expression } : {}),
    };
  });
}

export function rejection(issues: readonly Issue[], style: OutcomeStyle): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: rejectionIssues(issues, style) };
}
