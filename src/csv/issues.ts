import { FhirError, type Issue, type IssueCode } from '../fhir/errors.js';

/**
 * An issue about one place of a CSV file. `row` is 1-based as a spreadsheet shows it (the header
 * is row 1); `detail` is the message without the location, so a CLI can print `FILE:row N ...`.
 */
export interface CsvIssue extends Issue {
  row?: number;
  column?: string;
  detail: string;
}

export function isCsvIssue(issue: Issue): issue is CsvIssue {
  return typeof (issue as CsvIssue).detail === 'string';
}

function csvLocation(row: number | undefined, column: string | undefined): string {
  const parts: string[] = [];
  if (row !== undefined) parts.push(`row ${row}`);
  if (column !== undefined) parts.push(`column ${JSON.stringify(column)}`);
  return parts.join(', ');
}

export function csvIssue(code: IssueCode, detail: string, row?: number, column?: string): CsvIssue {
  const where = csvLocation(row, column);
  return {
    severity: 'error',
    code,
    message: where ? `${where}: ${detail}` : detail,
    detail,
    ...(row !== undefined ? { row } : {}),
    ...(column !== undefined ? { column } : {}),
  };
}

/**
 * Collects errors up to a bound; a bad file usually has the same mistake on many rows and a person
 * needs the first few, not a million. Readers check `full` after each row and stop there.
 */
export class IssueCollector {
  readonly issues: CsvIssue[] = [];
  private stopped = false;

  constructor(private readonly max: number) {}

  get failed(): boolean {
    return this.issues.length > 0;
  }

  get full(): boolean {
    return this.stopped;
  }

  add(code: IssueCode, detail: string, row?: number, column?: string): void {
    if (this.stopped) return;
    this.issues.push(csvIssue(code, detail, row, column));
    if (this.issues.length >= this.max) {
      this.stopped = true;
      this.issues.push(csvIssue('too-costly', `stopped after ${this.max} errors`));
    }
  }

  toError(): FhirError {
    return new FhirError(400, this.issues);
  }
}
