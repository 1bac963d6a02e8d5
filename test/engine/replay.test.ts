/**
 * A replayed environment: a client suite judges traffic recorded elsewhere with its own tests.
 * What the traffic shows is judged as it would be live; what it does not show was never asked of
 * the SUT, so it is "not observed" (skip), never a failure; nothing is started or triggered.
 */
import { describe, expect, it } from 'vitest';
import { defineSuite, test } from '../../src/engine/suite.js';
import { RequirementCatalogue } from '../../src/engine/catalogue.js';
import { runSuites } from '../../src/engine/runner.js';
import type { Recording, RecordedTraffic } from '../../src/engine/environment.js';
import type { HttpExchange, RunResults } from '../../src/engine/results.js';
import type { InboundRequest } from '../../src/engine/inbound.js';

const catalogue = new RequirementCatalogue([
  { id: 'DEMO-CREATE', expectation: 'SHALL', statement: 'The source creates its reports by POST.', source: 'demo' },
  { id: 'DEMO-UPDATE', expectation: 'SHALL', statement: 'The source revises a report by PUT.', source: 'demo' },
  { id: 'DEMO-MEDIA', expectation: 'SHALL', statement: 'Bodies are labelled application/fhir+json.', source: 'demo' },
]);

const BASE = 'http://recorded.example:8080/fhir';

function inbound(method: string, path: string, contentType: string, status: number): HttpExchange {
  const body = JSON.stringify({ resourceType: 'MeasureReport', status: 'complete' });
  return {
    direction: 'inbound',
    method,
    url: `${BASE}${path}`,
    requestHeaders: { 'content-type': contentType },
    requestBody: { text: body, size: body.length, truncated: false },
    status,
    startedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, status)).toISOString(),
  };
}

interface Fixture {
  recording: Recording;
  creates: InboundRequest[];
  updates: InboundRequest[];
  beside: Recording;
}

const suite = defineSuite<Fixture>({
  id: 'demo/push/source',
  title: 'demo source',
  actorUnderTest: 'ProduceMeasureSource',
  role: 'client',
  simulator: 'demo-consumer',
  capabilities: [],
  async setup(env) {
    const recording = await env.record('push reports', { actor: 'source', asks: [{ token: 'MeasureReport/update', says: 'revise a report' }] });
    // A second server the suite would start beside its own: in a replay it receives nothing.
    const other = await env.start('demo-consumer');
    const beside = await env.record('push again elsewhere', { at: [other] });
    return {
      recording,
      beside,
      creates: recording.requests.filter((r) => r.interaction === 'create'),
      updates: recording.requests.filter((r) => r.interaction === 'update'),
    };
  },
  tests: [
    test<Fixture>('creates', {
      requirements: 'DEMO-CREATE',
      negativeControl: 'no-create',
      run(t) {
        t.expectShown(t.fixture.creates, `${t.fixture.creates.length} create(s)`, 'no create; expected one');
      },
    }),
    test<Fixture>('updates', {
      requirements: 'DEMO-UPDATE',
      negativeControl: 'no-update',
      run(t) {
        t.expectSome(t.fixture.updates, (u) => u.succeeded, 'a PUT was accepted');
      },
    }),
    test<Fixture>('media types', {
      requirements: 'DEMO-MEDIA',
      negativeControl: 'wrong-media',
      run(t) {
        t.expectEvery([...t.fixture.creates, ...t.fixture.updates], (r) => r.mediaType === 'application/fhir+json', 'every body is application/fhir+json', { show: (r) => r.line });
      },
    }),
  ],
});

function grade(exchanges: HttpExchange[], extra: Partial<RecordedTraffic> = {}): Promise<RunResults> {
  return runSuites({ suites: [suite], catalogue, plan: () => ({ target: { replay: { baseUrl: BASE, exchanges, source: 'a test capture', ...extra } } }) });
}

const verdictOf = (results: RunResults, slug: string) => results.tests.find((t) => t.id === `demo/push/source/${slug}`)!;

describe('replaying recorded traffic through a client suite', () => {
  it("judges what the traffic shows with the suite's own checks, and leaves what it does not show not observed", async () => {
    const results = await grade([inbound('POST', '/MeasureReport', 'application/fhir+json', 201), inbound('POST', '/MeasureReport', 'application/json', 201)]);
    expect(verdictOf(results, 'creates').verdict).toBe('pass');
    const media = verdictOf(results, 'media-types');
    expect(media.verdict).toBe('fail');
    expect(media.assertions[0]!.message).toMatch(/1 of 2 do not \(POST \/MeasureReport -> 201/);
    const updates = verdictOf(results, 'updates');
    expect(updates.verdict).toBe('skip');
    expect(updates.reason).toMatch(/not observed in the recorded traffic: a PUT was accepted/);
    expect(results.requirements.find((r) => r.id === 'DEMO-UPDATE')!.verdict).toBe('skip');
    expect(results.suites[0]!.target).toBe(`${BASE} (recorded: a test capture)`);
  });

  it('hands the traffic to the first recording only, starts nothing, and says where the traffic came from', async () => {
    const results = await grade([inbound('PUT', '/MeasureReport/a', 'application/fhir+json', 200)], { notes: ['mutual authentication is not observed through a proxy'] });
    expect(verdictOf(results, 'updates').verdict).toBe('pass');
    const notes = (results.suites[0]!.setupEvidence ?? []).flatMap((e) => (e.kind === 'note' ? [e.text] : []));
    expect(notes).toContain('mutual authentication is not observed through a proxy');
    expect(notes.some((n) => /replayed 1 request of the source recorded at http:\/\/recorded\.example:8080\/fhir \(a test capture\)/.test(n))).toBe(true);
    expect(notes.some((n) => /nothing of the recorded traffic \(a test capture\) answers this step: push again elsewhere/.test(n))).toBe(true);
    expect((results.suites[0]!.setupEvidence ?? []).filter((e) => e.kind === 'http')).toHaveLength(1);
  });

  it('fails what was absent when the SUT was asked (live), but not in a replay', async () => {
    const empty = await grade([]);
    expect(verdictOf(empty, 'creates').verdict).toBe('skip');
    expect(verdictOf(empty, 'creates').reason).toMatch(/not observed in the recorded traffic: no create; expected one/);
    const live = await runSuites({
      suites: [suite],
      catalogue,
      plan: () => ({ target: { start: async () => ({ baseUrl: BASE, close: async () => undefined }) }, trigger: { type: 'reference', name: 'a silent client', run: async () => undefined } }),
      launch: async () => ({ baseUrl: 'http://127.0.0.1:9/', close: async () => undefined }),
    });
    expect(verdictOf(live, 'creates').verdict).toBe('fail');
    expect(verdictOf(live, 'updates').verdict).toBe('fail');
  });

  it('refuses to replay into a suite whose tests drive the SUT themselves', async () => {
    const driving = defineSuite({ ...suite, id: 'demo/push/driving', cannotGradeRecordings: 'its tests compute over data it generates' });
    await expect(runSuites({ suites: [driving], catalogue, plan: () => ({ target: { replay: { baseUrl: BASE, exchanges: [], source: 'x' } } }) })).rejects.toThrow(
      /suite demo\/push\/driving cannot grade recorded traffic: its tests compute over data it generates/,
    );
  });
});
