import { describe, it, expect } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import { defineSuite, test } from '../../src/engine/suite.js';
import { RequirementCatalogue } from '../../src/engine/catalogue.js';
import { runSuites } from '../../src/engine/runner.js';
import { bodyOf, type InboundRequest } from '../../src/engine/inbound.js';
import type { Recording, StartServer } from '../../src/engine/environment.js';
import type { HttpExchange, RunResults } from '../../src/engine/results.js';
import type { Trigger } from '../../src/engine/triggers.js';
import { startServer } from './servers.js';
import { PassThrough } from 'node:stream';

const catalogue = new RequirementCatalogue([{ id: 'DEMO-PUSH-001', expectation: 'SHALL', statement: 'The source POSTs its MeasureReport to the consumer.', source: 'demo §push' }]);

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

interface Pushed {
  recording: Recording;
  posts: InboundRequest[];
}

/** A client suite as every real one is built: setup records once, the test judges the recording. */
const pushSuite = (quietMs?: number) =>
  defineSuite<Pushed>({
    id: 'demo/push/measure-source',
    title: 'Measure Source pushes',
    actorUnderTest: 'ProduceMeasureSource',
    role: 'client',
    simulator: 'demo-consumer',
    capabilities: [],
    async setup(env) {
      const recording = await env.record('send a MeasureReport to the simulator', { asks: [{ token: 'MeasureReport/create', says: 'create a MeasureReport' }], ...(quietMs ? { quietMs } : {}) });
      return { recording, posts: recording.requests.filter((r) => r.interaction === 'create' && r.type === 'MeasureReport') };
    },
    tests: [
      test<Pushed>('The source sends its MeasureReport by POST', {
        requirements: 'DEMO-PUSH-001',
        negativeControl: 'source-sends-nothing',
        run(t) {
          const post = t.fixture.posts[0];
          t.require(post, post ? `received ${post.line}` : `${t.fixture.recording.silence ?? 'no POST /MeasureReport arrived'}; expected a POST of a MeasureReport`);
          t.cite('the POST judged', [post!]);
          t.require(post!.body?.ok, post!.body && !post!.body.ok ? post!.body.error : 'the body parses');
          const report = bodyOf<MeasureReport>(post!)!;
          t.expectResourceType(report, 'MeasureReport');
          t.expectEqual(report.status, 'complete', 'the report is complete');
        },
      }),
    ],
  });

const node = (script: string) => `node -e ${JSON.stringify(script)}`;
const post = (body: string) =>
  node(
    `fetch(process.env.MC_SIMULATOR_URL + '/MeasureReport', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: ${JSON.stringify(body)} }).then(r => process.exit(r.ok ? 0 : 1))`,
  );

function run(trigger: Trigger, options: { waitMs?: number; quietMs?: number; prompt?: { input: PassThrough; output: PassThrough } } = {}): Promise<RunResults> {
  return runSuites({
    suites: [pushSuite(options.quietMs)],
    catalogue,
    plan: () => ({ target: { start: startSimulator, name: 'demo-consumer' }, trigger }),
    ...(options.prompt ? { prompt: options.prompt } : {}),
    ...(options.waitMs !== undefined ? { timeouts: { waitMs: options.waitMs } } : {}),
  });
}

const setupNotes = (results: RunResults): string[] => (results.suites[0]!.setupEvidence ?? []).flatMap((e) => (e.kind === 'note' ? [e.text] : []));

