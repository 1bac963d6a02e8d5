import type { Command } from '../command.js';
import { convertCommand } from './convert.js';
import { gradeCommand } from './grade.js';
import { proxyCommand } from './proxy.js';
import { csvCommand } from './csv.js';
import { listCommand } from './list.js';
import { loadCommand } from './load.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { selfCheckCommand } from './self-check.js';
import { serveCommand } from './serve.js';
import { validateCommand } from './validate.js';

/** Every `measure-conformance` command, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  runCommand,
  serveCommand,
  proxyCommand,
  gradeCommand,
  listCommand,
  selfCheckCommand,
  reportCommand,
  validateCommand,
  convertCommand,
  csvCommand,
  loadCommand,
];
