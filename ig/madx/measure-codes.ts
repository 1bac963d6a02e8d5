/**
 * A MeasureReport held to the Measure it names (mADX MADX-MR-013, RPC RPC-CRE-007): each group code
 * is one of the Measure's groups, each population code one of that group's populations, and each
 * stratifier code (RPC) or stratum component code (mADX) one the group's stratifiers define. It is
 * the IGs' rule, not a simulator's: the reference Content Consumers refuse a report that breaks it
 * and the Content Creator suites judge what a SUT sends by it. RPC's content (LAB-90) reuses the
 * mADX rule, so it is filed here once.
 */
import type { CodeableConcept, Coding, Measure, MeasureGroup, MeasureReport } from 'fhir/r4.js';
import type { Issue } from '../../src/fhir/errors.js';

function sameCoding(a: Coding, b: Coding): boolean {
  return a.code !== undefined && a.code === b.code && (a.system === undefined || b.system === undefined || a.system === b.system);
}

/** Some coding of the report's concept is a coding of one of the Measure's concepts. */
function conceptIn(concept: CodeableConcept | undefined, allowed: readonly (CodeableConcept | undefined)[]): boolean {
  const codings = concept?.coding ?? [];
  return codings.some((c) => allowed.some((a) => (a?.coding ?? []).some((m) => sameCoding(c, m))));
}

function codeText(concept: CodeableConcept | undefined): string {
  const c = concept?.coding?.[0];
  return c ? `${c.system ? `${c.system}|` : ''}${c.code ?? '(no code)'}` : (concept?.text ?? '(no code)');
}

/** Stratifier and component codes a Measure group defines (a 3.0.0-comment Measure uses stratifier.code). */
function stratifierCodes(group: MeasureGroup): CodeableConcept[] {
  return (group.stratifier ?? []).flatMap((s) => [...(s.code ? [s.code] : []), ...(s.component ?? []).flatMap((c) => (c.code ? [c.code] : []))]);
}

/** Every code of the report that its Measure does not define, one issue each; `rule` names the requirement. */
export function measureCodeIssues(report: MeasureReport, measure: Measure, rule: string): Issue[] {
  const issues: Issue[] = [];
  const groups = measure.group ?? [];
  const issue = (expression: string, message: string): Issue => ({ severity: 'error', code: 'code-invalid', message: `${message} (Measure ${measure.url ?? measure.id})`, expression, rule });
  (report.group ?? []).forEach((g, gi) => {
    const at = `MeasureReport.group[${gi}]`;
    const defined = groups.find((mg) => conceptIn(g.code, [mg.code]));
    if (!defined) {
      issues.push(issue(`${at}.code`, `group code ${codeText(g.code)} is not an indicator of the Measure`));
      return;
    }
    const populations = (defined.population ?? []).map((p) => p.code);
    (g.population ?? []).forEach((p, pi) => {
      if (p.code && !conceptIn(p.code, populations)) issues.push(issue(`${at}.population[${pi}].code`, `population code ${codeText(p.code)} is not one of the indicator's populations`));
    });
    const dimensions = stratifierCodes(defined);
    (g.stratifier ?? []).forEach((s, si) => {
      (s.code ?? []).forEach((code, ci) => {
        if (!conceptIn(code, dimensions)) issues.push(issue(`${at}.stratifier[${si}].code[${ci}]`, `stratifier code ${codeText(code)} is not a disaggregation of the indicator`));
      });
      (s.stratum ?? []).forEach((st, sti) => {
        (st.component ?? []).forEach((c, ci) => {
          if (!conceptIn(c.code, dimensions))
            issues.push(issue(`${at}.stratifier[${si}].stratum[${sti}].component[${ci}].code`, `component code ${codeText(c.code)} is not a disaggregation of the indicator`));
        });
      });
    });
  });
  return issues;
}
