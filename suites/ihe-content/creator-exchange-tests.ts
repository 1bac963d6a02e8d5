/**
 * Tests both Content Creator suites (mADX QRPH-58, RPC LAB-90) share: they judge one recording of
 * the creator's traffic for what the two transactions ask alike — that it sends, its media types,
 * the scheme of its endpoint, and how it follows the Consumer's 202 and 303 answers — each test
 * citing its own catalogue's ids.
 */
import { ATTESTED_FALSE, test, type TestContext, type TestDefinition } from '../../src/engine/index.js';
import { FHIR_MEDIA, readSends, reportsSent, submissions, type Send } from './creator-sends.js';

export interface CreatorFixture {
  sends?: Send[];
}

type T = TestContext<CreatorFixture>;

/** Headers any HTTP client sends; the rest are the ones a Consumer may have asked for. */
const ORDINARY_HEADERS = new Set(['host', 'content-type', 'content-length', 'accept', 'accept-encoding', 'accept-language', 'user-agent', 'connection', 'transfer-encoding', 'sec-fetch-mode']);

export function sendsOf(t: T): Send[] {
  return t.require(t.fixture.sends, 'the first test recorded the creator\'s requests (it has to run first)');
}

function note(t: T, what: string, sends: readonly Send[]): void {
  t.note(`${what} (${sends.length}):\n${sends.slice(0, 15).map((s) => `  ${s.line}`).join('\n')}${sends.length > 15 ? `\n  … ${sends.length - 15} more` : ''}`);
}

/** The first test: triggers the SUT once and records its requests until they settle. */
export function sendsWhenTriggered(spec: { title: string; trigger: string; actor: string; requirements: string[]; sends: string; headers: string }): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>(spec.title, {
    requirements: spec.requirements,
    negativeControl: 'no-send',
    description: 'Triggers the SUT once and records every request until 0.5 s pass without one; the other tests judge this recording.',
    async run(t) {
      const sends = readSends(await t.recordTraffic(spec.trigger, { actor: spec.actor }), t.simulator.baseUrl);
      t.fixture.sends = sends;
      note(t, 'requests from the creator', sends);
      const extra = [...new Set(submissions(sends).flatMap((s) => Object.keys(s.exchange.requestHeaders).map((h) => h.toLowerCase())).filter((h) => !ORDINARY_HEADERS.has(h)))];
      t.note(`headers beyond the ordinary ones (${spec.headers} allows those a Consumer asks for): ${extra.join(', ') || 'none'}`);
      t.expect(reportsSent(submissions(sends)).length > 0, 'the creator sent at least one MeasureReport', { requirement: spec.sends });
    },
  });
}

export function fhirMediaTypes(requirement: string, negativeControl: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('Requests carry Content-Type application/fhir+json or application/fhir+xml and bodies in that format', {
    requirements: requirement,
    negativeControl,
    run(t) {
      const sent = submissions(sendsOf(t));
      t.require(sent.length > 0, 'the creator sent requests to judge');
      t.expectEvery(sent, (s) => FHIR_MEDIA.has(s.media ?? ''), 'every request names application/fhir+json or application/fhir+xml');
      t.expectEvery(sent, (s) => s.body !== undefined, 'every body parses in the format its Content-Type names');
    },
  });
}

/**
 * Over TLS (the reference run's Consumer simulator, or simulators.tls) every request must have used
 * it; over plain http (the harness's own choice of endpoint) the scheme the creator uses in
 * production cannot be seen, so a person attests to it.
 */
export function httpsEndpoint(spec: { https: string; requirements: string[] }): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('The creator sends to an https endpoint', {
    requirements: spec.requirements,
    negativeControl: 'no-send',
    description: 'With no SUT the Consumer simulator serves https with a certificate made for the run; for a SUT give it TLS (simulators.tls in config.yaml) for the harness to see the scheme. Over plain http a person attests to it.',
    run(t) {
      const sent = submissions(sendsOf(t));
      t.require(sent.length > 0, 'the creator sent requests to the endpoint it was given');
      if (new URL(t.simulator.baseUrl).protocol === 'https:') {
        t.expectEvery(sent, (s) => new URL(s.exchange.url, t.simulator.baseUrl).protocol === 'https:', 'every request arrived over TLS', { requirement: spec.https });
        return;
      }
      t.manual(`the Consumer simulator ran over plain http (${t.simulator.baseUrl}), so the scheme cannot be judged here: a person confirms the creator is configured with an https endpoint and refuses http`);
    },
  });
}

