/**
 * IHE mADX Send Aggregate Report [QRPH-58], the Content Consumer as server: the harness is the
 * Content Creator. It PUTs valid reports (JSON, and XML as a verdict of its own) and collection
 * Bundles, one invalid report per content rule and one request per row of the response-code table,
 * and judges codes and OperationOutcomes. Interaction rows are decided by the interaction (status,
 * id, the report read back as sent); the per-format rows (MADX-CON-FMT-JSON, -XML) each by their
 * own submissions. Reports are held to the mADX text of the run (digest §0, A9): the one the
 * Consumer's CapabilityStatement declares by a versioned canonical, else config's, else the
 * 3.0.0-comment text; which reports are valid and which must be refused follows it. Every report
 * sent names the unversioned canonical, as published examples do, so the Consumer applies its own.
 * With credentials configured, requests without them must be refused; with none, mutual
 * authentication is still judged on a request from a client that does not authenticate itself.
 */
import type { CapabilityStatement, MeasureReport } from 'fhir/r4.js';
import { ATTESTED_FALSE, defineSuite, freshId, statusText, test, type FhirResponse, type SuiteEnvironment, type TestContext } from '../../../src/engine/index.js';
import { MADX_CONTENT_CONSUMER, MADX_VALIDATE_OPTION } from '../../../ig/madx/capabilities.js';
import { MADX_MEASURE_REPORT, MADX_RULE_SET_TITLES, MADX_VERSIONS, type MadxRuleSet } from '../../../ig/madx/profiles.js';
import { chooseMadxRuleSet, declaredByCapabilities, ruleSetRecord, type MadxRuleSetChoice } from '../../../ig/madx/rule-set.js';
import { bundlesProcessedAt, bundleUrl, entriesNamed, INVALID_ENTRIES, sendInvalidBundle, sendValidBundle } from './consumer-bundles.js';
import {
  discover,
  expectAccepted,
  expectRefused,
  finalAnswer,
  isIssueType,
  judgeCredentials,
  judgeEntityRefused,
  judgeMutualAuthentication,
  judgeTransport,
  listsFormat,
  MEDIA,
  notHeld,
  outcomeOf,
  readsBack,
  sendFixture,
  sendText,
  unlistedMethods,
  UNLIKELY_TYPES,
  unservedType,
  type ConsumerContext,
  type ConsumerFixture,
  type Decides,
  type Submit,
} from '../../ihe-content/consumer-checks.js';
import type { ActorId } from '../../../ig/actors.js';

const FMT_JSON = 'MADX-CON-FMT-JSON';
const FMT_XML = 'MADX-CON-FMT-XML';

interface MadxConsumerFixture extends ConsumerFixture {
  /** The mADX text the run holds reports to, and why. */
  ruleSet: MadxRuleSetChoice;
}
type Ctx = TestContext<MadxConsumerFixture>;

/** Valid under both texts: improvementNotation, one code per stratifier, strata by components. */
const VALID_UNDER_BOTH = ['measurereport-valid.json', 'measurereport-valid-no-stratifier.json'];
/** A fixture valid under one text only, and what the other text refuses in it. */
interface TextOnly {
  file: string;
  /** What the other text holds against it. */
  refusedBecause: string;
}
const ONLY_UNDER: Readonly<Record<MadxRuleSet, readonly TextOnly[]>> = {
  'comment-draft': [
    { file: 'measurereport-comment-stratum-value.json', refusedBecause: 'a stratum given by value, not by components (MADX-MR-008), which only the 3.0.0 trial-implementation text refuses' },
  ],
  'trial-implementation': [
    { file: 'measurereport-trial-implementation-without-improvement-notation.json', refusedBecause: 'no improvementNotation (MADX-MR-015), which only the 3.0.0-comment text requires' },
    { file: 'measurereport-trial-implementation-stratifier-without-code.json', refusedBecause: 'a stratifier without a code (MADX-MR-010), which only the 3.0.0-comment text requires' },
  ],
};
const otherText = (r: MadxRuleSet): MadxRuleSet => (r === 'comment-draft' ? 'trial-implementation' : 'comment-draft');

/** The valid reports of the run's text: those valid under both, then those its own rules allow (strata by value; no improvementNotation). */
const validUnder = (r: MadxRuleSet): string[] => [...VALID_UNDER_BOTH, ...ONLY_UNDER[r].map((x) => x.file)];

/** Fixtures breaking a base R4 rule (A8: 400 or 422) rather than an mADX-only one (422). */
const BASE_R4 = new Set(['measurereport-invalid-stratum-value-and-component.json', 'measurereport-invalid-data-collection.json', 'measurereport-invalid-stratifier-without-stratum.json']);
const INVALID_UNDER_BOTH = [
  'measurereport-invalid-missing-subject.json',
  'measurereport-invalid-no-group.json',
  'measurereport-invalid-group-code-without-code.json',
  'measurereport-invalid-population-without-count.json',
  'measurereport-invalid-improvement-notation.json',
  'measurereport-invalid-stratum-without-score.json',
  ...BASE_R4,
];
/** The invalid reports of the run's text: those invalid under both, then those only it refuses, each with why. */
const invalidUnder = (r: MadxRuleSet): TextOnly[] => [...INVALID_UNDER_BOTH.map((file) => ({ file, refusedBecause: '' })), ...ONLY_UNDER[otherText(r)]];
/** The codes after which FHIR's "Rejecting Updates" asks for an OperationOutcome (MADX-CON-019). */
const OUTCOME_CODES = new Set([400, 401, 404, 405, 409, 412, 422]);
const JSON_HEADERS = { 'content-type': MEDIA.json, accept: MEDIA.json };

