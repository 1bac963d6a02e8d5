/**
 * What both Content Creator suites (mADX QRPH-58, RPC LAB-90) share: one setup that records the
 * creator's traffic (and, where the trigger shows how the creator ended, its answer to a Consumer
 * refusing it with 401 and with 503), and the tests that judge what the two transactions ask alike
 * — that it sends, the credential the Consumer demands, its media types, the scheme of its
 * endpoint, how it follows the Consumer's 202 and 303 answers and how it reports errors — each
 * citing its own catalogue's ids.
 */
import { ATTESTED_FALSE, test, type Ask, type Recording, type SuiteEnvironment, type TestContext, type TestDefinition } from '../../src/engine/index.js';
import { asSends, FHIR_MEDIA, reportsSent, submissions, type Send } from './creator-sends.js';

export interface CreatorFixture {
  recording: Recording;
  sends: Send[];
  /** Sends to a Consumer answering 303 at once, when the suite's own Consumer answers 202 first. */
  redirected?: Send[];
  /** How the creator ended when a Consumer refused everything with 401 and with 503 (where the trigger shows it). */
  refusals: { status: 401 | 503; recording: Recording }[];
}

type T = TestContext<CreatorFixture>;

/** Headers any HTTP client sends; the rest are the ones a Consumer may have asked for. */
const ORDINARY_HEADERS = new Set(['host', 'content-type', 'content-length', 'accept', 'accept-encoding', 'accept-language', 'user-agent', 'connection', 'transfer-encoding', 'sec-fetch-mode']);

export const sendsOf = (t: T): Send[] => t.fixture.sends;

/**
 * Triggers the creator once against the suite's Consumer and records what it sends; with `also303`
 * once more against a Consumer answering 303 at once; and, where the trigger shows how the creator
 * ended (a command's exit status, a reference client's failure), once against a Consumer refusing
 * with 401 and once with 503, each recorded apart.
 */
export async function recordCreator(env: SuiteEnvironment, spec: { trigger: string; actor: string; asks: readonly Ask[]; simulator: string; also303: boolean }): Promise<CreatorFixture> {
  const recording = await env.record(spec.trigger, { actor: spec.actor, asks: spec.asks });
  let redirected: Send[] | undefined;
  if (spec.also303) {
    const consumer = await env.start(spec.simulator, { async: '303' });
    redirected = asSends((await env.record(`${spec.trigger} (once more, to a Content Consumer that answers 303 at once)`, { actor: spec.actor, asks: spec.asks, at: [consumer] })).requests);
  }
  const refusals: CreatorFixture['refusals'] = [];
  if (recording.trigger.kind === 'command' || recording.trigger.kind === 'reference') {
    for (const status of [401, 503] as const) {
      const consumer = await env.start(spec.simulator, { refuseAll: status });
      refusals.push({ status, recording: await env.record(`${spec.trigger} (once more, to a Content Consumer that refuses with ${status})`, { actor: spec.actor, asks: spec.asks, at: [consumer] }) });
    }
  }
  return { recording, sends: asSends(recording.requests), ...(redirected ? { redirected } : {}), refusals };
}

/** The first test: the creator sent reports when triggered; the MAY row of using the transaction is decided where used. */
export function sendsWhenTriggered(spec: { title: string; sends: string; uses?: string }): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>(spec.title, {
    requirements: [spec.sends, ...(spec.uses ? [spec.uses] : [])],
    negativeControl: 'no-send',
    description: 'The suite triggers the SUT once and records every request until 0.5 s pass without one; this and the other tests judge that recording.',
    run(t) {
      const { recording, sends } = t.fixture;
      t.cite('requests from the creator', sends);
      const reports = reportsSent(submissions(sends));
      t.expectShown(
        reports,
        `the creator sent ${reports.length} MeasureReport(s)`,
        `${recording.silence ?? `the creator sent ${sends.length} request(s), none carrying a MeasureReport`}; expected at least one MeasureReport`,
        { requirement: spec.sends },
      );
      if (spec.uses) {
        if (reports.length) t.expect(true, 'the creator used the transaction to deliver its reports', { requirement: spec.uses });
        else t.undecided(spec.uses, 'not used (MAY): the creator did not use the transaction');
      }
    },
  });
}

