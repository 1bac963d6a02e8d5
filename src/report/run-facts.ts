/**
 * The facts a reader signs against, taken from results.json: what the SUT is and where it was
 * reached, what it claims and how that was decided, the data used, what the run wrote into it, the
 * rule sets applied, and the hash of the results file.
 */
import { createHash } from 'node:crypto';
import type { RunResults, WriteRecord } from '../engine/results.js';

export interface RunFacts {
  /** Where the run reached the SUT, in words. */
  where: string;
  /** `Acme FHIR 4.2.1 (FHIR 4.0.1)`, from the SUT's CapabilityStatement. */
  software?: string;
  assumption?: string;
  claimed: string[];
  notClaimed: string[];
  /** `sha256:` and the hex digest of results.json as written. */
  resultsHash: string;
  ruleSets: string[];
  dataSets: { suite: string; kind: string; description: string }[];
  writes?: { total: number; summary: string; leftBehind: number };
}

export function resultsHash(resultsText: string): string {
  return `sha256:${createHash('sha256').update(resultsText).digest('hex')}`;
}

function where(results: RunResults): string {
  const clientSuites = results.suites.filter((s) => s.role === 'client').length;
  const { baseUrl, simulated } = results.sut;
  if (simulated) {
    return baseUrl ? `${baseUrl} · reference simulators` : 'the bundled reference simulators stood in for the SUT (each suite against its reference simulator, targets listed with the tests)';
  }
  const asClient = clientSuites ? `as a client it called the harness's simulators (${clientSuites} suite${clientSuites === 1 ? '' : 's'}, targets listed with the tests)` : '';
  if (baseUrl) return asClient ? `${baseUrl} · ${asClient}` : baseUrl;
  return asClient || 'no base URL';
}

const CLEANUP_ORDER: WriteRecord['cleanup'][] = ['deleted', 'restored', 'kept', 'not-removed'];

function writesSummary(writes: readonly WriteRecord[]): RunFacts['writes'] {
  const parts = CLEANUP_ORDER.map((c) => [c, writes.filter((w) => w.cleanup === c).length] as const)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${n} ${c.replace('-', ' ')}`);
  const total = writes.length;
  const summary = total === 0 ? 'nothing written into the SUT' : `${total} resource${total === 1 ? '' : 's'} written: ${parts.join(', ')}`;
  return { total, summary, leftBehind: writes.filter((w) => w.cleanup === 'kept' || w.cleanup === 'not-removed').length };
}

export function runFacts(results: RunResults, resultsText: string): RunFacts {
  const sw = results.sut.software;
  const software = sw && (sw.name || sw.version) ? [sw.name, sw.version].filter(Boolean).join(' ') + (sw.fhirVersion ? ` (FHIR ${sw.fhirVersion})` : '') : undefined;
  const decisions = results.applicability ?? [];
  const label = (d: (typeof decisions)[number]) => `${d.name} (${d.source.replace(/-/g, ' ')})`;
  return {
    where: where(results),
    ...(software ? { software } : {}),
    ...(results.sut.assumption ? { assumption: results.sut.assumption } : {}),
    claimed: decisions.filter((d) => d.claimed).map(label),
    notClaimed: decisions.filter((d) => !d.claimed).map(label),
    resultsHash: resultsHash(resultsText),
    ruleSets: (results.ruleSets ?? []).map((r) => `${r.ig}: ${r.ruleSet} (${r.reason})`),
    dataSets: results.suites.flatMap((s) => (s.dataSet ? [{ suite: s.title, kind: s.dataSet.kind, description: s.dataSet.description }] : [])),
    ...(results.writes ? { writes: writesSummary(results.writes) } : {}),
  };
}
