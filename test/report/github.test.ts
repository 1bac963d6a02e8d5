import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';
import { githubAnnotations, publishToGitHub } from '../../src/report/github.js';
import { cell, renderMarkdown } from '../../src/report/markdown.js';
import { serializeResults } from '../../src/report/results-file.js';
import { measureSource } from '../../simulators/measure-source/index.js';
import { captureIo } from '../cli/cli-io.js';
import { sampleResults } from '../fixtures-report/sample.js';

describe('githubAnnotations', () => {
  it('writes ::error per failed or errored requirement and ::warning per warned one, with its reason and test', () => {
    const lines = githubAnnotations(sampleResults());
    expect(lines.map((l) => l.slice(0, l.indexOf(' ')))).toEqual(['::error', '::error', '::error', '::error', '::error', '::error', '::warning']);
    expect(lines[0]).toBe(
      '::error title=SANER-QM-PG-008 (SHALL) fails::_count limits the page size and provides a next link: expected a next link, found none <script>window.__pwned = true</script> [test saner/query-measure/measure-source/count-paging]',
    );
    expect(lines[5]).toBe(
      '::error title=SANER-QM-SRC-004 (SHALL) could not be decided::Support $evaluate-measure: connect ECONNREFUSED 10.0.0.1:443 [test saner/query-measure/measure-source/evaluate-measure]',
    );
    expect(lines[6]).toMatch(/^::warning title=SANER-QM-PG-003 \(SHOULD\) not met::Answer legacy _format values: _format=text\/xml gave 406/);
  });

  it('encodes what would end a workflow command early: newlines and % in the message, also : and , in the title', () => {
    const results = sampleResults();
    const r = results.requirements.find((x) => x.id === 'SANER-QM-PG-008')!;
    r.statement = 'one\ntwo 100%';
    r.id = 'A:B,C';
    const [line] = githubAnnotations(results);
    expect(line).toBe(
      '::error title=A%3AB%2CC (SHALL) fails::one%0Atwo 100%25: expected a next link, found none <script>window.__pwned = true</script> [test saner/query-measure/measure-source/count-paging]',
    );
    expect(line).not.toContain('\n');
  });

  it('says nothing for a run with nothing failed or warned', () => {
    const results = sampleResults();
    for (const r of results.requirements) if (r.verdict !== 'manual') r.verdict = 'pass';
    expect(githubAnnotations(results)).toEqual([]);
  });
});

describe('renderMarkdown', () => {
  it('is the readiness matrix with what needs attention and the hash of results.json', () => {
    const results = sampleResults();
    const md = renderMarkdown(results, { resultsText: serializeResults(results) });
    expect(md).toContain('## Conformance: Acme &lt;Reporting&gt; Server — Fail');
    expect(md).toContain(
      '| MeasureSource (SANER Query Measure) | 4/8 (50 %) | 0/1 (0 %) | Pass | Pass | **2 SHALL requirements fail, 1 could not be decided** (1 SHOULD not met · 1 SHALL requirement not tested) |',
    );
    expect(md).toContain('| _CSV_ | — | — | — | — | not claimed |');
    expect(md).toContain('### Needs attention (8)');
    expect(md).toMatch(
      /\| Fail \| `SANER-QM-PG-008` SHALL: \\_count limits the page size and provides a next link \| expected a next link, found none &lt;script&gt;window.\\_\\_pwned = true&lt;\/script&gt; \|/,
    );
    expect(md).toMatch(/results\.json sha256:[0-9a-f]{64}/);
  });

  it('keeps SUT text from breaking the table', () => {
    expect(cell('a | b\nc <b>*x*</b>')).toBe('a \\| b c &lt;b&gt;\\*x\\*&lt;/b&gt;');
  });
});

describe('publishToGitHub', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mc-github-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints annotations only under GitHub Actions and appends the matrix to the step summary only when asked', async () => {
    const summary = join(dir, 'summary.md');
    await writeFile(summary, '# earlier step\n');
    const out: string[] = [];
    const err: string[] = [];
    const io = (env: NodeJS.ProcessEnv) => ({ env, stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) });
    await publishToGitHub(sampleResults(), io({}));
    expect(out).toEqual([]);
    await publishToGitHub(sampleResults(), io({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }));
    expect(out.join('').split('\n').filter(Boolean)).toHaveLength(7);
    const written = await readFile(summary, 'utf8');
    expect(written.startsWith('# earlier step\n## Conformance: Acme')).toBe(true);
    await publishToGitHub(sampleResults(), io({ GITHUB_STEP_SUMMARY: join(dir, 'missing', 'summary.md') }));
    expect(err).toEqual([expect.stringMatching(/^measure-conformance: could not write the step summary to .*missing\/summary\.md: ENOENT\n$/)]);
  });
});

describe('measure-conformance run on GitHub Actions', () => {
  let faulty: RunningFhirServer;
  let dir = '';
  beforeAll(async () => {
    faulty = await measureSource.start({ faults: ['metadata-wrong-fhir-version'] });
    dir = await mkdtemp(join(tmpdir(), 'mc-github-run-'));
  });
  afterAll(async () => {
    await faulty.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('annotates the failed SHALL, fills the step summary, and compares the next run with the one before', async () => {
    const summary = join(dir, 'step-summary.md');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
    const first = captureIo(dir, env);
    expect(await main(['run', '--sut', faulty.url, '--suite', 'fhir-core/*'], first)).toBe(1);
    expect(first.out()).toMatch(/^::error title=FHIR-CAP-002 \(SHALL\) fails::/m);
    await expect(readFile(summary, 'utf8')).resolves.toMatch(/^## Conformance: .* — Fail/);
    const second = captureIo(dir, {});
    expect(await main(['run', '--sut', faulty.url, '--suite', 'fhir-core/*'], second)).toBe(1);
    expect(second.out()).not.toContain('::error');
    const html = await readFile(join(dir, 'reports', 'latest', 'index.html'), 'utf8');
    expect(html).toContain('<h2>Changes since the previous run</h2>');
    expect(html).toContain('id="no-changes"');
  }, 60_000);
});
