import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import { capabilityTitles, catalogue } from '../../ig/index.js';
import { MADX_CONTENT_CONSUMER, MADX_CONTENT_CREATOR } from '../../ig/madx/capabilities.js';
import { MADX_MEASURE_REPORT, MADX_MEASURE_REPORT_COMMENT_DRAFT, madxMeasureReport, madxMeasureReportCommentDraft, madxProfileUrl } from '../../ig/madx/profiles.js';
import { requirements } from '../../ig/madx/requirements.js';
import { projectRoot } from '../../src/harness.js';
import { evaluateRules, validateResource } from '../../src/fhir/validation/index.js';

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
const fixture = (name: string): MeasureReport => JSON.parse(readFileSync(join(projectRoot, 'fixtures/madx', name), 'utf8')) as MeasureReport;
const trial = () => fixture('measurereport-madx-art-initiation.json');
const draft = () => fixture('measurereport-madx-comment-draft.json');
const errorRules = (r: MeasureReport, url: string) =>
  validateResource(r, { profiles: [url] })
    .filter((i) => i.severity === 'error')
    .map((i) => i.rule);

describe('mADX catalogue', () => {
  it('holds every id of the digest §9 list exactly once (13 + 14 + 26 + 4 + 5 + 1 = 63), and the Consumer\'s two format rows', () => {
    const expected = [...range('MADX-CRE', 13), ...range('MADX-MR', 14), ...range('MADX-CON', 26), ...range('MADX-OPT', 4), ...range('MADX-SEC', 5), 'MADX-CS-001', 'MADX-CON-FMT-JSON', 'MADX-CON-FMT-XML'];
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
    expect(exp('MADX-CON-001').statement).toMatch(/201/);
    expect(exp('MADX-CON-017').statement).toMatch(/fatal/);
    expect(exp('MADX-CON-018').statement).toMatch(/IssueType/);
    expect(exp('MADX-CON-023').statement).toMatch(/\[base\]\/Bundle/);
    expect(exp('MADX-SEC-005').notTestedReason).toBeTruthy();
    expect(exp('MADX-CON-022').notTestedReason).toMatch(/permission/);
  });

  it('gives the Consumer one row per format, each a SHALL the report\'s readiness matrix reads by element', () => {
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

describe('mADX-MeasureReport, 3.0.0 trial-implementation rules (default)', () => {
  it('is the rule set of the published StructureDefinition URL', () => {
    expect(madxProfileUrl('trial-implementation')).toBe(MADX_MEASURE_REPORT);
    expect(madxMeasureReport.url).toBe('https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport');
  });

  it('accepts the trial fixture and a report without stratifiers or improvementNotation', () => {
    expect(errorRules(trial(), MADX_MEASURE_REPORT)).toEqual([]);
    const plain = trial();
    delete plain.group![0]!.stratifier;
    expect(errorRules(plain, MADX_MEASURE_REPORT)).toEqual([]);
  });

  it.each(TRIAL_BREAKS)('%s fails when broken', (id, breakIt) => {
    const r = trial();
    breakIt(r);
    expect(evaluateRules(r as never, madxMeasureReport.rules).map((i) => i.rule)).toContain(id);
    expect(evaluateRules(r as never, madxMeasureReport.rules, { fhirPathOnly: true }).map((i) => i.rule)).toContain(id);
  });

  it('rejects value-only strata (the comment draft shape) and does not ask for stratifier.code or improvementNotation', () => {
    expect(errorRules(draft(), MADX_MEASURE_REPORT)).toEqual(['MADX-MR-008', 'MADX-MR-008']);
  });

  it('locates each failure at the offending element', () => {
    const r = trial();
    delete r.group![0]!.stratifier![0]!.stratum![3]!.measureScore!.value;
    const issue = evaluateRules(r as never, madxMeasureReport.rules).find((i) => i.rule === 'MADX-MR-007');
    expect(issue?.expression).toBe('MeasureReport.group[0].stratifier[0].stratum[3]');
  });
});

describe('mADX-MeasureReport, 3.0.0-comment draft rules', () => {
  it('lives at a project URL and accepts the draft fixture', () => {
    expect(madxProfileUrl('comment-draft')).toBe(MADX_MEASURE_REPORT_COMMENT_DRAFT);
    expect(MADX_MEASURE_REPORT_COMMENT_DRAFT).not.toMatch(/profiles\.ihe\.net/);
    expect(errorRules(draft(), MADX_MEASURE_REPORT_COMMENT_DRAFT)).toEqual([]);
  });

  it('requires improvementNotation and one code per stratifier, which the trial fixture lacks', () => {
    expect(errorRules(trial(), MADX_MEASURE_REPORT_COMMENT_DRAFT).sort()).toEqual(['MADX-MR-005-REQUIRED', 'MADX-MR-010', 'MADX-MR-010']);
  });

  it('fails two stratifier codes, and shares the common rules', () => {
    const r = draft();
    r.group![0]!.stratifier![0]!.code!.push({ text: 'second' });
    delete r.subject;
    const rules = evaluateRules(r as never, madxMeasureReportCommentDraft.rules).map((i) => i.rule);
    expect(rules).toEqual(expect.arrayContaining(['MADX-MR-010', 'MADX-MR-001']));
  });
});
