import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Location, Measure, MeasureReport } from 'fhir/r4.js';
import { validateResource, getProfile, evaluateRules, type Profile } from '../../src/fhir/validation/index.js';
import { compileNative } from '../../src/fhir/validation/native-fhirpath.js';
import type { Issue } from '../../src/fhir/errors.js';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT, publicHealthMeasure, publicHealthMeasureReport, registerSanerProfiles } from '../../ig/saner/profiles.js';
import { validMeasure, validReport } from './saner-instances.js';
import { captureIo } from '../cli/cli-io.js';

const SD = 'http://hl7.org/fhir/uv/saner/StructureDefinition';
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** Rule id -> a change to a valid instance that breaks only that rule (and, where unavoidable, rules it implies) + where the issue must point. */
type Breaker<T> = readonly [rule: string, breakIt: (r: T) => void, expression?: string];

const reportBreakers: Breaker<MeasureReport>[] = [
  ['ReporterPresentInCompleteReport', (r) => delete r.reporter, 'MeasureReport'],
  ['SANER-PR-MR-003', (r) => (r.type = 'individual'), 'MeasureReport'],
  ['SANER-PR-MR-005', (r) => delete r.subject],
  ['SANER-PR-MR-005-TYPE', (r) => (r.subject!.reference = 'Organization/org-1'), 'MeasureReport.subject'],
  ['SANER-PR-MR-006', (r) => delete r.subject!.identifier, 'MeasureReport.subject'],
  ['SANER-PR-MR-007', (r) => r.subject!.extension!.push(structuredClone(r.subject!.extension![0]!)), 'MeasureReport.subject'],
  ['SANER-PR-EXT-005', (r) => (r.subject!.extension![0]!.extension![1] = { url: 'longitude', valueString: '-74.7597' }), 'MeasureReport.subject.extension[0]'],
  ['SANER-PR-EXT-005-CONTEXT', (r) => (r.reporter!.extension = structuredClone(r.subject!.extension))],
  ['SANER-PR-MR-008', (r) => delete r.date],
  ['DateTimePreciseToSecond-DATE', (r) => (r.date = '2020-04-05T07:00:00Z'), 'MeasureReport.date'],
  ['SANER-PR-MR-010', (r) => delete r.period.start, 'MeasureReport.period'],
  ['DateTimePreciseToSecond-START', (r) => (r.period.start = '2020-04-04T00:00:00.000-04:00'), 'MeasureReport.period.start'],
  ['SANER-PR-MR-011', (r) => delete r.period.end, 'MeasureReport.period'],
  ['DateTimePreciseToSecond-END', (r) => (r.period.end = '2020-04-05'), 'MeasureReport.period.end'],
  ['SANER-PR-MR-014', (r) => delete r.group![0]!.code, 'MeasureReport.group[0]'],
  ['SANER-PR-MR-015', (r) => delete r.group![0]!.population, 'MeasureReport.group[0]'],
  ['SANER-PR-MR-016', (r) => delete r.group![0]!.population![0]!.code, 'MeasureReport.group[0].population[0]'],
  ['HasValueOrDataAbsentReason', (r) => delete r.group![0]!.population![1]!._count, 'MeasureReport.group[0].population[1]'],
  ['SANER-PR-MR-020', (r) => delete r.group![0]!.stratifier![0]!.code, 'MeasureReport.group[0].stratifier[0]'],
  ['SANER-PR-MR-021', (r) => delete r.group![0]!.stratifier![0]!.stratum, 'MeasureReport.group[0].stratifier[0]'],
  ['SANER-PR-MR-022', (r) => (r.group![0]!.stratifier![0]!.stratum![0]!.value = { text: 'ICU' }), 'MeasureReport.group[0].stratifier[0].stratum[0]'],
  ['SANER-PR-MR-023', (r) => delete r.group![0]!.stratifier![0]!.stratum![0]!.population, 'MeasureReport.group[0].stratifier[0].stratum[0]'],
  ['SANER-PR-MR-024', (r) => delete r.group![0]!.stratifier![0]!.stratum![0]!.population![0]!.code, 'MeasureReport.group[0].stratifier[0].stratum[0].population[0]'],
  ['SANER-PR-MR-025', (r) => delete r.group![0]!.stratifier![0]!.stratum![0]!.population![0]!.count, 'MeasureReport.group[0].stratifier[0].stratum[0].population[0]'],
];

const group = (m: Measure) => m.group![0]!;
const groupAttributes = (m: Measure) => group(m).extension![0]!.extension!;
const timing = (m: Measure) => m.extension![0]!.valueTiming!;

