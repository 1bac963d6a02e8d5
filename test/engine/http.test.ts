import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { HttpClient, TransportError } from '../../src/http/client.js';
import { REDACTED } from '../../src/http/redact.js';
import type { HttpExchange } from '../../src/engine/results.js';
import { startServer, fhirJson, type TestServer } from './servers.js';
import { selfSignedCertificate } from '../tls-certificates.js';

async function failureOf(p: Promise<unknown>): Promise<TransportError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TransportError) return err;
    throw err;
  }
  throw new Error('expected a TransportError, the request succeeded');
}

describe('HttpClient evidence', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url?.startsWith('/big')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(300 * 1024));
        return;
      }
      fhirJson(res, 200, { resourceType: 'Basic', id: 'echo', text: `token s3cr3t-api-key and ${req.headers['authorization']}` }, { 'set-cookie': 'session=abc123; HttpOnly' });
    });
  });
  afterAll(() => server.close());

  it('redacts Authorization, cookies and configured secrets in headers, URL and bodies, but sends them', async () => {
    const seen: HttpExchange[] = [];
    const client = new HttpClient({ baseUrl: server.url, auth: { type: 'bearer', token: 'bearer-token-xyz' }, headers: { 'X-Api-Key': 's3cr3t-api-key' }, secrets: ['s3cr3t-api-key'] }, (e) =>
      seen.push(e),
    );
    const res = await client.request({ url: 'Basic/echo', query: { key: 's3cr3t-api-key' }, headers: { cookie: 'session=abc123' }, body: '{"password":"s3cr3t-api-key"}', method: 'POST' });
    await client.close();

    expect(res.status).toBe(200);
    expect(server.requests.at(-1)!.headers['authorization']).toBe('Bearer bearer-token-xyz');
    expect(server.requests.at(-1)!.headers['x-api-key']).toBe('s3cr3t-api-key');
    expect(seen).toHaveLength(1);
    const ex = seen[0]!;
    expect(ex.requestHeaders['authorization']).toBe(REDACTED);
    expect(ex.requestHeaders['cookie']).toBe(REDACTED);
    expect(ex.requestHeaders['x-api-key']).toBe(REDACTED);
    expect(ex.responseHeaders!['set-cookie']).toBe(REDACTED);
    expect(ex.url).toBe(`${server.url}/Basic/echo?key=${REDACTED}`);
    expect(ex.requestBody!.text).toBe(`{"password":"${REDACTED}"}`);
    const evidence = JSON.stringify(ex);
    expect(evidence).not.toContain('s3cr3t-api-key');
    expect(evidence).not.toContain('bearer-token-xyz');
    expect(evidence).not.toContain('abc123');
    // The test still sees the real body: redaction is for evidence only.
    expect(res.text).toContain('s3cr3t-api-key');
  });

  it('an anonymous request carries none of the configured credentials (auth, configured headers), only the headers it is given', async () => {
    const client = new HttpClient({ baseUrl: server.url, auth: { type: 'bearer', token: 'bearer-token-xyz' }, headers: { 'X-Api-Key': 's3cr3t-api-key' } });
    await client.request({ url: 'Basic/echo', anonymous: true });
    expect([server.requests.at(-1)!.headers['authorization'], server.requests.at(-1)!.headers['x-api-key']]).toEqual([undefined, undefined]);
    await client.request({ url: 'Basic/echo', anonymous: true, headers: { authorization: 'Bearer wrong' } });
    expect(server.requests.at(-1)!.headers['authorization']).toBe('Bearer wrong');
    await client.request({ url: 'Basic/echo' });
    expect(server.requests.at(-1)!.headers['authorization']).toBe('Bearer bearer-token-xyz');
    await client.close();
  });

  it("does not send an https SUT's credentials to a plain-http URL", async () => {
    const client = new HttpClient({ baseUrl: 'https://127.0.0.1:1/fhir', auth: { type: 'bearer', token: 'bearer-token-xyz' } });
    const res = await client.request({ url: `${server.url}/Basic/echo`, headers: { cookie: 'session=abc123' } });
    await client.close();
    expect(res.status).toBe(200);
    expect(server.requests.at(-1)!.headers['authorization']).toBeUndefined();
    expect(server.requests.at(-1)!.headers['cookie']).toBeUndefined();
  });

  it("sends the SUT's credentials to its origin only: not to a link on another server, nor through a redirect to one", async () => {
    const other = await startServer((req, res) => {
      if (req.url?.startsWith('/hop')) {
        res.writeHead(302, { location: `${server.url}/Basic/echo` });
        res.end();
        return;
      }
      fhirJson(res, 200, { resourceType: 'Basic', id: 'other' });
    });
    const client = new HttpClient({ baseUrl: `${server.url}/fhir`, auth: { type: 'bearer', token: 'bearer-token-xyz' }, headers: { 'X-Api-Key': 's3cr3t-api-key', 'X-Trace': 'kept' } });
    try {
      // A next link or a Data Source on another server: nothing of the SUT's credentials, whatever the caller passed.
      await client.request({ url: `${other.url}/Basic/other`, headers: { cookie: 'session=abc123', accept: 'application/fhir+json' } });
      const there = other.requests.at(-1)!.headers;
      expect([there['authorization'], there['x-api-key'], there['cookie'], there['x-trace']]).toEqual([undefined, undefined, undefined, undefined]);
      expect(there['accept']).toBe('application/fhir+json');
      // The SUT itself still gets them.
      await client.request({ url: 'Basic/echo' });
      expect([server.requests.at(-1)!.headers['authorization'], server.requests.at(-1)!.headers['x-api-key']]).toEqual(['Bearer bearer-token-xyz', 's3cr3t-api-key']);
      // From the SUT to another origin by redirect: the configured headers go with the credentials.
      const client2 = new HttpClient({ baseUrl: other.url, auth: { type: 'bearer', token: 'bearer-token-xyz' }, headers: { 'X-Api-Key': 's3cr3t-api-key' } });
      const res = await client2.request({ url: 'hop' });
      await client2.close();
      expect(res.status).toBe(200);
      expect(other.requests.at(-1)!.headers['x-api-key']).toBe('s3cr3t-api-key');
      expect([server.requests.at(-1)!.headers['authorization'], server.requests.at(-1)!.headers['x-api-key']]).toEqual([undefined, undefined]);
    } finally {
      await client.close();
      await other.close();
    }
  });

  it('redacts the base64 form of basic credentials wherever it is echoed', async () => {
    const seen: HttpExchange[] = [];
    const client = new HttpClient({ baseUrl: server.url, auth: { type: 'basic', username: 'alice', password: 'wonderland' } }, (e) => seen.push(e));
    await client.request({ url: 'x' });
    await client.close();
    const evidence = JSON.stringify(seen);
    expect(evidence).not.toContain(Buffer.from('alice:wonderland').toString('base64'));
    expect(evidence).toContain(REDACTED);
  });

  it('captures bodies up to the limit, marking size and truncation, while the test gets the whole body', async () => {
    const seen: HttpExchange[] = [];
    const client = new HttpClient({ baseUrl: server.url }, (e) => seen.push(e));
    const res = await client.request({ url: 'big' });
    await client.close();
    expect(res.text).toHaveLength(300 * 1024);
    const body = seen[0]!.responseBody!;
    expect(body.size).toBe(300 * 1024);
    expect(body.truncated).toBe(true);
    expect(body.text).toHaveLength(256 * 1024);
  });

  it('does not mark a body under the limit as truncated', async () => {
    const seen: HttpExchange[] = [];
    const client = new HttpClient({ baseUrl: server.url, captureBytes: 1 << 20 }, (e) => seen.push(e));
    await client.request({ url: 'big' });
    await client.close();
    expect(seen[0]!.responseBody!.truncated).toBe(false);
    expect(seen[0]!.responseBody!.text).toHaveLength(300 * 1024);
  });
});

