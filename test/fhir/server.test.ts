import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bundle, CapabilityStatement, MeasureReport, Parameters } from 'fhir/r4.js';
import { parseResource, serializeResource } from '../../src/fhir/format.js';
import { FHIR_JSON, FHIR_XML, TEST_PROFILE, location, measureReport, outcome, testServer, type TestServer } from './server-helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
  s.store.create(location, { id: 'loc-1' });
  s.store.create({ resourceType: 'Organization', name: 'Dept of Health' }, { id: 'org-1' });
});
afterAll(() => s.close());

async function post(url: string, body: string, contentType = FHIR_JSON, headers: Record<string, string> = {}) {
  return s.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType, ...headers } });
}

async function createReport(overrides: Partial<MeasureReport> = {}): Promise<MeasureReport> {
  const res = await post('/MeasureReport', JSON.stringify(measureReport(overrides)));
  expect(res.statusCode).toBe(201);
  return JSON.parse(res.body) as MeasureReport;
}

describe('metadata', () => {
  it('generates the CapabilityStatement from the declaration', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/metadata' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    const cs = JSON.parse(res.body) as CapabilityStatement;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.kind).toBe('instance');
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.format).toEqual(expect.arrayContaining(['json', 'xml']));
    expect(cs.url).toBe('http://example.org/fhir/CapabilityStatement/TestServer');
    expect(cs.instantiates).toEqual(['http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureSource-QueryMeasure-Pull']);
    expect(cs.implementation?.url).toBe('http://localhost:80');
    const rest = cs.rest?.[0];
    expect(rest?.mode).toBe('server');
    const mr = rest?.resource?.find((r) => r.type === 'MeasureReport');
    expect(mr?.interaction?.map((i) => i.code)).toEqual(['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type']);
    expect(mr?.supportedProfile).toEqual([TEST_PROFILE]);
    expect(mr?.profile).toBe(TEST_PROFILE);
    expect(mr?.searchInclude).toEqual(['*']);
    expect(mr?.updateCreate).toBe(true);
    expect(mr?.searchParam?.find((p) => p.name === 'date')).toEqual({ name: 'date', definition: 'http://hl7.org/fhir/SearchParameter/MeasureReport-date', type: 'date' });
    expect(mr?.searchParam?.find((p) => p.name === '_id')).toEqual({ name: '_id', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id', type: 'token' });
    expect(mr?.operation?.map((o) => o.name).sort()).toEqual(['echo-csv', 'submit', 'summary']);
    const param = (n: string) => mr?.searchParam?.find((p) => p.name === n);
    expect(param('subject:identifier')).toEqual({ name: 'subject:identifier', definition: 'http://hl7.org/fhir/SearchParameter/MeasureReport-subject', type: 'token' });
    expect(param('measure.title')).toEqual({ name: 'measure.title', definition: 'http://hl7.org/fhir/SearchParameter/MeasureReport-measure', type: 'string' });
    expect(param('subject:Location.near')?.type).toBe('special');
    const measure = rest?.resource?.find((r) => r.type === 'Measure');
    expect(measure?.searchParam?.find((p) => p.name === '_text')?.definition).toBe('http://hl7.org/fhir/SearchParameter/DomainResource-text');
    expect(measure?.searchParam?.find((p) => p.name === 'code')?.type).toBe('token');
    expect(measure?.searchParam?.find((p) => p.name === 'definition-text')?.definition).toBe('http://hl7.org/fhir/uv/saner/SearchParameter/SearchParameter-definition-text');
    expect(rest?.operation).toEqual([{ name: 'ping', definition: 'http://example.org/fhir/OperationDefinition/ping' }]);
  });

  it('answers metadata in XML', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/metadata?_format=xml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    expect(parseResource(res.body, 'xml').resourceType).toBe('CapabilityStatement');
  });

  it('refuses POST on metadata with 405', async () => {
    const res = await post('/metadata', '{}');
    expect(res.statusCode).toBe(405);
    expect(outcome(res.body).issue[0]?.code).toBe('not-supported');
  });
});

