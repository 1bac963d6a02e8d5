/**
 * `serve` as a Connectathon tool, driven over HTTP as a vendor would: a valid and an invalid
 * MeasureReport pushed to the served Measure Consumer are both recorded (the refused one too),
 * judged by the Measure Source suite's own checks, listed by the inspector's JSON API with their
 * statuses and findings, filtered, exported as a capture that `grade` reads, summarised per client,
 * protected by a token exchanged for a cookie, and kept across a restart.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { main } from '../../src/cli/main.js';
import { ExchangeLog } from '../../src/cli/connectathon/exchange-log.js';
import { readCapture } from '../../src/cli/connectathon/capture-file.js';
import { captureIo } from '../cli/cli-io.js';
import { getJson, invalidReport, push, removeDir, serveInProcess, validReport, type Served } from './serving.js';

interface ListedFinding {
  side: string;
  test: string;
  verdict: 'pass' | 'fail' | 'warning';
  requirements: string[];
  message: string;
}
interface Listed {
  id: string;
  simulator: string;
  time: string;
  client: string;
  method: string;
  url: string;
  status: number | null;
  graded: boolean;
  findings: ListedFinding[];
}

const TOKEN = 'connectathon-secret-1';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('serve records, judges and lists every exchange', () => {
  let served: Served;
  let consumer = '';
  let inspector = '';
  let listed: Listed[] = [];

  beforeAll(async () => {
    served = await serveInProcess(['serve', '--simulator', 'measure-consumer'], `simulators:\n  dataDir: ./data\n  inspector:\n    token: ${TOKEN}\n`);
    consumer = served.urls['measure-consumer']!;
    inspector = served.urls['inspector']!;
    expect(await push(consumer, validReport())).toBe(201);
    expect(await push(consumer, invalidReport(), { authorization: 'Bearer vendor-a-token' })).toBe(422);
    // No waiting: the API answers once what just arrived is judged.
    listed = (await getJson<{ exchanges: Listed[] }>(`${inspector}/api/exchanges`, auth)).body.exchanges;
  });

  afterAll(async () => {
    if (served) removeDir(served.dir);
  });

  it('prints the inspector with the simulators and keeps the exchange log beside the resources', () => {
    expect(inspector).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.out()).toMatch(/inspector\s+http:\/\/127\.0\.0\.1:\d+ {2}\(every exchange, live; open it once with \?token=<simulators\.inspector\.token>\)/);
    expect(existsSync(join(served.dir, 'data', 'exchanges.sqlite'))).toBe(true);
    expect(existsSync(join(served.dir, 'data', 'measure-consumer.sqlite'))).toBe(true);
  });

  it("lists both pushes, newest first, with their statuses and the findings of the suite's checks", () => {
    expect(listed.map((x) => [x.method, new URL(x.url).pathname, x.status, x.simulator])).toEqual([
      ['POST', '/MeasureReport', 422, 'measure-consumer'],
      ['POST', '/MeasureReport', 201, 'measure-consumer'],
    ]);
    const [refused, accepted] = listed as [Listed, Listed];
    expect(refused.graded && accepted.graded).toBe(true);
    const profile = (x: Listed) => x.findings.filter((f) => f.requirements.includes('SANER-PM-SRC-001'));
    expect(profile(accepted).map((f) => f.verdict)).toEqual(['pass']);
    expect(profile(refused).map((f) => f.verdict)).toEqual(['fail']);
    expect(profile(refused)[0]!.message).toMatch(/PublicHealthMeasureReport has 1 validation error/);
    expect(profile(refused)[0]!.test).toBe('saner/produce-measure/measure-source/every-pushed-measurereport-conforms-to-publichealthmeasurereport');
    // The request itself was a well-formed create: judged on the interaction, it passes.
    expect(refused.findings.find((f) => f.requirements.includes('SANER-PM-SRC-002'))?.verdict).toBe('pass');
    expect(accepted.findings.every((f) => f.verdict === 'pass' && f.side === 'client')).toBe(true);
    // A client is told by its address and the hash of its token.
    expect(accepted.client).toBe('127.0.0.1');
    expect(refused.client).toMatch(/^127\.0\.0\.1 · token [0-9a-f]{12}$/);
    expect(JSON.stringify(listed)).not.toContain('vendor-a-token');
  });

  it('gives one exchange in full at its id: request, answer, validation issues, with secrets redacted', async () => {
    const refused = listed[0]!;
    const { status, body } = await getJson<{
      exchange: { requestHeaders: Record<string, string>; requestBody: { text: string }; responseBody: { text: string } };
      validation: { issues: { message: string }[] }[];
      findings: ListedFinding[];
    }>(`${inspector}/api/exchanges/${refused.id}`, auth);
    expect(status).toBe(200);
    expect(body.exchange.requestHeaders['authorization']).toBe('[redacted]');
    expect(JSON.parse(body.exchange.requestBody.text).resourceType).toBe('MeasureReport');
    expect(JSON.parse(body.exchange.responseBody.text).resourceType).toBe('OperationOutcome');
    expect(body.validation.flatMap((v) => v.issues.map((i) => i.message)).join(' ')).toMatch(/second/);
    expect((await getJson(`${inspector}/api/exchanges/no-such-id`, auth)).status).toBe(404);
  });

  it('filters by finding, status, simulator and client, and by the requirement a finding decides', async () => {
    const ids = async (query: string) => (await getJson<{ exchanges: Listed[] }>(`${inspector}/api/exchanges?${query}`, auth)).body.exchanges.map((x) => x.status);
    expect(await ids('finding=fail')).toEqual([422]);
    expect(await ids('finding=pass')).toEqual([201]);
    expect(await ids('status=2xx')).toEqual([201]);
    expect(await ids('status=422')).toEqual([422]);
    expect(await ids('simulator=measure-source')).toEqual([]);
    expect(await ids(`client=${encodeURIComponent('127.0.0.1')}`)).toEqual([201]);
    expect(await ids('requirement=SANER-PM-SRC-001')).toEqual([422, 201]);
  });

  it('summarises a client: what its traffic passes, fails and has not shown yet', async () => {
    const { body } = await getJson<{ requirements: { id: string; verdict: string }[] }>(
      `${inspector}/api/clients/summary?simulator=measure-consumer&client=${encodeURIComponent(listed[0]!.client)}`,
      auth,
    );
    const verdict = (id: string) => body.requirements.find((r) => r.id === id)?.verdict;
    expect(verdict('SANER-PM-SRC-001')).toBe('fail');
    expect(verdict('SANER-PM-SRC-002')).toBe('pass');
    // It never revised a report, and nothing asked it to: not shown, not failed.
    expect(verdict('SANER-PM-SRC-003')).toBe('not shown');
  });

  it('exports the selection as a capture file that grade judges again', async () => {
    const res = await request(`${inspector}/api/export?finding=fail`, { headers: auth });
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="capture-.*\.json"$/);
    const text = await res.body.text();
    const capture = readCapture('export.json', text);
    expect(capture.entries.map((e) => [e.transaction, e.sides, e.exchange.status])).toEqual([['saner/produce-measure', ['client'], 422]]);
    writeFileSync(join(served.dir, 'export.json'), text);
    const io = captureIo(served.dir);
    expect(await main(['grade', 'export.json', '--out', 'graded'], io)).toBe(1);
    const results = JSON.parse(readFileSync(join(served.dir, 'graded', 'results.json'), 'utf8')) as { requirements: { id: string; verdict: string }[] };
    expect(results.requirements.find((r) => r.id === 'SANER-PM-SRC-001')?.verdict).toBe('fail');
  });

  it('asks for its token, exchanges it once for a cookie, and then opens permalinks with the cookie alone', async () => {
    const id = listed[1]!.id;
    const bare = await request(`${inspector}/exchanges/${id}`);
    expect(bare.statusCode).toBe(401);
    expect(await bare.body.text()).toMatch(/open it once with \?token=/);
    expect((await getJson(`${inspector}/api/exchanges`)).status).toBe(401);
    expect((await request(`${inspector}/exchanges/${id}?token=wrong-token-123`)).statusCode).toBe(401);
    const exchange = await request(`${inspector}/exchanges/${id}?token=${TOKEN}`);
    expect(exchange.statusCode).toBe(303);
    expect(exchange.headers['location']).toBe(`/exchanges/${id}`);
    const cookie = String(exchange.headers['set-cookie']).split(';')[0]!;
    expect(String(exchange.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax/);
    expect(cookie).not.toContain(TOKEN);
    const page = await request(`${inspector}/exchanges/${id}`, { headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(await page.body.text()).toContain(`/exchanges/${id}`);
  });

  it('stops on request, and the log and the resources survive a restart, with no WAL file left behind', async () => {
    expect(await served.stop()).toBe(0);
    expect(served.err()).toMatch(/serve: stopped; data and exchanges kept in /);
    expect(readdirSync(join(served.dir, 'data')).filter((f) => f.endsWith('-wal'))).toEqual([]);
    const log = await ExchangeLog.open(join(served.dir, 'data', 'exchanges.sqlite'));
    try {
      expect(log.list().map((r) => [r.exchange.status, r.level])).toEqual([
        [422, 'fail'],
        [201, 'pass'],
      ]);
    } finally {
      log.close();
    }
  });
});

describe('serve on a busy port', () => {
  it('names the simulator and the config key of the port, exit 2', async () => {
    const blocker = await serveInProcess(['serve', '--simulator', 'measure-source'], 'simulators: {}\n');
    const port = new URL(blocker.urls['measure-source']!).port;
    try {
      const dir = blocker.dir;
      writeFileSync(join(dir, 'busy.yaml'), `simulators:\n  ports: { measure-consumer: ${port} }\n`);
      const io = captureIo(dir);
      expect(await main(['serve', '--simulator', 'measure-consumer', '--config', 'busy.yaml'], io)).toBe(2);
      expect(io.err()).toBe(
        `measure-conformance serve: port ${port} for simulator measure-consumer is already in use (simulators.ports.measure-consumer in busy.yaml): stop what uses it or choose another port\n`,
      );
      writeFileSync(join(dir, 'busy-inspector.yaml'), `simulators:\n  ports: { inspector: ${port} }\n`);
      const io2 = captureIo(dir);
      expect(await main(['serve', '--simulator', 'measure-consumer', '--config', 'busy-inspector.yaml'], io2)).toBe(2);
      expect(io2.err()).toMatch(new RegExp(`port ${port} for the inspector is already in use \\(simulators\\.ports\\.inspector in busy-inspector\\.yaml\\)`));
    } finally {
      await blocker.stop();
      removeDir(blocker.dir);
    }
  });
});
