import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/engine/results.js';
import { capabilitySummaries } from '../../src/engine/verdict.js';
import type { EvidencePack } from '../../src/report/evidence-pack.js';
import { buildHtmlModel, elementGroup } from '../../src/report/html-model.js';
import { renderHtml } from '../../src/report/html.js';
import { bodyLanguage, headerLines } from '../../src/report/pretty.js';
import { serializeResults } from '../../src/report/results-file.js';
import { bigResults, CSV_CS, HOSTILE, sampleResults } from '../fixtures-report/sample.js';

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

/** The evidence the page unpacks with DecompressionStream, unpacked here with zlib. */
function unpack(html: string): EvidencePack {
  const b64 = /<script type="application\/octet-stream" id="evidence-pack" data-encoding="gzip\+base64">([^<]*)<\/script>/.exec(html)?.[1];
  expect(b64).toBeDefined();
  return JSON.parse(gunzipSync(Buffer.from(b64!, 'base64')).toString('utf8')) as EvidencePack;
}

/** The HTML between an element's opening tag (found by a unique attribute) and the next closing tag of that name. */
function element(html: string, marker: string, tag: string): string {
  const start = html.indexOf(marker);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf(`</${tag}>`, start));
}

describe('renderHtml', () => {
  const results = sampleResults();
  const html = renderHtml(results);

  it('escapes everything that came from the SUT in the page, and runs only its own script', () => {
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).toContain('&lt;script&gt;window.__pwned &#x3D; true&lt;/script&gt;');
    expect(html).toContain('Acme &lt;Reporting&gt; Server');
    // One executable script (ours, allowed by hash); the evidence is a data block the browser never runs.
    expect(count(html, '<script>')).toBe(1);
    expect(count(html, '<script type="application/octet-stream"')).toBe(1);
    expect(html).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+(=|&#x3D;)*'/);
  });

  it('is self-contained: no external stylesheet, script, image or font', () => {
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  });

  it('keeps HTTP bodies out of the markup: packed once each, gzip-compressed, exactly as captured', () => {
    const pack = unpack(html);
    expect(html).not.toContain('"resourceType":"Bundle"');
    expect(html).not.toContain('&lt;MeasureReport xmlns');
    const texts = pack.bodies.map((b) => b.text);
    expect(new Set(texts).size).toBe(texts.length);
    const searchset = results.tests[0]!.evidence.find((e) => e.kind === 'http')!;
    expect(texts).toContain(searchset.kind === 'http' ? searchset.exchange.responseBody!.text : '');
    // The hostile body is data for the page's script, which puts it in the DOM as text.
    expect(texts.some((t) => t.includes(HOSTILE))).toBe(true);
    expect(pack.exchanges.every((x) => x.requestBody === undefined || pack.bodies[x.requestBody] !== undefined)).toBe(true);
  });

  it('folds an exchange recorded by the harness and by the simulator into one', () => {
    const pack = unpack(html);
    const readXml = pack.groups['test-saner-query-measure-measure-source-read-xml']!;
    expect(readXml).toHaveLength(1);
    expect(pack.exchanges[readXml[0]!]!.side).toBe('both');
    // The harness's own headers as sent, not the simulator's view of them.
    expect(pack.exchanges[readXml[0]!]!.requestHeaders).toBe('accept: application/fhir+xml');
    const search = pack.groups['test-saner-query-measure-measure-source-search-by-measure-and-date']!;
    expect(pack.exchanges[search[0]!]!.side).toBe('outbound');
    expect(pack.groups['setup-suite-saner-query-measure-measure-source']).toHaveLength(1);
  });

  it('heads the report with the SUT software, claims, writes, rule sets and the hash of results.json', () => {
    const text = serializeResults(results);
    const facts = element(html, 'id="run-facts"', 'dl');
    expect(facts).toContain('Acme FHIR 4.2.1 (FHIR 4.0.1)');
    expect(facts).toContain('MeasureSource (SANER Query Measure) (capability statement); MeasureConsumer (SANER Produce Measure) (config)');
    expect(element(html, 'id="not-claimed"', 'dd')).toContain('CSV (capability statement)');
    expect(element(html, 'id="writes-summary"', 'dd')).toContain('2 resources written: 1 deleted, 1 not removed');
    expect(facts).toContain('IHE mADX: trial-implementation (the default)');
    expect(element(html, 'id="results-hash"', 'dd')).toContain(`sha256:${createHash('sha256').update(text).digest('hex')}`);
    // The hash follows the file it is given, e.g. one re-rendered by `report`.
    expect(renderHtml(results, { resultsText: `${text} ` })).not.toContain(`sha256:${createHash('sha256').update(text).digest('hex')}`);
    expect(element(html, 'id="data-sets"', 'dd')).toContain('discovered in the SUT (1 suite), seeded by the run (1 suite)');
    expect(html).toContain('Data set: discovered: MeasureReport mr-1 found by searching the SUT');
    expect(element(html, 'id="run-writes"', 'section')).toContain('DELETE answered 405');
  });

  it("says what the run assumed when it could read nothing of the SUT's claims, and why a suite stopped", () => {
    const results = sampleResults();
    results.sut.assumption = 'the SUT serves every type of its actors (no CapabilityStatement answered)';
    results.suites[1]!.stopped = 'the SUT stopped answering after 3 timeouts';
    const page = renderHtml(results);
    expect(element(page, 'id="assumption"', 'div')).toContain('Assumed: the SUT serves every type of its actors (no CapabilityStatement answered)');
    expect(page).toContain('The suite stopped early: the SUT stopped answering after 3 timeouts');
    expect(html).not.toContain('id="assumption"');
    expect(html).not.toContain('The suite stopped early');
  });

  it('reads results written before those fields existed', () => {
    const old = sampleResults() as Partial<RunResults> & RunResults;
    delete old.applicability;
    delete old.writes;
    delete old.ruleSets;
    delete old.sut.software;
    for (const s of old.suites) delete s.dataSet;
    const page = renderHtml(old);
    expect(page).not.toContain('id="run-facts">\n        <dt>SUT software');
    expect(page).not.toContain('id="claims"');
    expect(page).not.toContain('id="run-writes"');
    expect(page).not.toContain('id="data-sets"');
    expect(page).toContain('id="readiness-matrix"');
  });

  it('shows a CapabilityStatement the SUT does not claim as not claimed, greyed, never as 0 %', () => {
    const matrix = element(html, 'id="readiness-matrix"', 'table');
    const csv = matrix.slice(matrix.indexOf('data-status="not-claimed"'));
    expect(csv).toMatch(/^data-status="not-claimed">\s*<th scope="row" class="rname"><a href="#cap-MeasureSource-QueryMeasure-CSV-Pull">CSV<\/a>/);
    expect(csv).toContain('<strong>not claimed</strong>');
    expect(csv).not.toContain('%');
    expect(html).toContain(`<section class="capability greyed" id="cap-MeasureSource-QueryMeasure-CSV-Pull" data-filter-scope data-capability="${CSV_CS}"`);
    expect(element(html, `data-capability="${CSV_CS}"`, 'section')).toContain('<span class="standing">not claimed</span>: no $search-csv');
  });

  it('gives each claimed actor its shares, the JSON and XML verdict of its transaction, and a one-line verdict', () => {
    const model = buildHtmlModel(results);
    const [source, consumer] = model.readiness;
    expect(source).toMatchObject({ name: 'MeasureSource (SANER Query Measure)', status: 'fail', verdict: '2 SHALL requirements fail, 1 could not be decided' });
    expect([source!.shall.text, source!.should.text]).toEqual(['4 / 8 (50 %)', '0 / 1 (0 %)']);
    expect([source!.json, source!.xml]).toEqual([[{ label: '', verdict: 'pass', text: 'Pass' }], [{ label: '', verdict: 'pass', text: 'Pass' }]]);
    expect(consumer).toMatchObject({ status: 'fail', verdict: '2 SHALL requirements fail' });
    expect([consumer!.json[0]!.verdict, consumer!.xml[0]!.verdict]).toEqual(['fail', 'not-tested']);
    expect(model.readiness.at(-1)).toMatchObject({ name: 'CSV', status: 'not-claimed', greyed: true });
  });

  it('lists failing, erroring, warned and manual requirements first, each with its one-line reason', () => {
    const model = buildHtmlModel(results);
    expect(model.attention.map((a) => [a.id, a.verdict])).toEqual([
      ['SANER-QM-PG-008', 'fail'],
      ['SANER-PR-004', 'fail'],
      ['SANER-PM-CON-001', 'fail'],
      ['SANER-PM-FMT-JSON', 'fail'],
      ['SANER-PR-005', 'fail'],
      ['SANER-QM-SRC-004', 'error'],
      ['SANER-QM-PG-003', 'warning'],
      ['SANER-PM-CON-002', 'manual'],
    ]);
    // The check that failed for that requirement, not the first failed check of the test.
    expect(model.attention.find((a) => a.id === 'SANER-PR-005')!.reason).toBe('supplemental data is well-formed');
    expect(model.attention.find((a) => a.id === 'SANER-PM-CON-002')).toMatchObject({
      reason: 'needs the vendor to attest retention',
      anchor: 'test-saner-produce-measure-measure-consumer-attest-retention',
    });
    // Tests and requirement rows put failing and manual first too.
    expect(model.suites[0]!.tests.map((t) => t.verdict)).toEqual(['fail', 'error', 'warning', 'pass', 'pass']);
  });

  it('lists new failures, fixes and other changed verdicts against the previous run', () => {
    const previous = sampleResults();
    previous.startedAt = '2026-03-01T09:00:00.000Z';
    previous.requirements.find((r) => r.id === 'SANER-QM-PG-008')!.verdict = 'pass';
    previous.requirements.find((r) => r.id === 'SANER-QM-PG-002')!.verdict = 'fail';
    previous.requirements.find((r) => r.id === 'SANER-PM-CON-002')!.verdict = 'pass';
    const page = renderHtml(results, { resultsText: serializeResults(results), previous: { source: 'old/results.json', results: previous } });
    const changes = element(page, 'id="changes"', 'section');
    expect(changes).toContain('Compared with Acme &lt;Reporting&gt; Server, run of 2026-03-01 09:00:00 UTC');
    expect(element(changes, 'id="new-failures"', 'table')).toContain('data-requirement="SANER-QM-PG-008"');
    expect(element(changes, 'id="new-failures"', 'table')).toContain('expected a next link, found none');
    expect(element(changes, 'id="fixes"', 'table')).toContain('data-requirement="SANER-QM-PG-002"');
    expect(element(changes, 'id="changed-verdicts"', 'table')).toContain('data-requirement="SANER-PM-CON-002"');
    expect(page.indexOf('id="changes"')).toBeLessThan(page.indexOf('id="attention"'));
    expect(renderHtml(results, { resultsText: '', previous: { source: 'x', results } })).toContain('id="no-changes"');
    expect(renderHtml(results, { resultsText: '', previous: { source: 'x', error: 'x is not JSON' } })).toContain('No comparison: x is not JSON');
    expect(html).not.toContain('id="changes"');
  });

  it('says where the run reached the SUT: a server, a client, or the reference simulators', () => {
    const where = (sut: RunResults['sut'], suites = results.suites) => buildHtmlModel({ ...results, sut, suites }).facts.where;
    expect(where({ name: 'ref', simulated: true })).toMatch(/^the bundled reference simulators stood in for the SUT/);
    expect(
      where(
        { name: 'Acme', simulated: false },
        results.suites.filter((s) => s.role === 'client'),
      ),
    ).toBe("as a client it called the harness's simulators (1 suite, targets listed with the tests)");
    expect(
      where(
        { name: 'Acme', baseUrl: 'http://sut.example/fhir', simulated: false },
        results.suites.filter((s) => s.role === 'server'),
      ),
    ).toBe('http://sut.example/fhir');
    expect(
      where(
        { name: 'Acme', simulated: false },
        results.suites.filter((s) => s.role === 'server'),
      ),
    ).toBe('no base URL');
  });

  it('lists requirements with no test as not tested, with the reason', () => {
    const row = element(html, 'id="req-SANER-QM-SRC-005"', 'tr');
    expect(row).toContain('Not tested');
    expect(row).toContain('Not tested: covered by the search tests only');
    expect(row).toContain('no test');
  });

  it('puts requirements without a capability in their own section', () => {
    const section = html.slice(html.indexOf('id="other-requirements"'), html.indexOf('id="tests"'));
    expect(section).toContain('Requirements without a CapabilityStatement');
    expect(section).toContain('FHIR-HTTP-001');
    expect(section).toContain('FHIR-HTTP-002');
    expect(section).not.toContain('SANER-QM-SRC-001');
  });

  it('shows the interrupted banner only for an interrupted run', () => {
    expect(html).not.toContain('id="interrupted"');
    const interrupted = renderHtml({ ...sampleResults(), interrupted: true });
    expect(interrupted).toContain('id="interrupted"');
    expect(interrupted).toContain('Fail (interrupted)');
  });

  it('shows the header facts: SUT URL, run date, harness version, duration, overall verdict', () => {
    expect(html).toContain('http://sut.example/fhir');
    expect(html).toContain('2026-03-02 09:00:00 UTC');
    expect(html).toContain('measure-conformance 0.1.0');
    expect(html).toContain('1 min 24 s');
    expect(html).toMatch(/id="overall" data-verdict="fail"/);
  });

  it('stores a body shared by many tests once, and links tests instead of copying them', () => {
    const big = bigResults(20, 2_000);
    const out = renderHtml(big);
    expect(count(out, 'data-test-id="saner/query-measure/measure-source/t3"')).toBe(1);
    expect(count(out, 'href="#test-saner-query-measure-measure-source-t3"')).toBe(2);
    const pack = unpack(out);
    const shared = big.tests[0]!.evidence.find((e) => e.kind === 'http');
    expect(pack.bodies.filter((b) => shared?.kind === 'http' && b.text === shared.exchange.responseBody!.text)).toHaveLength(1);
    // The 20 tests' identical exchange once, and the suite setup's search.
    expect(pack.exchanges).toHaveLength(2);
    expect(Object.keys(pack.groups)).toHaveLength(21);
  });

  it('keeps anchors unique when two test ids slug alike', () => {
    const twins = sampleResults();
    const first = twins.tests[0]!;
    twins.tests.push({ ...first, id: first.id.replace(/\//g, '-') });
    const ids = [...renderHtml(twins).matchAll(/<details class="test" id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('shares: the HTML and results.json agree', () => {
  it('shows for each CapabilityStatement the SHALL and SHOULD numbers results.json holds', () => {
    const results = sampleResults();
    // What the engine writes into results.json from these requirements (the run's own numbers).
    const summaries = capabilitySummaries(results.capabilities, results.requirements);
    expect(summaries).toEqual(results.capabilities);
    const html = renderHtml(results);
    for (const c of summaries) {
      const open = element(html, `data-capability="${c.url}"`, 'h2');
      const attr = (name: string) => Number(new RegExp(`data-${name}="(\\d+)"`).exec(open)?.[1]);
      expect([c.url, attr('shall-passed'), attr('shall-total'), attr('should-passed'), attr('should-total')]).toEqual([c.url, c.shall.passed, c.shall.total, c.should.passed, c.should.total]);
    }
  });
});

describe('buildHtmlModel', () => {
  it("groups a capability's requirements by element kind in a fixed order, failing first within a group", () => {
    const model = buildHtmlModel(sampleResults());
    const source = model.capabilities[0]!;
    expect(source.groups.map((g) => g.label)).toEqual(['Interactions', 'Search parameters', 'Operations', 'Formats', 'Profiles']);
    expect(source.groups.find((g) => g.label === 'Search parameters')!.rows.map((r) => r.id)).toEqual(['SANER-QM-PG-008', 'SANER-QM-SRC-001']);
  });

  it('marks a requirement linked to a test that did not run', () => {
    const results = sampleResults();
    results.requirements[0]!.tests.push('saner/query-measure/measure-source/never-ran');
    const row = buildHtmlModel(results)
      .capabilities[0]!.groups.flatMap((g) => g.rows)
      .find((r) => r.id === 'SANER-QM-SRC-001')!;
    expect(row.tests[1]).toEqual({ title: 'saner/query-measure/measure-source/never-ran (not run)', verdict: 'not-tested', label: 'Not tested' });
  });

  it('still shows tests whose suite is not listed', () => {
    const results = sampleResults();
    results.suites = results.suites.slice(1);
    const model = buildHtmlModel(results);
    expect(model.suites.at(-1)!.title).toBe('Tests of unlisted suites');
    expect(model.suites.at(-1)!.tests).toHaveLength(5);
  });

  it('names the requirements a check decides when its test cites more than one', () => {
    const test = buildHtmlModel(sampleResults()).suites[1]!.tests.find((t) => t.title.startsWith('Returned MeasureReports'))!;
    expect(test.assertions.map((a) => a.decides)).toEqual(['SANER-PR-004', 'SANER-PR-005']);
  });
});

describe('elementGroup', () => {
  it.each([
    ['MeasureReport.interaction[read]', 'Interactions'],
    ['interaction[transaction]', 'Interactions'],
    ['MeasureReport.searchParam[date]', 'Search parameters'],
    ['MeasureReport.searchParam[_format]', 'Search parameters'],
    ['Measure.operation[evaluate-measure]', 'Operations'],
    ['format', 'Formats'],
    ['format[json]', 'Formats'],
    ['MeasureReport.supportedProfile', 'Profiles'],
    ['MeasureReport.profile', 'Profiles'],
    ['security', 'Other elements'],
    [undefined, 'General'],
  ])('%s -> %s', (element, group) => {
    expect(elementGroup(element)).toBe(group);
  });
});

describe('bodies and headers', () => {
  it('sniffs the syntax when there is no Content-Type', () => {
    expect(bodyLanguage('  [1]')).toBe('json');
    expect(bodyLanguage('<x/>')).toBe('xml');
    expect(bodyLanguage('measure,count')).toBe('text');
    expect(bodyLanguage('{}', 'text/csv')).toBe('json');
  });

  it('lists headers sorted as name: value lines', () => {
    expect(headerLines({ 'x-b': '2', accept: 'a' })).toBe('accept: a\nx-b: 2');
    expect(headerLines(undefined)).toBe('');
  });
});
