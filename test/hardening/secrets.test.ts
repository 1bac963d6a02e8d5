// biome-ignore-all lint/suspicious/noTemplateCurlyInString: '${VAR}' is config.yaml's own syntax for an environment variable, written as text.
// Every secret config.yaml can hold (SUT bearer token, basic-auth password, extra header values,
// webhook trigger headers, values from ${VAR}, the simulators' bearer token) is used for real in a
// `run` against SUTs that refuse requests without it, and then looked for, in each form it travels
// in, in everything the run leaves behind: every file under the working folder and the console.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { request } from 'undici';
import { main } from '../../src/cli/main.js';
import { measureSource } from '../../simulators/measure-source/index.js';
import { measureSourceClient } from '../../simulators/measure-source-client/index.js';
import { measureConsumerClient } from '../../simulators/measure-consumer-client/index.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { captureIo } from '../cli/cli-io.js';

const secret = {
  bearer: 'tok-5ecr3t-bearer-9q7w',
  basicUser: 'harness-user',
  password: 'pw-5ecr3t-basic-4k2z',
  apiKey: 'key-5ecr3t-apikey-8m1x',
  hookKey: 'hook-5ecr3t-webhook-3x9c',
  commandKey: 'cmd-5ecr3t-command-7v4b',
  simulatorToken: 'sim-5ecr3t-serve-2p6n',
};

/** Each secret in every form it can travel in: raw, in an Authorization header, base64 in Basic, percent-encoded. */
function forms(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(secret)) {
    if (name === 'basicUser') continue;
    out.set(name, value);
    out.set(`${name} as Bearer`, `Bearer ${value}`);
    out.set(`${name} percent-encoded`, encodeURIComponent(value));
  }
  out.set('basic credentials (base64)', Buffer.from(`${secret.basicUser}:${secret.password}`).toString('base64'));
  return out;
}

/** Every file under `dir` but the config (which holds the secrets on purpose), as path -> text. */
function filesUnder(dir: string, skip: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      // statSync follows links: reports/latest may be one.
      if (statSync(path).isDirectory()) walk(path);
      else if (path !== skip) files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

function leaks(outputs: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of outputs) {
    for (const [form, value] of forms()) if (text.includes(value)) found.push(`${form} in ${where}`);
  }
  return found;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A SUT that insists on credentials: it answers 401 unless the request carries `authorization` and
 * the API key header, then forwards it (without them) to a reference Measure Source.
 */
async function guardedSut(upstream: string, authorization: string): Promise<{ server: Server; url: string; authorized: () => number }> {
  let authorized = 0;
  const { server, url } = await listen((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      if (req.headers['authorization'] !== authorization || req.headers['x-api-key'] !== secret.apiKey) {
        res.writeHead(401, { 'content-type': 'application/fhir+json', 'www-authenticate': 'Bearer' });
        res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'credentials required' }] }));
        return;
      }
      authorized++;
      const { authorization: _a, 'x-api-key': _k, connection: _c, ...headers } = req.headers;
      const answer = await request(`${upstream}${req.url ?? '/'}`, {
        method: req.method as 'GET',
        headers: headers as Record<string, string>,
        ...(body.length ? { body } : {}),
      });
      const { 'transfer-encoding': _t, connection: _cc, 'keep-alive': _ka, ...back } = answer.headers;
      res.writeHead(answer.statusCode, back as Record<string, string>);
      res.end(Buffer.from(await answer.body.arrayBuffer()));
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  return { server, url, authorized: () => authorized };
}

