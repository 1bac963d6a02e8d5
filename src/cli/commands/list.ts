import { catalogue } from '../../../ig/index.js';
import { suites } from '../../../suites/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { idMatcher, unmatchedGlobs } from '../glob.js';

const usage = `Usage: measure-conformance list [--suite GLOB]... [--requirements]

Prints every suite, its tests, the requirement(s) each test checks with their expectation, and the
fault mode (negative control) under which each test must fail.
  --suite GLOB      only suites whose id matches (repeatable; * also crosses /, ?, {a,b}, !GLOB leaves out)
  --requirements    print the requirement catalogue instead, with the tests covering each entry

${exitCodesHelp({ 0: 'listed' })} A --suite that matches no suite is a usage error.`;

export const listCommand: Command = {
  name: 'list',
  summary: 'list suites, tests and the requirement each checks',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, { suite: { type: 'string', multiple: true }, requirements: { type: 'boolean' } });
    const globs = values.suite ?? ['*'];
    const matches = idMatcher(globs);
    const chosen = suites.filter((s) => matches(s.id));
    if (chosen.length === 0) {
      const unmatched = unmatchedGlobs(
        globs,
        suites.map((s) => s.id),
        'suite id',
      );
      throw new UsageError(`no suite matches${unmatched ? ` (${unmatched})` : ''}; suites: ${suites.map((s) => s.id).join(', ')}`);
    }
    const cat = catalogue();
    if (values.requirements) {
      const coveredBy = new Map<string, string[]>();
      for (const s of chosen) for (const t of s.tests) for (const r of t.requirements) coveredBy.set(r, [...(coveredBy.get(r) ?? []), `${s.id}/${t.slug}`]);
      for (const r of cat.all()) {
        const tests = coveredBy.get(r.id);
        io.stdout(`${r.id}  ${r.expectation}  ${r.statement}\n    ${tests ? `tested by ${tests.join(', ')}` : `not tested${r.notTestedReason ? `: ${r.notTestedReason}` : ''}`}\n`);
      }
      return EXIT.ok;
    }
    for (const s of chosen) {
      io.stdout(`${s.id}  (${s.actorUnderTest}, ${s.role} under test) ${s.title}\n`);
      for (const t of s.tests) {
        const reqs = t.requirements.map((id) => `${id} ${cat.get(id)?.expectation ?? '?'}`).join(', ');
        io.stdout(`  ${t.slug}\n    ${t.title}\n    checks ${reqs}; must fail under fault ${t.negativeControl}\n`);
      }
    }
    return EXIT.ok;
  },
};
