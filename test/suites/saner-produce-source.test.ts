import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import suite from '../../suites/saner/produce-measure/measure-source.js';
import { catalogue } from '../../ig/index.js';
import { projectRoot } from '../../src/harness.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor } from '../../src/cli/selection.js';
import { runSuites, type Suite, type RunResults, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';
import { MEASURE_SOURCE_PM_CSV_PUSH, MEASURE_SOURCE_PM_PUSH, MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA } from '../../ig/saner/capabilities.js';

const sourceSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-push-sut-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A small pushing source of its own, outside the harness: it creates one report (a fixture without
 * its id) and revises it. `careful` revises with a PUT at the id of the Location; otherwise the
 * script labels its JSON application/json and sends the revision as a second create.
 */
function sutScript(careful: boolean): string {
  const report = JSON.parse(readFileSync(join(projectRoot, 'fixtures/saner/measurereport-beds-camden-2020-04-01.json'), 'utf8')) as Record<string, unknown>;
  delete report['id'];
  return `
const base = process.env.MC_SIMULATOR_URL;
const type = ${JSON.stringify(careful ? 'application/fhir+json' : 'application/json')};
const report = ${JSON.stringify(report)};
const send = (method, path, body) => fetch(base + '/' + path, { method, headers: { 'content-type': type, accept: type }, body: JSON.stringify(body) });
const created = await send('POST', 'MeasureReport', report);
if (created.status !== 201) throw new Error('create answered ' + created.status + ': ' + await created.text());
const id = created.headers.get('location').split('/MeasureReport/')[1].split('/')[0];
report.group[0].population[0].count += 1;
const revised = ${careful} ? await send('PUT', 'MeasureReport/' + id, { ...report, id }) : await send('POST', 'MeasureReport', report);
if (revised.status >= 300) throw new Error('revision answered ' + revised.status);
`;
}

function sutConfig(command: string): HarnessConfig {
  return { ...base, sut: { name: 'script source', options: ['Push'], triggers: { MeasureSource: { type: 'command', command } } } };
}

async function run(config: HarnessConfig, faults: string[] = []): Promise<RunResults> {
  return runSuites({ suites: [sourceSuite], catalogue: catalogue(), plan: (s) => planFor(s, config, faults), timeouts: { waitMs: 5_000 } });
}

function byTitle(results: RunResults): Map<string, TestResult> {
  return new Map(results.tests.map((t) => [t.title, t]));
}

let lastResults: RunResults | undefined;

async function runScript(careful: boolean): Promise<Map<string, TestResult>> {
  const script = join(dir, `source-${careful ? 'careful' : 'sloppy'}.mjs`);
  writeFileSync(script, sutScript(careful));
  lastResults = await run(sutConfig(`node ${JSON.stringify(script)}`));
  return byTitle(lastResults);
}

const PUSH_TITLES = [
  'The source pushes MeasureReports to the Consumer when triggered',
  'The source creates reports with POST [base]/MeasureReport',
  'Pushed bodies are labelled application/fhir+json or application/fhir+xml',
  'Every pushed MeasureReport conforms to PublicHealthMeasureReport',
  'The source revises a report with PUT [base]/MeasureReport/[id]',
  'An update carries the id of its URL in the body',
  'A revision goes to the id the Consumer gave the report',
  'The source does not send a revision as a second create',
];

describe('Measure Source (Produce Measure) suite', () => {
  it('with no SUT the reference source client plays the SUT with every option; its faults go to the client', () => {
    const plan = planFor(sourceSuite, { ...base, sut: undefined }, ['no-update']);
    expect(plan.trigger?.type).toBe('reference');
    expect(plan.options).toEqual(['Push', 'CSV', 'SupplementalData']);
    expect(planFor(sourceSuite, sutConfig('true')).trigger).toEqual({ type: 'command', command: 'true' });
  });

  it('every requirement of the three Source statements and the push rules of actors.md gets a verdict from the reference run', async () => {
    const results = await run({ ...base, sut: undefined });
    const inScope = results.requirements.filter((r) => [MEASURE_SOURCE_PM_PUSH, MEASURE_SOURCE_PM_CSV_PUSH, MEASURE_SOURCE_PM_SUPPLEMENTAL_DATA].includes(r.capability ?? ''));
    expect(inScope.filter((r) => r.verdict === 'not-tested').map((r) => r.id)).toEqual([]);
    expect(inScope.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'SANER-PM-SRC-002',
        'SANER-PM-SRC-003',
        'SANER-PM-PG-002-SRC',
        'SANER-PM-PG-005-SRC',
        'SANER-SD-PG-001-SRC',
        'SANER-SD-PG-004-SRC',
        'SANER-OP-REPORTCSV-001-SRC',
        'SANER-OP-REPORTCSV-003-SRC',
        'SANER-OP-REPORTCSV-004-SRC',
        'SANER-CSVPUSH-SRC-001',
        'SANER-PG-SRC-003',
        'SANER-PG-SRC-004',
      ]),
    );
    expect(results.requirements.find((r) => r.id === 'SANER-PG-SRC-001')?.verdict).toBe('pass');
    expect(results.tests.filter((t) => t.verdict !== 'pass' && t.verdict !== 'manual').map((t) => `${t.title}: ${t.reason}`)).toEqual([]);
    expect(results.tests.filter((t) => t.verdict === 'manual').map((t) => t.title)).toEqual(['The CSV reads back as reports of the Measure (attestation of the Measure definitions)']);
  }, 60_000);

  it('a collection Bundle to [base]/Bundle is a warning, not a pass or a failure (D5)', async () => {
    const t = byTitle(await run({ ...base, sut: undefined }, ['batch-as-collection']));
    const batch = t.get('The source sends Supplemental Data as a batch Bundle to [base]')!;
    expect([batch.verdict, batch.reason]).toEqual(['warning', expect.stringContaining('collection Bundle to [base]/Bundle')]);
    expect(t.get('The batch starts with the MeasureReport')?.verdict).toBe('pass');
    expect(t.get("The batch carries every resource the report's evaluatedResource names, and only those")?.verdict).toBe('pass');
  }, 60_000);

  it('a configured SUT triggered by a command is judged on its own pushes, end to end', async () => {
    const t = await runScript(true);
    for (const title of PUSH_TITLES) expect([title, t.get(title)?.verdict, t.get(title)?.reason]).toEqual([title, 'pass', undefined]);
    const capture = t.get(PUSH_TITLES[0]!)!;
    expect(capture.evidence.filter((e) => e.kind === 'http' && e.exchange.direction === 'inbound')).toHaveLength(2);
    // The trigger and the recording are the suite's setup, shown once for all its tests.
    const setup = lastResults!.suites[0]!.setupEvidence ?? [];
    expect(setup).toContainEqual({ kind: 'note', text: expect.stringMatching(/^trigger command: node /) });
    expect(setup).toContainEqual({ kind: 'note', text: expect.stringMatching(/^asked the SUT to show: create a MeasureReport .*; revise a report it created/) });
    expect(setup).toContainEqual({ kind: 'note', text: 'trigger command exited with 0' });
    // The options the script does not claim are skipped with that reason.
    const skipped = [...t.values()].filter((x) => x.verdict === 'skip');
    expect(skipped.map((x) => x.reason).sort()).toEqual([...Array(4).fill('option CSV not claimed'), ...Array(4).fill('option SupplementalData not claimed')]);
  }, 60_000);

  it('a SUT that labels JSON application/json and revises by a second create fails exactly those rules', async () => {
    const t = await runScript(false);
    const verdict = (title: string) => t.get(title)?.verdict;
    expect(verdict('Pushed bodies are labelled application/fhir+json or application/fhir+xml')).toBe('fail');
    expect(verdict('The source does not send a revision as a second create')).toBe('fail');
    expect(t.get('The source does not send a revision as a second create')?.reason).toBe('1 report was created more than once instead of updated');
    expect(verdict('The source revises a report with PUT [base]/MeasureReport/[id]')).toBe('fail');
    for (const title of [
      'The source pushes MeasureReports to the Consumer when triggered',
      'The source creates reports with POST [base]/MeasureReport',
      'Every pushed MeasureReport conforms to PublicHealthMeasureReport',
    ]) {
      expect([title, verdict(title)]).toEqual([title, 'pass']);
    }
  }, 60_000);

  it('a SUT that never pushes is reported as such: the capabilities it was asked for fail, checks over nothing decide nothing', async () => {
    const results = await run(sutConfig('true'));
    const capture = results.tests[0]!;
    expect(capture.verdict).toBe('fail');
    expect(capture.reason).toMatch(
      /^the Measure Source sent nothing to http:\/\/127\.0\.0\.1:\d+ \(the trigger command had exited with 0, and nothing came within 5 s\); expected MeasureReports pushed by create or update$/,
    );
    const t = byTitle(results);
    expect(t.get('The source creates reports with POST [base]/MeasureReport')?.verdict).toBe('fail');
    expect(t.get('The source revises a report with PUT [base]/MeasureReport/[id]')?.verdict).toBe('fail');
    // Nothing was sent, so nothing was mislabelled: that check decides nothing rather than passing.
    expect([
      t.get('Pushed bodies are labelled application/fhir+json or application/fhir+xml')?.verdict,
      t.get('Pushed bodies are labelled application/fhir+json or application/fhir+xml')?.reason,
    ]).toEqual(['skip', expect.stringMatching(/^nothing to check/)]);
    expect(results.requirements.find((r) => r.id === 'SANER-PM-PG-004')?.verdict).toBe('skip');
    expect(results.overall).toBe('fail');
  }, 60_000);

  it('a SUT that exits 1 after the Consumer refused one of its reports is judged on all it sent, and the refusal lands on conformance', async () => {
    const report = JSON.parse(readFileSync(join(projectRoot, 'fixtures/saner/measurereport-beds-camden-2020-04-01.json'), 'utf8')) as Record<string, unknown>;
    delete report['id'];
    const broken = { ...report, status: undefined, subject: undefined };
    const script = join(dir, 'source-exits-1.mjs');
    writeFileSync(
      script,
      `
const base = process.env.MC_SIMULATOR_URL;
const send = (method, path, body) => fetch(base + '/' + path, { method, headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' }, body: JSON.stringify(body) });
const report = ${JSON.stringify(report)};
const created = await send('POST', 'MeasureReport', report);
const id = created.headers.get('location').split('/MeasureReport/')[1].split('/')[0];
await send('PUT', 'MeasureReport/' + id, { ...report, id });
const refused = await send('POST', 'MeasureReport', ${JSON.stringify(broken)});
if (refused.status >= 400) { console.error('the Consumer refused a report: ' + refused.status); process.exit(1); }
`,
    );
    const results = await run(sutConfig(`node ${JSON.stringify(script)}`));
    const t = byTitle(results);
    expect(results.tests.filter((x) => x.verdict === 'error')).toEqual([]);
    expect(results.suites[0]!.setupEvidence).toContainEqual({ kind: 'note', text: 'trigger command exited with 1' });
    for (const title of [
      'The source pushes MeasureReports to the Consumer when triggered',
      'The source creates reports with POST [base]/MeasureReport',
      'Pushed bodies are labelled application/fhir+json or application/fhir+xml',
      'The source revises a report with PUT [base]/MeasureReport/[id]',
      'A revision goes to the id the Consumer gave the report',
    ]) {
      expect([title, t.get(title)?.verdict]).toEqual([title, 'pass']);
    }
    expect(t.get('Every pushed MeasureReport conforms to PublicHealthMeasureReport')?.verdict).toBe('fail');
    const verdict = (id: string) => results.requirements.find((r) => r.id === id)?.verdict;
    expect([verdict('SANER-PM-SRC-001'), verdict('SANER-PM-SRC-002'), verdict('SANER-PM-PG-004')]).toEqual(['fail', 'pass', 'pass']);
  }, 60_000);
});
