// The reference Measure Consumer: every answer a Produce Measure client can get from it (in JSON
// and XML), persistence, $report-csv, Supplemental Data batches, and each of its fault modes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Binary, Bundle, CapabilityStatement, MeasureReport, Observation, OperationOutcome, Parameters, Patient, Resource } from 'fhir/r4.js';
import type { LightMyRequestResponse } from 'fastify';
import { parseJson } from '../../src/fhir/json.js';
import { parseResource, serializeResource, type FhirFormat } from '../../src/fhir/format.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { simulatorPlaying } from '../../simulators/index.js';
import { measureConsumer, startMeasureConsumer, type MeasureConsumerOptions } from '../../simulators/measure-consumer/index.js';

const JSON_TYPE = 'application/fhir+json';
const XML_TYPE = 'application/fhir+xml';
const TYPE_OF: Record<FhirFormat, string> = { json: JSON_TYPE, xml: XML_TYPE };
const BEDS = 'http://measure-conformance.example.org/fhir/Measure/BedCapacity';

/** A valid PublicHealthMeasureReport, as a Measure Source would push it (no id). */
function report(overrides: Partial<MeasureReport> = {}): MeasureReport {
  const text = readFileSync(new URL('../../fixtures/saner/measurereport-beds-camden-2020-04-01.json', import.meta.url), 'utf8');
  const { id: _id, ...r } = parseJson(text) as MeasureReport;
  return { ...r, ...overrides };
}

const open: RunningFhirServer[] = [];
async function start(options: MeasureConsumerOptions = {}): Promise<RunningFhirServer> {
  const server = await startMeasureConsumer(options);
  open.push(server);
  return server;
}
afterAll(async () => {
  while (open.length) await open.pop()?.close();
});

function send(s: RunningFhirServer, method: 'POST' | 'PUT' | 'GET', url: string, body?: Resource | string, format: FhirFormat = 'json', headers: Record<string, string> = {}) {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : serializeResource(body, format);
  return s.app.inject({
    method,
    url,
    ...(payload !== undefined ? { payload } : {}),
    headers: { accept: TYPE_OF[format], ...(payload !== undefined ? { 'content-type': TYPE_OF[format] } : {}), ...headers },
  });
}

function bodyOf<T extends Resource>(res: LightMyRequestResponse, format: FhirFormat = 'json'): T {
  return parseResource(res.body, format) as T;
}

function outcomeOf(res: LightMyRequestResponse, format: FhirFormat = 'json'): OperationOutcome {
  const oo = bodyOf<OperationOutcome>(res, format);
  expect(oo.resourceType).toBe('OperationOutcome');
  return oo;
}

function countOf(r: MeasureReport, code: string): number | undefined {
  for (const g of r.group ?? []) for (const p of g.population ?? []) if (p.code?.coding?.[0]?.code === code) return p.count;
  return undefined;
}