const measureBreakers: Breaker<Measure>[] = [
  ['SANER-PR-M-001', (m) => m.extension!.splice(0, 1), 'Measure'],
  ['SANER-PR-EXT-001-CONTEXT', (m) => group(m).extension!.push(structuredClone(m.extension![0]!))],
  ['SANER-PR-EXT-001', (m) => (m.extension![0] = { url: `${SD}/ReportingPeriod`, valueString: 'daily' }), 'Measure.extension[0]'],
  ['SANER-PR-T-001', (m) => (timing(m).event = ['2020-04-04']), 'Measure.extension[0].value'],
  ['SANER-PR-T-002', (m) => delete timing(m).repeat],
  ['SANER-PR-T-004', (m) => (timing(m).repeat!.count = 2)],
  ['SANER-PR-T-005', (m) => (timing(m).repeat!.frequency = 2)],
  [
    'SANER-PR-T-007',
    (m) => {
      delete timing(m).repeat!.period;
      delete timing(m).repeat!.periodUnit;
    },
  ],
  ['SANER-PR-M-002', (m) => delete m.url],
  ['SANER-PR-M-003', (m) => delete m.version],
  ['SANER-PR-M-004', (m) => delete m.name],
  ['SANER-PR-M-005', (m) => (m.status = 'unknown')],
  ['SANER-PR-M-006', (m) => delete m.experimental],
  ['SANER-PR-M-007', (m) => (m.subjectCodeableConcept = { coding: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Patient' }] })],
  ['SANER-PR-M-008', (m) => delete m.publisher],
  ['SANER-PR-M-009', (m) => delete m.contact],
  ['SANER-PR-M-010', (m) => delete m.useContext],
  ['SANER-PR-M-011', (m) => m.author!.push(structuredClone(m.author![0]!))],
  ['SANER-PR-M-012', (m) => delete m.author![0]!.name, 'Measure.author[0]'],
  ['SANER-PR-M-013', (m) => delete m.author![0]!.telecom, 'Measure.author[0]'],
  ['SANER-PR-M-014', (m) => delete m.relatedArtifact],
  ['SANER-PR-M-015', (m) => delete m.library],
  ['SANER-PR-M-017', (m) => group(m).extension!.splice(0, 1), 'Measure.group[0]'],
  ['SANER-PR-EXT-002-CONTEXT', (m) => m.extension!.push(structuredClone(group(m).extension![0]!))],
  ['SANER-PR-EXT-002', (m) => groupAttributes(m).push(structuredClone(groupAttributes(m)[1]!)), 'Measure.group[0].extension[0]'],
  ['SANER-PR-M-018', (m) => (groupAttributes(m)[0]!.valueCodeableConcept!.coding![0]!.code = 'popularity'), 'Measure.group[0].extension[0]'],
  ['SANER-PR-M-019', (m) => groupAttributes(m).splice(1, 1)],
  ['SANER-PR-M-020', (m) => (groupAttributes(m)[2]!.valueCodeableConcept!.coding![0]!.code = 'sideways')],
  ['SANER-PR-M-021', (m) => (groupAttributes(m)[3]!.valueString = 'average')],
  ['SANER-PR-M-022', (m) => groupAttributes(m)[4]!.valueCodeableConcept!.coding!.splice(1, 1), 'Measure.group[0].extension[0].extension[4].value'],
  ['SANER-PR-M-024', (m) => delete group(m).population![0]!.code, 'Measure.group[0].population[0]'],
  ['SANER-PR-M-025', (m) => (group(m).population![0]!.code = { text: 'ventilators' }), 'Measure.group[0].population[0].code'],
  ['SANER-PR-M-026', (m) => delete group(m).population![1]!.description, 'Measure.group[0].population[1]'],
  ['SANER-PR-M-027', (m) => delete group(m).population![1]!.criteria.description, 'Measure.group[0].population[1].criteria'],
  ['SANER-PR-M-029', (m) => delete group(m).stratifier![0]!.code, 'Measure.group[0].stratifier[0]'],
  ['SANER-PR-M-031', (m) => delete group(m).stratifier![0]!.code!.coding![0]!.display, 'Measure.group[0].stratifier[0].code.coding[0]'],
  ['SANER-PR-M-032', (m) => delete group(m).stratifier![0]!.code!.text, 'Measure.group[0].stratifier[0].code'],
  ['SANER-PR-M-033', (m) => delete group(m).stratifier![0]!.description, 'Measure.group[0].stratifier[0]'],
  ['SANER-PR-M-034', (m) => delete group(m).stratifier![0]!.criteria!.expression, 'Measure.group[0].stratifier[0]'],
  ['SANER-PR-M-035', (m) => (group(m).stratifier![0]!.component = [{ code: { text: 'unit' }, criteria: { language: 'text/fhirpath', expression: '%Unit' } }])],
  ['SANER-PR-M-036', (m) => delete m.supplementalData![0]!.code, 'Measure.supplementalData[0]'],
  ['SANER-PR-M-037', (m) => delete m.supplementalData![0]!.description, 'Measure.supplementalData[0]'],
  ['SANER-PR-M-038', (m) => delete m.supplementalData![0]!.criteria.description, 'Measure.supplementalData[0].criteria'],
  ['SANER-PR-EXT-003-CONTEXT', (m) => m.extension!.push({ url: `${SD}/MeasureExpectation`, valueCode: 'SHALL' })],
  ['SANER-PR-EXT-003', (m) => (group(m).extension![1]!.valueCode = 'MUST'), 'Measure.group[0].extension[1]'],
  ['SANER-PR-EXT-004-CONTEXT', (m) => group(m).extension!.push(structuredClone(group(m).population![0]!.criteria.extension![0]!))],
  [
    'SANER-PR-EXT-004',
    (m) => (group(m).population![0]!.criteria.extension![0] = { url: `${SD}/MeasureAlternateCriteria`, valueString: 'Count(Ventilators)' }),
    'Measure.group[0].population[0].criteria.extension[0]',
  ],
];

const ruleIssues = (issues: Issue[], rule: string) => issues.filter((i) => i.rule === rule);

beforeAll(() => registerSanerProfiles());

describe('SANER profile registration', () => {
  it('registers both profiles, and registering again changes nothing', () => {
    registerSanerProfiles();
    expect(getProfile(PUBLIC_HEALTH_MEASURE_REPORT)).toBe(publicHealthMeasureReport);
    expect(getProfile(PUBLIC_HEALTH_MEASURE)).toBe(publicHealthMeasure);
  });

  it('every rule names the requirement or invariant it enforces and compiles in fhirpath.js', () => {
    for (const rule of [...publicHealthMeasureReport.rules, ...publicHealthMeasure.rules]) {
      expect(rule.requirement, rule.id).toMatch(/^(SANER-PR-[A-Z]+-\d{3}|DateTimePreciseToSecond)$/);
    }
    const issues = [...validateResource(validReport()), ...validateResource(validMeasure())];
    expect(issues.filter((i) => i.code === 'exception')).toEqual([]);
  });
});

describe.each([
  { name: 'PublicHealthMeasureReport', profile: publicHealthMeasureReport, valid: validReport as () => MeasureReport | Measure, breakers: reportBreakers as Breaker<MeasureReport | Measure>[] },
  { name: 'PublicHealthMeasure', profile: publicHealthMeasure, valid: validMeasure as () => MeasureReport | Measure, breakers: measureBreakers as Breaker<MeasureReport | Measure>[] },
])('$name', ({ profile, valid, breakers }) => {
  it('a valid instance has no issue at all (base R4 and the profile)', () => {
    expect(validateResource(valid(), { profiles: [profile.url] })).toEqual([]);
  });

  const checks = [...profile.rules, ...(profile.referenceTargets ?? [])];

  it('every rule has a broken instance below', () => {
    expect(breakers.map(([rule]) => rule).sort()).toEqual(checks.map((r) => r.id).sort());
  });

  it.each(breakers.map(([rule, breakIt, expression]) => ({ rule, breakIt, expression })))('$rule fails on its broken instance', ({ rule, breakIt, expression }) => {
    const resource = valid();
    breakIt(resource);
    const found = ruleIssues(validateResource(resource, { profiles: [profile.url] }), rule);
    expect(found.length, `${rule} should fail`).toBeGreaterThan(0);
    const severity = checks.find((r) => r.id === rule)!.severity;
    expect(found.every((i) => i.severity === severity)).toBe(true);
    if (expression) expect(found.map((i) => i.expression)).toContain(expression);
  });
});

/** Unusual but possible shapes the native evaluator must either model exactly or hand to fhirpath.js. */
const reportOddities: Breaker<MeasureReport>[] = [
  ['GeoLocation on a primitive', (r) => (r._status = { extension: structuredClone(r.subject!.extension!) })],
  ['GeoLocation in a contained resource', (r) => (r.contained = [{ resourceType: 'Location', id: 'l', extension: structuredClone(r.subject!.extension!) } as Location])],
  ['GeoLocation nested in an extension', (r) => (r.extension = [{ url: 'urn:x', extension: structuredClone(r.subject!.extension!) }])],
  ['latitude given twice', (r) => r.subject!.extension![0]!.extension!.push({ url: 'latitude', valueDecimal: 1 })],
  ['latitude as an integer', (r) => (r.subject!.extension![0]!.extension![0] = { url: 'latitude', valueInteger: 40 })],
  ['GeoLocation with a value', (r) => (r.subject!.extension![0]!.valueString = 'here')],
  ['a _url sibling', (r) => ((r.subject!.extension![0] as { _url?: unknown })._url = { id: 'u' })],
  ['a null in an array', (r) => (r.group as unknown[]).push(null)],
  [
    'a _type sibling only',
    (r) => {
      delete (r as { type?: unknown }).type;
      (r as { _type?: unknown })._type = { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] };
    },
  ],
  ['subject a local reference', (r) => (r.subject!.reference = '#loc')],
  ['subject typed Organization', (r) => (r.subject!.type = 'Organization')],
  ['count with both value and data-absent-reason', (r) => (r.group![0]!.population![1]!.count = 3)],
  ['no group', (r) => delete r.group],
  ['date with fractions and Z', (r) => (r.date = '2020-04-01T06:20:00.5Z')],
  ['date not a date', (r) => (r.date = 'soon after 2020-04-01T06:20')],
  [
    'date only an extension',
    (r) => {
      delete r.date;
      r._date = { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] };
    },
  ],
  ['period.start with an id sibling', (r) => (r.period._start = { id: 's' })],
];

describe('native rule evaluation gives exactly what fhirpath.js gives', () => {
  const cases = (profile: Profile, valid: () => MeasureReport | Measure, breakers: Breaker<MeasureReport | Measure>[]) =>
    [
      { name: 'valid', resource: valid() },
      ...breakers.map(([name, breakIt]) => ({
        name,
        resource: (() => {
          const r = valid();
          breakIt(r);
          return r;
        })(),
      })),
    ].map((c) => ({ ...c, profile }));

  it.each([
    ...cases(publicHealthMeasureReport, validReport, [...reportBreakers, ...reportOddities] as Breaker<MeasureReport | Measure>[]),
    ...cases(publicHealthMeasure, validMeasure, measureBreakers as Breaker<MeasureReport | Measure>[]),
  ])('$profile.name: $name', ({ profile, resource }) => {
    const like = resource as unknown as { resourceType: string };
    expect(evaluateRules(like, profile.rules)).toEqual(evaluateRules(like, profile.rules, { fhirPathOnly: true }));
  });

  it('every PublicHealthMeasureReport rule compiles natively (the ingest path)', () => {
    const root = [{ path: 'MeasureReport', type: 'MeasureReport' }];
    const fallback = publicHealthMeasureReport.rules.filter((rule) => {
      const context = rule.context === undefined ? undefined : compileNative(rule.context, root);
      return (rule.context !== undefined && !context?.located) || !compileNative(rule.expression, context?.out ?? root);
    });
    expect(fallback.map((r) => r.id)).toEqual([]);
  });
});

describe('PublicHealthMeasureReport narrows subject to Reference(Location)', () => {
  const subjectIssues = (change: (r: MeasureReport) => void) => {
    const r = validReport();
    change(r);
    return validateResource(r, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] }).filter((i) => i.rule === 'SANER-PR-MR-005-TYPE');
  };

  it('accepts a Location told by a relative, absolute or versioned reference, a contained Location or type', () => {
    for (const reference of ['Location/facility-1', 'https://ph.example.org/fhir/Location/facility-1', 'Location/facility-1/_history/4']) {
      expect(
        subjectIssues((r) => (r.subject!.reference = reference)),
        reference,
      ).toEqual([]);
    }
    const contained = (r: MeasureReport) => {
      r.contained = [{ resourceType: 'Location', id: 'loc', name: 'Facility 1' } as Location];
      r.subject!.reference = '#loc';
    };
    expect(subjectIssues(contained)).toEqual([]);
    expect(subjectIssues((r) => (r.subject!.type = 'Location'))).toEqual([]);
  });

  it('does not judge a subject whose reference tells no type (urn:uuid, identifier only)', () => {
    expect(subjectIssues((r) => (r.subject!.reference = 'urn:uuid:3c7a2b8e-1f0d-4e6b-9a51-2d4c8e7f6a10'))).toEqual([]);
    expect(subjectIssues((r) => delete r.subject!.reference)).toEqual([]);
  });

  it('fails a subject that points at another type, naming the element and what it found', () => {
    const at = (r: MeasureReport) => {
      r.contained = [{ resourceType: 'Organization', id: 'org' }];
      return r;
    };
    const cases: [(r: MeasureReport) => void, string][] = [
      [(r) => (r.subject!.reference = 'Group/wards'), "'Group/wards' points at a Group"],
      [(r) => (r.subject!.reference = 'https://ph.example.org/fhir/Organization/org-1/_history/2'), "'https://ph.example.org/fhir/Organization/org-1/_history/2' points at an Organization"],
      [(r) => (at(r).subject!.reference = '#org'), "'#org' is a contained Organization"],
      [(r) => (r.subject!.type = 'Organization'), 'its type is Organization'],
    ];
    for (const [change, seen] of cases) {
      expect(
        subjectIssues(change).map((i) => [i.severity, i.expression, i.message]),
        seen,
      ).toEqual([['error', 'MeasureReport.subject', `MeasureReport.subject must refer to a Location under PublicHealthMeasureReport; ${seen}`]]);
    }
  });
});

