import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import type { RunResults } from '../../src/engine/results.js';
import { renderHtml } from '../../src/report/html.js';
import { serializeResults } from '../../src/report/results-file.js';
import { sampleResults } from '../fixtures-report/sample.js';
import { PREPARE_FULL_PRINT, WIDEST } from './browser-probes.js';
import { countPdfPages } from './pdf-pages.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = resolve('reports/screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const open = (d: unknown) => (d as { open: boolean }).open;

let dir = '';
let profile = '';
let context: BrowserContext | undefined;
let page: Page;
let reference: RunResults;
let referenceUrl = '';
let failingUrl = '';
const pageErrors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y --no-install-recommends chromium\``);
  }
  dir = await mkdtemp(join(tmpdir(), 'mc-report-'));
  profile = await mkdtemp(join(tmpdir(), 'mc-chromium-'));
  // The reference run, as `npm start` makes it: every suite against the bundled simulators.
  const io: CliIo = { stdout: () => undefined, stderr: () => undefined, cwd: dir, env: {}, signal: new AbortController().signal };
  expect(await main(['run', '--out', 'reference'], io)).toBe(0);
  reference = JSON.parse(await readFile(join(dir, 'reference', 'results.json'), 'utf8')) as RunResults;
  referenceUrl = pathToFileURL(join(dir, 'reference', 'index.html')).href;
  // A failing run, compared with an earlier one in which one requirement still passed.
  const failing = sampleResults();
  const earlier = sampleResults();
  earlier.startedAt = '2026-03-01T09:00:00.000Z';
  earlier.requirements.find((r) => r.id === 'SANER-QM-PG-008')!.verdict = 'pass';
  await writeFile(join(dir, 'failing.html'), renderHtml(failing, { resultsText: serializeResults(failing), previous: { source: 'earlier/results.json', results: earlier } }));
  failingUrl = pathToFileURL(join(dir, 'failing.html')).href;
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await mkdir(SCREENSHOT_DIR, { recursive: true });
}, 180_000);