/** A fixture with a fresh id, naming the unversioned mADX canonical as published examples do, so the Consumer applies its own text. */
function report(file: string, id: string): MeasureReport {
  const fixture = sendFixture<MeasureReport>('madx', file);
  return { ...fixture, id, meta: { ...fixture.meta, profile: [MADX_MEASURE_REPORT] } };
}

const textOf = (t: Ctx): string => MADX_RULE_SET_TITLES[t.fixture.ruleSet.ruleSet];

/** The text's choice, made once in setup from what the Consumer declares and config names, and recorded for the report. */
async function setup(s: SuiteEnvironment): Promise<MadxConsumerFixture> {
  const found = await discover(s);
  const ruleSet = chooseMadxRuleSet({ declared: declaredByCapabilities(found.capabilities), configured: s.config.madxRuleSet });
  s.noteRuleSet(ruleSetRecord(ruleSet));
  return { ...found, ruleSet };
}

/**
 * PUT [base]/MeasureReport/[id] and its final answer (after 202 polling or a 303); no final answer
 * fails `requirement` and ends the test. An XML body asks for a JSON answer, so only the body's
 * format is in question.
 */
async function put(t: ConsumerContext, body: MeasureReport, requirement: Decides, format: 'json' | 'xml' = 'json'): Promise<FhirResponse> {
  const first = await t.sut.update(body, { format, ...(format === 'xml' ? { accept: MEDIA.json } : {}) });
  const final = await finalAnswer(t, first, requirement);
  return final ?? t.require(final, `PUT MeasureReport/${body.id} reached no final answer`, { requirement });
}

/** PUT of a valid report at `id`, with the credentials the test asks for. */
function submitValid(t: ConsumerContext, id: string): Submit {
  const body = JSON.stringify(report(VALID_UNDER_BOTH[0]!, id));
  return (how) => t.sut.request('PUT', `MeasureReport/${id}`, { body, headers: { ...JSON_HEADERS, ...how.headers }, ...(how.anonymous ? { anonymous: true } : {}) });
}

const acceptance = [
  test<MadxConsumerFixture>('valid reports sent by PUT in JSON are accepted with 200 or 201 and held as sent', {
    requirements: ['MADX-CON-001', 'MADX-CON-004', FMT_JSON, 'MADX-CON-010', 'MADX-CON-024', 'MADX-CON-026'],
    negativeControl: 'wrong-success-code',
    referenceGaps: { 'MADX-CON-010': 'the reference Consumer lets clients choose ids (a PUT of a new id creates it), so the 405 row never arises' },
    description:
      "Each fixture valid under the run's mADX text goes to a new id and then again to the same id, so both the create (201, or 200 — A2) and the update (200) answers are seen, and is read back and compared with what was sent (status, type, measure, period, groups) where the Consumer offers MeasureReport read: with and without stratifiers, and with what the text leaves must-support — strata given by value and by components under the 3.0.0-comment text, reports with and without improvementNotation and stratifier codes under the 3.0.0 trial-implementation text. A Consumer that does not let clients choose ids may answer the first PUT 405 (MADX-CON-010). XML is judged by a test of its own.",
    async run(t) {
      const valid = validUnder(t.fixture.ruleSet.ruleSet);
      t.note(`the reports valid under the ${textOf(t)}: ${valid.join(', ')}`);
      for (const file of valid) {
        const id = freshId('madx');
        const sent = report(file, id);
        const created = await put(t, sent, 'MADX-CON-001');
        if (created.status === 405) {
          expectRefused(t, created, `PUT of the new id MeasureReport/${id}`, { status: [405], requirement: 'MADX-CON-010' });
          t.undecided(
            t.requirements.filter((r) => r !== 'MADX-CON-010'),
            "the Consumer does not let clients choose ids (405): mADX sends by PUT at the report's id, so no report can be delivered to it",
          );
          return;
        }
        t.undecided(
          'MADX-CON-010',
          `the Consumer lets clients choose ids (PUT of the new id MeasureReport/${id} answered ${statusText(created.status)}): the 405 row applies only to one that does not`,
        );
        const decides = file === valid[0] ? ['MADX-CON-001', FMT_JSON, 'MADX-CON-004', 'MADX-CON-024'] : ['MADX-CON-024'];
        if (!expectAccepted(t, created, `${file} PUT in JSON to the new id MeasureReport/${id}`, decides)) continue;
        const again = await put(t, sent, decides);
        const updated = again.status === 200;
        t.expect(updated, `the same report PUT again at MeasureReport/${id} answered ${statusText(again.status)}${updated ? ' (updated)' : '; expected 200 OK (updated)'}`, { requirement: decides });
        await readsBack(t, id, sent, decides);
      }
      // The same report from another facility of the directory: its contained subject and reporter renamed throughout.
      const other = { ...(JSON.parse(sendText('madx', valid[0]!).replaceAll('HealthPost1', 'HealthPost4')) as MeasureReport), id: freshId('madx-other'), meta: { profile: [MADX_MEASURE_REPORT] } };
      expectAccepted(t, await put(t, other, 'MADX-CON-026'), `a report of another facility (subject and reporter HealthPost4) PUT at MeasureReport/${other.id}`, 'MADX-CON-026');
    },
  }),
  test<ConsumerFixture>('a valid report sent by PUT in XML is processed: accepted with 200 or 201 and held as sent', {
    requirements: [FMT_XML, 'MADX-CON-004', 'MADX-CON-001', 'MADX-CON-013'],
    negativeControl: 'xml-bodies-400',
    description:
      "The body is XML (Content-Type application/fhir+xml); the answer is asked in JSON, so only the body's format is in question. Processed means accepted and held as sent (read back), not merely not refused with 415 (QRPH-58 Table 2:3.58.4.1.2-1 lets the Creator choose XML). Where the CapabilityStatement lists XML the Consumer says it serves it, so the update (MADX-CON-001) and the 422 for an invalid report (MADX-CON-013) are decided in XML as well; else they are decided in JSON only.",
    async run(t) {
      const cs = t.fixture.capabilities;
      const servesXml = listsFormat(cs, 'xml');
      const decides = servesXml ? [FMT_XML, 'MADX-CON-004', 'MADX-CON-001'] : [FMT_XML, 'MADX-CON-004'];
      if (!servesXml) {
        const why = cs ? `the CapabilityStatement lists the formats ${(cs.format ?? []).join(', ') || '(none)'}, not XML` : 'there is no CapabilityStatement to say the Consumer serves XML';
        t.undecided(['MADX-CON-001', 'MADX-CON-013'], `${why}: the update and its refusals are decided in JSON`);
      }
      const id = freshId('madx-xml');
      const sent = report(VALID_UNDER_BOTH[0]!, id);
      const res = await put(t, sent, decides, 'xml');
      if (res.status === 405) {
        t.undecided(decides, `the Consumer does not let clients choose ids (PUT of the new id MeasureReport/${id} answered 405 Method Not Allowed), so no report can be delivered to it`);
        return;
      }
      if (expectAccepted(t, res, `${VALID_UNDER_BOTH[0]} PUT in XML to the new id MeasureReport/${id}`, decides)) await readsBack(t, id, sent, decides);
      if (!servesXml) return;
      const bad = await put(t, report('measurereport-invalid-missing-subject.json', freshId('madx-xml-invalid')), 'MADX-CON-013', 'xml');
      expectRefused(t, bad, 'an mADX report without subject PUT in XML', { status: [422], requirement: 'MADX-CON-013' });
    },
  }),
  test<ConsumerFixture>('an unknown request parameter does not break a valid submission', {
    requirements: 'MADX-CON-025',
    negativeControl: 'wrong-success-code',
    async run(t) {
      const id = freshId('madx');
      const res = await t.sut.update(report(VALID_UNDER_BOTH[0]!, id), { query: { 'x-measure-conformance-probe': 'ignored' } });
      const final = await finalAnswer(t, res, 'MADX-CON-025');
      if (final) expectAccepted(t, final, `PUT MeasureReport/${id}?x-measure-conformance-probe=ignored`, 'MADX-CON-025');
    },
  }),
  test<ConsumerFixture>('a collection Bundle of valid reports is accepted and every report held', {
    requirements: 'MADX-CON-023',
    negativeControl: 'wrong-success-code',
    description:
      "POST [base] with a Bundle of type collection, and where that does not take it POST [base]/Bundle (A3: no URL is given; those are the two forms the digest names). 200 is the table's success code; 201 is taken too. Each report is read back as sent. Taking Bundles is a SHOULD: this test decides it once, and the tests of an invalid Bundle's answer apply only where Bundles are processed.",
    async run(t) {
      const taken = await sendValidBundle(t, 'MADX-CON-023');
      if (taken.path === undefined || !taken.res) {
        t.expect(false, `a collection Bundle of ${taken.reports.length} valid reports: ${taken.seen}; expected 200 OK or 201 Created`);
        return;
      }
      if (!expectAccepted(t, taken.res, `${bundleUrl(taken.path)} with a collection Bundle of ${taken.reports.length} valid reports`, 'MADX-CON-023')) return;
      for (const r of taken.reports) await readsBack(t, r.id!, r, 'MADX-CON-023');
    },
  }),
];

