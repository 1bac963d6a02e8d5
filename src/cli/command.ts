import type { ExitCode } from './exit-codes.js';

/** What every `measure-conformance <command>` module exports. */
export interface Command {
  name: string;
  /** One line for the command list in `--help`. */
  summary: string;
  /** The full `--help` text of the command. */
  usage: string;
  /**
   * What the command prints when asked to stop (Ctrl-C, or SIGTERM from Docker, systemd or
   * Kubernetes) before it stops cleanly; default the run's "finishing the current test and writing
   * the report".
   */
  stopping?: string;
  /** Runs the command and resolves to its exit code (see exit-codes.ts). */
  run(args: string[], io: CliIo): Promise<ExitCode>;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal, for live progress lines and colour. */
  isTTY?: boolean;
  /** Whether stderr is a terminal: progress of long commands goes there, redrawn in place on a TTY. */
  stderrTTY?: boolean;
  /** `--quiet`: no progress at all, only results and errors. */
  quiet?: boolean;
  /** An AbortSignal fired on Ctrl-C, so long commands stop cleanly. */
  signal: AbortSignal;
}

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A file or input the user named that cannot be used (missing, unreadable, of the wrong kind): one line, exit code 2. */
export class InputError extends Error {
  override name = 'InputError';
}
