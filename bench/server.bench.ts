// FHIR server core throughput: requests/s through the whole stack (routing, negotiation, store,
// serialization, evidence capture) with fastify's inject, and read latency over a real socket.
import type { MeasureReport } from 'fhir/r4.js';
import { request } from 'undici';
import { sanerSearchParamsFor } from '../ig/saner/search-params.js';
import { buildFhirApp, startFhirServer, type ServerDeclaration } from '../src/fhir/server/index.js';
import { ResourceStore } from '../src/fhir/store/resource-store.js';

const declaration: ServerDeclaration = {
  name: 'Bench',
  title: 'Server core bench',
  canonicalBase: 'http://example.org/fhir',
  fhirVersion: '4.0.1',
  resources: [
    { type: 'MeasureReport', interactions: ['read', 'create', 'search-type', 'update'], searchParams: ['_id', 'measure', 'date', 'subject'] },
    { type: 'Location', interactions: ['read'], searchParams: [] },
  ],
  searchParamDefs: sanerSearchParamsFor(['MeasureReport', 'Location']),
  operations: [],
  validateOnWrite: { base: true, profiles: true },
};

function report(i: number): MeasureReport {
  const day = `2020-04-${String((i % 28) + 1).padStart(2, '0')}`;
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: 'http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity',
    date: `${day}T12:00:00Z`,
    period: { start: day, end: day },
    subject: { reference: `Location/loc-${i % 20}` },
    group: ['beds', 'vents', 'icu'].map((g) => ({
      code: { coding: [{ system: 'http://example.org/groups', code: g }] },
      population: ['numTotBeds', 'numBeds', 'numBedsOcc', 'numICUBeds'].map((p, k) => ({
        code: { coding: [{ system: 'http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues', code: p }] },
        count: 100 + k * 7 + (i % 13),
      })),
      measureScore: { value: 0.75 },
    })),
  };
}

async function rate(label: string, seconds: number, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 50; i++) await fn();
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    await fn();
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(2);
  const perSecond = Math.round(latencies.length / seconds);
  console.log(`${label.padEnd(44)} ${String(perSecond).padStart(7)} req/s   p50 ${pct(0.5)} ms   p99 ${pct(0.99)} ms`);
}

const store = ResourceStore.open({ path: ':memory:', searchParams: declaration.searchParamDefs });
let exchanges = 0;
const app = await buildFhirApp({ declaration, store, onExchange: () => exchanges++ });
await app.ready();
store.transaction(() => {
  for (let i = 0; i < 2000; i++) store.create(report(i), { id: `mr-${i}` });
});
const body = JSON.stringify(report(1));
console.log(`MeasureReport body ${body.length} bytes; 2,000 stored; in-process inject, one core`);

await rate('read JSON  GET MeasureReport/[id]', 2, () => app.inject({ method: 'GET', url: '/MeasureReport/mr-7' }));
await rate('read XML   GET MeasureReport/[id]?_format=xml', 2, () => app.inject({ method: 'GET', url: '/MeasureReport/mr-7?_format=xml' }));
await rate('search     measure+date range, _count=20', 2, () =>
  app.inject({ method: 'GET', url: '/MeasureReport?measure=http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity&date=ge2020-04-03&date=lt2020-04-05&_count=20' }),
);
await rate('  same search on the store alone (no HTTP)', 2, async () =>
  store.search(
    'MeasureReport',
    [
      ['measure', 'http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity'],
      ['date', 'ge2020-04-03'],
      ['date', 'lt2020-04-05'],
      ['_count', '20'],
    ],
    { baseUrl: 'http://localhost' },
  ),
);
await rate('create     POST MeasureReport (validated)', 2, () => app.inject({ method: 'POST', url: '/MeasureReport', payload: body, headers: { 'content-type': 'application/fhir+json' } }));
await rate('error      GET unknown id (404 OperationOutcome)', 1, () => app.inject({ method: 'GET', url: '/MeasureReport/none' }));
console.log(`exchanges captured: ${exchanges}`);
await app.close();

const running = await startFhirServer({ declaration, store });
await rate('read JSON over 127.0.0.1 (undici)', 2, async () => {
  const res = await request(`${running.url}/MeasureReport/mr-7`);
  await res.body.text();
});
await running.close();
store.close();
