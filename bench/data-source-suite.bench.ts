// The Data Source suite: its run against the reference Data Source (the default data set of 50
// patients), and against a FHIR server it loads the data set into (the clinical stand-in of the
// tests) with 50 and 200 patients. Prints the time until the first test (setup: generating and,
// for the SUT, PUTting the data set), the whole suite with its cleanup (every write undone), and
// the requests the SUT received. Targets: a few seconds for the reference run, and 200 patients
// loaded, searched and removed well under half a minute.
import type { RunResults, Suite } from '../src/engine/index.js';
import { runSuites } from '../src/engine/index.js';
import { WriteLog } from '../src/engine/writes.js';
import { catalogue } from '../ig/index.js';
import { defaultConfig } from '../src/config/load.js';
import { planFor } from '../src/cli/selection.js';
import suite from '../suites/saner/compute-measure/data-source.js';
import { startClinicalServer } from '../test/stand-ins/clinical-data-server.js';

const base = defaultConfig().config;
const dataSourceSuite = suite as unknown as Suite<object>;

function figures(label: string, results: RunResults, extra = ''): void {
  const s = results.suites[0]!;
  const setupMs = Date.parse(results.tests[0]!.startedAt) - Date.parse(s.startedAt);
  const verdicts = [...new Set(results.tests.map((t) => t.verdict))].join('/');
  console.log(`${label}: setup ${(setupMs / 1000).toFixed(2)} s, suite with cleanup ${(s.durationMs / 1000).toFixed(2)} s, tests ${verdicts}${extra}`);
}

figures('reference Data Source, 50 patients', await runSuites({ suites: [dataSourceSuite], catalogue: catalogue(), plan: (s) => planFor(s, { ...base, sut: undefined }) }));

for (const patients of [50, 200]) {
  const server = await startClinicalServer();
  try {
    const log = new WriteLog('bench');
    const results = await runSuites({
      suites: [dataSourceSuite],
      catalogue: catalogue(),
      plan: (s) => planFor(s, { ...base, sut: { name: 'stand-in', baseUrl: server.baseUrl, dataSet: { patients, seed: 1 } } }),
      writes: { log },
    });
    const puts = server.requests.filter((r) => r.startsWith('PUT ')).length;
    figures(`SUT loaded with ${patients} patients`, results, `, ${puts} PUTs, ${server.requests.length} requests, ${server.store.size} resources left after cleanup`);
  } finally {
    await server.close();
  }
}
