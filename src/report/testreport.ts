import type { TestReport, TestReportParticipant, TestReportSetupActionAssert, TestReportTest, TestReportTestAction } from 'fhir/r4.js';
import type { RunResults, SuiteResult, TestResult, Verdict } from '../engine/results.js';
import { evidenceSummary, exchangeLine } from './evidence-summary.js';
import { slug } from './format.js';
import type { ReportFormat } from './report-format.js';

type AssertResult = TestReportSetupActionAssert['result'];

export interface SuiteTestReport {
  suite: string;
  /** File name under testreport/, e.g. `saner-query-measure-measure-source.json`. */
  fileName: string;
  resource: TestReport;
}

/** What a failed assertion means inside a test with this verdict: a SHOULD miss is a warning, not a failure. */
const FAILED_ASSERT: Record<Verdict, AssertResult> = { pass: 'fail', fail: 'fail', warning: 'warning', error: 'error', skip: 'fail', manual: 'fail' };
// R4 has no code for "needs a person": a manual test is reported as skipped with the reason.
const VERDICT_ASSERT: Record<Verdict, AssertResult> = { pass: 'pass', fail: 'fail', warning: 'warning', error: 'error', skip: 'skip', manual: 'skip' };

/** A FHIR id: [A-Za-z0-9-.]{1,64}. */
function fhirId(id: string): string {
  return slug(id).replace(/_/g, '-').slice(0, 64).replace(/-+$/, '') || 'suite';
}

function actions(t: TestResult): TestReportTestAction[] {
  const out: TestReportTestAction[] = [];
  for (const e of t.evidence) {
    if (e.kind !== 'http') continue;
    out.push({ operation: { result: e.exchange.error && e.exchange.status === undefined ? 'error' : 'pass', message: exchangeLine(e.exchange) } });
  }
  for (const a of t.assertions) out.push({ assert: { result: a.passed ? 'pass' : FAILED_ASSERT[t.verdict], message: a.message } });
  // The verdict itself is an assert when the assertions do not already explain it.
  const explained = t.assertions.length > 0 && (t.verdict === 'pass' || t.verdict === 'fail' || t.verdict === 'warning');
  if (!explained) {
    const message = t.verdict === 'manual' ? `manual: ${t.reason ?? "needs a person's attestation"}` : (t.reason ?? t.verdict);
    const detail = evidenceSummary(t);
    out.push({ assert: { result: VERDICT_ASSERT[t.verdict], message, ...(detail ? { detail } : {}) } });
  }
  return out;
}

function participants(results: RunResults, suite: SuiteResult | undefined): TestReportParticipant[] {
  const harness: TestReportParticipant = {
    type: 'test-engine',
    uri: `urn:${slug(results.harness.name)}:${slug(results.harness.version)}`,
    display: `${results.harness.name} ${results.harness.version}`,
  };
  const sutUri = results.sut.baseUrl ?? `urn:sut:${slug(results.sut.name)}`;
  if (suite?.role === 'client') {
    // The SUT is the client; the server it talked to is the harness's simulator.
    return [harness, { type: 'client', uri: sutUri, display: results.sut.name }, { type: 'server', uri: suite.target, display: 'measure-conformance simulator' }];
  }
  return [harness, { type: 'server', uri: suite?.target || sutUri, display: results.sut.name }];
}

function reportFor(results: RunResults, id: string, suite: SuiteResult | undefined, tests: TestResult[]): TestReport {
  const has = (v: Verdict) => tests.some((t) => t.verdict === v);
  const stopped = results.interrupted && tests.length < (suite?.testIds.length ?? tests.length);
  const result: TestReport['result'] = has('fail') || has('error') ? 'fail' : has('manual') || stopped ? 'pending' : 'pass';
  const scored = tests.filter((t) => t.verdict !== 'skip');
  const entries: TestReportTest[] = tests.map((t) => ({
    name: t.title,
    description: [`${t.id}: ${t.verdict}`, t.requirements.length ? `requirements ${t.requirements.join(', ')}` : ''].filter(Boolean).join('; '),
    action: actions(t),
  }));
  return {
    resourceType: 'TestReport',
    id: fhirId(id),
    identifier: { system: 'urn:measure-conformance:suite', value: id },
    name: suite?.title ?? id,
    status: stopped ? 'stopped' : 'completed',
    testScript: { display: suite ? `${suite.title} (${id})` : id },
    result,
    ...(scored.length ? { score: Math.round((scored.filter((t) => t.verdict === 'pass').length * 10000) / scored.length) / 100 } : {}),
    tester: `${results.harness.name} ${results.harness.version}`,
    issued: results.finishedAt,
    participant: participants(results, suite),
    ...(entries.length ? { test: entries } : {}),
  };
}

/** One R4 TestReport per suite. Score is the percent of non-skipped tests that passed. */
export function toTestReports(results: RunResults): SuiteTestReport[] {
  const ids = [...results.suites.map((s) => s.id), ...results.tests.map((t) => t.suite)].filter((id, i, all) => all.indexOf(id) === i);
  const used = new Set<string>();
  return ids.map((id) => {
    const resource = reportFor(
      results,
      id,
      results.suites.find((s) => s.id === id),
      results.tests.filter((t) => t.suite === id),
    );
    let base = resource.id!;
    for (let n = 2; used.has(base); n++) base = `${resource.id!.slice(0, 60)}-${n}`;
    used.add(base);
    resource.id = base;
    return { suite: id, fileName: `${base}.json`, resource };
  });
}

export const testReportFormat: ReportFormat = {
  name: 'testreport',
  description: 'testreport/<suite>.json: one FHIR R4 TestReport per suite',
  render: (results) => toTestReports(results).map((r) => ({ path: `testreport/${r.fileName}`, content: `${JSON.stringify(r.resource, null, 2)}\n` })),
};
