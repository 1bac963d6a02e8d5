// load reaches a SUT the way run does: TLS trust, a client certificate for a server demanding one
// (mutual TLS, its key opened with the passphrase), credentials and headers from --config, and no
// secret of the config in anything it writes or prints.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../cli/cli-io.js';
import { startStandIn, type StandIn } from './stand-in.js';
import { selfSignedCertificate } from '../tls-certificates.js';

const PASSPHRASE = 'load-client-key-passphrase-4410';
const TOKEN = 'load-bearer-token-9921';
const API_KEY = 'load-api-key-5530';

describe('load over mutual TLS with credentials from --config', () => {
  let dir = '';
  let server: StandIn;
  const pem = (name: string) => readFileSync(join(dir, name), 'utf8');
  const config = (name: string, withCertificate: boolean) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      [
        'sut:',
        '  name: TLS stand-in',
        `  baseUrl: ${server.url}`,
        '  auth:',
        `    bearerToken: ${TOKEN}`,
        '  headers:',
        `    X-Api-Key: ${API_KEY}`,
        '  tls:',
        `    caFile: ${join(dir, 'server.pem')}`,
        ...(withCertificate ? [`    certFile: ${join(dir, 'client.pem')}`, `    keyFile: ${join(dir, 'client-key.pem')}`, `    passphrase: ${PASSPHRASE}`] : []),
        'report:',
        `  dir: ${join(dir, 'reports')}`,
        '',
      ].join('\n'),
    );
    return file;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mc-load-tls-'));
    selfSignedCertificate(join(dir, 'server.pem'), join(dir, 'server-key.pem'), { subject: '/CN=127.0.0.1', ips: ['127.0.0.1'] });
    selfSignedCertificate(join(dir, 'client.pem'), join(dir, 'client-key.pem'), { subject: '/CN=harness', passphrase: PASSPHRASE });
    server = await startStandIn({ tls: { key: pem('server-key.pem'), cert: pem('server.pem'), requestCert: true, rejectUnauthorized: true, ca: pem('client.pem') } });
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('presents the client certificate, sends the credentials and headers, and redacts them everywhere', async () => {
    const io = captureIo(dir);
    const out = join(dir, 'out');
    const code = await main(['load', '--config', config('mtls.yaml', true), '--scenario', 'produce-measure', '--requests', '30', '--concurrency', '3', '--out', out], io);
    expect(code, io.err()).toBe(0);
    const load = server.requests.filter((r) => r.url !== '/metadata');
    expect(load.length).toBeGreaterThanOrEqual(30);
    for (const r of server.requests) {
      expect(r.requestHeaders['authorization']).toBe(`Bearer ${TOKEN}`);
      expect(r.requestHeaders['x-api-key']).toBe(API_KEY);
    }
    const written = (await readFile(join(out, 'load.json'), 'utf8')) + (await readFile(join(out, 'load.html'), 'utf8')) + io.out() + io.err();
    for (const secret of [TOKEN, API_KEY, PASSPHRASE]) expect(written).not.toContain(secret);
    expect(io.out()).toContain('findings    none');
  });

  it('without the client certificate the SUT does not answer: exit 3', async () => {
    const io = captureIo(dir);
    expect(await main(['load', '--config', config('no-cert.yaml', false), '--scenario', 'produce-measure', '--requests', '5'], io)).toBe(3);
    expect(io.err()).toMatch(/does not answer: GET metadata got .*(sut\.tls\.certFile|TLS)/);
  });
});
