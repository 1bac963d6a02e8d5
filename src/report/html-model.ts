import type { Evidence, Expectation, HttpExchange, RequirementResult, RequirementVerdict, RunResults, TestResult } from '../engine/results.js';
import { capabilityCoverage, requirementsWithoutCapability, type Share } from './coverage.js';
import { elapsedMs, EXPECTATIONS, formatDuration, formatInstant, REQUIREMENT_VERDICTS, slug, verdictLabel, VERDICTS } from './format.js';
import { headerLines, prettyBody, type PrettyBody } from './pretty.js';

/** What the handlebars template reads: every string already decided, so the template only lays it out. */
export interface HtmlModel {
  title: string;
  harness: string;
  sut: { name: string; baseUrl?: string; simulated: boolean };
  runDate: string;
  finishedAt: string;
  duration: string;
  interrupted: boolean;
  overall: { verdict: string; label: string };
  testCounts: CountCell[];
  requirementCounts: CountCell[];
  totalTests: number;
  totalRequirements: number;
  capabilities: CapabilityView[];
  otherRequirements: RequirementGroupView[];
  otherRequirementCount: number;
  suites: SuiteView[];
  filters: { verdicts: FilterOption[]; expectations: FilterOption[] };
}

interface CountCell { verdict: string; label: string; count: number }
interface FilterOption { value: string; label: string }
interface ShareView { passed: number; total: number; text: string; width: number; empty: boolean }

interface CapabilityView {
  anchor: string;
  url: string;
  title: string;
  shall: ShareView;
  should: ShareView;
  groups: RequirementGroupView[];
  requirementCount: number;
}

interface RequirementGroupView { label: string; rows: RequirementRowView[] }

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
  assertions: { passed: boolean; mark: string; message: string }[];
  exchanges: ExchangeView[];
  validations: { subject: string; issues: { severity: string; code: string; expression?: string; message: string; rule?: string }[] }[];
  notes: string[];
  attestations: { requirement: string; question: string; answer: string; by: string; note?: string }[];
}

interface ExchangeView {
  direction: string;
  method: string;
  url: string;
  status: string;
  statusClass: string;
  timing: string;
  error?: string;
  requestHeaders: string;
  requestBody?: PrettyBody;
  responseHeaders: string;
  responseBody?: PrettyBody;
}

const GROUPS: [RegExp, string][] = [
  [/interaction/i, 'Interactions'],
  [/searchparam|search-param/i, 'Search parameters'],
  [/operation/i, 'Operations'],
  [/format|mimetype/i, 'Formats'],
  [/profile/i, 'Profiles'],
];
const GROUP_ORDER = [...GROUPS.map(([, label]) => label), 'Other elements', 'General'];

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
    text: s.percent === null ? 'none' : `${s.passed} / ${s.total} (${s.percent} %)`,
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

function exchangeView(x: HttpExchange): ExchangeView {
  const status = x.status === undefined ? (x.error ? 'no response' : '—') : String(x.status);
  const statusClass = x.status === undefined ? 'bad' : x.status < 300 ? 'ok' : x.status < 400 ? 'info' : 'bad';
  return {
    direction: x.direction === 'inbound' ? 'received by the simulator' : 'sent by the harness',
    method: x.method,
    url: x.url,
    status,
    statusClass,
    timing: [formatInstant(x.startedAt), x.durationMs === undefined ? '' : formatDuration(x.durationMs)].filter(Boolean).join(' · '),
    ...(x.error ? { error: x.error } : {}),
    requestHeaders: headerLines(x.requestHeaders),
    ...(x.requestBody ? { requestBody: prettyBody(x.requestBody, x.requestHeaders['content-type']) } : {}),
    responseHeaders: headerLines(x.responseHeaders),
    ...(x.responseBody ? { responseBody: prettyBody(x.responseBody, x.responseHeaders?.['content-type']) } : {}),
  };
}

