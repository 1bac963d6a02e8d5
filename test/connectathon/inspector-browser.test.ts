/**
 * The inspector in Debian's chromium (playwright-core, never a downloaded browser): exchanges
 * pushed to a served Measure Consumer appear live, a permalink opens the exchange with its findings,
 * the filters work, nothing is fetched from elsewhere, and the page is usable at 1400 and at 390 px.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidReport, push, removeDir, serveInProcess, validReport, type Served } from './serving.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = resolve('reports/screenshots');
const TOKEN = 'browser-token-1234';

describe('the inspector in headless Chromium', () => {
  let served: Served;
  let inspector = '';
  let profile = '';
  let context: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y --no-install-recommends chromium\``);
    served = await serveInProcess(['serve', '--simulator', 'measure-consumer'], `simulators:\n  inspector:\n    token: ${TOKEN}\n`);
    inspector = served.urls['inspector']!;
    profile = await mkdtemp(join(tmpdir(), 'mc-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    context.on('request', (r) => requests.push(r.url()));
    await mkdir(SCREENSHOT_DIR, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    if (served) {
      await served.stop();
      removeDir(served.dir);
    }
  });

  it('takes its token once, keeps a cookie, and shows pushes live as they arrive', async () => {
    await page.goto(`${inspector}/?token=${TOKEN}`);
    expect(new URL(page.url()).search).toBe('');
    await expect(page.locator('#empty').isVisible()).resolves.toBe(true);
    await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('open');
    expect(await push(served.urls['measure-consumer']!, validReport())).toBe(201);
    expect(await push(served.urls['measure-consumer']!, invalidReport())).toBe(422);
    const rows = page.locator('#exchanges > li');
    await expect.poll(() => rows.count()).toBe(2);
    // Newest first, and once judged each row says how its checks went.
    await expect.poll(() => rows.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-level')))).toEqual(['fail', 'pass']);
    await expect(rows.nth(0).locator('.status').innerText()).resolves.toBe('422');
    await expect(rows.nth(1).locator('.status').innerText()).resolves.toBe('201');
    await expect(rows.nth(0).locator('.findings .badge').innerText()).resolves.toMatch(/^1 fail · \d+ pass$/);
    await expect(page.locator('#count').innerText()).resolves.toBe('2 exchanges');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'inspector-list-1400.png'), fullPage: true });
  });

  it('opens an exchange at its permalink: request, answer, validation issues and findings with requirement ids', async () => {
    await page.locator('#exchanges > li').first().locator('a').click();
    await page.waitForURL(/\/exchanges\/[0-9a-z]+$/);
    const permalink = page.url();
    await expect(page.locator('#permalink').inputValue()).resolves.toBe(permalink);
    const failed = page.locator('#findings tr[data-verdict=fail]');
    await expect(failed.count()).resolves.toBe(1);
    await expect(failed.locator('td.req').innerText()).resolves.toBe('SANER-PM-SRC-001');
    await expect(page.locator('#issues').innerText()).resolves.toMatch(/second/);
    await expect(page.locator('#exchange .halves').innerText()).resolves.toMatch(/"resourceType": "OperationOutcome"/);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'inspector-exchange-1400.png'), fullPage: true });
    // Pasted elsewhere, the permalink opens the same exchange (the browser has its cookie).
    const other = await context!.newPage();
    await other.goto(permalink);
    await expect(other.locator('#exchange').getAttribute('data-id')).resolves.toBe(permalink.split('/').pop());
    await expect(other.locator('#findings tr[data-verdict=fail] td.req').innerText()).resolves.toBe('SANER-PM-SRC-001');
    await other.close();
  });

  it("filters the list by finding, and shows the client's summary", async () => {
    await page.goto(inspector);
    await page.locator('#filters select[name=finding]').selectOption('fail');
    await page.waitForURL(/finding=fail/);
    await expect(page.locator('#exchanges > li').count()).resolves.toBe(1);
    await expect(page.locator('#export').getAttribute('href')).resolves.toBe('/api/export?finding=fail');
    await page.goto(`${inspector}/clients`);
    await page.locator('#clients a').first().click();
    await expect(page.locator('#summary tr[data-verdict=fail] td.req').first().innerText()).resolves.toBe('SANER-PM-SRC-001');
    await expect(page.locator('#summary-counts [data-verdict="not shown"] .n').innerText()).resolves.not.toBe('0');
  });

  it('is usable at 390 px: nothing wider than the screen, rows readable as cards', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(inspector);
    await expect.poll(() => page.locator('#exchanges > li').count()).toBe(2);
    await expect(page.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
    const row = page.locator('#exchanges > li').first();
    const box = await row.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
    await expect(row.locator('.what').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'inspector-list-390.png'), fullPage: true });
    await row.locator('a').click();
    await page.waitForURL(/\/exchanges\//);
    await expect(page.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'inspector-exchange-390.png'), fullPage: true });
  });

  it('runs its own script without errors and fetches nothing from anywhere but itself', () => {
    expect(pageErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith(inspector))).toEqual([]);
  });
});
