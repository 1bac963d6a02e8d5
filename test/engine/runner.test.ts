import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { defineSuite, test, type Suite, type SuiteSpec } from '../../src/engine/suite.js';
import { HarnessError } from '../../src/engine/errors.js';
import { RequirementCatalogue, defineRequirements } from '../../src/engine/catalogue.js';
import { runSuites, type ProgressEvent, type RunOptions } from '../../src/engine/runner.js';
import type { RunResults, TestResult } from '../../src/engine/results.js';
import { startServer, fhirJson, type TestServer } from './servers.js';

const CAP = 'http://example.org/CapabilityStatement/demo';
const OTHER_CAP = 'http://example.org/CapabilityStatement/other';
const catalogue = new RequirementCatalogue(
  defineRequirements([
    { id: 'DEMO-SHALL-1', expectation: 'SHALL', statement: 'must do one', source: 'demo §1', capability: CAP },
    { id: 'DEMO-SHALL-2', expectation: 'SHALL', statement: 'must do two', source: 'demo §2', capability: CAP },
    { id: 'DEMO-SHOULD-1', expectation: 'SHOULD', statement: 'should do one', source: 'demo §3', capability: CAP },
    { id: 'DEMO-MAY-1', expectation: 'MAY', statement: 'may do one', source: 'demo §4', capability: CAP },
    { id: 'DEMO-SHOULDNOT-1', expectation: 'SHOULD-NOT', statement: 'should not do one', source: 'demo §5', capability: CAP },
    { id: 'DEMO-UNTESTED-1', expectation: 'SHALL', statement: 'nobody tests this', source: 'demo §6', capability: CAP },
    { id: 'OTHER-SHALL-1', expectation: 'SHALL', statement: 'another capability', source: 'other §1', capability: OTHER_CAP },
  ]),
);

