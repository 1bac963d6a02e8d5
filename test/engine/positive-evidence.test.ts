// A requirement passes only on positive evidence: checks name what they decide, and what no check
// decided is skipped or errored with the reason, never passed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { defineSuite, test, type Suite } from '../../src/engine/suite.js';
import { RequirementCatalogue, defineRequirements } from '../../src/engine/catalogue.js';
import { runSuites } from '../../src/engine/runner.js';
import type { RequirementResult, RunResults, TestResult } from '../../src/engine/results.js';
import { startServer, fhirJson, type TestServer } from './servers.js';

const CAP = 'http://example.org/CapabilityStatement/evidence';
const ids = ['OP-1', 'OP-2', 'OP-3', 'OTHER-1', 'GUIDE-1'] as const;
const catalogue = new RequirementCatalogue(
  defineRequirements([
    ...ids.map((id) => ({ id, expectation: 'SHALL' as const, statement: `statement ${id}`, source: 'demo', capability: CAP })),
    { id: 'SOFT-1', expectation: 'SHOULD', statement: 'should', source: 'demo', capability: CAP },
  ]),
);

let sut: TestServer;
beforeAll(async () => {
  sut = await startServer((req, res) => {
    if (req.url?.startsWith('/fhir/Basic/ok')) return fhirJson(res, 200, { resourceType: 'Basic', id: 'ok', code: { text: 'x' } });
    if (req.url?.startsWith('/fhir/Patient/warn')) return fhirJson(res, 200, { resourceType: 'Patient', id: 'warn' });
    if (req.url?.startsWith('/fhir/Basic/reset')) return req.socket.destroy();
    if (req.url?.startsWith('/fhir/Basic/garbage')) {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      return res.end('{"resourceType": "Basic", oops');
    }
    return fhirJson(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
  });
});
afterAll(() => sut.close());

const suite: Suite = defineSuite({
  id: 'demo/evidence',
  title: 'evidence',
  actorUnderTest: 'Demo',
  role: 'server',
  capabilities: [CAP],
  tests: [
    test('stops at a required status, deciding only what it names', {
      requirements: ['OP-1', 'OP-2'],
      negativeControl: 'n/a',
      async run(t) {
        const res = await t.sut.operation('$report-csv', { type: 'Measure', id: 'm' });
        t.require(res.status === 200, `POST Measure/m/$report-csv answered ${res.status}; expected 200`, { requirement: 'OP-1' });
        t.expect(true, 'never reached', { requirement: 'OP-2' });
      },
    }),
    test('a body that does not parse fails everything the test cites', {
      requirements: ['OP-3', 'OTHER-1'],
      negativeControl: 'n/a',
      async run(t) {
        const res = await t.sut.read('Basic', 'garbage');
        t.expect(res.resource().resourceType === 'Basic', 'read a Basic', { requirement: 'OP-3' });
      },
    }),
    test('a check naming nothing in a test citing several is a harness error', {
      requirements: ['OP-1', 'OP-2'],
      negativeControl: 'n/a',
      run(t) {
        t.expect(true, 'which one?');
      },
    }),
    test('a check over an empty set decides nothing', {
      requirements: 'GUIDE-1',
      negativeControl: 'n/a',
      run(t) {
        t.expectEvery([] as string[], () => false, 'every Accept header names a FHIR media type');
      },
    }),
    test('one requirement decided, the other left undecided with a reason', {
      requirements: ['OP-1', 'OP-3'],
      negativeControl: 'n/a',
      async run(t) {
        const res = await t.sut.read('Basic', 'ok');
        t.expectStatus(res, 200, { requirement: 'OP-1' });
        t.undecided('OP-3', 'the server answered every request, so its error answers could not be judged');
      },
    }),
    test('a refused connection leaves the requirement undecided as error', {
      requirements: 'OTHER-1',
      negativeControl: 'n/a',
      async run(t) {
        await t.sut.read('Basic', 'reset');
        t.expect(true, 'not reached');
      },
    }),
    test('best-practice warnings are notes, never a verdict', {
      requirements: 'SOFT-1',
      negativeControl: 'n/a',
      async run(t) {
        const patient = (await t.sut.read('Patient', 'warn')).resource();
        await t.validate(patient);
      },
    }),
  ],
});

let results: RunResults;
beforeAll(async () => {
  results = await runSuites({ suites: [suite], catalogue, plan: () => ({ target: { baseUrl: `${sut.url}/fhir` } }), http: { timeouts: { headersMs: 2000 } } });
});

const testNamed = (title: string): TestResult => results.tests.find((t) => t.title.startsWith(title))!;
const req = (id: string): RequirementResult => results.requirements.find((r) => r.id === id)!;

describe('positive evidence', () => {
  it('a requirement cited by a failing test but decided by none of its checks is not passed', () => {
    expect(testNamed('stops at a required status').verdict).toBe('fail');
    // OP-2 is cited by that test and by the harness-error test, never decided: not a pass.
    expect(req('OP-2').verdict).not.toBe('pass');
    expect(req('OP-1').verdict).toBe('fail');
    expect(req('OP-1').reason).toMatch(/\$report-csv answered 404; expected 200/);
  });

  it('a check the engine makes itself (a body that does not parse) decides every cited requirement', () => {
    const t = testNamed('a body that does not parse');
    expect(t.verdict).toBe('fail');
    expect(t.assertions.at(-1)).toMatchObject({ passed: false, requirements: ['OP-3', 'OTHER-1'] });
  });

  it('an untagged check in a test citing several requirements ends the test as a harness error', () => {
    const t = testNamed('a check naming nothing');
    expect(t.verdict).toBe('error');
    expect(t.reason).toMatch(/harness error: check "which one\?" names no requirement, but test .* cites several \(OP-1, OP-2\)/);
  });

  it('a check over an empty set decides nothing: the test is skipped saying so', () => {
    const t = testNamed('a check over an empty set');
    expect(t.verdict).toBe('skip');
    expect(t.reason).toBe('nothing to check: every Accept header names a FHIR media type (there was none)');
    expect(req('GUIDE-1')).toMatchObject({ verdict: 'skip' });
  });

  it("a requirement the test leaves undecided is skipped with the test's reason, the decided one passes", () => {
    const t = testNamed('one requirement decided');
    expect(t.verdict).toBe('pass');
    expect(t.undecided).toEqual([{ requirement: 'OP-3', reason: 'the server answered every request, so its error answers could not be judged' }]);
    expect(t.assertions).toEqual([expect.objectContaining({ passed: true, requirements: ['OP-1'], requirement: 'OP-1' })]);
  });

  it('a refused connection leaves its requirement as error, not pass', () => {
    expect(testNamed('a refused connection').verdict).toBe('error');
    // OTHER-1 is also cited by the unparsed-body test, which decided it: fail outranks error.
    expect(req('OTHER-1').verdict).toBe('fail');
    expect(
      results.tests
        .filter((t) => t.requirements.includes('OTHER-1'))
        .map((t) => t.verdict)
        .sort(),
    ).toEqual(['error', 'fail']);
  });

  it('validation warnings become a note and do not turn the requirement into a warning', () => {
    const t = testNamed('best-practice warnings');
    expect(t.verdict).toBe('pass');
    expect(t.evidence.some((e) => e.kind === 'note' && /validation warning.*\(no verdict\)/.test(e.text))).toBe(true);
    expect(req('SOFT-1').verdict).toBe('pass');
  });
});
