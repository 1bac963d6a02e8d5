/**
 * What a test sees (`t`): the SUT client, small named assertions that record evidence and make
 * the verdict, validation, notes, and the suite's environment (`t.env`: its simulators, the
 * recordings of a client SUT's traffic, the trigger for another recording).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Resource } from 'fhir/r4.js';
import { hasErrors, type Issue } from '../fhir/errors.js';
import type { Assertion, Attestation, Evidence, HttpExchange, Requirement } from './results.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import { createFhirClient, type FhirClient } from './fhir-client.js';
import { HarnessError, TestStop } from './errors.js';
import { formatOfContentType, type ResourceFormats, type ValidateResource, type WireFormat } from '../fhir/codec.js';
import type { Fixture } from './suite.js';
import type { Environment, SuiteConfig, SuiteEnvironment } from './environment.js';
import type { InboundRequest } from './inbound.js';
import type { WriteTracking } from './writes.js';
import { formatOfMediaType } from '../fhir/negotiation.js';
import { statusText } from './status-text.js';

export interface CheckOptions {
  /**
   * The cited requirement(s) this check decides; their expectations decide fail vs warning. May be
   * left out only in a test citing one requirement, which the check then decides.
   */
  requirement?: string | readonly string[];
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
  /**
   * At least one item satisfies the predicate; an empty list fails it, saying so. In recorded
   * traffic graded later (a replayed environment) nothing was asked of the SUT, so an empty list
   * leaves the requirements undecided as "not observed" instead.
   */
  expectSome<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions): boolean;
  /**
   * The SUT showed what the suite asked it to: `items` (what it showed) is not empty; `shown` says
   * what was seen, `missing` what was not and what was expected. Empty fails, except in recorded
   * traffic graded later, where nothing was asked and it leaves the requirements undecided.
   */
  expectShown(items: readonly unknown[], shown: string, missing: string, options?: CheckOptions): boolean;
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
  /** Adds the exchanges of the requests the test judged to its evidence, under a note saying what they are. */
  cite(what: string, requests: readonly (InboundRequest | HttpExchange)[]): void;

  /** The suite's environment: its simulators, the recordings setup made, and `record` for another. */
  readonly env: SuiteEnvironment;
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
  environment: Environment;
  /** Against a SUT: the run's write log, so what the test writes is tagged, listed and undone. */
  tracking?: WriteTracking;
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
  readonly env: SuiteEnvironment;
  readonly #deps: TestRunDeps<F>;

  constructor(deps: TestRunDeps<F>) {
    this.#deps = deps;
    const http = deps.http.withListener((exchange) => this.#add({ kind: 'http', exchange }), { signal: deps.signal });
    this.sut = createFhirClient(http, deps.formats, { fail: (message) => this.#stopWith(message) }, deps.tracking);
    this.env = deps.environment.use({ http, sut: this.sut, evidence: (e) => this.#add(e), signal: deps.signal });
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
    const named =
      bad
        .slice(0, 5)
        .map((i) => show(items[i]!, i))
        .join('; ') + (bad.length > 5 ? '; …' : '');
    return this.#check(false, `${bad.length} of ${items.length} do not (${named}); expected every one: ${message}`, options);
  }

  expectSome<T>(items: readonly T[], predicate: (item: T, index: number) => boolean, message: string, options?: CheckOptions): boolean {
    if (items.length === 0 && this.#notObserved(message, options)) return false;
    const ok = items.some(predicate);
    const seen = items.length === 0 ? 'there were none to look at' : `none of the ${items.length} does`;
    return this.#check(ok, ok ? message : `${seen}; expected at least one: ${message}`, options);
  }

  expectShown(items: readonly unknown[], shown: string, missing: string, options?: CheckOptions): boolean {
    if (items.length === 0 && this.#notObserved(missing, options)) return false;
    return this.#check(items.length > 0, items.length > 0 ? shown : missing, options);
  }

  /** In replayed traffic, something absent was never asked for: its requirements stay undecided. */
  #notObserved(what: string, options: CheckOptions | undefined): boolean {
    if (!this.#deps.environment.replaying) return false;
    this.undecided(this.#decided(options?.requirement, what), `not observed in the recorded traffic: ${what}`);
    return true;
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

  cite(what: string, requests: readonly (InboundRequest | HttpExchange)[]): void {
    const exchanges = requests.map((r) => ('exchange' in r ? r.exchange : r));
    const lines = requests.slice(0, 15).map((r) => `  ${'line' in r ? r.line : `${r.method} ${r.url}${r.status !== undefined ? ` -> ${r.status}` : ''}`}`);
    this.note(`${what} (${requests.length})${lines.length ? `:\n${lines.join('\n')}` : ''}${requests.length > 15 ? `\n  … ${requests.length - 15} more` : ''}`);
    for (const exchange of exchanges) this.#add({ kind: 'http', exchange });
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
