import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import suite from '../../suites/rpc/send-concordance-report/content-creator.js';
import { catalogue } from '../../ig/index.js';
import { RPC_CONTENT_CREATOR } from '../../ig/rpc/capabilities.js';
import { projectRoot } from '../../src/harness.js';
import { defaultConfig } from '../../src/config/load.js';
import { launcher, planFor } from '../../src/cli/selection.js';
import { runSuites, type Suite, type RunResults, type TestResult } from '../../src/engine/index.js';
import type { HarnessConfig } from '../../src/config/types.js';

const creatorSuite = suite as unknown as Suite<object>;
const base = defaultConfig().config;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-rpc-creator-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * An RPC Content Creator of its own: `careful` creates its report with POST and GETs the Location
 * of the 303; otherwise it PUTs it to [base]/MeasureReport without an id, about a Location, and
 * takes the 303 as the end.
 */
function sutScript(careful: boolean): string {
  const report = JSON.parse(readFileSync(join(projectRoot, 'fixtures/rpc/send/measurereport-valid.json'), 'utf8')) as Record<string, unknown>;
  report['text'] = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">report</div>' };
  if (!careful) report['subject'] = { reference: 'Location/lab-1' };
  return `
const base = process.env.MC_SIMULATOR_URL;
const careful = ${careful};
const res = await fetch(base + '/MeasureReport', { method: careful ? 'POST' : 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(${JSON.stringify(report)}), redirect: 'manual' });
if (careful && res.status === 303) await fetch(new URL(res.headers.get('location'), res.url));
`;
}

function sutConfig(command: string): HarnessConfig {
  return { ...base, sut: { name: 'script creator', triggers: { RpcContentCreator: { type: 'command', command } } } };
}

async function run(config: HarnessConfig, faults: string[] = []): Promise<RunResults> {
  return runSuites({ suites: [creatorSuite], catalogue: catalogue(), plan: (s) => planFor(s, config, faults), launch: launcher(config), timeouts: { waitMs: 5_000 } });
}

function byTitle(results: RunResults): Map<string, TestResult> {
  return new Map(results.tests.map((t) => [t.title, t]));
}

async function runScript(careful: boolean): Promise<Map<string, TestResult>> {
  const script = join(dir, `creator-${careful ? 'careful' : 'sloppy'}.mjs`);
  writeFileSync(script, sutScript(careful));
  return byTitle(await run(sutConfig(`node ${JSON.stringify(script)}`)));
}

const CREATE = 'Each report is sent by POST [base]/MeasureReport (a FHIR create)';
const SUBJECT = 'Every report is about a Patient or a Group';
const FOLLOWS = 'After a 303 the creator GETs its Location';
const JUDGED = [
  'The creator sends its concordance report to the Consumer when triggered',
  CREATE,
  'Requests carry Content-Type application/fhir+json or application/fhir+xml and bodies in that format',
  'Every body is one MeasureReport that conforms to the RPC MeasureReport rules',
  SUBJECT,
  'Every report names the configured RPC Measure',
  FOLLOWS,
];

describe('RPC Content Creator suite', () => {
  it('every Content Creator requirement of the catalogue gets a verdict from the reference run, every submission answered 303', async () => {
    const results = await run({ ...base, sut: undefined });
    const inScope = results.requirements.filter((r) => r.capability === RPC_CONTENT_CREATOR);
    expect(inScope.length).toBeGreaterThan(15);
    expect(inScope.filter((r) => r.verdict === 'not-tested').map((r) => r.id)).toEqual([]);
    expect(results.tests.filter((t) => t.verdict !== 'pass' && t.verdict !== 'manual').map((t) => `${t.title}: ${t.reason}`)).toEqual([]);
    const posts = results.tests[0]!.evidence.flatMap((e) => (e.kind === 'http' && e.exchange.method === 'POST' ? [e.exchange.status] : []));
    expect(posts).toEqual([303, 303]);
    // The Consumer simulator demands the run's bearer token, which the reference creator presents: the MAY of adding a Consumer's headers and the creator's side of mutual authentication are seen.
    expect(['RPC-CRE-005', 'RPC-SEC-002'].map((id) => results.requirements.find((r) => r.id === id)?.verdict)).toEqual(['pass', 'pass']);
    expect(results.ruleSets).toBeUndefined();
  }, 60_000);

  it('a creator leaving out the token the Consumer demands is warned (mutual authentication is a SHOULD for RPC)', async () => {
    const t = byTitle(await run({ ...base, sut: undefined }, ['no-credential'])).get('The creator presents the credential the Consumer demands on every request')!;
    expect([t.verdict, t.reason]).toEqual(['warning', expect.stringMatching(/^1 of 1 do not \(POST \/MeasureReport -> 401 Unauthorized carried no Authorization\)/)]);
  }, 60_000);

  it('a configured SUT triggered by a command is judged on its own requests, end to end', async () => {
    const t = await runScript(true);
    for (const title of JUDGED) expect([title, t.get(title)?.verdict, t.get(title)?.reason]).toEqual([title, 'pass', undefined]);
    // The script never looks at the answer: refused with 401 or 503 it exits 0 without a word, which the SHOULD warns about.
    const errors = t.get('The creator reports 401 and 5xx answers as errors')!;
    expect([errors.verdict, errors.reason]).toEqual([
      'warning',
      expect.stringMatching(/^refused with 401 \(POST \/MeasureReport -> 401 Unauthorized\), the creator exited with 0 and printed nothing about it/),
    ]);
  }, 60_000);

  it('a SUT that PUTs without an id about a Location fails those rules and, refused at once, meets no 303', async () => {
    const t = await runScript(false);
    expect(t.get(CREATE)?.verdict).toBe('fail');
    expect(t.get(SUBJECT)?.verdict).toBe('fail');
    expect(t.get(FOLLOWS)?.verdict).toBe('skip');
  }, 60_000);
});
