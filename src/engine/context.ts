/**
 * What a test sees (`t`): the SUT client, small named assertions that record evidence and make
 * the verdict, validation, notes, and, for client-role suites, the simulator, triggers and waits.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Resource } from 'fhir/r4.js';
import { hasErrors, type Issue } from '../fhir/errors.js';
import type { Assertion, Attestation, Evidence, HttpExchange, Requirement } from './results.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import { createFhirClient, type FhirClient, type ParseOutcome } from './fhir-client.js';
import { TestStop, WaitTimeout } from './errors.js';
import { formatOfContentType, type ResourceFormats, type ValidateResource, type WireFormat } from '../fhir/codec.js';
import type { Fixture } from './suite.js';
import { type RequestMatcher, type SimulatorSession, type WaitOptions } from './simulator.js';
import { fireTrigger, type PromptIo, type Trigger } from './triggers.js';
import { formatOfMediaType } from '../fhir/negotiation.js';

export interface CheckOptions {
  /** The one cited requirement this check is about; its expectation decides fail vs warning. */
  requirement?: string;
}

/** Free-form settings for suites from config (e.g. resource ids the SUT holds). */
export type SuiteConfig = Readonly<Record<string, unknown>>;

export interface SetupContext {
  sut: FhirClient;
  options: readonly string[];
  config: SuiteConfig;
  signal: AbortSignal;
  note(text: string): void;
}

export interface SimulatorView {
  baseUrl: string;
  /** Inbound exchanges since this test started. */
  exchanges(): HttpExchange[];
}

export interface TestContext<F extends object = Fixture> {
  readonly id: string;
  readonly sut: FhirClient;
  readonly options: readonly string[];
  readonly fixture: F;
  readonly config: SuiteConfig;
  /** Aborted when the test times out or the run is interrupted; pass it to long waits of your own. */
  readonly signal: AbortSignal;

  /** Records a check; returns whether it passed so the test can branch. */
  expect(condition: unknown, message: string, options?: CheckOptions): boolean;
  /**
   * Like expect, but a falsy value ends the test (use when later steps depend on it). Returns the
   * value, so `const id = t.require(created.id, 'the server assigned an id')` narrows without casts.
   */
  require<T>(value: T, message: string, options?: CheckOptions): NonNullable<T>;
  /** A check whose failure is at most a warning, whatever the requirement's expectation. */
  warnUnless(condition: unknown, message: string, options?: CheckOptions): boolean;
  expectStatus(res: HttpResponse, expected: number | readonly number[], options?: CheckOptions): boolean;
  expectContentType(res: HttpResponse, format: WireFormat, options?: CheckOptions): boolean;
  expectResourceType<T extends Resource['resourceType']>(resource: Resource | undefined, type: T, options?: CheckOptions): boolean;
  /** Every item satisfies the predicate; the message of a failure lists the offending positions. */
  expectEvery<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions): boolean;
  expectSome<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions): boolean;
  expectEqual<T>(actual: T, expected: T, message: string, options?: CheckOptions): boolean;

  /** Validates; issues become evidence, errors a failed check, warnings a warning-level check. Returns the issues. */
  validate(resource: Resource, options?: { profiles?: string[]; subject?: string } & CheckOptions): Promise<Issue[]>;
  note(text: string): void;
  skip(reason: string): never;
  /** Ends the test as `manual`: a person must attest to what the harness cannot observe. */
  manual(reason: string): never;
  /**
   * Asks a person about a cited requirement nothing on the wire shows. With no answer recorded
   * (config.yaml `attestations:`) the test ends `manual` with the question; a recorded answer
   * becomes evidence and a check, passed when attested true and failed when false.
   */
  attest(requirement: string, question: string): boolean;

  /** Client-role suites: the simulator the SUT talks to. */
  readonly simulator: SimulatorView;
  /**
   * Client-role suites: makes the SUT act (configured command, webhook, prompt, or nothing);
   * `variables` (`MC_*` names) reach a command's environment and a webhook's placeholders.
   */
  trigger(description: string, variables?: Readonly<Record<string, string>>): Promise<void>;
  /** Client-role suites: the first inbound request matching, or a failed check explaining what arrived instead. */
  waitForRequest(matcher: RequestMatcher, options?: WaitOptions & CheckOptions): Promise<HttpExchange>;
  /**
   * Client-role suites: triggers the SUT, waits for its first request, then until none has arrived
   * for `quietMs` (default 500); resolves with every request the simulator received. For suites
   * that record one burst of traffic and judge it test by test.
   */
  recordTraffic(description: string, options?: { quietMs?: number; actor?: string }): Promise<HttpExchange[]>;
  /** Parses a request body received by the simulator, by its Content-Type; a failure is a failed check. */
  resourceOf<T extends Resource = Resource>(exchange: HttpExchange, options?: CheckOptions): T;
}

