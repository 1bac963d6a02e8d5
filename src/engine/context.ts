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
import { HarnessError, TestStop, WaitTimeout } from './errors.js';
import { formatOfContentType, type ResourceFormats, type ValidateResource, type WireFormat } from '../fhir/codec.js';
import type { Fixture } from './suite.js';
import { type RequestMatcher, type SimulatorSession, type WaitOptions } from './simulator.js';
import { fireTrigger, type PromptIo, type Trigger } from './triggers.js';
import { formatOfMediaType } from '../fhir/negotiation.js';

export interface CheckOptions {
  /**
   * The cited requirement(s) this check decides; their expectations decide fail vs warning. May be
   * left out only in a test citing one requirement, which the check then decides.
   */
  requirement?: string | readonly string[];
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
  /** The requirement ids the test cites, e.g. to name them all on a check that decides every one. */
  readonly requirements: readonly string[];
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
  /**
   * Every item satisfies the predicate; a failure names the offending items (`show` describes one,
   * default its position). Over an empty list nothing is decided: no check is recorded, and the
   * requirements it would decide are left undecided with the reason `nothing to check: <message>`.
   */
  expectEvery<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions & { show?: (item: T, index: number) => string }): boolean;
  /** At least one item satisfies the predicate; an empty list fails it, saying so. */
  expectSome<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions): boolean;
  expectEqual<T>(actual: T, expected: T, message: string, options?: CheckOptions): boolean;

  /** Validates; issues become evidence, errors a failed check, warnings a warning-level check. Returns the issues. */
  validate(resource: Resource, options?: { profiles?: string[]; subject?: string } & CheckOptions): Promise<Issue[]>;
  note(text: string): void;
  /**
   * Says why the test cannot decide cited requirement(s) here (the situation they speak of did not
   * arise), so they end `skip` with this reason instead of a generic one; the test goes on.
   */
  undecided(requirement: string | readonly string[], reason: string): void;
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
  readonly undecidedReasons: { requirement: string; reason: string }[] = [];
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
  get requirements(): readonly string[] {
    return this.#deps.requirements.map((r) => r.id);
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

  /** The cited requirements a check decides: those it names, or the test's only one. */
  #decided(requirement: CheckOptions['requirement'], message: string): string[] {
    const named = requirement === undefined ? [] : typeof requirement === 'string' ? [requirement] : [...requirement];
    const cited = this.requirements;
    const foreign = named.filter((id) => !cited.includes(id));
    if (foreign.length) throw new HarnessError(`check "${message}" names ${foreign.join(', ')}, which test ${this.id} does not cite`);
    if (named.length) return named;
    if (cited.length === 1) return [...cited];
    throw new HarnessError(`check "${message}" names no requirement, but test ${this.id} cites several (${cited.join(', ')}): name the ones it decides`);
  }

  #check(passed: boolean, message: string, options: CheckOptions = {}, severity?: 'warning'): boolean {
    if (this.closed) return passed;
    const requirements = this.#decided(options.requirement, message);
    this.assertions.push({
      passed,
      message,
      requirements,
      ...(requirements.length === 1 ? { requirement: requirements[0]! } : {}),
      ...(severity ? { severity } : {}),
    });
    return passed;
  }

  /**
   * A failed check that ends the test. Checks the engine makes itself (a body that does not parse,
   * a request that never came) decide every requirement the test cites unless the test names some:
   * whatever the test was about could not be shown.
   */
  #stopWith(message: string, options?: CheckOptions): never {
    this.#check(false, message, { requirement: options?.requirement ?? this.requirements });
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
    const want = list.map(statusText).join(' or ');
    const got = `${res.exchange.method} ${res.exchange.url} answered ${statusText(res.status)}`;
    return this.#check(ok, ok ? got : `${got}; expected ${want}`, options);
  }

  expectContentType(res: HttpResponse, format: WireFormat, options?: CheckOptions): boolean {
    const header = res.headers['content-type'];
    const actual = formatOfContentType(header);
    const ok = actual === format && formatOfMediaType(header ?? '', { legacy: false }) === format;
    const want = format === 'json' ? 'application/fhir+json' : 'application/fhir+xml';
    return this.#check(ok, ok ? `Content-Type is ${header}` : `Content-Type is ${header === undefined ? 'missing' : header}; expected ${want}`, options);
  }

  expectResourceType<T extends Resource['resourceType']>(resource: Resource | undefined, type: T, options?: CheckOptions): boolean {
    const actual = resource?.resourceType;
    return this.#check(actual === type, actual === type ? `resource is a ${type}` : `resource is ${actual ? `a ${actual}` : 'missing'}, expected a ${type}`, options);
  }

  expectEvery<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options: CheckOptions & { show?: (item: T, index: number) => string } = {}): boolean {
    if (items.length === 0) {
      this.undecided(this.#decided(options.requirement, message), `nothing to check: ${message} (there was none)`);
      return true;
    }
    const bad = items.flatMap((item, i) => (predicate(item, i) ? [] : [i]));
    if (bad.length === 0) return this.#check(true, `${message}: all ${items.length} do`, options);
    const show = options.show ?? ((_item: T, i: number) => `#${i + 1}`);
    const named = bad.slice(0, 5).map((i) => show(items[i]!, i)).join('; ') + (bad.length > 5 ? '; …' : '');
    return this.#check(false, `${bad.length} of ${items.length} do not (${named}); expected every one: ${message}`, options);
  }

  expectSome<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions): boolean {
    const ok = items.some(predicate);
    const seen = items.length === 0 ? 'there were none to look at' : `none of the ${items.length} does`;
    return this.#check(ok, ok ? message : `${seen}; expected at least one: ${message}`, options);
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
    // Best-practice warnings (dom-6 and the like) are notes on the content, never a verdict.
    if (warnings.length) this.note(`${subject}: ${warnings.length} validation warning${warnings.length > 1 ? 's' : ''} (no verdict): ${summarize(warnings)}`);
    return issues;
  }

  note(text: string): void {
    this.#add({ kind: 'note', text });
  }

  undecided(requirement: string | readonly string[], reason: string): void {
    if (this.closed) return;
    for (const id of this.#decided(requirement, reason)) {
      if (!this.undecidedReasons.some((u) => u.requirement === id)) this.undecidedReasons.push({ requirement: id, reason });
    }
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
      // Arrival decides only what the test says it decides; otherwise it is the precondition of the checks that follow.
      if (options.requirement !== undefined) this.#check(true, `received ${exchange.method} ${session.pathOf(exchange)}`, { requirement: options.requirement });
      else this.note(`received ${exchange.method} ${session.pathOf(exchange)}`);
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

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other',
  304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed', 413: 'Content Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Content', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};

/** `201 Created`: the code with its reason phrase, so a message reads the same to everyone. */
export function statusText(status: number): string {
  const text = STATUS_TEXT[status];
  return text ? `${status} ${text}` : String(status);
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
