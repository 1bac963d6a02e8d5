import { readFile } from 'node:fs/promises';
import { Ajv, type ValidateFunction } from 'ajv';
import type { RunResults } from '../engine/results.js';
import type { ReportFormat } from './report-format.js';
import { RESULTS_SCHEMA } from './results-schema.js';

/** A file that is not a readable results.json; its message is one line naming the file and the first problem. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  validate ??= new Ajv({ allErrors: false, strict: true }).compile(RESULTS_SCHEMA);
  return validate;
}

/** The stable, diffable text of results.json. */
export function serializeResults(results: RunResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/** Checks that a parsed value is RunResults (schemaVersion 1); throws ResultsFileError saying where it is not. */
export function parseResults(value: unknown, source = 'results'): RunResults {
  const check = validator();
  if (check(value)) return value as RunResults;
  const first = check.errors?.[0];
  const where = first?.instancePath ? first.instancePath : '(top level)';
  const detail = first?.params && 'allowedValues' in first.params ? ` (${(first.params.allowedValues as unknown[]).join(', ')})` : '';
  const hint = first?.instancePath === '/schemaVersion' ? '; it was written by another version of measure-conformance' : '';
  throw new ResultsFileError(`${source} is not a measure-conformance results file: ${where} ${first?.message ?? 'is invalid'}${detail}${hint}`);
}

export const jsonFormat: ReportFormat = {
  name: 'json',
  description: 'results.json: the run as data, which every other format is rendered from (docs/results-json.md)',
  render: (_results, context) => [{ path: 'results.json', content: context.resultsText }],
};

/** Reads and validates a results.json written by a run, so reports can be re-rendered from it. */
export async function loadResults(path: string): Promise<RunResults> {
  return (await loadResultsFile(path)).results;
}

/** The results and the file's text as read, whose hash the reports show. */
export async function loadResultsFile(path: string): Promise<{ results: RunResults; text: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ResultsFileError(code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultsFileError(`${path} is not JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return { results: parseResults(value, path), text };
}