const rejections = [
  test<MadxConsumerFixture>('one invalid report per content rule is refused with 422 and a fatal OperationOutcome locating the MeasureReport', {
    requirements: ['MADX-CON-006', 'MADX-CON-013', 'MADX-CON-014', 'MADX-CON-016', 'MADX-CON-017', 'MADX-CON-018'],
    negativeControl: 'skip-profile-validation',
    description:
      "One fixture per rule of the run's mADX text, each in JSON (XML is judged by its own test): the rules both texts share, and the ones only this text has — improvementNotation and one code per stratifier under the 3.0.0-comment text, strata by components under the 3.0.0 trial-implementation text; a report the other text would take says so when it is taken. Fixtures breaking base R4 too (mrp-1 data-collection, mrp-2 value and component, an empty stratifier) may get 400 (A8), whose issues need not be fatal; a body that does not parse gets 400. The OperationOutcome rules are judged on the refusals only.",
    async run(t) {
      const brokenId = freshId('madx-broken');
      const broken = await t.sut.request('PUT', `MeasureReport/${brokenId}`, { body: sendText('madx', 'measurereport-invalid-broken.json'), headers: JSON_HEADERS });
      expectRefused(t, broken, `PUT MeasureReport/${brokenId} with JSON that does not parse`, { status: [400], requirement: 'MADX-CON-006' });
      const taken: number[] = [];
      const invalid = invalidUnder(t.fixture.ruleSet.ruleSet);
      for (const { file, refusedBecause } of invalid) {
        const id = freshId('madx-invalid');
        const res = await put(t, report(file, id), 'MADX-CON-013');
        const base = BASE_R4.has(file);
        const what = `${file}${refusedBecause ? ` (under the ${textOf(t)}, the run's: ${refusedBecause})` : ''} PUT at MeasureReport/${id}`;
        const outcome = expectRefused(t, res, what, { status: base ? [400, 422] : [422], requirement: 'MADX-CON-013', ...(res.status === 422 ? { outcome: 'MADX-CON-014' } : {}) });
        if (res.status < 400) taken.push(res.status);
        if (res.status < 400 || !outcome) continue;
        const issues = outcome.issue ?? [];
        const located = issues.some((x) => (x.expression ?? []).some((e) => e === 'MeasureReport' || e.startsWith('MeasureReport.')));
        const expressions = issues.flatMap((x) => x.expression ?? []);
        t.expect(
          located,
          located ? `${file}: an issue.expression locates the MeasureReport` : `${file}: the issue expressions are ${expressions.join(', ') || '(none)'}; expected one locating the MeasureReport`,
          { requirement: 'MADX-CON-016' },
        );
        const severities = issues.map((x) => x.severity).join(', ');
        if (res.status === 422)
          t.expect(
            issues.some((x) => x.severity === 'fatal'),
            issues.some((x) => x.severity === 'fatal') ? `${file}: an issue has severity fatal` : `${file}: the issue severities are ${severities}; expected fatal`,
            { requirement: 'MADX-CON-017' },
          );
        t.expectEvery(issues, (x) => isIssueType(x.code), `${file}: every issue.code is an IssueType code`, { requirement: 'MADX-CON-018', show: (x) => `issue.code ${JSON.stringify(x.code)}` });
      }
      if (taken.length === invalid.length) {
        t.undecided(
          ['MADX-CON-014', 'MADX-CON-016', 'MADX-CON-017', 'MADX-CON-018'],
          `none of the ${invalid.length} invalid reports (under the ${MADX_VERSIONS[t.fixture.ruleSet.ruleSet]} text, ${t.fixture.ruleSet.source === 'default' ? 'the default' : t.fixture.ruleSet.source === 'config' ? 'named in config' : 'the one the Consumer declares'}) was refused (answered ${[...new Set(taken)].map(statusText).join(', ')}), so there is no OperationOutcome of a refusal to judge`,
        );
      }
    },
  }),
  test<ConsumerFixture>('a collection Bundle with invalid entries is refused whole with 422, one OperationOutcome per invalid report', {
    requirements: ['MADX-CON-013', 'MADX-CON-014', 'MADX-CON-015', 'MADX-CON-018'],
    negativeControl: 'bundle-accept-partial',
    description:
      "Applies to a Consumer that processes collection Bundles (it takes a valid one; else the test is skipped, saying so). Entries 0 and 2 break mADX rules, entry 1 is valid. The answer is a Bundle of OperationOutcomes; one OperationOutcome with an issue per invalid entry is the A4 form, a warning. Nothing of the Bundle may be held (the digest's default: the whole Bundle refused).",
    async run(t) {
      const path = await bundlesProcessedAt(t, 'MADX-CON-013');
      const answer = await sendInvalidBundle(t, 'MADX-CON-013', path);
      const status = answer.res.status;
      const at = `${bundleUrl(path)} with a collection Bundle of 3 reports, 2 invalid`;
      t.expect(status === 422, `${at} answered ${statusText(status)}${status === 422 ? '' : '; expected 422 Unprocessable Content (the whole Bundle refused)'}`, { requirement: 'MADX-CON-013' });
      if (status === 422)
        t.expect(
          answer.outcomes.length > 0,
          answer.outcomes.length ? `the 422 answer carries ${answer.outcomes.length} OperationOutcome(s)` : 'the 422 answer carries no OperationOutcome; expected one per invalid report',
          { requirement: 'MADX-CON-014' },
        );
      else t.undecided('MADX-CON-014', `the Bundle was answered ${statusText(status)}, not 422`);
      if (status < 400) {
        t.expect(false, `${at} answered ${statusText(status)}: no invalid report got an OperationOutcome of its own; expected one per invalid report (entries ${INVALID_ENTRIES.join(' and ')})`, {
          requirement: 'MADX-CON-015',
        });
        t.undecided('MADX-CON-018', `the Bundle was answered ${statusText(status)}: there is no refusal whose issue codes could be judged`);
      } else if (answer.outcomes.length === 0) {
        t.expect(false, `the ${statusText(status)} answer carries no OperationOutcome; expected one per invalid report (entries ${INVALID_ENTRIES.join(' and ')})`, { requirement: 'MADX-CON-015' });
      } else if (answer.single) {
        t.warnUnless(false, 'the answer is one OperationOutcome, not one per invalid report (the A4 form)', { requirement: 'MADX-CON-015' });
        t.expectEqual([...entriesNamed(answer.outcomes[0]!.issue ?? [])].sort(), [...INVALID_ENTRIES], 'the entries its issues name', { requirement: 'MADX-CON-015' });
      } else {
        const n = answer.outcomes.length;
        t.expect(
          n === INVALID_ENTRIES.length,
          `the answer carries ${n} OperationOutcome(s) for ${INVALID_ENTRIES.length} invalid reports${n === INVALID_ENTRIES.length ? '' : '; expected one per invalid report'}`,
          { requirement: 'MADX-CON-015' },
        );
        const named = answer.outcomes.map((o) => [...entriesNamed(o.issue ?? [])]);
        const valid = named.some((x) => x.includes(1));
        t.expect(
          !valid,
          valid
            ? `an OperationOutcome names the valid entry 1 (named: ${JSON.stringify(named)}); expected none for a valid report`
            : `no OperationOutcome names the valid entry 1 (named: ${JSON.stringify(named)})`,
          { requirement: 'MADX-CON-015' },
        );
      }
      const issues = status >= 400 ? answer.outcomes.flatMap((o) => o.issue ?? []) : [];
      if (status >= 400)
        t.expectEvery(issues, (x) => isIssueType(x.code), 'every issue.code is an IssueType code', { requirement: 'MADX-CON-018', show: (x) => `issue.code ${JSON.stringify(x.code)}` });
      await notHeld(t, answer.ids[1]!, 'MADX-CON-013', 'the valid entry of a refused Bundle');
    },
  }),
  test<ConsumerFixture>('each OperationOutcome of an invalid Bundle locates its report as Bundle.entry[i].resource', {
    requirements: 'MADX-CON-016',
    negativeControl: 'bundle-issue-without-expression',
    description: 'Applies to a Consumer that processes collection Bundles and refuses the invalid one; else the test is skipped, saying so.',
    async run(t) {
      const answer = await sendInvalidBundle(t, 'MADX-CON-016', await bundlesProcessedAt(t, 'MADX-CON-016'));
      if (answer.res.status < 400)
        t.skip(`the invalid Bundle was answered ${statusText(answer.res.status)}: there is no refusal whose OperationOutcomes could locate its reports (the acceptance is judged under MADX-CON-013)`);
      t.require(
        answer.outcomes.length > 0,
        answer.outcomes.length
          ? `the ${statusText(answer.res.status)} answer carries ${answer.outcomes.length} OperationOutcome(s)`
          : `the ${statusText(answer.res.status)} answer carries no OperationOutcome; expected one per invalid report`,
      );
      const named = [...new Set(answer.outcomes.flatMap((o) => [...entriesNamed(o.issue ?? [])]))].sort();
      t.expectEqual(named, [...INVALID_ENTRIES], 'the entries named by issue.expression Bundle.entry[i].resource');
      if (!answer.single)
        t.expectEvery(answer.outcomes, (o) => entriesNamed(o.issue ?? []).size === 1, 'each OperationOutcome locates exactly one entry', {
          show: (o, i) => `OperationOutcome ${i + 1} names ${[...entriesNamed(o.issue ?? [])].join(', ') || 'no entry'}`,
        });
    },
  }),
  test<ConsumerFixture>('each issue about an invalid Bundle entry has severity fatal', {
    requirements: 'MADX-CON-017',
    negativeControl: 'bundle-severity-error',
    description:
      'QRPH-58 says the "expression" is set to fatal, an evident slip for severity (the 3.0.0-comment text says severity). Applies to a Consumer that processes collection Bundles and refuses the invalid one; else the test is skipped, saying so.',
    async run(t) {
      const answer = await sendInvalidBundle(t, 'MADX-CON-017', await bundlesProcessedAt(t, 'MADX-CON-017'));
      if (answer.res.status < 400)
        t.skip(`the invalid Bundle was answered ${statusText(answer.res.status)}: there is no refusal whose issues could be fatal (the acceptance is judged under MADX-CON-013)`);
      const issues = answer.outcomes.flatMap((o) => o.issue ?? []).filter((i) => entriesNamed([i]).size > 0);
      t.require(
        issues.length > 0,
        issues.length
          ? `the ${statusText(answer.res.status)} answer has ${issues.length} issue(s) locating entries`
          : `the ${statusText(answer.res.status)} answer has no issue locating an entry; expected one per invalid report`,
      );
      t.expectEvery(issues, (i) => i.severity === 'fatal', 'every issue locating an entry has severity fatal', { show: (i) => `${(i.expression ?? []).join(', ')}: ${i.severity}` });
    },
  }),
  test<ConsumerFixture>('a report labelled text/plain is refused with 415', {
    requirements: 'MADX-CON-005',
    negativeControl: 'accept-wrong-media-type',
    description: 'application/json is neither allowed nor forbidden (A5), so it is only noted. The OperationOutcome of error answers is judged under MADX-CON-019, whose list of codes 415 is not on.',
    async run(t) {
      const id = freshId('madx');
      const res = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(report(VALID_UNDER_BOTH[0]!, id)), headers: { 'content-type': 'text/plain', accept: MEDIA.json } });
      expectRefused(t, res, `PUT MeasureReport/${id} with a JSON report labelled text/plain`, { status: [415], requirement: 'MADX-CON-005' });
      const plain = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(report(VALID_UNDER_BOTH[0]!, id)), headers: { 'content-type': 'application/json', accept: MEDIA.json } });
      t.note(`labelled application/json the report was answered ${statusText(plain.status)} (A5: accepting it or 415 are both acceptable)`);
    },
  }),
  test<ConsumerFixture>('a body id unlike the URL, or none, is refused with 400; an XML body declaring an entity is refused unexpanded', {
    requirements: ['MADX-CON-007', 'MADX-SEC-003'],
    negativeControl: 'ignore-body-id',
    description:
      'FHIR R4 update: the body id SHALL equal the URL id. An XML body with a DTD declaring an entity is refused with 400 and not expanded (RFC 7303 caution, a SHOULD); a Consumer that takes no XML at all (415) has no XML processing to guard.',
    async run(t) {
      const id = freshId('madx');
      const mismatch = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(report(VALID_UNDER_BOTH[0]!, `${id}-other`)), headers: JSON_HEADERS });
      expectRefused(t, mismatch, `PUT MeasureReport/${id} with body id ${id}-other`, { status: [400], requirement: 'MADX-CON-007' });
      const { id: _drop, ...noId } = report(VALID_UNDER_BOTH[0]!, id);
      const missing = await t.sut.request('PUT', `MeasureReport/${id}`, { body: JSON.stringify(noId), headers: JSON_HEADERS });
      expectRefused(t, missing, `PUT MeasureReport/${id} with a body without id`, { status: [400], requirement: 'MADX-CON-007' });
      const dtdId = freshId('madx-dtd');
      await judgeEntityRefused(
        t,
        (body) => t.sut.request('PUT', `MeasureReport/${dtdId}`, { body, headers: { 'content-type': MEDIA.xml, accept: MEDIA.json } }),
        report(VALID_UNDER_BOTH[0]!, dtdId),
        'MADX-SEC-003',
      );
    },
  }),
  test<ConsumerFixture>('a request for a resource type the CapabilityStatement does not list is answered 404', {
    requirements: 'MADX-CON-009',
    negativeControl: 'unserved-type-400',
    description: `QRPH-58 Table 2:3.58.4.2.2-1: 404 "resource type not supported". The type asked about is the first of ${UNLIKELY_TYPES.join(', ')} that the SUT's CapabilityStatement does not list, so a Consumer that also serves other types (Observation, say) is asked only about one it says it does not serve.`,
    async run(t) {
      const { type, known } = unservedType(t.fixture.capabilities);
      if (!type) return t.skip(`the CapabilityStatement lists every type the harness would ask about (${UNLIKELY_TYPES.join(', ')})`);
      const id = freshId('madx');
      const res = await t.sut.request('PUT', `${type}/${id}`, { body: JSON.stringify({ resourceType: type, id }), headers: JSON_HEADERS });
      if (!known && res.status >= 200 && res.status < 300)
        t.skip(`PUT ${type}/${id} answered ${statusText(res.status)}: with no CapabilityStatement the harness cannot tell the Consumer does not serve ${type}`);
      expectRefused(t, res, `PUT ${type}/${id} (a type ${known ? 'the CapabilityStatement does not list' : 'no measure exchange uses'})`, { status: [404], requirement: 'MADX-CON-009' });
    },
  }),
  test<ConsumerFixture>('a method the CapabilityStatement does not list is answered 501 (405 taken), on a report this run created', {
    requirements: 'MADX-CON-012',
    negativeControl: 'no-501',
    description:
      'QRPH-58 Table 2:3.58.4.2.2-1: 501 "the HTTP method is not implemented". DELETE and PATCH are outside Send Aggregate Report; each one the CapabilityStatement does not list for MeasureReport is sent to a report this run just created (on an id never created, 404 would be the right answer). 405 (FHIR) is taken too and the report says which.',
    async run(t) {
      const cs = t.fixture.capabilities;
      const methods = unlistedMethods(cs, 'MeasureReport');
      if (methods.length === 0) t.skip('the CapabilityStatement lists both delete and patch for MeasureReport: no method the harness would try is unimplemented');
      const id = freshId('madx');
      const created = await put(t, report(VALID_UNDER_BOTH[0]!, id), 'MADX-CON-012');
      if (created.status !== 200 && created.status !== 201)
        t.skip(`the report to try the methods on was not accepted (PUT MeasureReport/${id} answered ${statusText(created.status)}): unlisted methods are tried only on a report this run created`);
      for (const method of methods) {
        const res = await t.sut.request(method, `MeasureReport/${id}`, {
          ...(method === 'PATCH' ? { body: '[]' } : {}),
          headers: { 'content-type': 'application/json-patch+json', accept: MEDIA.json },
        });
        if (!cs && res.status >= 200 && res.status < 300) {
          t.undecided(
            'MADX-CON-012',
            `${method} MeasureReport/${id} answered ${statusText(res.status)}: with no CapabilityStatement the harness cannot tell the Consumer does not implement ${method}`,
          );
          continue;
        }
        const ok = res.status === 501 || res.status === 405;
        t.expect(
          ok,
          `${method} MeasureReport/${id}${cs ? ` (${method.toLowerCase()} not listed in the CapabilityStatement)` : ''} answered ${statusText(res.status)}${ok ? '' : '; expected 501 Not Implemented (or 405 Method Not Allowed)'}`,
        );
        if (res.status === 405) t.note(`${method} answered 405 rather than the table's 501`);
      }
    },
  }),
  test<ConsumerFixture>('an update with a stale If-Match is refused with 412 (409 taken)', {
    requirements: 'MADX-CON-011',
    negativeControl: 'ignore-if-match',
    async run(t) {
      const id = freshId('madx');
      const first = await put(t, report(VALID_UNDER_BOTH[0]!, id), 'MADX-CON-011');
      if (first.status !== 200 && first.status !== 201) t.skip(`the report to work on was not accepted (PUT MeasureReport/${id} answered ${statusText(first.status)}), so If-Match cannot be tried`);
      const second = await put(t, report(VALID_UNDER_BOTH[0]!, id), 'MADX-CON-011');
      if (!second.headers['etag'])
        t.skip(`the Consumer answered the update ${statusText(second.status)} without an ETag: it keeps no versions, so If-Match does not apply (MADX-CON-011 is conditional)`);
      const stale = await t.sut.update(report(VALID_UNDER_BOTH[0]!, id), { headers: { 'if-match': 'W/"1"' } });
      expectRefused(t, stale, `PUT MeasureReport/${id} with If-Match W/"1" after ETag ${second.headers['etag']}`, { status: [412, 409], requirement: 'MADX-CON-011' });
    },
  }),
  test<ConsumerFixture>('a request with no credential, or a wrong one, is refused with 401 and an OperationOutcome', {
    requirements: ['MADX-CON-008', 'MADX-CON-019'],
    negativeControl: 'auth-403',
    description:
      'With credentials configured (sut.auth, or the client certificate of sut.tls; with no SUT, the bearer token the reference Consumer demands of the run), the same valid report is PUT once with no credential and no client certificate and once with a wrong credential of the kind configured: each is refused with 401 and an OperationOutcome, a report taken failing. With none configured, a made-up bearer token that is taken shows the Consumer requires no authorization, and the row does not apply (its mutual authentication is judged by its own test).',
    async run(t) {
      const id = freshId('madx');
      await judgeCredentials(t, submitValid(t, id), { refused: 'MADX-CON-008', outcome: 'MADX-CON-019', mutual: 'MADX-SEC-002' });
    },
  }),
  test<ConsumerFixture>('error answers carry an OperationOutcome', {
    requirements: 'MADX-CON-019',
    negativeControl: 'operation-outcome-missing',
    description:
      'FHIR R4 "Rejecting Updates": a 400, 401, 404, 405, 409, 412 or 422 answer SHOULD carry an OperationOutcome. Judged on the error answers to a body that does not parse, a type the Consumer does not serve and an invalid report; an answer that accepted the request owes none and is not judged.',
    async run(t) {
      const id = freshId('madx');
      const { type } = unservedType(t.fixture.capabilities);
      const answers = [
        await t.sut.request('PUT', `MeasureReport/${id}`, { body: '{"resourceType":', headers: JSON_HEADERS }),
        ...(type ? [await t.sut.request('PUT', `${type}/${id}`, { body: JSON.stringify({ resourceType: type, id }), headers: JSON_HEADERS })] : []),
        await put(t, report('measurereport-invalid-no-group.json', freshId('madx-invalid')), 'MADX-CON-019'),
      ];
      const errors = answers.filter((r) => OUTCOME_CODES.has(r.status));
      for (const r of answers.filter((x) => !OUTCOME_CODES.has(x.status)))
        t.note(`${r.exchange.method} ${r.exchange.url} answered ${statusText(r.status)}: not an error answer of the list, so not judged here`);
      t.expectEvery(errors, (r) => outcomeOf(r) !== undefined, 'the error answers each carry an OperationOutcome', {
        show: (r) => `${r.exchange.method} ${new URL(r.exchange.url).pathname} answered ${statusText(r.status)} with ${r.text.trim() ? 'a body that is no OperationOutcome' : 'an empty body'}`,
      });
    },
  }),
  test<ConsumerFixture>('asked with Prefer: respond-async, a 202 status URL is polled and a 303 followed to the final answer', {
    requirements: ['MADX-CON-002', 'MADX-CON-020', 'MADX-CON-021'],
    negativeControl: 'redirect-loop',
    description:
      'mADX defines no way to ask for asynchronous processing; the harness sends Prefer: respond-async (digest §6), which the reference Consumer honours. 202 and 303 are MAY: a Consumer that answers synchronously anyway leaves them undecided. Status and result URLs are used at once (MADX-CON-022 lets them expire later).',
    async run(t) {
      const id = freshId('madx');
      const first = await t.sut.update(report(VALID_UNDER_BOTH[0]!, id), { headers: { prefer: 'respond-async' }, followRedirects: false });
      if (first.status !== 202 && first.status !== 303) {
        t.expect(first.status >= 100 && first.status < 600, `PUT MeasureReport/${id} was answered ${statusText(first.status)} at once, even asked to respond asynchronously`, {
          requirement: 'MADX-CON-002',
        });
        t.undecided(['MADX-CON-020', 'MADX-CON-021'], `not used (MAY): the Consumer answered ${statusText(first.status)} synchronously even when asked to respond asynchronously`);
        return;
      }
      const hops: number[] = [];
      const mode = first.status === 202 ? 'MADX-CON-020' : 'MADX-CON-021';
      const final = await finalAnswer(t, first, ['MADX-CON-002', mode], hops);
      if (!final) return;
      const chain = [first.status, ...hops].map(statusText).join(' → ');
      t.expect(final.status > 0, `PUT MeasureReport/${id} reached a final status code: ${chain}`, { requirement: 'MADX-CON-002' });
      const redirected = first.status === 303 || hops.includes(303);
      if (first.status !== 202) t.undecided('MADX-CON-020', 'not used (MAY): the Consumer answered 303 at once, with no 202');
      if (!redirected) t.undecided('MADX-CON-021', `not used (MAY): no 303 on the way to the final answer (${chain})`);
      const ok = final.status === 200 || final.status === 201;
      t.expect(ok, `the asynchronous submission (${chain}) ended in ${statusText(final.status)}${ok ? '' : '; expected 200 OK or 201 Created'}`, {
        requirement: [...(first.status === 202 ? ['MADX-CON-020'] : []), ...(redirected ? ['MADX-CON-021'] : [])],
      });
    },
  }),
];