/** Path and query only: the simulator may record its inbound URLs without the origin its headers name. */
const pathOf = (url: URL): string => `${url.pathname}${url.search}`;
const urlOf = (s: Send, header: string): string | undefined => {
  const value = s.exchange.responseHeaders?.[header];
  return value ? pathOf(new URL(value, new URL(s.exchange.url, 'http://localhost'))) : undefined;
};
const target = (s: Send): string => pathOf(new URL(s.exchange.url, 'http://localhost'));
const fetched = (sends: readonly Send[]): Set<string> => new Set(sends.filter((s) => s.kind === 'get').map(target));

/** After a 202 the creator polls the status URL (Content-Location, else Location). */
export function pollsAccepted(requirement: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('After a 202 the creator polls the status URL', {
    requirements: requirement,
    negativeControl: 'no-polling',
    description: 'The Consumer simulator runs in its 202 mode for this suite: each submission is answered 202 with a status URL, which answers 202 once more and then 303 to the result.',
    run(t) {
      const sends = sendsOf(t);
      const accepted = submissions(sends).filter((s) => s.exchange.status === 202);
      if (accepted.length === 0) t.skip('the Consumer answered no submission with 202 in this run (its 202 mode is off)');
      const polled = fetched(sends);
      t.expectEvery(accepted, (s) => { const url = urlOf(s, 'content-location') ?? urlOf(s, 'location'); return url !== undefined && polled.has(url); }, 'the status URL of every 202 was polled');
    },
  });
}

/** After a 303, to a submission or a poll, the creator GETs its Location. */
export function follows303(requirement: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('After a 303 the creator GETs its Location', {
    requirements: requirement,
    negativeControl: 'ignore-303',
    run(t) {
      const sends = sendsOf(t);
      const redirects = sends.filter((s) => s.exchange.status === 303 && urlOf(s, 'location') !== undefined);
      if (redirects.length === 0) t.skip('the Consumer gave the creator no 303 in this run (a creator that does not poll a 202 never reaches one)');
      const got = fetched(sends);
      t.expectEvery(redirects, (s) => got.has(urlOf(s, 'location')!), 'every 303 was followed by a GET of its Location');
    },
  });
}

/** Error answers: what the creator tells its user is not on the wire, so a person attests to it. */
export function reportsErrors(requirement: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('The creator reports 401, 5xx and network failures as errors', {
    requirements: requirement,
    negativeControl: ATTESTED_FALSE,
    description: `What the creator tells its user is not on the wire: a person answers, recorded as attestations.${requirement} in config.yaml.`,
    run(t) {
      const sends = sendsOf(t);
      const failed = sends.filter((s) => s.exchange.status === undefined || s.exchange.status === 401 || s.exchange.status >= 500);
      t.note(failed.length ? `${failed.length} request(s) met an error answer in this run (${failed.slice(0, 5).map((s) => s.line).join('; ')})` : 'no request met an error answer in this run');
      t.attest(requirement, 'On a 401, a 5xx or a network failure, does the creator report an error and not count the report as delivered?');
    },
  });
}

/** A policy a person answers for: small counts can identify people (QRPH-58 2:3.58.6). */
export function smallCellRisk(requirement: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('The risk of re-identification from small counts is considered', {
    requirements: requirement,
    negativeControl: ATTESTED_FALSE,
    description: `A policy, not an exchange: a person answers, recorded as attestations.${requirement} in config.yaml.`,
    run(t) {
      t.attest(requirement, 'Before reports are shared, is the risk of re-identifying people from small counts considered (e.g. small cells suppressed or aggregated, per the ITI De-Identification handbook)?');
    },
  });
}