describe('HttpClient against misbehaving servers', () => {
  let server: TestServer;
  const timers = new Set<NodeJS.Timeout>();
  beforeAll(async () => {
    server = await startServer((req, res) => {
      switch (req.url) {
        case '/hang':
          return; // never answers
        case '/trickle': {
          res.writeHead(200, { 'content-type': 'application/fhir+json' });
          res.write('{');
          const t = setInterval(() => res.write(' '), 50);
          timers.add(t);
          res.on('close', () => clearInterval(t));
          return;
        }
        case '/reset':
          req.socket.destroy();
          return;
        case '/cut': {
          res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': '1000' });
          res.write('{"resourceType":');
          setTimeout(() => req.socket.destroy(), 20);
          return;
        }
        case '/huge':
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(Buffer.alloc(2 * 1024 * 1024, 1));
          return;
        case '/a':
          res.writeHead(302, { location: '/b' });
          return res.end();
        case '/b':
          res.writeHead(302, { location: `${server.url}/a` });
          return res.end();
        case '/old':
          res.writeHead(303, { location: '/new' });
          return res.end();
        case '/new':
          return fhirJson(res, 200, { resourceType: 'Basic', id: req.method ?? '' });
        default: {
          const m = /^\/hop(\d+)$/.exec(req.url ?? '');
          if (m) {
            res.writeHead(307, { location: `/hop${Number(m[1]) + 1}` });
            return res.end();
          }
          res.writeHead(404);
          res.end();
        }
      }
    });
  });
  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    await server.close();
  });

  it('a server that never answers ends with a timeout error naming the limit', async () => {
    const seen: HttpExchange[] = [];
    const client = new HttpClient({ baseUrl: server.url, timeouts: { headersMs: 300 } }, (e) => seen.push(e));
    const err = await failureOf(client.request({ url: 'hang' }));
    await client.close();
    expect(err.failure).toBe('timeout');
    expect(err.message).toContain('no response headers within 300 ms');
    expect(err.message).toContain('/hang');
    expect(seen[0]!.error).toContain('300 ms');
  });

  it('a body trickled slower than the deadline ends with a timeout error, keeping what arrived', async () => {
    const seen: HttpExchange[] = [];
    const client = new HttpClient({ baseUrl: server.url, timeouts: { bodyMs: 400 } }, (e) => seen.push(e));
    const err = await failureOf(client.request({ url: 'trickle' }));
    await client.close();
    expect(err.failure).toBe('timeout');
    expect(err.message).toMatch(/response body not complete within 400 ms \(received \d+ bytes so far\)/);
    expect(seen[0]!.status).toBe(200);
    expect(seen[0]!.responseBody!.text.startsWith('{')).toBe(true);
  });

  it('the whole-request deadline also stops a trickle', async () => {
    const client = new HttpClient({ baseUrl: server.url, timeouts: { requestMs: 300 } });
    const err = await failureOf(client.request({ url: 'trickle' }));
    await client.close();
    expect(err.message).toContain('no complete response within 300 ms');
  });

  it('a connection reset before the response is a reset error', async () => {
    const client = new HttpClient({ baseUrl: server.url });
    const err = await failureOf(client.request({ url: 'reset' }));
    await client.close();
    expect(err.failure).toBe('reset');
    expect(err.message).toContain('connection closed by the server');
  });

  it('a connection closed in the middle of the body is a reset error', async () => {
    const client = new HttpClient({ baseUrl: server.url });
    const err = await failureOf(client.request({ url: 'cut' }));
    await client.close();
    expect(err.failure).toBe('reset');
  });

  it('a response over the size limit is aborted with a clear error', async () => {
    const client = new HttpClient({ baseUrl: server.url, maxResponseBytes: 1024 * 1024 });
    const err = await failureOf(client.request({ url: 'huge' }));
    await client.close();
    expect(err.failure).toBe('too-large');
    expect(err.message).toContain('exceeds the 1 MiB limit');
  });

  it('a redirect loop is reported with the chain', async () => {
    const client = new HttpClient({ baseUrl: server.url });
    const err = await failureOf(client.request({ url: 'a' }));
    await client.close();
    expect(err.failure).toBe('redirect');
    expect(err.message).toBe(`redirect loop: ${server.url}/a -> ${server.url}/b -> ${server.url}/a`);
  });

  it('stops after the redirect limit', async () => {
    const client = new HttpClient({ baseUrl: server.url, maxRedirects: 3 });
    const err = await failureOf(client.request({ url: 'hop0' }));
    await client.close();
    expect(err.message).toMatch(/^more than 3 redirects: .*hop0 -> .*hop1 -> .*hop2 -> .*hop3 -> .*hop4$/);
  });

  it('follows a 303 with a GET and keeps each hop as evidence', async () => {
    const seen: HttpExchange[] = [];
    const client = new HttpClient({ baseUrl: server.url }, (e) => seen.push(e));
    const res = await client.request({ url: 'old', method: 'POST', body: '{}' });
    await client.close();
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).id).toBe('GET');
    expect(res.url).toBe(`${server.url}/new`);
    expect(seen.map((e) => `${e.method} ${e.status}`)).toEqual(['POST 303', 'GET 200']);
  });

  it('returns the 3xx itself when asked not to follow', async () => {
    const client = new HttpClient({ baseUrl: server.url });
    const res = await client.request({ url: 'old', followRedirects: false });
    await client.close();
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe('/new');
  });

  it('a closed port is a connect error that says so', async () => {
    const probe = await startServer(() => undefined);
    const url = probe.url;
    await probe.close();
    const client = new HttpClient({ baseUrl: url });
    const err = await failureOf(client.request({ url: 'metadata' }));
    await client.close();
    expect(err.failure).toBe('connect');
    expect(err.message).toContain('connection refused');
  });

  it('an aborted signal stops a hanging request', async () => {
    const client = new HttpClient({ baseUrl: server.url });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('interrupted')), 100);
    const err = await failureOf(client.request({ url: 'hang', signal: controller.signal }));
    await client.close();
    expect(err.failure).toBe('aborted');
    expect(err.message).toContain('interrupted');
  });
});

