import type { TestReport } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { validateStructure } from '../../src/fhir/validation/structure.js';
import { toTestReports } from '../../src/report/testreport.js';
import { sampleResults } from '../fixtures-report/sample.js';

function reportOf(suite: string, results = sampleResults()): TestReport {
  return toTestReports(results).find((r) => r.suite === suite)!.resource;
}

function asserts(report: TestReport, title: string) {
  return report.test!.find((t) => t.name === title)!.action.flatMap((a) => (a.assert ? [a.assert] : []));
}

describe('toTestReports', () => {
  const reports = toTestReports(sampleResults());

  it('writes one R4 TestReport per suite, each valid against the base R4 structure', () => {
    expect(reports.map((r) => r.fileName)).toEqual(['saner-query-measure-measure-source.json', 'saner-formats-measure-source.json', 'saner-produce-measure-measure-consumer.json']);
    for (const { resource } of reports) {
      expect(validateStructure(JSON.parse(JSON.stringify(resource)))).toEqual([]);
      expect(resource.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    }
    // The check itself can fail: a TestReport with a wrong code is caught.
    expect(validateStructure({ ...reports[0]!.resource, result: 'passed' }).length).toBeGreaterThan(0);
  });

  it('fills status, result, testScript, participants, score and issued', () => {
    const r = reportOf('saner/query-measure/measure-source');
    expect(r.status).toBe('completed');
    expect(r.result).toBe('fail');
    expect(r.testScript).toEqual({ display: 'SANER Query Measure: Measure Source (saner/query-measure/measure-source)' });
    expect(r.participant).toEqual([
      { type: 'test-engine', uri: 'urn:measure-conformance:0.1.0', display: 'measure-conformance 0.1.0' },
      { type: 'server', uri: 'http://sut.example/fhir', display: 'Acme <Reporting> Server' },
    ]);
    // 2 passed of 5 run, none skipped.
    expect(r.score).toBe(40);
    expect(r.issued).toBe('2026-03-02T09:01:23.500Z');
    expect(r.test).toHaveLength(5);
  });

  it('names the SUT as the client and the simulator as the server for a client-role suite', () => {
    const r = reportOf('saner/produce-measure/measure-consumer');
    expect(r.participant!.map((p) => [p.type, p.uri])).toEqual([
      ['test-engine', 'urn:measure-conformance:0.1.0'],
      ['client', 'http://sut.example/fhir'],
      ['server', 'http://127.0.0.1:41234/fhir'],
    ]);
  });

  it('maps assertions and verdicts to R4 assert results', () => {
    const src = reportOf('saner/query-measure/measure-source');
    expect(asserts(src, 'MeasureReport search by measure and date range').map((a) => a.result)).toEqual(['pass', 'pass']);
    expect(asserts(src, '_count limits the page and links next').map((a) => a.result)).toEqual(['pass', 'fail']);
    // A failed check in a SHOULD test is a warning, not a failure.
    expect(asserts(src, 'Legacy _format=xml answered').map((a) => [a.result, a.message])).toEqual([['warning', '_format=text/xml gave 406']]);
    const error = asserts(src, '$evaluate-measure answers');
    expect(error.map((a) => [a.result, a.message])).toEqual([['error', 'connect ECONNREFUSED 10.0.0.1:443']]);
    expect(error[0]!.detail).toContain('no response (connect ECONNREFUSED 10.0.0.1:443)');
    const fmt = reportOf('saner/formats/measure-source');
    expect(asserts(fmt, 'CSV export').map((a) => [a.result, a.message])).toEqual([['skip', 'CSV option not claimed']]);
    const con = reportOf('saner/produce-measure/measure-consumer');
    expect(asserts(con, 'Consumer retains reports for the reporting period').map((a) => [a.result, a.message])).toEqual([['skip', 'manual: needs the vendor to attest retention']]);
  });

  it('records each HTTP exchange as an operation action', () => {
    const src = reportOf('saner/query-measure/measure-source');
    const ops = src.test!.find((t) => t.name === '$evaluate-measure answers')!.action.flatMap((a) => (a.operation ? [a.operation] : []));
    expect(ops).toEqual([{ result: 'error', message: 'sent GET http://sut.example/fhir/Measure/$evaluate-measure -> no response (connect ECONNREFUSED 10.0.0.1:443)' }]);
  });

  it('scores without skipped tests, and is pending while a manual test awaits attestation', () => {
    const fmt = reportOf('saner/formats/measure-source');
    expect(fmt.score).toBe(0);
    const results = sampleResults();
    results.tests = results.tests.filter((t) => t.id !== 'saner/produce-measure/measure-consumer/accepts-report');
    expect(reportOf('saner/produce-measure/measure-consumer', results).result).toBe('pending');
    for (const t of results.tests) if (t.verdict === 'manual') t.verdict = 'pass';
    expect(reportOf('saner/produce-measure/measure-consumer', results).result).toBe('pass');
  });

  it('marks a suite cut short by an interrupt as stopped and pending', () => {
    const results = sampleResults();
    results.interrupted = true;
    results.tests = results.tests.filter((t) => t.suite !== 'saner/formats/measure-source' || t.verdict === 'skip');
    const r = reportOf('saner/formats/measure-source', results);
    expect(r.status).toBe('stopped');
    expect(r.result).toBe('pending');
    expect(reportOf('saner/query-measure/measure-source', results).status).toBe('completed');
  });

  it('keeps ids valid and distinct for long or clashing suite ids', () => {
    const results = sampleResults();
    const long = `${'x'.repeat(80)}/suite_one`;
    results.suites.push({ ...results.suites[0]!, id: long, testIds: [] }, { ...results.suites[0]!, id: 'saner_query-measure/measure-source', testIds: [] });
    const ids = toTestReports(results).map((r) => r.resource.id!);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
  });
});