/** The answer to a report only the Validate option refuses: 422, or (A7) 400/404 as a warning. */
function expectValidateRefusal(t: ConsumerContext, res: FhirResponse, what: string, requirement: string) {
  if (res.status === 400 || res.status === 404) {
    t.warnUnless(false, `${what} answered ${statusText(res.status)}; QRPH-58 names 422 for a report breaking a business rule (A7 tolerates ${res.status})`, { requirement });
    return outcomeOf(res);
  }
  return expectRefused(t, res, what, { status: [422], requirement, outcome: requirement });
}

const validateOption = [
  test<ConsumerFixture>('a Consumer claiming the Validate option is grouped with the actors the option requires', {
    requirements: 'MADX-OPT-001',
    preconditions: { options: [MADX_VALIDATE_OPTION] },
    negativeControl: ATTESTED_FALSE,
    description: 'A grouping is a declaration, not an exchange: a person answers, recorded as attestations.MADX-OPT-001 in config.yaml. The option tests below show its effects on the wire.',
    run(t) {
      t.note(`the CapabilityStatement instantiates ${(t.fixture.capabilities?.instantiates ?? []).join(', ') || 'nothing'}`);
      t.attest(
        'MADX-OPT-001',
        'Is the Consumer grouped with a Content Data Structure Consumer (holding the Measures), an SVCM Terminology Consumer (holding their value sets) and an mCSD Care Services Update Consumer (holding the facilities), as the Validate mADX Message option requires?',
      );
    },
  }),
  test<ConsumerFixture>('with the Validate option, an indicator or disaggregation value outside the Measure and its linked code sets is refused with 422 code-invalid', {
    requirements: ['MADX-OPT-002', 'MADX-OPT-004'],
    preconditions: { options: [MADX_VALIDATE_OPTION] },
    negativeControl: 'ignore-terminology',
    description: `The reports name the project's Measure (fixtures/madx) and its value sets (fixtures/madx/validate), which a Consumer claiming the option holds through its Content Data Structure Consumer and SVCM Terminology Consumer. One report has a group code the Measure does not define; the other a TBdiagnosisResult value outside the code set the Measure links to that dimension (relatedArtifact label = component code). 400 or 404 is a warning (A7); issue.code code-invalid is recommended.`,
    async run(t) {
      for (const file of ['measurereport-invalid-unknown-indicator.json', 'measurereport-invalid-unknown-disaggregation-value.json']) {
        const res = await put(t, report(file, freshId('madx-validate')), 'MADX-OPT-002');
        const outcome = expectValidateRefusal(t, res, file, 'MADX-OPT-002');
        const codes = (outcome?.issue ?? []).map((i) => i.code);
        if (outcome)
          t.warnUnless(
            codes.includes('code-invalid'),
            codes.includes('code-invalid') ? `${file}: an issue has code code-invalid` : `${file}: the issue codes are ${codes.join(', ')}; code-invalid is recommended`,
            { requirement: 'MADX-OPT-002' },
          );
      }
      const ok = await put(t, report(VALID_UNDER_BOTH[0]!, freshId('madx-validate')), 'MADX-OPT-004');
      expectAccepted(t, ok, 'a report whose values are all in the linked code sets', 'MADX-OPT-004');
    },
  }),
  test<ConsumerFixture>('with the Validate option, a report about a facility the mCSD directory does not hold is refused with 422', {
    requirements: 'MADX-OPT-003',
    preconditions: { options: [MADX_VALIDATE_OPTION] },
    negativeControl: 'ignore-unknown-subject',
    description:
      "The subject is Location/does-not-exist; the Consumer's mCSD Care Services Update Consumer holds the project's facilities (fixtures/madx/validate). 404 is tolerated as a warning (A7).",
    async run(t) {
      const res = await put(t, report('measurereport-invalid-unknown-subject.json', freshId('madx-validate')), 'MADX-OPT-003');
      expectValidateRefusal(t, res, 'a report about Location/does-not-exist', 'MADX-OPT-003');
    },
  }),
];