describe('HttpClient TLS', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mc-tls-'));
    selfSignedCertificate(join(dir, 'cert.pem'), join(dir, 'key.pem'), { subject: '/CN=127.0.0.1', ips: ['127.0.0.1'], ca: true, key: 'rsa' });
    server = await startServer((_req, res) => fhirJson(res, 200, { resourceType: 'Basic' }), {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an untrusted certificate with advice', async () => {
    const client = new HttpClient({ baseUrl: server.url });
    const err = await failureOf(client.request({ url: 'metadata' }));
    await client.close();
    expect(err.failure).toBe('tls');
    expect(err.message).toContain('tls.caFile');
  });

  it('trusts the certificate given as CA file', async () => {
    const client = new HttpClient({ baseUrl: server.url, tls: { caFile: join(dir, 'cert.pem') } });
    const res = await client.request({ url: 'metadata' });
    await client.close();
    expect(res.status).toBe(200);
  });

  it('accepts any certificate only with the explicit insecure flag', async () => {
    const client = new HttpClient({ baseUrl: server.url, tls: { insecure: true } });
    const res = await client.request({ url: 'metadata' });
    await client.close();
    expect(res.status).toBe(200);
  });

  it('a CA file that cannot be read is a harness error naming it', () => {
    expect(() => new HttpClient({ tls: { caFile: join(dir, 'missing.pem') } })).toThrow(/tls.caFile .*missing.pem cannot be read/);
  });
});