export interface TestRunDeps<F extends object> {
  id: string;
  suiteId: string;
  requirements: readonly Requirement[];
  http: HttpClient;
  formats: ResourceFormats;
  validate?: ValidateResource;
  options: readonly string[];
  fixture: F;
  config: SuiteConfig;
  signal: AbortSignal;
  simulator?: SimulatorSession;
  trigger?: Trigger;
  prompt?: PromptIo;
  waitMs: number;
  /** Recorded answers of people, by requirement id. */
  attestations?: Readonly<Record<string, Attestation>>;
}

/** The state of one running test; the runner reads assertions and evidence when it ends. */
export class TestRun<F extends object = Fixture> implements TestContext<F> {
  readonly assertions: Assertion[] = [];
  readonly evidence: Evidence[] = [];
  /** Set when the test ended (finished, timed out or interrupted): late activity of a runaway test is dropped. */
  closed = false;
  readonly sut: FhirClient;
  readonly #deps: TestRunDeps<F>;
  readonly #http: HttpClient;
  /**
   * A reference client's trigger returns only once the client has done its part, so from then on
   * whatever it sent is already at the simulator (give or take the recording of the last answer):
   * waiting the configured waitMs for more would only stretch a run in which it sent nothing.
   */
  #sutFinished = false;

  constructor(deps: TestRunDeps<F>) {
    this.#deps = deps;
    this.#http = deps.http.withListener((exchange) => this.#add({ kind: 'http', exchange }), { signal: deps.signal });
    this.sut = createFhirClient(this.#http, deps.formats, { fail: (message) => this.#stopWith(message) });
  }

  get id() {
    return this.#deps.id;
  }
  get options() {
    return this.#deps.options;
  }
  get fixture() {
    return this.#deps.fixture;
  }
  get config() {
    return this.#deps.config;
  }
  get signal() {
    return this.#deps.signal;
  }

  /** Inbound exchanges of the simulator go to this test's evidence. */
  recordInbound(exchange: HttpExchange): void {
    this.#add({ kind: 'http', exchange });
  }

  #add(e: Evidence): void {
    if (!this.closed) this.evidence.push(e);
  }

