import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FhirError } from '../../fhir/errors.js';
import { parseAnyResource, serializeResource, type FhirFormat } from '../../fhir/format.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { readInputFile } from '../input.js';

const USAGE = `Usage: measure-conformance convert FILE --to json|xml [--out FILE] [--compact]

Converts a FHIR R4 resource between JSON and XML. The input format is detected from the first
character ({ or <). Decimals keep their precision (1.50 stays 1.50); unknown or misplaced
elements are errors, not silently dropped.

Options:
  --to json|xml   the output format (required)
  --out FILE      write to FILE instead of standard output
  --compact       no indentation
  --help          this text

${exitCodesHelp({ 0: 'converted', 1: 'the input is not a valid FHIR resource (one line: FILE: message)' })}`;

interface ConvertArgs {
  file: string;
  to: FhirFormat;
  out?: string;
  compact: boolean;
}

function readArgs(args: string[]): ConvertArgs {
  const { values, positionals } = parseCommandArgs(
    args,
    { to: { type: 'string' }, out: { type: 'string' }, compact: { type: 'boolean', default: false } },
    { name: 'FILE to convert', min: 1, max: 1 },
  );
  if (values.to !== 'json' && values.to !== 'xml') {
    throw new UsageError(values.to === undefined ? 'convert needs --to json or --to xml' : `--to must be json or xml, not '${values.to}'`);
  }
  return { file: positionals[0]!, to: values.to, ...(values.out ? { out: values.out } : {}), compact: values.compact === true };
}

async function run(args: string[], io: CliIo): Promise<ExitCode> {
  const { file, to, out, compact } = readArgs(args);
  const text = await readInputFile(file, io.cwd);
  let output: string;
  try {
    output = `${serializeResource(parseAnyResource(text).resource, to, { pretty: !compact })}\n`;
  } catch (error) {
    if (error instanceof FhirError) {
      io.stderr(`${file}: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
  if (out) await writeFile(resolve(io.cwd, out), output);
  else io.stdout(output);
  return EXIT.ok;
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a FHIR resource between JSON and XML, keeping decimal precision',
  usage: USAGE,
  run,
};
