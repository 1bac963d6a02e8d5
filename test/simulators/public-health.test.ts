// The public-health side of Compute Measure: the Measure Definition Source a Measure Computer reads
// the current Measure from (and on which a PUT publishes the next version), and the Measure
// Consumer it pushes to, which takes only valid PublicHealthMeasureReports.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, CapabilityStatement, Measure, MeasureReport, OperationOutcome } from 'fhir/r4.js';
import { parseJson } from '../../src/fhir/json.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { MEASURE_CONSUMER_PM_PUSH, MEASURE_DEFINITION_SOURCE_QMD } from '../../ig/saner/capabilities.js';
import { simulatorById } from '../../simulators/index.js';
import { startPublicHealth } from '../../simulators/public-health/index.js';

const FHIR_JSON = 'application/fhir+json';
const COVID = 'http://measure-conformance.example.org/fhir/Measure/ComputeCovidImpact';

const fixture = <T>(path: string): T => parseJson(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8')) as T;

/** A valid PublicHealthMeasureReport, as a Measure Computer would push it (no id). */
function report(): MeasureReport {
  const { id: _id, ...r } = fixture<MeasureReport>('saner/measurereport-beds-camden-2020-04-01.json');
  return r;
}

let server: RunningFhirServer;
beforeAll(async () => {
  server = await startPublicHealth();
});
afterAll(async () => server?.close());

async function call<T>(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await server.app.inject({ method, url, headers: { accept: FHIR_JSON, ...(body ? { 'content-type': FHIR_JSON } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
  return { status: res.statusCode, body: res.json<T>() };
}

describe('public-health simulator', () => {
  it('is registered, plays no actor under test, and says it is a Measure Definition Source and a Measure Consumer', async () => {
    expect(simulatorById('public-health')?.plays).toEqual([]);
    const { body } = await call<CapabilityStatement>('GET', '/metadata');
    expect(body.instantiates).toEqual(expect.arrayContaining([MEASURE_DEFINITION_SOURCE_QMD, MEASURE_CONSUMER_PM_PUSH]));
    const types = (body.rest?.[0]?.resource ?? []).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['Measure', 'Library', 'ValueSet', 'MeasureReport', 'Location', 'Organization']));
  });

  it('holds the first version of the bundled Measure, found by url, and publishes the next one on PUT', async () => {
    const first = await call<Bundle>('GET', `/Measure?url=${encodeURIComponent(COVID)}`);
    expect((first.body.entry ?? []).map((e) => (e.resource as Measure).version)).toEqual(['1.0.0']);
    const v2 = fixture<Measure>('compute/measure-compute-covid-impact-v2.json');
    const put = await call<Measure>('PUT', `/Measure/${v2.id ?? ''}`, v2);
    expect(put.status).toBe(200);
    expect((await call<Measure>('GET', `/Measure/${v2.id ?? ''}`)).body.version).toBe('2.0.0');
    expect((await call<Measure>('GET', `/Measure/${v2.id ?? ''}/_history/1`)).body.version).toBe('1.0.0');
  });

  it('takes a valid pushed report and refuses an invalid one with 422, storing nothing of it', async () => {
    const created = await call<MeasureReport>('POST', '/MeasureReport', report());
    expect(created.status).toBe(201);
    // Valid R4, but PublicHealthMeasureReport wants the period's instants with an offset, not Z.
    const invalid = { ...report(), period: { start: '2020-04-01T00:00:00Z', end: '2020-04-02T00:00:00Z' } };
    const refused = await call<OperationOutcome>('POST', '/MeasureReport', invalid);
    expect(refused.status).toBe(422);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    const held = await call<Bundle>('GET', '/MeasureReport');
    expect(held.body.total).toBe(1);
  });
});