describe('content negotiation on read', () => {
  let id: string;
  beforeAll(async () => {
    id = (await createReport()).id ?? '';
  });

  const cases: Array<[string, Record<string, string>, 'json' | 'xml']> = [
    ['', {}, 'json'],
    ['?_format=application/fhir%2Bxml', {}, 'xml'],
    ['?_format=application/fhir+xml', {}, 'xml'],
    ['?_format=application/fhir%2Bjson', { accept: FHIR_XML }, 'json'],
    ['?_format=json', { accept: FHIR_XML }, 'json'],
    ['?_format=xml', {}, 'xml'],
    ['?_format=text/xml', {}, 'xml'],
    ['?_format=application/xml', {}, 'xml'],
    ['?_format=application/json', { accept: FHIR_XML }, 'json'],
    ['?_format=application/xml%2Bfhir', {}, 'xml'],
    ['?_format=application/json%2Bfhir', { accept: FHIR_XML }, 'json'],
    ['', { accept: FHIR_XML }, 'xml'],
    ['', { accept: FHIR_JSON }, 'json'],
    ['', { accept: 'application/xml+fhir' }, 'xml'],
    ['', { accept: 'application/json+fhir' }, 'json'],
    ['', { accept: 'text/xml' }, 'xml'],
    ['', { accept: 'application/xml' }, 'xml'],
    ['', { accept: 'application/json' }, 'json'],
    ['', { accept: 'application/fhir+json;q=0.4, application/fhir+xml;q=0.8' }, 'xml'],
    ['', { accept: '*/*' }, 'json'],
  ];
  it.each(cases)('GET MeasureReport/[id]%s with %j -> %s', async (query, headers, expected) => {
    const res = await s.app.inject({ method: 'GET', url: `/MeasureReport/${id}${query}`, headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(`application/fhir+${expected}; charset=utf-8`);
    const resource = parseResource(res.body, expected);
    expect(resource.resourceType).toBe('MeasureReport');
    expect(resource.id).toBe(id);
  });

  it.each([
    ['?_format=text/html', {}],
    ['?_format=text/json', {}],
    ['?_format=application/pdf', { accept: FHIR_JSON }],
    ['', { accept: 'text/html' }],
    ['', { accept: 'application/fhir+json;q=0' }],
  ])('406 for %s %j, with an OperationOutcome in JSON', async (query, headers) => {
    const res = await s.app.inject({ method: 'GET', url: `/MeasureReport/${id}${query}`, headers });
    expect(res.statusCode).toBe(406);
    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(outcome(res.body).issue[0]?.code).toBe('not-supported');
  });

  it('pretty-prints with _pretty=true, in both formats', async () => {
    const compact = await s.app.inject({ method: 'GET', url: `/MeasureReport/${id}` });
    const pretty = await s.app.inject({ method: 'GET', url: `/MeasureReport/${id}?_pretty=true` });
    expect(compact.body.includes('\n')).toBe(false);
    expect(pretty.body.split('\n').length).toBeGreaterThan(5);
    expect(JSON.parse(pretty.body)).toEqual(JSON.parse(compact.body));
    const xml = await s.app.inject({ method: 'GET', url: `/MeasureReport/${id}?_pretty=true&_format=xml` });
    expect(xml.body.split('\n').length).toBeGreaterThan(5);
  });

  it('sends errors in the negotiated format', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/MeasureReport/nope?_format=xml' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    expect(parseResource(res.body, 'xml').resourceType).toBe('OperationOutcome');
  });
});

describe('read, vread, history, update, delete', () => {
  it('reads with ETag and Last-Modified', async () => {
    const created = await createReport();
    const res = await s.app.inject({ method: 'GET', url: `/MeasureReport/${created.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['etag']).toBe('W/"1"');
    expect(new Date(String(res.headers['last-modified'])).getTime()).toBeGreaterThan(0);
    expect((JSON.parse(res.body) as MeasureReport).measure).toBe('http://example.org/fhir/Measure/beds');
  });

  it('404 for an unknown id, an invalid id, an unknown type and an unknown route', async () => {
    for (const url of ['/MeasureReport/does-not-exist', '/MeasureReport/bad$id!', '/Patient/1', '/patients', '/MeasureReport/1/_history/1/extra/more', '/MeasureReport/1/whatever']) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(outcome(res.body).resourceType).toBe('OperationOutcome');
    }
  });

  it('405 for an interaction the type does not declare', async () => {
    const del = await s.app.inject({ method: 'DELETE', url: '/Organization/org-1' });
    expect(del.statusCode).toBe(405);
    expect(outcome(del.body).issue[0]?.diagnostics).toMatch(/delete/);
    const create = await post('/Organization', JSON.stringify({ resourceType: 'Organization', name: 'x' }));
    expect(create.statusCode).toBe(405);
    const patch = await s.app.inject({ method: 'PATCH', url: '/MeasureReport/x', payload: '[]', headers: { 'content-type': 'application/json-patch+json' } });
    expect(patch.statusCode).toBe(405);
    const root = await s.app.inject({ method: 'POST', url: '/', payload: '{}', headers: { 'content-type': FHIR_JSON } });
    expect(root.statusCode).toBe(405);
  });

  it('updates with a new version, vreads both versions and lists history', async () => {
    const created = await createReport();
    const changed = { ...created, status: 'pending' as const };
    const put = await s.app.inject({ method: 'PUT', url: `/MeasureReport/${created.id}`, payload: JSON.stringify(changed), headers: { 'content-type': FHIR_JSON } });
    expect(put.statusCode).toBe(200);
    expect(put.headers['etag']).toBe('W/"2"');
    expect((JSON.parse(put.body) as MeasureReport).status).toBe('pending');
    const v1 = await s.app.inject({ method: 'GET', url: `/MeasureReport/${created.id}/_history/1` });
    expect((JSON.parse(v1.body) as MeasureReport).status).toBe('complete');
    const v2 = await s.app.inject({ method: 'GET', url: `/MeasureReport/${created.id}/_history/2?_format=xml` });
    expect((parseResource(v2.body, 'xml') as MeasureReport).status).toBe('pending');
    const v9 = await s.app.inject({ method: 'GET', url: `/MeasureReport/${created.id}/_history/9` });
    expect(v9.statusCode).toBe(404);
    const hist = await s.app.inject({ method: 'GET', url: `/MeasureReport/${created.id}/_history` });
    const bundle = JSON.parse(hist.body) as Bundle;
    expect(bundle.type).toBe('history');
    expect(bundle.entry?.map((e) => e.response?.etag)).toEqual(['W/"2"', 'W/"1"']);
  });

  it('updates from an XML body', async () => {
    const created = await createReport();
    const xml = serializeResource({ ...created, status: 'error' } as MeasureReport, 'xml');
    const put = await s.app.inject({ method: 'PUT', url: `/MeasureReport/${created.id}`, payload: xml, headers: { 'content-type': FHIR_XML, accept: FHIR_XML } });
    expect(put.statusCode).toBe(200);
    expect((parseResource(put.body, 'xml') as MeasureReport).status).toBe('error');
  });

  it('creates on update when the type allows it (201 + Location)', async () => {
    const put = await s.app.inject({ method: 'PUT', url: '/MeasureReport/client-chosen', payload: JSON.stringify(measureReport({ id: 'client-chosen' })), headers: { 'content-type': FHIR_JSON } });
    expect(put.statusCode).toBe(201);
    expect(put.headers['location']).toBe('http://localhost:80/MeasureReport/client-chosen/_history/1');
  });

  it('refuses update-as-create where the type does not allow it', async () => {
    const put = await s.app.inject({ method: 'PUT', url: '/Location/new-one', payload: JSON.stringify({ ...location, id: 'new-one' }), headers: { 'content-type': FHIR_JSON } });
    expect([404, 405]).toContain(put.statusCode);
    expect(outcome(put.body).resourceType).toBe('OperationOutcome');
  });

  it('400 when the body id does not match the URL, or is missing', async () => {
    const created = await createReport();
    const mismatch = await s.app.inject({ method: 'PUT', url: `/MeasureReport/${created.id}`, payload: JSON.stringify({ ...created, id: 'other' }), headers: { 'content-type': FHIR_JSON } });
    expect(mismatch.statusCode).toBe(400);
    expect(outcome(mismatch.body).issue[0]?.expression).toEqual(['MeasureReport.id']);
    const { id: _gone, ...noId } = created;
    const missing = await s.app.inject({ method: 'PUT', url: `/MeasureReport/${created.id}`, payload: JSON.stringify(noId), headers: { 'content-type': FHIR_JSON } });
    expect(missing.statusCode).toBe(400);
    const numericId = await s.app.inject({ method: 'PUT', url: `/MeasureReport/${created.id}`, payload: JSON.stringify({ ...created, id: 5 }), headers: { 'content-type': FHIR_JSON } });
    expect(numericId.statusCode).toBe(400);
    const wrongType = await s.app.inject({ method: 'PUT', url: `/MeasureReport/${created.id}`, payload: JSON.stringify({ ...location, id: created.id }), headers: { 'content-type': FHIR_JSON } });
    expect(wrongType.statusCode).toBe(400);
  });

  it('412 when If-Match names another version, 200 when it names the current one', async () => {
    const created = await createReport();
    const body = JSON.stringify(created);
    const stale = await s.app.inject({ method: 'PUT', url: `/MeasureReport/${created.id}`, payload: body, headers: { 'content-type': FHIR_JSON, 'if-match': 'W/"7"' } });
    expect(stale.statusCode).toBe(412);
    expect(outcome(stale.body).issue[0]?.code).toBe('conflict');
    const current = await s.app.inject({ method: 'PUT', url: `/MeasureReport/${created.id}`, payload: body, headers: { 'content-type': FHIR_JSON, 'if-match': 'W/"1"' } });
    expect(current.statusCode).toBe(200);
  });

  it('conditional update: creates with no match, updates the single match, 412 on several', async () => {
    const first = await s.app.inject({
      method: 'PUT',
      url: '/MeasureReport?measure=http://example.org/fhir/Measure/cond',
      payload: JSON.stringify(measureReport({ measure: 'http://example.org/fhir/Measure/cond' })),
      headers: { 'content-type': FHIR_JSON },
    });
    expect(first.statusCode).toBe(201);
    const id = (JSON.parse(first.body) as MeasureReport).id;
    const second = await s.app.inject({
      method: 'PUT',
      url: '/MeasureReport?measure=http://example.org/fhir/Measure/cond',
      payload: JSON.stringify(measureReport({ measure: 'http://example.org/fhir/Measure/cond', status: 'pending' })),
      headers: { 'content-type': FHIR_JSON },
    });
    expect(second.statusCode).toBe(200);
    expect((JSON.parse(second.body) as MeasureReport).id).toBe(id);
    await createReport({ measure: 'http://example.org/fhir/Measure/cond' });
    const third = await s.app.inject({
      method: 'PUT',
      url: '/MeasureReport?measure=http://example.org/fhir/Measure/cond',
      payload: JSON.stringify(measureReport()),
      headers: { 'content-type': FHIR_JSON },
    });
    expect(third.statusCode).toBe(412);
  });

  it('deletes (204), then read is 410 Gone', async () => {
    const created = await createReport();
    const del = await s.app.inject({ method: 'DELETE', url: `/MeasureReport/${created.id}` });
    expect(del.statusCode).toBe(204);
    const read = await s.app.inject({ method: 'GET', url: `/MeasureReport/${created.id}` });
    expect(read.statusCode).toBe(410);
    const again = await s.app.inject({ method: 'DELETE', url: `/MeasureReport/${created.id}`, headers: { prefer: 'return=OperationOutcome' } });
    expect(again.statusCode).toBe(200);
    expect(outcome(again.body).issue[0]?.severity).toBe('information');
  });
});

describe('create', () => {
  it('201 with Location, ETag, Last-Modified and the stored representation; the client id is replaced', async () => {
    const res = await post('/MeasureReport', JSON.stringify(measureReport({ id: 'client-id' })));
    expect(res.statusCode).toBe(201);
    const stored = JSON.parse(res.body) as MeasureReport;
    expect(stored.id).toBeDefined();
    expect(stored.id).not.toBe('client-id');
    expect(stored.meta?.versionId).toBe('1');
    expect(res.headers['location']).toBe(`http://localhost:80/MeasureReport/${stored.id}/_history/1`);
    expect(res.headers['etag']).toBe('W/"1"');
    expect(res.headers['last-modified']).toBeDefined();
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const minimal = await post('/MeasureReport', JSON.stringify(measureReport()), FHIR_JSON, { prefer: 'return=minimal' });
    expect(minimal.statusCode).toBe(201);
    expect(minimal.body).toBe('');
    expect(minimal.headers['location']).toMatch(/\/MeasureReport\/[^/]+\/_history\/1$/);
    const oo = await post('/MeasureReport', JSON.stringify(measureReport()), FHIR_JSON, { prefer: 'return=OperationOutcome' });
    expect(oo.statusCode).toBe(201);
    expect(outcome(oo.body).issue[0]?.severity).toBe('information');
  });

  it('creates from XML and each legacy body type', async () => {
    const xml = serializeResource(measureReport(), 'xml');
    for (const ct of [FHIR_XML, 'application/xml', 'text/xml', 'application/xml+fhir', 'application/fhir+xml; charset=utf-8']) {
      const res = await post('/MeasureReport', xml, ct);
      expect(res.statusCode, ct).toBe(201);
    }
    for (const ct of ['application/json', 'application/json+fhir', 'application/fhir+json;charset=UTF-8']) {
      const res = await post('/MeasureReport', JSON.stringify(measureReport()), ct);
      expect(res.statusCode, ct).toBe(201);
    }
  });

  it('415 for a missing or unsupported Content-Type', async () => {
    for (const ct of ['text/plain', 'text/csv', 'application/x-www-form-urlencoded', 'application/fhir+json; charset=latin1']) {
      const res = await post('/MeasureReport', JSON.stringify(measureReport()), ct);
      expect(res.statusCode, ct).toBe(415);
      expect(outcome(res.body).issue[0]?.code).toBe('not-supported');
    }
    const none = await s.app.inject({ method: 'POST', url: '/MeasureReport', payload: JSON.stringify(measureReport()), headers: { 'content-type': '' } });
    expect(none.statusCode).toBe(415);
  });

  it('400 for malformed JSON and XML, an empty body, and invalid UTF-8', async () => {
    const cases: Array<[string | Buffer, string]> = [
      ['{"resourceType": "MeasureReport",', FHIR_JSON],
      ['{"resourceType":"MeasureReport","status":"complete","status":"pending"}', FHIR_JSON],
      ['<MeasureReport xmlns="http://hl7.org/fhir"><status value="complete"/>', FHIR_XML],
      ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><MeasureReport xmlns="http://hl7.org/fhir"/>', FHIR_XML],
      ['', FHIR_JSON],
      ['[]', FHIR_JSON],
      ['null', FHIR_JSON],
      ['"MeasureReport"', FHIR_JSON],
      ['{"resourceType": 7}', FHIR_JSON],
      ['{"resourceType":"MeasureReport","status":"complete","type":"summary","measure":"http://x/M","period":{"start":"2020"},"meta":"oops"}', FHIR_JSON],
      ['{"resourceType":"MeasureReport","status":"complete","type":"summary","measure":"http://x/M","period":{"start":"2020"},"group":{"count":1}}', FHIR_JSON],
      ['<Patient xmlns="http://hl7.org/fhir"/>', FHIR_XML],
      ['<MeasureReport xmlns="http://example.org/not-fhir"/>', FHIR_XML],
      ['not json at all', FHIR_JSON],
      [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), FHIR_JSON],
    ];
    for (const [body, ct] of cases) {
      const res = await s.app.inject({ method: 'POST', url: '/MeasureReport', payload: body, headers: { 'content-type': ct } });
      expect(res.statusCode, String(body)).toBe(400);
      expect(outcome(res.body).resourceType).toBe('OperationOutcome');
    }
  });

  it('400 when the body type differs from the URL', async () => {
    const res = await post('/MeasureReport', JSON.stringify(location));
    expect(res.statusCode).toBe(400);
    expect(outcome(res.body).issue[0]?.expression).toEqual(['resourceType']);
  });

  it('400 for a base-structure failure, with the element located', async () => {
    const bad = { ...measureReport(), status: 'done', unknownElement: true };
    const res = await post('/MeasureReport', JSON.stringify(bad));
    expect(res.statusCode).toBe(400);
    const issues = outcome(res.body).issue;
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.some((i) => i.expression?.some((e) => e.startsWith('MeasureReport')))).toBe(true);
    expect(s.store.count('MeasureReport')).toBeGreaterThan(0);
  });

  it('422 for a profile failure, with issue.expression at the failing element', async () => {
    const res = await post('/MeasureReport', JSON.stringify(measureReport({ group: [{ population: [{ code: { text: 'beds' } }] }] })));
    expect(res.statusCode).toBe(422);
    const issue = outcome(res.body).issue.find((i) => i.severity === 'error');
    expect(issue?.expression?.[0]).toBe('MeasureReport.group[0].population[0]');
    const noGroup = await post('/MeasureReport', JSON.stringify(measureReport({ group: undefined })));
    expect(noGroup.statusCode).toBe(422);
  });

  it('stores nothing when validation fails', async () => {
    const before = s.store.count('MeasureReport');
    await post('/MeasureReport', JSON.stringify(measureReport({ group: undefined })));
    await post('/MeasureReport', JSON.stringify({ ...measureReport(), status: 'nope' }));
    expect(s.store.count('MeasureReport')).toBe(before);
  });
});

describe('search', () => {
  const measure = 'http://example.org/fhir/Measure/paging';
  beforeAll(async () => {
    for (let day = 1; day <= 7; day++) {
      const d = `2020-05-0${day}`;
      await createReport({ measure, date: `${d}T12:00:00Z`, period: { start: d, end: d }, reporter: { reference: 'Organization/org-1' } });
    }
  });

  it('GET and POST _search answer the same searchset', async () => {
    const get = await s.app.inject({ method: 'GET', url: `/MeasureReport?measure=${encodeURIComponent(measure)}&date=ge2020-05-03&date=lt2020-05-05` });
    expect(get.statusCode).toBe(200);
    const viaGet = JSON.parse(get.body) as Bundle;
    expect(viaGet.type).toBe('searchset');
    expect(viaGet.total).toBe(2);
    const postRes = await s.app.inject({
      method: 'POST',
      url: '/MeasureReport/_search',
      payload: `measure=${encodeURIComponent(measure)}&date=ge2020-05-03&date=lt2020-05-05`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(postRes.statusCode).toBe(200);
    const viaPost = JSON.parse(postRes.body) as Bundle;
    expect(viaPost.entry?.map((e) => e.resource?.id).sort()).toEqual(viaGet.entry?.map((e) => e.resource?.id).sort());
  });

  it('POST _search with a non-form body is 415, GET _search is 405', async () => {
    const res = await post('/MeasureReport/_search', JSON.stringify({ measure }));
    expect(res.statusCode).toBe(415);
    const get = await s.app.inject({ method: 'GET', url: '/MeasureReport/_search' });
    expect(get.statusCode).toBe(405);
  });

  it('searches in XML', async () => {
    const res = await s.app.inject({ method: 'GET', url: `/MeasureReport?measure=${encodeURIComponent(measure)}&_format=xml` });
    expect(res.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    expect((parseResource(res.body, 'xml') as Bundle).total).toBe(7);
  });

  it('paging links route back and each match is seen once, keeping _format', async () => {
    let url: string | undefined = `/MeasureReport?measure=${encodeURIComponent(measure)}&_count=3&_format=xml`;
    const seen: string[] = [];
    let pages = 0;
    while (url) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
      const page = parseResource(res.body, 'xml') as Bundle;
      expect((page.entry ?? []).length).toBeLessThanOrEqual(3);
      seen.push(...(page.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id ?? ''));
      const next = page.link?.find((l) => l.relation === 'next')?.url;
      if (next) expect(new URL(next).pathname).toBe('/MeasureReport');
      url = next ? new URL(next).pathname + new URL(next).search : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('_include=* brings the referenced Location and Organization', async () => {
    const one = await createReport({ measure, reporter: { reference: 'Organization/org-1' } });
    const res = await s.app.inject({ method: 'GET', url: `/MeasureReport?_id=${one.id}&_include=*` });
    const bundle = JSON.parse(res.body) as Bundle;
    const included = (bundle.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    expect(included.sort()).toEqual(['Location/loc-1', 'Organization/org-1']);
  });

  it('404 on a type that is not served, 405 for an undeclared interaction on a served one', async () => {
    expect((await s.app.inject({ method: 'GET', url: '/Patient?name=x' })).statusCode).toBe(404);
    const history = await s.app.inject({ method: 'GET', url: '/Location/loc-1/_history' });
    expect(history.statusCode).toBe(405);
    const vread = await s.app.inject({ method: 'GET', url: '/Location/loc-1/_history/1' });
    expect(vread.statusCode).toBe(405);
  });

  it('400 for a bad parameter value, and for an unknown parameter with Prefer: handling=strict', async () => {
    const bad = await s.app.inject({ method: 'GET', url: '/MeasureReport?date=notadate' });
    expect(bad.statusCode).toBe(400);
    const lenient = await s.app.inject({ method: 'GET', url: '/MeasureReport?bogus=1' });
    expect(lenient.statusCode).toBe(200);
    const strict = await s.app.inject({ method: 'GET', url: '/MeasureReport?bogus=1', headers: { prefer: 'handling=strict' } });
    expect(strict.statusCode).toBe(400);
  });
});

describe('operations', () => {
  it('system level with GET: query parameters become Parameters', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/$ping?x=1&_format=json' });
    expect(res.statusCode).toBe(200);
    const p = JSON.parse(res.body) as Parameters;
    expect(p.parameter).toEqual([
      { name: 'level', valueString: 'system' },
      { name: 'method', valueString: 'GET' },
      { name: 'in-x', valueString: '1' },
    ]);
  });

  it('system level with POST Parameters in JSON and in XML', async () => {
    const params: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'y', valueString: 'two' }] };
    const json = await post('/$ping', JSON.stringify(params));
    expect((JSON.parse(json.body) as Parameters).parameter?.[2]).toEqual({ name: 'in-y', valueString: 'two' });
    const xml = await post('/$ping', serializeResource(params, 'xml'), FHIR_XML, { accept: FHIR_XML });
    expect(xml.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    expect((parseResource(xml.body, 'xml') as Parameters).parameter?.[1]).toEqual({ name: 'method', valueString: 'POST' });
  });

  it('type level with a raw text/csv body answers text/csv', async () => {
    const res = await post('/MeasureReport/$echo-csv', 'a,b\n1,2\n', 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body).toBe('got:a,b\n1,2\n');
  });

  it('type level with a FHIR resource body', async () => {
    const res = await post('/MeasureReport/$echo-csv', JSON.stringify(measureReport()));
    expect((JSON.parse(res.body) as MeasureReport).resourceType).toBe('MeasureReport');
  });

  it('a state-changing operation refuses GET with 405', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/MeasureReport/$echo-csv' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST');
  });

  it('a raw body of a type the operation does not accept is 415', async () => {
    const res = await post('/$ping', 'a,b', 'text/csv');
    expect(res.statusCode).toBe(415);
  });

  it('instance level reads the instance (GET and POST)', async () => {
    const created = await createReport();
    for (const res of [await s.app.inject({ method: 'GET', url: `/MeasureReport/${created.id}/$summary` }), await post(`/MeasureReport/${created.id}/$summary`, '')]) {
      expect(res.statusCode).toBe(200);
      const p = JSON.parse(res.body) as Parameters;
      expect(p.parameter?.find((x) => x.name === 'id')?.valueString).toBe(created.id);
      expect(p.parameter?.find((x) => x.name === 'groups')?.valueInteger).toBe(1);
    }
    const missing = await s.app.inject({ method: 'GET', url: '/MeasureReport/nope/$summary' });
    expect(missing.statusCode).toBe(404);
  });

  it('a status result carries its headers and no body', async () => {
    const res = await post('/MeasureReport/$submit', '');
    expect(res.statusCode).toBe(202);
    expect(res.headers['content-location']).toBe('http://localhost:80/status/1');
    expect(res.body).toBe('');
  });

  it('unknown operations, and operations at the wrong level, are 404', async () => {
    for (const url of ['/$nothing', '/MeasureReport/$ping', '/Measure/$echo-csv', '/$summary']) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
    }
  });
});

describe('inbound evidence', () => {
  it('records each exchange with redacted secrets, bodies and status', async () => {
    s.exchanges.length = 0;
    const body = JSON.stringify(measureReport());
    await post('/MeasureReport', body, FHIR_JSON, { authorization: 'Bearer secret-token', cookie: 'session=abc', 'X-Custom': 'Yes' });
    const ex = s.exchanges.at(-1);
    expect(ex?.direction).toBe('inbound');
    expect(ex?.method).toBe('POST');
    expect(ex?.url).toBe('http://localhost:80/MeasureReport');
    expect(ex?.status).toBe(201);
    expect(ex?.requestHeaders['authorization']).toBe('[redacted]');
    expect(ex?.requestHeaders['cookie']).toBe('[redacted]');
    expect(ex?.requestHeaders['x-custom']).toBe('Yes');
    expect(ex?.requestBody).toEqual({ text: body, size: Buffer.byteLength(body), truncated: false });
    expect(ex?.responseHeaders?.['location']).toMatch(/\/MeasureReport\//);
    expect(JSON.parse(ex?.responseBody?.text ?? '{}').resourceType).toBe('MeasureReport');
    expect(ex?.durationMs).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(ex?.startedAt ?? ''))).toBe(false);
  });

  it('records errors too', async () => {
    s.exchanges.length = 0;
    await s.app.inject({ method: 'GET', url: '/Nope/1' });
    expect(s.exchanges[0]?.status).toBe(404);
    expect(outcome(s.exchanges[0]?.responseBody?.text ?? '').resourceType).toBe('OperationOutcome');
  });

  it('records a body refused for bad UTF-8 as it came: its size, and its text with the bad bytes replaced', async () => {
    s.exchanges.length = 0;
    const bytes = Buffer.concat([Buffer.from('{"resourceType":"MeasureReport","status":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await s.app.inject({ method: 'POST', url: '/MeasureReport', payload: bytes, headers: { 'content-type': FHIR_JSON } });
    expect(res.statusCode).toBe(400);
    expect(outcome(res.body).issue?.[0]?.diagnostics).toMatch(/not valid UTF-8/);
    expect(s.exchanges[0]?.status).toBe(400);
    expect(s.exchanges[0]?.requestBody).toEqual({ text: bytes.toString('utf8'), size: bytes.length, truncated: false });
    expect(s.exchanges[0]?.requestBody?.text).toContain('\uFFFD');
  });

  it('answers as it would when recording the exchange fails, and says why in a warning', async () => {
    const failing = await testServer({
      onExchange: () => {
        throw new Error('the log is full');
      },
    });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const res = await failing.app.inject({ method: 'POST', url: '/MeasureReport', payload: JSON.stringify(measureReport()), headers: { 'content-type': FHIR_JSON } });
      expect(res.statusCode).toBe(201);
      expect(failing.store.count('MeasureReport')).toBe(1);
      expect(warn).toHaveBeenCalledWith('an exchange could not be recorded: the log is full');
    } finally {
      warn.mockRestore();
      await failing.close();
    }
  });

  it('truncates bodies at the capture limit', async () => {
    const small = await testServer({ captureLimit: 10 });
    try {
      const body = JSON.stringify(measureReport());
      await small.app.inject({ method: 'POST', url: '/MeasureReport', payload: body, headers: { 'content-type': FHIR_JSON } });
      const ex = small.exchanges[0];
      expect(ex?.requestBody).toEqual({ text: body.slice(0, 10), size: Buffer.byteLength(body), truncated: true });
      expect(ex?.responseBody?.truncated).toBe(true);
    } finally {
      await small.close();
    }
  });
});

describe('auth, body limit, base path', () => {
  it('401 with WWW-Authenticate when the bearer token is missing or wrong; metadata stays open', async () => {
    const secured = await testServer({ auth: { bearerToken: 's3cret' } });
    try {
      const missing = await secured.app.inject({ method: 'GET', url: '/MeasureReport?_format=xml' });
      expect(missing.statusCode).toBe(401);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(parseResource(missing.body, 'xml').resourceType).toBe('OperationOutcome');
      const wrong = await secured.app.inject({ method: 'GET', url: '/MeasureReport', headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.headers['www-authenticate']).toMatch(/invalid_token/);
      const basic = await secured.app.inject({ method: 'GET', url: '/MeasureReport', headers: { authorization: 'Basic czNjcmV0' } });
      expect(basic.statusCode).toBe(401);
      const good = await secured.app.inject({ method: 'GET', url: '/MeasureReport', headers: { authorization: 'Bearer s3cret' } });
      expect(good.statusCode).toBe(200);
      expect(secured.exchanges.map((e) => e.status)).toEqual([401, 401, 401, 200]);
      expect(secured.exchanges.map((e) => e.requestHeaders['authorization'])).toEqual([undefined, '[redacted]', '[redacted]', '[redacted]']);
      expect(JSON.stringify(secured.exchanges)).not.toContain('s3cret');
      const meta = await secured.app.inject({ method: 'GET', url: '/metadata' });
      expect(meta.statusCode).toBe(200);
      const create = await secured.app.inject({ method: 'POST', url: '/MeasureReport', payload: JSON.stringify(measureReport()), headers: { 'content-type': FHIR_JSON } });
      expect(create.statusCode).toBe(401);
      expect(secured.store.count('MeasureReport')).toBe(0);
    } finally {
      await secured.close();
    }
  });

  it('protects metadata when asked', async () => {
    const secured = await testServer({ auth: { bearerToken: 's3cret', protectMetadata: true } });
    try {
      expect((await secured.app.inject({ method: 'GET', url: '/metadata' })).statusCode).toBe(401);
    } finally {
      await secured.close();
    }
  });

  it('413 above the body limit, from Content-Length, storing nothing', async () => {
    const limited = await testServer({ bodyLimit: 1000 });
    try {
      const big = JSON.stringify(measureReport({ id: 'x'.repeat(10), date: '2020-04-02T10:00:00Z' })) + ' '.repeat(2000);
      const res = await limited.app.inject({ method: 'POST', url: '/MeasureReport', payload: big, headers: { 'content-type': FHIR_JSON } });
      expect(res.statusCode).toBe(413);
      expect(outcome(res.body).issue[0]?.code).toBe('too-long');
      expect(limited.store.count('MeasureReport')).toBe(0);
      expect(limited.exchanges[0]?.requestBody?.size).toBe(Buffer.byteLength(big));
      const ok = await limited.app.inject({ method: 'POST', url: '/MeasureReport', payload: JSON.stringify(measureReport()), headers: { 'content-type': FHIR_JSON } });
      expect(ok.statusCode).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('serves under a base path, with links and Location below it', async () => {
    const based = await testServer({ basePath: '/fhir' });
    try {
      const created = await based.app.inject({ method: 'POST', url: '/fhir/MeasureReport', payload: JSON.stringify(measureReport()), headers: { 'content-type': FHIR_JSON } });
      expect(created.statusCode).toBe(201);
      expect(created.headers['location']).toMatch(/^http:\/\/localhost:80\/fhir\/MeasureReport\//);
      const meta = await based.app.inject({ method: 'GET', url: '/fhir/metadata' });
      expect((JSON.parse(meta.body) as CapabilityStatement).implementation?.url).toBe('http://localhost:80/fhir');
      const outside = await based.app.inject({ method: 'GET', url: '/metadata' });
      expect(outside.statusCode).toBe(404);
    } finally {
      await based.close();
    }
  });
});

describe('hooks', () => {
  it('lets a simulator refuse a write, rewrite a response and react to a stored resource', async () => {
    const stored: string[] = [];
    const hooked = await testServer({
      faults: ['sim-specific'],
      hooks: {
        beforeWrite: (e) => {
          if ((e.resource as MeasureReport).status === 'error') throw new (class extends Error {})('not a FhirError');
          return e.faults.has('sim-specific') ? ({ ...e.resource, language: 'fr' } as MeasureReport) : undefined;
        },
        afterWrite: (e) => {
          stored.push(`${e.stored.resourceType}/${e.stored.id}`);
        },
        beforeSend: (_e, resource) => (resource.resourceType === 'MeasureReport' ? { ...resource, implicitRules: 'http://example.org/rules' } : resource),
        onSendBody: (e, body) => (e.segments[0] === 'metadata' ? body.replace('TestServer', 'Renamed') : body),
      },
    });
    try {
      const res = await hooked.app.inject({ method: 'POST', url: '/MeasureReport', payload: JSON.stringify(measureReport()), headers: { 'content-type': FHIR_JSON } });
      const body = JSON.parse(res.body) as MeasureReport;
      expect(body.language).toBe('fr');
      expect(body.implicitRules).toBe('http://example.org/rules');
      expect(stored).toEqual([`MeasureReport/${body.id}`]);
      const meta = await hooked.app.inject({ method: 'GET', url: '/metadata' });
      expect(meta.body).toContain('Renamed');
      // An unexpected throw in a hook is the server's fault: a 500 OperationOutcome, never a crash.
      const broken = await hooked.app.inject({ method: 'POST', url: '/MeasureReport', payload: JSON.stringify(measureReport({ status: 'error' })), headers: { 'content-type': FHIR_JSON } });
      expect(broken.statusCode).toBe(500);
      expect(outcome(broken.body).issue[0]?.code).toBe('exception');
    } finally {
      await hooked.close();
    }
  });

  it('hands a Bundle POSTed to the base to processBundle, and refuses what is not a Bundle', async () => {
    const seen: string[] = [];
    const hooked = await testServer({
      hooks: {
        processBundle: async (e) => {
          seen.push(e.bundle.type);
          return { resource: { resourceType: 'Bundle', type: 'batch-response', entry: [{ response: { status: '200 OK' } }] }, status: 200 };
        },
      },
    });
    try {
      const send = (payload: string, contentType = FHIR_JSON) => hooked.app.inject({ method: 'POST', url: '/', payload, headers: { 'content-type': contentType } });
      const ok = await send(JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [] }));
      expect(ok.statusCode).toBe(200);
      expect((JSON.parse(ok.body) as Bundle).type).toBe('batch-response');
      expect(seen).toEqual(['batch']);
      expect((await send(JSON.stringify(location))).statusCode).toBe(400);
      expect((await send(JSON.stringify({ resourceType: 'Bundle', type: 'batch' }), 'text/plain')).statusCode).toBe(415);
      expect((await send('')).statusCode).toBe(400);
      expect(seen).toEqual(['batch']);
    } finally {
      await hooked.close();
    }
  });

  it('refuses an unknown fault id at start', async () => {
    await expect(testServer({ faults: ['no-such-fault'] })).rejects.toThrow(/no-such-fault/);
  });
});
