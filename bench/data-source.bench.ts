// Starts the reference Data Source on the 100,000-patient data set (BENCH_PATIENTS to change it),
// file-backed like `serve` with a dataDir, and prints the generation and load times, the resources
// held, and the time of each ComputeCovidImpact v1 population search for the first day, every page
// followed at _count=1000 (target: load well under a minute).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Library, Measure } from 'fhir/r4.js';
import { projectRoot } from '../src/harness.js';
import { generateDataSet, LARGE_PATIENTS, startDataSource } from '../simulators/data-source/index.js';

const PATIENTS = Number(process.env['BENCH_PATIENTS'] ?? LARGE_PATIENTS);
const fixture = <T>(file: string): T => JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'compute', file), 'utf8')) as T;
const measure = fixture<Measure>('measure-compute-covid-impact.json');
const valueSets = Object.fromEntries((fixture<Library>('library-compute-covid-value-sets.json').content ?? []).map((a) => [a.id!, a.url!]));

const t0 = performance.now();
const resources = generateDataSet({ patients: PATIENTS }).resources.length;
const generated = performance.now() - t0;

const dir = mkdtempSync(join(tmpdir(), 'data-source-bench-'));
const t1 = performance.now();
const server = await startDataSource({ patients: PATIENTS, storePath: join(dir, 'data-source.sqlite') });
const started = performance.now() - t1;
console.log(`patients ${PATIENTS}, resources ${resources} (+ fixtures), generation ${(generated / 1000).toFixed(1)} s`);
console.log(`start (generation + load into a file-backed store) ${(started / 1000).toFixed(1)} s, ${Math.round((resources / (started - generated)) * 1000)} resources/s loaded`);

try {
  const period = server.dataSet.periods[0]!;
  for (const group of measure.group!) {
    for (const population of group.population!) {
      const [type, query] = population.criteria.expression!.split('?') as [string, string];
      const pairs = query.split('&').map((p): [string, string] => {
        const [name, value] = [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)];
        return [name, value.replace(/@([A-Za-z][A-Za-z0-9.]*)/g, (_, n: string) => (n === 'ReportingPeriod.start' ? period.start : n === 'ReportingPeriod.end' ? period.end : valueSets[n]!))];
      });
      const t = performance.now();
      let next: string | undefined = `${server.url}/${type}?${new URLSearchParams([...pairs, ['_count', '1000']])}`;
      let matches = 0;
      let pages = 0;
      while (next) {
        const bundle = (await (await fetch(next, { headers: { accept: 'application/fhir+json' } })).json()) as Bundle;
        matches += (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').length;
        pages++;
        next = bundle.link?.find((l) => l.relation === 'next')?.url;
      }
      console.log(`${population.code!.coding![0]!.code!.padEnd(17)} ${String(matches).padStart(6)} members, ${pages} page(s), ${Math.round(performance.now() - t)} ms`);
    }
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
