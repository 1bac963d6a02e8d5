import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bundle, MeasureReport, OperationOutcome } from 'fhir/r4.js';
import { startContentConsumer, type ContentConsumerOptions } from '../../simulators/content-consumer/index.js';
import { simulatorById } from '../../simulators/index.js';
import { serializeResource } from '../../src/fhir/format.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { projectRoot } from '../../src/harness.js';
import { selfSignedCertificate } from '../tls-certificates.js';

const JSON_TYPE = 'application/fhir+json';
const load = <T>(path: string): T => JSON.parse(readFileSync(join(projectRoot, 'fixtures', path), 'utf8')) as T;
const madxReport = () => load<MeasureReport>('madx/measurereport-madx-art-initiation.json');
const rpcReport = () => load<MeasureReport>('rpc/measurereport-rpc-gleason-concordance.json');

let servers: RunningFhirServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function start(options: ContentConsumerOptions = {}): Promise<string> {
  const server = await startContentConsumer(options);
  servers.push(server);
  return server.url;
}

async function send(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: () => unknown; text: string }> {
  const init: RequestInit = { method, redirect: 'manual', headers: { 'content-type': JSON_TYPE, accept: JSON_TYPE, ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: () => JSON.parse(text) as unknown, text };
}

const withId = (r: MeasureReport, id: string): MeasureReport => ({ ...r, id });

describe('Content Consumer registration', () => {
  it('registers an mADX and an RPC configuration with their actors and faults', () => {
    expect(simulatorById('madx-content-consumer')?.plays).toEqual(['MadxContentConsumer']);
    expect(simulatorById('rpc-content-consumer')?.plays).toEqual(['RpcContentConsumer']);
    expect(simulatorById('madx-content-consumer')?.faultIds()).toEqual(expect.arrayContaining(['accept-invalid', 'no-501', 'redirect-loop', 'bundle-severity-error']));
  });
});

describe('mADX Content Consumer, synchronous', () => {
  it('PUT creates (201) then updates (200), in JSON and XML, and the report reads back', async () => {
    const base = await start();
    const r = withId(madxReport(), 'a1');
    expect((await send(`${base}/MeasureReport/a1`, 'PUT', r)).status).toBe(201);
    const xml = serializeResource(r, 'xml');
    expect((await send(`${base}/MeasureReport/a1`, 'PUT', xml, { 'content-type': 'application/fhir+xml' })).status).toBe(200);
    expect((await send(`${base}/MeasureReport`, 'POST', r)).status).toBe(201);
    expect((await send(`${base}/MeasureReport/a1`, 'GET')).status).toBe(200);
  });

  it('answers 422 with fatal issues locating the report and naming the rule set', async () => {
    const base = await start();
    const r = withId(madxReport(), 'bad');
    delete r.subject;
    const res = await send(`${base}/MeasureReport/bad`, 'PUT', r);
    expect(res.status).toBe(422);
    const outcome = res.json() as OperationOutcome;
    expect(outcome.issue.every((i) => i.severity === 'fatal')).toBe(true);
    expect(outcome.issue[0]?.expression).toEqual(['MeasureReport']);
    expect(outcome.issue[0]?.diagnostics).toMatch(/madx-trial-implementation/);
  });

  it('holds a report to the text it declares, else its own: by default the 3.0.0-comment text, which its CapabilityStatement names', async () => {
    const unversioned = (id: string): MeasureReport => ({ ...withId(madxReport(), id), meta: { profile: ['https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport'] } });
    const base = await start();
    const cs = (await send(`${base}/metadata`, 'GET')).json() as { rest: { resource: { supportedProfile?: string[] }[] }[] };
    expect(cs.rest[0]!.resource[0]!.supportedProfile).toEqual(['https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport|3.0.0-comment']);
    const refused = await send(`${base}/MeasureReport/t`, 'PUT', unversioned('t'));
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/improvementNotation is required by the 3\.0\.0-comment text .*rule set madx-comment-draft \(3\.0\.0-comment, the default\)/);
    // The same report declaring the 3.0.0 text is held to it, and taken.
    expect((await send(`${base}/MeasureReport/t`, 'PUT', withId(madxReport(), 't'))).status).toBe(201);
    const trial = await start({ ruleSet: 'trial-implementation' });
    expect((await send(`${trial}/MeasureReport/t`, 'PUT', unversioned('t'))).status).toBe(201);
    const commentShaped = { ...sendFixture('madx', 'measurereport-comment-stratum-value.json'), meta: unversioned('x').meta };
    const byValue = await send(`${trial}/MeasureReport/${commentShaped.id}`, 'PUT', commentShaped);
    expect([byValue.status, byValue.text]).toEqual([422, expect.stringMatching(/madx-trial-implementation \(3\.0\.0, this Consumer's\)/)]);
    expect((await send(`${base}/MeasureReport/${commentShaped.id}`, 'PUT', commentShaped)).status).toBe(201);
  });

  it('answers 400, 404, 405, 412, 415 and 501 per the table, and 401 without credentials', async () => {
    const base = await start({ clientIds: false, auth: { bearerToken: 'secret' } });
    const auth = { authorization: 'Bearer secret' };
    expect((await send(`${base}/MeasureReport/x`, 'PUT', withId(madxReport(), 'x'))).status).toBe(401);
    expect((await send(`${base}/MeasureReport/x`, 'PUT', '{not json', auth)).status).toBe(400);
    expect((await send(`${base}/MeasureReport/x`, 'PUT', withId(madxReport(), 'y'), auth)).status).toBe(400);
    expect((await send(`${base}/Observation/x`, 'PUT', { resourceType: 'Observation', id: 'x' }, auth)).status).toBe(404);
    expect((await send(`${base}/MeasureReport/x`, 'PUT', withId(madxReport(), 'x'), auth)).status).toBe(405);
    expect((await send(`${base}/MeasureReport/x`, 'PUT', JSON.stringify(withId(madxReport(), 'x')), { ...auth, 'content-type': 'text/plain' })).status).toBe(415);
    const created = await send(`${base}/MeasureReport`, 'POST', madxReport(), auth);
    const id = (created.json() as MeasureReport).id!;
    expect((await send(`${base}/MeasureReport/${id}`, 'PUT', withId(madxReport(), id), { ...auth, 'if-match': 'W/"9"' })).status).toBe(412);
    expect((await send(`${base}/MeasureReport/${id}`, 'DELETE', undefined, auth)).status).toBe(501);
  });
});

describe('mADX Content Consumer, collection Bundle', () => {
  const bundle = (entries: MeasureReport[]): Bundle => ({ resourceType: 'Bundle', type: 'collection', entry: entries.map((resource) => ({ resource })) });
  const broken = () => {
    const r = madxReport();
    delete r.subject;
    return r;
  };

  it.each(['', '/Bundle'])('POST [base]%s stores a valid Bundle (200) and answers k invalid entries with k located fatal outcomes (422)', async (path) => {
    const base = await start();
    const ok = await send(`${base}${path}`, 'POST', bundle([withId(madxReport(), 'b0'), withId(madxReport(), 'b1')]));
    expect(ok.status).toBe(200);
    expect((await send(`${base}/MeasureReport/b1`, 'GET')).status).toBe(200);
    const res = await send(`${base}${path}`, 'POST', bundle([broken(), madxReport(), broken()]));
    expect(res.status).toBe(422);
    const outcomes = (res.json() as Bundle).entry!.map((e) => e.resource as OperationOutcome);
    expect(outcomes.map((o) => o.issue[0]?.expression?.[0])).toEqual(['Bundle.entry[0].resource', 'Bundle.entry[2].resource']);
    expect(outcomes.flatMap((o) => o.issue).every((i) => i.severity === 'fatal')).toBe(true);
  });

  it('refuses a batch Bundle with 400 (A3)', async () => {
    const base = await start();
    expect((await send(base, 'POST', { ...bundle([madxReport()]), type: 'batch' })).status).toBe(400);
  });

  it.each([
    ['bundle-issue-without-expression', (o: OperationOutcome[]) => expect(o[0]!.issue[0]!.expression).toBeUndefined()],
    ['bundle-severity-error', (o: OperationOutcome[]) => expect(o[0]!.issue[0]!.severity).toBe('error')],
  ] as const)('fault %s changes the outcomes', async (fault, check) => {
    const base = await start({ faults: [fault] });
    const res = await send(base, 'POST', bundle([broken()]));
    check((res.json() as Bundle).entry!.map((e) => e.resource as OperationOutcome));
  });

  it('fault bundle-single-outcome answers one OperationOutcome; accept-invalid stores it all', async () => {
    expect(((await send(await start({ faults: ['bundle-single-outcome'] }), 'POST', bundle([broken()]))).json() as OperationOutcome).resourceType).toBe('OperationOutcome');
    expect((await send(await start({ faults: ['accept-invalid'] }), 'POST', bundle([broken()]))).status).toBe(200);
  });
});

describe('asynchronous answers', () => {
  it("'202': status URL polled (202, then 303) to the result, the request's own answer", async () => {
    const base = await start({ async: '202' });
    const res = await send(`${base}/MeasureReport/s1`, 'PUT', withId(madxReport(), 's1'));
    expect(res.status).toBe(202);
    const statusUrl = res.headers.get('content-location')!;
    expect(statusUrl).toMatch(/\/_async\//);
    expect((await send(statusUrl, 'GET')).status).toBe(202);
    const done = await send(statusUrl, 'GET');
    expect(done.status).toBe(303);
    const result = await send(done.headers.get('location')!, 'GET');
    expect(result.status).toBe(201);
    expect((result.json() as MeasureReport).id).toBe('s1');
  });

  it("'303' answers straight to the result URL; auth and media-type errors stay synchronous", async () => {
    const base = await start({ async: '303' });
    const res = await send(`${base}/MeasureReport/s2`, 'PUT', withId(madxReport(), 's2'));
    expect(res.status).toBe(303);
    expect((await send(res.headers.get('location')!, 'GET')).status).toBe(201);
    expect((await send(`${base}/MeasureReport/s2`, 'PUT', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('a synchronous Consumer answers the 202 way when asked with Prefer: respond-async', async () => {
    const base = await start();
    const res = await send(`${base}/MeasureReport/p1`, 'PUT', withId(madxReport(), 'p1'), { prefer: 'respond-async' });
    expect(res.status).toBe(202);
    const statusUrl = res.headers.get('content-location')!;
    expect((await send(statusUrl, 'GET')).status).toBe(202);
    const result = await send((await send(statusUrl, 'GET')).headers.get('location')!, 'GET');
    expect(result.status).toBe(201);
    expect((await send(`${base}/MeasureReport/p2`, 'PUT', withId(madxReport(), 'p2'))).status).toBe(201);
  });

  it('fault auth-403 refuses a missing or wrong credential with 403 instead of 401; the right one still passes', async () => {
    const base = await start({ faults: ['auth-403'], auth: { bearerToken: 'secret' } });
    for (const headers of [{}, { authorization: 'Bearer anything' }] as Record<string, string>[]) {
      const res = await send(`${base}/MeasureReport/a1`, 'PUT', withId(madxReport(), 'a1'), headers);
      expect([res.status, (res.json() as OperationOutcome).issue[0]?.code, res.headers.get('www-authenticate')]).toEqual([403, 'forbidden', null]);
    }
    expect((await send(`${base}/MeasureReport/a1`, 'PUT', withId(madxReport(), 'a1'), { authorization: 'Bearer secret' })).status).toBe(201);
    const plain = await send(`${await start({ auth: { bearerToken: 'secret' } })}/MeasureReport/a1`, 'PUT', withId(madxReport(), 'a1'));
    expect([plain.status, (plain.json() as OperationOutcome).resourceType]).toEqual([401, 'OperationOutcome']);
  });

  it("fault expand-entities reads an XML body's DTD and expands its entities instead of refusing it", async () => {
    const report = rpcReport();
    report.group![0]!.code!.text = 'PROBE';
    const dtd = serializeResource(report, 'xml').replace('PROBE', '&probe;').replace('<MeasureReport', '<!DOCTYPE MeasureReport [<!ENTITY probe "expanded-entity">]><MeasureReport');
    const xml = { 'content-type': 'application/fhir+xml' };
    expect((await send(`${await start({ profile: 'rpc' })}/MeasureReport`, 'POST', dtd, xml)).status).toBe(400);
    const expanded = await send(`${await start({ profile: 'rpc', faults: ['expand-entities'] })}/MeasureReport`, 'POST', dtd, xml);
    expect([expanded.status, expanded.text]).toEqual([201, expect.stringContaining('expanded-entity')]);
  });

  it('faults async-no-content-location and redirect-loop', async () => {
    const a = await send(`${await start({ async: '202', faults: ['async-no-content-location'] })}/MeasureReport/f`, 'PUT', withId(madxReport(), 'f'));
    expect(a.status).toBe(202);
    expect(a.headers.get('content-location')).toBeNull();
    const b = await send(`${await start({ async: '202', faults: ['redirect-loop'] })}/MeasureReport/f`, 'PUT', withId(madxReport(), 'f'));
    const statusUrl = b.headers.get('content-location')!;
    const poll = await send(statusUrl, 'GET');
    expect([poll.status, poll.headers.get('location')]).toEqual([303, statusUrl]);
  });
});

describe('RPC Content Consumer and shared faults', () => {
  it('POST creates with 201 and Location, XML too; RPC rules give 422', async () => {
    const base = await start({ profile: 'rpc' });
    const res = await send(`${base}/MeasureReport`, 'POST', rpcReport());
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toMatch(/MeasureReport\//);
    expect((await send(`${base}/MeasureReport`, 'POST', serializeResource(rpcReport(), 'xml'), { 'content-type': 'application/fhir+xml' })).status).toBe(201);
    const bad = rpcReport();
    bad.subject = { reference: 'Location/x' };
    const refused = await send(`${base}/MeasureReport`, 'POST', bad);
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/rpc-lab-90-text/);
    expect((await send(base, 'POST', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: rpcReport() }] })).status).toBe(405);
  });

  it('faults wrong-success-code, no-501, auth-ignored and accept-invalid', async () => {
    expect((await send(`${await start({ profile: 'rpc', faults: ['wrong-success-code'] })}/MeasureReport`, 'POST', rpcReport())).status).toBe(204);
    expect((await send(`${await start({ faults: ['no-501'] })}/MeasureReport/x`, 'PATCH', {})).status).toBe(200);
    expect((await send(`${await start({ faults: ['auth-ignored'], auth: { bearerToken: 't' } })}/MeasureReport`, 'POST', madxReport())).status).toBe(201);
    const bad = rpcReport();
    delete bad.subject;
    expect((await send(`${await start({ profile: 'rpc', faults: ['accept-invalid'] })}/MeasureReport`, 'POST', bad)).status).toBe(201);
  });

  it('faults xml-bodies-400, unserved-type-400 and ignore-body-id break their rows and nothing else', async () => {
    const xmlBase = await start({ faults: ['xml-bodies-400'] });
    const report = withId(madxReport(), 'xml-1');
    expect((await send(`${xmlBase}/MeasureReport/xml-1`, 'PUT', serializeResource(report, 'xml'), { 'content-type': 'application/fhir+xml' })).status).toBe(400);
    expect((await send(`${xmlBase}/MeasureReport/xml-1`, 'PUT', report)).status).toBe(201);
    expect(((await send(`${xmlBase}/metadata`, 'GET')).json() as { format: string[] }).format).toContain('xml');
    const typeBase = await start({ faults: ['unserved-type-400'] });
    expect((await send(`${typeBase}/BiologicallyDerivedProduct/x`, 'PUT', { resourceType: 'BiologicallyDerivedProduct', id: 'x' })).status).toBe(400);
    expect((await send(`${await start()}/BiologicallyDerivedProduct/x`, 'PUT', { resourceType: 'BiologicallyDerivedProduct', id: 'x' })).status).toBe(404);
    expect((await send(`${typeBase}/MeasureReport/t-1`, 'PUT', withId(madxReport(), 't-1'))).status).toBe(201);
    const idBase = await start({ faults: ['ignore-body-id'] });
    expect((await send(`${idBase}/MeasureReport/url-id`, 'PUT', withId(madxReport(), 'body-id'))).status).toBe(201);
    expect(((await send(`${idBase}/MeasureReport/url-id`, 'GET')).json() as MeasureReport).id).toBe('url-id');
    const { id: _none, ...noId } = madxReport();
    expect((await send(`${idBase}/MeasureReport/no-id`, 'PUT', noId)).status).toBe(201);
    expect((await send(`${await start()}/MeasureReport/url-id`, 'PUT', withId(madxReport(), 'body-id'))).status).toBe(400);
  });

  it('serves https when given a certificate', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cc-tls-'));
    selfSignedCertificate(join(dir, 'c.pem'), join(dir, 'k.pem'), { subject: '/CN=127.0.0.1', key: 'rsa', days: 1 });
    const base = await start({ tls: { cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) } });
    expect(base).toMatch(/^https:\/\//);
    const { request } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      request(`${base}/metadata`, { rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
  });
});

const sendFixture = (profile: 'madx' | 'rpc', file: string): MeasureReport => load<MeasureReport>(`${profile}/send/${file}`);

describe('Content Consumer, codes against the Measure the report names', () => {
  it('refuses an mADX group, population or component code the Measure does not define with 422 code-invalid', async () => {
    const base = await start();
    for (const file of ['measurereport-invalid-unknown-indicator.json', 'measurereport-invalid-unknown-population.json', 'measurereport-invalid-unknown-disaggregation.json']) {
      const r = sendFixture('madx', file);
      const res = await send(`${base}/MeasureReport/${r.id}`, 'PUT', r);
      expect(res.status, file).toBe(422);
      const outcome = res.json() as OperationOutcome;
      expect(
        outcome.issue.some((i) => i.code === 'code-invalid' && i.details?.coding?.[0]?.code === 'MADX-MR-013'),
        file,
      ).toBe(true);
    }
    const valid = sendFixture('madx', 'measurereport-valid.json');
    expect((await send(`${base}/MeasureReport/${valid.id}`, 'PUT', valid)).status).toBe(201);
  });

  it('refuses an RPC group code the Measure does not define, and leaves reports of Measures it does not hold unchecked', async () => {
    const base = await start({ profile: 'rpc' });
    const res = await send(`${base}/MeasureReport`, 'POST', sendFixture('rpc', 'measurereport-invalid-unknown-group-code.json'));
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/RPC-CRE-007/);
    expect((await send(`${base}/MeasureReport`, 'POST', sendFixture('rpc', 'measurereport-valid.json'))).status).toBe(201);
    expect((await send(`${base}/MeasureReport`, 'POST', rpcReport())).status).toBe(201);
  });

  it('takes foreign codes under the fault ignore-measure-codes', async () => {
    const base = await start({ faults: ['ignore-measure-codes'] });
    const r = sendFixture('madx', 'measurereport-invalid-unknown-indicator.json');
    expect((await send(`${base}/MeasureReport/${r.id}`, 'PUT', r)).status).toBe(201);
  });
});

describe('mADX Content Consumer, Validate mADX Message option', () => {
  it('claims the option in its CapabilityStatement only when on', async () => {
    const on = (await send(`${await start({ validateMessage: true })}/metadata`, 'GET')).json() as { instantiates?: string[] };
    const off = (await send(`${await start()}/metadata`, 'GET')).json() as { instantiates?: string[] };
    expect(on.instantiates).toContain('https://measure-conformance.example.org/fhir/CapabilityStatement/IHE.mADX.ContentConsumer.ValidateMadxMessage');
    expect(off.instantiates).not.toContain('https://measure-conformance.example.org/fhir/CapabilityStatement/IHE.mADX.ContentConsumer.ValidateMadxMessage');
  });

  it('takes valid reports whose subjects the mCSD directory holds, contained or referenced', async () => {
    const base = await start({ validateMessage: true });
    for (const file of ['measurereport-valid.json', 'measurereport-valid-age-groups.json', 'measurereport-valid-no-stratifier.json', 'measurereport-comment-stratum-value.json']) {
      const r = sendFixture('madx', file);
      expect((await send(`${base}/MeasureReport/${r.id}`, 'PUT', r)).status, file).toBe(201);
    }
    const referenced: MeasureReport = { ...sendFixture('madx', 'measurereport-valid.json'), id: 'referenced', subject: { reference: 'Location/HealthPost2' } };
    expect((await send(`${base}/MeasureReport/referenced`, 'PUT', referenced)).status).toBe(201);
    expect((await send(`${base}/MeasureReport/art`, 'PUT', withId(madxReport(), 'art'))).status).toBe(201);
  });

  it('refuses a disaggregation value outside the linked code set with code-invalid, an unknown subject and an unknown Measure with 422', async () => {
    const base = await start({ validateMessage: true });
    const value = sendFixture('madx', 'measurereport-invalid-unknown-disaggregation-value.json');
    const res = await send(`${base}/MeasureReport/${value.id}`, 'PUT', value);
    expect(res.status).toBe(422);
    expect((res.json() as OperationOutcome).issue.find((i) => i.code === 'code-invalid')?.expression).toContain('MeasureReport.group[0].stratifier[0].stratum[0].component[0].value');
    // A stratum given by value (the 3.0.0-comment form) is held to the code set of its stratifier's code.
    const byValue = sendFixture('madx', 'measurereport-comment-stratum-value.json');
    byValue.group![0]!.stratifier![0]!.stratum![0]!.value = { coding: [{ system: 'http://ihe.net/qrph/madx/TBdiagnosisResult-stratifiers-example', code: 'not-a-result' }] };
    const valueRes = await send(`${base}/MeasureReport/${byValue.id}`, 'PUT', byValue);
    expect([valueRes.status, (valueRes.json() as OperationOutcome).issue.find((i) => i.code === 'code-invalid')?.expression]).toEqual([
      422,
      expect.arrayContaining(['MeasureReport.group[0].stratifier[0].stratum[0].value']),
    ]);
    const subject = sendFixture('madx', 'measurereport-invalid-unknown-subject.json');
    const unknown = await send(`${base}/MeasureReport/${subject.id}`, 'PUT', subject);
    expect(unknown.status).toBe(422);
    expect((unknown.json() as OperationOutcome).issue.some((i) => i.code === 'not-found' && i.expression?.includes('MeasureReport.subject'))).toBe(true);
    const other = { ...sendFixture('madx', 'measurereport-valid.json'), id: 'other-measure', measure: 'http://example.org/Measure/unknown' };
    expect((await send(`${base}/MeasureReport/other-measure`, 'PUT', other)).status).toBe(422);
  });

  it('without the option, and under its faults, takes what only the option refuses', async () => {
    const value = sendFixture('madx', 'measurereport-invalid-unknown-disaggregation-value.json');
    const subject = sendFixture('madx', 'measurereport-invalid-unknown-subject.json');
    const plain = await start();
    expect((await send(`${plain}/MeasureReport/${value.id}`, 'PUT', value)).status).toBe(201);
    expect((await send(`${plain}/MeasureReport/${subject.id}`, 'PUT', subject)).status).toBe(201);
    const noTerminology = await start({ validateMessage: true, faults: ['ignore-terminology'] });
    expect((await send(`${noTerminology}/MeasureReport/${value.id}`, 'PUT', value)).status).toBe(201);
    const noDirectory = await start({ validateMessage: true, faults: ['ignore-unknown-subject'] });
    expect((await send(`${noDirectory}/MeasureReport/${subject.id}`, 'PUT', subject)).status).toBe(201);
  });
});
