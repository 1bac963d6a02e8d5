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
import type { Resource } from 'fhir/r4.js';
import { madxProfileUrl, registerMadxProfiles } from '../../ig/madx/profiles.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { startPlainServer, type PlainServerOptions } from '../stand-ins/plain-fhir-server.js';

const consumerSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;

async function run(config: HarnessConfig): Promise<RunResults> {
  return runSuites({ suites: [consumerSuite], catalogue: catalogue(), plan: (s) => planFor(s, config) });
}
const byTitle = (results: RunResults): Map<string, TestResult> => new Map(results.tests.map((t) => [t.title, t]));
const MUTUAL = 'the Consumer requires mutual authentication';
const CREDENTIALS = 'a request with no credential, or a wrong one, is refused with 401 and an OperationOutcome';

describe('mADX Send Aggregate Report suite for the Content Consumer', () => {
  it('decides every Content Consumer requirement but those with a reason, against the reference Consumer', async () => {
    const results = await run({ ...base, sut: undefined });
    const own = results.requirements.filter((r) => r.capability === MADX_CONTENT_CONSUMER);
    expect(own.filter((r) => r.verdict === 'not-tested' && !r.notTestedReason).map((r) => r.id)).toEqual([]);
    expect(
      own
        .filter((r) => r.verdict === 'not-tested')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['MADX-CON-022', 'MADX-SEC-005']);
    const t = byTitle(results);
    expect(['MADX-OPT-002', 'MADX-OPT-003', 'MADX-OPT-004'].map((id) => results.requirements.find((r) => r.id === id)?.verdict)).toEqual(['pass', 'pass', 'pass']);
    expect(results.tests.filter((x) => !['pass', 'skip', 'manual'].includes(x.verdict)).map((x) => `${x.title}: ${x.reason}`)).toEqual([]);
    // The reference Consumer demands the run's bearer token, which the harness presents: a request without it, or with a wrong one, is refused on the wire.
    expect(t.get(CREDENTIALS)?.verdict).toBe('pass');
    expect(
      t
        .get(CREDENTIALS)
        ?.assertions.filter((a) => a.requirements?.includes('MADX-CON-008'))
        .map((a) => a.message),
    ).toEqual([
      expect.stringMatching(/^a report with no credential \(the run presents a bearer token with every other request\) answered 401 Unauthorized$/),
      'a report with a wrong bearer token answered 401 Unauthorized',
    ]);
    expect(results.requirements.find((r) => r.id === 'MADX-CON-008')?.verdict).toBe('pass');
    expect(t.get(MUTUAL)?.assertions.map((a) => [a.passed, a.message])).toEqual([
      [true, 'a report from a client presenting no credential and no client certificate was answered 401 Unauthorized: the Consumer demands that a client authenticate itself'],
    ]);
    // The mADX text of the run: the one the reference Consumer declares, the 3.0.0-comment text by default.
    expect(results.ruleSets).toEqual([
      {
        ig: 'IHE QRPH mADX',
        ruleSet: 'comment-draft (3.0.0-comment)',
        reason: expect.stringMatching(
          /^declared by the SUT: its CapabilityStatement .* names https:\/\/profiles\.ihe\.net\/QRPH\/mADX\/StructureDefinition\/mADX-MeasureReport\|3\.0\.0-comment.*sut\.madxRuleSet: trial-implementation/,
        ),
        suite: 'madx/send-aggregate-report/content-consumer',
      },
    ]);
    expect(t.get('the Consumer endpoint is served over https')?.verdict).toBe('pass');
    expect(results.suites[0]!.target).toMatch(/^https:/);
    // The TLS row has evidence of its own: the same address asked in plain http is no FHIR endpoint.
    expect(results.requirements.find((r) => r.id === 'MADX-SEC-001')?.verdict).toBe('pass');
    expect(t.get('the Consumer endpoint is served over https')?.assertions).toContainEqual(
      expect.objectContaining({
        passed: true,
        requirements: ['MADX-SEC-001'],
        message: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/metadata found no plain-http endpoint \(the connection failed: \w+\)$/),
      }),
    );
    expect([t.get(MUTUAL)?.verdict, t.get(MUTUAL)?.reason]).toEqual(['manual', expect.stringContaining("appropriate under the jurisdiction's guidelines")]);
    expect(t.get(MUTUAL)?.reason).toContain('record the answer as attestations.MADX-SEC-002 in config.yaml');
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

    it('a Consumer requiring the configured bearer token refuses none and a wrong one with 401: the test passes', () => {
      expect(byTitle(bearer).get(CREDENTIALS)?.verdict).toBe('pass');
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

describe('mADX Content Consumer suite: authentication on the wire', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => Promise.all(closers.map((c) => c())));
  const plainRun = async (options: PlainServerOptions, token?: string) => {
    const server = await startPlainServer(options);
    closers.push(() => server.close());
    return run({ ...base, sut: { name: 'stand-in', baseUrl: server.baseUrl, options: [], ...(token ? { auth: { bearerToken: token } } : {}) } });
  };
  const verdict = (results: RunResults, id: string) => results.requirements.find((r) => r.id === id);
  let open: RunResults;
  let demanding: RunResults;
  let forbidding: RunResults;
  let ignoring: RunResults;
  beforeAll(async () => {
    const reference = await startContentConsumer({ faults: ['auth-ignored'], auth: { bearerToken: 'the-token' } });
    closers.push(() => reference.close());
    [open, demanding, forbidding, ignoring] = await Promise.all([
      plainRun({}),
      plainRun({ bearerToken: 'the-token' }, 'the-token'),
      plainRun({ bearerToken: 'the-token', authStatus: 403 }, 'the-token'),
      run({ ...base, sut: { name: 'ignores credentials', baseUrl: reference.url, auth: { bearerToken: 'the-token' } } }),
    ]);
  }, 120_000);

  it('a Consumer taking reports from a client that does not authenticate itself fails mutual authentication; the 401 row does not apply to it', () => {
    expect(verdict(open, 'MADX-SEC-002')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(
        /^a report from a client presenting no credential and no client certificate was answered 201 Created; expected the Consumer to refuse a client that does not authenticate itself/,
      ),
    });
    expect(verdict(open, 'MADX-CON-008')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('it requires no authorization, so the 401 row does not apply') });
  });

  it('a Consumer demanding the configured token passes both on the wire, and only the jurisdiction question is left to a person', () => {
    expect(verdict(demanding, 'MADX-CON-008')?.verdict).toBe('pass');
    expect(verdict(demanding, 'MADX-SEC-002')).toMatchObject({ verdict: 'manual', reason: expect.stringContaining('appropriate under the jurisdiction') });
  });

  it('one answering 403 instead of 401 fails the 401 row, its demand for authentication still seen', () => {
    expect(verdict(forbidding, 'MADX-CON-008')).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/answered 403 Forbidden; expected 401 Unauthorized/) });
    expect(verdict(forbidding, 'MADX-SEC-002')?.verdict).toBe('manual');
  });

  it('a Consumer that ignores the credentials it was configured with fails both, each on its own id', () => {
    expect(verdict(ignoring, 'MADX-CON-008')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/^a report with no credential \(the run presents a bearer token with every other request\) answered 201 Created; expected 401 Unauthorized/),
    });
    expect(verdict(ignoring, 'MADX-SEC-002')?.verdict).toBe('fail');
  });
});

