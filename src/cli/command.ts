/** What every `measure-conformance <command>` module exports. */
export interface Command {
  name: string;
  /** One line for the command list in `--help`. */
  summary: string;
  /** The full `--help` text of the command. */
  usage: string;
  /** Runs the command and resolves to the process exit code (0 ok, 1 findings, 2 usage/harness error). */
  run(args: string[], io: CliIo): Promise<number>;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal, for live progress lines and colour. */
  isTTY?: boolean;
  /** An AbortSignal fired on Ctrl-C, so long commands stop cleanly. */
  signal: AbortSignal;
}

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