/**
 * The creator's side of mutual authentication: where the Consumer simulator demands a bearer token
 * (one made for the run with no SUT, or simulators.auth.bearerToken), every request carries one and
 * none is refused 401 — which also shows the creator adds the headers a Consumer asks for. With
 * none demanded, the headers it adds of its own accord go with every request (the MAY row), and
 * mutual authentication is not shown.
 */
export function presentsCredential(spec: { headers: string; mutual: string }): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('The creator presents the credential the Consumer demands on every request', {
    requirements: [spec.headers, spec.mutual],
    negativeControl: 'no-credential',
    description:
      'With no SUT the Consumer simulator demands a bearer token made for the run, which the reference creator is given; for a SUT it demands simulators.auth.bearerToken when config.yaml gives one, which the SUT must be configured with. A request without it is answered 401 and fails.',
    run(t) {
      // A connection that failed its TLS handshake carried no request to judge: the https test judges it.
      const sent = sendsOf(t).filter((s) => s.exchange.error === undefined);
      if (sent.length === 0) return t.skip('the creator sent nothing, so no credential could be seen');
      const carries = (s: Send) => 'authorization' in s.exchange.requestHeaders && s.status !== 401;
      if (t.config.demandedCredential) {
        t.expectEvery(sent, carries, 'every request carried the bearer token the Consumer demands and none was refused 401', {
          requirement: [spec.headers, spec.mutual],
          show: (s) => `${s.line} ${'authorization' in s.exchange.requestHeaders ? 'carried a credential the Consumer refused (401)' : 'carried no Authorization'}`,
        });
        return;
      }
      t.undecided(spec.mutual, 'the Consumer simulator demanded no credential: give simulators.auth.bearerToken in config.yaml, and the creator that token, to see it presented');
      const extra = [...new Set(sent.flatMap((s) => Object.keys(s.exchange.requestHeaders).map((h) => h.toLowerCase())).filter((h) => !ORDINARY_HEADERS.has(h)))];
      if (extra.length === 0) t.undecided(spec.headers, 'not used (MAY): the Consumer asked for no header and the creator sent none beyond the ordinary ones');
      else
        t.expectEvery(extra, (h) => sent.every((s) => h in s.exchange.requestHeaders), `the headers the creator adds (${extra.join(', ')}) go with every request`, {
          requirement: spec.headers,
          show: (h) => `${h} missing from some requests`,
        });
    },
  });
}

