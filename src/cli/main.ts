import { commands } from './commands/index.js';
import { InputError, UsageError, type CliIo } from './command.js';
import { EXIT, EXIT_MEANINGS, type ExitCode } from './exit-codes.js';
import { ConfigError } from '../config/load.js';
import { harness } from '../harness.js';

const { version } = harness;

/** Options every command takes, taken out of the arguments before the command sees them. */
const GLOBAL_OPTIONS = ['--debug', '--quiet'];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `measure-conformance ${version}: conformance tests and reference simulators for FHIR MeasureReport exchange`,
    '(HL7 SANER, IHE mADX, IHE RPC)',
    '',
    'Usage: measure-conformance <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `measure-conformance <command> --help` for the options of a command.',
    'Global options: --debug (stack traces on errors), --quiet (no progress lines), --version, --help',
    '',
    'Exit codes, the same for every command:',
    ...Object.entries(EXIT_MEANINGS).map(([code, meaning]) => `  ${code}  ${meaning}`),
  ].join('\n');
}

/** Runs the CLI and resolves to the exit code; never throws. */
export async function main(argv: string[], io: CliIo): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  const quiet = argv.includes('--quiet') || io.quiet === true;
  const args = argv.filter((a) => !GLOBAL_OPTIONS.includes(a));
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${overview()}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${version}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`measure-conformance: unknown command '${name}' (commands: ${commands.map((c) => c.name).join(', ')})\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, { ...io, quiet });
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`measure-conformance ${name}: ${err.message} (see \`measure-conformance ${name} --help\`)\n`);
    } else if (err instanceof ConfigError || err instanceof InputError) {
      io.stderr(`${err.message}\n`);
    } else {
      const e = err as Error;
      io.stderr(`measure-conformance ${name}: ${e.message ?? String(err)}\n`);
      if (debug && e.stack) io.stderr(`${e.stack}\n`);
      else io.stderr('(run again with --debug for details)\n');
    }
    return EXIT.usage;
  }
}

/**
 * A reader that closed the pipe (`list | head -1`) wants no more output: that is a normal end,
 * not an error, so the process ends at once with 0 and no stack trace.
 */
function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });
  // Nothing can be reported on a closed stderr; the exit code still tells.
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const RUN_STOPPING = 'Interrupted: finishing the current test and writing the report (Ctrl-C again to quit now)';

/**
 * Runs the CLI as a process: wires Ctrl-C and SIGTERM (what Docker, systemd and Kubernetes send)
 * to a clean stop, with the command's own message, and sets the exit code.
 */
export function runCli(): void {
  endQuietlyOnClosedPipe();
  const controller = new AbortController();
  const argv = process.argv.slice(2);
  const command = commands.find((c) => c.name === argv.find((a) => !GLOBAL_OPTIONS.includes(a)));
  let interrupts = 0;
  const stop = (signal: NodeJS.Signals) => {
    // First signal: stop cleanly and still finish what is under way; second: leave now.
    if (++interrupts > 1) process.exit(signal === 'SIGTERM' ? 143 : 130);
    process.stderr.write(`\n${command?.stopping ?? RUN_STOPPING}\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    stderrTTY: process.stderr.isTTY === true,
    signal: controller.signal,
  };
  void main(argv, io).then((code) => {
    process.exitCode = code;
  });
}
