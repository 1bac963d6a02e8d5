/**
 * A computed MeasureReport read against the Data Source generator's expected results: groups,
 * populations and stratifiers are matched by their codes (a coding's code or the text), a stratum
 * by its value's text, and every difference is named so the report shows what the SUT got wrong.
 */
import type { CodeableConcept, MeasureReport, MeasureReportGroup, MeasureReportGroupPopulation, MeasureReportGroupStratifierStratum } from 'fhir/r4.js';
import type { ExpectedResults } from '../../../simulators/data-source/index.js';

export type ExpectedResult = ExpectedResults['results'][number];
export type ExpectedGroup = ExpectedResult['groups'][number];

/** Scores are unrounded ratios; a SUT may round them in its last digits. */
const SCORE_TOLERANCE = 1e-6;

export function expectedFor(expected: ExpectedResults, measure: string, version: string, periodStart: string): ExpectedResult | undefined {
  return expected.results.find((r) => r.measure === measure && r.version === version && Date.parse(r.period.start) === Date.parse(periodStart));
}

function named(concept: CodeableConcept | undefined, code: string): boolean {
  return !!concept && (concept.text === code || (concept.coding ?? []).some((c) => c.code === code || c.display === code));
}

function groupOf(report: MeasureReport, code: string): MeasureReportGroup | undefined {
  return (report.group ?? []).find((g) => named(g.code, code));
}

function countIn(populations: ReadonlyArray<Pick<MeasureReportGroupPopulation, 'code' | 'count'>> | undefined, code: string): number | undefined {
  return (populations ?? []).find((p) => named(p.code, code))?.count;
}

function stratumValue(stratum: MeasureReportGroupStratifierStratum): string | undefined {
  return stratum.value?.text ?? stratum.component?.[0]?.value?.text;
}

/** Each population count that differs from the expected one, as `group/population: got x, expected y`. */
export function countDifferences(report: MeasureReport, result: ExpectedResult): string[] {
  return result.groups.flatMap((g) => {
    const group = groupOf(report, g.code);
    if (!group) return [`group ${g.code}: missing`];
    return Object.entries(g.populations).flatMap(([code, want]) => {
      const got = countIn(group.population, code);
      return got === want ? [] : [`${g.code}/${code}: got ${got ?? 'no count'}, expected ${want}`];
    });
  });
}

/** Each group score that differs from the expected one (groups without a score are not judged). */
export function scoreDifferences(report: MeasureReport, result: ExpectedResult): string[] {
  return result.groups.flatMap((g) => {
    if (g.measureScore === undefined) return [];
    const got = groupOf(report, g.code)?.measureScore?.value;
    return got !== undefined && Math.abs(got - g.measureScore) <= SCORE_TOLERANCE ? [] : [`${g.code} measureScore: got ${got ?? 'none'}, expected ${g.measureScore}`];
  });
}

/** Each stratifier, stratum or stratum count missing or different from the expected one. */
export function strataDifferences(report: MeasureReport, result: ExpectedResult): string[] {
  return result.groups.flatMap((g) =>
    g.stratifiers.flatMap((s) => {
      const group = groupOf(report, g.code);
      const stratifier = (group?.stratifier ?? []).find((x) => (x.code ?? []).some((c) => named(c, s.code)));
      if (!stratifier) return [`${g.code} stratifier ${s.code}: missing`];
      const problems = Object.entries(s.strata).flatMap(([value, counts]) => {
        const stratum = (stratifier.stratum ?? []).find((x) => stratumValue(x) === value);
        if (!stratum) return [`${g.code}/${s.code} stratum ${value}: missing`];
        return Object.entries(counts).flatMap(([code, want]) => {
          const got = countIn(stratum.population, code);
          return got === want ? [] : [`${g.code}/${s.code}/${value}/${code}: got ${got ?? 'no count'}, expected ${want}`];
        });
      });
      const extra = (stratifier.stratum ?? []).map(stratumValue).filter((v) => v === undefined || !(v in s.strata));
      return [...problems, ...extra.map((v) => `${g.code}/${s.code} stratum ${v ?? '(no value)'}: not expected`)];
    }),
  );
}

/** Population counts that the two versions' expected results give differently, `group/population`. */
export function changedCounts(before: ExpectedResult, after: ExpectedResult): string[] {
  return after.groups.flatMap((g) => {
    const old = before.groups.find((b) => b.code === g.code);
    return Object.entries(g.populations).flatMap(([code, n]) => (old?.populations[code] === n ? [] : [`${g.code}/${code}`]));
  });
}

export function countOf(report: MeasureReport, path: string): number | undefined {
  const [group = '', population = ''] = path.split('/');
  return countIn(groupOf(report, group)?.population, population);
}
