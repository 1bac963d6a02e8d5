import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FhirError } from '../../fhir/errors.js';
import { parseAnyResource, serializeResource, type FhirFormat } from '../../fhir/format.js';
import { UsageError, type CliIo, type Command } from '../command.js';

const USAGE = `Usage: measure-conformance convert FILE --to json|xml [--out FILE] [--compact]

Converts a FHIR R4 resource between JSON and XML. The input format is detected from the first
character ({ or <). Decimals keep their precision (1.50 stays 1.50); unknown or misplaced
elements are errors, not silently dropped.

Options:
  --to json|xml   the output format (required)
  --out FILE      write to FILE instead of standard output
  --compact       no indentation
  --help          this text

Exit codes: 0 converted, 1 the input is not a valid FHIR resource (one line: FILE: message),
2 the command was called wrongly.`;

interface ConvertArgs {
  file: string;
  to: FhirFormat;
  out?: string;
  compact: boolean;
}

function readArgs(args: string[]): ConvertArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { to: { type: 'string' }, out: { type: 'string' }, compact: { type: 'boolean', default: false } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('convert needs exactly one FILE');
  if (values.to !== 'json' && values.to !== 'xml') {
    throw new UsageError(values.to === undefined ? 'convert needs --to json or --to xml' : `--to must be json or xml, not '${values.to}'`);
  }
  return { file: positionals[0], to: values.to, ...(values.out ? { out: values.out } : {}), compact: values.compact === true };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { file, to, out, compact } = readArgs(args);
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let output: string;
  try {
    output = serializeResource(parseAnyResource(text).resource, to, { pretty: !compact }) + '\n';
  } catch (error) {
    if (error instanceof FhirError) {
      io.stderr(`${file}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (out) await writeFile(resolve(io.cwd, out), output);
  else io.stdout(output);
  return 0;
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a FHIR resource between JSON and XML, keeping decimal precision',
  usage: USAGE,
  run,
};
