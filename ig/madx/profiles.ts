/**
 * The mADX MeasureReport rules as validator profiles. mADX has two rule sets that differ
 * (digest PROFILES.md §4, A9):
 * - `trial-implementation` (default): 3.0.0, whose QRPH-58 text and published profile agree —
 *   improvementNotation optional, strata described by components only, stratifier.code free;
 *   registered under the published StructureDefinition URL.
 * - `comment-draft`: the 3.0.0-comment text the seed quotes — improvementNotation required, each
 *   stratifier one code, strata by value or components; the draft reused the same canonical, so
 *   it is registered under a project URL.
 * Base R4 (status, type, measure, period, mrp-1, mrp-2) is checked by the validator itself; the
 * rules restate mrp-2 and the type consequence of mrp-1 so a profile check alone shows them.
 */
import { getProfile, registerProfile, type Profile, type Rule, type RuleSeverity } from '../../src/fhir/validation/index.js';

export const MADX_MEASURE_REPORT = 'https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport';
export const MADX_MEASURE_REPORT_COMMENT_DRAFT = 'https://measure-conformance.example.org/fhir/StructureDefinition/mADX-MeasureReport-3.0.0-comment';

export type MadxRuleSet = 'trial-implementation' | 'comment-draft';

const IMPROVEMENT_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-improvement-notation';

/** A rule whose requirement is its id without a trailing `-WORD` qualifier. */
function rule(id: string, expression: string, message: string, context?: string, severity: RuleSeverity = 'error'): Rule {
  return { id, requirement: id.replace(/-[A-Z]+$/, ''), severity, ...(context ? { context } : {}), expression, message };
}

const common: Rule[] = [
  rule('MADX-MR-001', 'subject.exists()', 'subject is required: the place or unit the aggregate report is about'),
  rule('MADX-MR-002', 'group.exists()', 'the report needs at least one group (one per indicator)'),
  rule('MADX-MR-003', 'code.coding.exists()', 'each group needs a code with at least one coding naming the indicator', 'group'),
  rule('MADX-MR-003-CODE', 'code.exists()', 'each coding of a group code needs a code', 'group.code.coding'),
  rule('MADX-MR-004', 'population.exists()', 'each group needs at least one population', 'group'),
  rule('MADX-MR-004-CODE', 'code.exists()', 'each population needs a code', 'group.population'),
  rule('MADX-MR-004-COUNT', 'count.exists()', 'each population needs a count', 'group.population'),
  rule(
    'MADX-MR-005',
    `coding.where(system = '${IMPROVEMENT_SYSTEM}' and (code = 'increase' or code = 'decrease')).exists()`,
    'improvementNotation must be increase or decrease from the measure-improvement-notation code system',
    'improvementNotation',
  ),
  rule('MADX-MR-006', 'stratum.exists()', 'each stratifier needs at least one stratum', 'group.stratifier'),
  rule('MADX-MR-007', 'measureScore.value.exists()', 'each stratum needs a measureScore with a value', 'group.stratifier.stratum'),
  rule('MADX-MR-009', 'value.exists() xor component.exists()', 'a stratum has either a value or components, not both and not neither (mrp-2)', 'group.stratifier.stratum'),
  rule('MADX-MR-012', "type != 'data-collection'", 'type cannot be data-collection: such a report may carry no group, and mADX requires one (mrp-1)'),
];

const trialImplementation: Rule[] = [
  ...common,
  rule('MADX-MR-008', 'component.exists()', 'each stratum needs at least one component (disaggregation code and value); 3.0.0 reports strata by components only', 'group.stratifier.stratum'),
  rule('MADX-MR-008-PARTS', 'code.exists() and value.exists()', 'each stratum component needs a code and a value', 'group.stratifier.stratum.component'),
];

const commentDraft: Rule[] = [
  ...common,
  rule('MADX-MR-005-REQUIRED', 'improvementNotation.exists()', 'the 3.0.0-comment rules require improvementNotation'),
  rule('MADX-MR-008-PARTS', 'code.exists() and value.exists()', 'each stratum component needs a code and a value', 'group.stratifier.stratum.component'),
  rule('MADX-MR-010', 'code.count() = 1', 'the 3.0.0-comment rules require exactly one code on each stratifier', 'group.stratifier'),
];

export const madxMeasureReport: Profile = {
  url: MADX_MEASURE_REPORT,
  name: 'mADX-MeasureReport (3.0.0 trial implementation)',
  resourceType: 'MeasureReport',
  rules: trialImplementation,
};

export const madxMeasureReportCommentDraft: Profile = {
  url: MADX_MEASURE_REPORT_COMMENT_DRAFT,
  name: 'mADX-MeasureReport (3.0.0-comment draft)',
  resourceType: 'MeasureReport',
  rules: commentDraft,
};

/** The profile URL of a rule set. */
export function madxProfileUrl(ruleSet: MadxRuleSet): string {
  return ruleSet === 'comment-draft' ? MADX_MEASURE_REPORT_COMMENT_DRAFT : MADX_MEASURE_REPORT;
}

/** Makes both mADX rule sets known to the validator. Safe to call any number of times. */
export function registerMadxProfiles(): void {
  for (const profile of [madxMeasureReport, madxMeasureReportCommentDraft]) {
    if (getProfile(profile.url) !== profile) registerProfile(profile);
  }
}
