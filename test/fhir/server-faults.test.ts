// Each core fault mode must change the behaviour it names, and only when switched on: the clean
// server behaves correctly for the same request (checked in server.test.ts and here side by side).
import { afterEach, describe, expect, it } from 'vitest';
import type { Bundle, CapabilityStatement, MeasureReport } from 'fhir/r4.js';
import { parseResource } from '../../src/fhir/format.js';
import { coreFaults } from '../../src/fhir/server/index.js';
import { FHIR_JSON, FHIR_XML, location, measureReport, testServer, type TestServer } from './server-helpers.js';

const open: TestServer[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function pair(fault: string): Promise<{ clean: TestServer; faulty: TestServer }> {
  const clean = await testServer();
  const faulty = await testServer({ faults: [fault] });
  open.push(clean, faulty);
  for (const srv of [clean, faulty]) {
    srv.store.create(location, { id: 'loc-1' });
    srv.store.create({ resourceType: 'Organization', name: 'Dept of Health' }, { id: 'org-1' });
    for (let day = 1; day <= 5; day++) {
      const d = `2020-04-0${day}`;
      srv.store.create(measureReport({ date: `${d}T12:00:00Z`, period: { start: d, end: d }, reporter: { reference: 'Organization/org-1' } }), { id: `mr-${day}` });
    }
  }
  return { clean, faulty };
}

function get(srv: TestServer, url: string, headers: Record<string, string> = {}) {
  return srv.app.inject({ method: 'GET', url, headers });
}

function post(srv: TestServer, url: string, body: string, headers: Record<string, string> = {}) {
  return srv.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': FHIR_JSON, ...headers } });
}

function json<T>(body: string): T {
  return JSON.parse(body) as T;
}

const tested = new Set<string>();
function fault(id: string, fn: () => Promise<void>) {
  tested.add(id);
  it(id, fn);
}

describe('core fault modes', () => {
  it('are all listed with a description', () => {
    for (const f of coreFaults.modes) expect(f.description.length, f.id).toBeGreaterThan(10);
    expect(new Set(coreFaults.modes.map((f) => f.id)).size).toBe(coreFaults.modes.length);
  });

  fault('ignore-format', async () => {
    const { clean, faulty } = await pair('ignore-format');
    for (const [url, headers] of [
      ['/MeasureReport/mr-1?_format=xml', {}],
      ['/MeasureReport/mr-1', { accept: FHIR_XML }],
    ] as const) {
      expect((await get(clean, url, headers)).headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
      const res = await get(faulty, url, headers);
      expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
      expect(json<MeasureReport>(res.body).id).toBe('mr-1');
    }
  });

  fault('ignore-format-param', async () => {
    const { clean, faulty } = await pair('ignore-format-param');
    expect((await get(clean, '/MeasureReport/mr-1?_format=json', { accept: FHIR_XML })).headers['content-type']).toContain('json');
    expect((await get(faulty, '/MeasureReport/mr-1?_format=json', { accept: FHIR_XML })).headers['content-type']).toContain('xml');
    expect((await get(faulty, '/MeasureReport/mr-1?_format=xml')).headers['content-type']).toContain('json');
  });

  fault('xml-with-json-content-type', async () => {
    const { clean, faulty } = await pair('xml-with-json-content-type');
    expect((await get(clean, '/MeasureReport/mr-1?_format=xml')).headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    const res = await get(faulty, '/MeasureReport/mr-1?_format=xml');
    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(res.body.startsWith('<')).toBe(true);
  });

  fault('legacy-formats-406', async () => {
    const { clean, faulty } = await pair('legacy-formats-406');
    for (const url of ['/MeasureReport/mr-1?_format=xml', '/MeasureReport/mr-1?_format=application/json%2Bfhir']) {
      expect((await get(clean, url)).statusCode).toBe(200);
      expect((await get(faulty, url)).statusCode).toBe(406);
    }
    expect((await get(faulty, '/MeasureReport/mr-1', { accept: 'application/xml+fhir' })).statusCode).toBe(406);
    expect((await get(faulty, '/MeasureReport/mr-1?_format=application/fhir%2Bxml')).statusCode).toBe(200);
    expect((await post(clean, '/MeasureReport', JSON.stringify(measureReport()), { 'content-type': 'application/json' })).statusCode).toBe(201);
    expect((await post(faulty, '/MeasureReport', JSON.stringify(measureReport()), { 'content-type': 'application/json' })).statusCode).toBe(415);
  });

  fault('no-406', async () => {
    const { clean, faulty } = await pair('no-406');
    expect((await get(clean, '/MeasureReport/mr-1?_format=text/html')).statusCode).toBe(406);
    const res = await get(faulty, '/MeasureReport/mr-1?_format=text/html');
    expect(res.statusCode).toBe(200);
    expect(json<MeasureReport>(res.body).id).toBe('mr-1');
  });

  fault('ignore-count', async () => {
    const { clean, faulty } = await pair('ignore-count');
    expect(json<Bundle>((await get(clean, '/MeasureReport?_count=2')).body).entry).toHaveLength(2);
    expect(json<Bundle>((await get(faulty, '/MeasureReport?_count=2')).body).entry).toHaveLength(5);
  });

  fault('no-next-link', async () => {
    const { clean, faulty } = await pair('no-next-link');
    const relations = async (srv: TestServer) => (json<Bundle>((await get(srv, '/MeasureReport?_count=2')).body).link ?? []).map((l) => l.relation);
    expect(await relations(clean)).toContain('next');
    expect(await relations(faulty)).not.toContain('next');
  });

  fault('broken-next-link', async () => {
    const { clean, faulty } = await pair('broken-next-link');
    const follow = async (srv: TestServer) => {
      const next = json<Bundle>((await get(srv, '/MeasureReport?_count=2')).body).link?.find((l) => l.relation === 'next')?.url ?? '';
      expect(next).not.toBe('');
      const u = new URL(next);
      return (await get(srv, u.pathname + u.search)).statusCode;
    };
    expect(await follow(clean)).toBe(200);
    expect(await follow(faulty)).toBe(404);
  });

  fault('drop-include', async () => {
    const { clean, faulty } = await pair('drop-include');
    const includes = async (srv: TestServer) => (json<Bundle>((await get(srv, '/MeasureReport?_id=mr-1&_include=*')).body).entry ?? []).filter((e) => e.search?.mode === 'include').length;
    expect(await includes(clean)).toBe(2);
    expect(await includes(faulty)).toBe(0);
  });

  fault('ignore-date-filter', async () => {
    const { clean, faulty } = await pair('ignore-date-filter');
    const url = '/MeasureReport?date=ge2020-04-02&date=lt2020-04-04';
    expect(json<Bundle>((await get(clean, url)).body).total).toBe(2);
    expect(json<Bundle>((await get(faulty, url)).body).total).toBe(5);
    expect(json<Bundle>((await get(faulty, '/MeasureReport?period=ge2020-04-05')).body).total).toBe(5);
  });

  fault('ignore-identifier-modifier', async () => {
    const { clean, faulty } = await pair('ignore-identifier-modifier');
    for (const srv of [clean, faulty]) {
      srv.store.create({ resourceType: 'Location', name: 'Other', identifier: [{ system: 'http://example.org/hospitals', value: 'OT1' }] }, { id: 'loc-2' });
      srv.store.create(measureReport({ subject: { reference: 'Location/loc-2' } }), { id: 'mr-other' });
    }
    const url = `/MeasureReport?subject:identifier=${encodeURIComponent('http://example.org/hospitals|OT1')}`;
    expect(json<Bundle>((await get(clean, url)).body).total).toBe(1);
    expect(json<Bundle>((await get(faulty, url)).body).total).toBe(6);
  });

  fault('no-post-search', async () => {
    const { clean, faulty } = await pair('no-post-search');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post(clean, '/MeasureReport/_search', '_id=mr-1', form)).statusCode).toBe(200);
    expect((await post(faulty, '/MeasureReport/_search', '_id=mr-1', form)).statusCode).toBe(405);
  });

  fault('metadata-wrong-fhir-version', async () => {
    const { clean, faulty } = await pair('metadata-wrong-fhir-version');
    expect(json<CapabilityStatement>((await get(clean, '/metadata')).body).fhirVersion).toBe('4.0.1');
    expect(json<CapabilityStatement>((await get(faulty, '/metadata')).body).fhirVersion).not.toBe('4.0.1');
  });

  fault('metadata-missing-format', async () => {
    const { clean, faulty } = await pair('metadata-missing-format');
    expect(json<CapabilityStatement>((await get(clean, '/metadata')).body).format).toBeDefined();
    expect(json<CapabilityStatement>((await get(faulty, '/metadata')).body).format).toBeUndefined();
  });

  fault('metadata-no-rest', async () => {
    const { clean, faulty } = await pair('metadata-no-rest');
    expect(json<CapabilityStatement>((await get(clean, '/metadata')).body).rest?.[0]?.mode).toBe('server');
    expect(json<CapabilityStatement>((await get(faulty, '/metadata')).body).rest).toBeUndefined();
  });

  fault('no-metadata', async () => {
    const { clean, faulty } = await pair('no-metadata');
    expect((await get(clean, '/metadata')).statusCode).toBe(200);
    expect((await get(faulty, '/metadata')).statusCode).toBe(404);
  });

  fault('accept-invalid', async () => {
    const { clean, faulty } = await pair('accept-invalid');
    const invalid = JSON.stringify({ ...measureReport({ group: undefined }), status: 'done' });
    expect((await post(clean, '/MeasureReport', invalid)).statusCode).toBe(400);
    expect((await post(faulty, '/MeasureReport', invalid)).statusCode).toBe(201);
  });

  fault('skip-profile-validation', async () => {
    const { clean, faulty } = await pair('skip-profile-validation');
    const noGroup = JSON.stringify(measureReport({ group: undefined }));
    expect((await post(clean, '/MeasureReport', noGroup)).statusCode).toBe(422);
    expect((await post(faulty, '/MeasureReport', noGroup)).statusCode).toBe(201);
    expect((await post(faulty, '/MeasureReport', JSON.stringify({ ...measureReport(), status: 'done' }))).statusCode).toBe(400);
  });

  fault('no-location-header', async () => {
    const { clean, faulty } = await pair('no-location-header');
    expect((await post(clean, '/MeasureReport', JSON.stringify(measureReport()))).headers['location']).toBeDefined();
    const res = await post(faulty, '/MeasureReport', JSON.stringify(measureReport()));
    expect(res.statusCode).toBe(201);
    expect(res.headers['location']).toBeUndefined();
  });

  fault('ignore-if-match', async () => {
    const { clean, faulty } = await pair('ignore-if-match');
    const body = JSON.stringify(measureReport({ id: 'mr-1' }));
    const headers = { 'content-type': FHIR_JSON, 'if-match': 'W/"42"' };
    expect((await clean.app.inject({ method: 'PUT', url: '/MeasureReport/mr-1', payload: body, headers })).statusCode).toBe(412);
    expect((await faulty.app.inject({ method: 'PUT', url: '/MeasureReport/mr-1', payload: body, headers })).statusCode).toBe(200);
  });

  fault('wrong-status-on-create', async () => {
    const { clean, faulty } = await pair('wrong-status-on-create');
    expect((await post(clean, '/MeasureReport', JSON.stringify(measureReport()))).statusCode).toBe(201);
    expect((await post(faulty, '/MeasureReport', JSON.stringify(measureReport()))).statusCode).toBe(200);
  });

  fault('operation-outcome-missing', async () => {
    const { clean, faulty } = await pair('operation-outcome-missing');
    expect(json<{ resourceType: string }>((await get(clean, '/MeasureReport/nope')).body).resourceType).toBe('OperationOutcome');
    const res = await get(faulty, '/MeasureReport/nope');
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('');
  });

  fault('accept-wrong-media-type', async () => {
    const { clean, faulty } = await pair('accept-wrong-media-type');
    const body = JSON.stringify(measureReport());
    expect((await post(clean, '/MeasureReport', body, { 'content-type': 'text/plain' })).statusCode).toBe(415);
    expect((await post(faulty, '/MeasureReport', body, { 'content-type': 'text/plain' })).statusCode).toBe(201);
    expect((await post(faulty, '/MeasureReport', body, { 'content-type': FHIR_JSON })).statusCode).toBe(201);
  });

  fault('no-bundle-total', async () => {
    const { clean, faulty } = await pair('no-bundle-total');
    expect(json<Bundle>((await get(clean, '/MeasureReport')).body).total).toBe(5);
    expect(json<Bundle>((await get(faulty, '/MeasureReport')).body).total).toBeUndefined();
  });

  fault('ignore-search-param', async () => {
    const { clean, faulty } = await pair('ignore-search-param:_id');
    expect(json<Bundle>((await get(clean, '/MeasureReport?_id=mr-2')).body).total).toBe(1);
    expect(json<Bundle>((await get(faulty, '/MeasureReport?_id=mr-2')).body).total).toBe(5);
    expect(json<Bundle>((await get(faulty, '/MeasureReport?date=ge2020-04-04')).body).total).toBe(2);
  });

  fault('refuse-interaction', async () => {
    const { clean, faulty } = await pair('refuse-interaction:Location/read');
    expect((await get(clean, '/Location/loc-1')).statusCode).toBe(200);
    expect((await get(faulty, '/Location/loc-1')).statusCode).toBe(405);
    expect((await get(faulty, '/MeasureReport/mr-1')).statusCode).toBe(200);
  });

  it('checks fault ids and their arguments at start', async () => {
    await expect(testServer({ faults: ['ignore-search-param'] })).rejects.toThrow(/ignore-search-param/);
    await expect(testServer({ faults: ['ignore-search-param:'] })).rejects.toThrow(/unknown fault/);
    await expect(testServer({ faults: ['ignore-count:5'] })).rejects.toThrow(/unknown fault/);
    const ok = await testServer({ faults: ['ignore-search-param:measure', 'ignore-search-param:date', 'sim-specific'] });
    open.push(ok);
  });

  it('every core fault has a test here', () => {
    expect(coreFaults.modes.map((f) => f.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  it('a clean server still answers XML for the same requests (sanity for the pair helper)', async () => {
    const { clean } = await pair('no-406');
    expect(parseResource((await get(clean, '/MeasureReport/mr-1?_format=xml')).body, 'xml').id).toBe('mr-1');
  });
});
