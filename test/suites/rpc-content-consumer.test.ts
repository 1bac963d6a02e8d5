import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import suite from '../../suites/rpc/send-concordance-report/content-consumer.js';
import { catalogue } from '../../ig/index.js';
import { RPC_CONTENT_CONSUMER } from '../../ig/rpc/capabilities.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor } from '../../src/cli/selection.js';
import { runSuites, type RunResults, type Suite, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { startContentConsumer } from '../../simulators/content-consumer/index.js';

const consumerSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;

async function run(config: HarnessConfig): Promise<RunResults> {
  return runSuites({ suites: [consumerSuite], catalogue: catalogue(), plan: (s) => planFor(s, config) });
}
const byTitle = (results: RunResults): Map<string, TestResult> => new Map(results.tests.map((t) => [t.title, t]));
const ASYNC = 'the answer is synchronous; asked with Prefer: respond-async, a 202 or 303 leads to the final answer';

describe('RPC Send Concordance Report suite for the Content Consumer', () => {
  it('decides every Content Consumer requirement but those with a reason, against the reference Consumer', async () => {
    const results = await run({ ...base, sut: undefined });
    const own = results.requirements.filter((r) => r.capability === RPC_CONTENT_CONSUMER);
    expect(own.filter((r) => r.verdict === 'not-tested').map((r) => r.id).sort()).toEqual(['RPC-CS-003', 'RPC-SEC-004']);
    expect(byTitle(results).get('the Consumer endpoint is served over https')?.verdict).toBe('pass');
    expect(own.filter((r) => r.verdict === 'not-tested' && !r.notTestedReason)).toEqual([]);
    expect(results.tests.filter((x) => !['pass', 'skip', 'manual'].includes(x.verdict)).map((x) => `${x.title}: ${x.reason}`)).toEqual([]);
  }, 60_000);

  describe('against Consumers named by base URL', () => {
    const servers: RunningFhirServer[] = [];
    const sut = async (options: Parameters<typeof startContentConsumer>[0]) => {
      const server = await startContentConsumer({ profile: 'rpc', ...options });
      servers.push(server);
      return run({ ...base, sut: { name: 'consumer', baseUrl: server.url } });
    };
    afterAll(async () => Promise.all(servers.map((s) => s.close())));
    let always202: RunResults;
    let madx: RunResults;
    beforeAll(async () => {
      always202 = await sut({ async: '202' });
      madx = await sut({ profile: 'madx' });
    }, 90_000);

    it('a Consumer answering every submission 202 is followed to its answers, with a warning for not being synchronous', () => {
      const t = byTitle(always202);
      expect(t.get('valid reports sent by POST in JSON are accepted with 201 or 200 and held as sent')?.verdict).toBe('pass');
      expect([t.get(ASYNC)?.verdict, t.get(ASYNC)?.reason]).toEqual(['warning', 'a plain POST MeasureReport was answered 202 Accepted; expected its final status at once (LAB-90: the response is "expected synchronously")']);
      expect(always202.requirements.find((r) => r.id === 'RPC-CON-014')?.verdict).toBe('warning');
    });

    it('a Consumer holding reports to mADX rules instead refuses valid RPC reports and fails the acceptance test', () => {
      expect(byTitle(madx).get('valid reports sent by POST in JSON are accepted with 201 or 200 and held as sent')?.verdict).toBe('fail');
    });
  });
});
