import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { renderHtml } from '../../report/html.js';
import { loadResults, ResultsFileError } from '../../report/results-file.js';
import { parseCommandArgs } from '../args.js';
import { InputError, type Command } from '../command.js';
import { EXIT, exitCodesHelp } from '../exit-codes.js';

const USAGE = `Usage: measure-conformance report RESULTS.json [--out DIR]

Re-renders the HTML report (index.html) from a saved results.json, e.g. one archived by CI.

Options:
  --out DIR   folder to write index.html into (default: the folder holding RESULTS.json)
  --help      this text

${exitCodesHelp({ 0: 'written' })}`;

export const reportCommand: Command = {
  name: 'report',
  summary: 're-render the HTML report from a saved results.json',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { out: { type: 'string', short: 'o' } }, { name: 'results.json to render', min: 1, max: 1 });
    const resultsPath = resolve(io.cwd, positionals[0]!);
    let results;
    try {
      results = await loadResults(resultsPath);
    } catch (err) {
      if (err instanceof ResultsFileError) throw new InputError(err.message);
      throw err;
    }
    const outDir = values.out ? resolve(io.cwd, values.out) : dirname(resultsPath);
    await mkdir(outDir, { recursive: true });
    const html = join(outDir, 'index.html');
    await writeFile(html, renderHtml(results));
    io.stdout(`Wrote ${html} (overall verdict: ${results.overall.toUpperCase()}, ${results.tests.length} tests)\n`);
    return EXIT.ok;
  },
};