describe('mADX Content Consumer suite: the text of the run, both ways', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => Promise.all(closers.map((c) => c())));
  /** A stand-in that validates what it is sent by one mADX text (422), and may declare that text in its CapabilityStatement. */
  const validating = async (text: 'trial-implementation' | 'comment-draft', declares: boolean, configured?: 'trial-implementation' | 'comment-draft') => {
    registerMadxProfiles();
    const profile = madxProfileUrl(text);
    const refuse = (r: Resource) =>
      validateResource(r, { profiles: [profile] })
        .filter((i) => i.severity === 'error')
        .map((i) => i.message)
        .join('; ') || undefined;
    const interaction = (['read', 'search-type', 'create', 'update'] as const).map((code) => ({ code }));
    const capability = declares ? { rest: [{ mode: 'server' as const, resource: [{ type: 'MeasureReport' as const, interaction, supportedProfile: [profile] }] }] } : {};
    const server = await startPlainServer({ refuse, capability });
    closers.push(() => server.close());
    return run({ ...base, sut: { name: `holds the ${text} text`, baseUrl: server.baseUrl, options: [], ...(configured ? { madxRuleSet: configured } : {}) } });
  };
  const verdict = (results: RunResults, id: string) => results.requirements.find((r) => r.id === id);
  let trialUnderDefault: RunResults;
  let commentUnderConfig: RunResults;
  let declaredTrial: RunResults;
  beforeAll(async () => {
    [trialUnderDefault, commentUnderConfig, declaredTrial] = await Promise.all([
      validating('trial-implementation', false),
      validating('comment-draft', false, 'trial-implementation'),
      validating('trial-implementation', true, 'comment-draft'),
    ]);
  }, 120_000);

  it('with nothing declared or configured, the 3.0.0-comment text rules: a Consumer holding the 3.0.0 text takes what it should refuse and refuses what it should take, each saying why', () => {
    expect(trialUnderDefault.ruleSets?.[0]).toMatchObject({ ruleSet: 'comment-draft (3.0.0-comment)', reason: expect.stringMatching(/^the default, the mADX 3\.0\.0-comment text/) });
    expect(verdict(trialUnderDefault, 'MADX-CON-013')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(
        /^measurereport-trial-implementation-without-improvement-notation\.json \(under the mADX 3\.0\.0-comment text, the run's: no improvementNotation \(MADX-MR-015\), which only the 3\.0\.0-comment text requires\) PUT at MeasureReport\/\S+ answered 201 Created; expected 422/,
      ),
    });
    const messages = trialUnderDefault.tests.flatMap((t) => t.assertions.filter((a) => !a.passed).map((a) => a.message));
    expect(messages).toContainEqual(expect.stringMatching(/^measurereport-trial-implementation-stratifier-without-code\.json .*MADX-MR-010.* answered 201 Created; expected 422/));
    expect(verdict(trialUnderDefault, 'MADX-CON-024')).toMatchObject({
      verdict: 'warning',
      reason: expect.stringMatching(/^measurereport-comment-stratum-value\.json PUT in JSON to the new id MeasureReport\/\S+ answered 422 Unprocessable Content; expected 200 OK or 201 Created/),
    });
  });

  it('with the 3.0.0 text named in config, a Consumer holding the comment text fails the other way', () => {
    expect(commentUnderConfig.ruleSets?.[0]).toMatchObject({ ruleSet: 'trial-implementation (3.0.0)', reason: expect.stringMatching(/^named in config \(sut\.madxRuleSet: trial-implementation\)/) });
    expect(verdict(commentUnderConfig, 'MADX-CON-013')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(
        /^measurereport-comment-stratum-value\.json \(under the mADX 3\.0\.0 trial-implementation text, the run's: a stratum given by value, not by components \(MADX-MR-008\).*answered 201 Created; expected 422/,
      ),
    });
    expect(verdict(commentUnderConfig, 'MADX-CON-024')).toMatchObject({
      verdict: 'warning',
      reason: expect.stringMatching(/^measurereport-trial-implementation-\S+\.json PUT in JSON to the new id MeasureReport\/\S+ answered 422 Unprocessable Content/),
    });
  });

  it('a text the Consumer declares by a versioned canonical wins over config, and its reports are judged by it', () => {
    expect(declaredTrial.ruleSets?.[0]).toMatchObject({ ruleSet: 'trial-implementation (3.0.0)', reason: expect.stringMatching(/^declared by the SUT: its CapabilityStatement/) });
    expect(['MADX-CON-013', 'MADX-CON-024'].map((id) => verdict(declaredTrial, id)?.verdict)).toEqual(['pass', 'pass']);
  });
});
