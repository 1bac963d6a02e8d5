import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import suite from '../../suites/madx/send-aggregate-report/content-creator.js';
import { catalogue } from '../../ig/index.js';
import { MADX_CONTENT_CREATOR } from '../../ig/madx/capabilities.js';
import { projectRoot } from '../../src/harness.js';
import { defaultConfig } from '../../src/config/load.js';
import { launcher, planFor } from '../../src/cli/selection.js';
import { runSuites, type Suite, type RunResults, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';

const creatorSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-madx-creator-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A Content Creator of its own, outside the harness: it sends one valid mADX report. `careful` PUTs
 * it at its id in application/fhir+json and follows the 202 to its end; otherwise it POSTs it
 * labelled application/json and takes the 202 as the end.
 */
function sutScript(careful: boolean, options: { file?: string; profile?: string; token?: string } = {}): string {
  const report = JSON.parse(readFileSync(join(projectRoot, 'fixtures/madx/send', options.file ?? 'measurereport-valid.json'), 'utf8')) as Record<string, unknown> & {
    contained?: Record<string, unknown>[];
  };
  if (options.profile) report['meta'] = { profile: [options.profile] };
  const div = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">report</div>' };
  report['text'] = div;
  for (const c of report.contained ?? []) c['text'] = div;
  return `
const base = process.env.MC_SIMULATOR_URL;
const report = ${JSON.stringify(report)};
const careful = ${careful};
const type = careful ? 'application/fhir+json' : 'application/json';
const auth = ${JSON.stringify(options.token ? { authorization: `Bearer ${options.token}` } : {})};
let res = await fetch(careful ? base + '/MeasureReport/' + report.id : base + '/MeasureReport', { method: careful ? 'PUT' : 'POST', headers: { 'content-type': type, accept: type, ...auth }, body: JSON.stringify(report), redirect: 'manual' });
let status;
while (careful && (res.status === 202 || res.status === 303)) {
  if (res.status === 202) status = new URL(res.headers.get('content-location') ?? status, res.url).href;
  res = await fetch(res.status === 202 ? status : new URL(res.headers.get('location'), res.url), { redirect: 'manual', headers: auth });
}
if (careful && res.status >= 300) throw new Error('the report was refused: ' + res.status);
`;
}

function sutConfig(command: string, more: { madxRuleSet?: 'trial-implementation' | 'comment-draft'; simulatorToken?: string } = {}): HarnessConfig {
  return {
    ...base,
    sut: { name: 'script creator', triggers: { MadxContentCreator: { type: 'command', command } }, ...(more.madxRuleSet ? { madxRuleSet: more.madxRuleSet } : {}) },
    ...(more.simulatorToken ? { simulators: { ...base.simulators, auth: { bearerToken: more.simulatorToken } } } : {}),
  };
}

async function run(config: HarnessConfig, faults: string[] = []): Promise<RunResults> {
  return runSuites({ suites: [creatorSuite], catalogue: catalogue(), plan: (s) => planFor(s, config, faults), launch: launcher(config), timeouts: { waitMs: 5_000 } });
}

function byTitle(results: RunResults): Map<string, TestResult> {
  return new Map(results.tests.map((t) => [t.title, t]));
}

let scripts = 0;
async function runScriptFor(careful: boolean, options: Parameters<typeof sutScript>[1] = {}, more: Parameters<typeof sutConfig>[1] = {}): Promise<RunResults> {
  const script = join(dir, `creator-${careful ? 'careful' : 'sloppy'}-${scripts++}.mjs`);
  writeFileSync(script, sutScript(careful, options));
  return run(sutConfig(`node ${JSON.stringify(script)}`, more));
}
async function runScript(careful: boolean): Promise<Map<string, TestResult>> {
  return byTitle(await runScriptFor(careful));
}

const SENDS = 'The creator sends aggregate reports to the Consumer when triggered';
const PUT = 'Each report is sent by PUT [base]/MeasureReport/[id] with the same id in the body';
const MEDIA = 'Requests carry Content-Type application/fhir+json or application/fhir+xml and bodies in that format';
const VALID = 'Every report sent conforms to mADX-MeasureReport';
const POLLS = 'After a 202 the creator polls the status URL';
const FOLLOWS = 'After a 303 the creator GETs its Location';

const ERRORS = 'The creator reports 401 and 5xx answers as errors';
const CREDENTIAL = 'The creator presents the credential the Consumer demands on every request';
const TI_CANONICAL = 'https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport|3.0.0';

describe('mADX Content Creator suite', () => {
  it('the suite starts its Consumer simulator in the 202 mode, so every submission of the reference creator is answered 202', async () => {
    const results = await run({ ...base, sut: undefined });
    const first = results.tests[0]!;
    const submissions = first.evidence.flatMap((e) => (e.kind === 'http' && e.exchange.method !== 'GET' ? [e.exchange] : []));
    expect(submissions.length).toBe(4);
    expect(submissions.map((x) => x.status)).toEqual([202, 202, 202, 202]);
  }, 60_000);

  it('every Content Creator requirement of the catalogue gets a verdict from the reference run', async () => {
    const results = await run({ ...base, sut: undefined });
    const inScope = results.requirements.filter((r) => r.capability === MADX_CONTENT_CREATOR && !catalogue().get(r.id)?.notTestedReason);
    expect(inScope.length).toBeGreaterThan(20);
    expect(inScope.filter((r) => r.verdict === 'not-tested').map((r) => r.id)).toEqual([]);
    expect(results.tests.filter((t) => !['pass', 'manual'].includes(t.verdict)).map((t) => `${t.title}: ${t.reason}`)).toEqual([]);
    expect(
      results.tests
        .filter((t) => t.verdict === 'manual')
        .map((t) => t.title)
        .sort(),
    ).toEqual(['The risk of re-identification from small counts is considered']);
    expect(results.suites[0]!.target).toMatch(/^https:/);
    const t = byTitle(results);
    // The Consumer simulator demands the run's bearer token; the reference creator presents it on every request.
    expect(t.get(CREDENTIAL)?.assertions.map((a) => [a.passed, a.requirements, a.message])).toEqual([
      [true, ['MADX-CRE-006', 'MADX-SEC-002'], expect.stringMatching(/^every request carried the bearer token the Consumer demands and none was refused 401: all \d+ do$/)],
    ]);
    // Its reports declare no version: the default text rules, and they meet it.
    expect(results.ruleSets).toEqual([
      expect.objectContaining({ ruleSet: 'comment-draft (3.0.0-comment)', reason: expect.stringMatching(/^the default/), suite: 'madx/send-aggregate-report/content-creator' }),
    ]);
    expect(['MADX-MR-010', 'MADX-MR-015', 'MADX-MR-001', 'MADX-CRE-007'].map((id) => results.requirements.find((r) => r.id === id)?.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(t.get('The creator sends to an https endpoint')?.verdict).toBe('pass');
    expect(t.get('Age disaggregation values follow the ADX age-group format')?.verdict).toBe('pass');
    // The reference creator gives up on a 401 and on a 503: its error reporting is decided on the wire.
    expect(t.get(ERRORS)?.assertions.map((a) => a.message)).toEqual([
      expect.stringMatching(/^refused with 401, the creator reported it: it gave up: the Content Consumer answered PUT MeasureReport\/.+ with 401/),
      expect.stringMatching(/^refused with 503, the creator reported it: it gave up: .* with 503/),
    ]);
  }, 60_000);

  it('a creator that takes a 202 as the end warns on polling; a Consumer answering 303 at once still shows it follows a 303', async () => {
    const t = byTitle(await run({ ...base, sut: undefined }, ['no-polling']));
    expect(t.get(POLLS)?.verdict).toBe('warning');
    expect(t.get(FOLLOWS)?.verdict).toBe('pass');
    expect(t.get(VALID)?.verdict).toBe('pass');
  }, 60_000);

  it('a configured SUT triggered by a command is judged on its own requests, end to end, its exit status showing how it reports errors', async () => {
    const t = await runScript(true);
    for (const title of [SENDS, PUT, MEDIA, VALID, POLLS, FOLLOWS, ERRORS, 'Every report names the configured mADX Measure']) {
      expect([title, t.get(title)?.verdict, t.get(title)?.reason]).toEqual([title, 'pass', undefined]);
    }
    expect(t.get('Several reports at once travel as one collection Bundle without entry.request')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('not used (MAY)') });
    expect(t.get(ERRORS)?.assertions.map((a) => a.message)).toEqual([
      expect.stringMatching(/^refused with 401, the creator reported it: it exited with 1$/),
      expect.stringMatching(/^refused with 503, the creator reported it: it exited with 1$/),
    ]);
  }, 60_000);

  it('a SUT that POSTs application/json, stops at the 202 and exits 0 whatever the answer fails the media type and is warned on the rest', async () => {
    const t = await runScript(false);
    expect(t.get(MEDIA)?.verdict).toBe('fail');
    expect(t.get(PUT)?.verdict).toBe('warning');
    expect(t.get(POLLS)?.verdict).toBe('warning');
    expect(t.get(FOLLOWS)?.verdict).toBe('warning');
    expect(t.get(ERRORS)?.verdict).toBe('warning');
    expect(t.get(ERRORS)?.reason).toMatch(/^refused with 401 \(POST \/MeasureReport -> 401 Unauthorized\), the creator exited with 0 and printed nothing about it; expected it to report the error/);
    expect([t.get(VALID)?.verdict, t.get(VALID)?.reason]).toEqual(['pass', undefined]);
  }, 60_000);

  it('a creator that leaves out the token the Consumer demands fails the credential test on its requests', async () => {
    const t = byTitle(await run({ ...base, sut: undefined }, ['no-credential']));
    expect([t.get(CREDENTIAL)?.verdict, t.get(CREDENTIAL)?.reason]).toEqual([
      'fail',
      expect.stringMatching(/^1 of 1 do not \(PUT \/MeasureReport\/\S+ -> 401 Unauthorized carried no Authorization\)/),
    ]);
  }, 60_000);

  it('a SUT given simulators.auth.bearerToken presents it and passes; without it the credential test is undecided, saying how to show it', async () => {
    const given = byTitle(await runScriptFor(true, { token: 'sim-token' }, { simulatorToken: 'sim-token' }));
    expect(given.get(CREDENTIAL)?.verdict).toBe('pass');
    expect(given.get(VALID)?.verdict).toBe('pass');
    const refused = byTitle(await runScriptFor(true, {}, { simulatorToken: 'sim-token' })).get(CREDENTIAL);
    expect([refused?.verdict, refused?.reason]).toEqual(['fail', expect.stringContaining('carried no Authorization')]);
    const none = (await runScript(true)).get(CREDENTIAL);
    expect(none?.undecided).toContainEqual({ requirement: 'MADX-SEC-002', reason: expect.stringContaining('give simulators.auth.bearerToken') });
  }, 120_000);

  it("a 3.0.0 report without improvementNotation fails only the comment text's rule under the default, saying how to choose the other; declared, or named in config, it passes", async () => {
    const file = 'measurereport-trial-implementation-without-improvement-notation.json';
    const bare = await runScriptFor(true, { file, profile: 'https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport' });
    const verdicts = (r: RunResults, ids: string[]) => ids.map((id) => r.requirements.find((x) => x.id === id)?.verdict);
    expect(verdicts(bare, ['MADX-CRE-007', 'MADX-MR-015', 'MADX-MR-001', 'MADX-MR-010', 'MADX-MR-008'])).toEqual(['fail', 'fail', 'pass', 'pass', 'pass']);
    expect(bare.requirements.find((r) => r.id === 'MADX-CRE-007')?.reason).toMatch(
      /^MeasureReport\/\S+ against the mADX 3\.0\.0-comment text \(\S+\|3\.0\.0-comment, the run's\): it fails only rules the mADX 3\.0\.0-comment text has and the mADX 3\.0\.0 trial-implementation text lacks \(MADX-MR-015\).*sut\.madxRuleSet: trial-implementation/,
    );
    const declared = await runScriptFor(true, { file, profile: TI_CANONICAL });
    expect(declared.ruleSets?.[0]).toMatchObject({ ruleSet: 'trial-implementation (3.0.0)', reason: expect.stringMatching(/^declared by the SUT: meta\.profile of the reports it sent/) });
    expect(verdicts(declared, ['MADX-CRE-007', 'MADX-MR-015', 'MADX-MR-010'])).toEqual(['pass', 'skip', 'skip']);
    expect(declared.requirements.find((r) => r.id === 'MADX-MR-015')?.reason).toMatch(/a rule of the 3\.0\.0-comment text only/);
    const configured = await runScriptFor(true, { file, profile: 'https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport' }, { madxRuleSet: 'trial-implementation' });
    expect(configured.ruleSets?.[0]?.reason).toMatch(/^named in config/);
    expect(verdicts(configured, ['MADX-CRE-007'])).toEqual(['pass']);
  }, 120_000);

  it("a report by value strata (the comment text's form) fails only MADX-MR-008 under the 3.0.0 text it declares", async () => {
    const declared = await runScriptFor(true, { file: 'measurereport-comment-stratum-value.json', profile: TI_CANONICAL });
    const ids = ['MADX-MR-008', 'MADX-MR-007', 'MADX-CRE-007'];
    expect(ids.map((id) => declared.requirements.find((r) => r.id === id)?.verdict)).toEqual(['fail', 'pass', 'fail']);
    expect(declared.requirements.find((r) => r.id === 'MADX-CRE-007')?.reason).toMatch(/fails only rules the mADX 3\.0\.0 trial-implementation text has/);
  }, 60_000);

  it('a SUT that never sends fails the first test; checks over what it did not send decide nothing', async () => {
    const results = await run(sutConfig('true'));
    expect(results.tests[0]?.verdict).toBe('fail');
    expect(results.tests[0]?.reason).toMatch(
      /^the mADX Content Creator sent nothing to https?:\/\/127\.0\.0\.1:\d+ \(the trigger command had exited with 0, and nothing came within 5 s\); expected at least one MeasureReport/,
    );
    const t = byTitle(results);
    expect(t.get(VALID)?.verdict).toBe('skip');
    expect(t.get(ERRORS)?.verdict).toBe('skip');
    expect(results.requirements.find((r) => r.id === 'MADX-CRE-001')?.verdict).toBe('fail');
  }, 60_000);
});
