import type { Evidence, Expectation, RequirementResult, RequirementVerdict, RunResults, TestResult } from '../engine/results.js';
import { attentionItems } from './attention.js';
import { compareRuns, hasChanges, type VerdictChange } from './compare.js';
import { capabilityCoverage, capabilityLabel, requirementsWithoutCapability, type Share } from './coverage.js';
import { encodePack, packEvidence, type EvidenceGroup } from './evidence-pack.js';
import { elapsedMs, EXPECTATIONS, formatDuration, formatInstant, REQUIREMENT_VERDICTS, slug, verdictLabel, VERDICTS } from './format.js';
import { readinessRows, type ReadinessRow, type ReadinessStatus } from './readiness.js';
import type { ReportContext } from './report-format.js';
import { serializeResults } from './results-file.js';
import { runFacts, type RunFacts } from './run-facts.js';

/** What the handlebars template reads: every string already decided, so the template only lays it out. */
export interface HtmlModel {
  title: string;
  harness: string;
  sut: { name: string; baseUrl?: string; simulated: boolean };
  facts: RunFacts;
  runDate: string;
  finishedAt: string;
  duration: string;
  interrupted: boolean;
  overall: { verdict: string; label: string };
  testCounts: CountCell[];
  requirementCounts: CountCell[];
  totalTests: number;
  totalRequirements: number;
  readiness: ReadinessRowView[];
  attention: AttentionView[];
  changes?: ChangesView;
  applicability: { kind: string; name: string; claimed: string; source: string; reason: string; greyed: boolean }[];
  writes: { type: string; id: string; by: string; interaction: string; cleanup: string; note?: string; leftBehind: boolean }[];
  capabilities: CapabilityView[];
  otherRequirements: RequirementGroupView[];
  otherRequirementCount: number;
  suites: SuiteView[];
  filters: { verdicts: FilterOption[]; expectations: FilterOption[] };
  /** gzip + base64 of the evidence pack; empty when the run holds no HTTP exchange. */
  evidencePack: string;
}

interface CountCell {
  verdict: string;
  label: string;
  count: number;
}
interface FilterOption {
  value: string;
  label: string;
}
interface ShareView {
  passed: number;
  total: number;
  text: string;
  width: number;
  empty: boolean;
}

interface ReadinessRowView {
  name: string;
  kind: string;
  status: ReadinessStatus;
  greyed: boolean;
  verdict: string;
  detail?: string;
  decision?: string;
  shall: ShareView;
  should: ShareView;
  json: FormatCell[];
  xml: FormatCell[];
  anchor?: string;
}

interface FormatCell {
  label: string;
  verdict: string;
  text: string;
}

interface AttentionView {
  id: string;
  expectation: Expectation;
  verdict: RequirementVerdict;
  label: string;
  statement: string;
  reason: string;
  anchor?: string;
}

interface ChangesView {
  previous: string;
  note?: string;
  newFailures: ChangeView[];
  fixes: ChangeView[];
  changed: ChangeView[];
  none: boolean;
}

interface ChangeView {
  id: string;
  expectation: Expectation;
  statement: string;
  before: string;
  beforeLabel: string;
  after: string;
  afterLabel: string;
  reason?: string;
}

interface CapabilityView {
  anchor: string;
  url: string;
  title: string;
  shall: ShareView;
  should: ShareView;
  /** `not claimed` or `not in this run`, shown instead of shares, greyed. */
  standing?: string;
  standingReason?: string;
  groups: RequirementGroupView[];
  requirementCount: number;
}

interface RequirementGroupView {
  label: string;
  rows: RequirementRowView[];
}

interface RequirementRowView {
  id: string;
  expectation: Expectation;
  statement: string;
  source: string;
  element?: string;
  verdict: RequirementVerdict;
  label: string;
  notTestedReason?: string;
  tests: { anchor?: string; title: string; verdict: string; label: string }[];
}

interface SuiteView {
  anchor: string;
  id: string;
  title: string;
  actorUnderTest: string;
  role: string;
  target: string;
  duration: string;
  dataSet?: string;
  stopped?: string;
  setupExchanges: number;
  setupNotes: string[];
  counts: CountCell[];
  tests: TestView[];
}

interface TestView {
  anchor: string;
  id: string;
  title: string;
  verdict: string;
  label: string;
  requirements: string[];
  duration: string;
  reason?: string;
  negativeControl?: string;
  assertions: { passed: boolean; mark: string; message: string; decides?: string }[];
  exchangeCount: number;
  validations: { subject: string; issues: { severity: string; code: string; expression?: string; message: string; rule?: string }[] }[];
  notes: string[];
  attestations: { requirement: string; question: string; answer: string; by: string; note?: string }[];
}