describe.each(['json', 'xml'] as const)('Produce Measure in %s', (format) => {
  let s: RunningFhirServer;
  beforeAll(async () => {
    s = await start();
  });

  it('creates: 201 with Location, ETag and Last-Modified, a server-assigned id, readable back', async () => {
    const res = await send(s, 'POST', '/MeasureReport', { ...report(), id: 'client-chosen' } as MeasureReport, format);
    expect(res.statusCode).toBe(201);
    const created = bodyOf<MeasureReport>(res, format);
    expect(created.id).not.toBe('client-chosen');
    expect(res.headers['location']).toMatch(new RegExp(`/MeasureReport/${created.id}/_history/1$`));
    expect(res.headers['etag']).toBe('W/"1"');
    expect(Date.parse(String(res.headers['last-modified']))).not.toBeNaN();
    const read = await send(s, 'GET', `/MeasureReport/${created.id}`, undefined, format);
    expect(read.statusCode).toBe(200);
    expect(countOf(bodyOf<MeasureReport>(read, format), 'numTotBeds')).toBe(countOf(report(), 'numTotBeds'));
  });

  it('honours Prefer: return=minimal, representation and OperationOutcome', async () => {
    const minimal = await send(s, 'POST', '/MeasureReport', report(), format, { prefer: 'return=minimal' });
    expect(minimal.statusCode).toBe(201);
    expect(minimal.body).toBe('');
    expect(minimal.headers['location']).toBeDefined();
    const full = await send(s, 'POST', '/MeasureReport', report(), format, { prefer: 'return=representation' });
    expect(bodyOf<MeasureReport>(full, format).resourceType).toBe('MeasureReport');
    const oo = await send(s, 'POST', '/MeasureReport', report(), format, { prefer: 'return=OperationOutcome' });
    expect(oo.statusCode).toBe(201);
    expect(outcomeOf(oo, format).issue[0]?.severity).toBe('information');
  });

  it('updates: 200 with the next version, and the read shows the new values', async () => {
    const created = bodyOf<MeasureReport>(await send(s, 'POST', '/MeasureReport', report(), format), format);
    const changed = { ...created, status: 'pending' as const };
    const res = await send(s, 'PUT', `/MeasureReport/${created.id}`, changed, format);
    expect(res.statusCode).toBe(200);
    expect(res.headers['etag']).toBe('W/"2"');
    expect(bodyOf<MeasureReport>(await send(s, 'GET', `/MeasureReport/${created.id}`, undefined, format), format).status).toBe('pending');
  });

  it('creates on update of a new client-defined id (201), which clientIds: false refuses with 405', async () => {
    const res = await send(s, 'PUT', `/MeasureReport/camden-${format}`, { ...report(), id: `camden-${format}` }, format);
    expect(res.statusCode).toBe(201);
    expect(res.headers['location']).toMatch(new RegExp(`/MeasureReport/camden-${format}/_history/1$`));
    const strict = await start({ clientIds: false });
    const refused = await send(strict, 'PUT', '/MeasureReport/camden', { ...report(), id: 'camden' }, format);
    expect(refused.statusCode).toBe(405);
    expect(outcomeOf(refused, format).issue[0]?.code).toBe('not-supported');
    expect((await send(strict, 'POST', '/MeasureReport', report(), format)).statusCode).toBe(201);
  });

  it('refuses a stale If-Match with 412 and applies a current one', async () => {
    const created = bodyOf<MeasureReport>(await send(s, 'POST', '/MeasureReport', report(), format), format);
    const stale = await send(s, 'PUT', `/MeasureReport/${created.id}`, created, format, { 'if-match': 'W/"7"' });
    expect(stale.statusCode).toBe(412);
    outcomeOf(stale, format);
    expect((await send(s, 'PUT', `/MeasureReport/${created.id}`, created, format, { 'if-match': 'W/"1"' })).statusCode).toBe(200);
  });

  it('answers 400 to a malformed body and to base R4 errors, with an OperationOutcome', async () => {
    const broken = await send(s, 'POST', '/MeasureReport', format === 'json' ? '{"resourceType": "MeasureReport",' : '<MeasureReport xmlns="http://hl7.org/fhir">', format);
    expect(broken.statusCode).toBe(400);
    outcomeOf(broken, format);
    const { status: _dropped, ...noStatus } = report();
    const invalid = await send(s, 'POST', '/MeasureReport', noStatus as MeasureReport, format);
    expect(invalid.statusCode).toBe(400);
    expect(JSON.stringify(outcomeOf(invalid, format).issue)).toContain('status');
  });

  it('answers 422 to a SANER profile violation, naming the element', async () => {
    const res = await send(s, 'POST', '/MeasureReport', report({ date: '2020-04-02' }), format);
    expect(res.statusCode).toBe(422);
    expect(outcomeOf(res, format).issue.flatMap((i) => i.expression ?? [])).toContain('MeasureReport.date');
  });

  it('answers 415 to a body that is not FHIR JSON or XML, 404 to a type it does not serve', async () => {
    const wrongType = await s.app.inject({ method: 'POST', url: '/MeasureReport', payload: serializeResource(report(), format), headers: { 'content-type': 'text/plain', accept: TYPE_OF[format] } });
    expect(wrongType.statusCode).toBe(415);
    outcomeOf(wrongType, format);
    const patient: Patient = { resourceType: 'Patient' };
    const unknown = await send(s, 'POST', '/Patient', patient, format);
    expect(unknown.statusCode).toBe(404);
    outcomeOf(unknown, format);
  });
});