let sut: TestServer;
beforeAll(async () => {
  sut = await startServer((req, res) => {
    switch (req.url) {
      case '/fhir/metadata':
        return fhirJson(res, 200, { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', status: 'active', kind: 'instance', format: ['json'] });
      case '/fhir/Basic/garbage':
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        return res.end('{"resourceType": "Basic", oops');
      case '/fhir/Basic/html':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>login</html>');
      case '/fhir/Basic/reset':
        return req.socket.destroy();
      case '/fhir/Basic/hang':
        return;
      case '/fhir/Basic/xml':
        res.writeHead(200, { 'content-type': 'application/fhir+xml; charset=utf-8' });
        return res.end(`<Basic xmlns="http://hl7.org/fhir"><id value="xml"/><code><text value="${req.headers['accept']}"/></code></Basic>`);
      case '/fhir/MeasureReport/invalid':
        return fhirJson(res, 200, { resourceType: 'MeasureReport', id: 'invalid', status: 'complete' });
      default:
        return fhirJson(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    }
  });
});
afterAll(() => sut.close());

function suiteOf(tests: Suite['tests'], extra: Partial<SuiteSpec> = {}): Suite {
  return defineSuite({ id: 'demo/server', title: 'Demo server', actorUnderTest: 'DemoServer', role: 'server', capabilities: [CAP], tests, ...extra });
}

function run(suites: Suite<object>[], options: Partial<RunOptions> = {}): Promise<RunResults> {
  return runSuites({
    suites,
    catalogue,
    plan: () => ({ target: { baseUrl: `${sut.url}/fhir` }, options: ['Pull'] }),
    http: { timeouts: { headersMs: 2000 } },
    ...options,
  });
}

const byTitle = (results: RunResults, title: string): TestResult => {
  const t = results.tests.find((x) => x.title === title);
  if (!t) throw new Error(`no test ${title}`);
  return t;
};

describe('verdict rules', () => {
  let results: RunResults;
  const reached: string[] = [];
  beforeAll(async () => {
    results = await run([
      suiteOf([
        test('passes when every check passes', {
          requirements: 'DEMO-SHALL-1',
          negativeControl: 'none',
          async run(t) {
            const res = await t.sut.capabilities();
            t.expectStatus(res, 200);
            t.expectResourceType(res.resource(), 'CapabilityStatement');
          },
        }),
        test('a failed SHALL check fails', {
          requirements: ['DEMO-SHALL-1'],
          negativeControl: 'none',
          async run(t) {
            const res = await t.sut.read('Basic', 'missing');
            t.expectStatus(res, 200);
          },
        }),
        test('a failed SHOULD check is a warning', {
          requirements: 'DEMO-SHOULD-1',
          negativeControl: 'none',
          run(t) {
            t.expect(false, 'the server should have done it');
          },
        }),
        test('a failed MAY check is a warning', { requirements: 'DEMO-MAY-1', negativeControl: 'none', run: (t) => void t.expect(false, 'optional thing missing') }),
        test('an observed SHOULD-NOT is a warning', { requirements: 'DEMO-SHOULDNOT-1', negativeControl: 'none', run: (t) => void t.expect(false, 'legacy format was sent') }),
        test('a failed check about the SHOULD of a mixed test is a warning', {
          requirements: ['DEMO-SHALL-2', 'DEMO-SHOULD-1'],
          negativeControl: 'none',
          run(t) {
            t.expect(true, 'the SHALL part holds', { requirement: 'DEMO-SHALL-2' });
            t.expect(false, 'the SHOULD part does not', { requirement: 'DEMO-SHOULD-1' });
          },
        }),
        test('warnUnless never fails a SHALL test', { requirements: 'DEMO-SHALL-2', negativeControl: 'none', run: (t) => void t.warnUnless(false, 'pretty printing missing') }),
        test('needs the Push option', { requirements: 'DEMO-SHALL-2', preconditions: { options: ['Push', 'CSV'] }, negativeControl: 'none', run: (t) => void t.expect(false, 'must not run') }),
        test('needs the Pull option', {
          requirements: 'DEMO-SHALL-2',
          preconditions: { options: ['Pull'] },
          negativeControl: 'none',
          run: (t) => void t.expect(t.options.includes('Pull'), 'runs when claimed'),
        }),
        test('manual attestation', { requirements: 'DEMO-SHALL-2', negativeControl: 'none', run: (t) => t.manual('a person must confirm the audit log') }),
        test('explicit skip', { requirements: 'DEMO-SHALL-2', negativeControl: 'none', run: (t) => t.skip('no fixture for this SUT') }),
        test('a thrown exception is an error', {
          requirements: 'DEMO-SHALL-2',
          negativeControl: 'none',
          run() {
            const x = undefined as unknown as { y: number };
            void x.y;
          },
        }),
        test('a transport failure is an error', {
          requirements: 'DEMO-SHALL-2',
          negativeControl: 'none',
          async run(t) {
            await t.sut.read('Basic', 'reset');
            t.expect(true, 'unreachable');
          },
        }),
        test('a test without checks is an error', { requirements: 'DEMO-SHALL-2', negativeControl: 'none', run: () => undefined }),
        test('require stops the test at the first broken precondition', {
          requirements: 'DEMO-SHALL-2',
          negativeControl: 'none',
          run(t) {
            t.require(false, 'the bundle is needed for the rest');
            reached.push('after require');
          },
        }),
        test('a garbage body with 200 is a failed check with the parser message', {
          requirements: 'DEMO-SHALL-2',
          negativeControl: 'none',
          async run(t) {
            const res = await t.sut.read('Basic', 'garbage');
            t.expectStatus(res, 200);
            res.resource();
            reached.push('after garbage parse');
          },
        }),
        test('a body with a non-FHIR Content-Type is a failed check', {
          requirements: 'DEMO-SHALL-2',
          negativeControl: 'none',
          async run(t) {
            const res = await t.sut.read('Basic', 'html');
            t.expectContentType(res, 'json');
            res.resource();
          },
        }),
      ]),
    ]);
  });

  it('pass', () => expect(byTitle(results, 'passes when every check passes').verdict).toBe('pass'));

  it('a failed SHALL check fails the test with the check message as reason', () => {
    const r = byTitle(results, 'a failed SHALL check fails');
    expect(r.verdict).toBe('fail');
    expect(r.reason).toMatch(/GET .*\/fhir\/Basic\/missing answered 404 Not Found; expected 200 OK/);
    expect(r.evidence.filter((e) => e.kind === 'http')).toHaveLength(1);
  });

  it('a failed SHOULD, MAY or SHOULD-NOT check is a warning, never a fail', () => {
    expect(byTitle(results, 'a failed SHOULD check is a warning').verdict).toBe('warning');
    expect(byTitle(results, 'a failed MAY check is a warning').verdict).toBe('warning');
    expect(byTitle(results, 'an observed SHOULD-NOT is a warning').verdict).toBe('warning');
    expect(byTitle(results, 'a failed check about the SHOULD of a mixed test is a warning').verdict).toBe('warning');
    expect(byTitle(results, 'warnUnless never fails a SHALL test').verdict).toBe('warning');
  });

  it('an unclaimed option skips the test with the reason, a claimed one runs it', () => {
    const skipped = byTitle(results, 'needs the Push option');
    expect(skipped.verdict).toBe('skip');
    expect(skipped.reason).toBe('option Push not claimed; option CSV not claimed');
    expect(skipped.assertions).toEqual([]);
    expect(byTitle(results, 'needs the Pull option').verdict).toBe('pass');
  });

  it('manual and skip are explicit verdicts with their reasons', () => {
    expect(byTitle(results, 'manual attestation')).toMatchObject({ verdict: 'manual', reason: 'a person must confirm the audit log' });
    expect(byTitle(results, 'explicit skip')).toMatchObject({ verdict: 'skip', reason: 'no fixture for this SUT' });
  });

  it('thrown exceptions, transport failures and check-less tests are errors with reasons', () => {
    const thrown = byTitle(results, 'a thrown exception is an error');
    expect(thrown.verdict).toBe('error');
    expect(thrown.reason).toMatch(/^the test threw TypeError: /);
    const transport = byTitle(results, 'a transport failure is an error');
    expect(transport.verdict).toBe('error');
    expect(transport.reason).toMatch(/GET .*Basic\/reset: connection closed by the server/);
    expect(transport.evidence[0]).toMatchObject({ kind: 'http' });
    expect(byTitle(results, 'a test without checks is an error').reason).toContain('recorded no check');
  });

  it('require ends the test as a failure without running the rest', () => {
    expect(byTitle(results, 'require stops the test at the first broken precondition')).toMatchObject({ verdict: 'fail', reason: 'the bundle is needed for the rest' });
    expect(reached).not.toContain('after require');
  });

  it('unparseable and non-FHIR bodies become failed checks naming the problem, not crashes', () => {
    const garbage = byTitle(results, 'a garbage body with 200 is a failed check with the parser message');
    expect(garbage.verdict).toBe('fail');
    expect(garbage.reason).toMatch(/Basic\/garbage \(200\) is not valid FHIR JSON: .+/);
    expect(reached).not.toContain('after garbage parse');
    const html = byTitle(results, 'a body with a non-FHIR Content-Type is a failed check');
    expect(html.verdict).toBe('fail');
    expect(html.assertions.map((a) => a.message)).toEqual([
      'Content-Type is text/html; expected application/fhir+json',
      expect.stringContaining('has Content-Type "text/html", which names no FHIR format'),
    ]);
  });

  it('test ids are <suite id>/<slug of title>', () => {
    expect(byTitle(results, 'a failed SHALL check fails').id).toBe('demo/server/a-failed-shall-check-fails');
    expect(results.suites[0]!.testIds).toHaveLength(17);
  });

  it('requirements take the worst verdict of their tests; uncited ones in scope are not-tested', () => {
    const req = (id: string) => results.requirements.find((r) => r.id === id);
    expect(req('DEMO-SHALL-1')).toMatchObject({ verdict: 'fail', tests: ['demo/server/passes-when-every-check-passes', 'demo/server/a-failed-shall-check-fails'] });
    expect(req('DEMO-SHOULD-1')!.verdict).toBe('warning');
    // DEMO-SHALL-2 is cited by failing tests (require, garbage) so it fails; the mixed test alone would have passed it.
    expect(req('DEMO-SHALL-2')!.verdict).toBe('fail');
    expect(req('DEMO-UNTESTED-1')).toMatchObject({ verdict: 'not-tested', tests: [] });
    // The whole catalogue is reported: a requirement no selected suite covers is not-tested, saying why.
    expect(req('OTHER-SHALL-1')).toMatchObject({ verdict: 'not-tested', tests: [], notTestedReason: 'actor not selected in this run' });
  });

  it('summarises the CapabilityStatement and the run', () => {
    // SHOULD-NOT counts with SHOULD; the CapabilityStatement no suite covered is listed after the run's.
    expect(results.capabilities).toEqual([
      { url: CAP, title: CAP, shall: { passed: 0, total: 3 }, should: { passed: 0, total: 2 } },
      { url: OTHER_CAP, title: OTHER_CAP, shall: { passed: 0, total: 1 }, should: { passed: 0, total: 0 } },
    ]);
    expect(results.overall).toBe('fail');
    expect(results.counts).toEqual({ pass: 2, fail: 4, warning: 5, skip: 2, error: 3, manual: 1 });
    expect(results.interrupted).toBe(false);
    expect(results.schemaVersion).toBe(1);
    expect(results.harness.name).toBe('measure-conformance');
  });
});

describe('requirement verdict of a mixed test', () => {
  it('a failure attributed to the SHOULD leaves the SHALL passed', async () => {
    const results = await run([
      suiteOf([
        test('mixed', {
          requirements: ['DEMO-SHALL-2', 'DEMO-SHOULD-1'],
          negativeControl: 'none',
          run(t) {
            t.expect(true, 'shall part', { requirement: 'DEMO-SHALL-2' });
            t.expect(false, 'should part', { requirement: 'DEMO-SHOULD-1' });
          },
        }),
      ]),
    ]);
    expect(results.tests[0]!.verdict).toBe('warning');
    const verdicts = Object.fromEntries(results.requirements.map((r) => [r.id, r.verdict]));
    expect(verdicts).toMatchObject({ 'DEMO-SHALL-2': 'pass', 'DEMO-SHOULD-1': 'warning', 'DEMO-SHALL-1': 'not-tested' });
    expect(results.overall).toBe('pass');
    expect(results.capabilities[0]!.shall).toEqual({ passed: 1, total: 3 });
  });

  it('a check naming a requirement the test does not cite is a test defect (error)', async () => {
    const results = await run([suiteOf([test('wrong citation', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(true, 'x', { requirement: 'DEMO-SHALL-2' }) })])]);
    expect(results.tests[0]).toMatchObject({ verdict: 'error' });
    expect(results.tests[0]!.reason).toContain('does not cite');
  });
});

describe('the rule set a suite applies', () => {
  it('is recorded in results.ruleSets with the suite that chose it, the last word per IG, and in the setup evidence', async () => {
    const choosing = suiteOf([test('one', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(true, 'ok') })], {
      setup: (env) => {
        env.noteRuleSet({ ig: 'Demo IG', ruleSet: 'draft', reason: 'the default' });
        env.noteRuleSet({ ig: 'Demo IG', ruleSet: 'final', reason: 'declared by the SUT' });
        return {};
      },
    });
    const results = await run([choosing]);
    expect(results.ruleSets).toEqual([{ ig: 'Demo IG', ruleSet: 'final', reason: 'declared by the SUT', suite: 'demo/server' }]);
    expect(results.suites[0]!.setupEvidence).toContainEqual({ kind: 'note', text: 'Demo IG rule set: final, declared by the SUT' });
    expect((await run([suiteOf([test('two', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(true, 'ok') })])])).ruleSets).toBeUndefined();
  });
});

