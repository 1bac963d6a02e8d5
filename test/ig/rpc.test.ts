import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import { capabilityTitles, catalogue } from '../../ig/index.js';
import { RPC_CONTENT_CONSUMER, RPC_CONTENT_CREATOR } from '../../ig/rpc/capabilities.js';
import { RPC_MEASURE_REPORT, rpcMeasureReport } from '../../ig/rpc/profiles.js';
import { requirements } from '../../ig/rpc/requirements.js';
import { projectRoot } from '../../src/harness.js';
import { evaluateRules, validateResource } from '../../src/fhir/validation/index.js';
import { narrowedTargetIssues } from '../../src/fhir/validation/references.js';

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
const valid = (): MeasureReport => JSON.parse(readFileSync(join(projectRoot, 'fixtures/rpc/measurereport-rpc-gleason-concordance.json'), 'utf8')) as MeasureReport;
const issuesOf = (r: MeasureReport, fhirPathOnly = false) => [
  ...evaluateRules(r as never, rpcMeasureReport.rules, { fhirPathOnly }),
  ...narrowedTargetIssues(r as never, rpcMeasureReport.name, rpcMeasureReport.referenceTargets ?? []),
];

describe('RPC catalogue', () => {
  it("holds every id of the digest §9 list: 9 + 9 + 17 + 4 + 3, the 3 alignment checks, the Consumer's two format rows, and the two LAB-90 sentences §9 left unnumbered", () => {
    // RPC-CON-018: "consume ... according to the RPC Measure"; RPC-SEC-005: generic processing of RPC documents (digest §3, §8).
    const expected = [
      ...range('RPC-CRE', 9),
      ...range('RPC-MR', 9),
      ...range('RPC-CON', 18),
      ...range('RPC-SEC', 5),
      ...range('RPC-CS', 3),
      ...range('RPC-ALN', 3),
      'RPC-CON-FMT-JSON',
      'RPC-CON-FMT-XML',
    ];
    expect(requirements.map((r) => r.id).sort()).toEqual(expected.sort());
  });

  it('files each requirement under a titled project CapabilityStatement and is in the project catalogue', () => {
    const all = catalogue();
    for (const r of requirements) {
      expect([RPC_CONTENT_CREATOR, RPC_CONTENT_CONSUMER], r.id).toContain(r.capability);
      expect(capabilityTitles[r.capability!], r.id).toMatch(/RPC/);
      expect(all.get(r.id)).toEqual(r);
    }
  });

  it('keeps RPC weaker than mADX where the digest says so, and alignment rows are never SHALL', () => {
    const get = (id: string) => requirements.find((r) => r.id === id)!;
    expect(get('RPC-SEC-002').expectation).toBe('SHOULD');
    expect(get('RPC-CON-013').expectation).toBe('SHOULD');
    expect(get('RPC-CON-014').expectation).toBe('SHOULD');
    expect(get('RPC-CON-001').statement).toMatch(/201.*200/);
    for (const r of requirements.filter((x) => x.id.startsWith('RPC-ALN'))) expect(r.expectation).toBe('MAY');
  });

  it("gives the Consumer one row per format, each a SHALL the report's readiness matrix reads by element", () => {
    const get = (id: string) => requirements.find((r) => r.id === id)!;
    expect([get('RPC-CON-FMT-JSON').element, get('RPC-CON-FMT-JSON').expectation, get('RPC-CON-FMT-JSON').capability]).toEqual(['format[json]', 'SHALL', RPC_CONTENT_CONSUMER]);
    expect([get('RPC-CON-FMT-XML').element, get('RPC-CON-FMT-XML').expectation]).toEqual(['format[xml]', 'SHALL']);
    expect(get('RPC-CS-003').notTestedReason).toMatch(/harness/);
  });
});