describe.each(['json', 'xml'] as const)('bearer token in %s', (format) => {
  it('answers 401 with WWW-Authenticate without the token or with a wrong one', async () => {
    const s = await start({ auth: { bearerToken: 'secret-token' } });
    const missing = await send(s, 'POST', '/MeasureReport', report(), format);
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    outcomeOf(missing, format);
    const wrong = await send(s, 'POST', '/MeasureReport', report(), format, { authorization: 'Bearer guess' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/invalid_token/);
    expect((await send(s, 'POST', '/MeasureReport', report(), format, { authorization: 'Bearer secret-token' })).statusCode).toBe(201);
  });
});

describe('what a client can read back', () => {
  let s: RunningFhirServer;
  beforeAll(async () => {
    s = await start();
  });

  it('serves the seeded Measures, Locations and Organizations', async () => {
    const measure = await send(s, 'GET', '/Measure/BedCapacity');
    expect(measure.statusCode).toBe(200);
    expect(bodyOf<{ resourceType: 'Measure'; url: string } & Resource>(measure).url).toBe(BEDS);
    expect((await send(s, 'GET', '/Location/loc-camden')).statusCode).toBe(200);
    expect((await send(s, 'GET', '/Organization/org-camden')).statusCode).toBe(200);
  });

  it('finds pushed reports by search', async () => {
    await send(s, 'POST', '/MeasureReport', report());
    await send(s, 'POST', '/MeasureReport', report({ measure: 'http://measure-conformance.example.org/fhir/Measure/Other' }));
    const found = bodyOf<Bundle>(await send(s, 'GET', `/MeasureReport?measure=${encodeURIComponent(BEDS)}&subject=Location/loc-camden`));
    expect(found.total).toBe(1);
  });

  it('claims the Consumer statements, batch, update-as-create and $report-csv in its CapabilityStatement', async () => {
    const cs = bodyOf<CapabilityStatement>(await send(s, 'GET', '/metadata'));
    expect(cs.instantiates).toContain('http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureConsumer-ProduceMeasure-Push');
    expect(cs.rest?.[0]?.interaction).toEqual([{ code: 'batch' }]);
    const mr = cs.rest?.[0]?.resource?.find((r) => r.type === 'MeasureReport');
    expect(mr?.profile).toBe('http://hl7.org/fhir/uv/saner/StructureDefinition/PublicHealthMeasureReport');
    expect(mr?.updateCreate).toBe(true);
    expect(cs.rest?.[0]?.resource?.find((r) => r.type === 'Measure')?.operation?.map((o) => o.name)).toEqual(['report-csv']);
    const strict = await start({ clientIds: false });
    const strictCs = bodyOf<CapabilityStatement>(await send(strict, 'GET', '/metadata'));
    expect(strictCs.rest?.[0]?.resource?.find((r) => r.type === 'MeasureReport')?.updateCreate).toBe(false);
  });

  it('is the simulator standing in for the Measure Consumer, knowing the core faults and its own', () => {
    expect(simulatorPlaying('ProduceMeasureConsumer')?.id).toBe('measure-consumer');
    expect(measureConsumer.faultIds()).toEqual(expect.arrayContaining(['accept-invalid', 'no-location-header', 'lose-acknowledged', 'report-csv-ignore-map']));
  });
});

describe('persistence', () => {
  const dirs: string[] = [];
  afterEach(() => {
    while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
  });

  it('keeps acknowledged reports in a file-backed store across a restart, seeding only once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consumer-'));
    dirs.push(dir);
    const storePath = join(dir, 'consumer.sqlite');
    const first = await startMeasureConsumer({ storePath });
    const res = await send(first, 'POST', '/MeasureReport', report());
    expect(res.statusCode).toBe(201);
    const id = bodyOf<MeasureReport>(res).id;
    const seeded = first.store.count();
    await first.close();
    const second = await startMeasureConsumer({ storePath });
    try {
      expect((await send(second, 'GET', `/MeasureReport/${id}`)).statusCode).toBe(200);
      expect(second.store.count()).toBe(seeded);
    } finally {
      await second.close();
    }
  });
});

