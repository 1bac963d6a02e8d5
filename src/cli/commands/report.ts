import { dirname, resolve } from 'node:path';
import { isReportFormatName, loadResultsFile, REPORT_FORMATS, REPORT_FORMAT_NAMES, ResultsFileError, writeReports, type PreviousRun, type ReportFormatName } from '../../report/index.js';
import { parseCommandArgs } from '../args.js';
import { InputError, UsageError, type Command } from '../command.js';
import { EXIT, exitCodesHelp } from '../exit-codes.js';

const USAGE = `Usage: measure-conformance report RESULTS.json [--out DIR] [--format NAME]... [--compare OLD.json]

Re-renders the reports from a saved results.json, e.g. one archived by CI.

Options:
  --out DIR          folder to write into (default: the folder holding RESULTS.json)
  --format NAME      only this format (repeatable); default every one but json:
${REPORT_FORMAT_NAMES.map((n) => `                       ${n.padEnd(11)}${REPORT_FORMATS[n].description}`).join('\n')}
  --compare OLD.json list new failures, fixes and changed verdicts against an earlier run
  --help             this text

${exitCodesHelp({ 0: 'written' })}`;

export const reportCommand: Command = {
  name: 'report',
  summary: 're-render the reports from a saved results.json',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { out: { type: 'string', short: 'o' }, format: { type: 'string', multiple: true }, compare: { type: 'string' } },
      { name: 'results.json to render', min: 1, max: 1 },
    );
    const formats: ReportFormatName[] = (values.format ?? []).map((name) => {
      if (!isReportFormatName(name)) throw new UsageError(`unknown format '${name}' (formats: ${REPORT_FORMAT_NAMES.join(', ')})`);
      return name;
    });
    const resultsPath = resolve(io.cwd, positionals[0]!);
    let loaded: Awaited<ReturnType<typeof loadResultsFile>>;
    let previous: PreviousRun | undefined;
    try {
      loaded = await loadResultsFile(resultsPath);
      if (values.compare) {
        const source = resolve(io.cwd, values.compare);
        previous = { source, results: (await loadResultsFile(source)).results };
      }
    } catch (err) {
      if (err instanceof ResultsFileError) throw new InputError(err.message);
      throw err;
    }
    const { results, text } = loaded;
    const outDir = values.out ? resolve(io.cwd, values.out) : dirname(resultsPath);
    // results.json is the input: written again only when asked for.
    const chosen = formats.length ? formats : REPORT_FORMAT_NAMES.filter((n) => n !== 'json');
    const written = await writeReports(results, outDir, { formats: chosen, resultsText: text, ...(previous ? { previous } : {}) });
    const files = Object.values(written.files).flat();
    io.stdout(`Wrote ${files.join(', ')} (overall verdict: ${results.overall.toUpperCase()}, ${results.tests.length} tests${previous ? `, compared with ${previous.source}` : ''})\n`);
    return EXIT.ok;
  },
};
