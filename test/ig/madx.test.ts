import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import { capabilityTitles, catalogue } from '../../ig/index.js';
import { MADX_CONTENT_CONSUMER, MADX_CONTENT_CREATOR } from '../../ig/madx/capabilities.js';
import { DEFAULT_MADX_RULE_SET, MADX_MEASURE_REPORT, madxMeasureReport, madxMeasureReportCommentDraft, madxProfileUrl, madxRuleSetOf } from '../../ig/madx/profiles.js';
import { chooseMadxRuleSet, declaredByCapabilities, declaredByReports, failsOnlyUnder, ruleSetsNamed } from '../../ig/madx/rule-set.js';
import { requirements } from '../../ig/madx/requirements.js';
import { projectRoot } from '../../src/harness.js';
import { evaluateRules, validateResource } from '../../src/fhir/validation/index.js';

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
const fixture = (name: string): MeasureReport => JSON.parse(readFileSync(join(projectRoot, 'fixtures/madx', name), 'utf8')) as MeasureReport;
const trial = () => fixture('measurereport-madx-art-initiation.json');
const draft = () => fixture('measurereport-madx-comment-draft.json');
const TI = madxProfileUrl('trial-implementation');
const COMMENT = madxProfileUrl('comment-draft');
const errorRules = (r: MeasureReport, url?: string) =>
  validateResource(r, url ? { profiles: [url] } : {})
    .filter((i) => i.severity === 'error')
    .map((i) => i.rule);

describe('mADX catalogue', () => {
  it("holds every id of the digest §9 list exactly once (13 + 14 + 26 + 4 + 5 + 1 = 63), the Consumer's two format rows, and the 3.0.0-comment text's improvementNotation SHALL (MADX-MR-015)", () => {
    const expected = [
      ...range('MADX-CRE', 13),
      ...range('MADX-MR', 15),
      ...range('MADX-CON', 26),
      ...range('MADX-OPT', 4),
      ...range('MADX-SEC', 5),
      'MADX-CS-001',
      'MADX-CON-FMT-JSON',
      'MADX-CON-FMT-XML',
    ];
    expect(requirements.map((r) => r.id).sort()).toEqual(expected.sort());
  });

  it('files each requirement under a titled project CapabilityStatement and is in the project catalogue', () => {
    const all = catalogue();
    for (const r of requirements) {
      expect([MADX_CONTENT_CREATOR, MADX_CONTENT_CONSUMER], r.id).toContain(r.capability);
      expect(capabilityTitles[r.capability!], r.id).toMatch(/mADX/);
      expect(all.get(r.id)).toEqual(r);
    }
  });

  it('keeps the digest expectations, and follows the §11 choices in the statements', () => {
    const exp = (id: string) => requirements.find((r) => r.id === id)!;
    expect(exp('MADX-CRE-003').expectation).toBe('SHALL');
    expect(exp('MADX-CON-019').expectation).toBe('SHOULD');
    expect(exp('MADX-CON-020').expectation).toBe('MAY');
    expect(exp('MADX-MR-005').expectation).toBe('MAY');
    expect([exp('MADX-MR-015').expectation, exp('MADX-MR-010').expectation]).toEqual(['SHALL', 'SHALL']);
    expect(exp('MADX-CON-001').statement).toMatch(/201/);
    expect(exp('MADX-CON-017').statement).toMatch(/fatal/);
    expect(exp('MADX-CON-018').statement).toMatch(/IssueType/);
    expect(exp('MADX-CON-023').statement).toMatch(/\[base\]\/Bundle/);
    expect(exp('MADX-SEC-005').notTestedReason).toBeTruthy();
    expect(exp('MADX-CON-022').notTestedReason).toMatch(/permission/);
  });

  it("gives the Consumer one row per format, each a SHALL the report's readiness matrix reads by element", () => {
    const exp = (id: string) => requirements.find((r) => r.id === id)!;
    expect([exp('MADX-CON-FMT-JSON').element, exp('MADX-CON-FMT-JSON').expectation]).toEqual(['format[json]', 'SHALL']);
    expect([exp('MADX-CON-FMT-XML').element, exp('MADX-CON-FMT-XML').expectation]).toEqual(['format[xml]', 'SHALL']);
    expect(exp('MADX-CON-FMT-XML').capability).toBe(MADX_CONTENT_CONSUMER);
  });
});

