import { describe, it, expect } from 'vitest';
import { checkInvariants, validateResource } from '../../src/fhir/validation/index.js';
import { literalReferenceType } from '../../src/fhir/validation/references.js';
import { validReport } from './validation-sample.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests break a report at any depth, and any lets each change reach in without a cast per step.
type Json = Record<string, any>;
const report = (change: (r: Json) => void): Json => {
  const r = validReport() as Json;
  change(r);
  return r;
};
/** The walk's issues without an invariant key: in these resources, only the reference-target ones. */
const targetIssues = (resource: Json) => checkInvariants(resource).filter((i) => i.rule === undefined);
const REPORTER = 'Practitioner, PractitionerRole, Location or Organization';

describe('literal references and the type they name', () => {
  it('reads the type of relative, absolute and versioned references', () => {
    expect(literalReferenceType('Patient/p1')).toBe('Patient');
    expect(literalReferenceType('Organization/org-1/_history/3')).toBe('Organization');
    expect(literalReferenceType('https://fhir.example.org/r4/Location/loc.1')).toBe('Location');
    expect(literalReferenceType('http://fhir.example.org/Group/g/_history/2')).toBe('Group');
    // A relative reference is always [type]/[id]: a type R4 does not have is still what it names.
    expect(literalReferenceType('Patiant/p1')).toBe('Patiant');
  });

  it('finds no type in contained, urn:, conditional or opaque references', () => {
    for (const reference of ['#org', '#', 'urn:uuid:0f7a9e1c-5b2d-4c8e-9a61-3e2f1d0c4b5a', 'urn:oid:1.2.3', 'Patient?identifier=urn:mrn|42', 'https://example.org/docs/Foo/1', 'Patient', 'Patient/']) {
      expect(literalReferenceType(reference), reference).toBeUndefined();
    }
  });
});

describe('R4 reference targets in the base validator', () => {
  it('a MeasureReport whose reporter points at a Patient is an error naming the element, the type found and the types allowed', () => {
    const issues = validateResource(
      report((r) => {
        delete r.contained;
        r.reporter = { reference: 'Patient/p1' };
      }),
    );
    expect(issues).toEqual([{ severity: 'error', code: 'structure', expression: 'MeasureReport.reporter', message: `reference 'Patient/p1' points at a Patient; R4 allows only ${REPORTER} here` }]);
  });

  it('accepts each type R4 allows, in every literal form', () => {
    for (const reference of ['Organization/org-1', 'Practitioner/p', 'PractitionerRole/pr/_history/1', 'https://fhir.example.org/Location/main']) {
      expect(targetIssues(report((r) => (r.reporter = { reference }))), reference).toEqual([]);
    }
  });

  it('takes R4 4.0.1 targets, not the wider ones of later versions: an Organization is no MeasureReport subject', () => {
    expect(targetIssues(report((r) => (r.subject = { reference: 'Organization/org-1' }))).map((i) => `${i.expression} ${i.message}`)).toEqual([
      "MeasureReport.subject reference 'Organization/org-1' points at an Organization; R4 allows only Patient, Practitioner, PractitionerRole, Location, Device, RelatedPerson or Group here",
    ]);
    expect(targetIssues(report((r) => (r.subject = { reference: 'Location/ward-3' })))).toEqual([]);
  });

  it('leaves contained, urn:uuid, identifier-only, conditional and opaque references alone', () => {
    const untold = [
      { reference: '#org' },
      { reference: 'urn:uuid:0f7a9e1c-5b2d-4c8e-9a61-3e2f1d0c4b5a' },
      { identifier: { system: 'http://example.org/npi', value: '1234567890' } },
      { reference: 'Organization?identifier=http://example.org/npi|1234567890' },
      { reference: 'https://registry.example.org/reporters/Acme/7' },
    ];
    for (const reporter of untold) expect(targetIssues(report((r) => (r.reporter = reporter))), JSON.stringify(reporter)).toEqual([]);
  });

  it('does not judge a type prefix on elements that may point at any resource', () => {
    expect(targetIssues(report((r) => (r.evaluatedResource = [{ reference: 'Patient/p1' }, { reference: 'Observation/o1' }])))).toEqual([]);
    expect(targetIssues(report((r) => (r.extension = [{ url: 'http://example.org/ext', valueReference: { reference: 'Patient/p1' } }])))).toEqual([]);
  });

  it('checks references in backbone elements, datatypes, choices, contained resources and Bundle entries, each located', () => {
    const deep = report((r) => {
      r.group[0].population[0].subjectResults = { reference: 'Group/g1' };
      r.identifier = [{ system: 'http://example.org/ids', value: '1', assigner: { reference: 'Patient/p1' } }];
      r.contained[0].partOf = { reference: 'Location/l1' };
    });
    expect(
      targetIssues(deep)
        .map((i) => `${i.expression} ${i.message}`)
        .sort(),
    ).toEqual([
      "MeasureReport.contained[0].partOf reference 'Location/l1' points at a Location; R4 allows only Organization here",
      "MeasureReport.group[0].population[0].subjectResults reference 'Group/g1' points at a Group; R4 allows only List here",
      "MeasureReport.identifier[0].assigner reference 'Patient/p1' points at a Patient; R4 allows only Organization here",
    ]);
    const measure = { resourceType: 'Measure', status: 'active', subjectReference: { reference: 'Patient/p1' } };
    expect(targetIssues(measure).map((i) => i.expression)).toEqual(['Measure.subjectReference']);
    expect(targetIssues({ ...measure, subjectReference: { reference: 'Group/g1' } })).toEqual([]);
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ fullUrl: 'urn:uuid:0f7a9e1c-5b2d-4c8e-9a61-3e2f1d0c4b5a', resource: report((r) => (r.reporter = { reference: 'Device/d1' })) }],
    };
    expect(targetIssues(bundle).map((i) => i.expression)).toEqual(['Bundle.entry[0].resource.reporter']);
  });

  it('a valid report stays clean', () => {
    expect(validateResource(validReport())).toEqual([]);
  });
});