  #check(passed: boolean, message: string, options: CheckOptions = {}, severity?: 'warning'): boolean {
    if (this.closed) return passed;
    if (options.requirement !== undefined && !this.#deps.requirements.some((r) => r.id === options.requirement)) {
      throw new Error(`check "${message}" names requirement ${options.requirement}, which test ${this.id} does not cite`);
    }
    this.assertions.push({
      passed,
      message,
      ...(options.requirement !== undefined ? { requirement: options.requirement } : {}),
      ...(severity ? { severity } : {}),
    });
    return passed;
  }

  #stopWith(message: string, options?: CheckOptions): never {
    this.#check(false, message, options);
    throw new TestStop('assertion', message);
  }

  expect(condition: unknown, message: string, options?: CheckOptions): boolean {
    return this.#check(Boolean(condition), message, options);
  }

  require<T>(value: T, message: string, options?: CheckOptions): NonNullable<T> {
    if (!value) this.#stopWith(message, options);
    this.#check(true, message, options);
    return value as NonNullable<T>;
  }

  warnUnless(condition: unknown, message: string, options?: CheckOptions): boolean {
    return this.#check(Boolean(condition), message, options, 'warning');
  }

  expectStatus(res: HttpResponse, expected: number | readonly number[], options?: CheckOptions): boolean {
    const list = typeof expected === 'number' ? [expected] : expected;
    const ok = list.includes(res.status);
    const want = list.length === 1 ? String(list[0]) : `one of ${list.join(', ')}`;
    return this.#check(ok, ok ? `${res.exchange.method} ${res.exchange.url} answered ${res.status}` : `${res.exchange.method} ${res.exchange.url} answered ${res.status}, expected ${want}`, options);
  }

  expectContentType(res: HttpResponse, format: WireFormat, options?: CheckOptions): boolean {
    const header = res.headers['content-type'];
    const actual = formatOfContentType(header);
    const ok = actual === format && formatOfMediaType(header ?? '', { legacy: false }) === format;
    const want = format === 'json' ? 'application/fhir+json' : 'application/fhir+xml';
    return this.#check(ok, ok ? `Content-Type is ${header}` : `Content-Type is ${JSON.stringify(header ?? '(none)')}, expected ${want}`, options);
  }

  expectResourceType<T extends Resource['resourceType']>(resource: Resource | undefined, type: T, options?: CheckOptions): boolean {
    const actual = resource?.resourceType;
    return this.#check(actual === type, actual === type ? `resource is a ${type}` : `resource is ${actual ? `a ${actual}` : 'missing'}, expected a ${type}`, options);
  }

  expectEvery<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions): boolean {
    const bad = items.flatMap((item, i) => (predicate(item, i) ? [] : [i]));
    if (bad.length === 0) return this.#check(true, `${message} (${items.length} checked)`, options);
    const where = bad.slice(0, 10).join(', ') + (bad.length > 10 ? ', …' : '');
    return this.#check(false, `${message}: ${bad.length} of ${items.length} do not (at position${bad.length > 1 ? 's' : ''} ${where})`, options);
  }

  expectSome<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions): boolean {
    const ok = items.some(predicate);
    return this.#check(ok, ok ? message : `${message}: none of ${items.length} does`, options);
  }

  expectEqual<T>(actual: T, expected: T, message: string, options?: CheckOptions): boolean {
    const ok = isDeepStrictEqual(actual, expected);
    return this.#check(ok, ok ? message : `${message}: got ${preview(actual)}, expected ${preview(expected)}`, options);
  }

  async validate(resource: Resource, options: { profiles?: string[]; subject?: string } & CheckOptions = {}): Promise<Issue[]> {
    if (!this.#deps.validate) throw new Error('no validator configured for this run');
    const profiles = options.profiles ?? [];
    const issues = await this.#deps.validate(resource, { profiles });
    const subject = options.subject ?? `${resource.resourceType}${resource.id ? `/${resource.id}` : ''}${profiles.length ? ` against ${profiles.join(', ')}` : ''}`;
    this.#add({ kind: 'validation', subject, issues });
    const check = options.requirement !== undefined ? { requirement: options.requirement } : {};
    const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    const warnings = issues.filter((i) => i.severity === 'warning');
    this.#check(!hasErrors(issues), errors.length ? `${subject} has ${errors.length} validation error${errors.length > 1 ? 's' : ''}: ${summarize(errors)}` : `${subject} is valid`, check);
    if (warnings.length) this.#check(false, `${subject} has ${warnings.length} validation warning${warnings.length > 1 ? 's' : ''}: ${summarize(warnings)}`, check, 'warning');
    return issues;
  }

  note(text: string): void {
    this.#add({ kind: 'note', text });
  }

  skip(reason: string): never {
    throw new TestStop('skip', reason);
  }

  manual(reason: string): never {
    throw new TestStop('manual', reason);
  }

  attest(requirement: string, question: string): boolean {
    const answer = this.#deps.attestations?.[requirement];
    if (!answer) this.manual(`${question} (record the answer as attestations.${requirement} in config.yaml)`);
    this.#add({ kind: 'attestation', requirement, question, ...answer });
    const said = `${answer.by} attested ${answer.attested ? 'yes' : 'no'}: ${question}${answer.note ? ` (${answer.note})` : ''}`;
    return this.#check(answer.attested, said, { requirement });
  }

  get simulator(): SimulatorView {
    const session = this.#session('t.simulator');
    return { baseUrl: session.baseUrl, exchanges: () => session.exchanges() };
  }

  async trigger(description: string, variables?: Readonly<Record<string, string>>): Promise<void> {
    const session = this.#session('t.trigger');
    await fireTrigger(this.#deps.trigger ?? { type: 'none' }, {
      simulatorUrl: session.baseUrl,
      suiteId: this.#deps.suiteId,
      testId: this.id,
      description,
      http: this.#http,
      note: (text) => this.note(text),
      signal: this.signal,
      ...(this.#deps.prompt ? { prompt: this.#deps.prompt } : {}),
      ...(variables ? { variables } : {}),
    });
    this.#sutFinished = this.#deps.trigger?.type === 'reference';
  }

  async recordTraffic(description: string, options: { quietMs?: number; actor?: string } = {}): Promise<HttpExchange[]> {
    await this.trigger(description);
    const quietMs = this.#sutFinished ? FINISHED_QUIET_MS : (options.quietMs ?? 500);
    await this.waitForRequest(() => true, { description: `any request from the ${options.actor ?? 'SUT'}` });
    for (let seen = -1; seen !== this.simulator.exchanges().length; ) {
      seen = this.simulator.exchanges().length;
      await abortableSleep(quietMs, this.signal);
    }
    return this.simulator.exchanges();
  }

  async waitForRequest(matcher: RequestMatcher, options: WaitOptions & CheckOptions = {}): Promise<HttpExchange> {
    const session = this.#session('t.waitForRequest');
    const finished = this.#sutFinished && options.timeoutMs === undefined;
    try {
      const exchange = await session.waitFor(matcher, {
        timeoutMs: options.timeoutMs ?? (finished ? FINISHED_GRACE_MS : this.#deps.waitMs),
        signal: this.signal,
        ...(options.description !== undefined ? { description: options.description } : {}),
      });
      this.#check(true, `received ${exchange.method} ${session.pathOf(exchange)}`, options.requirement !== undefined ? { requirement: options.requirement } : {});
      return exchange;
    } catch (err) {
      if (err instanceof WaitTimeout) {
        const message = finished ? `${err.message}; the reference client had already finished` : err.message;
        this.#stopWith(message, options.requirement !== undefined ? { requirement: options.requirement } : {});
      }
      throw err;
    }
  }

  resourceOf<T extends Resource = Resource>(exchange: HttpExchange, options?: CheckOptions): T {
    const outcome = parseExchangeBody<T>(exchange, this.#deps.formats);
    if (!outcome.ok) this.#stopWith(outcome.error, options);
    return outcome.resource;
  }

  #session(what: string): SimulatorSession {
    if (!this.#deps.simulator) throw new Error(`${what} is only available in client-role suites, which run a simulator`);
    return this.#deps.simulator;
  }
}

function parseExchangeBody<T extends Resource>(exchange: HttpExchange, formats: ResourceFormats): ParseOutcome<T> {
  const what = `the body of ${exchange.method} ${exchange.url}`;
  const body = exchange.requestBody;
  if (!body || body.text.trim() === '') return { ok: false, error: `${what} is empty` };
  if (body.truncated) return { ok: false, error: `${what} (${body.size} bytes) was cut at the evidence capture limit and cannot be parsed` };
  const contentType = exchange.requestHeaders['content-type'];
  const format = formatOfContentType(contentType);
  if (!format) return { ok: false, error: `${what} has Content-Type ${JSON.stringify(contentType ?? '(none)')}, which names no FHIR format` };
  try {
    return { ok: true, resource: formats.parse(body.text, format) as T };
  } catch (err) {
    return { ok: false, error: `${what} is not valid FHIR ${format.toUpperCase()}: ${(err as Error).message}` };
  }
}

function summarize(issues: readonly Issue[]): string {
  const shown = issues.slice(0, 3).map((i) => (i.expression ? `${i.expression}: ${i.message}` : i.message));
  return shown.join('; ') + (issues.length > 3 ? `; … ${issues.length - 3} more` : '');
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** How long the last answer to a finished reference client may take to be recorded. */
const FINISHED_GRACE_MS = 250;
const FINISHED_QUIET_MS = 100;

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (the test ended). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
