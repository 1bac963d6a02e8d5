import { describe, expect, it } from 'vitest';
import { createProgressPrinter, renderSummary, useColour, type ConsoleStream } from '../../src/report/console.js';
import { sampleResults } from '../fixtures-report/sample.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every ANSI colour sequence, which is what this looks for.
const ANSI = /\x1b\[/;

function stream(isTTY: boolean, columns = 60): ConsoleStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, columns, write: (t: string) => chunks.push(t), text: () => chunks.join('') };
}

function drive(s: ConsoleStream, env: NodeJS.ProcessEnv = {}) {
  let t = 0;
  const printer = createProgressPrinter(s, { total: 9, env, now: () => t, tickMs: 0 });
  for (const result of sampleResults().tests) {
    printer.testStarted(result);
    t += 1500;
    printer.testFinished(result);
  }
  printer.finish();
  printer.finish();
}

describe('progress printer', () => {
  it('prints one plain line per finished test when not on a TTY', () => {
    const s = stream(false);
    drive(s);
    const lines = s.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('[1/9] PASS   MeasureReport search by measure and date range (saner/query-measure/measure-source, 25 ms)');
    expect(lines[1]).toBe('[2/9] FAIL   _count limits the page and links next (saner/query-measure/measure-source, 25 ms) — no next link in a Bundle of 10 with _count=5');
    expect(lines[8]).toMatch(/^\[9\/9\] MANUAL Consumer retains reports/);
    expect(s.text()).not.toMatch(ANSI);
    expect(s.text()).not.toContain('\r');
  });

  it('rewrites a single line on a TTY with counter, elapsed time and current test, keeping problems above it', () => {
    const s = stream(true, 200);
    let t = 0;
    const printer = createProgressPrinter(s, { total: 9, env: {}, now: () => t, tickMs: 0 });
    const [first, second] = sampleResults().tests;
    printer.testStarted(first!);
    t = 65_000;
    printer.testFinished(first!);
    expect(s.text()).toContain('[0/9] 0:00 saner/query-measure/measure-source › MeasureReport search by measure and date range');
    expect(s.text()).toContain('[1/9] 1:05 saner/query-measure/measure-source › MeasureReport search by measure and date range');
    expect(s.text()).not.toContain('PASS');
    printer.testStarted(second!);
    printer.testFinished(second!);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the line a terminal shows is cleared (CR) and coloured (ESC sequences).
    expect(s.text()).toMatch(/\r +\r\x1b\[31mFAIL {2}\x1b\[39m _count limits/);
    printer.finish();
    expect(s.text().endsWith('\r')).toBe(true);
  });

  it('cuts the live line to the terminal width', () => {
    const s = stream(true, 30);
    const printer = createProgressPrinter(s, { total: 1, env: {}, now: () => 0, tickMs: 0 });
    printer.testStarted(sampleResults().tests[0]!);
    const line = s.text().split('\r').at(-1)!;
    expect(line).toHaveLength(29);
    expect(line.endsWith('…')).toBe(true);
    printer.finish();
  });

  it('writes no ANSI codes on a TTY when NO_COLOR is set', () => {
    const s = stream(true);
    drive(s, { NO_COLOR: '1' });
    expect(s.text()).toContain('FAIL');
    expect(s.text()).not.toMatch(ANSI);
    expect(useColour({ write: () => 0, isTTY: true }, {})).toBe(true);
    expect(useColour({ write: () => 0, isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColour({ write: () => 0, isTTY: false }, {})).toBe(false);
  });

  it('FORCE_COLOR asks for colour off a TTY and wins over NO_COLOR; FORCE_COLOR=0 turns it off; TERM=dumb gets none', () => {
    expect(useColour({ write: () => 0, isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColour({ write: () => 0, isTTY: false }, { FORCE_COLOR: '' })).toBe(true);
    expect(useColour({ write: () => 0, isTTY: true }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(useColour({ write: () => 0, isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColour({ write: () => 0, isTTY: true }, { TERM: 'dumb' })).toBe(false);
    const s = stream(false);
    drive(s, { FORCE_COLOR: '1' });
    expect(s.text()).toMatch(ANSI);
  });
});

describe('renderSummary', () => {
  it('tabulates verdicts per suite with totals, files and the overall verdict', () => {
    const text = renderSummary(sampleResults(), { files: ['/r/index.html', '/r/junit.xml'] });
    expect(text).not.toMatch(ANSI);
    expect(text.split('\n').slice(0, 7)).toEqual([
      'Suite                                   pass  fail  warning  error  skip  manual',
      '--------------------------------------  ----  ----  -------  -----  ----  ------',
      'saner/query-measure/measure-source         2     1        1      1     0       0',
      'saner/formats/measure-source               0     1        0      0     1       0',
      'saner/produce-measure/measure-consumer     0     1        0      0     0       1',
      '--------------------------------------  ----  ----  -------  -----  ----  ------',
      'Total                                      2     3        1      1     1       1',
    ]);
    expect(text).toContain('Reports:\n  /r/index.html\n  /r/junit.xml\n');
    expect(text).toContain('Overall: FAIL (9 tests in 1 min 24 s)\n');
    expect(text).not.toContain('interrupted');
  });

  it('says when the run was interrupted and colours only when asked', () => {
    const results = sampleResults();
    results.interrupted = true;
    expect(renderSummary(results)).toContain('Run interrupted: not every selected test ran.');
    const coloured = renderSummary(results, { colour: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured).toContain('Overall: \x1b[31mFAIL\x1b[39m');
  });
});