describe('formats and validation', () => {
  it('asks for XML and parses the XML answer with the project formats module', async () => {
    const results = await run([
      suiteOf([
        test('reads XML', {
          requirements: 'DEMO-SHALL-1',
          negativeControl: 'none',
          async run(t) {
            const res = await t.sut.read('Basic', 'xml', { format: 'xml' });
            t.expectContentType(res, 'xml');
            const basic = res.resource<import('fhir/r4.js').Basic>();
            t.expectEqual(basic.code.text, 'application/fhir+xml', 'the Accept header asked for FHIR XML');
          },
        }),
      ]),
    ]);
    expect(results.tests[0]).toMatchObject({ verdict: 'pass' });
  });

  it('t.validate records the issues as evidence and fails on errors', async () => {
    const results = await run([
      suiteOf([
        test('validates a report', {
          requirements: 'DEMO-SHALL-1',
          negativeControl: 'none',
          async run(t) {
            const report = (await t.sut.read('MeasureReport', 'invalid')).resource();
            await t.validate(report);
          },
        }),
      ]),
    ]);
    const r = results.tests[0]!;
    expect(r.verdict).toBe('fail');
    expect(r.reason).toMatch(/^MeasureReport\/invalid has \d+ validation errors: .*MeasureReport\.type/);
    const validation = r.evidence.find((e) => e.kind === 'validation');
    expect(validation).toMatchObject({ kind: 'validation', subject: 'MeasureReport/invalid' });
  });
});

