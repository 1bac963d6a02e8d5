// The HTML load report in headless Chromium: it opens from a file with nothing from the network, shows
// the figures and the findings with their requirement ids, and draws both plots.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../src/load/model.js';
import { runLoad } from '../../src/load/run.js';
import { SCENARIOS } from '../../src/load/scenarios/index.js';
import { parseThreshold } from '../../src/load/thresholds.js';
import { writeLoadReport } from '../../src/load/write.js';
import { startStandIn } from './stand-in.js';

const CHROMIUM = '/usr/bin/chromium';

describe('HTML load report in headless Chromium', () => {
  let dir = '';
  let profile = '';
  let context: BrowserContext | undefined;
  let page: Page;
  let result: LoadResult;
  const pageErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y --no-install-recommends chromium\``);
    dir = await mkdtemp(join(tmpdir(), 'mc-load-html-'));
    profile = await mkdtemp(join(tmpdir(), 'mc-chromium-'));
    const server = await startStandIn({ every5th503: true });
    try {
      result = await runLoad({
        scenario: SCENARIOS['produce-measure']!,
        baseUrl: server.url,
        sut: { name: 'Acme <script>window.__pwned = true</script>', simulated: false },
        http: {},
        model: { type: 'open', rate: 60, maxInFlight: 20 },
        bounds: { durationMs: 2_500, rampMs: 500 },
        facilities: 5,
        invalidShare: 0,
        validateSample: 5,
        keepData: false,
        thresholds: [parseThreshold('errors<1%')],
        signal: new AbortController().signal,
      });
    } finally {
      await server.close();
    }
    const written = await writeLoadReport(result, dir);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(written.html).href);
  });

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('draws the latency-over-time and the percentile plots', async () => {
    await expect.poll(() => page.getAttribute('body', 'data-plots')).toBe('drawn');
    for (const id of ['#latency-plot', '#histogram-plot']) {
      const inked = await page.locator(`${id} canvas`).evaluate((c) => {
        const canvas = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      });
      expect(inked, id).toBeGreaterThan(500);
    }
    expect(result.series.length).toBeGreaterThan(1);
  });

  it('shows the figures, the missed threshold and the findings with their requirement ids', async () => {
    await expect(page.locator('#verdict').innerText()).resolves.toBe('thresholds missed');
    await expect(page.locator('#figures').innerText()).resolves.toContain(`${result.requests.sent}`);
    await expect(page.locator('#thresholds').innerText()).resolves.toMatch(/errors<1%\s+missed/);
    const findings = await page.locator('#findings').innerText();
    expect(findings).toContain('SANER-PM-CON-002');
    expect(findings).toContain('answered 503');
  });

  it('runs only its own script and loads nothing from the network', async () => {
    expect(pageErrors).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    await expect(page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned)).resolves.toBeUndefined();
    await expect(page.locator('#sut').innerText()).resolves.toBe('Acme <script>window.__pwned = true</script>');
  });
});
