import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import suite from '../../suites/saner/compute-measure/measure-computer.js';
import { catalogue } from '../../ig/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor } from '../../src/cli/selection.js';
import { runSuites, type Fixture, type RunResults, type Suite, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { startMeasureComputer } from '../../simulators/measure-computer/index.js';

const computeSuite = suite as unknown as Suite<Fixture>;
const base = defaultConfig().config;

/**
 * A Measure Computer deployed on its own, outside the harness: the reference computer behind a
 * small control endpoint. Each call names (in the harness's MC_* variables) the Data Source, the
 * Measure Definition Source, the Measure Consumer, the Measure and the period; the control
 * endpoint keeps one computer per Data Source, as a deployment configured once would, and asks it
 * to compute and push with `$evaluate-measure?report=true`.
 */
class DeployedComputer {
  readonly calls: Record<string, string>[] = [];
  readonly #computers = new Map<string, Promise<RunningFhirServer>>();
  #server: Server | undefined;

  constructor(readonly faults: string[] = []) {}

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        this.#compute(JSON.parse(body) as Record<string, string>).then(
          (status) => res.writeHead(status).end(),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/compute`;
  }

  async #compute(vars: Record<string, string>): Promise<number> {
    this.calls.push(vars);
    const ds = vars['MC_DATA_SOURCE_URL']!;
    let computer = this.#computers.get(ds);
    if (!computer) {
      computer = startMeasureComputer({ dataSourceUrl: ds, measureDefinitionSourceUrl: vars['MC_MEASURE_DEFINITION_SOURCE_URL']!, measureConsumerUrl: vars['MC_MEASURE_CONSUMER_URL']!, faults: this.faults });
      this.#computers.set(ds, computer);
    }
    const query = new URLSearchParams({ periodStart: vars['MC_PERIOD_START']!, periodEnd: vars['MC_PERIOD_END']!, subject: vars['MC_SUBJECT']!, reporter: vars['MC_REPORTER']!, report: 'true' });
    const res = await fetch(`${(await computer).url}/Measure/${vars['MC_MEASURE_ID']!}/$evaluate-measure?${query}`);
    return res.status;
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

function sutConfig(command: string, options: string[] = ['Push']): HarnessConfig {
  return { ...base, sut: { name: 'deployed computer', actors: ['MeasureComputer'], options, triggers: { MeasureComputer: { type: 'command', command } } } };
}

async function run(config: HarnessConfig, tests = computeSuite.tests): Promise<Map<string, TestResult>> {
  const results: RunResults = await runSuites({ suites: [{ ...computeSuite, tests }], catalogue: catalogue(), plan: (s) => planFor(s, config), timeouts: { waitMs: 5_000 } });
  return new Map(results.tests.map((t) => [t.id.split('/').pop()!, t]));
}

const verdicts = (tests: Map<string, TestResult>) => Object.fromEntries([...tests.values()].map((t) => [t.id.split('/').pop()!, t.verdict]));

describe('Compute Measure suite against a command-triggered Measure Computer', () => {
  it('passes a conformant computer told the servers, Measure and period through MC_* variables, skipping Pull it does not claim', async () => {
    const sut = new DeployedComputer();
    try {
      const tests = await run(sutConfig(triggerScript(await sut.start())));
      const byVerdict = verdicts(tests);
      expect(byVerdict['pull-the-report-can-be-read-from-the-measure-computer']).toBe('skip');
      expect(Object.entries(byVerdict).filter(([id, v]) => id !== 'pull-the-report-can-be-read-from-the-measure-computer' && v !== 'pass')).toEqual([]);
      // Three computations: the first, against the Data Source without :in, and after the Measure changed.
      expect(sut.calls).toHaveLength(3);
      const [first, noIn, changed] = sut.calls;
      expect(first!['MC_DATA_SOURCE_URL']).toBe(first!['MC_SIMULATOR_URL']);
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
        'against-a-data-source-without-in-the-computer-sends-the-value-set-s-codes',
        'a-changed-measure-yields-a-new-report-with-the-changed-measure-s-values',
      ]);
      expect(tests.get('every-population-count-equals-the-expected-count-for-the-test-data')?.reason).toContain('Encounters/numC19Pats: got');
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
