// Real sockets: plain HTTP on 127.0.0.1:0 and HTTPS with a self-signed certificate made by openssl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
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
