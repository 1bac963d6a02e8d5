import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Issue } from '../../fhir/errors.js';
import { FhirError, hasErrors } from '../../fhir/errors.js';
import { parseAnyResource } from '../../fhir/format.js';
import { loadStructureValidator, validateResource } from '../../fhir/validation/index.js';
import { registerSanerProfiles } from '../../../ig/saner/profiles.js';
import { UsageError, type CliIo, type Command } from '../command.js';

const USAGE = `Usage:
  measure-conformance validate [--profile CANONICAL-URL]... FILE...

Validates FHIR R4 resources (JSON or XML; a Bundle is validated entry by entry) against the base
specification (structure and invariants) and against the profiles named with --profile or
listed in each resource's meta.profile, when this tool knows them.

Prints one line per issue: FILE: severity expression message [rule]

Options:
  --profile URL   also check this profile (repeatable)
  --help          this text

Exit codes: 0 no errors (warnings allowed), 1 an error was found or a file could not be read or
parsed, 2 the command was called wrongly or the validator is not built.`;

function parseArgs(args: string[]): { files: string[]; profiles: string[] } {
  const files: string[] = [];
  const profiles: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--profile' || arg.startsWith('--profile=')) {
      const value = arg === '--profile' ? args[++i] : arg.slice('--profile='.length);
      if (!value) throw new UsageError('--profile needs a canonical URL');
      profiles.push(value);
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg} (see measure-conformance validate --help)`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) throw new UsageError('validate needs at least one FILE (see measure-conformance validate --help)');
  return { files, profiles };
}

function line(file: string, issue: Issue): string {
  const rule = issue.rule ? ` [${issue.rule}]` : '';
  return `${file}: ${issue.severity} ${issue.expression ?? '-'} ${issue.message}${rule}\n`;
}

async function validateFile(path: string, profiles: string[]): Promise<Issue[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return [{ severity: 'error', code: 'not-found', message: `cannot read the file: ${reason}` }];
  }
  try {
    const { resource } = parseAnyResource(text);
    return validateResource(resource, { profiles });
  } catch (err) {
    if (err instanceof FhirError) return err.issues.map((i) => ({ ...i, severity: 'error' as const, message: `cannot parse: ${i.message}` }));
    throw err;
  }
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate FHIR R4 resources (JSON/XML) against the base spec and known profiles',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args.includes('--help')) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const { files, profiles } = parseArgs(args);
    try {
      loadStructureValidator();
    } catch (err) {
      io.stderr(`measure-conformance validate: ${(err as Error).message}\n`);
      return 2;
    }
    registerSanerProfiles();
    let failed = false;
    let errors = 0;
    let warnings = 0;
    for (const file of files) {
      if (io.signal.aborted) break;
      const issues = await validateFile(resolve(io.cwd, file), profiles);
      for (const issue of issues) io.stdout(line(file, issue));
      if (hasErrors(issues)) failed = true;
      errors += issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').length;
      warnings += issues.filter((i) => i.severity === 'warning').length;
    }
    io.stdout(`${files.length} file(s): ${errors} error(s), ${warnings} warning(s)\n`);
    return failed ? 1 : 0;
  },
};
