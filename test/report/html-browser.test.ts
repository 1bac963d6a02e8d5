import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { sampleResults } from '../fixtures-report/sample.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = resolve('reports/screenshots');

describe('HTML report in headless Chromium', () => {
  let dir = '';
  let profile = '';
  let context: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y --no-install-recommends chromium\``);
    }
    dir = await mkdtemp(join(tmpdir(), 'mc-report-'));
    profile = await mkdtemp(join(tmpdir(), 'mc-chromium-'));
    const results = sampleResults();
    results.interrupted = true;
    await writeFile(join(dir, 'index.html'), renderHtml(results));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
  });

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('renders the summary: overall verdict, counts, SHALL share and the interrupted banner', async () => {
    await expect(page.locator('#overall').innerText()).resolves.toMatch(/Fail/);
    await expect(page.locator('#test-counts [data-verdict=fail] .n').innerText()).resolves.toBe('3');
    await expect(page.locator('#test-counts [data-verdict=pass] .n').innerText()).resolves.toBe('2');
    await expect(page.locator('#requirement-counts [data-verdict=not-tested] .n').innerText()).resolves.toBe('2');
    await expect(page.locator('#capability-summary tr').nth(1).locator('.shall-share').innerText()).resolves.toBe('2 / 6 (33 %)');
    await expect(page.locator('#interrupted').isVisible()).resolves.toBe(true);
    await expect(page.locator('#sut-name').innerText()).resolves.toBe('Acme <Reporting> Server');
  });

  it('runs its own script, loads nothing from the network, and shows injected script as text', async () => {
    expect(pageErrors).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    await expect(page.locator('#filters').isVisible()).resolves.toBe(true);
    await expect(page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned)).resolves.toBeUndefined();
    await expect(page.locator('tr#req-FHIR-HTTP-001').innerText()).resolves.toContain('<script>window.__pwned = true</script>');
  });

  it('expands a test linked from a requirement to its pretty-printed request and response', async () => {
    const details = page.locator('details.test[data-test-id="saner/query-measure/measure-source/search-by-measure-and-date"]');
    await expect(details.evaluate((d) => (d as unknown as { open: boolean }).open)).resolves.toBe(false);
    await page.locator('tr#req-SANER-QM-SRC-001 a.test-link').click();
    // The link opens the panel from a hashchange handler, which runs after the click resolves.
    await expect.poll(() => details.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
    const response = await details.locator('.response pre.body').first().innerText();
    expect(response).toContain('{\n  "resourceType": "Bundle",\n  "type": "searchset"');
    await expect(details.locator('.request pre.h').first().innerText()).resolves.toContain('authorization: [redacted]');
    const xml = page.locator('details.test[data-test-id="saner/query-measure/measure-source/read-xml"]');
    await xml.locator('summary').click();
    await expect(xml.locator('.response pre.body').innerText()).resolves.toContain('<MeasureReport xmlns="http://hl7.org/fhir">\n  <id value="mr-1"/>');
    await page.evaluate('window.scrollTo(0, 0)');
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'report.png'), fullPage: true });
  });

  it('hides requirement rows and tests when a verdict filter is unticked, and shows them again', async () => {
    const passRows = page.locator('tr.req[data-verdict=pass]');
    const before = await passRows.count();
    expect(before).toBeGreaterThan(0);
    await expect(passRows.first().isVisible()).resolves.toBe(true);
    await page.locator('#filters input[name=verdict][value=pass]').uncheck();
    for (let i = 0; i < before; i++) await expect(passRows.nth(i).isVisible()).resolves.toBe(false);
    await expect(page.locator('details.test[data-verdict=pass]').first().isVisible()).resolves.toBe(false);
    await expect(page.locator('tr.req[data-verdict=fail]').first().isVisible()).resolves.toBe(true);
    await page.locator('#filters input[name=expectation][value=SHALL]').uncheck();
    await expect(page.locator('tr.req[data-expectation=SHALL]').first().isVisible()).resolves.toBe(false);
    await expect(page.locator('tr.req[data-expectation=MAY][data-verdict=fail]').isVisible()).resolves.toBe(true);
    await page.locator('#filters button[data-action=all]').click();
    await expect(passRows.first().isVisible()).resolves.toBe(true);
  });

  it('reads fully with JavaScript disabled: no dead filter bar, every row shown, tests still expand', async () => {
    const noJsProfile = await mkdtemp(join(tmpdir(), 'mc-chromium-nojs-'));
    const noJs = await chromium.launchPersistentContext(noJsProfile, {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const p = noJs.pages()[0] ?? (await noJs.newPage());
      await p.goto(pathToFileURL(join(dir, 'index.html')).href);
      await expect(p.locator('#filters').isVisible()).resolves.toBe(false);
      const rows = p.locator('tr.req');
      const total = await rows.count();
      expect(total).toBe(13);
      for (let i = 0; i < total; i++) await expect(rows.nth(i).isVisible()).resolves.toBe(true);
      const test = p.locator('details.test').first();
      await test.locator('summary').click();
      await expect(test.locator('.response pre.body').first().isVisible()).resolves.toBe(true);
    } finally {
      await noJs.close();
      await rm(noJsProfile, { recursive: true, force: true });
    }
  });
});
