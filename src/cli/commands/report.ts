import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadResults, renderHtml, ResultsFileError } from '../../report/index.js';
import { UsageError, type Command } from '../command.js';

const USAGE = `Usage: measure-conformance report RESULTS.json [--out DIR]

Re-renders the HTML report (index.html) from a saved results.json, e.g. one archived by CI.

Options:
  --out DIR   folder to write index.html into (default: the folder holding RESULTS.json)
  --help      this text`;

function parseArgs(args: string[]): { results: string; out?: string } {
  let results: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--out' || arg === '-o') {
      out = args[++i];
      if (!out || out.startsWith('-')) throw new UsageError('--out needs a folder');
    } else if (arg.startsWith('--out=')) {
      out = arg.slice('--out='.length);
      if (!out) throw new UsageError('--out needs a folder');
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option '${arg}'`);
    } else if (results === undefined) {
      results = arg;
    } else {
      throw new UsageError(`one results file only (got '${results}' and '${arg}')`);
    }
  }
  if (!results) throw new UsageError('name the results.json to render');
  return { results, ...(out ? { out } : {}) };
}

export const reportCommand: Command = {
  name: 'report',
  summary: 're-render the HTML report from a saved results.json',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseArgs(args);
    const resultsPath = resolve(io.cwd, parsed.results);
    let results;
    try {
      results = await loadResults(resultsPath);
    } catch (err) {
      if (!(err instanceof ResultsFileError)) throw err;
      io.stderr(`measure-conformance report: ${err.message}\n`);
      return 2;
    }
    const outDir = parsed.out ? resolve(io.cwd, parsed.out) : dirname(resultsPath);
    await mkdir(outDir, { recursive: true });
    const html = join(outDir, 'index.html');
    await writeFile(html, renderHtml(results));
    io.stdout(`Wrote ${html} (overall verdict: ${results.overall.toUpperCase()}, ${results.tests.length} tests)\n`);
    return 0;
  },
};
