import { parseArgs } from 'node:util';
import { catalogue } from '../../../ig/index.js';
import { suites } from '../../../suites/index.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { globToRegExp } from '../selection.js';

const usage = `Usage: measure-conformance list [--suite GLOB] [--requirements]

Prints every suite, its tests, the requirement(s) each test checks with their expectation, and the
fault mode (negative control) under which each test must fail.
  --suite GLOB      only suites whose id matches (repeatable)
  --requirements    print the requirement catalogue instead, with the tests covering each entry`;

export const listCommand: Command = {
  name: 'list',
  summary: 'list suites, tests and the requirement each checks',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    let values: { suite?: string[]; requirements?: boolean };
    try {
      ({ values } = parseArgs({ args, strict: true, options: { suite: { type: 'string', multiple: true }, requirements: { type: 'boolean' } } }));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const globs = (values.suite ?? ['*']).map(globToRegExp);
    const chosen = suites.filter((s) => globs.some((g) => g.test(s.id)));
    const cat = catalogue();
    if (values.requirements) {
      const coveredBy = new Map<string, string[]>();
      for (const s of chosen) for (const t of s.tests) for (const r of t.requirements) coveredBy.set(r, [...(coveredBy.get(r) ?? []), `${s.id}/${t.slug}`]);
      for (const r of cat.all()) {
        const tests = coveredBy.get(r.id);
        io.stdout(`${r.id}  ${r.expectation}  ${r.statement}\n    ${tests ? `tested by ${tests.join(', ')}` : `not tested${r.notTestedReason ? `: ${r.notTestedReason}` : ''}`}\n`);
      }
      return 0;
    }
    for (const s of chosen) {
      io.stdout(`${s.id}  (${s.actorUnderTest}, ${s.role} under test) ${s.title}\n`);
      for (const t of s.tests) {
        const reqs = t.requirements.map((id) => `${id} ${cat.get(id)?.expectation ?? '?'}`).join(', ');
        io.stdout(`  ${t.slug}\n    ${t.title}\n    checks ${reqs}; must fail under fault ${t.negativeControl}\n`);
      }
    }
    return 0;
  },
};
