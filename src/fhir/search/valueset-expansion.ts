import type Database from 'better-sqlite3';
import type { ValueSet, ValueSetComposeInclude } from 'fhir/r4.js';
import { FhirError } from '../errors.js';

/** A member of an expansion: one code, or (code undefined) every code of a system. */
export interface ExpansionMember {
  system: string;
  code?: string;
}

/**
 * Expands a ValueSet held in the store, for `:in` and `:not-in`: its `expansion.contains` when
 * present, otherwise `compose.include` (listed concepts, whole systems, imported value sets) minus
 * the concepts listed in `compose.exclude`. Filters need a terminology server, so a ValueSet that
 * uses them is refused rather than half-expanded.
 */
export function expandValueSet(db: Database.Database, canonical: string, parameter: string, depth = 0): ExpansionMember[] {
  const [url, version] = canonical.split('|') as [string, string | undefined];
  const rows = db.prepare("SELECT body FROM resources WHERE type = 'ValueSet' AND deleted = 0 AND json_extract(body, '$.url') = ?").all(url) as { body: string }[];
  const sets = rows.map((r) => JSON.parse(r.body) as ValueSet).filter((vs) => !version || vs.version === version);
  const vs = sets[0];
  if (!vs) {
    throw FhirError.of(400, 'not-found', `${parameter}: ValueSet '${canonical}' is not known to this server`, parameter);
  }
  if (vs.expansion?.contains) {
    const flat: ExpansionMember[] = [];
    const walk = (items: NonNullable<ValueSet['expansion']>['contains']) => {
      for (const c of items ?? []) {
        if (c.system && c.code) flat.push({ system: c.system, code: c.code });
        walk(c.contains);
      }
    };
    walk(vs.expansion.contains);
    return flat;
  }
  if (depth > 5) throw FhirError.of(400, 'too-costly', `${parameter}: ValueSet '${canonical}' imports too deeply`, parameter);
  const included = (vs.compose?.include ?? []).flatMap((inc) => members(db, inc, parameter, depth));
  const excluded = new Set((vs.compose?.exclude ?? []).flatMap((exc) => (exc.concept ?? []).map((c) => `${exc.system}|${c.code}`)));
  return included.filter((m) => m.code === undefined || !excluded.has(`${m.system}|${m.code}`));
}

function members(db: Database.Database, inc: ValueSetComposeInclude, parameter: string, depth: number): ExpansionMember[] {
  if (inc.filter?.length) {
    throw FhirError.of(400, 'not-supported', `${parameter}: the ValueSet uses compose filters, which this server cannot expand`, parameter);
  }
  const imported = (inc.valueSet ?? []).flatMap((url) => expandValueSet(db, url, parameter, depth + 1));
  if (!inc.system) return imported;
  const own: ExpansionMember[] = inc.concept?.length ? inc.concept.map((c) => ({ system: inc.system!, code: c.code })) : [{ system: inc.system }];
  // A system restricted by imported value sets is their intersection; rare, and kept simple here.
  return inc.valueSet?.length ? imported.filter((m) => m.system === inc.system) : own;
}
