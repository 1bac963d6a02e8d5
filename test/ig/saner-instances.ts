// A small valid PublicHealthMeasure and a PublicHealthMeasureReport on it, written for these
// tests; each profile test breaks a copy of one of them.
import type { Measure, MeasureReport } from 'fhir/r4.js';

const SANER = 'http://hl7.org/fhir/uv/saner';
const POPULATION = 'http://terminology.hl7.org/CodeSystem/measure-population';
const VALUES = `${SANER}/CodeSystem/MeasuredValues`;
const narrative = { status: 'generated' as const, div: '<div xmlns="http://www.w3.org/1999/xhtml">test instance</div>' };

const fhirpath = (name: string, description: string) => ({ name, description, language: 'text/fhirpath', expression: `%${name}.count()` });

export function validMeasure(): Measure {
  return {
    resourceType: 'Measure',
    id: 'VentilatorCapacity',
    text: narrative,
    meta: { profile: [`${SANER}/StructureDefinition/PublicHealthMeasure`] },
    extension: [
      {
        url: `${SANER}/StructureDefinition/ReportingPeriod`,
        valueTiming: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
      },
    ],
    url: 'http://example.org/fhir/Measure/VentilatorCapacity',
    version: '0.1.0',
    name: 'VentilatorCapacity',
    title: 'Ventilator capacity',
    status: 'draft',
    experimental: true,
    publisher: 'measure-conformance tests',
    contact: [{ telecom: [{ system: 'email', value: 'tests@example.org' }] }],
    useContext: [
      { code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'focus' }, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '840539006' }] } },
    ],
    author: [{ name: 'Test Author', telecom: [{ system: 'email', value: 'author@example.org' }] }],
    relatedArtifact: [{ type: 'documentation', display: 'How to count ventilators' }],
    library: ['http://example.org/fhir/Library/VentilatorLogic'],
    group: [
      {
        extension: [
          {
            url: `${SANER}/StructureDefinition/MeasureGroupAttributes`,
            extension: [
              { url: 'scoring', valueCodeableConcept: { coding: [{ system: `${SANER}/CodeSystem/PublicHealthMeasureScoring`, code: 'capacity' }] } },
              { url: 'type', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-type', code: 'structure' }] } },
              { url: 'improvementNotation', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-improvement-notation', code: 'decrease' }] } },
              { url: 'rateAggregation', valueString: 'point-in-time' },
              {
                url: 'subject',
                valueCodeableConcept: {
                  coding: [
                    { system: 'http://hl7.org/fhir/resource-types', code: 'Device' },
                    { system: 'http://snomed.info/sct', code: '706172005', display: 'Ventilator' },
                  ],
                  text: 'Ventilators',
                },
              },
            ],
          },
          { url: `${SANER}/StructureDefinition/MeasureExpectation`, valueCode: 'SHALL' },
        ],
        code: { coding: [{ system: `${SANER}/CodeSystem/MeasureGroupSystem`, code: 'Ventilators' }] },
        population: [
          {
            code: {
              coding: [
                { system: VALUES, code: 'numVent' },
                { system: POPULATION, code: 'denominator' },
              ],
            },
            description: 'Ventilators in the facility',
            criteria: {
              ...fhirpath('NumVent', 'Count of ventilators'),
              extension: [
                { url: `${SANER}/StructureDefinition/MeasureAlternateCriteria`, valueExpression: { description: 'The same in CQL', language: 'text/cql', expression: 'Count(Ventilators)' } },
              ],
            },
          },
          {
            code: {
              coding: [
                { system: VALUES, code: 'numVentUse' },
                { system: POPULATION, code: 'numerator' },
              ],
            },
            description: 'Ventilators in use',
            criteria: fhirpath('NumVentUse', 'Count of ventilators in use'),
          },
        ],
        stratifier: [
          {
            code: { coding: [{ system: 'http://example.org/stratifiers', code: 'unit', display: 'Unit' }], text: 'By unit' },
            description: 'Ventilators per unit',
            criteria: fhirpath('Unit', 'The unit holding the ventilator'),
          },
        ],
      },
    ],
    supplementalData: [
      { code: { coding: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Device' }] }, description: 'The ventilators counted', criteria: fhirpath('Devices', 'The ventilators') },
    ],
  };
}

const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

export function validReport(): MeasureReport {
  return {
    resourceType: 'MeasureReport',
    id: 'ventilators-facility-1-20200404',
    text: narrative,
    meta: { profile: [`${SANER}/StructureDefinition/PublicHealthMeasureReport`] },
    status: 'complete',
    type: 'summary',
    measure: 'http://example.org/fhir/Measure/VentilatorCapacity',
    subject: {
      reference: 'Location/facility-1',
      identifier: { system: 'http://example.org/facilities', value: 'F1' },
      extension: [
        {
          url: `${SANER}/StructureDefinition/GeoLocation`,
          extension: [
            { url: 'latitude', valueDecimal: 40.2206 },
            { url: 'longitude', valueDecimal: -74.7597 },
          ],
        },
      ],
    },
    date: '2020-04-05T03:00:00-04:00',
    reporter: { reference: 'Organization/org-1' },
    period: { start: '2020-04-04T00:00:00-04:00', end: '2020-04-05T00:00:00-04:00' },
    group: [
      {
        code: { coding: [{ system: `${SANER}/CodeSystem/MeasureGroupSystem`, code: 'Ventilators' }] },
        population: [
          { code: { coding: [{ system: VALUES, code: 'numVent' }] }, count: 10 },
          { code: { coding: [{ system: VALUES, code: 'numVentUse' }] }, _count: { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] } },
        ],
        measureScore: { value: 0.4 },
        stratifier: [
          {
            code: [{ text: 'By unit' }],
            stratum: [
              {
                component: [{ code: { text: 'unit' }, value: { text: 'ICU' } }],
                population: [{ code: { coding: [{ system: VALUES, code: 'numVent' }] }, count: 6 }],
              },
            ],
          },
        ],
      },
    ],
  };
}