/** One break per rule: the mutation and the rule id it must trip, under the trial-implementation rules. */
const TRIAL_BREAKS: [string, (r: MeasureReport) => void][] = [
  ['MADX-MR-001', (r) => delete r.subject],
  ['MADX-MR-002', (r) => delete r.group],
  ['MADX-MR-003', (r) => delete r.group![0]!.code!.coding],
  ['MADX-MR-003-CODE', (r) => delete r.group![0]!.code!.coding![0]!.code],
  ['MADX-MR-004', (r) => delete r.group![0]!.population],
  ['MADX-MR-004-CODE', (r) => delete r.group![0]!.population![0]!.code],
  ['MADX-MR-004-COUNT', (r) => delete r.group![0]!.population![0]!.count],
  ['MADX-MR-005', (r) => (r.improvementNotation = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-improvement-notation', code: 'sideways' }] })],
  ['MADX-MR-006', (r) => (r.group![0]!.stratifier![1]!.stratum = [])],
  ['MADX-MR-007', (r) => delete r.group![0]!.stratifier![0]!.stratum![0]!.measureScore!.value],
  ['MADX-MR-008', (r) => delete r.group![0]!.stratifier![0]!.stratum![0]!.component],
  ['MADX-MR-008-PARTS', (r) => delete (r.group![0]!.stratifier![0]!.stratum![0]!.component![0] as { value?: unknown }).value],
  ['MADX-MR-009', (r) => (r.group![0]!.stratifier![0]!.stratum![0]!.value = { text: 'both' })],
  ['MADX-MR-012', (r) => (r.type = 'data-collection')],
];

describe('mADX-MeasureReport, 3.0.0 trial-implementation rules', () => {
  it('is the rule set of the published canonical at version 3.0.0', () => {
    expect(TI).toBe(`${MADX_MEASURE_REPORT}|3.0.0`);
    expect(madxMeasureReport.url).toBe('https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport|3.0.0');
    expect(madxRuleSetOf(TI)).toBe('trial-implementation');
  });

  it('accepts the trial fixture and a report without stratifiers or improvementNotation', () => {
    expect(errorRules(trial(), TI)).toEqual([]);
    const plain = trial();
    delete plain.group![0]!.stratifier;
    expect(errorRules(plain, TI)).toEqual([]);
  });

  it.each(TRIAL_BREAKS)('%s fails when broken', (id, breakIt) => {
    const r = trial();
    breakIt(r);
    expect(evaluateRules(r as never, madxMeasureReport.rules).map((i) => i.rule)).toContain(id);
    expect(evaluateRules(r as never, madxMeasureReport.rules, { fhirPathOnly: true }).map((i) => i.rule)).toContain(id);
  });

  it("rejects value-only strata (the comment text's shape) and asks for neither stratifier.code nor improvementNotation", () => {
    expect(errorRules(draft(), TI)).toEqual(['MADX-MR-008', 'MADX-MR-008']);
  });

  it('locates each failure at the offending element', () => {
    const r = trial();
    delete r.group![0]!.stratifier![0]!.stratum![3]!.measureScore!.value;
    const issue = evaluateRules(r as never, madxMeasureReport.rules).find((i) => i.rule === 'MADX-MR-007');
    expect(issue?.expression).toBe('MeasureReport.group[0].stratifier[0].stratum[3]');
  });
});

describe('mADX-MeasureReport, 3.0.0-comment rules (the default)', () => {
  it('is the rule set of the published canonical at version 3.0.0-comment, and of the unversioned canonical', () => {
    expect(COMMENT).toBe(`${MADX_MEASURE_REPORT}|3.0.0-comment`);
    expect(DEFAULT_MADX_RULE_SET).toBe('comment-draft');
    expect(errorRules(draft(), COMMENT)).toEqual([]);
    // A report declaring the canonical without a version is held to the default text.
    expect(errorRules({ ...trial(), meta: { profile: [MADX_MEASURE_REPORT] } }).sort()).toEqual(['MADX-MR-010', 'MADX-MR-010', 'MADX-MR-015']);
    expect(errorRules({ ...draft(), meta: { profile: [MADX_MEASURE_REPORT] } })).toEqual([]);
  });

  it('requires improvementNotation and one code per stratifier, which the trial fixture lacks', () => {
    expect(errorRules(trial(), COMMENT).sort()).toEqual(['MADX-MR-010', 'MADX-MR-010', 'MADX-MR-015']);
  });

  it('fails two stratifier codes, and shares the common rules', () => {
    const r = draft();
    r.group![0]!.stratifier![0]!.code!.push({ text: 'second' });
    delete r.subject;
    const rules = evaluateRules(r as never, madxMeasureReportCommentDraft.rules).map((i) => i.rule);
    expect(rules).toEqual(expect.arrayContaining(['MADX-MR-010', 'MADX-MR-001']));
  });
});

describe('each rule that differs between the two texts, both ways', () => {
  // One change each to a report that meets both texts; what it breaks, and under which text only.
  const both = (): MeasureReport => {
    const r = draft();
    r.group![0]!.stratifier![0]!.stratum = trial().group![0]!.stratifier![1]!.stratum;
    return r;
  };
  it('the base report meets both texts', () => {
    expect([errorRules(both(), COMMENT), errorRules(both(), TI)]).toEqual([[], []]);
  });
  it.each([
    ['improvementNotation left out', 'MADX-MR-015', COMMENT, (r: MeasureReport) => delete r.improvementNotation],
    ['a stratifier without a code', 'MADX-MR-010', COMMENT, (r: MeasureReport) => delete r.group![0]!.stratifier![0]!.code],
    ['a stratum by value', 'MADX-MR-008', TI, (r: MeasureReport) => (r.group![0]!.stratifier![0]!.stratum = draft().group![0]!.stratifier![0]!.stratum)],
  ] as const)('%s breaks %s under %s only', (_what, rule, under, change) => {
    const r = both();
    change(r);
    const other = under === COMMENT ? TI : COMMENT;
    expect(errorRules(r, under)).toContain(rule);
    expect(errorRules(r, other)).toEqual([]);
    const only = failsOnlyUnder(r, madxRuleSetOf(under)!);
    expect(only?.rules).toContain(rule);
    expect(only?.text).toContain(`sut.madxRuleSet: ${madxRuleSetOf(other)}`);
  });
  it('a report failing under both texts is not said to fail only one', () => {
    const r = both();
    delete r.subject;
    expect(failsOnlyUnder(r, 'comment-draft')).toBeUndefined();
  });
});

describe('the rule set of a run: declared by the SUT, else config, else the comment text', () => {
  it('takes a versioned canonical the SUT declares, in reports or its CapabilityStatement', () => {
    expect(ruleSetsNamed([MADX_MEASURE_REPORT, `${MADX_MEASURE_REPORT}|3.0.0`, 'http://example.org/x|3.0.0'])).toEqual(['trial-implementation']);
    const declared = declaredByReports([
      { ...trial(), meta: { profile: [TI] } },
      { ...trial(), meta: { profile: [MADX_MEASURE_REPORT] } },
    ]);
    expect(declared?.ruleSet).toBe('trial-implementation');
    const choice = chooseMadxRuleSet({ declared, configured: 'comment-draft' });
    expect([choice.ruleSet, choice.source]).toEqual(['trial-implementation', 'declared']);
    expect(choice.reason).toContain(TI);
    const cs = { resourceType: 'CapabilityStatement', rest: [{ mode: 'server', resource: [{ type: 'MeasureReport', supportedProfile: [COMMENT] }] }] } as never;
    expect(declaredByCapabilities(cs)?.ruleSet).toBe('comment-draft');
  });
  it('reports that declare both texts declare neither', () => {
    expect(
      declaredByReports([
        { ...trial(), meta: { profile: [TI] } },
        { ...draft(), meta: { profile: [COMMENT] } },
      ]),
    ).toBeUndefined();
  });
  it('falls back to config, then to the comment text, saying how to choose the other', () => {
    expect(chooseMadxRuleSet({ configured: 'trial-implementation' })).toMatchObject({
      ruleSet: 'trial-implementation',
      source: 'config',
      reason: expect.stringContaining('sut.madxRuleSet: trial-implementation'),
    });
    const d = chooseMadxRuleSet({});
    expect([d.ruleSet, d.source]).toEqual(['comment-draft', 'default']);
    expect(d.reason).toMatch(/3\.0\.0-comment text .*the mADX text this project implements.*sut\.madxRuleSet: trial-implementation/);
  });
});

// The official examples, read where they are kept (never copied): the comment-era reports under the
// comment text, the trial-implementation one under its own.
const spec = join(projectRoot, '..', 'shared', 'spec', 'madx', 'json');
const official = (file: string): MeasureReport => JSON.parse(readFileSync(join(spec, file), 'utf8')) as MeasureReport;
describe.skipIf(!existsSync(spec))('the official mADX examples', () => {
  it.each(['3.0.0-comment/MeasureReport-mADX-MeasureReport-example1.json', '3.0.0-comment/MeasureReport-mADX-MeasureReport-example2.json'])(
    "%s meets the comment text's rules, as its unversioned canonical says",
    (file) => {
      const report = official(file);
      expect(report.meta?.profile).toEqual([MADX_MEASURE_REPORT]);
      expect(errorRules(report, COMMENT)).toEqual([]);
      expect(errorRules(report)).toEqual([]);
    },
  );

  it("the comment-era reports name a Measure that differs by one letter from the example Measure's url: no profile rule notices, only a check against the Measure", () => {
    for (const n of [1, 2]) {
      const report = official(`3.0.0-comment/MeasureReport-mADX-MeasureReport-example${n}.json`);
      const measure = JSON.parse(readFileSync(join(spec, `3.0.0-comment/Measure-madx-hiv-indicator-example${n}.json`), 'utf8')) as { url: string };
      expect(report.measure).not.toBe(measure.url);
      expect(report.measure.replace('indicators', 'indicator')).toBe(measure.url);
    }
  });

  it("the 3.0.0 example meets the trial-implementation rules and fails only the comment text's own", () => {
    const report = official('MeasureReport-mADX-MeasureReport-example.json');
    expect(errorRules(report, TI)).toEqual([]);
    expect(failsOnlyUnder(report, 'comment-draft')?.rules.sort()).toEqual(['MADX-MR-010', 'MADX-MR-015']);
  });
});
