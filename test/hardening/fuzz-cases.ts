// Every bundled simulator takes 10,000 seeded malformed requests (broken JSON and XML, wrong types,
// huge numbers, deep nesting, ~10 MB bodies, DOCTYPEs and entity bombs, invalid UTF-8, wrong
// Content-Types, bogus search values, ragged CSV, odd Bundles) and must stay up, never answer 5xx,
// refuse each with a documented status and an OperationOutcome, and keep its store as it was.
import { describe, expect, it } from 'vitest';
import { simulators } from '../../simulators/index.js';
import { fuzzSimulator, type FuzzReport } from './fuzz-run.js';

const SEED = 0x5eed_0008;
const REQUESTS = 10_000;

function summary(report: FuzzReport): string {
  return report.findings.map((f) => `${f.problem}\n  request: ${f.request}${f.response ? `\n  answer: ${f.response}` : ''}`).join('\n');
}

/**
 * The simulators are fuzzed in `shards` test files, each taking every shards-th one, so the test
 * runner can give each file its own worker; together they cover the whole registry.
 */
export function fuzzShard(shard: number, shards: number): void {
  describe(`seeded fuzz of the simulators, shard ${shard + 1} of ${shards}`, () => {
    for (const simulator of simulators.filter((_, i) => i % shards === shard)) {
      it(`${simulator.id} survives ${REQUESTS} malformed requests`, { timeout: 15 * 60_000 }, async () => {
        const report = await fuzzSimulator(simulator, { seed: SEED, count: REQUESTS, largeBodies: 4 });
        expect(report.tried).toBe(REQUESTS);
        expect(summary(report)).toBe('');
        expect(report.crashes).toBe(0);
        expect(report.serverErrors).toBe(0);
        expect(report.problems).toBe(0);
        // The mutations reach real handlers: most are refused, and every kind was tried.
        expect(report.rejected).toBeGreaterThan(REQUESTS * 0.8);
        expect(Object.keys(report.byKind)).toEqual(
          expect.arrayContaining(['broken-json', 'broken-xml', 'wrong-types', 'deep-nesting', 'xml-entities', 'invalid-utf8', 'content-type', 'bogus-search', 'csv-ragged', 'large-body-over-limit']),
        );
      });
    }
  });
}
