/**
 * Progress of a long command (validating a large file, self-check, a Data Source generating its
 * data): on a terminal one line on stderr redrawn in place with a counter and an ETA; elsewhere
 * (CI logs, pipes) a plain line at each tenth of the way; nothing with `--quiet`. stderr, so that
 * what a command prints on stdout stays clean for a pipe.
 */
import type { CliIo } from './command.js';

export interface Progress {
  /** `done` of the total so far, and what is being done now. */
  update(done: number, detail?: string): void;
  /** Clears the live line (TTY) and says how it ended; safe to call twice. */
  finish(): void;
}

export interface ProgressOptions {
  /** Total amount of work, in the unit of `update`; undefined when unknown (no ETA then). */
  total?: number;
  /** How an amount is shown (e.g. as megabytes); plain numbers by default. */
  format?: (amount: number) => string;
  /** Clock, replaceable in tests. */
  now?: () => number;
  /** Least time between two redraws of the TTY line. */
  redrawMs?: number;
}

const SILENT: Progress = { update: () => undefined, finish: () => undefined };

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function startProgress(io: Pick<CliIo, 'stderr' | 'stderrTTY' | 'quiet'>, label: string, options: ProgressOptions = {}): Progress {
  if (io.quiet) return SILENT;
  const now = options.now ?? Date.now;
  const format = options.format ?? ((n: number) => n.toLocaleString('en-US'));
  const total = options.total;
  const started = now();
  let lastDraw = -Infinity;
  let drawn = 0;
  let decile = -1;
  let done = 0;
  let finished = false;

  const line = (detail: string): string => {
    const elapsed = now() - started;
    const counter = total !== undefined ? `${format(done)}/${format(total)} (${Math.floor((done / Math.max(total, 1)) * 100)}%)` : format(done);
    const eta = total !== undefined && done > 0 && done < total ? `, ETA ${clock((elapsed / done) * (total - done))}` : '';
    return `${label}: ${counter}, ${clock(elapsed)} elapsed${eta}${detail ? ` ${detail}` : ''}`;
  };

  return {
    update(amount, detail = '') {
      if (finished) return;
      done = amount;
      if (io.stderrTTY) {
        if (now() - lastDraw < (options.redrawMs ?? 100)) return;
        lastDraw = now();
        const text = line(detail).slice(0, 119);
        io.stderr(`\r${text.padEnd(drawn)}`);
        drawn = text.length;
        return;
      }
      const tenth = total ? Math.floor((done / total) * 10) : Math.floor(Math.log10(Math.max(done, 1)));
      if (tenth > decile) {
        decile = tenth;
        io.stderr(`${line(detail)}\n`);
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      if (io.stderrTTY && drawn > 0) io.stderr(`\r${' '.repeat(drawn)}\r`);
    },
  };
}
