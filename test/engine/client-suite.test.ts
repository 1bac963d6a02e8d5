import { describe, it, expect } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import { defineSuite, test } from '../../src/engine/suite.js';
import { RequirementCatalogue } from '../../src/engine/catalogue.js';
import { runSuites } from '../../src/engine/runner.js';
import type { StartServer } from '../../src/engine/simulator.js';
import type { HttpExchange, RunResults } from '../../src/engine/results.js';
import type { Trigger } from '../../src/engine/triggers.js';
import { startServer } from './servers.js';
import { PassThrough } from 'node:stream';

const catalogue = new RequirementCatalogue([
  { id: 'DEMO-PUSH-001', expectation: 'SHALL', statement: 'The source POSTs its MeasureReport to the consumer.', source: 'demo §push' },
]);

/** A tiny stand-in simulator: records inbound requests the way the server core's onExchange does. */
const startSimulator: StartServer = async ({ onExchange }) => {
  const server = await startServer((req, res, body) => {
    const status = req.method === 'POST' ? 201 : 200;
    res.writeHead(status, { 'content-type': 'application/fhir+json' });
    res.end('{"resourceType":"OperationOutcome","issue":[]}');
    const exchange: HttpExchange = {
      direction: 'inbound',
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      requestHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      requestBody: { text: body, size: Buffer.byteLength(body), truncated: false },
      status,
      startedAt: new Date().toISOString(),
    };
    onExchange(exchange);
  });
  return { baseUrl: `${server.url}/fhir`, close: () => server.close() };
};

const pushSuite = (waitMs?: number) =>
  defineSuite({
    id: 'demo/push/measure-source',
    title: 'Measure Source pushes',
    actorUnderTest: 'MeasureSource',
    role: 'client',
    simulator: 'demo-consumer',
    capabilities: [],
    tests: [
      test('The source sends its MeasureReport by POST', {
        requirements: 'DEMO-PUSH-001',
        negativeControl: 'source-sends-nothing',
        async run(t) {
          await t.trigger('send a MeasureReport to the simulator');
          const exchange = await t.waitForRequest({ method: 'POST', path: '/MeasureReport' }, waitMs !== undefined ? { timeoutMs: waitMs } : {});
          const report = t.resourceOf<MeasureReport>(exchange);
          t.expectResourceType(report, 'MeasureReport');
          t.expectEqual(report.status, 'complete', 'the report is complete');
        },
      }),
    ],
  });

const node = (script: string) => `node -e ${JSON.stringify(script)}`;
const post = (body: string) => node(`fetch(process.env.MC_SIMULATOR_URL + '/MeasureReport', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: ${JSON.stringify(body)} }).then(r => process.exit(r.ok ? 0 : 1))`);
const getMetadata = node(`fetch(process.env.MC_SIMULATOR_URL + '/metadata').then(() => process.exit(0))`);

function run(trigger: Trigger, waitMs?: number, prompt?: { input: PassThrough; output: PassThrough }): Promise<RunResults> {
  return runSuites({
    suites: [pushSuite(waitMs)],
    catalogue,
    plan: () => ({ target: { start: startSimulator, name: 'demo-consumer' }, trigger }),
    ...(prompt ? { prompt } : {}),
  });
}

