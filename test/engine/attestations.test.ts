import { describe, expect, it } from 'vitest';
import { ATTESTED_FALSE, defineSuite, test } from '../../src/engine/suite.js';
import { RequirementCatalogue, defineRequirements } from '../../src/engine/catalogue.js';
import { runSuites } from '../../src/engine/runner.js';
import type { Attestation, TestResult } from '../../src/engine/results.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { selfCheck } from '../../src/cli/self-check.js';
import { defaultConfig } from '../../src/config/load.js';
import { buildHtmlModel } from '../../src/report/html-model.js';
import { parseResults } from '../../src/report/results-file.js';
import { renderHtml } from '../../src/report/html.js';

const catalogue = new RequirementCatalogue(
  defineRequirements([
    { id: 'ASK-SHALL-1', expectation: 'SHALL', statement: 'mutual authentication is required', source: 'demo §1' },
    { id: 'ASK-SHOULD-1', expectation: 'SHOULD', statement: 'small counts are considered', source: 'demo §2' },
  ]),
);

const suite = defineSuite({
  id: 'demo/attestations',
  title: 'questions for a person',
  // Any actor with a bundled simulator: self-check starts it, though the questions need none.
  actorUnderTest: 'MadxContentConsumer',
  role: 'server',
  capabilities: [],
  tests: [
    test('mutual authentication', { requirements: 'ASK-SHALL-1', negativeControl: ATTESTED_FALSE, run: (t) => void t.attest('ASK-SHALL-1', 'Is mutual authentication required?') }),
    test('small counts', { requirements: 'ASK-SHOULD-1', negativeControl: ATTESTED_FALSE, run: (t) => void t.attest('ASK-SHOULD-1', 'Are small counts considered?') }),
  ],
});

async function verdicts(attestations?: Record<string, Attestation>): Promise<TestResult[]> {
  const results = await runSuites({ suites: [suite], catalogue, plan: () => ({ target: { baseUrl: 'http://127.0.0.1:9/' } }), ...(attestations ? { attestations } : {}) });
  return results.tests;
}

describe('attestations', () => {
  it('ask the question (manual) when nothing is recorded', async () => {
    const [shall] = await verdicts();
    expect([shall!.verdict, shall!.reason]).toEqual(['manual', 'Is mutual authentication required? (record the answer as attestations.ASK-SHALL-1 in config.yaml)']);
  });

  it('pass on yes, fail a SHALL and warn a SHOULD on no, with the answer as evidence', async () => {
    const yes = await verdicts({ 'ASK-SHALL-1': { attested: true, by: 'Grace, CISO', note: 'national PKI' }, 'ASK-SHOULD-1': { attested: true, by: 'Grace, CISO' } });
    expect(yes.map((t) => t.verdict)).toEqual(['pass', 'pass']);
    expect(yes[0]!.evidence).toEqual([{ kind: 'attestation', requirement: 'ASK-SHALL-1', question: 'Is mutual authentication required?', attested: true, by: 'Grace, CISO', note: 'national PKI' }]);
    const no = await verdicts({ 'ASK-SHALL-1': { attested: false, by: 'Grace, CISO' }, 'ASK-SHOULD-1': { attested: false, by: 'Grace, CISO' } });
    expect(no.map((t) => t.verdict)).toEqual(['fail', 'warning']);
    expect(no[0]!.reason).toBe('Grace, CISO attested no: Is mutual authentication required?');
  });

  it('show in the results file shape and the HTML model', async () => {
    const results = await runSuites({ suites: [suite], catalogue, plan: () => ({ target: { baseUrl: 'http://127.0.0.1:9/' } }), attestations: { 'ASK-SHALL-1': { attested: true, by: 'Grace' } } });
    expect(parseResults(JSON.parse(JSON.stringify(results))).tests[0]!.evidence[0]).toMatchObject({ kind: 'attestation', by: 'Grace' });
    expect(renderHtml(results)).toContain('Attestation of ASK-SHALL-1');
    const view = buildHtmlModel(results)
      .suites.flatMap((s) => s.tests)
      .find((t) => t.title === 'mutual authentication');
    expect(view?.attestations).toEqual([{ requirement: 'ASK-SHALL-1', question: 'Is mutual authentication required?', answer: 'yes', by: 'Grace' }]);
  });

  it('self-check proves an attestation test fails when the recorded answer is no, and passes on a yes', async () => {
    const { controls, unproved, proved } = await selfCheck([suite], catalogue, defaultConfig().config);
    expect(controls.map((o) => [o.fault, o.clean, o.faulty, o.ok])).toEqual([
      [ATTESTED_FALSE, 'pass', 'fail', true],
      [ATTESTED_FALSE, 'pass', 'warning', true],
    ]);
    expect(unproved).toEqual([]);
    expect(proved).toBe(2);
  });

  it('are read from config.yaml, keyed by requirement id, each saying who answered', () => {
    const { config } = parseConfig(['attestations:', '  MADX-SEC-002: { attested: true, by: "Ada, security officer", note: PKI }'].join('\n'), 'config.yaml', {});
    expect(config.attestations).toEqual({ 'MADX-SEC-002': { attested: true, by: 'Ada, security officer', note: 'PKI' } });
    expect(() => parseConfig(['attestations:', '  MADX-SEC-002: { attested: yes please }'].join('\n'), 'config.yaml', {})).toThrow(ConfigError);
    expect(() => parseConfig(['attestations:', '  MADX-SEC-002: { attested: true }'].join('\n'), 'config.yaml', {})).toThrow(/missing required key 'by'/);
  });
});
