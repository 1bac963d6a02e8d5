import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Library, Measure, ValueSet } from 'fhir/r4.js';
import { projectRoot } from '../../src/harness.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { generateDataSet } from '../../simulators/data-source/generator.js';
import { VALUE_SETS, valueSetUrl } from '../../simulators/data-source/codes.js';
import { ageGroup, instantMatches, periodMatches, yearsBefore } from '../../simulators/data-source/measures.js';
import { COVERAGE_MEASURE_URL, COVERAGE_RECORDS, COVERED_PARAMETERS, coveragePopulations } from '../../simulators/data-source/coverage.js';
import { EVALUABLE, PARTLY_EVALUABLE_GROUP, UNEVALUABLE, UNEVALUABLE_MEASURE_URL } from '../../simulators/data-source/unevaluable.js';
import { dailyPeriods, formatInstant, utc } from '../../simulators/data-source/model.js';

const small = generateDataSet();

describe('generateDataSet', () => {
  it('gives the same resources and expected results for the same options', () => {
    const again = generateDataSet();
    expect(again.resources).toEqual(small.resources);
    expect(again.expected).toEqual(small.expected);
    expect(generateDataSet({ seed: 42, patients: 300 })).toEqual(generateDataSet({ seed: 42, patients: 300 }));
  });

  it('gives other data and other results for another seed', () => {
    const other = generateDataSet({ seed: 2 });
    expect(other.resources).not.toEqual(small.resources);
    expect(other.expected.results).not.toEqual(small.expected.results);
    expect(other.expected.seed).toBe(2);
  });

  it('holds the patients asked for, and the kinds of resource a Data Source serves', () => {
    const types = new Map<string, number>();
    for (const r of small.resources) types.set(r.resourceType, (types.get(r.resourceType) ?? 0) + 1);
    expect(types.get('Patient')).toBe(200);
    for (const t of ['Location', 'Device', 'Encounter', 'Condition', 'Procedure', 'Observation', ...Object.keys(COVERAGE_RECORDS)]) expect(types.get(t), t).toBeGreaterThan(0);
    expect(new Set(small.resources.map((r) => `${r.resourceType}/${r.id}`)).size).toBe(small.resources.length);
    expect(generateDataSet({ patients: 1000 }).resources.filter((r) => r.resourceType === 'Patient')).toHaveLength(1000);
  });

  it('generates valid R4 resources', () => {
    const errors = small.resources.flatMap((r) =>
      validateResource(r)
        .filter((i) => i.severity === 'error' || i.severity === 'fatal')
        .map((i) => `${r.resourceType}/${r.id}: ${i.message}`),
    );
    expect(errors).toEqual([]);
  });

  it('refuses options it cannot honour', () => {
    expect(() => generateDataSet({ patients: 5 })).toThrow(/patients must be an integer of at least 21/);
    expect(() => generateDataSet({ days: 0 })).toThrow(/days/);
    expect(() => generateDataSet({ start: '2020-13-01' })).toThrow(/start/);
    expect(() => generateDataSet({ seed: 1.5 })).toThrow(/seed/);
  });

  it('expects a result for each Measure version and day of the window, with every group, population and stratifier', () => {
    const { expected } = small;
    expect(expected.periods).toEqual(dailyPeriods('2020-04-01', 7).map(({ start, end }) => ({ start, end })));
    expect(expected.periods[0]).toEqual({ start: '2020-04-01T00:00:00Z', end: '2020-04-02T00:00:00Z' });
    const covid = expected.results.filter((r) => r.measure.endsWith('/ComputeCovidImpact'));
    expect(covid.map((r) => `${r.version} ${r.period.start}`)).toHaveLength(14);
    for (const r of covid) {
      expect(r.measure).toBe('http://measure-conformance.example.org/fhir/Measure/ComputeCovidImpact');
      expect(r.groups.map((g) => [g.code, Object.keys(g.populations)])).toEqual([
        ['Encounters', ['numC19Pats', 'numC19VentPats']],
        ['Beds', ['numTotBeds', 'numTotBedsOcc']],
        ['LabResults', ['totalTestResults', 'positive']],
      ]);
      const [encounters, beds, labs] = r.groups as [(typeof r.groups)[0], (typeof r.groups)[0], (typeof r.groups)[0]];
      expect(encounters.stratifiers.map((s) => s.code)).toEqual(['By Gender', 'By Age Group']);
      for (const s of encounters.stratifiers) {
        // Every member has a patient with a gender and a birth date, so the strata add up to the populations.
        for (const population of ['numC19Pats', 'numC19VentPats']) {
          expect(Object.values(s.strata).reduce((n, stratum) => n + stratum[population]!, 0)).toBe(encounters.populations[population]);
        }
      }
      expect(beds.measureScore).toBeCloseTo(beds.populations.numTotBedsOcc! / beds.populations.numTotBeds!, 12);
      expect(labs.measureScore).toBeCloseTo(labs.populations.totalTestResults ? labs.populations.positive! / labs.populations.totalTestResults : 0, 12);
      expect(encounters.populations.numC19Pats).toBeGreaterThan(0);
      expect(labs.populations.positive).toBeGreaterThan(0);
    }
  });

  it('makes the changed Measure (v2) report other counts than v1 on every day', () => {
    for (const period of small.expected.periods) {
      const of = (version: string) => small.expected.results.find((r) => r.version === version && r.period.start === period.start)!;
      const [v1, v2] = [of('1.0.0'), of('2.0.0')];
      expect(v2.groups[0]!.populations.numC19Pats, period.start).toBeLessThan(v1.groups[0]!.populations.numC19Pats!);
      expect(v2.groups[2]!.populations.totalTestResults, period.start).toBeGreaterThan(v1.groups[2]!.populations.totalTestResults!);
    }
  });

  it('counts with exactly the members of the bundled value sets (fixtures/compute)', () => {
    const dir = join(projectRoot, 'fixtures', 'compute');
    const sets = readdirSync(dir)
      .filter((f) => f.startsWith('valueset-'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ValueSet);
    expect(sets.map((s) => s.name).sort()).toEqual(Object.keys(VALUE_SETS).sort());
    for (const vs of sets) {
      const members = VALUE_SETS[vs.name!]!.map((c) => `${c.system}|${c.code}`).sort();
      expect(vs.url).toBe(valueSetUrl(vs.name!));
      expect(vs.expansion!.contains!.map((c) => `${c.system}|${c.code}`).sort()).toEqual(members);
      expect(vs.compose!.include.flatMap((i) => i.concept!.map((c) => `${i.system}|${c.code}`)).sort()).toEqual(members);
    }
  });
});

const computeFixture = <T>(file: string): T => JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'compute', file), 'utf8')) as T;

