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
import type { Measure, MeasureReport, Resource } from 'fhir/r4.js';
import { measureCodeIssues } from '../../ig/madx/measure-codes.js';
import { startPlainServer, type PlainServerOptions } from '../stand-ins/plain-fhir-server.js';

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
    expect(
      own
        .filter((r) => r.verdict === 'not-tested')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['RPC-CS-003', 'RPC-SEC-004']);
    expect(byTitle(results).get('the Consumer endpoint is served over https')?.verdict).toBe('pass');
    expect(own.filter((r) => r.verdict === 'not-tested' && !r.notTestedReason)).toEqual([]);
    expect(results.tests.filter((x) => !['pass', 'skip', 'manual'].includes(x.verdict)).map((x) => `${x.title}: ${x.reason}`)).toEqual([]);
    // Decided on the wire: the run's credential, the Measure's codes, and XML entities.
    expect(['RPC-CON-007', 'RPC-CON-018', 'RPC-SEC-005'].map((id) => own.find((r) => r.id === id)?.verdict)).toEqual(['pass', 'pass', 'pass']);
    // Mutual authentication is seen on the wire; what is left (appropriate for the jurisdiction) waits for a person, the alignment row with it.
    const mutual = byTitle(results).get('the Consumer requires mutual authentication')!;
    expect(mutual.assertions.map((a) => [a.passed, a.requirements])).toEqual([[true, ['RPC-SEC-002', 'RPC-ALN-003']]]);
    expect(own.find((r) => r.id === 'RPC-SEC-002')).toMatchObject({ verdict: 'manual', reason: expect.stringContaining('appropriate under the jurisdiction') });
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
      expect([t.get(ASYNC)?.verdict, t.get(ASYNC)?.reason]).toEqual([
        'warning',
        'a plain POST MeasureReport was answered 202 Accepted; expected its final status at once (LAB-90: the response is "expected synchronously")',
      ]);
      expect(always202.requirements.find((r) => r.id === 'RPC-CON-014')?.verdict).toBe('warning');
    });

    it('a Consumer holding reports to mADX rules instead refuses valid RPC reports and fails the acceptance test', () => {
      expect(byTitle(madx).get('valid reports sent by POST in JSON are accepted with 201 or 200 and held as sent')?.verdict).toBe('fail');
    });
  });

  describe('the Measure in use, credentials and XML entities, each on its own id', () => {
    const closers: (() => Promise<void>)[] = [];
    afterAll(async () => Promise.all(closers.map((c) => c())));
    const row = (results: RunResults, id: string) => results.requirements.find((r) => r.id === id);
    const OTHER = 'http://example.org/Measure/lesion-concordance';
    const other: Measure = {
      resourceType: 'Measure',
      id: 'lesion-concordance',
      url: OTHER,
      status: 'active',
      group: [
        {
          code: { coding: [{ system: 'http://example.org/concordance', code: 'lesion-concordance' }] },
          stratifier: [{ code: { coding: [{ system: 'http://example.org/concordance', code: 'lesion-size' }] }, criteria: { language: 'text/cql', expression: 'LesionSize' } }],
        },
      ],
    };
    const reference = async (faults: string[], sut: Partial<NonNullable<HarnessConfig['sut']>> = {}) => {
      const server = await startContentConsumer({ profile: 'rpc', faults });
      closers.push(() => server.close());
      return run({ ...base, sut: { name: 'consumer', baseUrl: server.url, ...sut } });
    };
    const plain = async (options: PlainServerOptions, sut: Partial<NonNullable<HarnessConfig['sut']>> = {}) => {
      const server = await startPlainServer(options);
      closers.push(() => server.close());
      return run({ ...base, sut: { name: 'stand-in', baseUrl: server.baseUrl, options: [], ...sut } });
    };
    let ignoresCodes: RunResults;
    let ignoresCredentials: RunResults;
    let expands: RunResults;
    let otherMeasure: RunResults;
    let otherMeasureLax: RunResults;
    let unknownMeasure: RunResults;
    let open: RunResults;
    beforeAll(async () => {
      const byOther = (r: Resource) =>
        r.resourceType === 'MeasureReport'
          ? measureCodeIssues(r as MeasureReport, other, 'RPC-CON-018')
              .map((i) => i.message)
              .join('; ') || undefined
          : undefined;
      [ignoresCodes, ignoresCredentials, expands, otherMeasure, otherMeasureLax, unknownMeasure, open] = await Promise.all([
        reference(['ignore-measure-codes']),
        reference(['auth-ignored'], { auth: { bearerToken: 'the-token' } }),
        reference(['expand-entities']),
        plain({ seed: [other], refuse: byOther }, { measure: OTHER }),
        plain({ seed: [other] }, { measure: OTHER }),
        plain({}, { measure: 'http://example.org/Measure/not-anywhere' }),
        plain({}),
      ]);
    }, 120_000);

    it('a Consumer taking codes the RPC Measure does not define fails RPC-CON-018', () => {
      expect(row(ignoresCodes, 'RPC-CON-018')).toMatchObject({
        verdict: 'fail',
        reason: expect.stringMatching(
          /^a report on https:\/\/measure-conformance\.dev\/fhir\/rpc\/Measure\/gleason-concordance with a group code the Measure does not define \(not-defined-by-the-measure\) POSTed to MeasureReport answered 201 Created; expected 422/,
        ),
      });
    });

    it("the Measure in use is config's, read from the Consumer: reports are sent on its codes, and a Consumer holding them passes while one taking any codes fails", () => {
      expect(row(otherMeasure, 'RPC-CON-018')?.verdict).toBe('pass');
      expect(row(otherMeasure, 'RPC-CON-001')?.verdict).toBe('pass');
      expect(row(otherMeasureLax, 'RPC-CON-018')).toMatchObject({ verdict: 'fail', reason: expect.stringContaining(`a report on ${OTHER} with a group code the Measure does not define`) });
    });

    it('a Measure whose codes the harness cannot know leaves RPC-CON-018 undecided, saying why', () => {
      expect(row(unknownMeasure, 'RPC-CON-018')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('GET Measure?url= on the Consumer answered 200 OK without it') });
    });

    it('credentials: a Consumer ignoring the configured token fails the 401 row; an open one is warned on mutual authentication (a SHOULD) and leaves the mADX alignment unused', () => {
      expect(row(ignoresCredentials, 'RPC-CON-007')).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/answered 201 Created; expected 401 Unauthorized/) });
      expect(row(open, 'RPC-SEC-002')).toMatchObject({
        verdict: 'warning',
        reason: expect.stringMatching(/^a report from a client presenting no credential and no client certificate was answered 201 Created/),
      });
      expect(row(open, 'RPC-ALN-003')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('not used (MAY)') });
      expect(row(open, 'RPC-CON-007')?.verdict).toBe('skip');
    });

    it('a Consumer expanding an XML entity is warned under RPC-SEC-005; one taking no XML has nothing to guard', () => {
      expect(row(expands, 'RPC-SEC-005')).toMatchObject({
        verdict: 'warning',
        reason: expect.stringMatching(/^POST MeasureReport with a valid report in XML declaring an entity answered 201 Created and echoed the expanded entity; expected 400 Bad Request/),
      });
      expect(row(open, 'RPC-SEC-005')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('takes no XML') });
    });
  });
});