describe('rulings of the digest', () => {
  it('a data-absent-reason on _count or on the population satisfies count 1..1 (D17)', () => {
    const onPopulation = validReport();
    const population = onPopulation.group![0]!.population![1]!;
    delete population._count;
    population.extension = [{ url: DATA_ABSENT, valueCode: 'unknown' }];
    expect(validateResource(validReport(), { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] })).toEqual([]);
    expect(validateResource(onPopulation, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] })).toEqual([]);
  });

  it('dates precise to the second need a numeric offset: Z, fractions and partial dates fail (D16)', () => {
    for (const date of ['2020-04-05T07:00:00Z', '2020-04-05T03:00:00.5-04:00', '2020-04-05', '2020-04']) {
      const report = validReport();
      report.date = date;
      expect(ruleIssues(validateResource(report, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] }), 'DateTimePreciseToSecond-DATE'), date).toHaveLength(1);
    }
    const report = validReport();
    report.date = '2020-04-05T03:00:00+02:00';
    expect(validateResource(report, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] })).toEqual([]);
  });

  it('a complete report without a reporter is a warning, a pending one nothing (D11)', () => {
    const complete = validReport();
    delete complete.reporter;
    expect(ruleIssues(validateResource(complete, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] }), 'ReporterPresentInCompleteReport')).toEqual([expect.objectContaining({ severity: 'warning' })]);
    const pending = { ...complete, status: 'pending' as const };
    expect(validateResource(pending, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] })).toEqual([]);
  });

  it('meta.profile alone brings the rules in, and each Bundle entry is checked', () => {
    const broken = validReport();
    broken.type = 'individual';
    expect(ruleIssues(validateResource(broken), 'SANER-PR-MR-003')).toHaveLength(1);
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: validMeasure() }, { resource: broken }] };
    expect(ruleIssues(validateResource(bundle), 'SANER-PR-MR-003').map((i) => i.expression)).toEqual(['Bundle.entry[1].resource']);
  });
});

