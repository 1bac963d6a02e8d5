import { XMLBuilder } from 'fast-xml-parser';
import type { RunResults, SuiteResult, TestResult, Verdict } from '../engine/results.js';
import { evidenceSummary } from './evidence-summary.js';
import type { ReportFormat } from './report-format.js';
import { xmlAttr, xmlText } from './xml-text.js';

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);
// The common JUnit schema's timestamp has no zone designator; ours are UTC.
const timestamp = (iso: string): string | undefined => (Number.isNaN(Date.parse(iso)) ? undefined : new Date(iso).toISOString().slice(0, 19));

// Escaping is ours (xmlText drops what XML cannot carry; xmlAttr keeps newlines as character
// references so an attribute's line breaks survive parsing); the builder only lays out.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: false,
  tagValueProcessor: (_name, value) => xmlText(String(value)),
  attributeValueProcessor: (_name, value) => xmlAttr(String(value)),
});

type Attrs = Record<`@${string}`, string | number>;
type Node = Attrs & { [child: string]: unknown };

/** Attributes with the undefined ones left out. */
function attrs(values: Record<string, string | number | undefined>): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[`@${k}`] = v;
  return out;
}

const properties = (pairs: readonly (readonly [string, string])[]) => ({ property: pairs.map(([name, value]) => attrs({ name, value })) });

/** The JUnit name of a test: its title followed by the requirement ids it checks, so CI lists show what broke. */
export function junitTestName(t: TestResult): string {
  return t.requirements.length ? `${t.title} [${t.requirements.join(', ')}]` : t.title;
}

function tally(tests: TestResult[]) {
  const n = (v: Verdict) => tests.filter((t) => t.verdict === v).length;
  return { tests: tests.length, failures: n('fail'), errors: n('error'), skipped: n('skip') };
}

function testcase(t: TestResult, classname: string): Node {
  const props = [...t.requirements.map((r) => ['requirement', r] as const), ['verdict', t.verdict] as const, ...(t.negativeControl ? [['negativeControl', t.negativeControl] as const] : [])];
  const failed = t.assertions.filter((a) => !a.passed).map((a) => a.message);
  const message = t.reason ?? failed[0] ?? t.verdict;
  // Warning and manual count as passed in CI (only SHALL failures gate), so they are told in system-out only.
  const outcome =
    t.verdict === 'fail'
      ? { failure: { ...attrs({ message, type: 'fail' }), '#text': failed.join('\n') || message } }
      : t.verdict === 'error'
        ? { error: { ...attrs({ message, type: 'error' }), '#text': failed.join('\n') || message } }
        : t.verdict === 'skip'
          ? { skipped: attrs({ message }) }
          : {};
  const state =
    t.verdict === 'warning'
      ? `WARNING: passed with a warning (a SHOULD not met)${t.reason ? `: ${t.reason}` : ''}\n`
      : t.verdict === 'manual'
        ? `MANUAL: needs a person's attestation${t.reason ? `: ${t.reason}` : ''}\n`
        : '';
  const out = `${state}${evidenceSummary(t)}`;
  return {
    ...attrs({ classname, name: junitTestName(t), time: seconds(t.durationMs) }),
    properties: properties(props),
    ...outcome,
    ...(out ? { 'system-out': out } : {}),
  };
}

function testsuite(id: string, suite: SuiteResult | undefined, tests: TestResult[], index: number): Node {
  const t = tally(tests);
  const duration = suite?.durationMs ?? tests.reduce((sum, x) => sum + x.durationMs, 0);
  const props: [string, string][] = suite
    ? [['title', suite.title], ['actorUnderTest', suite.actorUnderTest], ['role', suite.role], ['target', suite.target], ...suite.capabilities.map((c): [string, string] => ['capability', c])]
    : [];
  return {
    ...attrs({
      name: id,
      id: index,
      tests: t.tests,
      failures: t.failures,
      errors: t.errors,
      skipped: t.skipped,
      time: seconds(duration),
      timestamp: timestamp(suite?.startedAt ?? tests[0]?.startedAt ?? ''),
    }),
    ...(props.length ? { properties: properties(props) } : {}),
    ...(tests.length ? { testcase: tests.map((x) => testcase(x, id)) } : {}),
  };
}

/** JUnit XML for CI: one testsuite per suite, one testcase per test. */
export function renderJunit(results: RunResults): string {
  const ids = [...results.suites.map((s) => s.id), ...results.tests.map((t) => t.suite)].filter((id, i, all) => all.indexOf(id) === i);
  const total = tally(results.tests);
  const doc = {
    '?xml': attrs({ version: '1.0', encoding: 'UTF-8' }),
    testsuites: {
      ...attrs({
        name: `${results.harness.name} ${results.harness.version}: ${results.sut.name}`,
        tests: total.tests,
        failures: total.failures,
        errors: total.errors,
        time: seconds(Date.parse(results.finishedAt) - Date.parse(results.startedAt) || 0),
      }),
      testsuite: ids.map((id, i) =>
        testsuite(
          id,
          results.suites.find((s) => s.id === id),
          results.tests.filter((t) => t.suite === id),
          i,
        ),
      ),
    },
  };
  return builder.build(doc) as string;
}

export const junitFormat: ReportFormat = {
  name: 'junit',
  description: 'junit.xml: one testcase per test, for CI test panels',
  render: (results) => [{ path: 'junit.xml', content: renderJunit(results) }],
};
