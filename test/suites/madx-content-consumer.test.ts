import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import suite from '../../suites/madx/send-aggregate-report/content-consumer.js';
import { catalogue } from '../../ig/index.js';
import { MADX_CONTENT_CONSUMER } from '../../ig/madx/capabilities.js';
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
const MUTUAL = 'the Consumer requires mutual authentication';

describe('mADX Send Aggregate Report suite for the Content Consumer', () => {
  it('decides every Content Consumer requirement but those with a reason, against the reference Consumer', async () => {
    const results = await run({ ...base, sut: undefined });
    const own = results.requirements.filter((r) => r.capability === MADX_CONTENT_CONSUMER);
    expect(own.filter((r) => r.verdict === 'not-tested' && !r.notTestedReason).map((r) => r.id)).toEqual([]);
    expect(own.filter((r) => r.verdict === 'not-tested').map((r) => r.id).sort()).toEqual(['MADX-CON-022', 'MADX-SEC-005']);
    const t = byTitle(results);
    expect(['MADX-OPT-002', 'MADX-OPT-003', 'MADX-OPT-004'].map((id) => results.requirements.find((r) => r.id === id)?.verdict)).toEqual(['pass', 'pass', 'pass']);
    expect(results.tests.filter((x) => !['pass', 'skip', 'manual'].includes(x.verdict)).map((x) => `${x.title}: ${x.reason}`)).toEqual([]);
    expect(t.get('a request with wrong credentials is refused with 401')?.reason).toMatch(/requires no authorization/);
    expect(t.get('the Consumer endpoint is served over https')?.verdict).toBe('pass');
    expect(results.suites[0]!.target).toMatch(/^https:/);
    // The TLS row has evidence of its own: the same address asked in plain http is no FHIR endpoint.
    expect(results.requirements.find((r) => r.id === 'MADX-SEC-001')?.verdict).toBe('pass');
    expect(t.get('the Consumer endpoint is served over https')?.assertions).toContainEqual(
      expect.objectContaining({ passed: true, requirements: ['MADX-SEC-001'], message: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/metadata found no plain-http endpoint \(the connection failed: \w+\)$/) }),
    );
    expect([t.get(MUTUAL)?.verdict, t.get(MUTUAL)?.reason]).toEqual(['manual', expect.stringContaining('record the answer as attestations.MADX-SEC-002 in config.yaml')]);
  }, 60_000);

  it('a run asked for plain http leaves the https test to a person, saying why', async () => {
    const t = byTitle(await run({ ...base, sut: undefined, simulators: { ...base.simulators, referenceTls: false } })).get('the Consumer endpoint is served over https')!;
    expect([t.verdict, t.reason]).toEqual(['manual', expect.stringContaining('run --no-tls')]);
  }, 60_000);

  it('a recorded attestation decides the question: yes passes, no fails, and the answer is evidence', async () => {
    const attested = async (yes: boolean) => {
      const results = await runSuites({
        suites: [consumerSuite],
        catalogue: catalogue(),
        plan: (s) => planFor(s, { ...base, sut: undefined }),
        attestations: { 'MADX-SEC-002': { attested: yes, by: 'Ada Lovelace, security officer', note: 'client certificates from the national PKI' } },
      });
      return byTitle(results).get(MUTUAL)!;
    };
    const yes = await attested(true);
    expect(yes.verdict).toBe('pass');
    expect(yes.evidence).toContainEqual(expect.objectContaining({ kind: 'attestation', requirement: 'MADX-SEC-002', attested: true, by: 'Ada Lovelace, security officer' }));
    const no = await attested(false);
    expect([no.verdict, no.reason]).toEqual(['fail', expect.stringContaining('Ada Lovelace, security officer attested no')]);
  }, 60_000);

  describe('against Consumers named by base URL', () => {
    const servers: RunningFhirServer[] = [];
    const sut = async (options: Parameters<typeof startContentConsumer>[0], token?: string) => {
      const server = await startContentConsumer(options);
      servers.push(server);
      return run({ ...base, sut: { name: 'consumer', baseUrl: server.url, ...(token ? { auth: { bearerToken: token } } : {}) } });
    };
    afterAll(async () => Promise.all(servers.map((s) => s.close())));

    let bearer: RunResults;
    let always303: RunResults;
    let singleOutcome: RunResults;
    let claimsButSkipsChecks: RunResults;
    let claimsNoOption: RunResults;
    beforeAll(async () => {
      const lax = await startContentConsumer({ validateMessage: true, faults: ['ignore-terminology', 'ignore-unknown-subject'] });
      servers.push(lax);
      claimsButSkipsChecks = await run({ ...base, sut: { name: 'lax', baseUrl: lax.url, options: ['ValidateMadxMessage'] } });
      claimsNoOption = await run({ ...base, sut: { name: 'plain', baseUrl: lax.url, options: [] } });
      bearer = await sut({ auth: { bearerToken: 'secret-token' } }, 'secret-token');
      always303 = await sut({ async: '303' });
      singleOutcome = await sut({ faults: ['bundle-single-outcome'] });
    }, 90_000);

    it('the Validate option tests are skipped, saying why, for a SUT not claiming it, and fail one that claims it but takes what it should refuse', () => {
      const skipped = byTitle(claimsNoOption).get('with the Validate option, a report about a facility the mCSD directory does not hold is refused with 422')!;
      expect([skipped.verdict, skipped.reason]).toEqual(['skip', 'option ValidateMadxMessage not claimed']);
      const lax = byTitle(claimsButSkipsChecks);
      expect(lax.get('with the Validate option, a report about a facility the mCSD directory does not hold is refused with 422')?.verdict).toBe('fail');
      expect(lax.get('with the Validate option, an indicator or disaggregation value outside the Measure and its linked code sets is refused with 422 code-invalid')?.verdict).toBe('fail');
    });

    it('a Consumer requiring a bearer token answers the made-up one 401: the test passes instead of skipping', () => {
      expect(byTitle(bearer).get('a request with wrong credentials is refused with 401')?.verdict).toBe('pass');
    });

    it('a Consumer answering every submission 303 is followed to its final answers', () => {
      const t = byTitle(always303);
      expect(t.get('valid reports sent by PUT in JSON are accepted with 200 or 201 and held as sent')?.verdict).toBe('pass');
      expect(t.get('a valid report sent by PUT in XML is processed: accepted with 200 or 201 and held as sent')?.verdict).toBe('pass');
      expect(t.get('asked with Prefer: respond-async, a 202 status URL is polled and a 303 followed to the final answer')?.verdict).toBe('pass');
    });

    it('one OperationOutcome for a whole invalid Bundle is the A4 form: a warning, not a fail', () => {
      const t = byTitle(singleOutcome).get('a collection Bundle with invalid entries is refused whole with 422, one OperationOutcome per invalid report')!;
      expect([t.verdict, t.reason]).toEqual(['warning', 'the answer is one OperationOutcome, not one per invalid report (the A4 form)']);
    });

    it('a Consumer named by an http base URL fails the https test, even when it is the reference simulator', () => {
      expect(byTitle(singleOutcome).get('the Consumer endpoint is served over https')?.verdict).toBe('fail');
    });
  });
});