const GROUPS: [RegExp, string][] = [
  [/interaction/i, 'Interactions'],
  [/searchparam|search-param/i, 'Search parameters'],
  [/operation/i, 'Operations'],
  [/format|mimetype/i, 'Formats'],
  [/profile/i, 'Profiles'],
];
const GROUP_ORDER = [...GROUPS.map(([, label]) => label), 'Other elements', 'General'];

/** Failing and manual first, wherever requirements or tests are listed for an engineer. */
const FIRST: Record<RequirementVerdict, number> = { fail: 0, error: 1, warning: 2, manual: 3, pass: 4, skip: 5, 'not-tested': 6 };
const problemsFirst = <T extends { verdict: RequirementVerdict }>(items: readonly T[]): T[] =>
  items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => FIRST[a.item.verdict] - FIRST[b.item.verdict] || a.i - b.i)
    .map(({ item }) => item);

/** The section of a CapabilityStatement an element belongs to, e.g. `MeasureReport.searchParam[date]` -> Search parameters. */
export function elementGroup(element: string | undefined): string {
  if (!element) return 'General';
  // The bracketed name (`[_format]`) must not decide the group; the element path does.
  const path = element.replace(/\[[^\]]*\]/g, '');
  return GROUPS.find(([re]) => re.test(path))?.[1] ?? 'Other elements';
}

function shareView(s: Share): ShareView {
  return {
    passed: s.passed,
    total: s.total,
    text: s.percent === null ? '—' : `${s.passed} / ${s.total} (${s.percent} %)`,
    width: s.percent ?? 0,
    empty: s.percent === null,
  };
}

function counts<V extends RequirementVerdict>(verdicts: readonly V[], items: { verdict: V }[]): CountCell[] {
  return verdicts.map((verdict) => ({ verdict, label: verdictLabel(verdict), count: items.filter((i) => i.verdict === verdict).length }));
}

function anchors(tests: TestResult[]): Map<string, string> {
  const used = new Set<string>();
  const byId = new Map<string, string>();
  for (const t of tests) {
    let anchor = `test-${slug(t.id)}`;
    for (let n = 2; used.has(anchor); n++) anchor = `test-${slug(t.id)}-${n}`;
    used.add(anchor);
    byId.set(t.id, anchor);
  }
  return byId;
}

const pick = <K extends Evidence['kind']>(evidence: readonly Evidence[], kind: K) => evidence.filter((e): e is Extract<Evidence, { kind: K }> => e.kind === kind);

function testView(t: TestResult, anchor: string, exchangeCount: number): TestView {
  return {
    anchor,
    id: t.id,
    title: t.title,
    verdict: t.verdict,
    label: verdictLabel(t.verdict),
    requirements: t.requirements,
    duration: formatDuration(t.durationMs),
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.negativeControl ? { negativeControl: t.negativeControl } : {}),
    assertions: t.assertions.map((a) => {
      // Which requirements a check decides matters only when the test cites more than one.
      const decides = a.requirements ?? (a.requirement ? [a.requirement] : []);
      return { passed: a.passed, mark: a.passed ? '✓' : '✗', message: a.message, ...(t.requirements.length > 1 && decides.length ? { decides: decides.join(', ') } : {}) };
    }),
    exchangeCount,
    validations: pick(t.evidence, 'validation').map((e) => ({
      subject: e.subject,
      issues: e.issues.map((i) => ({
        severity: i.severity,
        code: i.code,
        message: i.message,
        ...(i.expression ? { expression: i.expression } : {}),
        ...(i.rule ? { rule: i.rule } : {}),
      })),
    })),
    notes: pick(t.evidence, 'note').map((e) => e.text),
    attestations: pick(t.evidence, 'attestation').map((e) => ({
      requirement: e.requirement,
      question: e.question,
      answer: e.attested ? 'yes' : 'no',
      by: e.by,
      ...(e.note ? { note: e.note } : {}),
    })),
  };
}

function requirementRow(r: RequirementResult, tests: Map<string, TestResult>, anchorOf: Map<string, string>): RequirementRowView {
  return {
    id: r.id,
    expectation: r.expectation,
    statement: r.statement,
    source: r.source,
    ...(r.element ? { element: r.element } : {}),
    verdict: r.verdict,
    label: verdictLabel(r.verdict),
    ...(r.notTestedReason && r.verdict === 'not-tested' ? { notTestedReason: r.notTestedReason } : {}),
    tests: r.tests.map((id) => {
      const t = tests.get(id);
      const anchor = anchorOf.get(id);
      return t && anchor ? { anchor, title: t.title, verdict: t.verdict, label: verdictLabel(t.verdict) } : { title: `${id} (not run)`, verdict: 'not-tested', label: verdictLabel('not-tested') };
    }),
  };
}

