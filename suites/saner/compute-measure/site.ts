/**
 * The Compute Measure suite's environment: the suite's simulator is the reference Data Source
 * (seeded generator); setup starts the public-health side beside it (the `public-health`
 * simulator: Measure Definition Source holding Measure v1, its Library and ValueSets, and Measure
 * Consumer taking pushes) and, with no SUT, the reference Measure Computer standing in for the SUT
 * with the run's faults, then has the computer compute ComputeCovidImpact once for the third day
 * of the data. Tests that need other servers (a Data Source without `:in`, a public-health side of
 * their own) start them through `t.env`, each with a stand-in computer of its own when there is no
 * SUT. The expected results come from the generator run with the options the Data Source was
 * started with.
 */
import type { SimulatorHandle, SuiteEnvironment } from '../../../src/engine/index.js';
import { generateDataSet, type ExpectedResults } from '../../../simulators/data-source/index.js';
import { DEFAULT_PATIENTS, DEFAULT_SEED } from '../../../simulators/data-source/generator.js';
import { compute, REPORTER, SUBJECT, type Computation, type Period, type Site } from './computation.js';

/** The data set the suite's Data Source serves, and any other it starts: the expected results are the generator's for these options. */
export const DATA = { patients: DEFAULT_PATIENTS, seed: DEFAULT_SEED } as const;

export interface ComputeFixture {
  /** What a correct computer reports on the Data Sources' data, every Measure version and day. */
  expected: ExpectedResults;
  /** The day computed: the third of the data. */
  period: Period;
  site: Site;
  /** The computation setup made: ComputeCovidImpact v1 for `period` at `site`. */
  first: Computation;
}

/**
 * With no SUT, the reference Measure Computer the suite starts to play it on this Data Source and
 * public-health side, with the run's faults: one per pair, so each keeps what it read between
 * computations the way a deployed computer does.
 */
async function standInFor(env: SuiteEnvironment, dataSource: SimulatorHandle, publicHealth: SimulatorHandle): Promise<string | undefined> {
  const standIn = env.standIn;
  if (standIn?.kind !== 'reference-server') return undefined;
  const computer = await env.start(standIn.simulator, {
    faults: [...standIn.faults],
    dataSourceUrl: dataSource.baseUrl,
    measureDefinitionSourceUrl: publicHealth.baseUrl,
    measureConsumerUrl: publicHealth.baseUrl,
    subject: SUBJECT,
    reporter: REPORTER,
  });
  return computer.baseUrl;
}

/** A site on this Data Source with a public-health side of its own (started here unless given). */
export async function startSite(env: SuiteEnvironment, dataSource: SimulatorHandle, publicHealth?: SimulatorHandle): Promise<Site> {
  const ph = publicHealth ?? (await env.start('public-health'));
  const standIn = await standInFor(env, dataSource, ph);
  return { dataSource, publicHealth: ph, ...(standIn ? { standIn } : {}) };
}

/** A second Data Source with the same data that refuses `:in` and `:not-in` (SANER-CM-PG-004). */
export function startDataSourceWithoutIn(env: SuiteEnvironment): Promise<SimulatorHandle> {
  return env.start('data-source', { ...DATA, inModifier: false });
}

export async function setUpCompute(env: SuiteEnvironment): Promise<ComputeFixture> {
  const dataSource = env.simulator;
  if (!dataSource) throw new Error('the Compute Measure suite needs its Data Source simulator');
  const expected = generateDataSet(DATA).expected;
  const periods = expected.periods;
  const period = periods[Math.min(2, periods.length - 1)]!;
  const site = await startSite(env, dataSource);
  const first = await compute(env, site, period);
  return { expected, period, site, first };
}
