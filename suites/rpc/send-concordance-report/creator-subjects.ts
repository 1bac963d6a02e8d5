/** What an RPC report's subject refers to (LAB-90: a Patient or a Group; digest B6). */
import type { MeasureReport } from 'fhir/r4.js';

export type SubjectKind = 'Patient' | 'Group' | 'other' | 'unknown';

export function subjectKind(report: MeasureReport): SubjectKind {
  const subject = report.subject;
  const type = subject?.reference?.startsWith('#')
    ? report.contained?.find((c) => c.id === subject.reference!.slice(1))?.resourceType
    : (subject?.type ?? subject?.reference?.match(/(?:^|\/)([A-Z][A-Za-z]+)\/[^/]+(?:\/_history\/[^/]+)?$/)?.[1]);
  if (type === undefined) return 'unknown';
  return type === 'Patient' || type === 'Group' ? type : 'other';
}