describe('catalogue checks before running', () => {
  it('rejects a test citing an unknown requirement, naming test and id', async () => {
    const suite = suiteOf([test('cites nonsense', { requirements: ['DEMO-SHALL-1', 'DEMO-NOPE-9'], negativeControl: 'none', run: (t) => void t.expect(true, 'x') })]);
    await expect(run([suite])).rejects.toThrow(HarnessError);
    await expect(run([suite])).rejects.toThrow('test demo/server/cites-nonsense cites unknown requirement DEMO-NOPE-9');
  });

  it('rejects a server suite without a target and a malformed base URL', async () => {
    const suite = suiteOf([test('x', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(true, 'x') })]);
    await expect(run([suite], { plan: () => ({ target: { baseUrl: 'not a url' } }) })).rejects.toThrow(/not a URL/);
  });
});

describe('runner scheduling', () => {
  it('runs tests of a suite in order and reports progress', async () => {
    const order: string[] = [];
    const events: ProgressEvent[] = [];
    const results = await run(
      [
        suiteOf(
          ['first', 'second', 'third'].map((title) =>
            test(title, {
              requirements: 'DEMO-SHALL-1',
              negativeControl: 'none',
              async run(t) {
                await new Promise((r) => setTimeout(r, title === 'first' ? 30 : 0));
                order.push(title);
                t.expect(true, title);
              },
            }),
          ),
        ),
      ],
      { onProgress: (e) => events.push(e) },
    );
    expect(order).toEqual(['first', 'second', 'third']);
    expect(results.tests.map((t) => t.title)).toEqual(order);
    expect(events.map((e) => e.type)).toEqual(['run-start', 'suite-start', 'test-start', 'test-end', 'test-start', 'test-end', 'test-start', 'test-end', 'suite-end', 'run-end']);
    const last = events.filter((e) => e.type === 'test-end').at(-1);
    expect(last).toMatchObject({ done: 3, total: 3, counts: { pass: 3 } });
  });

  // Suite A can only pass when suite B runs at the same time: it waits for B's test to start.
  function rendezvousSuites(): Suite[] {
    let arrived!: () => void;
    const bStarted = new Promise<void>((r) => (arrived = r));
    const a = defineSuite({
      id: 'demo/a',
      title: 'A',
      actorUnderTest: 'X',
      role: 'server',
      capabilities: [CAP],
      tests: [
        test('waits for b', {
          requirements: 'DEMO-SHALL-1',
          negativeControl: 'none',
          timeoutMs: 1500,
          async run(t) {
            await bStarted;
            t.expect(true, 'b ran alongside');
          },
        }),
      ],
    });
    const b = defineSuite({
      id: 'demo/b',
      title: 'B',
      actorUnderTest: 'X',
      role: 'server',
      capabilities: [CAP],
      tests: [
        test('signals a', {
          requirements: 'DEMO-SHALL-1',
          negativeControl: 'none',
          run(t) {
            arrived();
            t.expect(true, 'started');
          },
        }),
      ],
    });
    return [a, b];
  }

  it('runs independent suites concurrently up to the bound', async () => {
    const results = await run(rendezvousSuites(), { concurrency: 2 });
    expect(results.tests.map((t) => `${t.id} ${t.verdict}`)).toEqual(['demo/a/waits-for-b pass', 'demo/b/signals-a pass']);
  });

  it('with a bound of one, suites run one after another (so the rendezvous times out)', async () => {
    const results = await run(rendezvousSuites(), { concurrency: 1 });
    expect(results.tests[0]).toMatchObject({ verdict: 'error', reason: 'the test did not finish within 1.5 s (per-test timeout)' });
  });

  it('a hung test ends as error at its timeout and the run goes on', async () => {
    const results = await run(
      [
        suiteOf([
          test('hangs on the SUT', {
            requirements: 'DEMO-SHALL-1',
            negativeControl: 'none',
            async run(t) {
              await t.sut.read('Basic', 'hang');
              t.expect(true, 'x');
            },
          }),
          test('hangs forever', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: () => new Promise<void>(() => undefined) }),
          test('still runs', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(true, 'x') }),
        ]),
      ],
      { timeouts: { testMs: 300 } },
    );
    expect(results.tests.map((t) => t.verdict)).toEqual(['error', 'error', 'pass']);
    expect(results.tests[1]!.reason).toBe('the test did not finish within 300 ms (per-test timeout)');
    expect(results.tests[0]!.reason).toBe('the test did not finish within 300 ms (per-test timeout)');
  });

  it('Ctrl-C ends the current test as interrupted, skips the rest, and still returns results', async () => {
    const controller = new AbortController();
    const results = await run(
      [
        suiteOf([
          test('done before', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(true, 'x') }),
          test('interrupted while waiting', {
            requirements: 'DEMO-SHALL-1',
            negativeControl: 'none',
            async run(t) {
              await t.sut.read('Basic', 'hang');
              t.expect(true, 'x');
            },
          }),
          test('never started', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(true, 'x') }),
        ]),
        defineSuite({
          id: 'demo/later',
          title: 'Later',
          actorUnderTest: 'X',
          role: 'server',
          capabilities: [CAP],
          tests: [test('later suite test', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(true, 'x') })],
        }),
      ],
      {
        concurrency: 1,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'test-start' && e.title === 'interrupted while waiting') setTimeout(() => controller.abort(), 50);
        },
      },
    );
    expect(results.interrupted).toBe(true);
    expect(results.tests.map((t) => [t.title, t.verdict, t.reason])).toEqual([
      ['done before', 'pass', undefined],
      ['interrupted while waiting', 'error', 'interrupted'],
      ['never started', 'skip', 'not run: the run was interrupted'],
      ['later suite test', 'skip', 'not run: the run was interrupted'],
    ]);
    expect(results.suites).toHaveLength(2);
  });

  it('a failing suite setup makes every test an error saying so, and keeps the setup evidence', async () => {
    const suite = defineSuite<{ id: string }>({
      id: 'demo/setup',
      title: 'Setup',
      actorUnderTest: 'X',
      role: 'server',
      capabilities: [CAP],
      async setup(s) {
        const res = await s.sut.read('Basic', 'garbage');
        return { id: res.resource().id ?? '' };
      },
      tests: [test('uses fixture', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expect(t.fixture.id, 'x') })],
    });
    const results = await run([suite]);
    expect(results.tests[0]!.verdict).toBe('error');
    expect(results.tests[0]!.reason).toMatch(/^suite setup failed: .*not valid FHIR JSON/);
    expect(results.suites[0]!.setupEvidence?.[0]).toMatchObject({ kind: 'http' });
  });

  it('hands the setup result to tests as t.fixture', async () => {
    const suite = defineSuite<{ version: string }>({
      id: 'demo/fixture',
      title: 'Fixture',
      actorUnderTest: 'X',
      role: 'server',
      capabilities: [CAP],
      async setup(s) {
        const cs = (await s.sut.capabilities()).resource();
        return { version: (cs as { fhirVersion?: string }).fhirVersion ?? '' };
      },
      tests: [test<{ version: string }>('reads fixture', { requirements: 'DEMO-SHALL-1', negativeControl: 'none', run: (t) => void t.expectEqual(t.fixture.version, '4.0.1', 'fhirVersion') })],
    });
    const results = await run([suite]);
    expect(results.tests[0]!.verdict).toBe('pass');
  });
});

describe('suite definition', () => {
  it('rejects duplicate test titles, a client suite without simulator, and a test without negative control', () => {
    const t1 = test('Same title', { requirements: 'DEMO-SHALL-1', negativeControl: 'x', run: () => undefined });
    const t2 = test('same  TITLE!', { requirements: 'DEMO-SHALL-1', negativeControl: 'x', run: () => undefined });
    expect(() => suiteOf([t1, t2])).toThrow(/same id demo\/server\/same-title/);
    expect(() => defineSuite({ id: 'demo/c', title: 'C', actorUnderTest: 'X', role: 'client', capabilities: [], tests: [] })).toThrow(/names no simulator/);
    expect(() => test('t', { requirements: 'DEMO-SHALL-1', negativeControl: '', run: () => undefined })).toThrow(/negativeControl/);
    expect(() => test('t', { requirements: [], negativeControl: 'x', run: () => undefined })).toThrow(/names no requirement/);
    expect(() => defineSuite({ id: 'Bad Id', title: 'C', actorUnderTest: 'X', role: 'server', capabilities: [], tests: [] })).toThrow(/suite id/);
  });
});
