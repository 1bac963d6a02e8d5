import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadResults } from '../../src/report/results-file.js';
import { writeReports } from '../../src/report/write.js';
import { sampleResults } from '../fixtures-report/sample.js';

// A file system that refuses symlinks, like Windows without developer mode.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, symlink: () => Promise.reject(Object.assign(new Error('EPERM: operation not permitted, symlink'), { code: 'EPERM' })) };
});

describe('writeReports where symlinks are refused', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('copies the run into the latest folder instead', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mc-copy-'));
    const latest = join(dir, 'latest');
    await writeReports(sampleResults(), join(dir, 'run'), { latestDir: latest });
    const stat = await lstat(latest);
    expect(stat.isSymbolicLink()).toBe(false);
    expect(stat.isDirectory()).toBe(true);
    expect((await loadResults(join(latest, 'results.json'))).sut.name).toBe('Acme <Reporting> Server');
    await expect(lstat(join(latest, 'testreport', 'saner-formats-measure-source.json'))).resolves.toBeDefined();
  });
});
