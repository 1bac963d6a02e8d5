/**
 * The Validate mADX Message option (QRPH 1:6.2, test plan TC2 and TC3): with it, the Content
 * Consumer refuses a report that names a Measure it does not hold (MADX-OPT-001: its Content Data
 * Structure Consumer has none), whose disaggregation values are not in the code set the Measure
 * links to that dimension through relatedArtifact, label = component code (MADX-OPT-002, -004),
 * or whose subject is not a facility its mCSD Care Services Update Consumer holds (MADX-OPT-003).
 */
import type { Measure, MeasureReport, Resource } from 'fhir/r4.js';
import type { Issue } from '../../src/fhir/errors.js';
import type { CareService, ValidateOptionData } from './reference-data.js';

export interface OptionChecks {
  terminology: boolean;
  subject: boolean;
}

function valueIssues(report: MeasureReport, measure: Measure, data: ValidateOptionData): Issue[] {
  const linked = new Map((measure.relatedArtifact ?? []).filter((a) => a.label && a.url).map((a) => [a.label!, a.url!]));
  return (report.group ?? []).flatMap((g, gi) =>
    (g.stratifier ?? []).flatMap((s, si) =>
      (s.stratum ?? []).flatMap((st, sti) =>
        (st.component ?? []).flatMap((c, ci): Issue[] => {
          const url = (c.code.coding ?? []).map((x) => (x.code ? linked.get(x.code) : undefined)).find((u) => u !== undefined);
          if (!url || !data.terminology.knows(url)) return [];
          if ((c.value.coding ?? []).some((v) => data.terminology.contains(url, v))) return [];
          const shown = c.value.coding?.[0];
          return [{
            severity: 'error',
            code: 'code-invalid',
            message: `disaggregation value ${shown ? `${shown.system ?? ''}|${shown.code ?? ''}` : '(none)'} is not in ${url}, the code set the Measure links to ${c.code.coding?.[0]?.code ?? 'this dimension'}`,
            expression: `MeasureReport.group[${gi}].stratifier[${si}].stratum[${sti}].component[${ci}].value`,
            rule: 'MADX-OPT-002',
          }];
        }),
      ),
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
  return [{ severity: 'error', code: 'not-found', message: `the subject ${reference} is not a Location or Organization of the care services directory (mCSD)`, expression: 'MeasureReport.subject', rule: 'MADX-OPT-003' }];
}

/** What the option adds to the checks of one report; the Measure is the one it names, if held. */
export function validateOptionIssues(report: MeasureReport, measure: Measure | undefined, data: ValidateOptionData, checks: OptionChecks): Issue[] {
  if (!measure) {
    return [{ severity: 'error', code: 'business-rule', message: `the Measure ${report.measure} is not one this Consumer holds, so the report cannot be validated against it`, expression: 'MeasureReport.measure', rule: 'MADX-OPT-001' }];
  }
  return [...(checks.terminology ? valueIssues(report, measure, data) : []), ...(checks.subject ? subjectIssues(report, data) : [])];
}
