import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateStructure, validateResource } from '../../src/fhir/validation/index.js';
import { parseAnyResource } from '../../src/fhir/format.js';
import { validReport } from './validation-sample.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests break a report at any depth, and any lets each change reach in without a cast per step.
type Json = Record<string, any>;
const broken = (change: (r: Json) => void): Json => {
  const r = validReport() as Json;
  change(r);
  return r;
};
const summary = (resource: unknown) => validateStructure(resource).map((i) => `${i.expression} ${i.message}`);

describe('validateStructure', () => {
  it('accepts a valid MeasureReport', () => {
    expect(validateStructure(validReport())).toEqual([]);
  });

  it('catches a wrong type and points at the element', () => {
    expect(summary(broken((r) => (r.group[0].population[1].count = '4')))).toEqual(['MeasureReport.group[0].population[1].count must be an integer']);
    expect(summary(broken((r) => (r.group[0].measureScore.value = '0.75')))).toEqual(['MeasureReport.group[0].measureScore.value must be a decimal']);
    expect(summary(broken((r) => (r.period = '2026')))).toEqual(['MeasureReport.period must be a JSON object (Period)']);
    expect(summary(broken((r) => (r.group = r.group[0])))).toEqual(['MeasureReport.group must be an array']);
  });

  it('catches unknown elements, at any depth', () => {
    expect(
      summary(
        broken((r) => {
          r.foo = 1;
          r.group[1].stratifier[0].stratum[2].bar = 2;
        }),
      ),
    ).toEqual(["MeasureReport.foo unknown element 'foo'", "MeasureReport.group[1].stratifier[0].stratum[2].bar unknown element 'bar'"]);
  });

  it('catches missing required elements, and accepts a required primitive given only as _name', () => {
    expect(
      summary(
        broken((r) => {
          delete r.status;
          delete r.period;
        }),
      ).sort(),
    ).toEqual(["MeasureReport.period 'period' is required", "MeasureReport.status 'status' is required"]);
    expect(
      validateStructure(
        broken((r) => {
          delete r.status;
          r._status = { extension: [{ url: 'http://e.org/x', valueString: 'y' }] };
        }),
      ),
    ).toEqual([]);
  });

  it('catches bad date, dateTime, id and code formats with the value in the message', () => {
    expect(summary(broken((r) => (r.period.start = '2026-13-01')))).toEqual(["MeasureReport.period.start value '2026-13-01' does not match the dateTime format"]);
    expect(summary(broken((r) => (r.date = '2026-02-01T08:00:00')))).toEqual(["MeasureReport.date value '2026-02-01T08:00:00' does not match the dateTime format"]);
    expect(summary(broken((r) => (r.id = 'has space')))).toEqual(["MeasureReport.id value 'has space' does not match the id format"]);
    expect(summary({ resourceType: 'Patient', birthDate: '01/02/2026' })).toEqual(["Patient.birthDate value '01/02/2026' does not match the date format"]);
  });

  it('catches an empty array and an empty string', () => {
    expect(summary(broken((r) => (r.identifier = [])))).toEqual(['MeasureReport.identifier empty array is not allowed: omit the element or give it at least one item']);
    expect(summary(broken((r) => (r.group[0].code.text = '')))).toEqual(["MeasureReport.group[0].code.text value '' does not match the string format"]);
  });

  it('catches a code outside a required binding', () => {
    expect(summary(broken((r) => (r.status = 'done')))).toEqual(["MeasureReport.status value 'done' is not one of the allowed codes: complete, pending, error"]);
  });

  it('checks integer ranges', () => {
    expect(summary({ resourceType: 'Patient', multipleBirthInteger: 1.5 })).toEqual(['Patient.multipleBirthInteger must be an integer']);
    expect(summary({ resourceType: 'Bundle', type: 'searchset', total: -1 })).toEqual(['Bundle.total value -1 is out of range for an unsignedInt']);
  });

  it('checks contained and Bundle entry resources by their resourceType', () => {
    expect(summary(broken((r) => r.contained.push({ resourceType: 'Nope', id: 'x' })))).toEqual(["MeasureReport.contained[1] unknown resourceType 'Nope'"]);
    expect(summary(broken((r) => (r.contained[0].nme = 'x')))).toEqual(["MeasureReport.contained[0].nme unknown element 'nme'"]);
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: validReport() }, { resource: broken((r) => (r.status = 7)) }] };
    expect(summary(bundle)).toEqual(['Bundle.entry[1].resource.status must be a code']);
  });

  it('accepts null placeholders in primitive arrays next to their _name extensions', () => {
    const patient = { resourceType: 'Patient', name: [{ given: ['A', null], _given: [null, { extension: [{ url: 'http://e.org/x', valueString: 'y' }] }] }] };
    expect(validateStructure(patient)).toEqual([]);
  });

  it('refuses what is not a resource', () => {
    expect(validateStructure([])).toMatchObject([{ severity: 'error', message: 'a FHIR resource must be a JSON object' }]);
    expect(summary({ resourceType: 'Nope' })).toEqual(["Nope unknown resourceType 'Nope'"]);
  });
});

describe('fixtures', () => {
  const dir = join(import.meta.dirname, '../../fixtures/resources');
  const files = readdirSync(dir).filter((f) => /\.(json|xml)$/.test(f));
  it('has fixtures to check', () => expect(files.length).toBeGreaterThan(0));
  for (const file of files) {
    it(`${file} has no error`, () => {
      const { resource } = parseAnyResource(readFileSync(join(dir, file), 'utf8'));
      expect(validateResource(resource).filter((i) => i.severity === 'error')).toEqual([]);
    });
  }
});