afterAll(async () => {
  await context?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** Loads the page afresh (a URL differing from the current one only by its #fragment would not reload). */
async function show(url: string, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await page.goto('about:blank');
  await page.goto(url);
}

describe('the reference report in headless Chromium', () => {
  it("shows the counts results.json holds: tests, requirements, and each CapabilityStatement's shares", async () => {
    await show(referenceUrl, 1400);
    for (const [verdict, n] of Object.entries(reference.counts)) {
      await expect(page.locator(`#test-counts [data-verdict=${verdict}] .n`).innerText()).resolves.toBe(String(n));
    }
    const tally: Record<string, number> = {};
    for (const r of reference.requirements) tally[r.verdict] = (tally[r.verdict] ?? 0) + 1;
    for (const verdict of ['pass', 'fail', 'warning', 'error', 'skip', 'manual', 'not-tested']) {
      await expect(page.locator(`#requirement-counts [data-verdict=${verdict}] .n`).innerText()).resolves.toBe(String(tally[verdict] ?? 0));
    }
    expect(await page.locator('tr.req').count()).toBe(reference.requirements.length);
    expect(await page.locator('details.test').count()).toBe(reference.tests.length);
    expect(reference.capabilities.length).toBeGreaterThan(10);
    for (const c of reference.capabilities) {
      const section = page.locator(`section[data-capability="${c.url}"]`);
      const attrs = await section.evaluate((s) =>
        ['shall-passed', 'shall-total', 'should-passed', 'should-total'].map((n) => Number((s as unknown as { getAttribute(n: string): string }).getAttribute(`data-${n}`))),
      );
      expect([c.url, ...attrs]).toEqual([c.url, c.shall.passed, c.shall.total, c.should.passed, c.should.total]);
    }
    // Each matrix row the run tested carries the numbers of the statements it covers.
    const rows = page.locator('#readiness-matrix tr.rr:not(.greyed) td.shall');
    expect(await rows.count()).toBeGreaterThan(5);
    const shown = await rows.evaluateAll((cells) => cells.map((c) => Number((c as unknown as { getAttribute(n: string): string }).getAttribute('data-total'))));
    expect(shown.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(reference.requirements.filter((r) => r.expectation === 'SHALL').length);
  });

  it('lists the whole catalogue: statements no suite covered are greyed, not in this run, never 0 %', async () => {
    const untested = page.locator('#readiness-matrix tr.rr.greyed');
    expect(await untested.count()).toBeGreaterThan(0);
    for (const text of await untested.locator('td.rverdict').allInnerTexts()) expect(text).toMatch(/^not (in this run|claimed)/);
    expect((await untested.allInnerTexts()).join('\n')).not.toContain('%');
    await expect(page.locator('#overall').innerText()).resolves.toMatch(/Pass/);
    await expect(page.locator('#sut-where').innerText()).resolves.toMatch(/^the bundled reference simulators stood in for the SUT/);
  });

  it('prints its summary on at most 5 A4 pages, and the full report on more', async () => {
    const summary = countPdfPages(await page.pdf({ format: 'A4' }));
    expect(summary).toBeGreaterThan(0);
    expect(summary).toBeLessThanOrEqual(5);
    await expect(page.evaluate(PREPARE_FULL_PRINT)).resolves.toBe(true);
    expect(countPdfPages(await page.pdf({ format: 'A4' }))).toBeGreaterThan(summary);
  }, 120_000);

  it('fits a 390 px phone without horizontal scrolling, tests opened or not', async () => {
    await show(referenceUrl, 390);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'reference-390.png') });
    expect(await page.evaluate(WIDEST)).toMatchObject({ clientWidth: 390, scrollWidth: 390, over: [] });
    const test = page.locator('details.test').first();
    await test.locator('summary').click();
    await expect.poll(() => test.locator('details.exchange').count()).toBeGreaterThan(0);
    // A test with few exchanges opens them with it; else open the first.
    const exchange = test.locator('details.exchange').first();
    if (!(await exchange.evaluate(open))) await exchange.locator('summary').click();
    await expect.poll(() => exchange.locator('.halves').isVisible()).toBe(true);
    expect(await page.evaluate(WIDEST)).toMatchObject({ scrollWidth: 390, over: [] });
    await show(referenceUrl, 1400);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'reference-1400.png') });
  });
});