describe('validate command with --profile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'saner-validate-'));
    const plain = (r: MeasureReport) => {
      delete r.meta;
      return r;
    };
    writeFileSync(join(dir, 'good.json'), JSON.stringify(plain(validReport())));
    const bad = plain(validReport());
    bad.date = '2020-04-05T07:00:00Z';
    delete bad.subject!.identifier;
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the SANER issues of a broken report and exits 1', async () => {
    const io = captureIo(dir);
    expect(await validateCommand.run(['--profile', PUBLIC_HEALTH_MEASURE_REPORT, 'bad.json'], io)).toBe(1);
    expect(io.out()).toContain(
      'bad.json: error MeasureReport.date date must be given to the second with a time zone offset, e.g. 2020-04-04T00:00:00-05:00 (no Z, no fractions) [DateTimePreciseToSecond-DATE]',
    );
    expect(io.out()).toContain('bad.json: error MeasureReport.subject subject.identifier is required, so reports can be found by the facility identifier [SANER-PR-MR-006]');
    expect(io.out()).toContain('1 file(s): 2 error(s), 0 warning(s)');
  });

  it('exits 0 on a valid report, and the same broken file passes without the profile', async () => {
    const io = captureIo(dir);
    expect(await validateCommand.run(['--profile', PUBLIC_HEALTH_MEASURE_REPORT, 'good.json'], io)).toBe(0);
    expect(io.out()).toBe('1 file(s): 0 error(s), 0 warning(s)\n');
    expect(await validateCommand.run(['bad.json'], captureIo(dir))).toBe(0);
  });
});
