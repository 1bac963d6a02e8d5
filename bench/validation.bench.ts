// Validations per second of a realistic ~15 KB MeasureReport (3 groups x 4 populations with
// scores, 2 stratifiers, extensions, 2 contained resources, narrative) on one core: structure
// (generated ajv) only, base invariants only, and both; with the SANER PublicHealthMeasureReport
// profile on top (its rules native, and all through fhirpath.js for comparison); plus the
// validator load time.
// Run: node --import tsx bench/validation.bench.ts   (target: >= 5,000/s for both)
import { readFileSync } from 'node:fs';
import type { MeasureReport } from 'fhir/r4.js';
import { parseJson } from '../src/fhir/json.js';

const loadStarted = performance.now();
const { loadStructureValidator, validateStructure, checkInvariants, validateResource, evaluateRules } = await import('../src/fhir/validation/index.js');
const { publicHealthMeasureReport, registerSanerProfiles } = await import('../ig/saner/profiles.js');
loadStructureValidator();
const loadMs = performance.now() - loadStarted;

const coded = (system: string, code: string, display: string) => ({ coding: [{ system, code, display }], text: display });
const POPS = ['initial-population', 'denominator', 'numerator', 'measure-population'];

function group(g: number): NonNullable<MeasureReport['group']>[number] {
  const population = POPS.map((code, p) => ({
    extension: [{ url: 'http://hl7.org/fhir/uv/saner/StructureDefinition/Note', valueString: `population ${p} of group ${g}` }],
    code: coded('http://terminology.hl7.org/CodeSystem/measure-population', code, code),
    count: 100 - p * 10,
  }));
  const stratum = (value: string, n: number) => ({
    value: coded('http://example.org/CodeSystem/ward', value, `Ward ${value}`),
    population: POPS.map((code, p) => ({ code: coded('http://terminology.hl7.org/CodeSystem/measure-population', code, code), count: n - p })),
    measureScore: { value: 0.25 + n / 100, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
  });
  return {
    extension: [
      {
        url: 'http://hl7.org/fhir/uv/saner/StructureDefinition/MeasureGroupAttributes',
        extension: [
          { url: 'scoring', valueCodeableConcept: coded('http://terminology.hl7.org/CodeSystem/measure-scoring', 'proportion', 'Proportion') },
          { url: 'subject', valueCodeableConcept: coded('http://hl7.org/fhir/resource-types', 'Encounter', 'Encounter') },
        ],
      },
    ],
    code: coded('http://example.org/CodeSystem/groups', `G${g}`, `Group ${g}`),
    population,
    measureScore: { value: 0.5 + g / 10, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
    stratifier: [
      { code: [coded('http://example.org/CodeSystem/strat', 'ward', 'Ward')], stratum: [stratum('A', 40), stratum('B', 30), stratum('C', 20)] },
      {
        code: [coded('http://example.org/CodeSystem/strat', 'age-sex', 'Age and sex')],
        stratum: [
          {
            component: [
              { code: coded('http://example.org/CodeSystem/strat', 'age', 'Age'), value: coded('http://example.org/CodeSystem/age', '0-17', '0-17') },
              { code: coded('http://example.org/CodeSystem/strat', 'sex', 'Sex'), value: coded('http://hl7.org/fhir/administrative-gender', 'female', 'Female') },
            ],
            population: [{ code: coded('http://terminology.hl7.org/CodeSystem/measure-population', 'numerator', 'numerator'), count: 7 }],
          },
        ],
      },
    ],
  };
}

export const sample: MeasureReport = {
  resourceType: 'MeasureReport',
  id: 'bench-report',
  meta: { profile: ['http://hl7.org/fhir/uv/saner/StructureDefinition/PublicHealthMeasureReport'], lastUpdated: '2026-02-01T08:00:00Z' },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Bed availability for <b>Example Hospital</b> on 2026-02-01.</p></div>' },
  contained: [
    { resourceType: 'Organization', id: 'org', name: 'Example Hospital', identifier: [{ system: 'http://example.org/npi', value: '1234567890' }] },
    { resourceType: 'Location', id: 'loc', name: 'Main campus', status: 'active', managingOrganization: { reference: '#org' } },
  ] as unknown as MeasureReport['contained'],
  extension: [
    {
      url: 'http://hl7.org/fhir/uv/saner/StructureDefinition/GeoLocation',
      extension: [
        { url: 'latitude', valueDecimal: 42.36 },
        { url: 'longitude', valueDecimal: -71.06 },
      ],
    },
  ],
  identifier: [{ system: 'http://example.org/reports', value: 'r-2026-02-01' }],
  status: 'complete',
  _status: { extension: [{ url: 'http://example.org/StructureDefinition/status-note', valueString: 'final' }] },
  type: 'summary',
  measure: 'http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity',
  subject: { reference: '#loc', display: 'Main campus' },
  date: '2026-02-01T08:00:00Z',
  reporter: { reference: '#org' },
  period: { start: '2026-02-01', end: '2026-02-01' },
  group: [group(1), group(2), group(3)],
} as MeasureReport;

function rate(label: string, fn: () => unknown): void {
  for (let i = 0; i < 500; i++) fn();
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < 2000) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  const perSecond = n / ((performance.now() - started) / 1000);
  process.stdout.write(`${label.padEnd(34)} ${Math.round(perSecond).toLocaleString('en-US').padStart(9)} /s\n`);
}

const size = JSON.stringify(sample).length;
const found = validateResource(sample);
process.stdout.write(`sample MeasureReport: ${size.toLocaleString('en-US')} bytes of JSON, ${found.length} issue(s)\n`);
for (const i of found) process.stdout.write(`  ${i.severity} ${i.expression ?? ''} ${i.message}\n`);
process.stdout.write(`validator load (require generated code): ${Math.round(loadMs)} ms\n`);
rate('structure only (ajv)', () => validateStructure(sample));
rate('base invariants only', () => checkInvariants(sample as never));
rate('structure + invariants', () => validateResource(sample));

// A valid SANER report (the one bench/ingest.bench.ts pushes): what the Measure Consumer checks on every push.
registerSanerProfiles();
const saner = parseJson(readFileSync(new URL('../fixtures/saner/measurereport-beds-camden-2020-04-01.json', import.meta.url), 'utf8')) as MeasureReport;
const sanerIssues = validateResource(saner, { profiles: [publicHealthMeasureReport.url] });
process.stdout.write(
  `SANER MeasureReport fixture: ${JSON.stringify(saner).length.toLocaleString('en-US')} bytes of JSON, ${sanerIssues.length} issue(s)${sanerIssues.map((i) => `\n  ${i.severity} ${i.expression ?? ''} ${i.message}`).join('')}\n`,
);
const like = saner as unknown as { resourceType: string };
rate('SANER profile rules (native)', () => evaluateRules(like, publicHealthMeasureReport.rules));
rate('SANER profile rules (fhirpath.js)', () => evaluateRules(like, publicHealthMeasureReport.rules, { fhirPathOnly: true }));
rate('structure + invariants + SANER', () => validateResource(saner, { profiles: [publicHealthMeasureReport.url] }));
