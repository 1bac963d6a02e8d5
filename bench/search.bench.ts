// Seeds a file-backed store with 100,000 SANER-like MeasureReports (3 measures, 200 Location
// subjects with identifiers, daily periods from 2020-01-01) and times the searches a Measure
// Consumer makes. Prints the seeding rate and p50/p99 latency per query (target p99 < 20 ms).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Location, Measure, MeasureReport } from 'fhir/r4.js';
import { ResourceStore } from '../src/fhir/store/resource-store.js';
import { sanerSearchParamsFor } from '../ig/saner/search-params.js';

const REPORTS = Number(process.env['BENCH_REPORTS'] ?? 100_000);
const LOCATIONS = 200;
const MEASURES = ['CDCPatientImpactAndHospitalCapacity', 'FEMADailyHospitalCOVID19Reporting', 'CDCHealthcareSupplyPathway'];
const CANONICAL = (m: string) => `http://hl7.org/fhir/uv/saner/Measure/${m}`;
const ID_SYSTEM = 'http://sanerproject.org/connectathon/hospitals';
const DAY = 86_400_000;
const START = Date.UTC(2020, 0, 1);

const dir = mkdtempSync(join(tmpdir(), 'search-bench-'));
const store = ResourceStore.open({
  path: join(dir, 'store.db'),
  searchParams: sanerSearchParamsFor(['MeasureReport', 'Measure', 'Location', 'Organization']),
});

function location(i: number): Location {
  return {
    resourceType: 'Location',
    identifier: [{ system: ID_SYSTEM, value: `X${140000 + i}` }],
    name: `Hospital ${i}`,
    position: { latitude: 39 + (i % 20) * 0.1, longitude: -75 + Math.floor(i / 20) * 0.1 },
  };
}

function measure(name: string): Measure {
  return { resourceType: 'Measure', url: CANONICAL(name), status: 'active', title: name.replace(/([a-z])([A-Z])/g, '$1 $2') };
}

const pop = (code: string, count: number) => ({
  code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-population', code }] },
  count,
});

function report(i: number): MeasureReport {
  const m = i % MEASURES.length;
  const loc = Math.floor(i / MEASURES.length) % LOCATIONS;
  const day = Math.floor(i / (MEASURES.length * LOCATIONS)) % 366;
  const start = new Date(START + day * DAY).toISOString().slice(0, 10);
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: CANONICAL(MEASURES[m]!),
    subject: { reference: `Location/loc-${loc}` },
    date: `${start}T23:00:00-05:00`,
    period: { start: `${start}T00:00:00-05:00`, end: `${start}T23:59:59-05:00` },
    reporter: { reference: `Organization/org-${loc}` },
    group: ['Beds', 'Ventilators', 'Encounters'].map((g, k) => ({
      code: { coding: [{ system: 'http://hl7.org/fhir/uv/saner/CodeSystem/MeasureGroupSystem', code: g }] },
      population: [pop('initial-population', 100 + ((i * 7 + k) % 50)), pop('numerator', (i * 3 + k) % 40), pop('denominator', 100)],
      measureScore: { value: ((i * 3 + k) % 40) / 100 },
    })),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

try {
  for (const m of MEASURES) store.create(measure(m), { id: m });
  for (let i = 0; i < LOCATIONS; i++) {
    store.create(location(i), { id: `loc-${i}` });
    store.create({ resourceType: 'Organization', name: `Org ${i}` }, { id: `org-${i}` });
  }
  const t0 = performance.now();
  const BATCH = 1000;
  for (let i = 0; i < REPORTS; i += BATCH) {
    store.transaction(() => {
      for (let j = i; j < Math.min(REPORTS, i + BATCH); j++) store.create(report(j));
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  store.db.pragma('optimize');
  store.db.exec('ANALYZE');
  process.stdout.write(`seeded ${REPORTS} MeasureReports in ${seconds.toFixed(1)} s (${Math.round(REPORTS / seconds)} /s)\n`);

  const queries: [string, (k: number) => string][] = [
    // No criteria: the first page of every report, as a client browsing a Measure Consumer asks.
    ['every report, first page of 100', () => '_count=100'],
    [
      'measure + date range + subject:identifier',
      (k) => `measure=${CANONICAL(MEASURES[k % 3]!)}&date=ge2020-04-01&date=lt2020-04-08&subject:identifier=${ID_SYSTEM}|X${140000 + (k % LOCATIONS)}&_count=100`,
    ],
    ['measure + period range + subject', (k) => `measure=${CANONICAL(MEASURES[k % 3]!)}&period=ge2020-04-01&period=le2020-04-07&subject=Location/loc-${k % LOCATIONS}&_count=100`],
    [
      'measure + one day (all facilities, page of 100)',
      (k) => `measure=${CANONICAL(MEASURES[k % 3]!)}&date=ge2020-03-${String(1 + (k % 28)).padStart(2, '0')}&date=lt2020-03-${String(2 + (k % 28)).padStart(2, '0')}&_count=100`,
    ],
    [
      'measure.title + date range + _include=*',
      (k) => `measure.title=FEMA&date=ge2020-02-${String(1 + (k % 20)).padStart(2, '0')}&date=lt2020-02-${String(2 + (k % 20)).padStart(2, '0')}&_count=20&_include=*`,
    ],
    [
      'subject:Location.near + one day',
      (k) => `subject:Location.near=39.5|-74.5|20|km&date=ge2020-03-${String(1 + (k % 28)).padStart(2, '0')}&date=lt2020-03-${String(2 + (k % 28)).padStart(2, '0')}`,
    ],
  ];
  const RUNS = 300;
  for (const [label, make] of queries) {
    const times: number[] = [];
    let matches = 0;
    for (let k = 0; k < RUNS; k++) {
      const query = [...new URLSearchParams(make(k))];
      const t = performance.now();
      const bundle = store.search('MeasureReport', query, { baseUrl: 'http://localhost/fhir' });
      times.push(performance.now() - t);
      matches += bundle.total ?? 0;
    }
    times.sort((a, b) => a - b);
    process.stdout.write(`${label}: p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms ` + `(${RUNS} runs, mean total ${(matches / RUNS).toFixed(1)})\n`);
  }
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
