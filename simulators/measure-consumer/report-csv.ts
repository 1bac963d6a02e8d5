/**
 * `POST [base]/Measure/[id]/$report-csv` (SANER CSV Option with Push, REQUIREMENTS.md §5.1): a CSV
 * becomes MeasureReports of the Measure, each stored as if pushed — an update of the report with
 * the same subject, reporter and period when there is one, a create otherwise. All or nothing: a
 * CSV error (400, naming row and column) or a report failing validation (400/422) stores nothing.
 *
 * The CSV comes as the `input` Binary of a Parameters body, or as a raw `text/csv` body with the
 * other parameters in the query string. The answer is the operation's `return`: a `batch-response`
 * Bundle with one entry per report (201 created / 200 updated, with Location and ETag).
 */
import type { Binary, Bundle, Measure, MeasureReport, Parameters, ParametersParameter, Reference, Resource } from 'fhir/r4.js';
import { readCsvMeasureReports } from '../../src/csv/index.js';
import { csvIssue, isCsvIssue } from '../../src/csv/issues.js';
import { FhirError, type Issue } from '../../src/fhir/errors.js';
import { mediaTypeOf } from '../../src/fhir/negotiation.js';
import type { OperationDeclaration, OperationRequest, OperationResult } from '../../src/fhir/server/index.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { writtenEntry } from './batch-response.js';
import { afterReportWrite, type ConsumerFault } from './faults.js';
import { REPORT_CSV_OPERATION } from '../../ig/saner/canonicals.js';
import { checkForWrite } from './write-checks.js';

const CSV_TYPES = new Set(['text/csv', 'application/csv']);

function valueText(p: ParametersParameter): string | undefined {
  return p.valueString ?? p.valueDateTime ?? p.valueDate ?? p.valueInstant ?? p.valueCode ?? p.valueUri;
}

function values(params: Parameters, name: string): string[] {
  return (params.parameter ?? [])
    .filter((p) => p.name === name)
    .flatMap((p) => {
      const text = valueText(p);
      if (text === undefined) throw FhirError.of(400, 'invalid', `parameter "${name}" needs a string value`, name);
      return [text];
    });
}

function single(params: Parameters, name: string, required: boolean): string | undefined {
  const found = values(params, name);
  if (found.length > 1) throw FhirError.of(400, 'invalid', `parameter "${name}" is given ${found.length} times; it takes one value`, name);
  if (required && found.length === 0) throw FhirError.of(400, 'required', `parameter "${name}" is required`, name);
  return found[0];
}

/** The CSV text: the raw body, or the `input` Binary (base64 data, contentType text/csv). */
function csvText(request: OperationRequest<ConsumerFault>): string {
  if (request.body && !request.body.resource) return request.body.text;
  const inputs = (request.params.parameter ?? []).filter((p) => p.name === 'input');
  if (inputs.length !== 1) {
    throw FhirError.of(400, 'required', inputs.length ? 'parameter "input" is given more than once' : 'parameter "input" (a Binary holding the CSV) is required', 'input');
  }
  const binary = inputs[0]?.resource;
  if (binary?.resourceType !== 'Binary') throw FhirError.of(400, 'invalid', 'parameter "input" must be a Binary resource holding the CSV', 'input');
  const { contentType, data } = binary as Binary;
  const media = mediaTypeOf(contentType);
  if (!media || !CSV_TYPES.has(media)) throw FhirError.of(400, 'invalid', `parameter "input": Binary.contentType '${contentType}' is not text/csv`, 'input');
  if (data === undefined) throw FhirError.of(400, 'required', 'parameter "input": the Binary has no data', 'input');
  return Buffer.from(data, 'base64').toString('utf8');
}

/** The same issues one row too early, as a server counting from the first data row would report them. */
function rowsMiscounted(err: FhirError): FhirError {
  const shifted = err.issues.map((issue): Issue => {
    if (!isCsvIssue(issue) || issue.row === undefined) return issue;
    return csvIssue(issue.code, issue.detail, issue.row - 1, issue.column);
  });
  return new FhirError(err.status, shifted);
}

