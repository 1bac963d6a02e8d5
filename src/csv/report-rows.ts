import type { CodeableConcept, Measure, MeasureReport, MeasureReportGroupStratifierStratum, Quantity } from 'fhir/r4.js';
import { numberText } from '../fhir/decimal.js';
import { FhirError, type Issue } from '../fhir/errors.js';
import type { ColumnPlan } from './map.js';
import { canonicalUrl, firstCode } from './measure-columns.js';

/**
 * Shape of the key columns of a CSV: one `period` column or `period-start`/`period-end` [A4],
 * and whether `stratifier`/`stratum` columns exist.
 */
export interface CsvLayout {
  period: 'single' | 'split';
  strata: boolean;
}

export function hasSamePeriodBounds(report: MeasureReport): boolean {
  return report.period?.start === report.period?.end;
}

export function hasStrata(report: MeasureReport): boolean {
  return (report.group ?? []).some((g) => (g.stratifier ?? []).some((s) => (s.stratum ?? []).length > 0));
}

export function headerRow(plan: ColumnPlan, layout: CsvLayout): string[] {
  const k = plan.keys;
  return [
    k.subject,
    k.reporter,
    ...(layout.period === 'single' ? [k.period] : [k['period-start'], k['period-end']]),
    ...(layout.strata ? [k.stratifier, k.stratum] : []),
    ...plan.measure.map((c) => c.column),
  ];
}

/** A score as written in the resource: the text parseJson remembered, else the number's shortest form. */
function scoreText(score: Quantity | undefined): string {
  const value = score?.value;
  return typeof value === 'number' && Number.isFinite(value) ? numberText(score as object, 'value', value) : '';
}

/** Column head for a stratifier [A8]: first coding's code, else the text. */
export function stratifierName(codes: CodeableConcept[] | undefined): string | undefined {
  const concept = codes?.[0];
  return firstCode(concept)?.code ?? (concept?.text || undefined);
}

function conceptValue(concept: CodeableConcept | undefined): string | undefined {
  return firstCode(concept)?.code ?? (concept?.text || undefined);
}

/** Cell for a stratum [A9]: `value`'s code, else the components' value codes joined with `+`. */
function stratumName(stratum: MeasureReportGroupStratifierStratum): string | undefined {
  const direct = conceptValue(stratum.value);
  if (direct) return direct;
  const parts = (stratum.component ?? []).map((c) => conceptValue(c.value));
  if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  return parts.join('+');
}

/** Index of the Measure group a report group belongs to: by its first code, else by position. */
function matchGroup(measure: Measure, code: CodeableConcept | undefined, position: number): number {
  const rc = firstCode(code);
  const groups = measure.group ?? [];
  if (!rc) return firstCode(groups[position]?.code) === undefined && position < groups.length ? position : -1;
  return groups.findIndex((g) => {
    const mc = firstCode(g.code);
    return mc !== undefined && mc.code === rc.code && (mc.system === undefined || rc.system === undefined || mc.system === rc.system);
  });
}

function matchPopulation(measure: Measure, group: number, code: CodeableConcept | undefined): number {
  const rc = firstCode(code);
  if (!rc) return -1;
  return (measure.group?.[group]?.population ?? []).findIndex((p) => {
    const mc = firstCode(p.code);
    return mc !== undefined && mc.code === rc.code && (mc.system === undefined || rc.system === undefined || mc.system === rc.system);
  });
}

/** Number of key columns (subject, reporter, period(s), stratifier/stratum) before the measure columns. */
function keyWidth(layout: CsvLayout): number {
  return 2 + (layout.period === 'single' ? 1 : 2) + (layout.strata ? 2 : 0);
}

/** Position of each measure cell in a row, by `g` (group score) or `g.p` (population count). */
export function cellIndex(plan: ColumnPlan, layout: CsvLayout): Map<string, number> {
  const offset = keyWidth(layout);
  const index = new Map<string, number>();
  for (const [i, c] of plan.measure.entries()) index.set(c.kind === 'group' ? `${c.group}` : `${c.group}.${c.population}`, offset + i);
  return index;
}

/**
 * The rows of one report (CSV.md §3.1): one unstratified row [A5], then one row per distinct
 * (stratifier, stratum) pair; pairs shared by several groups share a row so the file reads back
 * without a duplicate-pair error. A report of another Measure, or with groups, populations or
 * strata the Measure cannot place, is a 400 naming the report.
 */
