import type { CodeableConcept, Measure } from 'fhir/r4.js';
import { FhirError } from '../fhir/errors.js';

/**
 * Column heads that are never measure codes (CSV.md P1/[A1]): the IG reserves `period.start` and
 * `period.end` but names the columns `period-start`/`period-end`, so all spellings are reserved.
 */
export const KEY_COLUMNS = ['subject', 'reporter', 'period', 'period-start', 'period-end', 'stratifier', 'stratum'] as const;
export type KeyColumn = (typeof KEY_COLUMNS)[number];
const RESERVED = new Set<string>([...KEY_COLUMNS, 'period.start', 'period.end']);

export function isKeyColumn(name: string): name is KeyColumn {
  return (KEY_COLUMNS as readonly string[]).includes(name);
}

/** One code of the conversion value set [A2]: a group code (score column) or a population code (count column). */
export interface MeasureCode {
  kind: 'group' | 'population';
  system?: string;
  code: string;
  /** Index of the group in `Measure.group`. */
  group: number;
  /** Index of the population in `Measure.group[group].population`, for population codes. */
  population?: number;
  /** A population code equal to a group code: it has no canonical column (P3), only a mapped one. */
  shadowed?: true;
}

/** The first coding carries the column head (P2). */
export function firstCode(concept: CodeableConcept | undefined): { system?: string; code: string } | undefined {
  const coding = concept?.coding?.[0];
  if (!coding?.code) return undefined;
  return coding.system ? { system: coding.system, code: coding.code } : { code: coding.code };
}

function describe(c: MeasureCode): string {
  return c.kind === 'group' ? `group[${c.group}]` : `group[${c.group}].population[${c.population}]`;
}

/**
 * The conversion value set of a Measure, in canonical column order: each group's code followed by
 * its populations' codes. A code that would name two columns of the same kind makes the Measure
 * unusable for CSV (400); a group code equal to a population code shadows it (P3: group wins),
 * so that population only gets a column through a `map` entry naming its system.
 */
export function measureCodes(measure: Measure): MeasureCode[] {
  const codes: MeasureCode[] = [];
  const groupNames = new Map<string, MeasureCode>();
  const populationNames = new Map<string, MeasureCode>();
  const fail = (detail: string, expression: string): never => {
    throw FhirError.of(400, 'not-supported', `Measure ${measure.url ?? measure.id ?? ''} cannot be converted to CSV: ${detail}`, expression);
  };
  (measure.group ?? []).forEach((group, g) => {
    const code = firstCode(group.code);
    if (code) {
      const entry: MeasureCode = { kind: 'group', ...code, group: g };
      if (RESERVED.has(code.code)) fail(`group code "${code.code}" is a reserved column name`, `Measure.group[${g}].code`);
      const seen = groupNames.get(code.code);
      if (seen) fail(`code "${code.code}" names both ${describe(seen)} and group[${g}]`, `Measure.group[${g}].code`);
      groupNames.set(code.code, entry);
      codes.push(entry);
    }
    (group.population ?? []).forEach((population, p) => {
      const pc = firstCode(population.code);
      if (!pc) return;
      const expression = `Measure.group[${g}].population[${p}].code`;
      if (RESERVED.has(pc.code)) fail(`population code "${pc.code}" is a reserved column name`, expression);
      const seen = populationNames.get(pc.code);
      if (seen) fail(`code "${pc.code}" names both ${describe(seen)} and group[${g}].population[${p}]`, expression);
      const entry: MeasureCode = { kind: 'population', ...pc, group: g, population: p };
      populationNames.set(pc.code, entry);
      codes.push(entry);
    });
  });
  return codes.map((c) => (c.kind === 'population' && groupNames.has(c.code) ? { ...c, shadowed: true } : c));
}

/** `url` of a canonical reference without its `|version`. */
export function canonicalUrl(reference: string): string {
  const bar = reference.indexOf('|');
  return bar < 0 ? reference : reference.slice(0, bar);
}