describe('secrets from config.yaml never reach an output', () => {
  const dirs: string[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  let upstream: RunningFhirServer;
  let bearerSut: Awaited<ReturnType<typeof guardedSut>>;
  let basicSut: Awaited<ReturnType<typeof guardedSut>>;
  /** The client SUT's control endpoint: the webhook and the command both land here, each with its key. */
  let control: { url: string; calls: { hook: number; command: number } };

  beforeAll(async () => {
    upstream = await measureSource.start();
    closers.push(() => upstream.close());
    bearerSut = await guardedSut(upstream.url, `Bearer ${secret.bearer}`);
    basicSut = await guardedSut(upstream.url, `Basic ${Buffer.from(`${secret.basicUser}:${secret.password}`).toString('base64')}`);
    const calls = { hook: 0, command: 0 };
    const controlServer = await listen((req, res) => {
      void (async () => {
        await bodyOf(req);
        const target = new URL(req.url ?? '/', 'http://control').searchParams.get('simulator') ?? '';
        if (req.url?.startsWith('/push') && req.headers['x-hook-key'] === secret.hookKey) {
          calls.hook++;
          await measureSourceClient.run({ baseUrl: target, options: ['Push', 'CSV', 'SupplementalData'] });
        } else if (req.url?.startsWith('/query') && req.headers['x-command-key'] === secret.commandKey) {
          calls.command++;
          await measureConsumerClient.run({ baseUrl: target, options: ['Pull', 'CSV'] });
        } else {
          res.writeHead(403);
          res.end();
          return;
        }
        res.writeHead(200);
        res.end('done');
      })().catch((e: unknown) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
    control = { url: controlServer.url, calls };
    for (const s of [bearerSut.server, basicSut.server, controlServer.server]) closers.push(() => new Promise((r) => s.close(r)));
  });
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function workdir(config: string[]): string {
    const cwd = mkdtempSync(join(tmpdir(), 'mc-secrets-'));
    dirs.push(cwd);
    writeFileSync(join(cwd, 'config.yaml'), config.join('\n'));
    return cwd;
  }

  it('bearer token and API key (from ${VAR}), a webhook trigger header written in the file, a command trigger that prints its secret, and the simulator token', async () => {
    // The command echoes its secret, as a careless script would, and calls the SUT's control endpoint with it.
    const command = `node -e "console.log('using key ${'${CMD_KEY}'}'); fetch('${control.url}/query?simulator=' + encodeURIComponent(process.env.MC_SIMULATOR_URL), { method: 'POST', headers: { 'x-command-key': '${'${CMD_KEY}'}' } }).then((r) => process.exit(r.ok ? 0 : 1))"`;
    const cwd = workdir([
      'sut:',
      '  name: Guarded by a bearer token',
      `  baseUrl: ${bearerSut.url}`,
      '  actors: [QueryMeasureSource, QueryMeasureConsumer, ProduceMeasureSource]',
      '  auth:',
      '    bearerToken: ${SUT_TOKEN}',
      '  headers:',
      '    X-Api-Key: ${API_KEY}',
      '  triggers:',
      '    MeasureSource:',
      '      type: webhook',
      `      url: ${control.url}/push?simulator={MC_SIMULATOR_URL}`,
      '      headers:',
      `        X-Hook-Key: ${secret.hookKey}`,
      '    MeasureConsumer:',
      '      type: command',
      `      command: ${JSON.stringify(command)}`,
      'suites: [fhir-core/*, saner/query-measure/measure-source, saner/query-measure/measure-consumer, saner/produce-measure/measure-source]',
      'simulators:',
      '  auth:',
      '    bearerToken: ${SIM_TOKEN}',
    ]);
    const io = captureIo(cwd, {
      SUT_TOKEN: secret.bearer,
      API_KEY: secret.apiKey,
      CMD_KEY: secret.commandKey,
      SIM_TOKEN: secret.simulatorToken,
    });
    const code = await main(['run', '--out', 'out', '--fail-on', 'never'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    // Each secret was used: the SUT served authorized requests, and both triggers reached the control endpoint.
    expect(bearerSut.authorized()).toBeGreaterThan(0);
    expect(control.calls.hook).toBeGreaterThan(0);
    expect(control.calls.command).toBeGreaterThan(0);
    const results = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8')) as { tests: { verdict: string }[] };
    expect(results.tests.filter((t) => t.verdict === 'error')).toEqual([]);

    const outputs = filesUnder(cwd, join(cwd, 'config.yaml'));
    expect([...outputs.keys()]).toEqual(expect.arrayContaining(['out/index.html', 'out/results.json', 'out/junit.xml', 'out/summary.md']));
    outputs.set('stdout', io.out());
    outputs.set('stderr', io.err());
    expect(outputs.get('out/results.json')).toContain('[redacted]');
    expect(leaks(outputs)).toEqual([]);
  }, 180_000);

  it('basic-auth password written in the file, and its base64 credentials', async () => {
    const cwd = workdir([
      'sut:',
      '  name: Guarded by basic auth',
      `  baseUrl: ${basicSut.url}`,
      '  auth:',
      '    basic:',
      `      username: ${secret.basicUser}`,
      `      password: ${secret.password}`,
      '  headers:',
      `    X-Api-Key: ${secret.apiKey}`,
      'suites: [fhir-core/*, saner/query-measure/measure-source]',
    ]);
    const io = captureIo(cwd);
    expect(await main(['run', '--out', 'out'], io)).toBe(0);
    expect(basicSut.authorized()).toBeGreaterThan(0);
    const outputs = filesUnder(cwd, join(cwd, 'config.yaml'));
    outputs.set('stdout', io.out());
    outputs.set('stderr', io.err());
    expect(leaks(outputs)).toEqual([]);
  }, 180_000);

  it('a failing command trigger whose command line and output hold the secret: the reason on the console and in the reports is redacted', async () => {
    const cwd = workdir([
      'sut:',
      '  name: Broken client',
      '  actors: [MeasureConsumer]',
      '  triggers:',
      '    MeasureConsumer:',
      '      type: command',
      `      command: "node -e \\"console.error('login with ${'${CMD_KEY}'} refused'); process.exit(3)\\""`,
      'suites: [saner/query-measure/measure-consumer]',
    ]);
    const io = captureIo(cwd, { CMD_KEY: secret.commandKey });
    expect(await main(['run', '--out', 'out', '--fail-on', 'never'], io)).toBe(0);
    // The console shows each failing test's reason: how the command ended and what it printed last.
    expect(io.out()).toMatch(/the trigger command had exited with 3 after printing "login with \[redacted\] refused", and nothing came within 2 s/);
    expect(io.out()).toContain('login with [redacted] refused');
    const outputs = filesUnder(cwd, join(cwd, 'config.yaml'));
    outputs.set('stdout', io.out());
    outputs.set('stderr', io.err());
    expect(leaks(outputs)).toEqual([]);
  }, 180_000);

  it('serve prints no simulator token', async () => {
    const cwd = workdir(['simulators:', '  auth:', '    bearerToken: ${SIM_TOKEN}']);
    const stop = new AbortController();
    const io = captureIo(cwd, { SIM_TOKEN: secret.simulatorToken }, stop.signal);
    const serving = main(['serve', '--config', 'config.yaml', '--simulator', 'measure-consumer'], io);
    while (!io.out().includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 20));
    const url = /measure-consumer\s+(\S+)/.exec(io.out())?.[1] ?? '';
    const guarded = await request(`${url}/MeasureReport`, { headers: { authorization: `Bearer ${secret.simulatorToken}` } });
    await guarded.body.dump();
    expect(guarded.statusCode).toBe(200);
    stop.abort();
    expect(await serving).toBe(0);
    const outputs = filesUnder(cwd, join(cwd, 'config.yaml'));
    outputs.set('stdout', io.out());
    outputs.set('stderr', io.err());
    expect(leaks(outputs)).toEqual([]);
  });
});