function testView(t: TestResult, anchor: string): TestView {
  const pick = <K extends Evidence['kind']>(kind: K) => t.evidence.filter((e): e is Extract<Evidence, { kind: K }> => e.kind === kind);
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
    assertions: t.assertions.map((a) => ({ passed: a.passed, mark: a.passed ? '✓' : '✗', message: a.message })),
    exchanges: pick('http').map((e) => exchangeView(e.exchange)),
    validations: pick('validation').map((e) => ({
      subject: e.subject,
      issues: e.issues.map((i) => ({
        severity: i.severity,
        code: i.code,
        message: i.message,
        ...(i.expression ? { expression: i.expression } : {}),
        ...(i.rule ? { rule: i.rule } : {}),
      })),
    })),
    notes: pick('note').map((e) => e.text),
    attestations: pick('attestation').map((e) => ({
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
    ...(r.notTestedReason ? { notTestedReason: r.notTestedReason } : {}),
    tests: r.tests.map((id) => {
      const t = tests.get(id);
      const anchor = anchorOf.get(id);
      return t && anchor
        ? { anchor, title: t.title, verdict: t.verdict, label: verdictLabel(t.verdict) }
        : { title: `${id} (not run)`, verdict: 'not-tested', label: verdictLabel('not-tested') };
    }),
  };
}

function grouped(requirements: RequirementResult[], row: (r: RequirementResult) => RequirementRowView): RequirementGroupView[] {
  const byGroup = new Map<string, RequirementRowView[]>();
  for (const r of requirements) {
    const label = elementGroup(r.element);
    byGroup.set(label, [...(byGroup.get(label) ?? []), row(r)]);
  }
  return GROUP_ORDER.filter((label) => byGroup.has(label)).map((label) => ({ label, rows: byGroup.get(label)! }));
}

export function buildHtmlModel(results: RunResults): HtmlModel {
  const testsById = new Map(results.tests.map((t) => [t.id, t]));
  const anchorOf = anchors(results.tests);
  const row = (r: RequirementResult) => requirementRow(r, testsById, anchorOf);
  const usedCapabilityAnchors = new Set<string>();
  const capabilities = capabilityCoverage(results).map((c, i) => {
    let anchor = `cap-${slug(c.title)}`;
    if (usedCapabilityAnchors.has(anchor)) anchor = `${anchor}-${i + 1}`;
    usedCapabilityAnchors.add(anchor);
    return { anchor, url: c.url, title: c.title, shall: shareView(c.shall), should: shareView(c.should), groups: grouped(c.requirements, row), requirementCount: c.requirements.length };
  });
  const others = requirementsWithoutCapability(results);
  const suites = results.suites.map((s) => {
    const tests = results.tests.filter((t) => t.suite === s.id);
    return {
      anchor: `suite-${slug(s.id)}`,
      id: s.id,
      title: s.title,
      actorUnderTest: s.actorUnderTest,
      role: s.role === 'server' ? 'server (driven directly)' : 'client (talks to a simulator)',
      target: s.target,
      duration: formatDuration(s.durationMs),
      counts: counts(VERDICTS, tests).filter((c) => c.count > 0),
      tests: tests.map((t) => testView(t, anchorOf.get(t.id)!)),
    };
  });
  // Tests whose suite is missing from `suites` still get shown, so no evidence is silently dropped.
  const known = new Set(results.suites.map((s) => s.id));
  const orphans = results.tests.filter((t) => !known.has(t.suite));
  if (orphans.length > 0) {
    suites.push({
      anchor: 'suite-unlisted', id: '', title: 'Tests of unlisted suites', actorUnderTest: '—', role: '—', target: '—', duration: '—',
      counts: counts(VERDICTS, orphans).filter((c) => c.count > 0),
      tests: orphans.map((t) => testView(t, anchorOf.get(t.id)!)),
    });
  }
  const overallLabel = results.interrupted ? `${verdictLabel(results.overall)} (interrupted)` : verdictLabel(results.overall);
  return {
    title: `Conformance report: ${results.sut.name}`,
    harness: `${results.harness.name} ${results.harness.version}`,
    sut: results.sut,
    runDate: formatInstant(results.startedAt),
    finishedAt: formatInstant(results.finishedAt),
    duration: formatDuration(elapsedMs(results.startedAt, results.finishedAt)),
    interrupted: results.interrupted,
    overall: { verdict: results.overall, label: overallLabel },
    testCounts: VERDICTS.map((v) => ({ verdict: v, label: verdictLabel(v), count: results.counts[v] ?? 0 })),
    requirementCounts: counts(REQUIREMENT_VERDICTS, results.requirements),
    totalTests: results.tests.length,
    totalRequirements: results.requirements.length,
    capabilities,
    otherRequirements: grouped(others, row),
    otherRequirementCount: others.length,
    suites,
    filters: {
      verdicts: REQUIREMENT_VERDICTS.map((v) => ({ value: v, label: verdictLabel(v) })),
      expectations: EXPECTATIONS.map((e) => ({ value: e, label: e })),
    },
  };
}
