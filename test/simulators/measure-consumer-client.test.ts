import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { measureSource } from '../../simulators/measure-source/index.js';
import { measureConsumerClient } from '../../simulators/measure-consumer-client/index.js';
import { referenceClientPlaying } from '../../simulators/index.js';
import type { HttpExchange } from '../../src/engine/results.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';

let server: RunningFhirServer;
let exchanges: HttpExchange[] = [];

beforeAll(async () => {
  server = await measureSource.start({ host: '127.0.0.1', port: 0, onExchange: (e) => exchanges.push(e) });
});
afterAll(() => server.close());

/** The requests of one client run, as decoded `METHOD /path?query` lines. */
async function pull(faults: string[] = [], options = ['Pull', 'CSV']): Promise<{ lines: string[]; exchanges: HttpExchange[] }> {
  exchanges = [];
  await measureConsumerClient.run({ baseUrl: server.url, faults, options });
  const base = new URL(server.url);
  const lines = exchanges.map((e) => {
    const url = new URL(e.url, base);
    return `${e.method} ${decodeURIComponent(url.pathname + url.search)}`;
  });
  return { lines, exchanges: [...exchanges] };
}

const matching = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l));

describe('reference Measure Consumer client', () => {
  it('is the bundled client playing the Measure Consumer', () => {
    expect(referenceClientPlaying('QueryMeasureConsumer')).toBe(measureConsumerClient);
    expect(referenceClientPlaying('ProduceMeasureSource')?.id).toBe('measure-source-client');
  });

  it('pulls reports by measure and period, pages to the end, dereferences, and uses each parameter', async () => {
    const { lines, exchanges: sent } = await pull();
    expect(lines[0]).toBe('GET /metadata');
    expect(sent.every((e) => e.status !== undefined && e.status < 400)).toBe(true);
    const reportSearches = matching(lines, /^GET \/MeasureReport\?measure=/);
    expect(reportSearches.some((l) => /period=ge\d{4}-\d{2}-\d{2}&period=le\d{4}-\d{2}-\d{2}&_count=10$/.test(l))).toBe(true);
    // 42 reports of one measure at _count=10: the first page and four next links, opaque page tokens followed as given.
    expect(matching(lines, /^GET \/_page\/[\w-]+$/).length).toBeGreaterThanOrEqual(4);
    for (const re of [
      /^GET \/Location\/[\w-]+$/,
      /^GET \/Organization\/[\w-]+$/,
      /^GET \/Measure\/[\w-]+$/,
      /^GET \/Measure\?url=http/,
      /^GET \/MeasureReport\/[\w-]+\?_format=application\/fhir\+xml$/,
    ]) {
      expect(matching(lines, re).length, String(re)).toBeGreaterThan(0);
    }
    for (const type of ['MeasureReport', 'Location', 'Organization', 'Measure']) {
      expect(matching(lines, new RegExp(`^GET /${type}\\?_id=[^&]+&_include=\\*$`)), type).toHaveLength(1);
    }
    for (const param of ['_lastUpdated', 'date', 'measure.title', 'subject', 'subject:identifier', 'subject:Location.near', 'reporter', 'reporter:identifier']) {
      expect(matching(lines, new RegExp(`^GET /MeasureReport\\?measure=.*&${param.replace('.', '\\.')}=`)), param).toHaveLength(1);
      expect(matching(lines, new RegExp(`^GET /MeasureReport/\\$search-csv\\?measure=.*&period=.*&${param.replace('.', '\\.')}=`)), param).toHaveLength(1);
    }
    for (const param of ['_text', '_content', 'definition-text', 'code', 'code:in']) expect(matching(lines, new RegExp(`^GET /Measure\\?${param}=`)), param).toHaveLength(1);
    expect(matching(lines, /^POST \/(Location|Organization)\/_search$/)).toHaveLength(2);
    expect(matching(lines, /^GET \/MeasureReport\/[\w-]+\/\$read-csv(\?map=.+)?$/)).toHaveLength(2);
    // Every FHIR request asks with the FHIR media type; the CSV operations ask for text/csv.
    const accepts = new Set(sent.map((e) => e.requestHeaders['accept']));
    expect([...accepts].sort()).toEqual(['application/fhir+json', 'application/fhir+xml', 'text/csv', undefined].sort());
  });

  it('without the CSV Option calls no CSV operation', async () => {
    const { lines } = await pull([], ['Pull']);
    expect(matching(lines, /\$(search|read)-csv/)).toEqual([]);
    expect(matching(lines, /^GET \/MeasureReport\?measure=/).length).toBeGreaterThan(0);
  });

  it.each([
    ['no-paging', /^GET \/_page\//],
    ['no-count', /_count=/],
  ])('fault %s drops that habit', async (fault, re) => {
    expect(matching((await pull()).lines, re).length).toBeGreaterThan(0);
    expect(matching((await pull([fault])).lines, re)).toEqual([]);
  });

  it.each([
    ['include-iterate', /_include:iterate=\*/],
    ['unknown-param', /facility=any/],
  ])('fault %s adds what a clean run never sends', async (fault, re) => {
    expect(matching((await pull()).lines, re)).toEqual([]);
    expect(matching((await pull([fault])).lines, re).length).toBeGreaterThan(0);
  });

  it('legacy faults name formats the DSTU2 or short way', async () => {
    const accept = (await pull(['legacy-accept'])).exchanges.map((e) => e.requestHeaders['accept']);
    expect(accept).toContain('application/json+fhir');
    expect(accept).not.toContain('application/fhir+json');
    expect(matching((await pull(['legacy-format'])).lines, /_format=xml$/)).toHaveLength(1);
  });

  it('period faults leave out the period, bound one side, or send impossible dates', async () => {
    const searches = async (fault: string) => matching((await pull([fault])).lines, /^GET \/MeasureReport\?measure=/);
    expect((await searches('no-period')).every((l) => !l.includes('period='))).toBe(true);
    expect((await searches('one-sided-period')).every((l) => l.includes('period=ge') && !l.includes('period=le'))).toBe(true);
    expect((await searches('bad-period')).every((l) => l.includes('period=ge2020-13-45'))).toBe(true);
    expect(matching((await pull(['no-measure'])).lines, /^GET \/MeasureReport\?measure=/)).toEqual([]);
  });

  it('omit leaves out one interaction or parameter of one type', async () => {
    expect(matching((await pull(['omit:Location/read'])).lines, /^GET \/Location\/[\w-]+$/)).toEqual([]);
    const noSearch = (await pull(['omit:Organization/search-type'])).lines;
    expect(matching(noSearch, /^(GET|POST) \/Organization(\?|\/_search)/)).toEqual([]);
    expect(matching(noSearch, /^GET \/Organization\/[\w-]+$/).length).toBeGreaterThan(0);
    expect(matching((await pull(['omit:Measure/_include'])).lines, /^GET \/Measure\?_id=.*_include/)).toEqual([]);
    expect(matching((await pull(['omit:MeasureReport/subject:identifier'])).lines, /^GET \/MeasureReport\?.*subject:identifier=/)).toEqual([]);
  });

  it('without Measure searches it learns the measures from a report search by period', async () => {
    const { lines } = await pull(['omit:Measure/search-type']);
    expect(matching(lines, /^GET \/Measure\?/)).toEqual([]);
    expect(lines[1]).toMatch(/^GET \/MeasureReport\?period=ge.*&_count=10$/);
  });

  it('no-reference-reads uses the reports alone', async () => {
    const { lines } = await pull(['no-reference-reads']);
    expect(matching(lines, /^GET \/(Location|Organization|Measure)\/|_id=|url=/)).toEqual([]);
  });

  it('CSV faults drop or strip the operation calls', async () => {
    expect(matching((await pull(['no-search-csv'])).lines, /\$search-csv/)).toEqual([]);
    expect(matching((await pull(['no-read-csv'])).lines, /\$read-csv/)).toEqual([]);
    expect(matching((await pull(['search-csv-required-only'])).lines, /\$search-csv/)).toHaveLength(1);
    expect(matching((await pull(['search-csv-without-period'])).lines, /\$search-csv.*period=/)).toEqual([]);
  });

  it('post-search-json sends its POST _search as JSON', async () => {
    const posts = (await pull(['post-search-json'])).exchanges.filter((e) => e.method === 'POST');
    expect(posts.map((e) => e.requestHeaders['content-type'])).toEqual(['application/json', 'application/json']);
  });

  it('an unknown fault is refused with the known ones listed', async () => {
    await expect(measureConsumerClient.run({ baseUrl: server.url, faults: ['shout'] })).rejects.toThrow(/unknown fault mode\(s\) shout; known: omit:<.*no-paging/);
  });

  it('an unreachable Measure Source rejects the run', async () => {
    await expect(measureConsumerClient.run({ baseUrl: 'http://127.0.0.1:9/fhir' })).rejects.toThrow();
  });
});
