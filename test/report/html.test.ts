import { describe, expect, it } from 'vitest';
import { elementGroup, buildHtmlModel } from '../../src/report/html-model.js';
import { renderHtml } from '../../src/report/html.js';
import { bodyLanguage, headerLines, prettyBody } from '../../src/report/pretty.js';
import { bigResults, sampleResults } from '../fixtures-report/sample.js';

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('renderHtml', () => {
  const html = renderHtml(sampleResults());

  it('escapes everything that came from the SUT: bodies, headers, messages, names', () => {
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).toContain('&lt;script&gt;window.__pwned &#x3D; true&lt;/script&gt;');
    expect(html).toContain('Acme &lt;Reporting&gt; Server');
    // Bodies are escaped too, quotes left readable.
    expect(html).toContain('"note": "&lt;script&gt;window.__pwned = true&lt;/script&gt;"');
    expect(html).toContain('x-note: &lt;script&gt;window.__pwned = true&lt;/script&gt;');
    // Our own script is the only script element.
    expect(count(html, '<script')).toBe(1);
  });

  it('is self-contained: no external stylesheet, script, image or font', () => {
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  });

  it('lists requirements with no test as not tested, with the reason', () => {
    const row = html.slice(html.indexOf('id="req-SANER-QM-SRC-005"'));
    const end = row.indexOf('</tr>');
    expect(row.slice(0, end)).toContain('Not tested');
    expect(row.slice(0, end)).toContain('Not tested: covered by the search tests only');
    expect(row.slice(0, end)).toContain('no test');
  });

  it('puts requirements without a capability in their own section', () => {
    const section = html.slice(html.indexOf('id="other-requirements"'), html.indexOf('id="tests"'));
    expect(section).toContain('Requirements without a CapabilityStatement');
    expect(section).toContain('FHIR-HTTP-001');
    expect(section).toContain('FHIR-HTTP-002');
    expect(section).not.toContain('SANER-QM-SRC-001');
  });

  it('names where a simulator run went instead of a missing base URL', () => {
    const results = sampleResults();
    results.sut = { name: 'bundled reference simulators', simulated: true };
    const simulated = renderHtml(results);
    expect(simulated).toContain('each suite against its reference simulator');
    expect(simulated).not.toContain('no base URL');
    results.sut = { name: 'Acme', simulated: false };
    expect(renderHtml(results)).toContain('no base URL');
  });

  it('shows the interrupted banner only for an interrupted run', () => {
    expect(html).not.toContain('id="interrupted"');
    const results = sampleResults();
    results.interrupted = true;
    const interrupted = renderHtml(results);
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

  it('renders each test\'s evidence once, however many requirements link to it', () => {
    const big = bigResults(20, 2_000);
    const out = renderHtml(big);
    expect(count(out, 'data-test-id="saner/query-measure/measure-source/t3"')).toBe(1);
    // Two requirements each link all 20 tests: links, not copies of the evidence.
    expect(count(out, 'href="#test-saner-query-measure-measure-source-t3"')).toBe(2);
    expect(count(out, '"id": "mr-0"')).toBe(20);
  });

  it('keeps anchors unique when two test ids slug alike', () => {
    const results = sampleResults();
    const first = results.tests[0]!;
    results.tests.push({ ...first, id: first.id.replace(/\//g, '-') });
    const ids = [...renderHtml(results).matchAll(/<details class="test" id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('buildHtmlModel', () => {
  it('groups a capability\'s requirements by element kind in a fixed order', () => {
    const model = buildHtmlModel(sampleResults());
    const source = model.capabilities[0]!;
    expect(source.groups.map((g) => g.label)).toEqual(['Interactions', 'Search parameters', 'Operations', 'Formats', 'Profiles']);
    expect(source.groups.find((g) => g.label === 'Search parameters')!.rows.map((r) => r.id)).toEqual(['SANER-QM-SRC-001', 'SANER-QM-PG-008']);
  });

  it('marks a requirement linked to a test that did not run', () => {
    const results = sampleResults();
    results.requirements[0]!.tests.push('saner/query-measure/measure-source/never-ran');
    const row = buildHtmlModel(results).capabilities[0]!.groups.flatMap((g) => g.rows).find((r) => r.id === 'SANER-QM-SRC-001')!;
    expect(row.tests[1]).toEqual({ title: 'saner/query-measure/measure-source/never-ran (not run)', verdict: 'not-tested', label: 'Not tested' });
  });

  it('still shows tests whose suite is not listed', () => {
    const results = sampleResults();
    results.suites = results.suites.slice(1);
    const model = buildHtmlModel(results);
    expect(model.suites.at(-1)!.title).toBe('Tests of unlisted suites');
    expect(model.suites.at(-1)!.tests).toHaveLength(5);
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
    ['MeasureReport.supportedProfile', 'Profiles'],
    ['MeasureReport.profile', 'Profiles'],
    ['security', 'Other elements'],
    [undefined, 'General'],
  ])('%s -> %s', (element, group) => {
    expect(elementGroup(element)).toBe(group);
  });
});

describe('prettyBody', () => {
  it('indents JSON', () => {
    expect(prettyBody({ text: '{"a":[1,{"b":2}]}', size: 17, truncated: false }, 'application/fhir+json')).toEqual({
      text: '{\n  "a": [\n    1,\n    {\n      "b": 2\n    }\n  ]\n}',
      language: 'json',
    });
  });

  it('indents XML and keeps entities as sent', () => {
    const out = prettyBody({ text: '<a xmlns="x"><b value="1"/><c>x &amp; y</c></a>', size: 40, truncated: false }, 'application/fhir+xml');
    expect(out.language).toBe('xml');
    expect(out.text).toBe('<a xmlns="x">\n  <b value="1"/>\n  <c>x &amp; y</c>\n</a>');
  });

  it('shows broken or truncated bodies as received, with a note', () => {
    const badJson = prettyBody({ text: '{"a":', size: 5, truncated: false }, 'application/json');
    expect(badJson.text).toBe('{"a":');
    expect(badJson.note).toMatch(/^not valid JSON/);
    const badXml = prettyBody({ text: '<a><b></a>', size: 10, truncated: false });
    expect(badXml.text).toBe('<a><b></a>');
    expect(badXml.note).toMatch(/^not well-formed XML/);
    const cut = prettyBody({ text: '{"a": 1, "b"', size: 90_000, truncated: true }, 'application/json');
    expect(cut.note).toBe('truncated: showing 12 of 90000 bytes, as captured');
  });

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
