import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

/** One finding, in the shape of an OperationOutcome issue plus the rule that raised it. */
export interface Issue {
  severity: IssueSeverity;
  code: IssueCode;
  /** What went wrong, for a person. */
  message: string;
  /** FHIRPath locating the element, e.g. `MeasureReport.group[0].population[1].count`. */
  expression?: string;
  /** Id of the requirement or invariant that this issue enforces (e.g. `mrp-1`, `SANER-PR-004`). */
  rule?: string;
  /** Raised by a best-practice invariant of a profile (elementdefinition-bestpractice), which a user may silence. */
  bestPractice?: true;
}

/**
 * An error that carries its HTTP status and OperationOutcome issues, so every layer (parsers,
 * validators, store, server) can fail the same way and the server answers it unchanged.
 */
export class FhirError extends Error {
  readonly status: number;
  readonly issues: Issue[];

  constructor(status: number, issues: Issue | Issue[]) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map((i) => i.message).join('; '));
    this.name = 'FhirError';
    this.status = status;
    this.issues = list;
  }

  static of(status: number, code: IssueCode, message: string, expression?: string): FhirError {
    return new FhirError(status, { severity: 'error', code, message, ...(expression ? { expression } : {}) });
  }
}

export function toOperationOutcome(issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity,
      code: i.code,
      diagnostics: i.message,
      ...(i.expression ? { expression: [i.expression] } : {}),
      ...(i.rule ? { details: { coding: [{ system: 'urn:measure-conformance:rule', code: i.rule }], text: i.message } } : {}),
    })),
  };
}

export function hasErrors(issues: Issue[]): boolean {
  return issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
}
