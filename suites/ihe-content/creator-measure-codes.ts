/**
 * The test both Content Creator suites share for the codes of what a SUT sends: each report's group,
 * population and stratifier or component codes are the ones the Measure it names defines (mADX
 * MADX-MR-013, RPC RPC-CRE-007). The Measures are the project's (fixtures/madx, fixtures/rpc), the
 * ones the reference Content Consumer holds too.
 */
import type { Measure } from 'fhir/r4.js';
import { test, type TestDefinition } from '../../src/engine/index.js';
import { measureCodeIssues } from '../../ig/madx/measure-codes.js';
import { projectMeasures } from '../../simulators/content-consumer/reference-data.js';
import { reportsSent, submissions } from './creator-sends.js';
import { sendsOf, type CreatorFixture } from './creator-exchange-tests.js';

export function codesOfTheMeasure(requirement: string): TestDefinition<CreatorFixture> {
  return test<CreatorFixture>('Group, population and stratifier codes are those the named Measure defines', {
    requirements: requirement,
    negativeControl: 'foreign-codes',
    description:
      "Each report is held to the Measure its MeasureReport.measure names, when that is one of the project's Measures (the ones the reference Content Consumer holds); a report naming another Measure is noted, not judged.",
    run(t) {
      const reports = reportsSent(submissions(sendsOf(t)));
      if (reports.length === 0) return t.skip('the creator sent no MeasureReport whose codes could be judged');
      const judged = reports.flatMap((r) => {
        const measure: Measure | undefined = projectMeasures().get(r.measure);
        if (!measure) t.note(`MeasureReport/${r.id ?? '(no id)'} names ${r.measure}, not one of the project's Measures: its codes are not judged`);
        return measure ? [{ report: r, issues: measureCodeIssues(r, measure, requirement) }] : [];
      });
      if (judged.length === 0) return t.skip('no report names a Measure the project holds, so no code can be judged');
      for (const { report, issues } of judged) {
        t.expect(
          issues.length === 0,
          `MeasureReport/${report.id ?? '(no id)'}: ${
            issues.length
              ? `${issues
                  .map((i) => `${i.expression}: ${i.message}`)
                  .slice(0, 3)
                  .join('; ')}; expected only codes ${report.measure} defines`
              : `every code is defined by ${report.measure}`
          }`,
        );
      }
    },
  });
}