const BREAKS: [string, (r: MeasureReport) => void][] = [
  ['RPC-MR-001', (r) => delete r.subject],
  ['RPC-MR-002', (r) => (r.subject = { reference: 'Location/clinic' })],
  ['RPC-MR-002', (r) => (r.subject = { reference: 'https://example.org/fhir/Practitioner/p1/_history/2' })],
  ['RPC-MR-002', (r) => (r.subject = { type: 'Device', identifier: { value: 'x' } })],
  [
    'RPC-MR-002',
    (r) => {
      r.contained = [{ resourceType: 'Location', id: 'loc' }];
      r.subject = { reference: '#loc' };
    },
  ],
  ['RPC-MR-003', (r) => delete r.period.end],
  ['RPC-MR-003', (r) => delete r.period.start],
  ['RPC-MR-004', (r) => delete r.group],
  ['RPC-MR-004-CODE', (r) => delete r.group![0]!.code],
  ['RPC-MR-004-CODE', (r) => r.group![0]!.code!.coding!.push({ system: 'http://cap.org/radpath' })],
  ['RPC-MR-005', (r) => delete r.group![0]!.stratifier![0]!.stratum![1]!.value],
  ['RPC-MR-006', (r) => (r.group![0]!.stratifier![0]!.stratum![0]!.component = [{ code: { text: 'side' }, value: { text: 'left' } }])],
  ['RPC-MR-008', (r) => (r.type = 'data-collection')],
  ['RPC-MR-009', (r) => delete r.group![0]!.stratifier],
  ['RPC-MR-002-UNKNOWN', (r) => (r.subject = { identifier: { system: 'urn:mrn', value: '42' } })],
];

describe('RPC MeasureReport rules (LAB-90 text, project URL)', () => {
  it('is registered under a project URL and accepts the fixture', () => {
    expect(RPC_MEASURE_REPORT).toMatch(/^https:\/\/measure-conformance\.example\.org\//);
    expect(validateResource(valid(), { profiles: [RPC_MEASURE_REPORT] }).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('accepts Group subjects, absolute and versioned Patient references, and a contained Patient', () => {
    for (const subject of [{ reference: 'Group/cohort-7' }, { reference: 'https://lab.example.org/fhir/Patient/p9/_history/3' }, { reference: '#pt' }]) {
      const r = valid();
      r.subject = subject;
      if (subject.reference === '#pt') r.contained = [{ resourceType: 'Patient', id: 'pt' }];
      expect(
        issuesOf(r).filter((i) => i.severity === 'error'),
        subject.reference,
      ).toEqual([]);
    }
  });

  it.each(BREAKS)('%s fails when broken', (id, breakIt) => {
    const r = valid();
    breakIt(r);
    expect(issuesOf(r).map((i) => i.rule)).toContain(id);
    expect(issuesOf(r, true).map((i) => i.rule)).toContain(id);
  });

  it('says where, what the subject points at and what the rule set allows', () => {
    const cases: [MeasureReport['subject'], string][] = [
      [{ reference: 'Location/clinic' }, "'Location/clinic' points at a Location"],
      [{ reference: '#loc' }, "'#loc' is a contained Location"],
      [{ reference: 'Patient/p1', type: 'Device' }, 'its type is Device'],
    ];
    for (const [subject, seen] of cases) {
      const r = valid();
      r.subject = subject;
      r.contained = [{ resourceType: 'Location', id: 'loc' }];
      const issues = validateResource(r, { profiles: [RPC_MEASURE_REPORT] }).filter((i) => i.rule === 'RPC-MR-002');
      expect(issues).toEqual([
        {
          severity: 'error',
          code: 'structure',
          expression: 'MeasureReport.subject',
          rule: 'RPC-MR-002',
          message: `MeasureReport.subject must refer to a Patient or a Group under ${rpcMeasureReport.name}; ${seen}`,
        },
      ]);
    }
  });

  it('leaves a urn:uuid or opaque subject to the untold-type warning, never an error', () => {
    for (const reference of ['urn:uuid:9d0f2a52-6c1b-4b8e-9f6a-0c3c2d7e1a11', 'https://lab.example.org/subjects/Cohort/7']) {
      const r = valid();
      r.subject = { reference };
      expect(
        issuesOf(r).map((i) => [i.rule, i.severity, i.message]),
        reference,
      ).toEqual([
        ['RPC-MR-002-UNKNOWN', 'warning', `the type of MeasureReport.subject cannot be told ('${reference}' names no resource type): it should be a Patient or a Group under ${rpcMeasureReport.name}`],
      ]);
    }
  });

  it('grades an untyped subject and a report without strata as warnings, not errors', () => {
    const r = valid();
    r.subject = { identifier: { value: '42' } };
    delete r.group![0]!.stratifier;
    const issues = issuesOf(r);
    expect(issues.map((i) => [i.rule, i.severity]).sort()).toEqual([
      ['RPC-MR-002-UNKNOWN', 'warning'],
      ['RPC-MR-009', 'warning'],
    ]);
  });
});