describe('client-role suites', () => {
  it('triggers the SUT by command, matches its request and judges the body', async () => {
    const results = await run({ type: 'command', command: post('{"resourceType":"MeasureReport","status":"complete","type":"summary","measure":"m","period":{}}') });
    const t = results.tests[0]!;
    expect(t.verdict).toBe('pass');
    expect(results.suites[0]!.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    const inbound = t.evidence.filter((e) => e.kind === 'http' && e.exchange.direction === 'inbound');
    expect(inbound).toHaveLength(1);
    expect(t.evidence.some((e) => e.kind === 'note' && e.text.startsWith('trigger command: node'))).toBe(true);
    expect(t.evidence.some((e) => e.kind === 'note' && e.text === 'received POST /MeasureReport')).toBe(true);
  });

  it('redacts configured secrets in what the simulator received', async () => {
    const results = await runSuites({
      suites: [pushSuite()],
      catalogue,
      http: { secrets: ['sut-api-key-42'] },
      plan: () => ({
        target: { start: startSimulator },
        trigger: { type: 'command', command: post('{"resourceType":"MeasureReport","status":"complete","note":"sut-api-key-42"}').replace("'content-type': 'application/fhir+json'", "'content-type': 'application/fhir+json', 'x-api-key': 'sut-api-key-42'") },
      }),
    });
    const inbound = results.tests[0]!.evidence.find((e) => e.kind === 'http' && e.exchange.direction === 'inbound');
    expect(inbound).toBeDefined();
    expect(JSON.stringify(inbound)).not.toContain('sut-api-key-42');
    expect(JSON.stringify(inbound)).toContain('[redacted]');
  });

  it('a wrong body fails the check, not the harness', async () => {
    const results = await run({ type: 'command', command: post('{"resourceType":"MeasureReport","status":"pending"}') });
    expect(results.tests[0]).toMatchObject({ verdict: 'fail', reason: 'the report is complete: got "pending", expected "complete"' });
  });

  it('an unparseable body fails with the parser message', async () => {
    const results = await run({ type: 'command', command: post('{"resourceType": MeasureReport}') });
    expect(results.tests[0]!.verdict).toBe('fail');
    expect(results.tests[0]!.reason).toMatch(/^the body of POST \/fhir\/MeasureReport is not valid FHIR JSON: /);
  });

  it('recordTraffic waits out a burst of requests and returns all of them', async () => {
    // The SUT keeps sending after its trigger returned: a detached process POSTs three times, 200 ms apart.
    const sendThree = `const post = () => fetch(process.env.MC_SIMULATOR_URL + '/MeasureReport', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{}' });
      const pause = () => new Promise((r) => setTimeout(r, 200));
      post().then(pause).then(post).then(pause).then(post);`;
    const burst = node(`require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(sendThree)}], { detached: true, stdio: 'ignore' }).unref()`);
    const recorded: number[] = [];
    const suite = defineSuite({
      id: 'demo/record/measure-source',
      title: 'recording',
      actorUnderTest: 'MeasureSource',
      role: 'client',
      simulator: 'demo-consumer',
      capabilities: [],
      tests: [
        test('records the whole burst', {
          requirements: 'DEMO-PUSH-001',
          negativeControl: 'source-sends-nothing',
          async run(t) {
            const exchanges = await t.recordTraffic('send three reports', { quietMs: 400 });
            recorded.push(exchanges.length);
            t.expectEqual(exchanges.filter((e) => e.method === 'POST').length, 3, 'three POSTs recorded');
          },
        }),
      ],
    });
    const results = await runSuites({ suites: [suite], catalogue, plan: () => ({ target: { start: startSimulator }, trigger: { type: 'command', command: burst } }) });
    expect(results.tests[0]!.verdict, results.tests[0]!.reason).toBe('pass');
    expect(recorded).toEqual([3]);
  });

  it('explains a timeout with the last request that did not match', async () => {
    const results = await run({ type: 'command', command: getMetadata }, 300);
    expect(results.tests[0]).toMatchObject({
      verdict: 'fail',
      reason: 'no request matched POST /MeasureReport within 300 ms; last unmatched request: GET /metadata 200',
    });
  });

  it('says so when the simulator received nothing at all', async () => {
    const results = await run({ type: 'none' }, 300);
    expect(results.tests[0]!.reason).toBe('no request matched POST /MeasureReport within 300 ms; the simulator received no request since the test started');
    expect(results.tests[0]!.evidence).toContainEqual({ kind: 'note', text: 'waiting for the SUT to act on its own: send a MeasureReport to the simulator' });
  });

  it('a reference client that finished without sending fails at once, not after waitMs', async () => {
    const sentNothing = await run({ type: 'reference', name: 'reference demo source', run: async () => {} });
    expect(sentNothing.tests[0]).toMatchObject({ verdict: 'fail' });
    expect(sentNothing.tests[0]!.reason).toBe('no request matched POST /MeasureReport within 250 ms; the simulator received no request since the test started; the reference client had already finished');
    // What it did send before finishing is found.
    const sent = await run(
      {
        type: 'reference',
        name: 'reference demo source',
        run: async ({ simulatorUrl }) => void (await fetch(`${simulatorUrl}/MeasureReport`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{"resourceType":"MeasureReport","status":"complete","type":"summary","measure":"m","period":{}}' })).text(),
      },
    );
    expect(sent.tests[0]!.verdict, sent.tests[0]!.reason).toBe('pass');
  });

  it('a failing trigger command is an error, not a SUT failure', async () => {
    const results = await run({ type: 'command', command: 'exit 7' }, 300);
    expect(results.tests[0]!.verdict).toBe('error');
    expect(results.tests[0]!.reason).toBe('trigger command exited with 7: exit 7');
  });

  it('a prompt trigger without a terminal makes the test manual', async () => {
    const results = await run({ type: 'prompt', message: 'Press send in the vendor UI' }, 300, { input: new PassThrough(), output: new PassThrough() });
    expect(results.tests[0]!.verdict).toBe('manual');
    expect(results.tests[0]!.reason).toContain('stdin is not a terminal');
  });

  it('a simulator that cannot start makes each test an error naming it', async () => {
    const results = await runSuites({
      suites: [pushSuite()],
      catalogue,
      plan: () => ({ target: { start: () => Promise.reject(new Error('EADDRINUSE 127.0.0.1:8080')), name: 'demo-consumer' } }),
    });
    expect(results.tests[0]).toMatchObject({ verdict: 'error', reason: 'could not start simulator demo-consumer: EADDRINUSE 127.0.0.1:8080' });
  });

  it('a client-role suite given a base URL is a configuration error', async () => {
    await expect(runSuites({ suites: [pushSuite()], catalogue, plan: () => ({ target: { baseUrl: 'http://127.0.0.1:1' } }) })).rejects.toThrow(/needs a simulator to start/);
  });
});