describe('the search-coverage Measure (ComputeSearchCoverage)', () => {
  const measure = computeFixture<Measure>('measure-compute-search-coverage.json');
  const populations = (measure.group ?? []).flatMap((g) => (g.population ?? []).map((p) => ({ group: g.code?.text, code: p.code?.text, expression: p.criteria.expression })));

  it("holds one population per covered type and parameter with the generator's query, and none it cannot evaluate", () => {
    expect(measure.url).toBe(COVERAGE_MEASURE_URL);
    expect(populations).toEqual(coveragePopulations().map((p) => ({ group: p.type, code: p.code, expression: p.expression })));
  });

  it('is expected on every day, each count matching some but not all of its type', () => {
    const results = small.expected.results.filter((r) => r.measure === COVERAGE_MEASURE_URL);
    expect(results.map((r) => r.period)).toEqual(small.expected.periods);
    const totals = new Map<string, number>();
    for (const r of small.resources) totals.set(r.resourceType, (totals.get(r.resourceType) ?? 0) + 1);
    for (const r of results) {
      expect(r.groups.map((g) => [g.code, Object.keys(g.populations)])).toEqual(Object.entries(COVERED_PARAMETERS).map(([type, ps]) => [type, ps.map((p) => `${type}-${p}`)]));
      for (const g of r.groups) {
        for (const [code, n] of Object.entries(g.populations)) {
          expect(n, `${r.period.start} ${code}`).toBeGreaterThan(0);
          expect(n, `${r.period.start} ${code}`).toBeLessThan(totals.get(g.code)!);
        }
      }
    }
  });

  it('queries values that exist whatever the seed and size: the coverage records and the first two patients', () => {
    for (const options of [
      { seed: 7, patients: 21, days: 7 },
      { seed: 99, patients: 3, days: 1 },
    ]) {
      const other = generateDataSet(options);
      const ids = new Set(other.resources.map((r) => `${r.resourceType}/${r.id}`));
      for (const p of coveragePopulations()) {
        const values = p.expression
          .split('?')[1]!
          .split('&')
          .map((pair) => decodeURIComponent(pair.slice(pair.indexOf('=') + 1)));
        for (const value of values) {
          if (p.parameter === '_id') for (const id of value.split(',')) expect(ids.has(`${p.type}/${id}`), `${p.type}/${id}`).toBe(true);
          if (p.parameter === 'patient' || p.parameter === 'encounter') expect(ids.has(value), value).toBe(true);
        }
        if (p.parameter === 'code') {
          const [a, b] = COVERAGE_RECORDS[p.type as keyof typeof COVERAGE_RECORDS].codes;
          expect(p.expression).toContain(encodeURIComponent(`|${a.code}`));
          expect(a.code).not.toBe(b.code);
        }
      }
      const coverage = other.expected.results.filter((r) => r.measure === COVERAGE_MEASURE_URL);
      for (const g of coverage[0]!.groups)
        for (const [code, n] of Object.entries(g.populations)) if (!code.endsWith('-class') && !code.endsWith('-date') && !code.endsWith('-patient')) expect(n, code).toBe(2);
    }
  });
});