export function fhirMediaTypes(requirement: string, negativeControl: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('Requests carry Content-Type application/fhir+json or application/fhir+xml and bodies in that format', {
    requirements: requirement,
    negativeControl,
    run(t) {
      const sent = submissions(sendsOf(t));
      t.expectEvery(sent, (s) => FHIR_MEDIA.has(s.mediaType ?? ''), 'every request names application/fhir+json or application/fhir+xml', {
        show: (s) => `${s.line} is ${s.mediaType ?? 'unlabelled'}`,
      });
      t.expectEvery(
        sent.filter((s) => s.format),
        (s) => s.body?.ok === true,
        'every body parses in the format its Content-Type names',
        { show: (s) => `${s.line}: ${s.body && !s.body.ok ? s.body.error : 'no body'}` },
      );
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
    negativeControl: 'plain-http-send',
    description:
      'With no SUT the Consumer simulator serves https with a certificate made for the run; for a SUT give it TLS (simulators.tls in config.yaml) for the harness to see the scheme. A plain-http request or a failed handshake at the https port is recorded and fails. Over plain http a person attests to it.',
    run(t) {
      const base = t.env.simulator!.baseUrl;
      const sent = submissions(sendsOf(t));
      const failedTls = t.fixture.recording.requests.filter((r) => r.exchange.error !== undefined);
      if (new URL(base).protocol !== 'https:') {
        return t.manual(
          `the Consumer simulator ran over plain http (${base}), so the scheme cannot be judged here: a person confirms the creator is configured with an https endpoint and refuses http`,
        );
      }
      if (sent.length === 0 && failedTls.length === 0) return t.skip('the creator sent nothing to the endpoint it was given, so its scheme cannot be judged');
      t.expect(
        failedTls.length === 0,
        failedTls.length
          ? `${failedTls.length} connection(s) to the https endpoint did not use TLS: ${failedTls[0]!.exchange.error}; expected every request over TLS`
          : 'no connection reached the endpoint without TLS',
        { requirement: spec.requirements },
      );
      t.expectEvery(sent, (s) => new URL(s.exchange.url, base).protocol === 'https:', 'every request arrived over TLS', { requirement: spec.requirements, show: (s) => s.line });
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
    acrossRequests: true,
    description: 'The Consumer simulator runs in its 202 mode for this suite: each submission is answered 202 with a status URL, which answers 202 once more and then 303 to the result.',
    run(t) {
      const sends = sendsOf(t);
      const accepted = submissions(sends).filter((s) => s.status === 202);
      if (accepted.length === 0) return t.skip('the Consumer answered no submission with 202 in this run (its 202 mode is off)');
      const polled = fetched(sends);
      t.expectEvery(
        accepted,
        (s) => {
          const url = urlOf(s, 'content-location') ?? urlOf(s, 'location');
          return url !== undefined && polled.has(url);
        },
        'the status URL of every 202 was polled',
        { show: (s) => `${s.line}: ${urlOf(s, 'content-location') ?? urlOf(s, 'location') ?? '(no status URL)'} never polled` },
      );
    },
  });
}

/** After a 303, to a submission or a poll, the creator GETs its Location. */
export function follows303(requirement: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('After a 303 the creator GETs its Location', {
    requirements: requirement,
    negativeControl: 'ignore-303',
    acrossRequests: true,
    run(t) {
      // The suite's own exchange, and the one with a Consumer answering 303 at once where the suite has it.
      for (const sends of [sendsOf(t), t.fixture.redirected ?? []]) {
        const redirects = sends.filter((s) => s.status === 303 && urlOf(s, 'location') !== undefined);
        const got = fetched(sends);
        t.expectEvery(redirects, (s) => got.has(urlOf(s, 'location')!), 'every 303 was followed by a GET of its Location', { show: (s) => `${s.line}: ${urlOf(s, 'location')} never fetched` });
      }
    },
  });
}

/** What a creator's ending says about an error: a non-zero exit, a reference client's failure, or output naming it. */
function reportedError(recording: Recording, status: number): string | undefined {
  const ended = recording.trigger;
  if (ended.failure) return `it gave up: ${ended.failure}`;
  if (ended.exitCode !== undefined && ended.exitCode !== 0) return `it exited with ${ended.exitCode ?? 'a signal'}`;
  const said = ended.output?.split('\n').find((line) => new RegExp(`\\b${status}\\b|error|fail|refused|unauthori[sz]ed|unavailable`, 'i').test(line));
  return said ? `it exited with 0 but said: ${said.trim()}` : undefined;
}

/**
 * Error answers: a creator told to send to a Consumer that refuses with 401, and to one that refuses
 * with 503, must not end as if the report were delivered. A command shows it by its exit status or
 * output; a trigger that shows neither (a webhook, a prompt) leaves it to a person.
 */
export function reportsErrors(requirement: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('The creator reports 401 and 5xx answers as errors', {
    requirements: requirement,
    negativeControl: 'swallow-errors',
    description: `The suite triggers the creator once more against a Content Consumer answering every submission 401, and once against one answering 503; its exit status (or a reference client's failure) and output are the evidence. With a trigger that shows neither, a person answers (attestations.${requirement}).`,
    run(t) {
      const refusals = t.fixture.refusals;
      if (refusals.length === 0) return void t.attest(requirement, 'On a 401 or a 5xx answer, does the creator report an error and not count the report as delivered?');
      for (const { status, recording } of refusals) {
        const refused = submissions(asSends(recording.requests)).filter((s) => s.status === status);
        t.cite(`requests to the Consumer refusing with ${status}`, recording.requests);
        if (refused.length === 0) {
          t.undecided(requirement, `the creator sent nothing to the Consumer refusing with ${status}, so its error reporting could not be seen`);
          continue;
        }
        const said = reportedError(recording, status);
        t.expect(
          said !== undefined,
          said
            ? `refused with ${status}, the creator reported it: ${said}`
            : `refused with ${status} (${refused[0]!.line}), the creator exited with 0 and printed nothing about it; expected it to report the error (a non-zero exit or a message)`,
        );
      }
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
      t.attest(
        requirement,
        'Before reports are shared, is the risk of re-identifying people from small counts considered (e.g. small cells suppressed or aggregated, per the ITI De-Identification handbook)?',
      );
    },
  });
}
