// The reference Measure Computer against the reference Data Source and its generated data: for
// every day of the window and both Measure versions the report equals the generator's expected
// results, with :in and without it; the registered simulator brings its own Data Source.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Measure, MeasureReport } from 'fhir/r4.js';
import { parseJson } from '../../src/fhir/json.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { simulatorPlaying } from '../../simulators/index.js';
import { startDataSource, type ExpectedResults, type RunningDataSource } from '../../simulators/data-source/index.js';
import { startMeasureComputer } from '../../simulators/measure-computer/index.js';

type Expected = ExpectedResults['results'][number];

const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  while (open.length) await open.pop()?.close();
});

/** The report in the generator's shape: group code -> populations, score, stratifier text -> strata. */
function shape(report: MeasureReport): Expected['groups'] {
  return (report.group ?? []).map((g) => ({
    code: g.code?.coding?.[0]?.code ?? '',
    populations: Object.fromEntries((g.population ?? []).map((p) => [p.code?.coding?.[0]?.code ?? '', p.count ?? NaN])),
    ...(g.measureScore ? { measureScore: g.measureScore.value ?? NaN } : {}),
    stratifiers: (g.stratifier ?? []).map((s) => ({
      code: s.code?.[0]?.text ?? '',
      strata: Object.fromEntries(
        (s.stratum ?? []).map((st) => [st.component?.[0]?.value?.text ?? '', Object.fromEntries((st.population ?? []).map((p) => [p.code?.coding?.[0]?.code ?? '', p.count ?? NaN]))]),
      ),
    })),
  }));
}

function withoutScores(groups: Expected['groups']): Expected['groups'] {
  return groups.map(({ measureScore: _score, ...g }) => g);
}

async function evaluate(mc: RunningFhirServer, period: { start: string; end: string }): Promise<MeasureReport> {
  const query = new URLSearchParams({ periodStart: period.start, periodEnd: period.end });
  const res = await mc.app.inject({ method: 'GET', url: `/Measure/ComputeCovidImpact/$evaluate-measure?${query}`, headers: { accept: 'application/fhir+json' } });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body) as MeasureReport;
}

async function checkEveryDay(ds: RunningDataSource, mc: RunningFhirServer, version: string): Promise<void> {
  const expected = ds.expected.results.filter((r) => r.measure.endsWith('/ComputeCovidImpact') && r.version === version);
  expect(expected.length).toBe(ds.expected.periods.length);
  for (const want of expected) {
    const report = await evaluate(mc, want.period);
    expect(report.measure).toBe(`${want.measure}|${version}`);
    expect(Date.parse(report.period.start!)).toBe(Date.parse(want.period.start));
    expect(Date.parse(report.period.end!)).toBe(Date.parse(want.period.end));
    const got = shape(report);
    expect(withoutScores(got), want.period.start).toEqual(withoutScores(want.groups));
    got.forEach((g, i) => {
      const score = want.groups[i]?.measureScore;
      if (score === undefined) expect(g.measureScore).toBeUndefined();
      else expect(g.measureScore).toBeCloseTo(score, 12);
    });
  }
}

describe.each([true, false])('against the reference Data Source (inModifier %s)', (inModifier) => {
  it('reports the expected results of every day, for v1 and then for the changed v2', async () => {
    const ds = await startDataSource({ inModifier });
    open.push(ds);
    const mc = await startMeasureComputer({ dataSourceUrl: ds.url });
    open.push(mc);
    await checkEveryDay(ds, mc, '1.0.0');
    const v2 = parseJson(readFileSync(new URL('../../fixtures/compute/measure-compute-covid-impact-v2.json', import.meta.url), 'utf8')) as Measure;
    const res = await mc.app.inject({ method: 'PUT', url: `/Measure/${v2.id}`, headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(v2) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    await checkEveryDay(ds, mc, '2.0.0');
  }, 120_000);
});

describe('the registered simulator', () => {
  it('plays MeasureComputer and, given no Data Source, evaluates against the reference one it starts', async () => {
    const simulator = simulatorPlaying('MeasureComputer');
    expect(simulator?.id).toBe('measure-computer');
    const mc = await simulator!.start();
    open.push(mc);
    const reference = await startDataSource();
    open.push(reference);
    const want = reference.expected.results.find((r) => r.version === '1.0.0')!;
    const report = await evaluate(mc, want.period);
    expect(withoutScores(shape(report))).toEqual(withoutScores(want.groups));
  }, 60_000);
});
