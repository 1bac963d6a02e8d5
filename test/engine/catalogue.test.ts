import { describe, it, expect } from 'vitest';
import { RequirementCatalogue, defineRequirements, citationProblems, CatalogueError } from '../../src/engine/catalogue.js';
import { defineSuite, test } from '../../src/engine/suite.js';
import { worst, requirementResults, capabilitySummaries, overallVerdict } from '../../src/engine/verdict.js';
import type { Requirement, TestResult } from '../../src/engine/results.js';
import { requirements as coreRequirements } from '../../ig/fhir-core/requirements.js';

const req = (id: string, expectation: Requirement['expectation'] = 'SHALL', capability?: string): Requirement => ({
  id,
  expectation,
  statement: `statement of ${id}`,
  source: 'demo',
  ...(capability ? { capability } : {}),
});

describe('requirement definitions', () => {
  it('reports every malformed entry at once, naming each', () => {
    let error: unknown;
    try {
      defineRequirements([
        { id: 'lower-case', expectation: 'SHALL', statement: 's', source: 's' },
        { id: 'GOOD-1', expectation: 'MUST' as Requirement['expectation'], statement: '', source: 's' },
        { id: 'GOOD-2', expectation: 'SHALL', statement: 's', source: 's', capability: 'not a url' },
        req('DUP-1'),
        req('DUP-1'),
      ]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CatalogueError);
    const message = (error as Error).message;
    expect(message).toContain('requirement "lower-case": id must be upper-case');
    expect(message).toContain('requirement "GOOD-1": expectation must be one of SHALL, SHOULD, MAY, SHOULD-NOT');
    expect(message).toContain('requirement "GOOD-1": statement is empty');
    expect(message).toContain('requirement "GOOD-2": capability must be a canonical URL');
    expect(message).toContain('requirement DUP-1 is defined twice');
  });

  it('the core FHIR catalogue is well formed and covers capabilities, formats and HTTP', () => {
    const ids = coreRequirements.map((r) => r.id);
    expect(ids).toContain('FHIR-CAP-001');
    expect(ids.some((id) => id.startsWith('FHIR-FMT-'))).toBe(true);
    expect(ids.some((id) => id.startsWith('FHIR-HTTP-'))).toBe(true);
    expect(coreRequirements.find((r) => r.id === 'FHIR-FMT-004')!.expectation).toBe('SHOULD');
    expect(Object.isFrozen(coreRequirements)).toBe(true);
  });
});

describe('RequirementCatalogue', () => {
  it('accepts the same entry twice but not a conflicting one', () => {
    const c = new RequirementCatalogue([req('A-1')]);
    c.register([req('A-1')]);
    expect(c.size).toBe(1);
    expect(() => c.register([{ ...req('A-1'), expectation: 'SHOULD' }])).toThrow('requirement A-1 is registered twice with different content');
  });

  it('looks up by id, and names who asked for an unknown id', () => {
    const c = new RequirementCatalogue([req('A-1', 'SHALL', 'http://x/cs'), req('A-2', 'SHOULD', 'http://y/cs')]);
    expect(c.get('A-2')!.expectation).toBe('SHOULD');
    expect(() => c.require('A-9', 'test s/t')).toThrow('test s/t cites requirement A-9, which is not in the catalogue');
  });

  it('lists every unknown citation in the suites', () => {
    const c = new RequirementCatalogue([req('A-1')]);
    const suite = defineSuite({
      id: 'x/y',
      title: 'x',
      actorUnderTest: 'X',
      role: 'server',
      capabilities: [],
      tests: [test('one', { requirements: ['A-1', 'A-2'], negativeControl: 'f', run: () => undefined }), test('two', { requirements: 'B-7', negativeControl: 'f', run: () => undefined })],
    });
    expect(citationProblems([suite], c)).toEqual(['test x/y/one cites unknown requirement A-2', 'test x/y/two cites unknown requirement B-7']);
  });
});

describe('aggregation', () => {
  const result = (id: string, verdict: TestResult['verdict'], requirements: string[]): TestResult => ({
    id,
    suite: 's',
    title: id,
    requirements,
    verdict,
    startedAt: '',
    durationMs: 0,
    assertions: verdict === 'fail' || verdict === 'warning' ? [{ passed: false, message: 'x' }] : [{ passed: true, message: 'x' }],
    evidence: [],
  });

  it('worst wins: fail > error > warning > manual > pass > skip', () => {
    expect(worst(['skip', 'pass'])).toBe('pass');
    expect(worst(['pass', 'manual'])).toBe('manual');
    expect(worst(['manual', 'warning'])).toBe('warning');
    expect(worst(['warning', 'error'])).toBe('error');
    expect(worst(['error', 'fail', 'skip'])).toBe('fail');
    expect(worst([])).toBeUndefined();
  });

  it('a requirement cited by no test is not-tested; one with only skipped tests is skip', () => {
    const catalogue = [req('A-1', 'SHALL', 'http://x/cs'), req('A-2', 'SHOULD', 'http://x/cs'), req('A-3', 'SHALL', 'http://x/cs')];
    const rr = requirementResults(catalogue, [result('t1', 'pass', ['A-1']), result('t2', 'error', ['A-1']), result('t3', 'skip', ['A-3'])]);
    expect(rr.map((r) => [r.id, r.verdict])).toEqual([
      ['A-1', 'error'],
      ['A-2', 'not-tested'],
      ['A-3', 'skip'],
    ]);
    expect(capabilitySummaries([{ url: 'http://x/cs', title: 'X' }], rr)).toEqual([{ url: 'http://x/cs', title: 'X', shall: { passed: 0, total: 2 }, should: { passed: 0, total: 1 } }]);
    expect(overallVerdict(rr, [result('t2', 'error', ['A-1'])])).toBe('error');
  });

  it('a failing SHOULD requirement never makes the run fail', () => {
    const rr = requirementResults([req('A-2', 'SHOULD')], [result('t', 'warning', ['A-2'])]);
    expect(rr[0]!.verdict).toBe('warning');
    expect(overallVerdict(rr, [result('t', 'warning', ['A-2'])])).toBe('pass');
  });
});
