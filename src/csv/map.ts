import type { Measure } from 'fhir/r4.js';
import { FhirError } from '../fhir/errors.js';
import { csvIssue, type CsvIssue } from './issues.js';
import { KEY_COLUMNS, isKeyColumn, measureCodes, type KeyColumn, type MeasureCode } from './measure-columns.js';

/** One entry of the `map` parameter: `[system|]code[$column]` (CSV.md §4.1). */
export interface MapEntry {
  system?: string;
  code: string;
  column: string;
  /** The entry as written, for messages. */
  text: string;
}

/** A measure code with the column head it has in the CSV. */
export interface MeasureColumn extends MeasureCode {
  column: string;
}

/** Which column heads a CSV has for one Measure and one `map`. */
export interface ColumnPlan {
  /** Head of each key column: the reserved name, unless the map renames it [A20]. */
  keys: Record<KeyColumn, string>;
  /** Measure columns in output order: the Measure's order, or the map's order when it selects [§4.2]. */
  measure: MeasureColumn[];
  /** True when the map names measure codes: unmapped measure columns are then neither written nor read. */
  selected: boolean;
}

const SPECIAL = new Set(['|', '$', ',', '\\']);

function mapError(detail: string): CsvIssue {
  return { ...csvIssue('invalid', detail), expression: 'map' };
}

/** One comma-separated piece of a map value, split on its unescaped `|` and `$`. */
interface RawEntry {
  fields: string[];
  separators: string;
  text: string;
  badEscape?: string;
}

/**
 * Splits one map value on unescaped `,` and each entry on unescaped `|` and `$`; `\|`, `\$`, `\,`
 * and `\\` stand for the character itself as in FHIR search [A19].
 */
function splitValue(value: string): RawEntry[] {
  const out: RawEntry[] = [];
  let cur: RawEntry = { fields: [''], separators: '', text: '' };
  const append = (ch: string): void => {
    cur.fields[cur.fields.length - 1] += ch;
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '\\') {
      const next = value[i + 1];
      if (next !== undefined && SPECIAL.has(next)) {
        append(next);
        cur.text += ch + next;
        i++;
      } else {
        cur.badEscape ??= next === undefined ? 'ends with a lone "\\"' : `"\\${next}" is not an escape (use \\|, \\$, \\, or \\\\)`;
        cur.text += ch;
      }
    } else if (ch === ',') {
      out.push(cur);
      cur = { fields: [''], separators: '', text: '' };
    } else if (ch === '|' || ch === '$') {
      cur.separators += ch;
      cur.fields.push('');
      cur.text += ch;
    } else {
      append(ch);
      cur.text += ch;
    }
  }
  out.push(cur);
  return out;
}

function toEntry(raw: RawEntry): MapEntry | string {
  if (raw.badEscape) return raw.badEscape;
  if (raw.text === '') return 'empty entry';
  const f = raw.fields;
  let system: string | undefined;
  let code: string;
  let column: string | undefined;
  switch (raw.separators) {
    case '':
      [code] = f as [string];
      break;
    case '|':
      [system, code] = f as [string, string];
      break;
    case '$':
      [code, column] = f as [string, string];
      break;
    case '|$':
      [system, code, column] = f as [string, string, string];
      break;
    default:
      return raw.separators.includes('$|') ? '"|" after "$"' : 'too many "|" or "$"';
  }
  if (system === '') return 'empty system before "|"';
  if (code === '') return 'empty code';
  if (column === '') return 'empty column after "$"';
  return { ...(system !== undefined ? { system } : {}), code, column: column ?? code, text: raw.text };
}

/** Parses every value of the (repeatable [A18]) `map` parameter, in order; 400 on bad syntax. */
export function parseMap(values: readonly string[]): MapEntry[] {
  const issues: CsvIssue[] = [];
  const entries: MapEntry[] = [];
  for (const value of values) {
    for (const raw of splitValue(value)) {
      const entry = toEntry(raw);
      if (typeof entry === 'string') issues.push(mapError(`map entry "${raw.text}": ${entry} (expected [system|]code[$column])`));
      else entries.push(entry);
    }
  }
  if (issues.length) throw new FhirError(400, issues);
  return entries;
}

function defaultKeys(): Record<KeyColumn, string> {
  return Object.fromEntries(KEY_COLUMNS.map((k) => [k, k])) as Record<KeyColumn, string>;
}

/**
 * Resolves the map against the Measure's conversion value set: unknown codes, ambiguous or wrong
 * systems [A21], a code or column used twice, and a column that would hide a key column are 400.
 */
export function planColumns(measure: Measure, map: readonly string[] = []): ColumnPlan {
  const codes = measureCodes(measure);
  const keys = defaultKeys();
  const entries = parseMap(map);
  const canonical = (): MeasureColumn[] => codes.filter((c) => !c.shadowed).map((c) => ({ ...c, column: c.code }));
  if (entries.length === 0) return { keys, measure: canonical(), selected: false };

  const issues: CsvIssue[] = [];
  const fail = (entry: MapEntry, why: string): void => {
    issues.push({ ...csvIssue('code-invalid', `map entry "${entry.text}": ${why}`), expression: 'map' });
  };
  const measureColumns: MeasureColumn[] = [];
  const usedCodes = new Map<MeasureCode | KeyColumn, MapEntry>();
  const usedColumns = new Map<string, MapEntry>();
  for (const entry of entries) {
    let target: MeasureCode | KeyColumn;
    if (isKeyColumn(entry.code) && entry.system === undefined) {
      target = entry.code;
    } else {
      const sameCode = codes.filter((c) => c.code === entry.code);
      const matches = entry.system === undefined ? sameCode : sameCode.filter((c) => c.system === entry.system);
      if (sameCode.length === 0) {
        fail(entry, `code "${entry.code}" is not a group or population code of Measure ${measure.url ?? measure.id ?? ''}`);
        continue;
      }
      if (matches.length === 0) {
        const known = [...new Set(sameCode.map((c) => c.system ?? '(none)'))].join(', ');
        fail(entry, `code "${entry.code}" is not in system ${entry.system} (the Measure uses ${known})`);
        continue;
      }
      if (matches.length > 1) {
        fail(entry, `code "${entry.code}" occurs in several systems (${matches.map((c) => c.system ?? '(none)').join(', ')}); write system|code`);
        continue;
      }
      target = matches[0] as MeasureCode;
    }
    const earlier = usedCodes.get(target);
    if (earlier) {
      fail(entry, `code "${entry.code}" is already mapped by "${earlier.text}"`);
      continue;
    }
    const clash = usedColumns.get(entry.column);
    if (clash) {
      fail(entry, `column "${entry.column}" is already used by "${clash.text}"`);
      continue;
    }
    usedCodes.set(target, entry);
    usedColumns.set(entry.column, entry);
    if (typeof target === 'string') keys[target] = entry.column;
    else measureColumns.push({ ...target, column: entry.column });
  }
  // A measure column may not take the name of a key column left under its reserved name.
  for (const mc of measureColumns) {
    const key = KEY_COLUMNS.find((k) => keys[k] === mc.column && !usedCodes.has(k));
    if (key) {
      const entry = usedColumns.get(mc.column) as MapEntry;
      fail(entry, `column "${mc.column}" is the ${key} key column; rename that one too or pick another name`);
    }
  }
  if (issues.length) throw new FhirError(400, issues);
  if (measureColumns.length === 0) return { keys, measure: canonical(), selected: false };
  return { keys, measure: measureColumns, selected: true };
}
