import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/commands/report.js';
import type { CliIo } from '../../src/cli/command.js';
import { InputError, UsageError } from '../../src/cli/command.js';
import { loadResults, parseResults, ResultsFileError, serializeResults } from '../../src/report/results-file.js';
import { sampleResults } from '../fixtures-report/sample.js';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd, env: {}, signal: new AbortController().signal };
  return { io: value, out, err };
}

async function rejection(path: string): Promise<ResultsFileError> {
  const e = await loadResults(path).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ResultsFileError);
  return e as ResultsFileError;
}

describe('results.json', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mc-results-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips RunResults unchanged through serializeResults and loadResults', async () => {
    const results = sampleResults();
    const file = join(dir, 'results.json');
    await writeFile(file, serializeResults(results));
    await expect(loadResults(file)).resolves.toEqual(JSON.parse(JSON.stringify(results)));
  });

  it('accepts extra optional fields added to the contract later', () => {
    const results = { ...sampleResults(), shard: { index: 1, of: 2 } };
    expect(parseResults(results).tests).toHaveLength(9);
  });

  it('rejects a wrong file with one line naming the file and the problem', async () => {
    const cases: [string, string, RegExp][] = [
      ['package.json', JSON.stringify({ name: 'x', version: '1.0.0' }), /package\.json is not a measure-conformance results file: \(top level\) must have required property 'schemaVersion'$/],
      [
        'bad-verdict.json',
        JSON.stringify({ ...sampleResults(), tests: [{ ...sampleResults().tests[0], verdict: 'passed' }] }),
        /bad-verdict\.json is not a measure-conformance results file: \/tests\/0\/verdict must be equal to one of the allowed values \(pass, fail, warning, skip, error, manual\)$/,
      ],
      ['v2.json', JSON.stringify({ ...sampleResults(), schemaVersion: 2 }), /\/schemaVersion must be equal to constant; it was written by another version of measure-conformance$/],
      ['broken.json', '{"schemaVersion": 1,', /broken\.json is not JSON: /],
      [
        'evidence.json',
        JSON.stringify({ ...sampleResults(), tests: [{ ...sampleResults().tests[0], evidence: [{ kind: 'http' }] }] }),
        /\/tests\/0\/evidence\/0 must have required property 'exchange'$/,
      ],
    ];
    for (const [name, text, message] of cases) {
      await writeFile(join(dir, name), text);
      const e = await rejection(join(dir, name));
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('\n');
    }
    expect((await rejection(join(dir, 'missing.json'))).message).toBe(`${join(dir, 'missing.json')} does not exist`);
  });
});

describe('measure-conformance report', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mc-report-cmd-'));
    await writeFile(join(dir, 'results.json'), serializeResults(sampleResults()));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('re-renders every format but results.json itself next to it by default', async () => {
    const run = io(dir);
    const before = await readFile(join(dir, 'results.json'), 'utf8');
    await expect(reportCommand.run(['results.json'], run.io)).resolves.toBe(0);
    expect(run.out.join('')).toMatch(new RegExp(`^Wrote ${join(dir, 'index.html')}, ${join(dir, 'junit.xml')}, .*testreport.*, ${join(dir, 'summary.md')} \\(overall verdict: FAIL, 9 tests\\)\n$`));
    await expect(readFile(join(dir, 'results.json'), 'utf8')).resolves.toBe(before);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('Acme &lt;Reporting&gt; Server');
    expect(html).toContain('id="req-SANER-QM-SRC-005"');
  });

  it('writes into --out DIR, creating it', async () => {
    const run = io(dir);
    await expect(reportCommand.run([join(dir, 'results.json'), '--out', 'html/out'], run.io)).resolves.toBe(0);
    await expect(readFile(join(dir, 'html/out/index.html'), 'utf8')).resolves.toContain('<!DOCTYPE html>');
    await expect(reportCommand.run(['results.json', '--out=html/eq'], io(dir).io)).resolves.toBe(0);
    await expect(readFile(join(dir, 'html/eq/index.html'), 'utf8')).resolves.toContain('<!DOCTYPE html>');
  });

  it('rejects a wrong results file with one line on stderr and exit code 2', async () => {
    await writeFile(join(dir, 'config.json'), JSON.stringify({ sut: { baseUrl: 'http://x' } }));
    const run = io(dir);
    // An input the command cannot use is an InputError, which the CLI prints as one line and exit 2.
    await expect(reportCommand.run(['config.json'], run.io)).rejects.toThrow(InputError);
    await expect(reportCommand.run(['config.json'], run.io)).rejects.toThrow(/config\.json is not a measure-conformance results file: \(top level\) must have required property 'schemaVersion'$/);
    expect(run.out).toEqual([]);
  });

  it('reports usage mistakes as UsageError', async () => {
    await expect(reportCommand.run([], io(dir).io)).rejects.toThrow(UsageError);
    await expect(reportCommand.run(['a.json', 'b.json'], io(dir).io)).rejects.toThrow(/too many arguments: 'b.json' \(at most 1 results.json to render\)/);
    await expect(reportCommand.run(['a.json', '--out'], io(dir).io)).rejects.toThrow(/--out needs a value/);
    await expect(reportCommand.run(['a.json', '--bogus'], io(dir).io)).rejects.toThrow(/unknown option --bogus/);
  });
});
