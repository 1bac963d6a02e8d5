import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { OperationOutcome } from 'fhir/r4.js';
import type { Issue } from '../../fhir/errors.js';
import { FhirError, hasErrors, toOperationOutcome } from '../../fhir/errors.js';
import { parseAnyResource } from '../../fhir/format.js';
import { getProfile, isBestPractice, knownProfile, knownProfileUrls, loadStructureValidator, validateResource } from '../../fhir/validation/index.js';
import { validateBundleStream } from '../../fhir/validation/bundle-stream.js';
import { registerMadxProfiles, registerRpcProfiles, registerSanerProfiles } from '../../../ig/index.js';
import { parseCommandArgs } from '../args.js';
import { InputError, UsageError, type CliIo, type Command } from '../command.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { inputFileSize, readInputFile } from '../input.js';
import { didYouMean } from '../near-miss.js';
import { megabytes, startProgress } from '../progress.js';
import { loadIgPackages, NOT_CHECKED } from '../ig-packages.js';

const USAGE = `Usage:
  measure-conformance validate [--profile URL]... [--ig PACKAGE]... [--output text|json] [--no-best-practice] FILE...

Validates FHIR R4 resources (JSON or XML; a Bundle is validated entry by entry) against the base
specification (structure and invariants) and against the profiles named with --profile or
listed in each resource's meta.profile: the SANER, mADX and RPC profiles this tool carries, and
those of the FHIR IG packages given with --ig. mADX has two texts under one canonical: the
3.0.0-comment text (…/mADX-MeasureReport|3.0.0-comment, and the unversioned canonical) and the 3.0.0
trial-implementation text (…/mADX-MeasureReport|3.0.0); a profile named with --profile takes the
place of the same canonical in meta.profile, whatever its version.

Options:
  --profile URL       also check this profile (repeatable); an unknown profile is a usage error
  --ig PACKAGE        a FHIR IG package (.tgz, or a folder holding package/package.json) whose
                      profiles and value sets are used (repeatable); what it cannot check is listed
  --output text|json  text (default): one line per issue, FILE: severity expression message [rule],
                      then a count; json: one OperationOutcome per file per line (NDJSON), naming
                      the file in the operationoutcome-file extension, each issue with its expression
  --no-best-practice  leave out best-practice warnings (dom-6, a resource without narrative; con-3)
  --help              this text

A JSON Bundle larger than ${megabytes(8e6)} is read as a stream and validated one entry at a time, in
bounded memory; its progress goes to stderr (none with --quiet). XML is read whole.

${exitCodesHelp({ 0: 'no errors (warnings allowed)', 1: 'an error was found, or a file is not parseable FHIR' })}`;

/** From this size a JSON Bundle is validated as a stream, entry by entry. */
export const STREAM_FROM = 8e6;

/** The HL7 validator's extension naming the file an OperationOutcome is about. */
const FILE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-file';

type Output = 'text' | 'json';

function line(file: string, issue: Issue): string {
  const rule = issue.rule ? ` [${issue.rule}]` : '';
  return `${file}: ${issue.severity} ${issue.expression ?? '-'} ${issue.message}${rule}\n`;
}

function outcomeOf(file: string, issues: Issue[]): OperationOutcome {
  const outcome = toOperationOutcome(issues.length ? issues : [{ severity: 'information', code: 'informational', message: 'no issues found' }]);
  return { resourceType: 'OperationOutcome', extension: [{ url: FILE_EXTENSION, valueString: file }], issue: outcome.issue };
}