describe('the partly evaluable Measure (ComputeUnevaluable)', () => {
  const measure = computeFixture<Measure>('measure-compute-unevaluable.json');

  it("holds one group: the evaluable population with the generator's query, then the one on a type the Data Source does not serve", () => {
    expect(measure.url).toBe(UNEVALUABLE_MEASURE_URL);
    const groups = (measure.group ?? []).map((g) => ({ group: g.code?.text, populations: (g.population ?? []).map((p) => ({ code: p.code?.text, expression: p.criteria.expression })) }));
    expect(groups).toEqual([
      {
        group: PARTLY_EVALUABLE_GROUP,
        populations: [
          { code: EVALUABLE.code, expression: EVALUABLE.expression },
          { code: UNEVALUABLE.code, expression: UNEVALUABLE.expression },
        ],
      },
    ]);
  });

  it('is expected on every day with a count of the evaluable population only, counted on the model', () => {
    const results = small.expected.results.filter((r) => r.measure === UNEVALUABLE_MEASURE_URL);
    expect(results.map((r) => r.period)).toEqual(small.expected.periods);
    const ambulatory = small.model.encounters.filter((e) => e.class === 'AMB').length;
    expect(ambulatory).toBeGreaterThan(0);
    for (const r of results) expect(r.groups).toEqual([{ code: PARTLY_EVALUABLE_GROUP, populations: { [EVALUABLE.code]: ambulatory }, stratifiers: [] }]);
  });
});

