/**
 * The mADX MeasureReport rules as validator profiles. mADX has two texts whose rules differ
 * (digest PROFILES.md §3-§4, A9), both published under one canonical and told apart by version:
 * - `comment-draft`, `…|3.0.0-comment`: the 3.0.0-comment text, the one this project was asked to
 *   implement and its default — improvementNotation required, each stratifier one code, strata by
 *   value or by components (both must-support);
 * - `trial-implementation`, `…|3.0.0`: the later 3.0.0 text, whose QRPH-58 page and published
 *   profile agree — improvementNotation optional, stratifier.code free, strata by components only.
 * The unversioned canonical, which published examples declare, means the default text. Base R4
 * (status, type, measure, period, mrp-1, mrp-2) is checked by the validator itself; the rules
 * restate mrp-2 and the type consequence of mrp-1 so a profile check alone shows them.
 */
import { getProfile, registerProfile, type Profile, type Rule, type RuleSeverity } from '../../src/fhir/validation/index.js';

export const MADX_MEASURE_REPORT = 'https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport';

export type MadxRuleSet = 'trial-implementation' | 'comment-draft';

/** The package version of each text, the `|version` of its canonical. */
export const MADX_VERSIONS: Readonly<Record<MadxRuleSet, string>> = Object.freeze({ 'trial-implementation': '3.0.0', 'comment-draft': '3.0.0-comment' });

/** What a run applies when neither the SUT nor config names a text: the one this project implements. */
export const DEFAULT_MADX_RULE_SET: MadxRuleSet = 'comment-draft';

export const MADX_RULE_SET_TITLES: Readonly<Record<MadxRuleSet, string>> = Object.freeze({
  'trial-implementation': 'mADX 3.0.0 trial-implementation text',
  'comment-draft': 'mADX 3.0.0-comment text',
});

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
  rule(
    'MADX-MR-008',
    'component.exists()',
    'each stratum needs at least one component (disaggregation code and value) under the 3.0.0 trial-implementation text (the 3.0.0-comment text takes a stratum value instead)',
    'group.stratifier.stratum',
  ),
  rule('MADX-MR-008-PARTS', 'code.exists() and value.exists()', 'each stratum component needs a code and a value', 'group.stratifier.stratum.component'),
];

const commentDraft: Rule[] = [
  ...common,
  rule('MADX-MR-015', 'improvementNotation.exists()', 'improvementNotation is required by the 3.0.0-comment text (the 3.0.0 trial-implementation text leaves it optional)'),
  rule('MADX-MR-008-PARTS', 'code.exists() and value.exists()', 'each stratum component needs a code and a value', 'group.stratifier.stratum.component'),
  rule('MADX-MR-010', 'code.count() = 1', 'each stratifier needs exactly one code under the 3.0.0-comment text (the 3.0.0 trial-implementation text does not ask for it)', 'group.stratifier'),
];

export const madxMeasureReport: Profile = {
  url: `${MADX_MEASURE_REPORT}|${MADX_VERSIONS['trial-implementation']}`,
  name: 'mADX-MeasureReport (3.0.0 trial implementation)',
  resourceType: 'MeasureReport',
  rules: trialImplementation,
};

export const madxMeasureReportCommentDraft: Profile = {
  url: `${MADX_MEASURE_REPORT}|${MADX_VERSIONS['comment-draft']}`,
  name: 'mADX-MeasureReport (3.0.0-comment)',
  resourceType: 'MeasureReport',
  rules: commentDraft,
};

const byRuleSet: Readonly<Record<MadxRuleSet, Profile>> = { 'trial-implementation': madxMeasureReport, 'comment-draft': madxMeasureReportCommentDraft };

/** The unversioned canonical, as published examples declare it: the default text. */
const unversioned: Profile = { ...byRuleSet[DEFAULT_MADX_RULE_SET], url: MADX_MEASURE_REPORT, name: `mADX-MeasureReport (no version: the ${MADX_VERSIONS[DEFAULT_MADX_RULE_SET]} text, the default)` };

/** The versioned canonical of a rule set, e.g. `…/mADX-MeasureReport|3.0.0-comment`. */
export function madxProfileUrl(ruleSet: MadxRuleSet): string {
  return byRuleSet[ruleSet].url;
}

/** The rule set a canonical names by its version (`…mADX-MeasureReport|3.0.0`), or undefined for another or an unversioned one. */
export function madxRuleSetOf(canonical: string): MadxRuleSet | undefined {
  return (Object.keys(byRuleSet) as MadxRuleSet[]).find((r) => byRuleSet[r].url === canonical.trim());
}

/** Makes both mADX texts, and the unversioned canonical, known to the validator. Safe to call any number of times. */
export function registerMadxProfiles(): void {
  for (const profile of [madxMeasureReport, madxMeasureReportCommentDraft, unversioned]) {
    if (getProfile(profile.url) !== profile) registerProfile(profile);
  }
}