describe('HttpClient mutual TLS', () => {
  let dir: string;
  let server: TestServer;
  const PASSPHRASE = 'client-key-passphrase-7781';
  const pem = (name: string) => readFileSync(join(dir, name), 'utf8');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mc-mtls-'));
    selfSignedCertificate(join(dir, 'server.pem'), join(dir, 'server-key.pem'), { subject: '/CN=127.0.0.1', ips: ['127.0.0.1'], key: 'rsa' });
    // The harness's client key is encrypted: the passphrase from config opens it.
    selfSignedCertificate(join(dir, 'client.pem'), join(dir, 'client-key.pem'), { subject: '/CN=harness', passphrase: PASSPHRASE, key: 'rsa' });
    server = await startServer(
      (req, res) =>
        fhirJson(res, 200, { resourceType: 'Basic', id: 'echo', text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${String(req.headers['x-echo'] ?? '')}</div>` } }),
      { key: pem('server-key.pem'), cert: pem('server.pem'), requestCert: true, rejectUnauthorized: true, ca: pem('client.pem') },
    );
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a server demanding a client certificate refuses a client without one', async () => {
    const client = new HttpClient({ baseUrl: server.url, tls: { ca: pem('server.pem') } });
    const err = await failureOf(client.request({ url: 'metadata' }));
    await client.close();
    expect(['tls', 'reset']).toContain(err.failure);
    expect(err.message).toContain('sut.tls.certFile');
  });

  it('presents the configured certificate, opening its key with the passphrase, and redacts key and passphrase', async () => {
    const exchanges: HttpExchange[] = [];
    const client = new HttpClient({ baseUrl: server.url, tls: { ca: pem('server.pem'), cert: pem('client.pem'), key: pem('client-key.pem'), passphrase: PASSPHRASE } });
    const res = await client.withListener((e) => exchanges.push(e)).request({ url: 'metadata', headers: { 'x-echo': PASSPHRASE } });
    await client.close();
    expect(res.status).toBe(200);
    expect(res.text).toContain(PASSPHRASE);
    const evidence = JSON.stringify(exchanges);
    expect(evidence).toContain(REDACTED);
    expect(evidence).not.toContain(PASSPHRASE);
  });

  it('an anonymous request leaves the client certificate out, as a client that does not authenticate itself; the others still present it', async () => {
    const client = new HttpClient({ baseUrl: server.url, tls: { ca: pem('server.pem'), cert: pem('client.pem'), key: pem('client-key.pem'), passphrase: PASSPHRASE } });
    const shared = client.withListener(() => undefined);
    const err = await failureOf(shared.request({ url: 'metadata', anonymous: true }));
    expect(['tls', 'reset']).toContain(err.failure);
    expect((await shared.request({ url: 'metadata' })).status).toBe(200);
    await client.close();
  });

  it('a certificate without its key is a harness error', () => {
    expect(() => new HttpClient({ tls: { cert: 'x' } })).toThrow(/client certificate needs its key/);
  });
});

describe('HttpClient with an explicit MockAgent dispatcher', () => {
  it('routes through the given dispatcher, so tests need no network', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('http://sut.invalid')
      .intercept({ path: '/fhir/metadata', method: 'GET' })
      .reply(200, '{"resourceType":"CapabilityStatement"}', { headers: { 'content-type': 'application/fhir+json' } });
    const client = new HttpClient({ baseUrl: 'http://sut.invalid/fhir', dispatcher: agent });
    const res = await client.request({ url: 'metadata' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/fhir+json');
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
});