function grouped(requirements: RequirementResult[], row: (r: RequirementResult) => RequirementRowView): RequirementGroupView[] {
  const byGroup = new Map<string, RequirementRowView[]>();
  for (const r of problemsFirst(requirements)) {
    const label = elementGroup(r.element);
    byGroup.set(label, [...(byGroup.get(label) ?? []), row(r)]);
  }
  return GROUP_ORDER.filter((label) => byGroup.has(label)).map((label) => ({ label, rows: byGroup.get(label)! }));
}

function formatCells(row: ReadinessRow, format: 'json' | 'xml'): FormatCell[] {
  // One transaction needs no label; several are told apart by their statement's short name.
  const labelled = row.formats.filter((f) => f[format] !== undefined);
  return labelled.map((f) => ({
    label: labelled.length > 1 ? f.label : '',
    verdict: f[format]!,
    text: verdictLabel(f[format]!),
  }));
}

function readinessView(row: ReadinessRow, capabilityAnchor: Map<string, string>): ReadinessRowView {
  const greyed = row.status === 'not-claimed' || row.status === 'not-run';
  const anchor = row.capabilities.map((c) => capabilityAnchor.get(c)).find(Boolean);
  return {
    name: row.name,
    // Rows that follow CapabilityStatements (no applicability recorded) need no kind label.
    kind: row.kind === 'capability' ? '' : row.kind,
    status: row.status,
    greyed,
    verdict: row.verdict,
    ...(row.detail && row.status !== 'not-claimed' ? { detail: row.detail } : {}),
    ...(row.decision ? { decision: `${row.decision.claimed ? 'claimed' : 'not claimed'}, from ${row.decision.source.replace(/-/g, ' ')}: ${row.decision.reason}` } : {}),
    shall: shareView(row.shall),
    should: shareView(row.should),
    json: formatCells(row, 'json'),
    xml: formatCells(row, 'xml'),
    ...(anchor ? { anchor } : {}),
  };
}

function changeView(c: VerdictChange): ChangeView {
  const label = (v: VerdictChange['before']) => (v === 'absent' ? 'Not listed' : verdictLabel(v));
  return {
    id: c.id,
    expectation: c.expectation,
    statement: c.statement,
    before: c.before,
    beforeLabel: label(c.before),
    after: c.after,
    afterLabel: label(c.after),
    ...(c.reason ? { reason: c.reason } : {}),
  };
}

function changesView(results: RunResults, context: ReportContext): ChangesView | undefined {
  const previous = context.previous;
  if (!previous) return undefined;
  if ('error' in previous) {
    return { previous: previous.source, note: `No comparison: ${previous.error}`, newFailures: [], fixes: [], changed: [], none: false };
  }
  const comparison = compareRuns(previous.results, results);
  const p = comparison.previous;
  return {
    previous: `${p.sut}, run of ${formatInstant(p.startedAt)} (${verdictLabel(p.overall)}, ${p.harness})`,
    newFailures: comparison.newFailures.map(changeView),
    fixes: comparison.fixes.map(changeView),
    changed: comparison.changed.map(changeView),
    none: !hasChanges(comparison),
  };
}

