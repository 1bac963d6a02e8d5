/**
 * IHE mADX Send Aggregate Report [QRPH-58], the Content Creator as client: the harness runs the
 * Content Consumer simulator in its 202 mode (each submission answered 202, its status URL 202
 * once more, then 303 to the result); the suite's setup triggers the SUT once and records every
 * request until its traffic settles, once more against a Consumer answering 303 at once, and
 * against Consumers refusing with 401 and 503. Each test judges those recordings: the update at the
 * report's id, the credential the Consumer demands, the media type, the mADX-MeasureReport rules of
 * the run's text, the configured Measure, age groups, a collection Bundle, the scheme of the
 * endpoint, how the SUT followed 202 and 303, and how it reported the refusals. The text is the
 * one the SUT's reports declare by a versioned canonical in meta.profile, else config's, else the
 * 3.0.0-comment text; a report declaring a version is held to that version.
 */
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { bodyOf, defineSuite, test, type Ask, type SuiteEnvironment } from '../../../src/engine/index.js';
import type { Issue } from '../../../src/fhir/errors.js';
import { MADX_CONTENT_CREATOR } from '../../../ig/madx/capabilities.js';
import { MADX_RULE_SET_TITLES, madxProfileUrl, registerMadxProfiles, type MadxRuleSet } from '../../../ig/madx/profiles.js';
import { chooseMadxRuleSet, declaredByReport, declaredByReports, failsOnlyUnder, ruleSetRecord, type MadxRuleSetChoice } from '../../../ig/madx/rule-set.js';
import { reportsSent, submissions } from '../../ihe-content/creator-sends.js';
import { codesOfTheMeasure } from '../../ihe-content/creator-measure-codes.js';
import {
  fhirMediaTypes,
  follows303,
  httpsEndpoint,
  pollsAccepted,
  presentsCredential,
  recordCreator,
  reportsErrors,
  sendsOf,
  sendsWhenTriggered,
  smallCellRisk,
  type CreatorFixture,
} from '../../ihe-content/creator-exchange-tests.js';
import type { ActorId } from '../../../ig/actors.js';

/** The simulator the SUT sends to. */
export const MADX_CONSUMER_SIMULATOR = 'madx-content-consumer';
const DEFAULT_MEASURE = 'http://ohie.org/Measure/madx-hiv-indicator-example';

interface MadxCreatorFixture extends CreatorFixture {
  /** The mADX text of the run, and why; a report declaring a version is held to that one. */
  ruleSet: MadxRuleSetChoice;
}

const TRIGGER =
  'send aggregate reports to the Content Consumer: PUT [base]/MeasureReport/[id] for each report and, if you send several at once, one collection Bundle to [base]; follow its 202 and 303 answers';

/** Rules only the 3.0.0-comment text has: under the trial-implementation text they decide nothing. */
const COMMENT_ONLY = ['MADX-MR-010', 'MADX-MR-015'];

/** The content rows a validation issue speaks to: a rule's own id, the R4 invariant an mADX rule restates, or the base elements of MADX-MR-011. */
function rowOf(issue: Issue): string | undefined {
  if (issue.rule?.startsWith('MADX-')) return issue.rule.replace(/-[A-Z]+$/, '');
  if (issue.rule === 'mrp-2') return 'MADX-MR-009';
  if (issue.rule === 'mrp-1') return 'MADX-MR-012';
  return /^MeasureReport\.(status|type|measure|period)\b/.test(issue.expression ?? '') ? 'MADX-MR-011' : undefined;
}

const isError = (i: Issue) => i.severity === 'error' || i.severity === 'fatal';

/** The text a report is held to: the one it declares, else the run's. */
const textFor = (report: MeasureReport, run: MadxRuleSetChoice): MadxRuleSet => declaredByReport(report) ?? run.ruleSet;

/** Records the creator once, then chooses the text from what its reports declare and config names. */
async function setup(env: SuiteEnvironment): Promise<MadxCreatorFixture> {
  const recorded = await recordCreator(env, { trigger: TRIGGER, actor: 'mADX Content Creator', asks: ASKS, simulator: MADX_CONSUMER_SIMULATOR, also303: true });
  const ruleSet = chooseMadxRuleSet({ declared: declaredByReports(reportsSent(submissions(recorded.sends))), configured: env.config.madxRuleSet });
  env.noteRuleSet(ruleSetRecord(ruleSet));
  return { ...recorded, ruleSet };
}

const ASKS: Ask[] = [
  { token: 'MeasureReport/update', says: 'send each aggregate report by PUT [base]/MeasureReport/[id]' },
  { token: 'async', says: "follow the Consumer's 202 (poll the status URL) and 303 (GET its Location) to the final answer" },
];

/** ADX age groups: an ISO 8601 duration range such as P0Y--P1Y, open-ended P65Y--, or one duration. */
const AGE_GROUP = /^P\d+[YMWD](--(P\d+[YMWD])?)?$/;

