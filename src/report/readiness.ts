/**
 * The readiness matrix: one row per actor and option the run decided on (claimed or not), with
 * SHALL/SHOULD shares, the JSON and XML verdict of each transaction, and a one-line verdict a
 * program manager can sign. Built from results.json alone, so the HTML, the Markdown step summary
 * and any later re-render agree.
 */
import type { ApplicabilityDecision, RequirementResult, RequirementVerdict, RunResults } from '../engine/results.js';
import { worst } from '../engine/verdict.js';
import { capabilityCoverage, capabilityLabel, sharesOf, type Share } from './coverage.js';

export type ReadinessStatus = 'ready' | 'fail' | 'error' | 'manual' | 'skipped' | 'not-claimed' | 'not-run';

/** Per transaction (CapabilityStatement), the verdict of its `format[json]` and `format[xml]` rows. */
export interface FormatVerdicts {
  capability: string;
  label: string;
  json?: RequirementVerdict;
  xml?: RequirementVerdict;
}

export interface ReadinessRow {
  /** `capability` when the run recorded no applicability decisions and rows follow CapabilityStatements. */
  kind: ApplicabilityDecision['kind'] | 'capability' | 'general';
  name: string;
  capabilities: string[];
  suites: string[];
  status: ReadinessStatus;
  /** One line: `ready`, `2 SHALL requirements fail`, `not claimed`, `needs 3 answers from a person`. */
  verdict: string;
  /** What else a reader should know: SHOULDs not met, SHALLs not tested, why not claimed. */
  detail?: string;
  /** How applicability was decided, when the run recorded it. */
  decision?: Pick<ApplicabilityDecision, 'claimed' | 'source' | 'reason'>;
  shall: Share;
  should: Share;
  formats: FormatVerdicts[];
  requirements: RequirementResult[];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The verdict of a transaction's format rows: the worst decided one, else not-tested; undefined when it has none. */
function formatVerdict(requirements: readonly RequirementResult[], format: 'json' | 'xml'): RequirementVerdict | undefined {
  const rows = requirements.filter((r) => r.element === `format[${format}]`);
  if (rows.length === 0) return undefined;
  return worst(rows.flatMap((r) => (r.verdict === 'not-tested' ? [] : [r.verdict]))) ?? 'not-tested';
}

function formatsOf(capabilities: readonly string[], requirements: readonly RequirementResult[]): FormatVerdicts[] {
  return capabilities.flatMap((capability) => {
    const own = requirements.filter((r) => r.capability === capability);
    const json = formatVerdict(own, 'json');
    const xml = formatVerdict(own, 'xml');
    if (json === undefined && xml === undefined) return [];
    return [{ capability, label: capabilityLabel(capability), ...(json ? { json } : {}), ...(xml ? { xml } : {}) }];
  });
}

/** Status and one-line verdict of rows the run took as claimed (or could not tell). */
function judge(requirements: readonly RequirementResult[], fallback: { status: ReadinessStatus; verdict: string }): Pick<ReadinessRow, 'status' | 'verdict' | 'detail'> {
  const n = (verdict: RequirementVerdict, levels?: readonly string[]) => requirements.filter((r) => r.verdict === verdict && (!levels || levels.includes(r.expectation))).length;
  const decided = requirements.filter((r) => r.verdict !== 'not-tested');
  const untested = decided.length ? n('not-tested', ['SHALL']) : 0;
  const details = [n('warning') ? `${plural(n('warning'), 'SHOULD')} not met` : '', untested ? `${plural(untested, 'SHALL requirement')} not tested` : ''].filter(Boolean);
  const detail = details.length ? { detail: details.join(' · ') } : {};
  const failing = n('fail', ['SHALL']);
  const errored = n('error');
  if (failing) return { status: 'fail', verdict: `${plural(failing, 'SHALL requirement')} ${failing === 1 ? 'fails' : 'fail'}${errored ? `, ${errored} could not be decided` : ''}`, ...detail };
  if (errored) return { status: 'error', verdict: `${plural(errored, 'requirement')} could not be decided (error)`, ...detail };
  if (n('manual')) return { status: 'manual', verdict: `needs ${plural(n('manual'), 'answer')} from a person`, ...detail };
  if (decided.length === 0) return fallback;
  if (decided.every((r) => r.verdict === 'skip')) return { status: 'skipped', verdict: 'every test skipped', ...detail };
  // Ready only as far as the run looked: SHALL requirements it did not test are said in the verdict itself.
  if (untested)
    return { status: 'ready', verdict: `ready as tested: ${plural(untested, 'SHALL requirement')} not tested`, ...(n('warning') ? { detail: `${plural(n('warning'), 'SHOULD')} not met` } : {}) };
  return { status: 'ready', verdict: 'ready', ...detail };
}

function row(base: Pick<ReadinessRow, 'kind' | 'name' | 'capabilities' | 'suites'> & { decision?: ApplicabilityDecision }, requirements: RequirementResult[]): ReadinessRow {
  const { decision, ...rest } = base;
  const judged: Pick<ReadinessRow, 'status' | 'verdict' | 'detail'> =
    decision && !decision.claimed ? { status: 'not-claimed', verdict: 'not claimed', detail: decision.reason } : judge(requirements, { status: 'not-run', verdict: 'not in this run' });
  return {
    ...rest,
    ...judged,
    ...(decision ? { decision: { claimed: decision.claimed, source: decision.source, reason: decision.reason } } : {}),
    ...sharesOf(requirements),
    formats: formatsOf(base.capabilities, requirements),
    requirements,
  };
}

/**
 * Rows from the run's applicability decisions when it recorded them, else one per
 * CapabilityStatement; CapabilityStatements no decision names get a row of their own, and
 * requirements of no row that something decided share a last `general` row.
 */
export function readinessRows(results: RunResults): ReadinessRow[] {
  const coverage = capabilityCoverage(results);
  const titleOf = new Map(coverage.map((c) => [c.url, c.title]));
  const testsOfSuite = new Map<string, Set<string>>();
  for (const t of results.tests) (testsOfSuite.get(t.suite) ?? testsOfSuite.set(t.suite, new Set()).get(t.suite)!).add(t.id);
  const suitesCovering = (url: string) => results.suites.filter((s) => s.capabilities.includes(url)).map((s) => s.id);
  const rows: ReadinessRow[] = [];
  const placed = new Set<string>();

  for (const decision of results.applicability ?? []) {
    const ofSuites = new Set(decision.suites.flatMap((s) => [...(testsOfSuite.get(s) ?? [])]));
    // A decision naming no CapabilityStatement (e.g. the FHIR core server) owns what its suites' tests decided.
    const requirements = decision.capabilities.length
      ? results.requirements.filter((r) => r.capability !== undefined && decision.capabilities.includes(r.capability))
      : results.requirements.filter((r) => !r.capability && r.tests.some((t) => ofSuites.has(t)));
    for (const r of requirements) placed.add(r.id);
    rows.push(row({ kind: decision.kind, name: decision.name, capabilities: [...decision.capabilities], suites: [...decision.suites], decision }, requirements));
  }
  const named = new Set((results.applicability ?? []).flatMap((d) => d.capabilities));
  for (const c of coverage) {
    if (named.has(c.url)) continue;
    for (const r of c.requirements) placed.add(r.id);
    rows.push(row({ kind: 'capability', name: titleOf.get(c.url) ?? c.url, capabilities: [c.url], suites: suitesCovering(c.url) }, c.requirements));
  }
  const rest = results.requirements.filter((r) => !placed.has(r.id));
  if (rest.some((r) => r.verdict !== 'not-tested')) {
    rows.push(row({ kind: 'general', name: 'Requirements of no CapabilityStatement (FHIR core, general)', capabilities: [], suites: [] }, rest));
  }
  return ordered(rows);
}

/** Rows the run tested keep their order; those it did not test follow, and the ones not claimed come last. */
function ordered(rows: readonly ReadinessRow[]): ReadinessRow[] {
  const rank = (r: ReadinessRow) => (r.status === 'not-claimed' ? 2 : r.status === 'not-run' ? 1 : 0);
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
}
