// Every reference simulator, over real sockets: it listens on 127.0.0.1 unless told otherwise, an
// optional bearer token guards everything but GET metadata (401 + WWW-Authenticate + OperationOutcome),
// it serves HTTPS from a configured certificate and key, and an over-limit body is refused with 413
// while the server keeps serving and keeps what it holds. `serve` applies the same from config.yaml.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { AddressInfo } from 'node:net';
import type { CapabilityStatement, OperationOutcome } from 'fhir/r4.js';
import { simulators } from '../../simulators/index.js';
import { DEFAULT_BODY_LIMIT, type RunningFhirServer } from '../../src/fhir/server/index.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../cli/cli-io.js';
import { selfSignedCertificate } from '../tls-certificates.js';

const TOKEN = 'simulator-token-4f9e2a';
const FHIR_JSON = 'application/fhir+json';

const dir = mkdtempSync(join(tmpdir(), 'mc-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A throwaway self-signed certificate for 127.0.0.1, made for this run only. */
function makeCertificate(): { certFile: string; keyFile: string; cert: string; key: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  selfSignedCertificate(certFile, keyFile, { subject: '/CN=127.0.0.1', ips: ['127.0.0.1', '127.0.0.2'], key: 'rsa', days: 1 });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

async function outcomeOf(res: Awaited<ReturnType<typeof request>>): Promise<OperationOutcome> {
  expect(String(res.headers['content-type'])).toContain(FHIR_JSON);
  const body = (await res.body.json()) as OperationOutcome;
  expect(body.resourceType).toBe('OperationOutcome');
  return body;
}

/**
 * Sends `head` and then `body` over a raw socket, stopping as soon as the server answers, and
 * returns the status and body of the answer: a client that declares or streams too much must get a
 * response, not a reset, whatever undici would do with a half-written request.
 */
function rawExchange(url: string, head: string, body: (write: (chunk: Buffer) => boolean) => Promise<void>): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      answered = true;
      received = Buffer.concat([received, chunk]);
      const text = received.toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, split))?.[1] ?? NaN);
      if (Buffer.byteLength(text.slice(split + 4)) >= length) {
        socket.destroy();
        resolve({ status: Number(text.slice(9, 12)), body: text.slice(split + 4) });
      }
    });
    // A server refusing a body may close while the client still writes (EPIPE); its answer is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => reject(new Error(`connection closed without a complete answer: ${received.toString('utf8').slice(0, 200)}`)));
    socket.on('connect', () => {
      socket.write(head);
      void body((chunk) => (answered || socket.destroyed ? false : socket.write(chunk)));
    });
  });
}

const overLimit = DEFAULT_BODY_LIMIT + 64 * 1024;
const chunk = Buffer.alloc(64 * 1024, 0x20);