interface AgeValue {
  report: string;
  value: string;
}

/** Values of stratum components whose code names an age. */
function ageValues(reports: readonly MeasureReport[]): AgeValue[] {
  return reports.flatMap((r) =>
    (r.group ?? []).flatMap((g) =>
      (g.stratifier ?? []).flatMap((s) =>
        (s.stratum ?? []).flatMap((st) =>
          (st.component ?? [])
            .filter((c) => [c.code.text, ...(c.code.coding ?? []).map((x) => x.code)].some((x) => x !== undefined && /^age\b|\bage(group)?$/i.test(x)))
            .map((c) => ({ report: `MeasureReport/${r.id ?? '(no id)'}`, value: c.value.coding?.[0]?.code ?? c.value.text ?? '' })),
        ),
      ),
    ),
  );
}

const tests = [
  sendsWhenTriggered({
    title: 'The creator sends aggregate reports to the Consumer when triggered',
    sends: 'MADX-CRE-001',
    uses: 'MADX-CRE-002',
  }),
  presentsCredential({ headers: 'MADX-CRE-006', mutual: 'MADX-SEC-002' }),
  test<CreatorFixture>('Each report is sent by PUT [base]/MeasureReport/[id] with the same id in the body', {
    requirements: 'MADX-CRE-003',
    negativeControl: 'put-id-mismatch',
    description: 'QRPH-58 is a FHIR update; the response section\'s "POST" wording (A1) makes a POST a warning, not a failure.',
    run(t) {
      const singles = submissions(sendsOf(t)).filter((s) => bodyOf(s)?.resourceType === 'MeasureReport');
      if (singles.length === 0) return t.skip('the creator sent no single MeasureReport to judge');
      const updates = singles.filter((s) => s.kind === 'update');
      t.expectEvery(updates, (s) => bodyOf(s)?.id === s.id, 'every PUT body has the id of its URL', { show: (s) => `${s.line} carries id ${bodyOf(s)?.id ?? '(none)'}` });
      const others = singles.filter((s) => s.kind !== 'update');
      t.warnUnless(
        others.length === 0,
        others.length
          ? `${others.length} of ${singles.length} single reports went by ${[...new Set(others.map((s) => s.method))].join(', ')}; expected PUT [base]/MeasureReport/[id]`
          : `every single report (${singles.length}) went by PUT`,
      );
    },
  }),
  fhirMediaTypes('MADX-CRE-005', 'wrong-content-type'),
  test<MadxCreatorFixture>('Every report sent conforms to mADX-MeasureReport', {
    requirements: [
      'MADX-CRE-001',
      'MADX-CRE-007',
      'MADX-CRE-012',
      'MADX-MR-005',
      'MADX-MR-010',
      'MADX-MR-015',
      'MADX-MR-001',
      'MADX-MR-002',
      'MADX-MR-003',
      'MADX-MR-004',
      'MADX-MR-006',
      'MADX-MR-007',
      'MADX-MR-008',
      'MADX-MR-009',
      'MADX-MR-011',
      'MADX-MR-012',
    ],
    negativeControl: 'invalid-report',
    description:
      "Each report is validated against the mADX text it declares by a versioned canonical in meta.profile, else the run's (the setup's note says which and why). A report failing only the rules its text has and the other text lacks says so, and how to choose the other text. The 3.0.0-comment rules (improvementNotation, one code per stratifier) decide nothing for reports held to the 3.0.0 trial-implementation text.",
    async run(t) {
      registerMadxProfiles();
      const reports = reportsSent(submissions(sendsOf(t)));
      if (reports.length === 0) return t.skip('the creator sent no MeasureReport to validate');
      const run = t.fixture.ruleSet;
      const judged: { id: string; text: MadxRuleSet; errors: Issue[] }[] = [];
      for (const r of reports) {
        const text = textFor(r, run);
        const id = `MeasureReport/${r.id ?? '(no id)'}`;
        const subject = `${id} against the ${MADX_RULE_SET_TITLES[text]} (${madxProfileUrl(text)}${text === run.ruleSet ? ", the run's" : ', which it declares'})`;
        const only = failsOnlyUnder(r, text);
        if (only) t.expect(false, `${subject}: ${only.text}`, { requirement: ['MADX-CRE-001', 'MADX-CRE-007', ...new Set(only.rules.map((x) => x.replace(/-[A-Z]+$/, '')))] });
        const issues = await t.validate(r, { profiles: [madxProfileUrl(text)], subject, requirement: ['MADX-CRE-001', 'MADX-CRE-007'] });
        judged.push({ id, text, errors: issues.filter(isError) });
      }
      // Each content row on the issues that speak to it, so one broken rule fails its own row only.
      const rows = t.requirements.filter((x) => x.startsWith('MADX-MR-'));
      for (const row of rows) {
        const held = COMMENT_ONLY.includes(row) ? judged.filter((j) => j.text === 'comment-draft') : judged;
        if (held.length === 0) {
          t.undecided(row, `a rule of the 3.0.0-comment text only; every report was held to the 3.0.0 trial-implementation text (${run.reason})`);
          continue;
        }
        t.expectEvery(held, (j) => !j.errors.some((i) => rowOf(i) === row), `no report breaks ${row} (${held.length} held to it)`, {
          requirement: row,
          show: (j) =>
            `${j.id}: ${j.errors
              .filter((i) => rowOf(i) === row)
              .map((i) => `${i.expression ?? ''} ${i.message}`)
              .join('; ')}`,
        });
      }
      // Must-support under the trial-implementation text: absence is information there; the comment text requires it (MADX-MR-015).
      const without = reports.filter((r) => !r.improvementNotation).map((r) => r.id ?? '(no id)');
      t.expectEvery(
        judged,
        (j) => !j.errors.some((i) => rowOf(i) === 'MADX-MR-005' || rowOf(i) === 'MADX-MR-015'),
        'every report fills in improvementNotation as its text asks (required by the 3.0.0-comment text, must-support under the 3.0.0 trial-implementation text)',
        {
          requirement: 'MADX-CRE-012',
          show: (j) => j.id,
        },
      );
      t.note(`improvementNotation: given in ${reports.length - without.length} of ${reports.length} report(s)${without.length ? `; absent from ${without.slice(0, 8).join(', ')}` : ''}`);
    },
  }),
  test<CreatorFixture>('Every report names the configured mADX Measure', {
    requirements: 'MADX-CRE-013',
    negativeControl: 'wrong-measure',
    description: "The Measure is config `sut.measure` (default the mADX profile's example Measure, the HIV indicator example); its codes are judged by the next test.",
    run(t) {
      const measure = t.config.measure ?? DEFAULT_MEASURE;
      t.note(t.config.measure ? `the Measure is ${measure} (sut.measure)` : `the Measure is ${measure}, the mADX profile's example Measure (set sut.measure to the one your Creator reports on)`);
      const reports = reportsSent(submissions(sendsOf(t)));
      t.expectEvery(reports, (r) => r.measure === measure, `every MeasureReport.measure is ${measure}`, { show: (r) => `MeasureReport/${r.id ?? '(no id)'} names ${r.measure}` });
    },
  }),
  codesOfTheMeasure('MADX-MR-013'),
  test<CreatorFixture>('Age disaggregation values follow the ADX age-group format', {
    requirements: 'MADX-MR-014',
    negativeControl: 'bad-age-group',
    run(t) {
      const ages = ageValues(reportsSent(submissions(sendsOf(t))));
      if (ages.length === 0) return t.skip('no stratum component of the reports sent is coded as an age');
      t.expectEvery(ages, (a) => AGE_GROUP.test(a.value), `every age value is an ISO 8601 duration range such as P0Y--P1Y (seen: ${[...new Set(ages.map((a) => a.value))].slice(0, 8).join(', ')})`);
    },
  }),
  test<CreatorFixture>('Several reports at once travel as one collection Bundle without entry.request', {
    requirements: 'MADX-CRE-008',
    negativeControl: 'bundle-as-batch',
    run(t) {
      const bundles = submissions(sendsOf(t)).filter((s) => bodyOf(s)?.resourceType === 'Bundle');
      if (bundles.length === 0) return t.skip('not used (MAY): the creator sent no Bundle; sending several reports at once is optional');
      for (const b of bundles) {
        const bundle = bodyOf<Bundle>(b)!;
        t.expect(bundle.type === 'collection', bundle.type === 'collection' ? `${b.line}: a collection Bundle` : `${b.line}: Bundle.type is ${bundle.type ?? 'missing'}; expected collection`);
        const bad = (bundle.entry ?? []).filter((e) => e.resource?.resourceType !== 'MeasureReport' || e.request);
        t.expect(
          bad.length === 0,
          bad.length
            ? `${b.line}: ${bad.length} entr${bad.length === 1 ? 'y is' : 'ies are'} not a MeasureReport without request; expected every entry to be one`
            : `${b.line}: every entry is a MeasureReport without request`,
        );
      }
    },
  }),
  httpsEndpoint({ https: 'MADX-CRE-004', requirements: ['MADX-CRE-004', 'MADX-SEC-001'] }),
  pollsAccepted('MADX-CRE-011'),
  follows303('MADX-CRE-010'),
  reportsErrors('MADX-CRE-009'),
  smallCellRisk('MADX-SEC-004'),
];

export default defineSuite<MadxCreatorFixture>({
  id: 'madx/send-aggregate-report/content-creator',
  title: 'IHE mADX Send Aggregate Report [QRPH-58]: Content Creator (client)',
  actorUnderTest: 'MadxContentCreator' satisfies ActorId,
  role: 'client',
  capabilities: [MADX_CONTENT_CREATOR],
  simulator: MADX_CONSUMER_SIMULATOR,
  simulatorOptions: { async: '202' },
  setup,
  tests,
});