const declarations = [
  test<ConsumerFixture>('the Consumer endpoint is served over https', {
    requirements: ['MADX-CON-003', 'MADX-SEC-001'],
    negativeControl: 'plain-http',
    description:
      'QRPH-58 requires https (2:3.58.6), with no allowance for local testing: a SUT reached over http fails, and its address asked in plain http must not answer as a FHIR endpoint. With no SUT the reference Consumer serves https with a certificate made for the run; a run asked for plain http (run --no-tls) leaves this to a person.',
    async run(t) {
      await judgeTransport(t, { https: 'MADX-CON-003', noPlainHttp: 'MADX-SEC-001' });
    },
  }),
  test<ConsumerFixture>('the Consumer requires mutual authentication', {
    requirements: 'MADX-SEC-002',
    negativeControl: 'auth-ignored',
    description:
      "QRPH-58 2:3.58.6: transport SHALL use an appropriate mutual authentication mechanism. A valid report is PUT by a client presenting no credential and no client certificate at all: taking it fails; refusing it (401 or 403, or a TLS handshake that asks for a client certificate) passes the wire part, and a person answers what the wire cannot show, whether the mechanism is appropriate under the jurisdiction's guidelines (attestations.MADX-SEC-002 in config.yaml).",
    async run(t) {
      await judgeMutualAuthentication(t, submitValid(t, freshId('madx')), {
        requirement: 'MADX-SEC-002',
        question:
          "The Consumer refuses a client that does not authenticate itself (seen on the wire). Is the mechanism it demands (client certificate, token or other) appropriate under the jurisdiction's guidelines for protecting the exchange?",
      });
    },
  }),
  test<ConsumerFixture>('GET [base]/metadata, if offered, returns an R4 CapabilityStatement (information only)', {
    requirements: 'MADX-CS-001',
    negativeControl: 'metadata-wrong-fhir-version',
    description:
      'mADX defines no CapabilityStatement; the harness states its own requirements (IHE.mADX.ContentConsumer). Offering none is not using a MAY (skipped, saying so); one that is offered describes a FHIR 4.0.1 server, the version mADX is written for, or it is a warning at most.',
    async run(t) {
      const res = await t.sut.capabilities();
      const parsed = res.status === 200 ? res.tryResource<CapabilityStatement>() : undefined;
      const cs = parsed?.ok && parsed.resource.resourceType === 'CapabilityStatement' ? parsed.resource : undefined;
      if (!cs) return t.skip(`not used (MAY): GET [base]/metadata answered ${statusText(res.status)} without a CapabilityStatement`);
      const r4 = /^4\.0\./.test(cs.fhirVersion ?? '');
      const name = cs.name ?? cs.title ?? cs.software?.name ?? 'an unnamed server';
      t.expect(r4, `GET [base]/metadata describes ${name} as a FHIR ${cs.fhirVersion ?? '(no fhirVersion)'} server${r4 ? '' : '; expected FHIR 4.0.1, the version mADX is written for'}`);
    },
  }),
];

export default defineSuite<MadxConsumerFixture>({
  id: 'madx/send-aggregate-report/content-consumer',
  title: 'IHE mADX Send Aggregate Report [QRPH-58]: Content Consumer (server)',
  actorUnderTest: 'MadxContentConsumer' satisfies ActorId,
  role: 'server',
  capabilities: [MADX_CONTENT_CONSUMER],
  options: [MADX_VALIDATE_OPTION],
  // The reference run claims the Validate option, so the reference Consumer runs with it.
  simulatorOptions: { validateMessage: true },
  setup,
  tests: [...acceptance, ...rejections, ...validateOption, ...declarations],
});
