import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeasureReport } from 'fhir/r4.js';
import suite from '../../suites/saner/compute-measure/measure-computer.js';
import { catalogue } from '../../ig/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor } from '../../src/cli/selection.js';
import { runSuites, type Fixture, type RunResults, type Suite, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { startMeasureComputer } from '../../simulators/measure-computer/index.js';
import { startMeasureConsumer } from '../../simulators/measure-consumer/index.js';

const computeSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;

/**
 * A Measure Computer deployed on its own, outside the harness: the reference computer behind a
 * small control endpoint. Each call names (in the harness's MC_* variables) the Data Source, the
 * Measure Definition Source, the Measure Consumer, the Measure and the period; the control
 * endpoint keeps one computer per Data Source, as a deployment configured once would, and asks it
 * to compute and push with `$evaluate-measure?report=true`. Below `/fhir` the control server
 * passes requests on to the computer of the first Data Source, so it can be the SUT's base URL.
 * One that aborts on error first evaluates without storing and, where any population could not be
 * evaluated, gives up the whole Measure: nothing stored, nothing pushed, the trigger fails.
 */
class DeployedComputer {
  readonly calls: Record<string, string>[] = [];
  readonly #computers = new Map<string, Promise<RunningFhirServer>>();
  #server: Server | undefined;

  constructor(
    readonly faults: string[] = [],
    readonly abortsOnError = false,
  ) {}

  /** The control endpoint's URL; the FHIR base is `fhirBase`. */
  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const answer = req.url?.startsWith('/fhir/') ? this.#forward(req.method ?? 'GET', req.url.slice('/fhir'.length), req.headers, body) : this.#compute(JSON.parse(body.toString('utf8')) as Record<string, string>).then((status) => ({ status, type: undefined, body: '' }));
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

  async #compute(vars: Record<string, string>): Promise<number> {
    this.calls.push(vars);
    const ds = vars['MC_DATA_SOURCE_URL']!;
    let computer = this.#computers.get(ds);
    if (!computer) {
      computer = startMeasureComputer({ dataSourceUrl: ds, measureDefinitionSourceUrl: vars['MC_MEASURE_DEFINITION_SOURCE_URL']!, measureConsumerUrl: vars['MC_MEASURE_CONSUMER_URL']!, faults: this.faults });
      this.#computers.set(ds, computer);
    }
    const evaluate = (report: boolean) => {
      const query = new URLSearchParams({ periodStart: vars['MC_PERIOD_START']!, periodEnd: vars['MC_PERIOD_END']!, subject: vars['MC_SUBJECT']!, reporter: vars['MC_REPORTER']!, report: String(report) });
      return computer.then((c) => fetch(`${c.url}/Measure/${vars['MC_MEASURE_ID']!}/$evaluate-measure?${query}`));
    };
    if (this.abortsOnError) {
      const trial = (await (await evaluate(false)).json()) as MeasureReport;
      if ((trial.contained ?? []).some((r) => r.resourceType === 'OperationOutcome')) return 500;
    }
    return (await evaluate(true)).status;
  }

  async close(): Promise<void> {
    for (const computer of this.#computers.values()) await (await computer).close();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-compute-sut-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The trigger command: posts the MC_* variables it was given to the deployed computer's control endpoint. */
function triggerScript(controlUrl: string): string {
  const script = join(dir, `trigger-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    script,
    `const vars = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MC_')));
const res = await fetch(${JSON.stringify(controlUrl)}, { method: 'POST', body: JSON.stringify(vars) });
if (res.status !== 200) { console.error('the computer answered ' + res.status + ' ' + await res.text()); process.exit(1); }
`,
  );
  return `node ${JSON.stringify(script)}`;
}

function sutConfig(command: string, options: string[] = ['Push'], baseUrl?: string): HarnessConfig {
  return { ...base, sut: { name: 'deployed computer', actors: ['MeasureComputer'], options, ...(baseUrl ? { baseUrl } : {}), triggers: { MeasureComputer: { type: 'command', command } } } };
}

async function run(config: HarnessConfig, tests = computeSuite.tests): Promise<Map<string, TestResult>> {
  const results: RunResults = await runSuites({ suites: [{ ...computeSuite, tests }], catalogue: catalogue(), plan: (s) => planFor(s, config), timeouts: { waitMs: 5_000 } });
  return new Map(results.tests.map((t) => [t.id.split('/').pop()!, t]));
}

const EVALUATE_TESTS = [
  'evaluate-measure-by-get-and-post-answers-with-the-measurereport-of-the-period-asked',
  'evaluate-measure-with-report-false-stores-nothing',
  'evaluate-measure-with-report-true-stores-the-report-readable-and-searchable',
  'a-second-evaluate-measure-with-report-true-for-the-same-period-updates-the-stored-report-instead-of-adding-one',
];
/** The first computation (it starts the deployed computer) and the $evaluate-measure tests. */
const evaluateRun = () => [computeSuite.tests[0]!, ...computeSuite.tests.filter((t) => EVALUATE_TESTS.includes(t.slug))];

const verdicts = (tests: Map<string, TestResult>) => Object.fromEntries([...tests.values()].map((t) => [t.id.split('/').pop()!, t.verdict]));

describe('Compute Measure suite against a command-triggered Measure Computer', () => {
  it('passes a conformant computer told the servers, Measure and period through MC_* variables, skipping Pull it does not claim', async () => {
    const sut = new DeployedComputer();
    try {
      const tests = await run(sutConfig(triggerScript(await sut.start())));
      const byVerdict = verdicts(tests);
      const skipped = ['pull-the-report-can-be-read-from-the-measure-computer', ...EVALUATE_TESTS];
      expect(skipped.map((id) => byVerdict[id])).toEqual(skipped.map(() => 'skip'));
      expect(tests.get(EVALUATE_TESTS[0]!)?.reason).toContain('sut.baseUrl');
      expect(Object.entries(byVerdict).filter(([id, v]) => !skipped.includes(id) && v !== 'pass')).toEqual([]);
      // Five computations: the first, the search-coverage Measure, the partly evaluable one, against the Data Source without :in, and after the Measure changed.
      expect(sut.calls).toHaveLength(5);
      const [first, coverage, unevaluable, noIn, changed] = sut.calls;
      expect(first!['MC_DATA_SOURCE_URL']).toBe(first!['MC_SIMULATOR_URL']);
      expect(coverage).toMatchObject({ MC_MEASURE: 'http://measure-conformance.example.org/fhir/Measure/ComputeSearchCoverage', MC_MEASURE_ID: 'ComputeSearchCoverage', MC_PERIOD_START: first!['MC_PERIOD_START'] });
      expect(unevaluable).toMatchObject({ MC_MEASURE: 'http://measure-conformance.example.org/fhir/Measure/ComputeUnevaluable', MC_MEASURE_ID: 'ComputeUnevaluable', MC_DATA_SOURCE_URL: first!['MC_DATA_SOURCE_URL'] });
      expect(noIn!['MC_DATA_SOURCE_URL']).not.toBe(noIn!['MC_SIMULATOR_URL']);
      expect(changed!['MC_MEASURE']).toBe('http://measure-conformance.example.org/fhir/Measure/ComputeCovidImpact');
      expect(first).toMatchObject({ MC_PERIOD_START: '2020-04-03T00:00:00Z', MC_PERIOD_END: '2020-04-04T00:00:00Z', MC_SUBJECT: 'Location/compute-general-hospital', MC_REPORTER: 'Organization/compute-general-hospital' });
    } finally {
      await sut.close();
    }
  });

  it('fails the counts of a computer that counts one too many, and only what that breaks', async () => {
    const sut = new DeployedComputer(['off-by-one']);
    try {
      const tests = await run(sutConfig(triggerScript(await sut.start())));
      const failed = [...tests.values()].filter((t) => t.verdict === 'fail').map((t) => t.id.split('/').pop());
      expect(failed).toEqual([
        'every-population-count-equals-the-expected-count-for-the-test-data',
        'the-computer-searches-each-data-source-resource-type-and-parameter-the-measure-asks-for',
        'against-a-data-source-without-in-the-computer-sends-the-value-set-s-codes',
        'a-changed-measure-yields-a-new-report-with-the-changed-measure-s-values',
      ]);
      expect(tests.get('every-population-count-equals-the-expected-count-for-the-test-data')?.reason).toContain('Encounters/numC19Pats: got');
    } finally {
      await sut.close();
    }
  });

  it('fails only the evaluation-error test of a computer that gives up a whole Measure when one population cannot be evaluated', async () => {
    const sut = new DeployedComputer([], true);
    try {
      const tests = await run(sutConfig(triggerScript(await sut.start())));
      const skipped = ['pull-the-report-can-be-read-from-the-measure-computer', ...EVALUATE_TESTS];
      const unfinished = Object.entries(verdicts(tests)).filter(([id, v]) => !skipped.includes(id) && v !== 'pass');
      expect(unfinished.map(([id]) => id)).toEqual(['a-population-the-data-source-cannot-answer-is-reported-as-an-evaluation-error-not-a-count']);
      expect(sut.calls.map((c) => c['MC_MEASURE_ID'])).toContain('ComputeUnevaluable');
    } finally {
      await sut.close();
    }
  });

  it('fails a computer that never calls the Data Source after the run\'s wait, saying what it waited for', async () => {
    // The first computation and the tests judging it; the later ones would only wait again.
    const tests = await run(sutConfig('node -e "0"'), computeSuite.tests.slice(0, 4));
    const first = tests.get('the-measure-computer-queries-the-data-source-for-the-measure-s-data-when-triggered');
    expect(first?.verdict).toBe('fail');
    expect(first?.reason).toContain('a request from the Measure Computer to the Data Source');
    expect(tests.get('every-population-count-equals-the-expected-count-for-the-test-data')?.verdict).toBe('fail');
  });
});

describe('$evaluate-measure tests against a Measure Computer with a base URL', () => {
  it('decide the operation on a SUT whose CapabilityStatement lists it, and fail only the re-run test of one that duplicates', async () => {
    for (const [faults, failing] of [[[], []], [['evaluate-duplicates'], [EVALUATE_TESTS[3]]]] as const) {
      const sut = new DeployedComputer([...faults]);
      try {
        const control = await sut.start();
        const tests = await run(sutConfig(triggerScript(control), ['Push'], sut.fhirBase), evaluateRun());
        const byVerdict = verdicts(tests);
        expect(EVALUATE_TESTS.map((id) => [id, byVerdict[id]]), faults.join()).toEqual(EVALUATE_TESTS.map((id) => [id, (failing as readonly string[]).includes(id) ? 'fail' : 'pass']));
        const calls = [...tests.values()].flatMap((t) => t.evidence.flatMap((e) => (e.kind === 'http' ? [e.exchange] : []))).filter((x) => x.url.includes('$evaluate-measure'));
        expect(calls.every((x) => x.url.startsWith(sut.fhirBase))).toBe(true);
        expect(new Set(calls.map((x) => x.method))).toEqual(new Set(['GET', 'POST']));
      } finally {
        await sut.close();
      }
    }
  });

  it('skip, saying why, on a SUT whose CapabilityStatement does not list it', async () => {
    const consumer = await startMeasureConsumer();
    const sut = new DeployedComputer();
    try {
      const tests = await run(sutConfig(triggerScript(await sut.start()), ['Push'], consumer.url), evaluateRun());
      for (const id of EVALUATE_TESTS) {
        expect(tests.get(id)?.verdict).toBe('skip');
        expect(tests.get(id)?.reason).toContain('lists no http://hl7.org/fhir/uv/saner/OperationDefinition/Measure-evaluate-measure');
      }
    } finally {
      await sut.close();
      await consumer.close();
    }
  });
});
