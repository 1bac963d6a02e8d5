import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import suite from '../../suites/saner/produce-measure/measure-consumer.js';
import { catalogue } from '../../ig/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor } from '../../src/cli/selection.js';
import { runSuites, type RunResults, type Suite, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { startMeasureConsumer } from '../../simulators/measure-consumer/index.js';

const consumerSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;

async function run(config: HarnessConfig): Promise<RunResults> {
  return runSuites({ suites: [consumerSuite], catalogue: catalogue(), plan: (s) => planFor(s, config) });
}

function byTitle(results: RunResults): Map<string, TestResult> {
  return new Map(results.tests.map((t) => [t.title, t]));
}

describe('Produce Measure suite for the Measure Consumer', () => {
  it('decides every requirement of the three Consumer statements and passes against the reference Consumer', async () => {
    const results = await run({ ...base, sut: undefined });
    // The whole catalogue is listed; what matters here is every requirement of the statements the suite covers.
    const covered = new Set(results.suites.flatMap((s) => s.capabilities));
    expect(results.requirements.filter((r) => r.verdict === 'not-tested' && covered.has(r.capability ?? '')).map((r) => r.id)).toEqual([]);
    expect(results.tests.filter((t) => t.verdict !== 'pass').map((t) => `${t.title}: ${t.reason}`)).toEqual([]);
    const ids = results.requirements.map((r) => r.id);
    for (const prefix of ['SANER-PM-CON-', 'SANER-SD-CON-', 'SANER-CSVPUSH-CON-', 'SANER-OP-REPORTCSV-', 'SANER-PM-PG-', 'SANER-SD-PG-', 'FHIR-HTTP-']) {
      expect([prefix, ids.some((id) => id.startsWith(prefix))]).toEqual([prefix, true]);
    }
    expect(results.requirements.find((r) => r.id === 'SANER-PM-PG-002-SRC')).toMatchObject({ verdict: 'not-tested', tests: [], notTestedReason: 'actor not selected in this run' });
  }, 60_000);

  describe('against a Consumer named by its base URL that refuses client-chosen ids and claims only Push', () => {
    let server: RunningFhirServer;
    let results: RunResults;
    beforeAll(async () => {
      server = await startMeasureConsumer({ clientIds: false });
      results = await run({ ...base, sut: { name: 'push-only consumer', baseUrl: server.url, options: ['Push'] } });
    }, 60_000);
    afterAll(() => server.close());

    it('skips the CSV and Supplemental Data tests, saying which option is not claimed', () => {
      const skipped = results.tests.filter((t) => t.verdict === 'skip');
      expect(skipped.map((t) => t.reason).sort()).toEqual([...Array(4).fill('option CSV not claimed'), ...Array(3).fill('option SupplementalData not claimed')]);
    });

    it('takes a 405 for a PUT of an unknown id as the refusal FHIR allows, and passes the rest', () => {
      const t = byTitle(results);
      const unknownId = t.get('an update of an id the Consumer does not hold creates it with 201 or is refused with 405')!;
      expect(unknownId.verdict).toBe('pass');
      expect(unknownId.assertions.map((a) => a.message)).toContain(
        `PUT MeasureReport/${unknownId.evidence.flatMap((e) => (e.kind === 'http' ? [e.exchange.url.split('/').pop()] : []))[0]} (an id the Consumer does not hold) answered 405 Method Not Allowed with an OperationOutcome`,
      );
      // The refusal decides FHIR-HTTP-011; FHIR-HTTP-006 (the answer to an update that creates) is left undecided, saying why.
      expect(unknownId.assertions.flatMap((a) => a.requirements ?? [])).toEqual(['FHIR-HTTP-011']);
      expect(unknownId.undecided?.map((u) => u.requirement)).toEqual(['FHIR-HTTP-006']);
      expect(results.tests.filter((x) => x.verdict !== 'pass' && x.verdict !== 'skip').map((x) => x.title)).toEqual([]);
    });

    it('keeps every exchange with the SUT as evidence of the test that made it', () => {
      const rejected = byTitle(results).get('a SANER profile violation is refused with 422 naming the element')!;
      const exchanges = rejected.evidence.flatMap((e) => (e.kind === 'http' ? [e.exchange] : []));
      expect(exchanges.map((e) => [e.method, e.status])).toEqual([
        ['POST', 422],
        ['POST', 422],
      ]);
      expect(exchanges[1]?.requestHeaders['content-type']).toContain('application/fhir+xml');
    });
  });
});
