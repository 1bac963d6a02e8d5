/**
 * The Validate mADX Message option (QRPH 1:6.2, test plan TC2 and TC3): with it, the Content
 * Consumer refuses a report that names a Measure it does not hold (MADX-OPT-001: its Content Data
 * Structure Consumer has none), whose disaggregation values are not in the code set the Measure
 * links to that dimension through relatedArtifact, label = component code (or, for a stratum
 * value, the stratifier's code) (MADX-OPT-002, -004),
 * or whose subject is not a facility its mCSD Care Services Update Consumer holds (MADX-OPT-003).
 */
import type { CodeableConcept, Measure, MeasureReport, Resource } from 'fhir/r4.js';
import type { Issue } from '../../src/fhir/errors.js';
import type { CareService, ValidateOptionData } from './reference-data.js';

export interface OptionChecks {
  terminology: boolean;
  subject: boolean;
}

/** The code set the Measure links to a dimension: relatedArtifact whose label is one of the concept's codes. */
function linkedSet(linked: ReadonlyMap<string, string>, concept: CodeableConcept | undefined): string | undefined {
  return (concept?.coding ?? []).map((x) => (x.code ? linked.get(x.code) : undefined)).find((u) => u !== undefined);
}

/**
 * Disaggregation values outside their code set: a component's value by its code, and (the
 * 3.0.0-comment form) a stratum's own value by its stratifier's code.
 */
function valueIssues(report: MeasureReport, measure: Measure, data: ValidateOptionData): Issue[] {
  const linked = new Map((measure.relatedArtifact ?? []).filter((a) => a.label && a.url).map((a) => [a.label!, a.url!]));
  const judge = (dimension: CodeableConcept | undefined, value: CodeableConcept, expression: string): Issue[] => {
    const url = linkedSet(linked, dimension);
    if (!url || !data.terminology.knows(url)) return [];
    if ((value.coding ?? []).some((v) => data.terminology.contains(url, v))) return [];
    const shown = value.coding?.[0];
    return [
      {
        severity: 'error',
        code: 'code-invalid',
        message: `disaggregation value ${shown ? `${shown.system ?? ''}|${shown.code ?? ''}` : '(none)'} is not in ${url}, the code set the Measure links to ${dimension?.coding?.[0]?.code ?? 'this dimension'}`,
        expression,
        rule: 'MADX-OPT-002',
      },
    ];
  };
  return (report.group ?? []).flatMap((g, gi) =>
    (g.stratifier ?? []).flatMap((s, si) =>
      (s.stratum ?? []).flatMap((st, sti) => {
        const at = `MeasureReport.group[${gi}].stratifier[${si}].stratum[${sti}]`;
        return [
          ...(st.value && s.code?.length === 1 ? judge(s.code[0], st.value, `${at}.value`) : []),
          ...(st.component ?? []).flatMap((c, ci) => judge(c.code, c.value, `${at}.component[${ci}].value`)),
        ];
      }),
    ),
  );
}

function subjectIssues(report: MeasureReport, data: ValidateOptionData): Issue[] {
  const reference = report.subject?.reference;
  if (!reference) return [];
  const contained = reference.startsWith('#') ? (report.contained ?? []).find((r: Resource) => r.id === reference.slice(1)) : undefined;
  const known = contained
    ? (contained.resourceType === 'Location' || contained.resourceType === 'Organization') && data.directory.holdsCopy(contained as CareService)
    : data.directory.holdsReference(reference);
  if (known) return [];
  return [
    {
      severity: 'error',
      code: 'not-found',
      message: `the subject ${reference} is not a Location or Organization of the care services directory (mCSD)`,
      expression: 'MeasureReport.subject',
      rule: 'MADX-OPT-003',
    },
  ];
}

/** What the option adds to the checks of one report; the Measure is the one it names, if held. */
export function validateOptionIssues(report: MeasureReport, measure: Measure | undefined, data: ValidateOptionData, checks: OptionChecks): Issue[] {
  if (!measure) {
    return [
      {
        severity: 'error',
        code: 'business-rule',
        message: `the Measure ${report.measure} is not one this Consumer holds, so the report cannot be validated against it`,
        expression: 'MeasureReport.measure',
        rule: 'MADX-OPT-001',
      },
    ];
  }
  return [...(checks.terminology ? valueIssues(report, measure, data) : []), ...(checks.subject ? subjectIssues(report, data) : [])];
}
