import { dirname, resolve } from 'node:path';
import { isReportFormatName, loadResultsFile, REPORT_FORMATS, REPORT_FORMAT_NAMES, ResultsFileError, writeReports, type ReportFormatName } from '../../report/index.js';
import { UsageError, type Command } from '../command.js';

const USAGE = `Usage: measure-conformance report RESULTS.json [--out DIR] [--format NAME]... [--compare OLD.json]

Re-renders the reports from a saved results.json, e.g. one archived by CI.

Options:
  --out DIR          folder to write into (default: the folder holding RESULTS.json)
  --format NAME      only this format (repeatable); default every one but json:
${REPORT_FORMAT_NAMES.map((n) => `                       ${n.padEnd(11)}${REPORT_FORMATS[n].description}`).join('\n')}
  --compare OLD.json list new failures, fixes and changed verdicts against an earlier run
  --help             this text`;

interface ReportArgs {
  results: string;
  out?: string;
  formats: ReportFormatName[];
  compare?: string;
}

function parseArgs(args: string[]): ReportArgs {
  const parsed: Omit<ReportArgs, 'results'> & { results?: string } = { formats: [] };
  const NEEDS: Record<string, string> = { '--out': 'a folder', '-o': 'a folder', '--compare': 'a results.json', '--format': 'a format name' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const next = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (!v || (eq < 0 && v.startsWith('-'))) throw new UsageError(`${flag} needs ${NEEDS[flag]}`);
      return v;
    };
    if (flag === '--out' || flag === '-o') parsed.out = next();
    else if (flag === '--compare') parsed.compare = next();
    else if (flag === '--format') {
      const name = next();
      if (!isReportFormatName(name)) throw new UsageError(`unknown format '${name}' (formats: ${REPORT_FORMAT_NAMES.join(', ')})`);
      parsed.formats.push(name);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else if (parsed.results === undefined) parsed.results = arg;
    else throw new UsageError(`one results file only (got '${parsed.results}' and '${arg}')`);
  }
  if (!parsed.results) throw new UsageError('name the results.json to render');
  return { ...parsed, results: parsed.results };
}

export const reportCommand: Command = {
  name: 'report',
  summary: 're-render the reports from a saved results.json',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseArgs(args);
    const resultsPath = resolve(io.cwd, parsed.results);
    let loaded;
    let previous;
    try {
      loaded = await loadResultsFile(resultsPath);
      if (parsed.compare) {
        const source = resolve(io.cwd, parsed.compare);
        previous = { source, results: (await loadResultsFile(source)).results };
      }
    } catch (err) {
      if (!(err instanceof ResultsFileError)) throw err;
      io.stderr(`measure-conformance report: ${err.message}\n`);
      return 2;
    }
    const { results, text } = loaded;
    const outDir = parsed.out ? resolve(io.cwd, parsed.out) : dirname(resultsPath);
    // results.json is the input: written again only when asked for.
    const formats = parsed.formats.length ? parsed.formats : REPORT_FORMAT_NAMES.filter((n) => n !== 'json');
    const written = await writeReports(results, outDir, { formats, resultsText: text, ...(previous ? { previous } : {}) });
    const files = Object.values(written.files).flat();
    io.stdout(`Wrote ${files.join(', ')} (overall verdict: ${results.overall.toUpperCase()}, ${results.tests.length} tests${previous ? `, compared with ${previous.source}` : ''})\n`);
    return 0;
  },
};
