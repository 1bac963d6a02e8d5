import picocolors from 'picocolors';
import type { RunResults, TestResult, Verdict } from '../engine/results.js';
import { formatDuration, VERDICTS } from './format.js';

/** The bit of a writable stream the printer needs (process.stdout fits). */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Number of tests selected, for the `[n/total]` counter. */
  total?: number;
  env?: NodeJS.ProcessEnv;
  /** Clock, replaceable in tests. */
  now?: () => number;
  /** Redraw period of the TTY line, so the elapsed time moves during a long test; 0 disables the timer. */
  tickMs?: number;
}

export interface ProgressPrinter {
  testStarted(test: { id: string; title: string; suite: string }): void;
  testFinished(result: TestResult): void;
  /** Clears the live line and stops the timer; safe to call twice. */
  finish(): void;
}

type Colour = 'green' | 'red' | 'yellow' | 'magenta' | 'gray' | 'cyan' | 'bold' | 'dim';
const COLOURS: Record<Verdict | 'bold' | 'dim', Colour> = {
  pass: 'green',
  fail: 'red',
  warning: 'yellow',
  error: 'magenta',
  skip: 'gray',
  manual: 'cyan',
  bold: 'bold',
  dim: 'dim',
};
/** Always on: whether to colour is decided by useColour from the command's own streams and environment. */
const ON = picocolors.createColors(true);
const TAGS: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', warning: 'WARN', error: 'ERROR', skip: 'SKIP', manual: 'MANUAL' };

/**
 * Colour for a person at a terminal who has not asked for none (NO_COLOR, https://no-color.org),
 * or wherever FORCE_COLOR asks for it (a CI log that renders colour); FORCE_COLOR=0 turns it off.
 */
export function useColour(stream: ConsoleStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.NO_COLOR) return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

function paint(on: boolean, colour: keyof typeof COLOURS, text: string): string {
  return on ? ON[COLOURS[colour]](text) : text;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * On a TTY one line rewritten in place (counter, elapsed time, current test) with problems kept above
 * it; elsewhere (CI logs, pipes) one plain line per finished test. Rewriting uses `\r` and padding,
 * not escape codes, so NO_COLOR output holds no ANSI sequences at all.
 */
export function createProgressPrinter(stream: ConsoleStream, options: ProgressOptions = {}): ProgressPrinter {
  const now = options.now ?? Date.now;
  const colour = useColour(stream, options.env);
  const started = now();
  const total = options.total;
  let done = 0;
  let current = '';
  let drawn = 0;
  let finished = false;
  const counter = () => `[${done}/${total ?? '?'}]`;

  const clear = () => {
    if (drawn > 0) stream.write(`\r${' '.repeat(drawn)}\r`);
    drawn = 0;
  };
  const draw = () => {
    if (!stream.isTTY || finished) return;
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    const plain = `${counter()} ${clock(now() - started)} ${current}`;
    const line = plain.length > width ? `${plain.slice(0, width - 1)}…` : plain;
    clear();
    stream.write(line);
    drawn = line.length;
  };
  const timer = stream.isTTY && (options.tickMs ?? 1000) > 0 ? setInterval(draw, options.tickMs ?? 1000) : undefined;
  timer?.unref();

  return {
    testStarted(test) {
      current = `${test.suite} › ${test.title}`;
      draw();
    },
    testFinished(result) {
      done++;
      const tag = paint(colour, result.verdict, TAGS[result.verdict].padEnd(6));
      const detail = result.verdict !== 'pass' && result.reason ? ` — ${result.reason}` : '';
      const line = `${tag} ${result.title} ${paint(colour, 'dim', `(${result.suite}, ${formatDuration(result.durationMs)})`)}${detail}\n`;
      if (stream.isTTY) {
        // Passing tests only advance the counter; anything else stays on screen above the live line.
        if (result.verdict !== 'pass') {
          clear();
          stream.write(line);
        }
        draw();
      } else {
        stream.write(`${counter()} ${line}`);
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      if (timer) clearInterval(timer);
      clear();
    },
  };
}

export interface SummaryOptions {
  /** Paths of the files written, listed under the table. */
  files?: string[];
  colour?: boolean;
}

/** The end-of-run table: per suite the count of each verdict, totals, the files written and the overall verdict. */
export function renderSummary(results: RunResults, options: SummaryOptions = {}): string {
  const colour = options.colour ?? false;
  const header = ['Suite', ...VERDICTS];
  const rows = results.suites.map((s) => [s.id, ...VERDICTS.map((v) => String(results.tests.filter((t) => t.suite === s.id && t.verdict === v).length))]);
  const totals = ['Total', ...VERDICTS.map((v) => String(results.tests.filter((t) => t.verdict === v).length))];
  const widths = header.map((h, i) => Math.max(h.length, ...[...rows, totals].map((r) => r[i]!.length)));
  const format = (cells: string[]) => colourCells(cells, widths, false);
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const body = [paint(colour, 'bold', format(header)), rule, ...rows.map((r) => colourCells(r, widths, colour)), rule, colourCells(totals, widths, colour)];
  const lines = [...body, ''];
  if (results.interrupted) lines.push('Run interrupted: not every selected test ran.');
  if (options.files?.length) lines.push('Reports:', ...options.files.map((f) => `  ${f}`));
  const verdict = results.overall.toUpperCase();
  const colourKey: Verdict = results.overall === 'pass' ? 'pass' : results.overall === 'fail' ? 'fail' : 'error';
  lines.push(`Overall: ${paint(colour, colourKey, verdict)} (${results.tests.length} tests in ${formatDuration(Date.parse(results.finishedAt) - Date.parse(results.startedAt))})`);
  return `${lines.join('\n')}\n`;
}

function colourCells(cells: string[], widths: number[], colour: boolean): string {
  return cells
    .map((c, i) => {
      if (i === 0) return c.padEnd(widths[i]!);
      const padded = c.padStart(widths[i]!);
      return c !== '0' ? paint(colour, VERDICTS[i - 1]!, padded) : padded;
    })
    .join('  ');
}