/** A JSON text starting with a Bundle's resourceType: a large one is worth streaming. */
async function startsAsJsonBundle(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return /^\uFEFF?\s*\{\s*"resourceType"\s*:\s*"Bundle"/.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

async function* counted(path: string, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    read += (chunk as Buffer).length;
    onBytes(read);
    yield chunk as Buffer;
  }
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate FHIR R4 resources (JSON/XML) against the base spec, known profiles and IG packages',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values, positionals: files } = parseCommandArgs(
      args,
      { profile: { type: 'string', multiple: true }, ig: { type: 'string', multiple: true }, output: { type: 'string' }, 'no-best-practice': { type: 'boolean' } },
      { name: 'FILE to validate', min: 1, max: Infinity },
    );
    const output = (values.output ?? 'text') as Output;
    if (output !== 'text' && output !== 'json') throw new UsageError(`--output must be text or json, not '${values.output}'`);
    try {
      loadStructureValidator();
    } catch (err) {
      throw new InputError(`measure-conformance validate: ${(err as Error).message}`);
    }
    registerSanerProfiles();
    registerMadxProfiles();
    registerRpcProfiles();
    const packages = await loadIgPackages(values.ig ?? [], io.cwd);
    const profiles = values.profile ?? [];
    for (const url of profiles) {
      if (!knownProfile(url))
        throw new UsageError(`--profile ${url}: no profile with this canonical URL is known${didYouMean(url, knownProfileUrls())}${packages.length ? '' : ' (give its IG package with --ig)'}`);
    }

    const keep = values['no-best-practice'] ? (i: Issue) => !isBestPractice(i) : () => true;
    // A profile on the Bundle itself needs the whole Bundle at once.
    const streamable = !profiles.some((url) => getProfile(url)?.resourceType === 'Bundle');
    let errors = 0;
    let warnings = 0;
    let unreadable = false;
    let failed = false;
    for (const file of files) {
      if (io.signal.aborted) break;
      const fileIssues: Issue[] = [];
      const report = (issues: Issue[]) => {
        for (const issue of issues.filter(keep)) {
          if (output === 'text') io.stdout(line(file, issue));
          else fileIssues.push(issue);
          if (issue.severity === 'error' || issue.severity === 'fatal') errors++;
          if (issue.severity === 'warning') warnings++;
        }
        if (hasErrors(issues)) failed = true;
      };
      const cannotRead = await validateFile(file, io, { profiles, streamable }, report);
      if (cannotRead) {
        unreadable = true;
        io.stderr(`${cannotRead}\n`);
        continue;
      }
      if (output === 'json') io.stdout(`${JSON.stringify(outcomeOf(file, fileIssues))}\n`);
    }
    // What the packages' profiles asked and this validator did not check: on stdout with the text, beside the JSON.
    const print = output === 'text' ? io.stdout : io.stderr;
    for (const p of packages) for (const note of p.notChecked()) print(`not checked (${p.name}#${p.version}): ${note}\n`);
    if (packages.length) print(`never checked from IG packages: ${NOT_CHECKED.join('; ')}\n`);
    if (output === 'text') io.stdout(`${files.length} file(s): ${errors} error(s), ${warnings} warning(s)\n`);
    return unreadable ? EXIT.usage : failed ? EXIT.failed : EXIT.ok;
  },
};

/** Validates one file, handing its issues to `report` as they are found; resolves to why it could not be read, if it could not. */
async function validateFile(file: string, io: CliIo, options: { profiles: string[]; streamable: boolean }, report: (issues: Issue[]) => void): Promise<string | undefined> {
  const path = resolve(io.cwd, file);
  let size: number;
  try {
    size = await inputFileSize(file, io.cwd);
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  if (options.streamable && size >= STREAM_FROM && (await startsAsJsonBundle(path))) {
    const progress = startProgress(io, `validating ${file}`, { total: size, format: megabytes });
    try {
      for await (const issues of validateBundleStream(
        counted(path, (n) => progress.update(n)),
        { profiles: options.profiles },
      ))
        report(issues);
    } finally {
      progress.finish();
    }
    return undefined;
  }
  let text: string;
  try {
    text = await readInputFile(file, io.cwd);
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  try {
    const { resource } = parseAnyResource(text);
    report(validateResource(resource, { profiles: options.profiles }));
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    // A file that does not parse is invalid content: its parse error is the issue.
    report(err.issues.map((i) => ({ ...i, severity: 'error' as const, message: `cannot parse: ${i.message}` })));
  }
  return undefined;
}
