/**
 * The computed MeasureReport, shaped for R4 and PublicHealthMeasureReport: a complete summary for
 * `url|version` of the Measure, subject and reporter with their identifiers, date and period to the
 * second with an offset, the Measure's group, population and stratifier codes copied, strata named
 * by `component` (SANER-PR-MR-022). A count that could not be evaluated carries data-absent-reason
 * `error` (SANER-CM-PG-006), and the evaluation's issues ride along as a contained OperationOutcome.
 */
import type {
  CodeableConcept,
  Extension,
  Location,
  Measure,
  MeasureReport,
  MeasureReportGroup,
  MeasureReportGroupPopulation,
  MeasureReportGroupStratifierStratum,
  Organization,
  Quantity,
  Reference,
} from 'fhir/r4.js';
import { toOperationOutcome, type Issue } from '../../src/fhir/errors.js';
import { EVALUATION_ERROR_EXTENSION } from '../../ig/saner/canonicals.js';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../ig/saner/profiles.js';
import type { ReportingPeriod } from './period.js';

const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
const OUTCOME_ID = 'evaluation-issues';

const absent: Extension[] = [{ url: DATA_ABSENT, valueCode: 'error' }];

export interface PopulationCount {
  code?: CodeableConcept;
  /** Undefined when it could not be evaluated. */
  count?: number;
}

export interface StratifierCounts {
  code?: CodeableConcept;
  /** Stratum value -> one count per population of the group, in the group's order. */
  strata: Map<string, PopulationCount[]>;
}

export interface GroupCounts {
  code?: CodeableConcept;
  populations: PopulationCount[];
  /** Undefined: the group has no score; NaN: it has one that could not be computed. */
  measureScore?: number;
  stratifiers: StratifierCounts[];
}

export interface ReportInput {
  measure: Measure;
  period: ReportingPeriod;
  subject: Location;
  reporter: Organization;
  /** When the report was made, `YYYY-MM-DDThh:mm:ss+hh:mm`. */
  date: string;
  groups: GroupCounts[];
  issues: Issue[];
}

function referenceTo(resource: Location | Organization): Reference {
  return {
    reference: `${resource.resourceType}/${resource.id ?? ''}`,
    ...(resource.identifier?.[0] ? { identifier: resource.identifier[0] } : {}),
    ...(resource.name ? { display: resource.name } : {}),
  };
}

function population(p: PopulationCount): MeasureReportGroupPopulation {
  return { ...(p.code ? { code: p.code } : {}), ...(p.count === undefined ? { _count: { extension: absent } } : { count: p.count }) };
}

function score(value: number): Quantity {
  return Number.isFinite(value) ? { value } : { extension: absent };
}

function stratum(value: string, code: CodeableConcept | undefined, counts: PopulationCount[]): MeasureReportGroupStratifierStratum {
  return {
    component: [{ code: code ?? { text: 'stratifier' }, value: { text: value } }],
    population: counts.map(population),
  };
}

function group(g: GroupCounts): MeasureReportGroup {
  const stratifier = g.stratifiers
    .filter((s) => s.strata.size > 0)
    .map((s) => ({
      ...(s.code ? { code: [s.code] } : {}),
      stratum: [...s.strata.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, counts]) => stratum(value, s.code, counts)),
    }));
  return {
    ...(g.code ? { code: g.code } : {}),
    population: g.populations.map(population),
    ...(g.measureScore !== undefined ? { measureScore: score(g.measureScore) } : {}),
    ...(stratifier.length ? { stratifier } : {}),
  };
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function measureCanonical(measure: Measure): string {
  return measure.version ? `${measure.url ?? ''}|${measure.version}` : (measure.url ?? '');
}

export function buildReport(input: ReportInput): MeasureReport {
  const { measure, period, subject, reporter } = input;
  const title = measure.title ?? measure.name ?? measure.id ?? 'Measure';
  const summary = `${title} ${measure.version ?? ''} for ${subject.name ?? subject.id ?? 'the subject'}, ${period.start} to ${period.end} (computed)`;
  const report: MeasureReport = {
    resourceType: 'MeasureReport',
    meta: { profile: [PUBLIC_HEALTH_MEASURE_REPORT] },
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escapeXml(summary)}</p></div>` },
    status: 'complete',
    type: 'summary',
    measure: measureCanonical(measure),
    subject: referenceTo(subject),
    date: input.date,
    reporter: referenceTo(reporter),
    period: { start: period.start, end: period.end },
    group: input.groups.map(group),
  };
  if (input.issues.length) {
    report.contained = [{ ...toOperationOutcome(input.issues), id: OUTCOME_ID }];
    report.extension = [{ url: EVALUATION_ERROR_EXTENSION, valueReference: { reference: `#${OUTCOME_ID}` } }];
  }
  return report;
}
