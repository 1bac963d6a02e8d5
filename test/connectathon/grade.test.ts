/**
 * `grade`: the regression captures kept in the project (recorded by scripts/record-captures.ts from
 * reference clients, clean and with faults, through serve and through the proxy) grade to the
 * verdicts they gave when recorded; a capture graded twice gives the same results; a HAR file of
 * the same traffic grades the same with --as; and bad input is one clear line, exit 2.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { RunResults } from '../../src/engine/index.js';
import { captureIo } from '../cli/cli-io.js';
import { verdictsOf, type Verdicts } from './verdicts.js';

const CAPTURES = join(import.meta.dirname, 'captures');
const dirs: string[] = [];
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-grade-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function grade(args: string[], cwd = workdir()): Promise<{ code: number; results: RunResults; out: string; err: string }> {
  const io = captureIo(cwd);
  const code = await main(['grade', ...args, '--out', 'graded'], io);
  const results = code <= 1 ? (JSON.parse(readFileSync(join(cwd, 'graded', 'results.json'), 'utf8')) as RunResults) : (undefined as unknown as RunResults);
  return { code, results, out: io.out(), err: io.err() };
}

const stored = (name: string): Verdicts => JSON.parse(readFileSync(join(CAPTURES, `${name}.verdicts.json`), 'utf8')) as Verdicts;
const captures = readdirSync(CAPTURES)
  .filter((f) => f.endsWith('.capture.json'))
  .map((f) => f.replace(/\.capture\.json$/, ''))
  .sort();

/** A run's results without what changes from one grading to the next (times and durations). */
function timeless(results: RunResults): unknown {
  return JSON.parse(JSON.stringify(results, (key, value: unknown) => (['startedAt', 'finishedAt', 'durationMs', 'harness'].includes(key) && typeof value !== 'object' ? undefined : value)));
}

describe('the regression captures', () => {
  it('are kept in the project, through serve and through the proxy, clean and with faults', () => {
    expect(captures).toEqual(['madx-creator-clean', 'produce-measure-proxy-no-location', 'produce-measure-source-clean', 'produce-measure-source-invalid-report', 'query-measure-consumer-no-paging']);
  });

  it.each(captures)('%s grades to the verdicts it gave when recorded', async (name) => {
    const { code, results } = await grade([join(CAPTURES, `${name}.capture.json`)]);
    const verdicts = verdictsOf(results);
    expect(verdicts).toEqual(stored(name));
    expect(code).toBe(Object.values(verdicts.requirements).includes('fail') ? 1 : 0);
  });

  it('show what their faults break, on the side that broke it', () => {
    const failing = (name: string) =>
      Object.entries(stored(name).requirements)
        .filter(([, v]) => v === 'fail')
        .map(([id]) => id)
        .sort();
    expect(failing('produce-measure-source-clean')).toEqual([]);
    expect(failing('madx-creator-clean')).toEqual([]);
    expect(failing('produce-measure-source-invalid-report')).toEqual(['SANER-PM-PG-002-SRC', 'SANER-PM-SRC-001', 'SANER-PM-SRC-003']);
    expect(failing('produce-measure-proxy-no-location')).toEqual(['FHIR-HTTP-005']);
    expect(failing('query-measure-consumer-no-paging')).toEqual(['SANER-QM-PG-008-CON']);
    // Through the proxy both sides are graded; through serve only the client's.
    expect(Object.keys(stored('produce-measure-proxy-no-location').tests).some((t) => t.startsWith('saner/produce-measure/recorded-answers/'))).toBe(true);
    expect(Object.keys(stored('produce-measure-source-clean').tests).some((t) => t.startsWith('saner/produce-measure/recorded-answers/'))).toBe(false);
  });
});

describe('grade', () => {
  it('gives the same results when a saved capture is graded twice', async () => {
    const file = join(CAPTURES, 'produce-measure-source-invalid-report.capture.json');
    const first = await grade([file]);
    const second = await grade([file]);
    expect(first.code).toBe(1);
    expect(timeless(second.results)).toEqual(timeless(first.results));
    expect(first.out).toMatch(/index\.html/);
  });

  it('grades a HAR file of the same traffic with --as naming the suite, to the same verdicts', async () => {
    const { code, results } = await grade([join(CAPTURES, 'madx-creator-clean.har'), '--as', 'madx/send-aggregate-report/content-creator']);
    expect(code).toBe(0);
    expect(verdictsOf(results)).toEqual(stored('madx-creator-clean'));
    expect(results.suites[0]!.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+ \(recorded: .*madx-creator-clean\.har\)$/);
  });

  it('grades only the side a recording lets judge, and one client at a time', async () => {
    const clean = join(CAPTURES, 'produce-measure-source-clean.capture.json');
    const server = await grade([clean, '--as', 'saner/produce-measure/measure-consumer']);
    expect(server.code).toBe(2);
    expect(server.err).toMatch(/answered by the project's own simulator \(recorded by serve\), so only their client side can be graded/);
    // Two clients' traffic in one capture: which one is to be graded must be said.
    const cwd = workdir();
    const capture = JSON.parse(readFileSync(clean, 'utf8')) as { exchanges: { client: string }[] };
    capture.exchanges[0]!.client = '10.0.0.9';
    writeFileSync(join(cwd, 'two.json'), JSON.stringify(capture));
    const two = await grade(['two.json'], cwd);
    expect(two.code).toBe(2);
    expect(two.err).toMatch(/holds saner\/produce-measure traffic of 2 clients \(10\.0\.0\.9; 127\.0\.0\.1\): grade one at a time with --client/);
    const one = await grade(['two.json', '--client', '127.0.0.1'], cwd);
    expect(one.code).toBe(0);
    expect(one.results.suites[0]!.setupEvidence?.filter((e) => e.kind === 'http')).toHaveLength(3);
  });

  it('refuses bad input with one line naming the file, exit 2', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'broken.json'), '{\n  "format": "measure-conformance/capture",\n  "version": 1,\n  "exchanges": [\n    {,\n  ]\n}\n');
    writeFileSync(join(cwd, 'other.json'), JSON.stringify({ resourceType: 'Patient' }));
    copyFileSync(join(CAPTURES, 'madx-creator-clean.har'), join(cwd, 'traffic.har'));
    const cases: [string[], RegExp][] = [
      [['broken.json'], /^broken\.json:5: not JSON \(/],
      [['other.json'], /^other\.json: neither a measure-conformance capture \(format "measure-conformance\/capture"\) nor a HAR file \(log\.entries\)$/],
      [['traffic.har'], /^measure-conformance grade: traffic\.har is a HAR file, which does not say what it holds: name the suite with --as \(/],
      [['traffic.har', '--as', 'fhir-core/fhir-server'], /--as fhir-core\/fhir-server: not a suite that grades recorded traffic; suites: saner\/query-measure\/measure-consumer/],
      [['traffic.har', '--as', 'madx/send-aggregate-report/content-creator', '--base', 'http://127.0.0.1:9/fhir'], /^traffic\.har: no request in the HAR goes to http:\/\/127\.0\.0\.1:9\/fhir$/],
      [['missing.json'], /^missing\.json: cannot read it \(file not found\)$/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await grade(args, cwd);
      expect(code, args.join(' ')).toBe(2);
      expect(err.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(err.trimEnd(), args.join(' ')).toMatch(message);
    }
  });
});