function samePeriod(a: MeasureReport, b: MeasureReport): boolean {
  const t = (s: string | undefined) => (s ? Date.parse(s) : NaN);
  return t(a.period.start) === t(b.period.start) && t(a.period.end) === t(b.period.end);
}

/** Same party: the same identifier value (and system, when both give one), else the same reference; both absent counts as the same. */
function sameParty(a: Reference | undefined, b: Reference | undefined): boolean {
  if (!a || !b) return !a && !b;
  if (a.identifier?.value || b.identifier?.value) {
    const sa = a.identifier?.system;
    const sb = b.identifier?.system;
    return a.identifier?.value === b.identifier?.value && (!sa || !sb || sa === sb);
  }
  return a.reference === b.reference;
}

/** The stored report this one replaces: the same Measure, subject, reporter and period. */
function reportToReplace(store: ResourceStore, report: MeasureReport): MeasureReport | undefined {
  const criteria: Array<[string, string]> = [['measure', report.measure]];
  const subjectId = report.subject?.identifier?.value;
  if (subjectId) criteria.push(['subject:identifier', subjectId]);
  else if (report.subject?.reference) criteria.push(['subject', report.subject.reference]);
  criteria.push(['_count', '1000']);
  const found = store.search('MeasureReport', criteria, { baseUrl: '', strict: true });
  return (found.entry ?? [])
    .map((e) => e.resource as MeasureReport | undefined)
    .find((r) => r && sameParty(r.subject, report.subject) && sameParty(r.reporter, report.reporter) && samePeriod(r, report));
}

function describe(report: MeasureReport): string {
  const party = (r: Reference | undefined) => r?.identifier?.value ?? r?.reference ?? '(none)';
  return `report for subject ${party(report.subject)}, reporter ${party(report.reporter)}, period ${report.period.start ?? ''}/${report.period.end ?? ''}`;
}

async function reportCsv(request: OperationRequest<ConsumerFault>): Promise<OperationResult> {
  const { params, store, faults } = request;
  const measure = request.resource as Measure;
  const csv = csvText(request);
  const periodStart = single(params, 'period-start', true);
  const periodEnd = single(params, 'period-end', true);
  const subject = single(params, 'subject', false);
  const reporter = single(params, 'reporter', false);
  const map = faults.has('report-csv-ignore-map') ? [] : values(params, 'map');
  let reports: MeasureReport[];
  try {
    reports = await readCsvMeasureReports(csv, measure, {
      map,
      ...(subject ? { subject } : {}),
      ...(reporter ? { reporter } : {}),
      ...(periodStart ? { periodStart } : {}),
      ...(periodEnd ? { periodEnd } : {}),
      // CSV.md §3.2 step 6: columns that are neither key columns nor codes of the Measure are ignored.
      unknownColumns: 'ignore',
    });
  } catch (err) {
    throw err instanceof FhirError && faults.has('report-csv-wrong-row-errors') ? rowsMiscounted(err) : err;
  }
  for (const report of reports) {
    try {
      checkForWrite(report, faults);
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      throw new FhirError(
        err.status,
        err.issues.map((i) => ({ ...i, message: `${describe(report)}: ${i.message}` })),
      );
    }
  }
  const written = store.transaction(() =>
    reports.map((report) => {
      const existing = faults.has('update-creates-duplicate') ? undefined : reportToReplace(store, report);
      if (!existing) return { stored: store.create(report) as Resource, created: true };
      return { stored: store.update({ ...report, id: existing.id } as MeasureReport).resource as Resource, created: false };
    }),
  );
  for (const w of written) afterReportWrite(store, w.stored, w.created, faults);
  await store.durable();
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'batch-response',
    entry: written.map((w) => writtenEntry(request.baseUrl, w.stored, w.created, request.headers)),
  };
  return { kind: 'resource', resource: bundle, status: 200 };
}

export const reportCsvOperation: OperationDeclaration<ConsumerFault> = {
  name: 'report-csv',
  level: ['instance'],
  resources: ['Measure'],
  definition: REPORT_CSV_OPERATION,
  affectsState: true,
  acceptsMediaTypes: [...CSV_TYPES],
  handler: reportCsv,
};
