// run --test (one test or a few, with their suite's setup), run --out (latest left alone), and the
// attestation id typo located in config.yaml.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { captureIo } from './cli-io.js';

const dirs: string[] = [];
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-run-selection-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('run --test and --out', () => {
  it('runs only the tests named by id or glob, with their suite, and --out leaves <report.dir>/latest alone', async () => {
    const cwd = workdir();
    const io = captureIo(cwd);
    const code = await main(['run', '--suite', 'fhir-core/*', '--test', 'fhir-core/fhir-server/metadata-*', '--test', 'capabilitystatement-declares-fhir-4-0-1', '--out', 'one'], io);
    expect(code, io.err()).toBe(0);
    const results = JSON.parse(readFileSync(join(cwd, 'one', 'results.json'), 'utf8'));
    expect(results.tests.map((t: { id: string }) => t.id).sort()).toEqual([
      'fhir-core/fhir-server/capabilitystatement-declares-fhir-4-0-1',
      'fhir-core/fhir-server/metadata-answers-a-capabilitystatement',
    ]);
    expect(results.tests.every((t: { verdict: string }) => t.verdict === 'pass')).toBe(true);
    expect(existsSync(join(cwd, 'reports', 'latest'))).toBe(false);

    // Without --out, the run goes to a timestamped folder and latest shows it.
    expect(await main(['run', '--suite', 'fhir-core/*', '--test', '*metadata-answers*'], captureIo(cwd))).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'reports', 'latest', 'results.json'), 'utf8')).tests).toHaveLength(1);
  }, 120_000);

  it('a --test that matches nothing is a usage error with the nearest test ids', async () => {
    const io = captureIo(workdir());
    expect(await main(['run', '--suite', 'fhir-core/*', '--test', 'fhir-core/fhir-server/metadata-answers-a-capabilitystatment'], io)).toBe(2);
    expect(io.err()).toMatch(/no test matches --test .*did you mean fhir-core\/fhir-server\/metadata-answers-a-capabilitystatement\?/);
  });

  it('an attestation id no requirement has names its file, line and the nearest ids', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'config.yaml'), ['suites: [fhir-core/*]', 'attestations:', '  MADX-SEC-02: { attested: true, by: "A. Admin" }', ''].join('\n'));
    const io = captureIo(cwd);
    expect(await main(['run'], io)).toBe(2);
    expect(io.err()).toBe(`${join(cwd, 'config.yaml')}:3 attestations.MADX-SEC-02: no requirement has this id; did you mean MADX-SEC-002, MADX-SEC-001 or MADX-SEC-003?\n`);
  });
});