export function buildHtmlModel(results: RunResults, context: ReportContext = { resultsText: serializeResults(results) }): HtmlModel {
  const testsById = new Map(results.tests.map((t) => [t.id, t]));
  const anchorOf = anchors(results.tests);
  const row = (r: RequirementResult) => requirementRow(r, testsById, anchorOf);
  const readiness = readinessRows(results);
  // A CapabilityStatement is greyed only when no row the run tested covers it.
  const untested = (r: ReadinessRow) => r.status === 'not-claimed' || r.status === 'not-run';
  const tested = new Set(readiness.filter((r) => !untested(r)).flatMap((r) => r.capabilities));
  const standing = new Map<string, ReadinessRow>();
  for (const r of readiness) for (const c of r.capabilities) if (untested(r) && !tested.has(c)) standing.set(c, r);

  const capabilityAnchor = new Map<string, string>();
  const usedCapabilityAnchors = new Set<string>();
  const capabilities: CapabilityView[] = capabilityCoverage(results).map((c, i) => {
    let anchor = `cap-${slug(capabilityLabel(c.url))}`;
    if (usedCapabilityAnchors.has(anchor)) anchor = `${anchor}-${i + 1}`;
    usedCapabilityAnchors.add(anchor);
    capabilityAnchor.set(c.url, anchor);
    const greyed = standing.get(c.url);
    return {
      anchor,
      url: c.url,
      title: c.title,
      shall: shareView(c.shall),
      should: shareView(c.should),
      ...(greyed ? { standing: greyed.verdict, ...(greyed.status === 'not-claimed' && greyed.detail ? { standingReason: greyed.detail } : {}) } : {}),
      groups: grouped(c.requirements, row),
      requirementCount: c.requirements.length,
    };
  });

  const groups: EvidenceGroup[] = [];
  const others = requirementsWithoutCapability(results);
  const known = new Set(results.suites.map((s) => s.id));
  const suiteViews = results.suites.map((s) => ({ suite: s, tests: results.tests.filter((t) => t.suite === s.id) }));
  // Tests whose suite is missing from `suites` still get shown, so no evidence is silently dropped.
  const orphans = results.tests.filter((t) => !known.has(t.suite));
  const suites: SuiteView[] = [];
  const exchangeCount = (evidence: readonly Evidence[], key: string) => {
    groups.push({ key, evidence });
    return evidence.filter((e) => e.kind === 'http').length;
  };
  for (const { suite: s, tests } of suiteViews) {
    const anchor = `suite-${slug(s.id)}`;
    suites.push({
      anchor,
      id: s.id,
      title: s.title,
      actorUnderTest: s.actorUnderTest,
      role: s.role === 'server' ? 'server (driven directly)' : 'client (talks to a simulator)',
      target: s.target,
      duration: formatDuration(s.durationMs),
      ...(s.dataSet ? { dataSet: `${s.dataSet.kind}: ${s.dataSet.description}` } : {}),
      ...(s.stopped ? { stopped: s.stopped } : {}),
      setupExchanges: exchangeCount(s.setupEvidence ?? [], `setup-${anchor}`),
      setupNotes: pick(s.setupEvidence ?? [], 'note').map((e) => e.text),
      counts: counts(VERDICTS, tests).filter((c) => c.count > 0),
      tests: problemsFirst(tests).map((t) => testView(t, anchorOf.get(t.id)!, exchangeCount(t.evidence, anchorOf.get(t.id)!))),
    });
  }
  if (orphans.length > 0) {
    suites.push({
      anchor: 'suite-unlisted',
      id: '',
      title: 'Tests of unlisted suites',
      actorUnderTest: '—',
      role: '—',
      target: '—',
      duration: '—',
      setupExchanges: 0,
      setupNotes: [],
      counts: counts(VERDICTS, orphans).filter((c) => c.count > 0),
      tests: problemsFirst(orphans).map((t) => testView(t, anchorOf.get(t.id)!, exchangeCount(t.evidence, anchorOf.get(t.id)!))),
    });
  }
  const pack = packEvidence(groups);
  const overallLabel = results.interrupted ? `${verdictLabel(results.overall)} (interrupted)` : verdictLabel(results.overall);
  const changes = changesView(results, context);
  return {
    title: `Conformance report: ${results.sut.name}`,
    harness: `${results.harness.name} ${results.harness.version}`,
    sut: results.sut,
    facts: runFacts(results, context.resultsText),
    runDate: formatInstant(results.startedAt),
    finishedAt: formatInstant(results.finishedAt),
    duration: formatDuration(elapsedMs(results.startedAt, results.finishedAt)),
    interrupted: results.interrupted,
    overall: { verdict: results.overall, label: overallLabel },
    testCounts: VERDICTS.map((v) => ({ verdict: v, label: verdictLabel(v), count: results.counts[v] ?? 0 })),
    requirementCounts: counts(REQUIREMENT_VERDICTS, results.requirements),
    totalTests: results.tests.length,
    totalRequirements: results.requirements.length,
    readiness: readiness.map((r) => readinessView(r, capabilityAnchor)),
    attention: attentionItems(results).map((a) => ({
      id: a.requirement.id,
      expectation: a.requirement.expectation,
      verdict: a.requirement.verdict,
      label: verdictLabel(a.requirement.verdict),
      statement: a.requirement.statement,
      reason: a.reason,
      ...(a.test && anchorOf.get(a.test.id) ? { anchor: anchorOf.get(a.test.id)! } : {}),
    })),
    ...(changes ? { changes } : {}),
    applicability: (results.applicability ?? []).map((d) => ({
      kind: d.kind,
      name: d.name,
      claimed: d.claimed ? 'claimed' : 'not claimed',
      source: d.source.replace(/-/g, ' '),
      reason: d.reason,
      greyed: !d.claimed,
    })),
    writes: (results.writes ?? []).map((w) => ({ ...w, leftBehind: w.cleanup === 'kept' || w.cleanup === 'not-removed' })),
    capabilities,
    otherRequirements: grouped(others, row),
    otherRequirementCount: others.length,
    suites,
    filters: {
      verdicts: REQUIREMENT_VERDICTS.map((v) => ({ value: v, label: verdictLabel(v) })),
      expectations: EXPECTATIONS.map((e) => ({ value: e, label: e })),
    },
    evidencePack: pack.exchanges.length ? encodePack(pack) : '',
  };
}
