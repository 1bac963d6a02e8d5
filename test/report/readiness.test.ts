import { describe, expect, it } from 'vitest';
import type { RequirementResult, RunResults } from '../../src/engine/results.js';
import { readinessRows } from '../../src/report/readiness.js';
import { CONSUMER_CS, CSV_CS, SOURCE_CS, sampleResults } from '../fixtures-report/sample.js';

function withoutApplicability(): RunResults {
  const results = sampleResults();
  delete results.applicability;
  return results;
}

describe('readinessRows', () => {
  it('has one row per applicability decision, claimed ones first, the unclaimed option greyed last', () => {
    const rows = readinessRows(sampleResults());
    expect(rows.map((r) => [r.kind, r.name, r.status])).toEqual([
      ['actor', 'MeasureSource (SANER Query Measure)', 'fail'],
      ['actor', 'MeasureConsumer (SANER Produce Measure)', 'fail'],
      ['general', 'Requirements of no CapabilityStatement (FHIR core, general)', 'ready'],
      ['option', 'CSV', 'not-claimed'],
    ]);
    expect(rows[3]).toMatchObject({ verdict: 'not claimed', detail: 'no $search-csv in the CapabilityStatement and none in config', decision: { claimed: false, source: 'capability-statement' } });
  });

  it('judges a row by its SHALL failures, then errors, then answers a person owes, else ready', () => {
    const rows = readinessRows(sampleResults());
    expect(rows[0]).toMatchObject({ verdict: '2 SHALL requirements fail, 1 could not be decided', detail: '1 SHOULD not met · 1 SHALL requirement not tested' });
    const results = sampleResults();
    const set = (id: string, verdict: RequirementResult['verdict']) => (results.requirements.find((r) => r.id === id)!.verdict = verdict);
    set('SANER-PM-CON-001', 'pass');
    set('SANER-PM-FMT-JSON', 'error');
    expect(readinessRows(results)[1]).toMatchObject({ status: 'error', verdict: '1 requirement could not be decided (error)' });
    set('SANER-PM-FMT-JSON', 'pass');
    expect(readinessRows(results)[1]).toMatchObject({ status: 'manual', verdict: 'needs 1 answer from a person' });
    set('SANER-PM-CON-002', 'pass');
    expect(readinessRows(results)[1]).toMatchObject({ status: 'ready', verdict: 'ready as tested: 1 SHALL requirement not tested' });
    expect(readinessRows(results)[1]!.detail).toBeUndefined();
    set('SANER-PM-FMT-XML', 'pass');
    expect(readinessRows(results)[1]).toMatchObject({ status: 'ready', verdict: 'ready' });
  });

  it('takes the JSON and XML verdicts of each transaction from its format[json] and format[xml] rows', () => {
    const [source, consumer] = readinessRows(sampleResults());
    expect(source!.formats).toEqual([{ capability: SOURCE_CS, label: 'MeasureSource', json: 'pass', xml: 'pass' }]);
    expect(consumer!.formats).toEqual([{ capability: CONSUMER_CS, label: 'MeasureConsumer', json: 'fail', xml: 'not-tested' }]);
    // A transaction without per-format rows shows none rather than a made-up verdict.
    expect(readinessRows(sampleResults())[3]!.formats).toEqual([]);
  });

  it('shares come from the engine tally: SHOULD-NOT with SHOULD, MAY in neither, untested counted', () => {
    const [source] = readinessRows(sampleResults());
    expect(source!.shall).toEqual({ passed: 4, total: 8, percent: 50 });
    expect(source!.should).toEqual({ passed: 0, total: 1, percent: 0 });
  });

  it('without applicability decisions (older results) has a row per CapabilityStatement, those no suite ran as not in this run', () => {
    const results = withoutApplicability();
    results.suites = results.suites.filter((s) => !s.capabilities.includes(CONSUMER_CS));
    results.tests = results.tests.filter((t) => t.suite !== 'saner/produce-measure/measure-consumer');
    for (const r of results.requirements) if (r.capability === CONSUMER_CS) Object.assign(r, { verdict: 'not-tested', tests: [] });
    const rows = readinessRows(results);
    expect(rows.map((r) => [r.kind, r.capabilities[0] ?? '', r.status])).toEqual([
      ['capability', SOURCE_CS, 'fail'],
      ['capability', CSV_CS, 'skipped'],
      ['general', '', 'ready'],
      ['capability', CONSUMER_CS, 'not-run'],
    ]);
    expect(rows[3]!.verdict).toBe('not in this run');
    expect(rows[0]!.name).toBe('SANER Measure Source');
  });

  it('leaves out the general row when nothing without a CapabilityStatement was decided', () => {
    const results = sampleResults();
    results.requirements = results.requirements.filter((r) => r.capability);
    expect(readinessRows(results).some((r) => r.kind === 'general')).toBe(false);
  });
});
