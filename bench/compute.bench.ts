// Compute Measure: the reference Measure Computer evaluates ComputeCovidImpact v1 for one day
// against the reference Data Source holding 100,000 generated patients in a file-backed store.
// Target: evaluation under 30 s. Prints the generation and load time, the evaluation time, the
// number of Data Source requests it took, and whether the counts equal the generator's expected
// results. The Data Source runs in a worker thread, so server and computer each have a core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Location, Measure, MeasureReport, Organization, Resource } from 'fhir/r4.js';
import { startDataSource, type ExpectedResults } from '../simulators/data-source/index.js';
import { DataSourceClient } from '../simulators/measure-computer/data-source.js';
import { loadDefinitions } from '../simulators/measure-computer/definitions.js';
import { evaluateMeasure } from '../simulators/measure-computer/evaluate.js';
import { seedResources } from '../simulators/measure-computer/index.js';
import { reportingPeriod } from '../simulators/measure-computer/period.js';

const PATIENTS = 100_000;
const TARGET_SECONDS = 30;
/** A day in the middle of the generated week. */
const DAY = '2020-04-04';

type ExpectedResult = ExpectedResults['results'][number];

interface Hosted {
  url: string;
  loadSeconds: number;
  expected: ExpectedResult | undefined;
}

function hostInWorker(storePath: string): Promise<{ hosted: Hosted; worker: Worker }> {
  return new Promise((resolve, reject) => {
    // A worker does not inherit the main thread's tsx loader: it registers it, then loads this file.
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: { storePath } });
    worker.once('message', (hosted: Hosted) => resolve({ hosted, worker }));
    worker.once('error', reject);
  });
}

async function host(storePath: string): Promise<void> {
  const started = performance.now();
  const ds = await startDataSource({ patients: PATIENTS, storePath });
  const loadSeconds = (performance.now() - started) / 1000;
  const expected = ds.expected.results.find((r) => r.version === '1.0.0' && r.period.start.startsWith(DAY));
  parentPort?.postMessage({ url: ds.url, loadSeconds, expected } satisfies Hosted);
  parentPort?.once('message', () => void ds.close().then(() => process.exit(0)));
}

function seeded<T extends Resource>(type: T['resourceType']): T {
  const found = seedResources().find((r) => r.resourceType === type);
  if (!found) throw new Error(`fixtures/compute holds no ${type}`);
  return found as T;
}

function countsOf(report: MeasureReport): Record<string, number | undefined> {
  return Object.fromEntries((report.group ?? []).flatMap((g) => (g.population ?? []).map((p) => [p.code?.coding?.[0]?.code ?? '?', p.count])));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'compute-bench-'));
  try {
    const { hosted, worker } = await hostInWorker(join(dir, 'data-source.sqlite'));
    console.log(`data source: ${PATIENTS} patients generated and loaded in ${hosted.loadSeconds.toFixed(1)} s (file-backed, worker thread)`);
    const fixtures = seedResources();
    const measure = seeded<Measure>('Measure');
    const definitions = await loadDefinitions(measure, async (type, canonical) => fixtures.find((r) => r.resourceType === type && (r as { url?: string }).url === canonical.split('|')[0]));
    const dataSource = new DataSourceClient(hosted.url);
    const started = performance.now();
    const { report, issues } = await evaluateMeasure({
      definitions,
      period: reportingPeriod(DAY, DAY),
      subject: seeded<Location>('Location'),
      reporter: seeded<Organization>('Organization'),
      dataSource,
    });
    const seconds = (performance.now() - started) / 1000;
    await dataSource.close();
    const got = countsOf(report);
    const want = Object.assign({}, ...(hosted.expected?.groups ?? []).map((g) => g.populations)) as Record<string, number>;
    const agrees = Object.keys(want).length > 0 && Object.entries(want).every(([code, n]) => got[code] === n);
    console.log(`evaluation: ${measure.url}|${measure.version} for ${DAY}: ${seconds.toFixed(2)} s (target < ${TARGET_SECONDS} s), ${dataSource.requests} Data Source requests`);
    console.log(
      `counts: ${JSON.stringify(got)}; ${agrees ? 'equal to' : 'DIFFERENT FROM'} the generator's expected results${issues.length ? `; issues: ${issues.map((i) => i.message).join(' | ')}` : ''}`,
    );
    worker.postMessage('close');
    await new Promise((resolve) => worker.once('exit', resolve));
    if (!agrees || seconds >= TARGET_SECONDS) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMainThread) await main();
else await host((workerData as { storePath: string }).storePath);
