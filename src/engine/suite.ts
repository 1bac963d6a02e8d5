/**
 * The suite model: a suite is data (which actor, which CapabilityStatements, which options) plus
 * tests, and each test names the catalogue requirements it checks and the simulator fault mode
 * (its negative control) under which it must fail.
 */
import type { TestContext } from './context.js';
import type { LaunchOptions, SuiteEnvironment } from './environment.js';
import { HarnessError } from './errors.js';

export type { Role } from '../../ig/actors.js';
import type { Role } from '../../ig/actors.js';

/** Fixture data a suite's setup hands to its tests; free-form unless the suite types it. */
export type Fixture = Record<string, unknown>;

export interface TestPreconditions {
  /** Actor options that must be claimed for the test to apply, e.g. `['Pull']`; otherwise the test is `skip`. */
  options?: string[];
}

export interface TestSpec<F extends object = Fixture> {
  /** Catalogue ids this test checks, e.g. `'SANER-QM-PG-010'`; every id must exist in the catalogue. */
  requirements: string | string[];
  preconditions?: TestPreconditions;
  /** The simulator fault mode under which this test must fail; proof that the test can fail. */
  negativeControl: string;
  /** Longer explanation for the report, when the title is not enough. */
  description?: string;
  /** Overrides the run's per-test timeout, for tests that legitimately wait long (client-SUT waits). */
  timeoutMs?: number;
  /**
   * Client suites: the test judges how a client's requests relate to each other and to earlier
   * answers (a next link followed, a 202 polled, a 303 followed), so one request alone cannot
   * decide it: findings about a single recorded request leave it out; grading a client's traffic
   * keeps it.
   */
  acrossRequests?: boolean;
  /**
   * Cited requirements the clean reference simulator cannot show passing in this test, each with
   * the reason (e.g. a branch only a differently built SUT takes); self-check lists every other
   * cited requirement that gets no passing check of its own.
   */
  referenceGaps?: Readonly<Record<string, string>>;
  run(t: TestContext<F>): Promise<void> | void;
}

export interface TestDefinition<F extends object = Fixture> {
  title: string;
  /** Slug of the title; the test id is `<suite id>/<slug>`. */
  slug: string;
  requirements: readonly string[];
  preconditions: TestPreconditions;
  negativeControl: string;
  description?: string;
  timeoutMs?: number;
  acrossRequests?: boolean;
  referenceGaps?: Readonly<Record<string, string>>;
  run(t: TestContext<F>): Promise<void> | void;
}

export interface SuiteSpec<F extends object = Fixture> {
  /** Stable id, conventionally `<ig>/<transaction>/<actor>`, e.g. `saner/query-measure/measure-source`. */
  id: string;
  title: string;
  actorUnderTest: string;
  /** `server`: the harness calls the SUT. `client`: the harness runs a simulator the SUT calls. */
  role: Role;
  /** CapabilityStatement canonical URLs whose requirements this suite checks. */
  capabilities: string[];
  /** Actor options this suite is about (documentation and filtering; per-test gating uses preconditions). */
  options?: string[];
  /** For client-role suites: id of the reference simulator the SUT is pointed at, e.g. `saner-measure-consumer`. */
  simulator?: string;
  /**
   * How the simulator is started for this suite, on top of the run's settings: for a client-role
   * suite, e.g. `{ async: '202' }` so the SUT meets the answers whose handling the suite judges; for
   * a server-role suite run without a SUT, e.g. the size and seed of the data set the reference
   * Data Source generates (the suite is then told it holds that data set).
   */
  simulatorOptions?: LaunchOptions;
  /**
   * Why this suite cannot judge traffic recorded elsewhere (`serve`, the recording proxy, a
   * capture), e.g. its tests drive the SUT themselves; absent when its tests judge only a recording.
   */
  cannotGradeRecordings?: string;
  /**
   * Builds the suite's environment once before the tests (starts servers beside the simulator,
   * records a client SUT's traffic, loads data); its result is `t.fixture`. A failure makes every
   * test `error`. What it starts is torn down after the last test.
   */
  setup?: (env: SuiteEnvironment) => Promise<F> | F;
  tests: TestDefinition<F>[];
}

export interface Suite<F extends object = Fixture> extends Omit<SuiteSpec<F>, 'options'> {
  options: string[];
}

/**
 * The negative control of a test that asks a person (t.attest): self-check runs it with every
 * requirement it cites attested false, instead of switching on a simulator fault.
 */
export const ATTESTED_FALSE = 'attested-false';

/** Lower-case words joined by `-`, so ids survive reordering and stay readable in URLs and reports. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function test<F extends object = Fixture>(title: string, spec: TestSpec<F>): TestDefinition<F> {
  const requirements = typeof spec.requirements === 'string' ? [spec.requirements] : [...spec.requirements];
  const slug = slugify(title);
  if (!slug) throw new HarnessError(`test title ${JSON.stringify(title)} has no letters or digits to build an id from`);
  if (requirements.length === 0) throw new HarnessError(`test "${title}" names no requirement`);
  if (!spec.negativeControl?.trim()) throw new HarnessError(`test "${title}" names no negativeControl fault mode`);
  const strayGaps = Object.keys(spec.referenceGaps ?? {}).filter((id) => !requirements.includes(id));
  if (strayGaps.length) throw new HarnessError(`test "${title}" gives referenceGaps for ${strayGaps.join(', ')}, which it does not cite`);
  return {
    title,
    slug,
    requirements,
    preconditions: spec.preconditions ?? {},
    negativeControl: spec.negativeControl,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    ...(spec.acrossRequests ? { acrossRequests: true } : {}),
    ...(spec.referenceGaps ? { referenceGaps: spec.referenceGaps } : {}),
    run: spec.run,
  };
}

export function defineSuite<F extends object = Fixture>(spec: SuiteSpec<F>): Suite<F> {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/.test(spec.id)) {
    problems.push(`suite id ${JSON.stringify(spec.id)} must be lower-case words separated by '-' and '/'`);
  }
  if (spec.role === 'client' && !spec.simulator) problems.push(`client-role suite ${spec.id} names no simulator`);
  const seen = new Map<string, string>();
  for (const t of spec.tests) {
    const other = seen.get(t.slug);
    if (other !== undefined) problems.push(`suite ${spec.id}: tests "${other}" and "${t.title}" have the same id ${spec.id}/${t.slug}`);
    seen.set(t.slug, t.title);
  }
  if (problems.length) throw new HarnessError(problems.join('\n'));
  return { ...spec, options: spec.options ?? [] };
}

export function testId(suite: Pick<Suite, 'id'>, t: Pick<TestDefinition, 'slug'>): string {
  return `${suite.id}/${t.slug}`;
}