const CSV = [
  'subject,reporter,period-start,period-end,numTotBeds,numTotBedsOcc,numTotBedsAvail',
  '0008103,1922043702,2020-04-01T00:00:00-04:00,2020-04-01T23:59:59-04:00,200,150,50',
  '0008104,1922043702,2020-04-01T00:00:00-04:00,2020-04-01T23:59:59-04:00,80,60,20',
].join('\n');

function csvParameters(csv: string, extra: Parameters['parameter'] = []): Parameters {
  const input: Binary = { resourceType: 'Binary', contentType: 'text/csv', data: Buffer.from(csv).toString('base64') };
  return {
    resourceType: 'Parameters',
    parameter: [{ name: 'input', resource: input }, { name: 'period-start', valueString: '2020-04-01T00:00:00-04:00' }, { name: 'period-end', valueString: '2020-04-01T23:59:59-04:00' }, ...extra],
  };
}

const reportCsvUrl = '/Measure/BedCapacity/$report-csv';

function reportsOf(s: RunningFhirServer, subject: string): MeasureReport[] {
  const found = s.store.search('MeasureReport', [['subject:identifier', subject]], { baseUrl: '' });
  return (found.entry ?? []).map((e) => e.resource as MeasureReport);
}

describe('$report-csv', () => {
  it('creates a report per subject, then updates the same subject, reporter and period instead of adding one', async () => {
    const s = await start();
    const res = await send(s, 'POST', reportCsvUrl, csvParameters(CSV));
    expect(res.statusCode).toBe(200);
    const bundle = bodyOf<Bundle>(res);
    expect(bundle.type).toBe('batch-response');
    expect(bundle.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
    const [created] = reportsOf(s, '0008103');
    expect(created?.measure).toBe(BEDS);
    expect(countOf(created!, 'numTotBedsOcc')).toBe(150);
    expect(bundle.entry?.[0]?.response?.location).toBe(`MeasureReport/${created?.id}/_history/1`);

    const again = await send(s, 'POST', reportCsvUrl, csvParameters(CSV.replace(',200,150,50', ',200,170,30')));
    expect(bodyOf<Bundle>(again).entry?.map((e) => e.response?.status)).toEqual(['200 OK', '200 OK']);
    const after = reportsOf(s, '0008103');
    expect(after.map((r) => r.id)).toEqual([created?.id]);
    expect(countOf(after[0]!, 'numTotBedsOcc')).toBe(170);
  });

  it('takes a raw text/csv body with the parameters in the query, and honours map', async () => {
    const s = await start();
    const mapped = CSV.replace('numTotBeds,', 'TotalBeds,');
    const query = `?period-start=${encodeURIComponent('2020-04-01T00:00:00-04:00')}&period-end=${encodeURIComponent('2020-04-01T23:59:59-04:00')}&map=${encodeURIComponent('numTotBeds$TotalBeds,numTotBedsOcc,numTotBedsAvail')}`;
    const res = await s.app.inject({ method: 'POST', url: reportCsvUrl + query, payload: mapped, headers: { 'content-type': 'text/csv', accept: JSON_TYPE } });
    expect(res.statusCode).toBe(200);
    expect(countOf(reportsOf(s, '0008104')[0]!, 'numTotBeds')).toBe(80);
  });

  it('refuses a bad cell with 400 naming its row and column, and stores nothing', async () => {
    const s = await start();
    const before = s.store.count('MeasureReport');
    const res = await send(s, 'POST', reportCsvUrl, csvParameters(CSV.replace(',80,60,20', ',80,sixty,20')));
    expect(res.statusCode).toBe(400);
    expect(
      outcomeOf(res)
        .issue.map((i) => i.diagnostics)
        .join('\n'),
    ).toContain('row 3, column "numTotBedsOcc"');
    expect(s.store.count('MeasureReport')).toBe(before);
  });

  it('requires input, period-start and period-end', async () => {
    const s = await start();
    const noPeriod = csvParameters(CSV);
    noPeriod.parameter = noPeriod.parameter?.filter((p) => p.name !== 'period-end');
    const res = await send(s, 'POST', reportCsvUrl, noPeriod);
    expect(res.statusCode).toBe(400);
    expect(outcomeOf(res).issue[0]?.expression).toEqual(['period-end']);
    const onlyStart: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'period-start', valueString: '2020-04-01' }] };
    const noInput = await send(s, 'POST', reportCsvUrl, onlyStart);
    expect(noInput.statusCode).toBe(400);
    expect((await send(s, 'POST', '/Measure/NoSuchMeasure/$report-csv', csvParameters(CSV))).statusCode).toBe(404);
  });
});