describe('a failing report in headless Chromium', () => {
  it('heads with the overall verdict, the matrix with the unclaimed option greyed, and the change view', async () => {
    await show(failingUrl, 1400);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'failing-1400.png') });
    await expect(page.locator('#overall').innerText()).resolves.toMatch(/Fail/);
    await expect(page.locator('#sut-name').innerText()).resolves.toBe('Acme <Reporting> Server');
    const rows = page.locator('#readiness-matrix tr.rr');
    await expect(rows.locator('th').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^MeasureSource \(SANER Query Measure\)/),
      expect.stringMatching(/^MeasureConsumer \(SANER Produce Measure\)/),
      expect.stringMatching(/^Requirements of no CapabilityStatement/),
      expect.stringMatching(/^CSV/),
    ]);
    await expect(rows.nth(0).locator('.rverdict strong').innerText()).resolves.toBe('2 SHALL requirements fail, 1 could not be decided');
    await expect(rows.nth(0).locator('.shall-share').innerText()).resolves.toBe('4 / 8 (50 %)');
    await expect(rows.nth(3).getAttribute('class')).resolves.toContain('greyed');
    await expect(rows.nth(3).locator('.rverdict').innerText()).resolves.toBe('not claimed');
    await expect(page.locator('#new-failures tr[data-requirement="SANER-QM-PG-008"]').isVisible()).resolves.toBe(true);
    await expect(page.locator('#attention tbody tr').count()).resolves.toBe(8);
  });

  it('runs its own script, loads nothing from the network, and shows injected script as text', async () => {
    expect(pageErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((u) => u.startsWith('file:') || u === 'about:blank')).toBe(true);
    await expect(page.locator('#filters').isVisible()).resolves.toBe(true);
    await expect(page.evaluate('globalThis.__pwned')).resolves.toBeUndefined();
    await expect(page.locator('tr#req-FHIR-HTTP-001').textContent()).resolves.toContain('<script>window.__pwned = true</script>');
  });

  it('searches requirements and tests, and keeps the search in the URL', async () => {
    await page.locator('#search').fill('next LINK');
    await expect.poll(() => page.locator('tr.req:not(.filtered)').count()).toBe(1);
    await expect(page.locator('tr.req:not(.filtered)').getAttribute('id')).resolves.toBe('req-SANER-QM-PG-008');
    await expect(page.locator('details.test:not(.filtered)').count()).resolves.toBe(1);
    expect(new URL(page.url()).hash).toBe('#q=next%20LINK');
    await expect(page.locator('#filter-count').innerText()).resolves.toBe('1 of 18 requirements, 1 of 9 tests');
    await page.locator('#filters button[data-action=all]').click();
    await expect(page.locator('tr.req:not(.filtered)').count()).resolves.toBe(18);
  });

  it('hides rows and tests by verdict and expectation, and shows them again', async () => {
    // Rows far down the page are not rendered until scrolled to, so what is shown is read from the filter state.
    const shown = (selector: string) => page.locator(`${selector}:not(.filtered)`).count();
    const passRows = await page.locator('tr.req[data-verdict=pass]').count();
    expect(passRows).toBeGreaterThan(0);
    await page.locator('#filters input[name=verdict][value=pass]').uncheck();
    await expect(shown('tr.req[data-verdict=pass]')).resolves.toBe(0);
    await expect(shown('details.test[data-verdict=pass]')).resolves.toBe(0);
    await expect(page.locator('details.test[data-verdict=pass]').first().isVisible()).resolves.toBe(false);
    await page.locator('#filters input[name=expectation][value=SHALL]').uncheck();
    await expect(shown('tr.req[data-expectation=SHALL]')).resolves.toBe(0);
    await expect(shown('tr.req[data-expectation=MAY][data-verdict=fail]')).resolves.toBe(1);
    expect(new URL(page.url()).hash).toBe('#v=fail,warning,error,skip,manual,not-tested&e=SHOULD,MAY,SHOULD-NOT');
    await page.locator('#filters button[data-action=all]').click();
    await expect(shown('tr.req[data-verdict=pass]')).resolves.toBe(passRows);
    expect(new URL(page.url()).hash).toBe('');
  });

  it('opens a test from a link in the URL: filters applied, its title in view below the filter bar, its evidence drawn', async () => {
    for (const width of [1400, 390]) {
      await show(`${failingUrl}#t=test-saner-query-measure-measure-source-read-xml&v=pass`, width);
      const test = page.locator('#test-saner-query-measure-measure-source-read-xml');
      await expect.poll(() => test.evaluate(open)).toBe(true);
      await expect(page.locator('tr.req[data-verdict=fail]:not(.filtered)').count()).resolves.toBe(0);
      // Its title sits just below the sticky filter bar, not under it and not off screen.
      const inView = async () => {
        const title = (await test.locator(':scope > summary').boundingBox())!;
        const bar = (await page.locator('#filters').boundingBox())!;
        return title.y >= bar.y + bar.height - 1 && title.y + title.height <= bar.y + bar.height + 80;
      };
      await expect.poll(inView).toBe(true);
      // One exchange seen by the harness and by the simulator: drawn once, its XML body re-indented.
      await expect(test.locator('details.exchange').count()).resolves.toBe(1);
      await expect(test.locator('details.exchange .when').innerText()).resolves.toMatch(/^sent by the harness, received by the simulator/);
      await expect(test.locator('.response pre.body').innerText()).resolves.toContain('<MeasureReport xmlns="http://hl7.org/fhir">\n  <id value="mr-1"/>');
      await page.screenshot({ path: join(SCREENSHOT_DIR, `failing-test-link-${width}.png`) });
    }
  });

  it("follows a requirement's link to its test and keeps the open test in the URL; copies an exchange as curl", async () => {
    await show(failingUrl, 1400);
    const details = page.locator('details.test[data-test-id="saner/query-measure/measure-source/search-by-measure-and-date"]');
    await expect(details.evaluate(open)).resolves.toBe(false);
    await page.locator('tr#req-SANER-QM-SRC-001 a.test-link').click();
    await expect.poll(() => details.evaluate(open)).toBe(true);
    await expect.poll(() => new URL(page.url()).hash).toBe('#t=test-saner-query-measure-measure-source-search-by-measure-and-date');
    const response = await details.locator('.response pre.body').first().innerText();
    expect(response).toContain('{\n  "resourceType": "Bundle",\n  "type": "searchset"');
    expect(response).toContain('"note": "<script>window.__pwned = true</script>"');
    await expect(details.locator('.request pre.h').first().innerText()).resolves.toContain('authorization: [redacted]');
    await details.locator('button.curl-button').first().click();
    await expect(details.locator('pre.curl').innerText()).resolves.toBe(
      "curl 'http://sut.example/fhir/MeasureReport?measure=http%3A%2F%2Fhl7.org%2Ffhir%2Fuv%2Fsaner%2FMeasure%2FCDC&date=ge2026-03-01' \\\n  -H 'accept: application/fhir+json' \\\n  -H 'authorization: [redacted]'",
    );
    const post = page.locator('details.test[data-test-id="saner/produce-measure/measure-consumer/accepts-report"]');
    await post.locator('summary').click();
    await post.locator('button.curl-button').click();
    await expect(post.locator('pre.curl').innerText()).resolves.toMatch(
      /^curl -X POST 'http:\/\/127\.0\.0\.1:41234\/fhir\/MeasureReport' \\\n {2}-H 'content-type: application\/fhir\+json' \\\n {2}--data-binary '\{"resourceType":"MeasureReport",/,
    );
  });

  it('expands every test with its exchanges on one click, and fits a phone with the filter bar collapsed', async () => {
    await show(failingUrl, 1400);
    await page.locator('#filters button[data-action=expand]').click();
    await expect.poll(() => page.locator('details.test[open]').count()).toBe(9);
    await expect.poll(() => page.locator('details.exchange').count()).toBe(7);
    await show(failingUrl, 390);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'failing-390.png') });
    await expect(page.locator('#filter-more').isVisible()).resolves.toBe(false);
    expect((await page.locator('#filters').boundingBox())!.height).toBeLessThan(120);
    await page.locator('#filters-toggle').click();
    await expect(page.locator('#filter-more').isVisible()).resolves.toBe(true);
    await page.locator('#filters-toggle').click();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'failing-390-filters.png') });
    await page.locator('#filters-toggle').click();
    await page.locator('#filters button[data-action=expand]').click();
    await expect.poll(() => page.locator('details.exchange').count()).toBe(7);
    await page.evaluate("document.querySelectorAll('details.exchange').forEach((d) => { d.open = true; })");
    await expect.poll(() => page.locator('details.exchange .halves').count()).toBe(7);
    expect(await page.evaluate(WIDEST)).toMatchObject({ scrollWidth: 390, over: [] });
  }, 60_000);

  it('reads without JavaScript: no dead filter bar, every row shown, tests open to their checks', async () => {
    const noJsProfile = await mkdtemp(join(tmpdir(), 'mc-chromium-nojs-'));
    const noJs = await chromium.launchPersistentContext(noJsProfile, { executablePath: CHROMIUM, headless: true, javaScriptEnabled: false, args: ARGS });
    try {
      const p = noJs.pages()[0] ?? (await noJs.newPage());
      await p.goto(failingUrl);
      await expect(p.locator('#filters').isVisible()).resolves.toBe(false);
      const rows = p.locator('tr.req');
      expect(await rows.count()).toBe(18);
      for (let i = 0; i < 18; i++) await expect(rows.nth(i).isVisible()).resolves.toBe(true);
      const test = p.locator('details.test').first();
      await test.locator('summary').click();
      await expect(test.locator('.asserts').isVisible()).resolves.toBe(true);
      await expect(test.locator('.exchanges .nojs').innerText()).resolves.toMatch(/recorded; shown with JavaScript/);
    } finally {
      await noJs.close();
      await rm(noJsProfile, { recursive: true, force: true });
    }
  });
});
