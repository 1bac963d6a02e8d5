/**
 * What the reference Measure Source reports: fixture PublicHealthMeasureReports made fresh for a
 * push (no server id, a new business identifier, today's date), a revision with changed counts,
 * a Supplemental Data Bundle (the report first, then the resources its evaluatedResource names)
 * and the CSV of a report with its $report-csv parameters.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Measure, MeasureReport, Observation, Parameters, ParametersParameter, Patient, Reference, Resource } from 'fhir/r4.js';
import { measureReportsToCsvString } from '../../src/csv/index.js';
import { fixtureResources } from '../fixtures.js';

/** The fixture reports the client pushes, one per way of pushing, so no two pushes describe the same report. */
export const PUSHED = {
  json: 'beds-camden-2020-04-01',
  xml: 'vents-newark-2020-04-02',
  csv: 'beds-trenton-2020-04-03',
  supplemental: 'beds-newark-2020-04-04',
} as const;

let fixtures: MeasureReport[] | undefined;

export function fixtureReport(id: string): MeasureReport {
  fixtures ??= fixtureResources('saner', ['MeasureReport']) as MeasureReport[];
  const report = fixtures.find((r) => r.id === id);
  if (!report) throw new Error(`fixture MeasureReport ${id} is missing from fixtures/saner`);
  return structuredClone(report);
}

/** PublicHealthMeasureReport dates are precise to the second with a zone offset (DateTimePreciseToSecond). */
export function secondsNow(): string {
  return `${new Date().toISOString().slice(0, 19)}+00:00`;
}

/** A fixture report as a new push: no server id or version, its own identifier, dated now. */
export function freshReport(id: string): MeasureReport {
  const { id: _id, meta, ...report } = fixtureReport(id);
  return {
    ...report,
    ...(meta?.profile ? { meta: { profile: meta.profile } } : {}),
    identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` }],
    date: secondsNow(),
  };
}

/** The same report with its first count one higher, as a facility correcting what it sent. */
export function revised(report: MeasureReport): MeasureReport {
  const copy = structuredClone(report);
  const population = copy.group?.flatMap((g) => g.population ?? []).find((p) => p.count !== undefined);
  if (population) population.count = (population.count ?? 0) + 1;
  copy.date = secondsNow();
  return copy;
}

const PATIENT: Patient = { resourceType: 'Patient', gender: 'female', birthDate: '1950-02-03' };
const OBSERVATION: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'SARS-CoV-2 RNA' }, valueString: 'detected' };

export interface SupplementalShape {
  type: 'batch' | 'transaction' | 'collection';
  reportFirst: boolean;
  /** Leave out the last resource the report names. */
  dropOne: boolean;
}

/** The report with a Patient and an Observation it evaluated, referenced by their fullUrls. */
export function supplementalBundle(shape: SupplementalShape): Bundle {
  const patientUrl = `urn:uuid:${randomUUID()}`;
  const observationUrl = `urn:uuid:${randomUUID()}`;
  const report: MeasureReport = { ...freshReport(PUSHED.supplemental), evaluatedResource: [{ reference: patientUrl }, { reference: observationUrl }] };
  const request = (url: string) => (shape.type === 'collection' ? {} : { request: { method: 'POST' as const, url } });
  const observation: Observation = { ...OBSERVATION, subject: { reference: patientUrl } };
  const supplemental: BundleEntry[] = [
    { fullUrl: patientUrl, resource: PATIENT, ...request('Patient') },
    { fullUrl: observationUrl, resource: observation, ...request('Observation') },
  ];
  const first: BundleEntry = { fullUrl: `urn:uuid:${randomUUID()}`, resource: report, ...request('MeasureReport') };
  const others = shape.dropOne ? supplemental.slice(0, -1) : supplemental;
  return { resourceType: 'Bundle', type: shape.type, entry: shape.reportFirst ? [first, ...others] : [...others, first] };
}

/** `system|value` of a party's identifier, the form $report-csv's subject and reporter take. */
function party(ref: Reference | undefined): string | undefined {
  const id = ref?.identifier;
  if (!id?.value) return ref?.reference;
  return id.system ? `${id.system}|${id.value}` : id.value;
}

export interface CsvPush {
  csv: string;
  report: MeasureReport;
}

/** The CSV of one report of the Measure, as src/csv writes it; with `badCell` one count is not a number. */
export async function csvPush(measure: Measure, badCell: boolean): Promise<CsvPush> {
  const report = freshReport(PUSHED.csv);
  const csv = await measureReportsToCsvString([report], measure);
  return { csv: badCell ? spoilFirstCount(csv) : csv, report };
}

function spoilFirstCount(csv: string): string {
  const [header, first, ...rest] = csv.split('\r\n');
  const cells = first!.split(',');
  const at = cells.findLastIndex((c) => /^\d+$/.test(c));
  cells[at] = 'many';
  return [header, cells.join(','), ...rest].join('\r\n');
}

export interface CsvParameterChoices {
  inputAsString: boolean;
  withPeriod: boolean;
}

/** The Parameters body of $report-csv: the CSV as the input Binary, the period, subject and reporter. */
export function reportCsvParameters({ csv, report }: CsvPush, choices: CsvParameterChoices): Parameters {
  const input: ParametersParameter = choices.inputAsString
    ? { name: 'input', valueString: csv }
    : { name: 'input', resource: { resourceType: 'Binary', contentType: 'text/csv', data: Buffer.from(csv, 'utf8').toString('base64') } as Resource };
  const parameter: ParametersParameter[] = [input];
  if (choices.withPeriod) {
    parameter.push({ name: 'period-start', valueString: report.period.start! }, { name: 'period-end', valueString: report.period.end! });
  }
  const subject = party(report.subject);
  const reporter = party(report.reporter);
  if (subject) parameter.push({ name: 'subject', valueString: subject });
  if (reporter) parameter.push({ name: 'reporter', valueString: reporter });
  return { resourceType: 'Parameters', parameter };
}