describe.each(simulators.map((s) => [s.id, s] as const))('%s', (_id, simulator) => {
  let plain: RunningFhirServer;
  let guarded: RunningFhirServer;
  beforeAll(async () => {
    plain = await simulator.start();
    guarded = await simulator.start({ auth: { bearerToken: TOKEN } });
  });
  afterAll(async () => {
    await plain?.close();
    await guarded?.close();
  });

  it('listens on 127.0.0.1 by default, and on the host it is given', async () => {
    expect((plain.app.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const elsewhere = await simulator.start({ host: '127.0.0.2' });
    try {
      expect((elsewhere.app.server.address() as AddressInfo).address).toBe('127.0.0.2');
      expect(elsewhere.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+/);
      const meta = await request(`${elsewhere.url}/metadata`);
      expect(meta.statusCode).toBe(200);
      await meta.body.dump();
    } finally {
      await elsewhere.close();
    }
  });

  it('with a bearer token: 401, WWW-Authenticate: Bearer and an OperationOutcome without it or with a wrong one; served with it', async () => {
    for (const post of [false, true]) {
      const send = (authorization?: string) =>
        request(`${guarded.url}/MeasureReport`, {
          method: post ? 'POST' : 'GET',
          headers: { accept: FHIR_JSON, ...(post ? { 'content-type': FHIR_JSON } : {}), ...(authorization ? { authorization } : {}) },
          ...(post ? { body: JSON.stringify({ resourceType: 'MeasureReport' }) } : {}),
        });
      const missing = await send();
      expect(missing.statusCode).toBe(401);
      expect(String(missing.headers['www-authenticate'])).toMatch(/^Bearer /);
      expect((await outcomeOf(missing)).issue[0]?.code).toBe('login');
      const wrong = await send('Bearer not-the-token');
      expect(wrong.statusCode).toBe(401);
      expect(String(wrong.headers['www-authenticate'])).toMatch(/^Bearer .*error="invalid_token"/);
      await outcomeOf(wrong);
      const basic = await send(`Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`);
      expect(basic.statusCode).toBe(401);
      await basic.body.dump();
      const right = await send(`Bearer ${TOKEN}`);
      expect(right.statusCode).not.toBe(401);
      await right.body.dump();
    }
  });

  it('keeps GET metadata open with a token configured, so clients can discover the server (the deliberate policy)', async () => {
    const meta = await request(`${guarded.url}/metadata`, { headers: { accept: FHIR_JSON } });
    expect(meta.statusCode).toBe(200);
    expect(((await meta.body.json()) as CapabilityStatement).resourceType).toBe('CapabilityStatement');
  });

  it('answers a body declared larger than the limit with 413 and an OperationOutcome, stores nothing and keeps serving', async () => {
    const before = plain.store.count();
    const { hostname, port } = new URL(plain.url);
    const head = `POST ${new URL(plain.url).pathname.replace(/\/$/, '')}/MeasureReport HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: ${FHIR_JSON}\r\nContent-Length: ${overLimit}\r\n\r\n`;
    const answer = await rawExchange(plain.url, head, async (write) => {
      write(Buffer.from('{"resourceType":"MeasureReport"'));
    });
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as OperationOutcome).issue[0]?.code).toBe('too-long');
    expect(plain.store.count()).toBe(before);
    const meta = await request(`${plain.url}/metadata`);
    expect(meta.statusCode).toBe(200);
    await meta.body.dump();
  });

  it('answers a chunked body that grows past the limit with 413, and keeps serving', async () => {
    const before = plain.store.count();
    const { hostname, port } = new URL(plain.url);
    const head = `POST ${new URL(plain.url).pathname.replace(/\/$/, '')}/MeasureReport HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: ${FHIR_JSON}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const answer = await rawExchange(plain.url, head, async (write) => {
      for (let sent = 0; sent < overLimit * 2; sent += chunk.length) {
        const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
        if (!write(framed)) await new Promise((r) => setTimeout(r, 5));
      }
    });
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as OperationOutcome).resourceType).toBe('OperationOutcome');
    expect(plain.store.count()).toBe(before);
    const meta = await request(`${plain.url}/metadata`);
    expect(meta.statusCode).toBe(200);
    await meta.body.dump();
  });
  it('answers an ordinary client that sends a whole over-limit body with 413, without cutting the connection under it', async () => {
    // A stream of unknown length: undici sends it chunked, reading the answer as it comes.
    const body = Readable.from(
      (function* () {
        for (let sent = 0; sent < overLimit; sent += chunk.length) yield chunk;
      })(),
    );
    const res = await request(`${plain.url}/MeasureReport`, { method: 'POST', headers: { 'content-type': FHIR_JSON }, body });
    expect(res.statusCode).toBe(413);
    expect((await outcomeOf(res)).issue[0]?.code).toBe('too-long');
  });
});

describe('TLS from a configured certificate and key', () => {
  let tls: ReturnType<typeof makeCertificate>;
  beforeAll(() => {
    tls = makeCertificate();
  });

  it.each(simulators.map((s) => [s.id, s] as const))('%s serves HTTPS to a client that trusts the certificate, and nothing to one that does not', async (_id, simulator) => {
    const server = await simulator.start({ tls: { cert: tls.cert, key: tls.key } });
    const trusting = new Agent({ connect: { ca: tls.cert } });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+/);
      const meta = await request(`${server.url}/metadata`, { dispatcher: trusting });
      expect(meta.statusCode).toBe(200);
      expect(((await meta.body.json()) as CapabilityStatement).implementation?.url).toBe(server.url);
      await expect(request(`${server.url}/metadata`)).rejects.toThrow();
      await expect(request(`${server.url.replace(/^https:/, 'http:')}/metadata`)).rejects.toThrow();
    } finally {
      await trusting.close();
      await server.close();
    }
  });

  it('serve starts every simulator on 127.0.0.1 with no config, and with config.yaml on its host, with its certificate and token', async () => {
    const bare = await serveOnce([]);
    expect(bare.urls).toHaveLength(simulators.length);
    for (const url of [...bare.urls, bare.inspector]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);

    const cwd = mkdtempSync(join(dir, 'serve-'));
    writeFileSync(
      join(cwd, 'config.yaml'),
      ['simulators:', '  host: 127.0.0.2', '  tls:', `    certFile: ${tls.certFile}`, `    keyFile: ${tls.keyFile}`, '  auth:', `    bearerToken: ${TOKEN}`].join('\n'),
    );
    const trusting = new Agent({ connect: { ca: tls.cert } });
    try {
      const configured = await serveOnce(['--config', 'config.yaml'], cwd, async (urls, inspector) => {
        // The inspector serves TLS on the simulators' host when they do; with no inspector token it is open there.
        expect(inspector).toMatch(/^https:\/\/127\.0\.0\.2:\d+/);
        const page = await request(`${inspector}/api/exchanges`, { dispatcher: trusting });
        expect(page.statusCode).toBe(200);
        await page.body.dump();
        for (const url of urls) {
          expect(url).toMatch(/^https:\/\/127\.0\.0\.2:\d+/);
          const meta = await request(`${url}/metadata`, { dispatcher: trusting });
          expect(meta.statusCode).toBe(200);
          await meta.body.dump();
          const denied = await request(`${url}/MeasureReport`, { dispatcher: trusting });
          expect(denied.statusCode).toBe(401);
          await denied.body.dump();
        }
      });
      expect(configured.urls).toHaveLength(simulators.length);
    } finally {
      await trusting.close();
    }
  });
});

/** Runs `serve` until it prints its URLs, lets `check` use them, then stops it as Ctrl-C would. */
async function serveOnce(args: string[], cwd = dir, check: (urls: string[], inspector: string) => Promise<void> = async () => undefined): Promise<{ urls: string[]; inspector: string; code: number }> {
  const stop = new AbortController();
  const io = captureIo(cwd, {}, stop.signal);
  const serving = main(['serve', ...args], io);
  let settled = false;
  void serving.finally(() => (settled = true));
  while (!io.out().includes('Ctrl-C') && !settled) await new Promise((r) => setTimeout(r, 20));
  // The simulators' URLs; the inspector's line comes last and is checked apart.
  const urls = [...io.out().matchAll(/^(\S+)\s+(https?:\/\/\S+)/gm)].filter((m) => m[1] !== 'inspector').map((m) => m[2] ?? '');
  const inspector = /^inspector\s+(https?:\/\/\S+)/m.exec(io.out())?.[1];
  expect(inspector, 'serve prints the inspector URL').toBeDefined();
  try {
    await check(urls, inspector ?? '');
  } finally {
    stop.abort();
  }
  const code = await serving;
  // Nothing on stderr but serve's own word that it stopped.
  expect(io.err()).toBe('serve: stopped\n');
  expect(code).toBe(0);
  return { urls, inspector: inspector ?? '', code };
}
