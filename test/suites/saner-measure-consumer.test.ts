import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import suite from '../../suites/saner/query-measure/measure-consumer.js';
import { catalogue } from '../../ig/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor, selectSuites } from '../../src/cli/selection.js';
import { runSuites, type Suite, type RunResults, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';

const consumerSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-consumer-sut-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A small consumer of its own, outside the harness: Measures, then MeasureReports by measure and
 * period range with _count, every next link, and a read of each subject Location. It reads no
 * Organization and claims only the Pull Option.
 */
const SUT_SCRIPT = (habits: { dateInsteadOfPeriod?: boolean; rebuildNextLink?: boolean } = {}) => `
const base = process.env.MC_SIMULATOR_URL;
const get = async (url) => {
  const res = await fetch(url.startsWith('http') ? url : base + '/' + url, { headers: { accept: 'application/fhir+json' } });
  return res.json();
};
const measures = await get('Measure?_count=50');
for (const m of (measures.entry ?? []).map((e) => e.resource)) {
  const search = 'MeasureReport?measure=' + encodeURIComponent(m.url) + '&${habits.dateInsteadOfPeriod ? 'date' : 'period'}=ge2020-04-01&${habits.dateInsteadOfPeriod ? 'date' : 'period'}=lt2020-05-01&_count=10';
  let page = await get(search);
  const subjects = new Set();
  for (let n = 1; n < 20; n++) {
    for (const e of page.entry ?? []) if (e.resource.subject) subjects.add(e.resource.subject.reference);
    const next = (page.link ?? []).find((l) => l.relation === 'next');
    if (!next) break;
    // ${habits.rebuildNextLink ? "A client library habit: the next page rebuilt from the search's own parameters." : 'The next link, as given.'}
    page = await get(${habits.rebuildNextLink ? "search + '&_offset=' + n * 10" : 'next.url'});
  }
  for (const s of subjects) await get(s);
}
`;

function sutConfig(command: string): HarnessConfig {
  return { ...base, sut: { name: 'script consumer', options: ['Pull'], triggers: { MeasureConsumer: { type: 'command', command } } } };
}

async function run(config: HarnessConfig, faults: string[] = []): Promise<RunResults> {
  return runSuites({ suites: [consumerSuite], catalogue: catalogue(), plan: (s) => planFor(s, config, faults), timeouts: { waitMs: 5_000 } });
}

function byTitle(results: RunResults): Map<string, TestResult> {
  return new Map(results.tests.map((t) => [t.title, t]));
}

describe('Measure Consumer suite', () => {
  it('with no SUT the reference client plays the consumer; its faults go to the client, the simulator runs clean', () => {
    const clean = planFor(consumerSuite, { ...base, sut: undefined }, ['no-paging']);
    expect(clean.trigger?.type).toBe('reference');
    expect(clean.options).toEqual(['Pull', 'CSV']);
    const configured = planFor(consumerSuite, sutConfig('true'));
    expect(configured.trigger).toEqual({ type: 'command', command: 'true' });
  });

  it('a SUT named by its base URL alone is a server: the consumer suite joins once the SUT has a MeasureConsumer trigger or the actor is asked for', () => {
    const ids = (config: HarnessConfig, actor: string[] = []) => selectSuites([consumerSuite], config, { suite: [], actor }).suites.map((s) => s.id);
    expect(() => ids({ ...base, sut: { name: 'server', baseUrl: 'http://127.0.0.1:1' } })).toThrow(/no suite matches/);
    expect(ids(sutConfig('true'))).toEqual([consumerSuite.id]);
    expect(ids({ ...base, sut: { name: 'server', baseUrl: 'http://127.0.0.1:1' } }, ['MeasureConsumer'])).toEqual([consumerSuite.id]);
    expect(ids({ ...base, sut: undefined })).toEqual([consumerSuite.id]);
  });

  it('a configured SUT triggered by a command is judged on its own traffic, end to end', async () => {
    const script = join(dir, 'consumer.mjs');
    writeFileSync(script, SUT_SCRIPT());
    const results = await run(sutConfig(`node ${JSON.stringify(script)}`));
    const t = byTitle(results);
    const verdict = (title: string) => t.get(title)?.verdict;

    expect(verdict('The consumer queries the Measure Source for MeasureReports when triggered')).toBe('pass');
    const capture = t.get('The consumer queries the Measure Source for MeasureReports when triggered')!;
    expect(capture.evidence.filter((e) => e.kind === 'http' && e.exchange.direction === 'inbound').length).toBeGreaterThan(5);
    expect(results.suites[0]!.setupEvidence).toContainEqual({ kind: 'note', text: expect.stringMatching(/^trigger command: node /) });
    for (const title of [
      'MeasureReport searches name the measure',
      'The consumer finds reports by measure with a two-sided period range',
      'Date parameters carry well-formed FHIR dates with valid prefixes',
      'Every search uses parameters Query Measure defines for its type',
      'Accept names the FHIR media types',
      'The consumer bounds its pages with _count',
      'The consumer follows every next link to the last page',
      'Location: the consumer reads by id',
    ]) {
      expect([title, verdict(title)]).toEqual([title, 'pass']);
    }
    // What the script never does though asked: read Organizations (SHALL). What it never does unasked: the optional parameters (MAY).
    expect(verdict('Organization: the consumer reads by id')).toBe('fail');
    expect(t.get('Organization: the consumer reads by id')!.reason).toBe(
      'there were none to look at; expected at least one: the consumer read a Organization (GET [base]/Organization/[id]) and got it, as the suite asked',
    );
    // It found the Measure by a search (Measure?_count=50), which counts as fetching it: only the reporters fail the reference rule.
    const references = t.get('The consumer reads the subject, reporter and Measure of the reports it gets')!;
    expect(references.verdict).toBe('fail');
    expect(references.reason).toMatch(/^\d+ of \d+ do not \(Organization\/.+ not read.*\); expected every one: the consumer read every reporter Organization/);
    expect(references.assertions.filter((a) => !a.passed)).toHaveLength(1);
    const optional = t.get('Location: optional searches by name, identifier and _include=*')!;
    expect([optional.verdict, optional.reason]).toEqual(['skip', expect.stringContaining('not used (MAY)')]);
    expect(results.requirements.find((r) => r.id === 'SANER-QM-CON-004')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('not used (MAY): never searched Location by name') });
    // The CSV Option is not claimed, so its tests are skipped with that reason.
    const csv = results.tests.filter((x) => x.title.includes('csv') || x.title.includes('CSV'));
    expect(csv.length).toBe(4);
    expect(csv.every((x) => x.verdict === 'skip' && x.reason === 'option CSV not claimed')).toBe(true);
    expect(results.overall).toBe('fail');
  }, 60_000);

  it('a SUT that never calls is reported as such: what it was asked to show fails, checks over nothing decide nothing', async () => {
    const results = await run(sutConfig('true'));
    const capture = results.tests[0]!;
    expect(capture.verdict).toBe('fail');
    expect(capture.reason).toMatch(/^the Measure Consumer sent nothing to .* \(the trigger command had exited with 0, and nothing came within 5 s\); expected a MeasureReport search/);
    const t = byTitle(results);
    expect(t.get('MeasureReport searches name the measure')?.verdict).toBe('fail');
    expect(t.get('Accept names the FHIR media types')?.verdict).toBe('skip');
    expect(results.requirements.find((r) => r.id === 'SANER-QM-PG-004-CON')?.verdict).toBe('skip');
  }, 60_000);

  it('a SUT that queries with date instead of period fails the period rule only, and dates are still judged well formed', async () => {
    const script = join(dir, 'consumer-date.mjs');
    writeFileSync(script, SUT_SCRIPT({ dateInsteadOfPeriod: true }));
    const results = await run(sutConfig(`node ${JSON.stringify(script)}`));
    const t = byTitle(results);
    expect(t.get('MeasureReport searches bound the period')?.verdict).toBe('fail');
    expect(t.get('The consumer finds reports by measure with a two-sided period range')?.verdict).toBe('fail');
    expect(t.get('Date parameters carry well-formed FHIR dates with valid prefixes')?.verdict).toBe('pass');
    const verdict = (id: string) => results.requirements.find((r) => r.id === id)?.verdict;
    expect([verdict('SANER-QM-CON-016'), verdict('SANER-QM-PG-016-CON'), verdict('SANER-QM-CON-017'), verdict('SANER-QM-CON-015')]).toEqual(['fail', 'fail', 'pass', 'pass']);
  }, 60_000);

  it('a SUT that rebuilds the next page from its own parameters instead of following the opaque next link fails paging', async () => {
    const script = join(dir, 'consumer-rebuild.mjs');
    writeFileSync(script, SUT_SCRIPT({ rebuildNextLink: true }));
    const t = byTitle(await run(sutConfig(`node ${JSON.stringify(script)}`)));
    const paging = t.get('The consumer follows every next link to the last page')!;
    expect(paging.verdict).toBe('fail');
    expect(paging.reason).toMatch(/not requested: http:\/\/127\.0\.0\.1:\d+\/_page\//);
  }, 60_000);

  it('the reference client under rebuild-next-link fails the paging test, as a client library rebuilding links would', async () => {
    const t = byTitle(await run({ ...base, sut: undefined }, ['rebuild-next-link']));
    expect(t.get('The consumer follows every next link to the last page')?.verdict).toBe('fail');
  }, 60_000);

  it('every requirement of the two Consumer CapabilityStatements gets a verdict from the reference run', async () => {
    const results = await run({ ...base, sut: undefined });
    // The whole catalogue is listed; what matters here is every requirement of the statements the suite covers.
    const covered = new Set(results.suites.flatMap((s) => s.capabilities));
    expect(results.requirements.filter((r) => r.verdict === 'not-tested' && covered.has(r.capability ?? '')).map((r) => r.id)).toEqual([]);
    expect(results.tests.filter((t) => t.verdict !== 'pass' && t.verdict !== 'manual').map((t) => `${t.title}: ${t.reason}`)).toEqual([]);
    expect(results.requirements.length).toBeGreaterThanOrEqual(67);
  }, 60_000);
});
