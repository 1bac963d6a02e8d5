import type { CliIo } from '../../src/cli/command.js';

/** A CliIo that keeps what a command prints, for assertions. */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}, signal = new AbortController().signal): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    cwd,
    env,
    signal,
    out: () => out,
    err: () => err,
  };
}
