// Real sockets: plain HTTP on 127.0.0.1:0 and HTTPS with a self-signed certificate made by openssl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, Client, request } from 'undici';
import type { Bundle, CapabilityStatement, MeasureReport } from 'fhir/r4.js';
import type { HttpExchange } from '../../src/engine/results.js';
import { startFhirServer, type RunningFhirServer } from '../../src/fhir/server/index.js';
import { FHIR_JSON, declaration, measureReport } from './server-helpers.js';
import { selfSignedCertificate } from '../tls-certificates.js';

describe('listening on 127.0.0.1:0', () => {
  let server: RunningFhirServer;
  const exchanges: HttpExchange[] = [];
  beforeAll(async () => {
    server = await startFhirServer({ declaration, basePath: '/fhir', onExchange: (e) => exchanges.push(e) });
  });
  afterAll(() => server.close());

  it('binds to loopback on a free port and reports its base URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
  });

  it('creates, reads back and pages over a real connection', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await request(`${server.url}/MeasureReport`, { method: 'POST', body: JSON.stringify(measureReport()), headers: { 'content-type': FHIR_JSON } });
      expect(res.statusCode).toBe(201);
      const location = String(res.headers['location']);
      expect(location.startsWith(`${server.url}/MeasureReport/`)).toBe(true);
      await res.body.dump();
      const read = await request(location.replace(/\/_history\/\d+$/, ''));
      expect(read.statusCode).toBe(200);
      expect(((await read.body.json()) as MeasureReport).resourceType).toBe('MeasureReport');
    }
    let next: string | undefined = `${server.url}/MeasureReport?_count=2`;
    let total = 0;
    while (next) {
      const res = await request(next);
      const page = (await res.body.json()) as Bundle;
      total += page.entry?.length ?? 0;
      next = page.link?.find((l) => l.relation === 'next')?.url;
    }
    expect(total).toBe(3);
    expect(exchanges.some((e) => e.url.startsWith(`${server.url}/MeasureReport?_count=2`))).toBe(true);
  });

  it('names the sender of each request on one connection, its token hash following the Authorization each request carries', async () => {
    const client = new Client(new URL(server.url).origin, { pipelining: 1 });
    try {
      exchanges.length = 0;
      for (const authorization of ['Bearer token-a', 'Bearer token-b', 'Bearer token-a', undefined]) {
        const res = await client.request({ method: 'GET', path: '/fhir/metadata', headers: authorization ? { authorization } : {} });
        await res.body.dump();
      }
    } finally {
      await client.close();
    }
    const peers = exchanges.map((e) => e.peer);
    expect(peers.map((p) => p?.address)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
    const [a, b, again, none] = peers.map((p) => p?.tokenHash);
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(b).toMatch(/^[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
    expect(again).toBe(a);
    expect(none).toBeUndefined();
  });

  it('records the answer headers that went out: Content-Length for a body, 0 without one, none on a 204, as announced to a HEAD', async () => {
    const created = await request(`${server.url}/MeasureReport`, { method: 'POST', body: JSON.stringify(measureReport()), headers: { 'content-type': FHIR_JSON } });
    await created.body.dump();
    const path = new URL(String(created.headers['location']).replace(/\/_history\/\d+$/, '')).pathname;
    const asked: [string, string, Record<string, string>?][] = [
      ['POST', '/fhir/MeasureReport', { prefer: 'return=minimal' }],
      ['GET', path],
      ['HEAD', path],
      ['GET', '/fhir/Nope/1'],
      ['DELETE', path],
    ];
    const received: { status: number; headers: Record<string, string> }[] = [];
    exchanges.length = 0;
    for (const [method, at, headers] of asked) {
      const res = await request(`${new URL(server.url).origin}${at}`, {
        method: method as 'GET',
        headers: { ...headers, ...(method === 'POST' ? { 'content-type': FHIR_JSON } : {}) },
        ...(method === 'POST' ? { body: JSON.stringify(measureReport()) } : {}),
      });
      await res.body.dump();
      received.push({ status: res.statusCode, headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])) });
    }
    // HEAD is no FHIR interaction: its 405 announces the length of the OperationOutcome it does not send.
    expect(received.map((r) => r.status)).toEqual([201, 200, 405, 404, 204]);
    expect(exchanges.map((e) => e.status)).toEqual([201, 200, 405, 404, 204]);
    exchanges.forEach((e, i) => {
      // What Node adds as it writes the head was never the server's to set.
      const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...sent } = received[i]!.headers;
      expect(e.responseHeaders, `${asked[i]![0]} ${asked[i]![1]}`).toEqual(sent);
    });
    expect(received[0]!.headers['content-length']).toBe('0');
    expect(Number(received[2]!.headers['content-length'])).toBe(exchanges[2]!.responseBody?.size);
    expect(received[4]!.headers['content-length']).toBeUndefined();
  });

  it('answers a malformed URL with a 400 OperationOutcome', async () => {
    const res = await request(`${server.url}/MeasureReport/%E0%A4%A`);
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });

  it('stops a body above the limit from its Content-Length', async () => {
    const small = await startFhirServer({ declaration, bodyLimit: 512 });
    try {
      const res = await request(`${small.url}/MeasureReport`, {
        method: 'POST',
        body: JSON.stringify(measureReport()) + ' '.repeat(4096),
        headers: { 'content-type': FHIR_JSON },
      });
      expect(res.statusCode).toBe(413);
      expect(((await res.body.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    } finally {
      await small.close();
    }
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.runIf(hasOpenssl())('TLS', () => {
  let dir: string;
  let cert: string;
  let server: RunningFhirServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fhir-tls-'));
    selfSignedCertificate(join(dir, 'cert.pem'), join(dir, 'key.pem'), { subject: '/CN=127.0.0.1', ips: ['127.0.0.1'], key: 'rsa', days: 1 });
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = await startFhirServer({ declaration, tls: { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8') }, auth: { bearerToken: 'tok' } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the given certificate, and bearer auth over it', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dispatcher = new Agent({ connect: { ca: cert } });
    try {
      const meta = await request(`${server.url}/metadata`, { dispatcher });
      expect(meta.statusCode).toBe(200);
      const cs = (await meta.body.json()) as CapabilityStatement;
      expect(cs.implementation?.url).toBe(server.url);
      const denied = await request(`${server.url}/MeasureReport`, { dispatcher });
      expect(denied.statusCode).toBe(401);
      await denied.body.dump();
      const allowed = await request(`${server.url}/MeasureReport`, { dispatcher, headers: { authorization: 'Bearer tok' } });
      expect(allowed.statusCode).toBe(200);
      await allowed.body.dump();
    } finally {
      await dispatcher.close();
    }
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(request(`${server.url}/metadata`)).rejects.toThrow();
  });
});
