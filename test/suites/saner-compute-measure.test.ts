import { describe, it, expect } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { MeasureReport } from 'fhir/r4.js';
import suite from '../../suites/saner/compute-measure/measure-computer.js';
import { endsPeriod } from '../../suites/saner/compute-measure/computation.js';
import { catalogue } from '../../ig/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { launcher, planFor } from '../../src/cli/selection.js';
import { runSuites, type RunResults, type Suite, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { startMeasureComputer } from '../../simulators/measure-computer/index.js';
import { startMeasureConsumer } from '../../simulators/measure-consumer/index.js';

const computeSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;
const COMMAND = fileURLToPath(new URL('../stand-ins/measure-computer-command.mjs', import.meta.url));

/**
 * The computing service of a Measure Computer deployed on its own, outside the harness: the
 * reference computer behind a small endpoint. Each call carries the harness's MC_* variables; the
 * service keeps one computer per Data Source and Measure Definition Source, as a deployment
 * configured once would, computes with `$evaluate-measure?report=true` (stored for Pull, pushed by
 * nobody: the trigger command pushes) and answers the report. Below `/fhir` it passes requests on
 * to the computer of the first Data Source, so it can be the SUT's base URL. One that aborts on
 * error first evaluates without storing and, where any population could not be evaluated, gives up
 * the whole Measure: nothing stored, a 500 to the command.
 */
class DeployedComputer {
  readonly calls: Record<string, string>[] = [];
  readonly #computers = new Map<string, Promise<RunningFhirServer>>();
  #server: Server | undefined;

  constructor(
    readonly faults: string[] = [],
    readonly abortsOnError = false,
  ) {}

  /** The computing endpoint's URL; the FHIR base is `fhirBase`. */
  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const answer = req.url?.startsWith('/fhir/')
          ? this.#forward(req.method ?? 'GET', req.url.slice('/fhir'.length), req.headers, body)
          : this.#compute(JSON.parse(body.toString('utf8')) as Record<string, string>);
        answer.then(
          (a) => res.writeHead(a.status, a.type ? { 'content-type': a.type } : {}).end(a.body),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `${this.#origin()}/compute`;
  }

  get fhirBase(): string {
    return `${this.#origin()}/fhir`;
  }

  #origin(): string {
    return `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
  }

  async #forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<{ status: number; type: string | undefined; body: string }> {
    const first = this.#computers.values().next().value;
    if (!first) return { status: 503, type: undefined, body: 'not yet configured: no computation was triggered' };
    const pick = (name: string) => (typeof headers[name] === 'string' ? { [name]: headers[name] } : {});
    const res = await fetch(`${(await first).url}${path}`, { method, headers: { ...pick('accept'), ...pick('content-type') }, ...(body.length ? { body } : {}) });
    return { status: res.status, type: res.headers.get('content-type') ?? undefined, body: await res.text() };
  }

  async #compute(vars: Record<string, string>): Promise<{ status: number; type: string | undefined; body: string }> {
    this.calls.push(vars);
    const key = `${vars['MC_DATA_SOURCE_URL']} ${vars['MC_MEASURE_DEFINITION_SOURCE_URL']}`;
    let computer = this.#computers.get(key);
    if (!computer) {
      computer = startMeasureComputer({ dataSourceUrl: vars['MC_DATA_SOURCE_URL']!, measureDefinitionSourceUrl: vars['MC_MEASURE_DEFINITION_SOURCE_URL']!, faults: this.faults });
      this.#computers.set(key, computer);
    }
    const evaluate = async (report: boolean) => {
      const query = new URLSearchParams({
        periodStart: vars['MC_PERIOD_START']!,
        periodEnd: vars['MC_PERIOD_END']!,
        subject: vars['MC_SUBJECT']!,
        reporter: vars['MC_REPORTER']!,
        report: String(report),
      });
      return fetch(`${(await computer).url}/Measure/${vars['MC_MEASURE_ID']!}/$evaluate-measure?${query}`, { headers: { accept: 'application/fhir+json' } });
    };
    if (this.abortsOnError) {
      const trial = (await (await evaluate(false)).json()) as MeasureReport;
      if ((trial.contained ?? []).some((r) => r.resourceType === 'OperationOutcome')) return { status: 500, type: undefined, body: 'a population could not be evaluated' };
    }
    const res = await evaluate(true);
    return { status: res.status, type: res.headers.get('content-type') ?? undefined, body: await res.text() };
  }

  async close(): Promise<void> {
    for (const computer of this.#computers.values()) await (await computer).close();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

/** The trigger command: the script a deployed computer is triggered with, pointed at its computing service. */
const command = (service: string, ...flags: string[]): string => [`node ${JSON.stringify(COMMAND)}`, JSON.stringify(service), ...flags].join(' ');

function sutConfig(trigger: string, options: string[] = ['Push'], baseUrl?: string): HarnessConfig {
  return { ...base, sut: { name: 'deployed computer', actors: ['MeasureComputer'], options, ...(baseUrl ? { baseUrl } : {}), triggers: { MeasureComputer: { type: 'command', command: trigger } } } };
}

async function runResults(config: HarnessConfig, tests = computeSuite.tests): Promise<RunResults> {
  return runSuites({ suites: [{ ...computeSuite, tests }], catalogue: catalogue(), plan: (s) => planFor(s, config), launch: launcher(config), timeouts: { waitMs: 5_000 } });
}

const bySlug = (results: RunResults) => new Map(results.tests.map((t) => [t.id.split('/').pop()!, t]));
const run = async (config: HarnessConfig, tests = computeSuite.tests): Promise<Map<string, TestResult>> => bySlug(await runResults(config, tests));
const verdicts = (tests: Map<string, TestResult>) => Object.fromEntries([...tests.values()].map((t) => [t.id.split('/').pop()!, t.verdict]));
/** The requirement ids a failed (or warned) check of the test decided. */
const failedRequirements = (t: TestResult | undefined) => [...new Set((t?.assertions ?? []).filter((a) => !a.passed).flatMap((a) => a.requirements ?? []))].sort();

/** With `async` so a caller that throws still closes the service. */
async function withComputer<T>(computer: DeployedComputer, use: (service: string) => Promise<T>): Promise<T> {
  try {
    return await use(await computer.start());
  } finally {
    await computer.close();
  }
}

const CAPTURE = 'the-measure-computer-queries-the-data-source-for-the-measure-s-data-when-triggered';
const PERIOD = 'searches-for-dated-data-carry-the-reporting-period-start-inclusive-and-end-exclusive';
const HEADER = 'the-report-conforms-to-publichealthmeasurereport-and-names-the-measure-version-subject-reporter-and-period-asked-for';
const COUNTS = 'every-population-count-equals-the-expected-count-for-the-test-data';
const SCORES = 'each-group-score-equals-numerator-over-denominator-of-the-expected-counts';
const STRATA = 'every-stratifier-and-stratum-is-reported-with-the-expected-counts';
const PUSH = 'push-the-report-reaches-the-measure-consumer';
const PULL = 'pull-the-report-can-be-read-from-the-measure-computer';
const UNEVALUABLE = 'a-population-the-data-source-cannot-answer-is-reported-as-an-evaluation-error-not-a-count';
const EVALUATE_TESTS = [
  'evaluate-measure-by-get-and-post-answers-with-the-measurereport-of-the-period-asked',
  'evaluate-measure-with-report-false-stores-nothing',
  'evaluate-measure-with-report-true-stores-the-report-readable-and-searchable',
  'a-second-evaluate-measure-with-report-true-for-the-same-period-updates-the-stored-report-instead-of-adding-one',
];
/** The tests judging setup's computation: no further computation. */
const FIRST_COMPUTATION = [CAPTURE, PERIOD, HEADER, COUNTS, SCORES, STRATA, PUSH];
const only = (slugs: readonly string[]) => computeSuite.tests.filter((t) => slugs.includes(t.slug));

describe('Compute Measure suite environment', () => {
  it("with no SUT the reference Measure Computer stands in with the faults, and the Data Source runs clean with the suite's data set", () => {
    const plan = planFor(computeSuite, { ...base, sut: undefined }, ['off-by-one']);
    expect(plan.standIn).toEqual({ kind: 'reference-server', simulator: 'measure-computer', faults: ['off-by-one'] });
    expect(plan.trigger).toBeUndefined();
    expect(computeSuite.simulatorOptions).toEqual({ patients: 200, seed: 1 });
    expect(planFor(computeSuite, sutConfig('true')).standIn).toBeUndefined();
  });

  it("takes a report period ending at the exclusive end or at the day's last instant (R4's inclusive Period.end), and no other", () => {
    const end = '2020-04-04T00:00:00Z';
    for (const value of [end, '2020-04-04T00:00:00+00:00', '2020-04-03T20:00:00-04:00', '2020-04-03T23:59:59Z', '2020-04-03T23:59:59.999+00:00', '2020-04-03T23:59:59.9Z', '2020-04-03'])
      expect([value, endsPeriod(value, end)]).toEqual([value, true]);
    for (const value of ['2020-04-05T00:00:00Z', '2020-04-03T23:59:58Z', '2020-04-03T23:59:59.5Z', '2020-04-04', '2020-04-03T23:59', undefined])
      expect([value, endsPeriod(value, end)]).toEqual([value, false]);
  });
});

describe('Compute Measure suite against a command-triggered Measure Computer', () => {
  it('passes a conformant computer told the servers, Measure and period through MC_* variables, skipping Pull it does not claim', async () => {
    const sut = new DeployedComputer();
    await withComputer(sut, async (service) => {
      const results = await runResults(sutConfig(command(service)));
      const byVerdict = verdicts(bySlug(results));
      const skipped = [PULL, ...EVALUATE_TESTS];
      expect(skipped.map((id) => byVerdict[id])).toEqual(skipped.map(() => 'skip'));
      expect(bySlug(results).get(EVALUATE_TESTS[0]!)?.reason).toContain('sut.baseUrl');
      expect(Object.entries(byVerdict).filter(([id, v]) => !skipped.includes(id) && v !== 'pass')).toEqual([]);
      // Six computations: setup's, the search-coverage Measure, the partly evaluable one, against the Data Source without :in, and v1 then v2 on the changed-Measure test's own public-health side.
      expect(sut.calls).toHaveLength(6);
      const [first, coverage, unevaluable, noIn, before, changed] = sut.calls;
      expect(first!['MC_DATA_SOURCE_URL']).toBe(first!['MC_SIMULATOR_URL']);
      expect(first).toMatchObject({
        MC_PERIOD_START: '2020-04-03T00:00:00Z',
        MC_PERIOD_END: '2020-04-04T00:00:00Z',
        MC_SUBJECT: 'Location/compute-general-hospital',
        MC_REPORTER: 'Organization/compute-general-hospital',
      });
      expect(first!['MC_MEASURE_CONSUMER_URL']).toBe(first!['MC_MEASURE_DEFINITION_SOURCE_URL']);
      expect(coverage).toMatchObject({
        MC_MEASURE: 'http://measure-conformance.example.org/fhir/Measure/ComputeSearchCoverage',
        MC_MEASURE_ID: 'ComputeSearchCoverage',
        MC_PERIOD_START: first!['MC_PERIOD_START'],
      });
      expect(unevaluable).toMatchObject({
        MC_MEASURE: 'http://measure-conformance.example.org/fhir/Measure/ComputeUnevaluable',
        MC_MEASURE_ID: 'ComputeUnevaluable',
        MC_DATA_SOURCE_URL: first!['MC_DATA_SOURCE_URL'],
      });
      expect(noIn!['MC_DATA_SOURCE_URL']).not.toBe(first!['MC_DATA_SOURCE_URL']);
      expect(noIn!['MC_MEASURE_CONSUMER_URL']).toBe(first!['MC_MEASURE_CONSUMER_URL']);
      // The changed Measure is published on a public-health side of the test's own, never on the one other tests use.
      expect(before!['MC_MEASURE_DEFINITION_SOURCE_URL']).not.toBe(first!['MC_MEASURE_DEFINITION_SOURCE_URL']);
      expect(changed).toMatchObject({
        MC_MEASURE: 'http://measure-conformance.example.org/fhir/Measure/ComputeCovidImpact',
        MC_MEASURE_DEFINITION_SOURCE_URL: before!['MC_MEASURE_DEFINITION_SOURCE_URL'],
      });
      // Setup's recording is the suite's evidence; the tests cite what they judge.
      const setup = results.suites[0]?.setupEvidence ?? [];
      expect(setup).toContainEqual({ kind: 'note', text: expect.stringMatching(/^trigger command: node /) });
      expect(
        bySlug(results)
          .get(CAPTURE)
          ?.evidence.some((e) => e.kind === 'http' && e.exchange.url.includes('/Encounter')),
      ).toBe(true);
    });
  }, 180_000);

  it('fails the counts of a computer that counts one too many, and only what that breaks', async () => {
    await withComputer(new DeployedComputer(['off-by-one']), async (service) => {
      const tests = await run(sutConfig(command(service)));
      const failed = [...tests.values()].filter((t) => t.verdict === 'fail').map((t) => t.id.split('/').pop());
      expect(failed).toEqual([
        COUNTS,
        'the-computer-searches-each-data-source-resource-type-and-parameter-the-measure-asks-for',
        'against-a-data-source-without-in-the-computer-sends-the-value-set-s-codes',
        'a-changed-measure-yields-a-new-report-with-the-changed-measure-s-values',
      ]);
      expect(tests.get(COUNTS)?.reason).toContain('Encounters/numC19Pats: got');
      expect(failedRequirements(tests.get(COUNTS))).toEqual(['SANER-TP-005', 'SANER-TP-INT-1']);
    });
  }, 180_000);

  it('judges the traffic of a computer whose command exits 1 after giving up a whole Measure over one population: only the evaluation-error test is not passed', async () => {
    const sut = new DeployedComputer([], true);
    await withComputer(sut, async (service) => {
      const tests = await run(sutConfig(command(service)), only([...FIRST_COMPUTATION, UNEVALUABLE]));
      const unfinished = Object.entries(verdicts(tests)).filter(([, v]) => v !== 'pass');
      expect(unfinished).toEqual([[UNEVALUABLE, 'warning']]);
      const unevaluable = tests.get(UNEVALUABLE)!;
      expect(unevaluable.reason).toContain('the trigger command exited with 1');
      expect(failedRequirements(unevaluable)).toEqual(['SANER-CM-PG-006']);
      expect(sut.calls.map((c) => c['MC_MEASURE_ID'])).toContain('ComputeUnevaluable');
    });
  }, 120_000);

  it('fails a computer whose Consumer refused its report (strata as stratum.value) and whose command exited 1, on conformance and availability only', async () => {
    await withComputer(new DeployedComputer(), async (service) => {
      const tests = await run(sutConfig(command(service, '--strata-as-value')), only(FIRST_COMPUTATION));
      expect(verdicts(tests)).toEqual({ [CAPTURE]: 'pass', [PERIOD]: 'pass', [HEADER]: 'fail', [COUNTS]: 'pass', [SCORES]: 'pass', [STRATA]: 'pass', [PUSH]: 'fail' });
      expect(failedRequirements(tests.get(HEADER))).toEqual(['SANER-TP-005']);
      expect(tests.get(HEADER)?.reason).toContain('validation error');
      expect(failedRequirements(tests.get(PUSH))).toEqual(['SANER-PG-MC-001', 'SANER-TP-INT-1']);
      expect(tests.get(PUSH)?.reason).toMatch(/refused every push of the report \(POST \/MeasureReport -> 422/);
      expect(tests.get(CAPTURE)?.evidence).toContainEqual({ kind: 'note', text: expect.stringContaining('the trigger command exited with 1') });
    });
  }, 120_000);

  it("passes a computer that ends the report's period at the day's last second", async () => {
    await withComputer(new DeployedComputer(), async (service) => {
      const tests = await run(sutConfig(command(service, '--period-end-last-second')), only(FIRST_COMPUTATION));
      expect(Object.entries(verdicts(tests)).filter(([, v]) => v !== 'pass')).toEqual([]);
      expect(tests.get(HEADER)?.assertions.map((a) => a.message)).toContain('the period ends at 2020-04-03T23:59:59+00:00');
    });
  }, 120_000);

  it('fails a computer that sends nothing, saying so, and leaves undecided what nothing can show', async () => {
    await withComputer(new DeployedComputer(), async (service) => {
      const tests = await run(sutConfig(command(service, '--silent')), only([...FIRST_COMPUTATION, UNEVALUABLE]));
      expect(verdicts(tests)).toEqual({ [CAPTURE]: 'fail', [PERIOD]: 'skip', [HEADER]: 'fail', [COUNTS]: 'fail', [SCORES]: 'fail', [STRATA]: 'fail', [PUSH]: 'fail', [UNEVALUABLE]: 'skip' });
      const capture = tests.get(CAPTURE)!;
      expect(capture.reason).toContain('sent nothing');
      expect(capture.reason).toContain('the trigger command had exited with 0');
      expect(failedRequirements(capture)).toEqual(['SANER-TP-005', 'SANER-TP-INT-1']);
      expect(tests.get(PERIOD)?.reason).toContain('sent nothing');
      expect(failedRequirements(tests.get(HEADER))).toEqual(['SANER-CM-PG-009', 'SANER-TP-005']);
    });
  }, 120_000);
});

describe('$evaluate-measure tests against a Measure Computer with a base URL', () => {
  it('decide the operation on a SUT whose CapabilityStatement lists it, and fail only the re-run test of one that duplicates', async () => {
    for (const [faults, failing] of [
      [[], []],
      [['evaluate-duplicates'], [EVALUATE_TESTS[3]]],
    ] as const) {
      const sut = new DeployedComputer([...faults]);
      await withComputer(sut, async (service) => {
        const tests = await run(sutConfig(command(service), ['Push'], sut.fhirBase), only([CAPTURE, ...EVALUATE_TESTS]));
        const byVerdict = verdicts(tests);
        expect(
          EVALUATE_TESTS.map((id) => [id, byVerdict[id]]),
          faults.join(),
        ).toEqual(EVALUATE_TESTS.map((id) => [id, (failing as readonly string[]).includes(id) ? 'fail' : 'pass']));
        const calls = [...tests.values()].flatMap((t) => t.evidence.flatMap((e) => (e.kind === 'http' ? [e.exchange] : []))).filter((x) => x.url.includes('$evaluate-measure'));
        expect(calls.every((x) => x.url.startsWith(sut.fhirBase))).toBe(true);
        expect(new Set(calls.map((x) => x.method))).toEqual(new Set(['GET', 'POST']));
      });
    }
  }, 180_000);

  it('skip as an unused MAY, saying why, on a SUT whose CapabilityStatement does not list it', async () => {
    const consumer = await startMeasureConsumer();
    try {
      await withComputer(new DeployedComputer(), async (service) => {
        const tests = await run(sutConfig(command(service), ['Push'], consumer.url), only([CAPTURE, ...EVALUATE_TESTS]));
        for (const id of EVALUATE_TESTS) {
          expect(tests.get(id)?.verdict).toBe('skip');
          expect(tests.get(id)?.reason).toMatch(/^not used \(MAY\): .*lists no http:\/\/hl7\.org\/fhir\/uv\/saner\/OperationDefinition\/Measure-evaluate-measure/);
        }
      });
    } finally {
      await consumer.close();
    }
  }, 120_000);
});
