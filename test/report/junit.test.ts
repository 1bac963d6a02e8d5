import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { TestResult } from '../../src/engine/results.js';
import { junitTestName, renderJunit } from '../../src/report/junit.js';
import { sampleResults } from '../fixtures-report/sample.js';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', htmlEntities: true, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as { testsuites: Node & { testsuite: (Node & { testcase?: Node[]; properties?: { property: Node[] } })[] } };
  return doc.testsuites;
}

function caseFor(xml: string, title: string): Node {
  return parse(xml)
    .testsuite.flatMap((s) => s.testcase ?? [])
    .find((c) => String(c['@name']).startsWith(title))!;
}

describe('renderJunit', () => {
  const results = sampleResults();
  const xml = renderJunit(results);

  it('writes one testsuite per suite and one testcase per test, with totals', () => {
    const root = parse(xml);
    expect(root['@tests']).toBe('9');
    expect(root['@failures']).toBe('3');
    expect(root['@errors']).toBe('1');
    expect(root.testsuite.map((s) => s['@name'])).toEqual(results.suites.map((s) => s.id));
    const [src] = root.testsuite;
    expect(src!['@tests']).toBe('5');
    expect(src!['@failures']).toBe('1');
    expect(src!['@errors']).toBe('1');
    expect(src!['@skipped']).toBe('0');
    expect(src!['@time']).toBe('0.450');
    expect(src!['@timestamp']).toBe('2026-03-02T09:00:00');
    expect(src!.testcase!.every((c) => c['@classname'] === 'saner/query-measure/measure-source')).toBe(true);
    expect(src!.properties!.property.find((p) => p['@name'] === 'role')!['@value']).toBe('server');
  });

  it('names a testcase by title and requirement ids, and lists the ids as properties', () => {
    const c = caseFor(xml, 'Returned MeasureReports conform');
    expect(c['@name']).toBe('Returned MeasureReports conform to the SANER profile [SANER-PR-004, SANER-PR-005]');
    const props = (c.properties as { property: Node[] }).property;
    expect(props.filter((p) => p['@name'] === 'requirement').map((p) => p['@value'])).toEqual(['SANER-PR-004', 'SANER-PR-005']);
    expect(junitTestName({ title: 'T', requirements: [] } as unknown as TestResult)).toBe('T');
  });

  it('maps fail to failure, error to error, skip to skipped', () => {
    const failed = caseFor(xml, '_count limits');
    expect((failed.failure as Node)['@message']).toBe('no next link in a Bundle of 10 with _count=5');
    expect((failed.failure as Node)['#text']).toContain('expected a next link, found none <script>');
    expect(failed.error).toBeUndefined();
    const errored = caseFor(xml, '$evaluate-measure');
    expect((errored.error as Node)['@message']).toBe('connect ECONNREFUSED 10.0.0.1:443');
    expect(errored.failure).toBeUndefined();
    const skipped = caseFor(xml, 'CSV export');
    expect((skipped.skipped as Node)['@message']).toBe('CSV option not claimed');
  });

  it('reports pass, warning and manual as passed, noting warning and manual in system-out', () => {
    for (const title of ['MeasureReport search by measure', 'Legacy _format', 'Consumer retains reports']) {
      const c = caseFor(xml, title);
      expect(c.failure ?? c.error ?? c.skipped).toBeUndefined();
    }
    expect(caseFor(xml, 'Legacy _format')['system-out']).toMatch(/^WARNING: passed with a warning \(a SHOULD not met\): _format=text\/xml answered 406/);
    expect(caseFor(xml, 'Consumer retains reports')['system-out']).toMatch(/^MANUAL: needs a person's attestation: needs the vendor to attest retention/);
  });

  it('summarises the evidence in system-out', () => {
    const out = String(caseFor(xml, 'Returned MeasureReports conform')['system-out']);
    expect(out).toContain('sent GET http://sut.example/fhir/MeasureReport/mr-1?_format=xml -> 200, 8 ms');
    expect(out).toContain('Validation of MeasureReport/mr-1: 2 issue(s)');
    expect(out).toContain('error MeasureReport.period.end: period.end is required [SANER-PR-004]');
    expect(String(caseFor(xml, '$evaluate-measure')['system-out'])).toContain('-> no response (connect ECONNREFUSED 10.0.0.1:443)');
  });

  it('stays well-formed with control characters, quotes, ampersands and lone surrogates from the SUT', () => {
    const nasty = sampleResults();
    const t = nasty.tests[1]!;
    t.title = 'Bell\u0007 "quoted" & <tag> \uD800 end';
    t.reason = 'line1\nline2\u0000\u001b[31m';
    t.assertions = [{ passed: false, message: ']]> & \u000b vertical tab' }];
    const out = renderJunit(nasty);
    expect(XMLValidator.validate(out)).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 forbids are what must not appear.
    expect(out).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const c = caseFor(out, 'Bell');
    expect(c['@name']).toBe('Bell "quoted" & <tag>  end [SANER-QM-PG-008]');
    expect((c.failure as Node)['@message']).toBe('line1\nline2[31m');
    expect((c.failure as Node)['#text']).toBe(']]> &  vertical tab');
  });

  it('writes an empty testsuite for a suite that ran no test', () => {
    const none = sampleResults();
    none.tests = none.tests.filter((t) => !t.suite.startsWith('saner/formats'));
    const suite = parse(renderJunit(none)).testsuite.find((s) => s['@name'] === 'saner/formats/measure-source')!;
    expect(suite['@tests']).toBe('0');
    expect(suite.testcase).toBeUndefined();
  });
});