describe('client-role suites', () => {
  it('setup triggers the SUT by command and records its request; the test judges the recording', async () => {
    const results = await run({ type: 'command', command: post('{"resourceType":"MeasureReport","status":"complete","type":"summary","measure":"m","period":{}}') });
    const t = results.tests[0]!;
    expect(t.verdict, t.reason).toBe('pass');
    expect(results.suites[0]!.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    expect(t.evidence.filter((e) => e.kind === 'http' && e.exchange.direction === 'inbound')).toHaveLength(1);
    expect(setupNotes(results)).toEqual(expect.arrayContaining([expect.stringMatching(/^trigger command: node/), 'asked the SUT to show: create a MeasureReport', 'trigger command exited with 0']));
  });

  it('tells a command what the suite asks to see (MC_ASKS, MC_ASKS_TEXT)', async () => {
    const echo = node(
      `fetch(process.env.MC_SIMULATOR_URL + '/MeasureReport', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'MeasureReport', status: 'complete', note: [{ text: process.env.MC_ASKS + ' / ' + process.env.MC_ASKS_TEXT }] }) })`,
    );
    const results = await run({ type: 'command', command: echo });
    const posted = results.tests[0]!.evidence.find((e) => e.kind === 'http' && e.exchange.direction === 'inbound');
    expect(posted?.kind === 'http' && posted.exchange.requestBody?.text).toContain('MeasureReport/create / create a MeasureReport');
  });

  it('redacts configured secrets in what the simulator received', async () => {
    const results = await runSuites({
      suites: [pushSuite()],
      catalogue,
      http: { secrets: ['sut-api-key-42'] },
      plan: () => ({
        target: { start: startSimulator },
        trigger: {
          type: 'command',
          command: post('{"resourceType":"MeasureReport","status":"complete","note":"sut-api-key-42"}').replace(
            "'content-type': 'application/fhir+json'",
            "'content-type': 'application/fhir+json', 'x-api-key': 'sut-api-key-42'",
          ),
        },
      }),
    });
    const inbound = [...results.tests[0]!.evidence, ...(results.suites[0]!.setupEvidence ?? [])].filter((e) => e.kind === 'http' && e.exchange.direction === 'inbound');
    expect(inbound.length).toBeGreaterThan(0);
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
    expect(results.tests[0]!.reason).toMatch(/^the body is not valid FHIR JSON: /);
  });

  it('a recording waits out a burst of requests and keeps all of them', async () => {
    // The SUT keeps sending after its trigger returned: a detached process POSTs three times, 200 ms apart.
    const sendThree = `const post = () => fetch(process.env.MC_SIMULATOR_URL + '/MeasureReport', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{"resourceType":"MeasureReport","status":"complete"}' });
      const pause = () => new Promise((r) => setTimeout(r, 200));
      post().then(pause).then(post).then(pause).then(post);`;
    const burst = node(`require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(sendThree)}], { detached: true, stdio: 'ignore' }).unref()`);
    const results = await run({ type: 'command', command: burst }, { quietMs: 400 });
    expect(setupNotes(results)).toContain('recorded 3 requests from the SUT: send a MeasureReport to the simulator');
    expect(results.tests[0]!.verdict, results.tests[0]!.reason).toBe('pass');
  });

  it('a client that sent nothing is judged on that: the recording says why, the test fails saying so', async () => {
    const results = await run({ type: 'none' }, { waitMs: 300 });
    expect(results.tests[0]).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/^the SUT sent nothing to http:\/\/127\.0\.0\.1:\d+\/fhir \(nothing came within 300 ms\); expected a POST of a MeasureReport$/),
    });
    expect(setupNotes(results)).toContain('waiting for the SUT to act on its own: send a MeasureReport to the simulator');
  });

  it('a command that failed and sent nothing gets a short wait, not waitMs, and its last words are in the reason', async () => {
    const failed = await run({ type: 'command', command: node("console.error('login refused'); process.exit(3)") }, { waitMs: 60_000 });
    expect(failed.tests[0]).toMatchObject({
      verdict: 'fail',
      reason: expect.stringContaining('(the trigger command had exited with 3 after printing "login refused", and nothing came within 2 s)'),
    });
    // A command that succeeded may have handed the work on: it gets the whole wait.
    const succeeded = await run({ type: 'command', command: node('process.exit(0)') }, { waitMs: 300 });
    expect(succeeded.tests[0]!.reason).toContain('(the trigger command had exited with 0, and nothing came within 300 ms)');
  });

  it('a reference client that finished without sending fails at once, not after waitMs', async () => {
    const sentNothing = await run({ type: 'reference', name: 'reference demo source', run: async () => {} }, { waitMs: 60_000 });
    // The reason names the wait the recording used: the short grace, not the 60 s waitMs.
    expect(sentNothing.tests[0]).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('(the reference client had finished, and nothing came within 250 ms)') });
    const sent = await run({
      type: 'reference',
      name: 'reference demo source',
      run: async ({ simulatorUrl }) =>
        void (
          await fetch(`${simulatorUrl}/MeasureReport`, {
            method: 'POST',
            headers: { 'content-type': 'application/fhir+json' },
            body: '{"resourceType":"MeasureReport","status":"complete","type":"summary","measure":"m","period":{}}',
          })
        ).text(),
    });
    expect(sent.tests[0]!.verdict, sent.tests[0]!.reason).toBe('pass');
  });

  it('a trigger command that exits non-zero is evidence about the SUT, not a harness error', async () => {
    const results = await run({ type: 'command', command: `${post('{"resourceType":"MeasureReport","status":"complete"}')} && exit 7` });
    expect(results.tests[0]!.verdict, results.tests[0]!.reason).toBe('pass');
    expect(setupNotes(results)).toContain('trigger command exited with 7');
  });

  it('a trigger command that never finishes is a harness error for every test, named once', async () => {
    const results = await run({ type: 'command', command: 'sleep 5', timeoutMs: 200 });
    expect(results.tests[0]).toMatchObject({ verdict: 'error', reason: 'suite setup failed: TriggerError: trigger command did not finish within 200 ms: sleep 5' });
  });

  it('a prompt trigger without a terminal makes the tests manual', async () => {
    const results = await run({ type: 'prompt', message: 'Press send in the vendor UI' }, { waitMs: 300, prompt: { input: new PassThrough(), output: new PassThrough() } });
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

  it('tears the environment down in reverse after the tests, also when setup fails', async () => {
    const order: string[] = [];
    const suite = (failSetup: boolean) =>
      defineSuite({
        id: 'demo/teardown',
        title: 'teardown',
        actorUnderTest: 'ProduceMeasureSource',
        role: 'client',
        simulator: 'demo-consumer',
        capabilities: [],
        setup(env) {
          env.onTeardown(() => void order.push('first'));
          env.onTeardown(() => void order.push('second'));
          if (failSetup) throw new Error('the data set could not be loaded');
          return {};
        },
        tests: [test('runs', { requirements: 'DEMO-PUSH-001', negativeControl: 'n/a', run: (t) => void t.expect(order.length === 0, 'nothing was torn down while the test ran') })],
      });
    const ok = await runSuites({ suites: [suite(false)], catalogue, plan: () => ({ target: { start: startSimulator } }) });
    expect(ok.tests[0]!.verdict).toBe('pass');
    expect(order).toEqual(['second', 'first']);
    order.length = 0;
    const failed = await runSuites({ suites: [suite(true)], catalogue, plan: () => ({ target: { start: startSimulator } }) });
    expect(failed.tests[0]).toMatchObject({ verdict: 'error', reason: 'suite setup failed: the data set could not be loaded' });
    expect(order).toEqual(['second', 'first']);
  });

  it('a client-role suite given a base URL is a configuration error', async () => {
    await expect(runSuites({ suites: [pushSuite()], catalogue, plan: () => ({ target: { baseUrl: 'http://127.0.0.1:1' } }) })).rejects.toThrow(/needs a simulator to start/);
  });
});
