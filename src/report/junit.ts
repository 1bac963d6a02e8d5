import type { RunResults, SuiteResult, TestResult, Verdict } from '../engine/results.js';
import { evidenceSummary } from './evidence-summary.js';
import { attrs, xmlText } from './xml-text.js';

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);
// The common JUnit schema's timestamp has no zone designator; ours are UTC.
const timestamp = (iso: string): string | undefined => (Number.isNaN(Date.parse(iso)) ? undefined : new Date(iso).toISOString().slice(0, 19));

/** The JUnit name of a test: its title followed by the requirement ids it checks, so CI lists show what broke. */
export function junitTestName(t: TestResult): string {
  return t.requirements.length ? `${t.title} [${t.requirements.join(', ')}]` : t.title;
}

function tally(tests: TestResult[]) {
  const n = (v: Verdict) => tests.filter((t) => t.verdict === v).length;
  return { tests: tests.length, failures: n('fail'), errors: n('error'), skipped: n('skip') };
}

function testcase(t: TestResult, classname: string): string {
  const props = [
    ...t.requirements.map((r) => ['requirement', r] as const),
    ['verdict', t.verdict] as const,
    ...(t.negativeControl ? [['negativeControl', t.negativeControl] as const] : []),
  ];
  const failed = t.assertions.filter((a) => !a.passed).map((a) => a.message);
  const message = t.reason ?? failed[0] ?? t.verdict;
  let outcome = '';
  // Warning and manual count as passed in CI (only SHALL failures gate), so they are told in system-out only.
  if (t.verdict === 'fail') outcome = `<failure${attrs({ message, type: 'fail' })}>${xmlText(failed.join('\n') || message)}</failure>`;
  else if (t.verdict === 'error') outcome = `<error${attrs({ message, type: 'error' })}>${xmlText(failed.join('\n') || message)}</error>`;
  else if (t.verdict === 'skip') outcome = `<skipped${attrs({ message })}/>`;
  const state =
    t.verdict === 'warning' ? `WARNING: passed with a warning (a SHOULD not met)${t.reason ? `: ${t.reason}` : ''}\n`
    : t.verdict === 'manual' ? `MANUAL: needs a person's attestation${t.reason ? `: ${t.reason}` : ''}\n`
    : '';
  const out = `${state}${evidenceSummary(t)}`;
  return [
    `    <testcase${attrs({ classname, name: junitTestName(t), time: seconds(t.durationMs) })}>`,
    `      <properties>${props.map(([name, value]) => `<property${attrs({ name, value })}/>`).join('')}</properties>`,
    ...(outcome ? [`      ${outcome}`] : []),
    ...(out ? [`      <system-out>${xmlText(out)}</system-out>`] : []),
    '    </testcase>',
  ].join('\n');
}

function testsuite(id: string, suite: SuiteResult | undefined, tests: TestResult[], index: number): string {
  const t = tally(tests);
  const duration = suite?.durationMs ?? tests.reduce((sum, x) => sum + x.durationMs, 0);
  const props = suite
    ? [['title', suite.title], ['actorUnderTest', suite.actorUnderTest], ['role', suite.role], ['target', suite.target], ...suite.capabilities.map((c) => ['capability', c])]
    : [];
  return [
    `  <testsuite${attrs({ name: id, id: index, tests: t.tests, failures: t.failures, errors: t.errors, skipped: t.skipped, time: seconds(duration), timestamp: timestamp(suite?.startedAt ?? tests[0]?.startedAt ?? '') })}>`,
    ...(props.length ? [`    <properties>${props.map(([name, value]) => `<property${attrs({ name, value })}/>`).join('')}</properties>`] : []),
    ...tests.map((x) => testcase(x, id)),
    '  </testsuite>',
  ].join('\n');
}

/** JUnit XML for CI: one testsuite per suite, one testcase per test. */
export function renderJunit(results: RunResults): string {
  const ids = [...results.suites.map((s) => s.id), ...results.tests.map((t) => t.suite)].filter((id, i, all) => all.indexOf(id) === i);
  const suites = ids.map((id, i) => testsuite(id, results.suites.find((s) => s.id === id), results.tests.filter((t) => t.suite === id), i));
  const total = tally(results.tests);
  const name = `${results.harness.name} ${results.harness.version}: ${results.sut.name}`;
  const time = seconds(Date.parse(results.finishedAt) - Date.parse(results.startedAt) || 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name, tests: total.tests, failures: total.failures, errors: total.errors, time })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
