import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadResults } from '../../src/report/results-file.js';
import { writeReports } from '../../src/report/write.js';
import { sampleResults } from '../fixtures-report/sample.js';

describe('writeReports', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mc-write-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes index.html, results.json, junit.xml and one TestReport per suite, creating folders', async () => {
    const out = join(dir, 'runs', '2026-03-02T09-00-00Z');
    const written = await writeReports(sampleResults(), out);
    expect(written).toMatchObject({
      html: join(out, 'index.html'),
      json: join(out, 'results.json'),
      junit: join(out, 'junit.xml'),
      testReports: [
        join(out, 'testreport', 'saner-query-measure-measure-source.json'),
        join(out, 'testreport', 'saner-formats-measure-source.json'),
        join(out, 'testreport', 'saner-produce-measure-measure-consumer.json'),
      ],
    });
    // Every format of the registry, results.json first so the data is on disk whatever fails after it.
    expect(Object.keys(written.files)).toEqual(['json', 'html', 'junit', 'testreport', 'markdown']);
    expect(written.files.markdown).toEqual([join(out, 'summary.md')]);
    expect(written.comparedWith).toBeUndefined();
    await expect(loadResults(written.json)).resolves.toEqual(JSON.parse(JSON.stringify(sampleResults())));
    expect(XMLValidator.validate(await readFile(written.junit, 'utf8'))).toBe(true);
    await expect(readFile(written.html, 'utf8')).resolves.toMatch(/^<!DOCTYPE html>/);
    const report = JSON.parse(await readFile(written.testReports[0]!, 'utf8')) as { resourceType: string };
    expect(report.resourceType).toBe('TestReport');
  });

  it('points reports/latest at the newest run, replacing the previous link', async () => {
    const latest = join(dir, 'reports', 'latest');
    await writeReports(sampleResults(), join(dir, 'reports', 'run-1'), { latestDir: latest });
    const second = sampleResults();
    second.sut.name = 'Second run';
    const written = await writeReports(second, join(dir, 'reports', 'run-2'), { latestDir: latest });
    expect(written.latest).toBe(latest);
    expect((await lstat(latest)).isSymbolicLink()).toBe(true);
    expect(await readlink(latest)).toBe('run-2');
    expect((await loadResults(join(latest, 'results.json'))).sut.name).toBe('Second run');
  });

  it('replaces a copied latest folder left by an earlier run', async () => {
    const latest = join(dir, 'copied', 'latest');
    await mkdir(latest, { recursive: true });
    await writeFile(join(latest, 'stale.txt'), 'old');
    await writeReports(sampleResults(), join(dir, 'copied', 'run'), { latestDir: latest });
    await expect(lstat(join(latest, 'stale.txt'))).rejects.toThrow(/ENOENT/);
    await expect(lstat(join(latest, 'index.html'))).resolves.toBeDefined();
  });

  it('refuses a latest folder that contains the run folder instead of deleting the run', async () => {
    const parent = join(dir, 'nested');
    await expect(writeReports(sampleResults(), join(parent, 'run'), { latestDir: parent })).rejects.toThrow(/contains the run folder/);
    await expect(lstat(join(parent, 'run', 'index.html'))).resolves.toBeDefined();
  });
});