const PATIENT: Patient = { resourceType: 'Patient', gender: 'female', birthDate: '1950-02-03' };
const OBSERVATION: Observation = { resourceType: 'Observation', id: 'obs-1', status: 'final', code: { text: 'lactate' } };

function supplemental(overrides: { references?: string[]; patient?: Patient; first?: Resource; type?: Bundle['type'] } = {}): Bundle {
  const references = overrides.references ?? ['urn:uuid:2b5d1a8e-0000-4000-8000-000000000001', 'Observation/obs-1'];
  return {
    resourceType: 'Bundle',
    type: overrides.type ?? 'batch',
    entry: [
      { resource: overrides.first ?? report({ evaluatedResource: references.map((reference) => ({ reference })) }), request: { method: 'POST', url: 'MeasureReport' } },
      { fullUrl: 'urn:uuid:2b5d1a8e-0000-4000-8000-000000000001', resource: overrides.patient ?? PATIENT, request: { method: 'POST', url: 'Patient' } },
      { resource: OBSERVATION, request: { method: 'PUT', url: 'Observation/obs-1' } },
    ],
  };
}

describe('Supplemental Data batch', () => {
  it.each(['json', 'xml'] as const)('stores the report and its evaluated resources (%s), linking them', async (format) => {
    const s = await start();
    const res = await send(s, 'POST', '/', supplemental(), format);
    expect(res.statusCode).toBe(200);
    const answer = bodyOf<Bundle>(res, format);
    expect(answer.type).toBe('batch-response');
    expect(answer.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created', '201 Created']);
    const reportId = answer.entry?.[0]?.response?.location?.split('/')[1];
    const patientId = answer.entry?.[1]?.response?.location?.split('/')[1];
    const stored = s.store.read<MeasureReport>('MeasureReport', reportId!);
    expect(stored.evaluatedResource?.map((r) => r.reference)).toEqual([`Patient/${patientId}`, 'Observation/obs-1']);
    expect(s.store.read<Patient>('Patient', patientId!).birthDate).toBe('1950-02-03');
  });

  it('refuses the report (422) when a referenced resource is missing, still storing the others', async () => {
    const s = await start();
    const answer = bodyOf<Bundle>(await send(s, 'POST', '/', supplemental({ references: ['Observation/obs-1', 'Condition/absent'] })));
    expect(answer.entry?.map((e) => e.response?.status)).toEqual(['422 Unprocessable Entity', '201 Created', '201 Created']);
    expect(answer.entry?.[0]?.response?.outcome).toMatchObject({ issue: [{ expression: ['MeasureReport.evaluatedResource[1]'] }] });
    expect(s.store.count('MeasureReport')).toBe(0);
  });

  it('refuses an invalid referenced resource (400) and the report referencing it (422)', async () => {
    const s = await start();
    const answer = bodyOf<Bundle>(await send(s, 'POST', '/', supplemental({ patient: { ...PATIENT, birthDate: 'yesterday' } })));
    expect(answer.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['422', '400', '201']);
    expect(JSON.stringify(answer.entry?.[0]?.response?.outcome)).toContain('was refused');
  });

  it('refuses a transaction (400) and a batch not starting with the MeasureReport (422)', async () => {
    const s = await start();
    const transaction = await send(s, 'POST', '/', supplemental({ type: 'transaction' }));
    expect(transaction.statusCode).toBe(400);
    expect(outcomeOf(transaction).issue[0]?.expression).toEqual(['Bundle.type']);
    const wrongFirst = await send(s, 'POST', '/', supplemental({ first: PATIENT }));
    expect(wrongFirst.statusCode).toBe(422);
  });

  it('accepts a collection Bundle at [base]/Bundle with a warning (D5)', async () => {
    const s = await start();
    const { entry } = supplemental();
    const collection: Bundle = { resourceType: 'Bundle', type: 'collection', entry: entry?.map(({ resource, fullUrl }) => ({ ...(fullUrl ? { fullUrl } : {}), resource: resource! })) };
    const res = await send(s, 'POST', '/Bundle', collection);
    expect(res.statusCode).toBe(201);
    expect(outcomeOf(res).issue[0]?.severity).toBe('warning');
    const invalid = structuredClone(collection);
    invalid.entry![0]!.resource = report({ date: '2020-04-02' });
    const refused = await send(s, 'POST', '/Bundle', invalid);
    expect(refused.statusCode).toBe(422);
    expect(outcomeOf(refused).issue.flatMap((i) => i.expression ?? [])).toContain('Bundle.entry[0].resource.date');
  });
});

describe('fault modes', () => {
  it('lose-acknowledged answers 201 but the report cannot be read back', async () => {
    const clean = await start();
    const faulty = await start({ faults: ['lose-acknowledged'] });
    for (const [s, readStatus] of [
      [clean, 200],
      [faulty, 410],
    ] as const) {
      const res = await send(s, 'POST', '/MeasureReport', report());
      expect(res.statusCode).toBe(201);
      expect((await send(s, 'GET', `/MeasureReport/${bodyOf<MeasureReport>(res).id}`)).statusCode).toBe(readStatus);
    }
    expect(faulty.store.count('MeasureReport')).toBe(0);
  });

  it('update-creates-duplicate keeps the old report and adds the update as a new one', async () => {
    const faulty = await start({ faults: ['update-creates-duplicate'] });
    const created = bodyOf<MeasureReport>(await send(faulty, 'POST', '/MeasureReport', report()));
    const pending: MeasureReport = { ...created, status: 'pending' };
    const res = await send(faulty, 'PUT', `/MeasureReport/${created.id}`, pending);
    expect(res.statusCode).toBe(200);
    expect(bodyOf<MeasureReport>(await send(faulty, 'GET', `/MeasureReport/${created.id}`)).status).toBe('complete');
    expect(faulty.store.count('MeasureReport')).toBe(2);
    await send(faulty, 'POST', reportCsvUrl, csvParameters(CSV));
    await send(faulty, 'POST', reportCsvUrl, csvParameters(CSV));
    expect(reportsOf(faulty, '0008104')).toHaveLength(2);
  });

  it('auth-ignored serves requests without the configured token', async () => {
    const faulty = await start({ auth: { bearerToken: 'secret-token' }, faults: ['auth-ignored'] });
    expect((await send(faulty, 'POST', '/MeasureReport', report())).statusCode).toBe(201);
  });

  it('report-csv-ignore-map leaves renamed columns unread', async () => {
    const mapped = csvParameters(CSV.replace('numTotBeds,', 'TotalBeds,'), [{ name: 'map', valueString: 'numTotBeds$TotalBeds,numTotBedsOcc,numTotBedsAvail' }]);
    for (const [faults, expected] of [
      [[], 200],
      [['report-csv-ignore-map'], undefined],
    ] as const) {
      const s = await start({ faults: [...faults] });
      expect((await send(s, 'POST', reportCsvUrl, mapped)).statusCode).toBe(200);
      expect(countOf(reportsOf(s, '0008103')[0]!, 'numTotBeds')).toBe(expected);
    }
  });

  it('report-csv-wrong-row-errors names the row before the bad one', async () => {
    const faulty = await start({ faults: ['report-csv-wrong-row-errors'] });
    const res = await send(faulty, 'POST', reportCsvUrl, csvParameters(CSV.replace(',80,60,20', ',80,sixty,20')));
    expect(res.statusCode).toBe(400);
    const text = outcomeOf(res)
      .issue.map((i) => i.diagnostics)
      .join('\n');
    expect(text).toContain('row 2, column "numTotBedsOcc"');
    expect(text).not.toContain('row 3');
  });

  it('batch-refuses-valid-entry refuses every entry of a batch whose report references something it does not carry, storing none', async () => {
    const faulty = await start({ faults: ['batch-refuses-valid-entry'] });
    const answer = bodyOf<Bundle>(await send(faulty, 'POST', '/', supplemental({ references: ['Condition/absent'] })));
    expect(answer.entry?.map((e) => e.response?.status)).toEqual(['422 Unprocessable Entity', '422 Unprocessable Entity', '422 Unprocessable Entity']);
    expect([faulty.store.count('Observation'), faulty.store.count('Patient')]).toEqual([0, 0]);
    const clean = await start();
    const cleanAnswer = bodyOf<Bundle>(await send(clean, 'POST', '/', supplemental({ references: ['Condition/absent'] })));
    expect(cleanAnswer.entry?.slice(1).map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
    // A batch whose references all resolve is processed as usual under the fault.
    const valid = bodyOf<Bundle>(await send(faulty, 'POST', '/', supplemental()));
    expect(valid.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created', '201 Created']);
  });

  it.each(['json', 'xml'] as const)('lose-content-of:%s acknowledges a report sent in that format but stores it without its groups', async (format) => {
    const other = format === 'json' ? 'xml' : 'json';
    const faulty = await start({ faults: [`lose-content-of:${format}`] });
    const lost = await send(faulty, 'POST', '/MeasureReport', report(), format);
    expect(lost.statusCode).toBe(201);
    const lostId = bodyOf<MeasureReport>(lost, format).id;
    expect(bodyOf<MeasureReport>(await send(faulty, 'GET', `/MeasureReport/${lostId}`)).group).toBeUndefined();
    const kept = bodyOf<MeasureReport>(await send(faulty, 'POST', '/MeasureReport', report(), other), other);
    expect(bodyOf<MeasureReport>(await send(faulty, 'GET', `/MeasureReport/${kept.id}`)).group?.length).toBeGreaterThan(0);
  });

  it('ignore-prefer answers return=minimal and return=OperationOutcome with the stored report', async () => {
    const faulty = await start({ faults: ['ignore-prefer'] });
    for (const prefer of ['return=minimal', 'return=OperationOutcome']) {
      const res = await send(faulty, 'POST', '/MeasureReport', report(), 'json', { prefer });
      expect(res.statusCode).toBe(201);
      expect(bodyOf<MeasureReport>(res).resourceType).toBe('MeasureReport');
    }
  });

  it('update-id-from-url stores a PUT under the URL id whatever the body says, in JSON and XML', async () => {
    const faulty = await start({ faults: ['update-id-from-url'] });
    for (const format of ['json', 'xml'] as const) {
      const created = bodyOf<MeasureReport>(await send(faulty, 'POST', '/MeasureReport', report(), format), format);
      const mismatched = await send(faulty, 'PUT', `/MeasureReport/${created.id}`, { ...created, id: 'someone-else' }, format);
      expect(mismatched.statusCode).toBe(200);
      const { id: _id, ...noId } = created;
      expect((await send(faulty, 'PUT', `/MeasureReport/${created.id}`, noId as MeasureReport, format)).statusCode).toBe(200);
    }
    const clean = await start();
    const created = bodyOf<MeasureReport>(await send(clean, 'POST', '/MeasureReport', report()));
    expect((await send(clean, 'PUT', `/MeasureReport/${created.id}`, { ...created, id: 'someone-else' })).statusCode).toBe(400);
  });

  it('invalid-measure serves Measures without their ReportingPeriod extension, read or searched', async () => {
    const faulty = await start({ faults: ['invalid-measure'] });
    const hasPeriod = (m: Resource) => JSON.stringify(m).includes('StructureDefinition/ReportingPeriod');
    expect(hasPeriod(bodyOf(await send(faulty, 'GET', '/Measure/BedCapacity')))).toBe(false);
    expect(hasPeriod(bodyOf(await send(faulty, 'GET', '/Measure?_id=BedCapacity')))).toBe(false);
    const clean = await start();
    expect(hasPeriod(bodyOf(await send(clean, 'GET', '/Measure/BedCapacity')))).toBe(true);
  });

  it('the core faults reach batch entries and CSV reports too', async () => {
    const faulty = await start({ faults: ['skip-profile-validation'] });
    const badDate = supplemental({ first: report({ date: '2020-04-02' }), references: [] });
    expect(bodyOf<Bundle>(await send(faulty, 'POST', '/', badDate)).entry?.[0]?.response?.status).toBe('201 Created');
    const clean = await start();
    expect(bodyOf<Bundle>(await send(clean, 'POST', '/', badDate)).entry?.[0]?.response?.status).toBe('422 Unprocessable Entity');
  });
});