describe('the bundled computable Measures follow the rules for Measure authors (SANER-CM-PG-008)', () => {
  const dir = join(projectRoot, 'fixtures', 'compute');
  const files = readdirSync(dir).filter((f) => f.startsWith('measure-'));
  const libraries = readdirSync(dir)
    .filter((f) => f.startsWith('library-'))
    .map((f) => computeFixture<Library>(f));
  const PREDEFINED = ['Base', 'Metadata', 'Measure', 'MeasureReport', 'PriorReport', 'Reporter', 'Subject', 'ValueSet', 'ReportingPeriod', 'PriorReportingPeriod', 'Today', 'Tomorrow', 'Yesterday'];

  it.each(files)('%s: one criteria language, relative RFC 3986-encoded queries, parameters named by its Libraries whose value sets are listed', (file) => {
    const measure = computeFixture<Measure>(file);
    const criteria = (measure.group ?? []).flatMap((g) => (g.population ?? []).map((p) => p.criteria));
    expect(new Set(criteria.map((c) => c.language)).size).toBe(1);
    const used = libraries.filter((l) => (measure.library ?? []).includes(l.url!));
    expect(used.length).toBe(measure.library!.length);
    const attachments = used.flatMap((l) => (l.content ?? []).map((a) => a.id!));
    expect(new Set(attachments).size).toBe(attachments.length);
    for (const id of attachments) {
      expect(id).toMatch(/^[A-Z][A-Za-z0-9.]+$/);
      expect(PREDEFINED).not.toContain(id);
    }
    const listed = used.flatMap((l) => (l.relatedArtifact ?? []).map((a) => a.resource));
    for (const a of used.flatMap((l) => l.content ?? [])) if (a.url?.includes('/ValueSet/')) expect(listed).toContain(a.url);
    for (const { expression = '' } of criteria) {
      if (criteria[0]!.language !== 'application/x-fhir-query') continue;
      expect(expression).toMatch(/^[A-Z][A-Za-z]+(\?|$)/);
      expect(expression).toMatch(/^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/);
      for (const [, name] of expression.matchAll(/@([A-Za-z][A-Za-z0-9]*)/g)) expect([...PREDEFINED, ...attachments], `@${name}`).toContain(name);
    }
  });
});

describe('the generator membership rules', () => {
  const [day] = dailyPeriods('2020-04-03', 1) as [ReturnType<typeof dailyPeriods>[0]];
  const S = day.startMs;
  const E = day.endMs;

  it('count a Period that overlaps the day, not one that ends at its start or starts at its end', () => {
    expect(periodMatches(utc(S - 1000), utc(S), day)).toBe(false);
    expect(periodMatches(utc(S - 1000), utc(S + 1000), day)).toBe(true);
    expect(periodMatches(utc(E), undefined, day)).toBe(false);
    expect(periodMatches(utc(E - 1000), undefined, day)).toBe(true);
    expect(periodMatches(utc(S - 86_400_000), undefined, day)).toBe(true);
    expect(periodMatches(utc(S), utc(S), day)).toBe(true);
  });

  it('count an instant from the start instant up to, not including, the end instant', () => {
    expect(instantMatches(utc(S), day)).toBe(true);
    expect(instantMatches(utc(S - 1000), day)).toBe(false);
    expect(instantMatches(utc(E - 1000), day)).toBe(true);
    expect(instantMatches(utc(E), day)).toBe(false);
    expect(instantMatches({ ms: E, offsetMinutes: -240 }, day)).toBe(false);
  });

  it('write instants in their offset', () => {
    expect(formatInstant(utc(S))).toBe('2020-04-03T00:00:00Z');
    expect(formatInstant({ ms: S, offsetMinutes: -240 })).toBe('2020-04-02T20:00:00-04:00');
    expect(formatInstant({ ms: S, offsetMinutes: 60 })).toBe('2020-04-03T01:00:00+01:00');
  });

  it('put a patient born exactly 18 or 65 years before the day in the older group', () => {
    expect(ageGroup('2002-04-03', day)).toBe('P18Y--P65Y');
    expect(ageGroup('2002-04-04', day)).toBe('P0Y--P18Y');
    expect(ageGroup('1955-04-03', day)).toBe('P65Y--P9999Y');
    expect(ageGroup('1955-04-04', day)).toBe('P18Y--P65Y');
    expect(yearsBefore('2020-02-29', 1)).toBe('2019-02-28');
  });
});