export function reportRows(report: MeasureReport, ordinal: number, measure: Measure, plan: ColumnPlan, layout: CsvLayout, cells: Map<string, number>): string[][] {
  const name = report.id ? `MeasureReport/${report.id}` : `MeasureReport #${ordinal + 1}`;
  const issues: Issue[] = [];
  const fail = (message: string, expression: string): void => {
    issues.push({ severity: 'error', code: 'invalid', message: `${name}: ${message}`, expression });
  };
  if (report.resourceType !== 'MeasureReport') {
    throw FhirError.of(400, 'invalid', `${name}: expected a MeasureReport, got ${String(report.resourceType)}`, 'resourceType');
  }
  if (!report.measure || canonicalUrl(report.measure) !== canonicalUrl(measure.url ?? '')) {
    fail(`measure ${report.measure ?? '(none)'} is not the Measure ${measure.url ?? '(no url)'}`, 'MeasureReport.measure');
  }
  const width = keyWidth(layout) + plan.measure.length;
  const keyCells = (stratifier: string, stratum: string): string[] => {
    const row = new Array<string>(width).fill('');
    row[0] = report.subject?.identifier?.value ?? '';
    row[1] = report.reporter?.identifier?.value ?? '';
    if (layout.period === 'single') row[2] = report.period?.start ?? '';
    else {
      row[2] = report.period?.start ?? '';
      row[3] = report.period?.end ?? '';
    }
    if (layout.strata) {
      const at = layout.period === 'single' ? 3 : 4;
      row[at] = stratifier;
      row[at + 1] = stratum;
    }
    return row;
  };
  if (layout.period === 'single' && !hasSamePeriodBounds(report)) {
    fail('period start and end differ but the CSV has a single period column', 'MeasureReport.period');
  }
  const main = keyCells('', '');
  const strata = new Map<string, string[]>();
  const seen = new Set<string>();
  (report.group ?? []).forEach((group, gi) => {
    const g = matchGroup(measure, group.code, gi);
    if (g < 0) {
      fail(`group ${JSON.stringify(firstCode(group.code)?.code ?? '(no code)')} is not a group of the Measure`, `MeasureReport.group[${gi}].code`);
      return;
    }
    const score = cells.get(`${g}`);
    if (score !== undefined) main[score] = scoreText(group.measureScore);
    (group.population ?? []).forEach((pop, pi) => {
      const p = matchPopulation(measure, g, pop.code);
      if (p < 0) {
        fail(`population ${JSON.stringify(firstCode(pop.code)?.code ?? '(no code)')} is not in Measure group ${g}`, `MeasureReport.group[${gi}].population[${pi}].code`);
        return;
      }
      const at = cells.get(`${g}.${p}`);
      if (at !== undefined) main[at] = pop.count === undefined ? '' : String(pop.count);
    });
    (group.stratifier ?? []).forEach((stratifier, si) => {
      const sName = stratifierName(stratifier.code);
      (stratifier.stratum ?? []).forEach((stratum, ti) => {
        const where = `MeasureReport.group[${gi}].stratifier[${si}].stratum[${ti}]`;
        const tName = stratumName(stratum);
        if (!sName || !tName) {
          fail(sName ? 'stratum has no value code' : 'stratifier has no code or text', sName ? where : `MeasureReport.group[${gi}].stratifier[${si}].code`);
          return;
        }
        if (!layout.strata) {
          fail('the report has strata but the CSV has no stratifier/stratum columns', where);
          return;
        }
        const pair = `${sName}\u0000${tName}`;
        if (seen.has(`${g}\u0000${pair}`)) {
          fail(`stratum ${sName}/${tName} occurs twice in this group`, where);
          return;
        }
        seen.add(`${g}\u0000${pair}`);
        let row = strata.get(pair);
        if (!row) {
          row = keyCells(sName, tName);
          strata.set(pair, row);
        }
        const sc = cells.get(`${g}`);
        if (sc !== undefined) row[sc] = scoreText(stratum.measureScore);
        (stratum.population ?? []).forEach((pop, pi) => {
          const p = matchPopulation(measure, g, pop.code);
          if (p < 0) {
            fail(`stratum population ${JSON.stringify(firstCode(pop.code)?.code ?? '(no code)')} is not in Measure group ${g}`, `${where}.population[${pi}].code`);
            return;
          }
          const at = cells.get(`${g}.${p}`);
          if (at !== undefined && row) row[at] = pop.count === undefined ? '' : String(pop.count);
        });
      });
    });
  });
  if (issues.length) throw new FhirError(400, issues);
  return [main, ...strata.values()];
}
