import type { Bundle, Location, Measure, MeasureReport, Organization, ValueSet } from 'fhir/r4.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';

export const BASE = 'http://127.0.0.1:9999/fhir';
export const MEASURE_URL = 'http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity';
export const OTHER_MEASURE_URL = 'http://hl7.org/fhir/uv/saner/Measure/FEMADailyHospitalCOVID19Reporting';
export const HOSPITALS = 'http://sanerproject.org/connectathon/hospitals';
export const POP = 'http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues';

export const TYPES = ['MeasureReport', 'Measure', 'Location', 'Organization', 'ValueSet', 'Observation'];

export function openStore(path = ':memory:'): ResourceStore {
  return ResourceStore.open({ path, searchParams: sanerSearchParamsFor(TYPES) });
}

export function measure(id: string, url: string, title: string, populationCode: string): Measure {
  return {
    resourceType: 'Measure',
    id,
    url,
    status: 'active',
    title,
    description: `Counts of ${title.toLowerCase()}`,
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${title} &amp; ventilator use</p></div>` },
    group: [{ population: [{ code: { coding: [{ system: POP, code: populationCode, display: `Número ${populationCode}` }] }, criteria: { language: 'text/plain', expression: 'x' } }] }],
  };
}

export function location(id: string, value: string, name: string, latitude: number, longitude: number): Location {
  return { resourceType: 'Location', id, name, identifier: [{ system: HOSPITALS, value }], position: { latitude, longitude } };
}

export function organization(id: string, value: string): Organization {
  return { resourceType: 'Organization', id, name: `Org ${value}`, identifier: [{ system: HOSPITALS, value }] };
}

export function report(day: string, locationId: string, measureUrl = MEASURE_URL, count = 5): MeasureReport {
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: measureUrl,
    subject: { reference: `Location/${locationId}` },
    reporter: { reference: 'Organization/org-1' },
    date: `${day}T12:00:00-05:00`,
    period: { start: `${day}T00:00:00Z`, end: `${day}T23:59:59Z` },
    group: [{ population: [{ code: { coding: [{ system: POP, code: 'numVent' }] }, count }] }],
  };
}

export const populationsValueSet: ValueSet = {
  resourceType: 'ValueSet',
  id: 'MeasurePopulations',
  url: 'http://hl7.org/fhir/uv/saner/ValueSet/MeasurePopulations',
  status: 'active',
  compose: { include: [{ system: POP, concept: [{ code: 'numVent' }] }] },
};

/** Two measures, three hospitals (two near Trenton NJ, one in Chicago), a week of daily reports each. */
export function seed(store: ResourceStore): void {
  store.create(measure('m-vent', MEASURE_URL, 'Patient Impact and Hospital Capacity', 'numVent'), { id: 'm-vent' });
  store.create(measure('m-fema', OTHER_MEASURE_URL, 'FEMA Daily Hospital Reporting', 'numBeds'), { id: 'm-fema' });
  store.create(location('loc-1', 'X1', 'Clarke Hospital', 40.22, -74.76), { id: 'loc-1' });
  store.create(location('loc-2', 'X2', 'Mercer Clinic', 40.28, -74.6), { id: 'loc-2' });
  store.create(location('loc-3', 'X3', 'Chicago General', 41.9, -87.84), { id: 'loc-3' });
  store.create(organization('org-1', 'O1'), { id: 'org-1' });
  store.create(populationsValueSet, { id: 'MeasurePopulations' });
  for (let d = 1; d <= 7; d++) {
    const day = `2020-04-0${d}`;
    for (const loc of ['loc-1', 'loc-2', 'loc-3']) {
      store.create(report(day, loc), { id: `mr-${loc}-${d}` });
      store.create(report(day, loc, OTHER_MEASURE_URL), { id: `fema-${loc}-${d}` });
    }
  }
}

export function ids(bundle: Pick<Bundle, 'entry'>, mode = 'match'): string[] {
  return (bundle.entry ?? [])
    .filter((e) => e.search?.mode === mode)
    .map((e) => `${e.resource!.resourceType}/${e.resource!.id}`)
    .sort();
}

export function q(text: string): [string, string][] {
  return [...new URLSearchParams(text)];
}
