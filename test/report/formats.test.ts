import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/commands/report.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../cli/cli-io.js';
import { UsageError, type CliIo } from '../../src/cli/command.js';
import { REPORT_FORMAT_NAMES, REPORT_FORMATS } from '../../src/report/formats.js';
import { serializeResults } from '../../src/report/results-file.js';
import { writeReports } from '../../src/report/write.js';
import { sampleResults } from '../fixtures-report/sample.js';

function io(cwd: string): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), cwd, env: {}, signal: new AbortController().signal }, out, err };
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mc-formats-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('REPORT_FORMATS', () => {
  it('names each format by its key and renders every one of them from results alone', () => {
    const results = sampleResults();
    const context = { resultsText: serializeResults(results) };
    expect(REPORT_FORMAT_NAMES).toEqual(['json', 'html', 'junit', 'testreport', 'markdown']);
    for (const name of REPORT_FORMAT_NAMES) {
      const format = REPORT_FORMATS[name];
      expect(format.name).toBe(name);
      const files = format.render(results, context);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        expect(f.path).toMatch(/^[a-z0-9._-]+(\/[a-z0-9._-]+)*$/i);
        expect(f.content.length).toBeGreaterThan(0);
      }
    }
    expect(REPORT_FORMATS.json.render(results, context)[0]!.content).toBe(context.resultsText);
  });
});

describe('writeReports and the previous run', () => {
  it('compares with the run latest showed before, and says so when that file cannot be read', async () => {
    const latest = join(dir, 'reports', 'latest');
    const earlier = sampleResults();
    earlier.startedAt = '2026-03-01T09:00:00.000Z';
    earlier.requirements.find((r) => r.id === 'SANER-QM-PG-008')!.verdict = 'pass';
    await writeReports(earlier, join(dir, 'reports', 'run-1'), { latestDir: latest });
    const now = await writeReports(sampleResults(), join(dir, 'reports', 'run-2'), { latestDir: latest });
    expect(now.comparedWith).toBe(join(latest, 'results.json'));
    const html = await readFile(now.html, 'utf8');
    expect(html).toContain('id="new-failures"');
    await expect(readFile(join(dir, 'reports', 'run-2', 'summary.md'), 'utf8')).resolves.toContain('1 new failure(s)');
    await writeFile(join(dir, 'reports', 'run-2', 'results.json'), '{"not": "results"}');
    const third = await writeReports({ ...sampleResults(), startedAt: '2026-03-03T09:00:00.000Z' }, join(dir, 'reports', 'run-3'), { latestDir: latest });
    expect(third.comparedWith).toBeUndefined();
    expect(await readFile(third.html, 'utf8')).toMatch(/No comparison: .*results\.json could not be read as results/);
  });
});

describe('measure-conformance report', () => {
  it('re-renders only the formats asked for', async () => {
    const out = join(dir, 'only-junit');
    await writeFile(join(dir, 'results.json'), serializeResults(sampleResults()));
    const run = io(dir);
    await expect(reportCommand.run(['results.json', '--format', 'junit', '--format=markdown', '--out', out], run.io)).resolves.toBe(0);
    expect((await readdir(out)).sort()).toEqual(['junit.xml', 'summary.md']);
    await expect(reportCommand.run(['results.json', '--format', 'pdf'], io(dir).io)).rejects.toThrow(new UsageError("unknown format 'pdf' (formats: json, html, junit, testreport, markdown)"));
    await expect(reportCommand.run(['results.json', '--format'], io(dir).io)).rejects.toThrow('--format needs a value');
  });

  it('--compare OLD.json puts the change view at the top; an unreadable OLD is one line and exit 2', async () => {
    const old = sampleResults();
    old.startedAt = '2026-02-01T09:00:00.000Z';
    old.requirements.find((r) => r.id === 'SANER-PM-CON-001')!.verdict = 'pass';
    await writeFile(join(dir, 'old.json'), serializeResults(old));
    await writeFile(join(dir, 'results.json'), serializeResults(sampleResults()));
    const run = io(dir);
    await expect(reportCommand.run(['results.json', '--compare', 'old.json', '--format', 'html', '--out', 'cmp'], run.io)).resolves.toBe(0);
    expect(run.out.join('')).toContain(`compared with ${join(dir, 'old.json')}`);
    const html = await readFile(join(dir, 'cmp', 'index.html'), 'utf8');
    expect(html).toContain('Compared with Acme &lt;Reporting&gt; Server, run of 2026-02-01 09:00:00 UTC');
    expect(html.slice(html.indexOf('id="new-failures"'), html.indexOf('</table>', html.indexOf('id="new-failures"')))).toContain('SANER-PM-CON-001');
    const bad = captureIo(dir);
    await expect(main(['report', 'results.json', '--compare', 'missing.json'], bad)).resolves.toBe(2);
    expect(bad.err()).toBe(`${join(dir, 'missing.json')} does not exist\n`);
  });

  it('shows the hash of the file it was given, not of a re-serialisation', async () => {
    const text = `${serializeResults(sampleResults()).trimEnd()}\n\n`;
    await writeFile(join(dir, 'spaced.json'), text);
    await expect(reportCommand.run(['spaced.json', '--format', 'html', '--out', 'hash'], io(dir).io)).resolves.toBe(0);
    await expect(readFile(join(dir, 'hash', 'index.html'), 'utf8')).resolves.toContain(`sha256:${createHash('sha256').update(text).digest('hex')}`);
  });
});
