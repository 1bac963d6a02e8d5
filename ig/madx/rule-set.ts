/**
 * Which mADX text rules a run (digest §0): the one the SUT declares — a versioned mADX canonical
 * (`…mADX-MeasureReport|3.0.0` or `|3.0.0-comment`) in a report's meta.profile or in its
 * CapabilityStatement — else the one config names (`sut.madxRuleSet`), else the 3.0.0-comment
 * text this project implements. Published examples declare the unversioned canonical, so most runs
 * take the default; the reason says so, and how to choose the other text. Also what a report that
 * breaks only the comment text's extra SHALLs is told.
 */
import type { CapabilityStatement, MeasureReport } from 'fhir/r4.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { DEFAULT_MADX_RULE_SET, MADX_MEASURE_REPORT, MADX_RULE_SET_TITLES, MADX_VERSIONS, madxProfileUrl, madxRuleSetOf, registerMadxProfiles, type MadxRuleSet } from './profiles.js';

export const MADX_IG = 'IHE QRPH mADX';

export interface MadxRuleSetChoice {
  ruleSet: MadxRuleSet;
  source: 'declared' | 'config' | 'default';
  /** In words: the text, why it applies, and how to choose the other. */
  reason: string;
}

/** What the SUT declared: the rule set and where it said so, e.g. `its CapabilityStatement (supportedProfile)`. */
export interface Declaration {
  ruleSet: MadxRuleSet;
  where: string;
}

const other = (r: MadxRuleSet): MadxRuleSet => (r === 'comment-draft' ? 'trial-implementation' : 'comment-draft');

function howToChoose(r: MadxRuleSet): string {
  const o = other(r);
  return `for the ${MADX_RULE_SET_TITLES[o]}, a SUT declares ${madxProfileUrl(o)} in meta.profile or its CapabilityStatement, or config names it (sut.madxRuleSet: ${o})`;
}

/** The rule set of a run, and why. */
export function chooseMadxRuleSet(input: { declared?: Declaration | undefined; configured?: MadxRuleSet | undefined }): MadxRuleSetChoice {
  const { declared, configured } = input;
  if (declared) {
    return {
      ruleSet: declared.ruleSet,
      source: 'declared',
      reason: `declared by the SUT: ${declared.where} names ${madxProfileUrl(declared.ruleSet)}, the ${MADX_RULE_SET_TITLES[declared.ruleSet]}; ${howToChoose(declared.ruleSet)}`,
    };
  }
  if (configured) {
    return {
      ruleSet: configured,
      source: 'config',
      reason: `named in config (sut.madxRuleSet: ${configured}), the ${MADX_RULE_SET_TITLES[configured]}; the SUT declares no versioned mADX canonical; ${howToChoose(configured)}`,
    };
  }
  const d = DEFAULT_MADX_RULE_SET;
  return {
    ruleSet: d,
    source: 'default',
    reason: `the default, the ${MADX_RULE_SET_TITLES[d]} (the mADX text this project implements): the SUT declares no versioned mADX canonical (it names ${MADX_MEASURE_REPORT} without a version, as published examples do, or none) and config names no rule set; ${howToChoose(d)}`,
  };
}

/** The distinct rule sets named by versioned mADX canonicals among `canonicals`. */
export function ruleSetsNamed(canonicals: Iterable<string>): MadxRuleSet[] {
  const found = new Set<MadxRuleSet>();
  for (const c of canonicals) {
    const r = madxRuleSetOf(c);
    if (r) found.add(r);
  }
  return [...found];
}

/** The rule set a report declares in meta.profile, if one. */
export function declaredByReport(report: MeasureReport): MadxRuleSet | undefined {
  const named = ruleSetsNamed(report.meta?.profile ?? []);
  return named.length === 1 ? named[0] : undefined;
}

/** The rule set a CapabilityStatement declares (supportedProfile or profile of MeasureReport), if exactly one. */
export function declaredByCapabilities(cs: CapabilityStatement | undefined): Declaration | undefined {
  const resources = (cs?.rest ?? []).flatMap((r) => r.resource ?? []).filter((r) => r.type === 'MeasureReport');
  const named = ruleSetsNamed(resources.flatMap((r) => [...(r.supportedProfile ?? []), ...(r.profile ? [r.profile] : [])]));
  return named.length === 1 ? { ruleSet: named[0]!, where: 'its CapabilityStatement (MeasureReport supportedProfile)' } : undefined;
}

/** The rule set the reports declare, when every report declaring one names the same. */
export function declaredByReports(reports: readonly MeasureReport[]): Declaration | undefined {
  const named = [...new Set(reports.map(declaredByReport).filter((r): r is MadxRuleSet => r !== undefined))];
  return named.length === 1 ? { ruleSet: named[0]!, where: `meta.profile of the reports it sent` } : undefined;
}

/** The record a run keeps of the choice (results.json `ruleSets`). */
export function ruleSetRecord(choice: MadxRuleSetChoice): { ig: string; ruleSet: string; reason: string } {
  return { ig: MADX_IG, ruleSet: `${choice.ruleSet} (${MADX_VERSIONS[choice.ruleSet]})`, reason: choice.reason };
}

const errorRules = (report: MeasureReport, ruleSet: MadxRuleSet): Set<string> =>
  new Set(
    validateResource(report, { profiles: [madxProfileUrl(ruleSet)] })
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => i.rule ?? i.message),
  );

/**
 * Why a report fails under `ruleSet` but not under the other text, when that is so: e.g. a 3.0.0
 * report without improvementNotation under the 3.0.0-comment default. `rules` are the rule ids it
 * breaks. Undefined when it fails under both texts or under neither.
 */
export function failsOnlyUnder(report: MeasureReport, ruleSet: MadxRuleSet): { rules: string[]; text: string } | undefined {
  registerMadxProfiles();
  const here = errorRules(report, ruleSet);
  if (here.size === 0 || errorRules(report, other(ruleSet)).size > 0) return undefined;
  const o = other(ruleSet);
  return {
    rules: [...here],
    text: `it fails only rules the ${MADX_RULE_SET_TITLES[ruleSet]} has and the ${MADX_RULE_SET_TITLES[o]} lacks (${[...here].join(', ')}), and meets the ${MADX_RULE_SET_TITLES[o]}: if that is the text the SUT follows, it declares ${madxProfileUrl(o)} or config names it (sut.madxRuleSet: ${o})`,
  };
}
