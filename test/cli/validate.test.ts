import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { UsageError, type CliIo } from '../../src/cli/command.js';
import { registerProfile, validateResource } from '../../src/fhir/validation/index.js';
import { validReport } from '../fhir/validation-sample.js';
import { projectRoot } from '../../src/harness.js';

let dir: string;

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: dir, env: {}, signal: new AbortController().signal };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'validate-cli-'));
  writeFileSync(join(dir, 'good.json'), JSON.stringify(validReport()));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...validReport(), status: 'done', type: 'data-collection' }));
  writeFileSync(join(dir, 'warn.json'), JSON.stringify({ ...validReport(), text: undefined }));
  writeFileSync(join(dir, 'broken.json'), '{"resourceType": "MeasureReport",');
  writeFileSync(join(dir, 'bundle.json'), JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: validReport() }, { resource: { ...validReport(), foo: 1 } }] }));
  writeFileSync(join(dir, 'patient.xml'), '<Patient xmlns="http://hl7.org/fhir"><birthDate value="2026-13-01"/></Patient>');
  registerProfile({
    url: 'http://example.org/sd/one-group',
    name: 'OneGroup',
    resourceType: 'MeasureReport',
    rules: [{ id: 'og-1', severity: 'error', expression: 'group.count() = 1', message: 'exactly one group' }],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validate command', () => {
  it('exits 0 and prints only the summary for a valid file', async () => {
    const o = io();
    expect(await validateCommand.run(['good.json'], o)).toBe(0);
    expect(o.out).toEqual(['1 file(s): 0 error(s), 0 warning(s)\n']);
  });

  it('exits 0 with warnings only, printing them', async () => {
    const o = io();
    expect(await validateCommand.run(['warn.json'], o)).toBe(0);
    expect(o.out[0]).toBe('warn.json: warning MeasureReport A resource should have narrative for robust management [dom-6]\n');
  });

  it('exits 1 and prints file: severity expression message for each error', async () => {
    const o = io();
    expect(await validateCommand.run(['bad.json'], o)).toBe(1);
    expect(o.out).toContain("bad.json: error MeasureReport.status value 'done' is not one of the allowed codes: complete, pending, error\n");
    expect(o.out).toContain('bad.json: error MeasureReport Measure Reports used for data collection SHALL NOT communicate group and score information [mrp-1]\n');
  });

  it('validates each Bundle entry and XML files', async () => {
    const o = io();
    expect(await validateCommand.run(['bundle.json', 'patient.xml'], o)).toBe(1);
    expect(o.out).toContain("bundle.json: error Bundle.entry[1].resource.foo unknown element 'foo'\n");
    expect(o.out.some((l) => l.startsWith('patient.xml: error Patient.birthDate'))).toBe(true);
  });

  it('a file that does not parse is invalid content (exit 1, the parse error as its issue)', async () => {
    const o = io();
    expect(await validateCommand.run(['broken.json', 'good.json'], o)).toBe(1);
    expect(o.out[0]).toMatch(/^broken\.json: error - cannot parse: Invalid JSON at line 1/);
    expect(o.out.at(-1)).toBe('2 file(s): 1 error(s), 0 warning(s)\n');
  });

  it('a missing file is an input error (exit 2) named on stderr; the other files are still validated', async () => {
    const o = io();
    expect(await validateCommand.run(['missing.json', 'bad.json'], o)).toBe(2);
    expect(o.err).toEqual(['missing.json: cannot read it (file not found)\n']);
    expect(o.out.some((l) => l.startsWith('bad.json: error MeasureReport.status'))).toBe(true);
  });

  it('checks a profile named with --profile; an unknown one is a usage error suggesting the near ones', async () => {
    const o = io();
    expect(await validateCommand.run(['--profile', 'http://example.org/sd/one-group', 'good.json'], o)).toBe(1);
    expect(o.out[0]).toBe('good.json: error MeasureReport exactly one group [og-1]\n');
    await expect(validateCommand.run(['--profile=http://example.org/sd/unknown', 'good.json'], io())).rejects.toThrow(UsageError);
    await expect(validateCommand.run(['--profile=http://example.org/sd/one-grup', 'good.json'], io())).rejects.toThrow(
      '--profile http://example.org/sd/one-grup: no profile with this canonical URL is known; did you mean http://example.org/sd/one-group?',
    );
  });

  it("--output json prints one OperationOutcome per file naming the file, with each issue's expression", async () => {
    const o = io();
    expect(await validateCommand.run(['--output', 'json', 'bad.json', 'good.json', 'broken.json'], o)).toBe(1);
    const outcomes = o.out
      .join('')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(outcomes).toHaveLength(3);
    expect(outcomes.map((oo) => oo.extension[0])).toEqual(
      ['bad.json', 'good.json', 'broken.json'].map((f) => ({ url: 'http://hl7.org/fhir/StructureDefinition/operationoutcome-file', valueString: f })),
    );
    expect(outcomes[0].issue).toContainEqual(expect.objectContaining({ severity: 'error', code: 'invariant', expression: ['MeasureReport'], diagnostics: expect.stringMatching(/data collection/) }));
    expect(outcomes[0].issue).toContainEqual(expect.objectContaining({ severity: 'error', code: 'code-invalid', expression: ['MeasureReport.status'] }));
    expect(outcomes[1].issue).toEqual([{ severity: 'information', code: 'informational', diagnostics: 'no issues found' }]);
    expect(outcomes[2].issue[0]).toMatchObject({ severity: 'error', diagnostics: expect.stringMatching(/^cannot parse: /) });
    // Each one is a valid FHIR OperationOutcome.
    for (const outcome of outcomes) expect(validateResource(outcome).filter((i) => i.severity === 'error')).toEqual([]);
    await expect(validateCommand.run(['--output', 'yaml', 'good.json'], io())).rejects.toThrow("--output must be text or json, not 'yaml'");
  });

  it('--no-best-practice leaves out dom-6 style warnings, and only those', async () => {
    const o = io();
    expect(await validateCommand.run(['--no-best-practice', 'warn.json', 'bad.json'], o)).toBe(1);
    expect(o.out.some((l) => l.includes('[dom-6]'))).toBe(false);
    expect(o.out.some((l) => l.includes('[mrp-1]'))).toBe(true);
  });

  it('holds an mADX report to the text its canonical names: unversioned the 3.0.0-comment text, |3.0.0 the trial-implementation text; --profile takes the place of what it declares', async () => {
    const madx = 'https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport';
    const trialFixture = JSON.parse(readFileSync(join(projectRoot, 'fixtures/madx/measurereport-madx-art-initiation.json'), 'utf8')) as { meta: { profile: string[] } };
    expect(trialFixture.meta.profile).toEqual([`${madx}|3.0.0`]);
    writeFileSync(join(dir, 'madx-trial.json'), JSON.stringify(trialFixture));
    writeFileSync(join(dir, 'madx-unversioned.json'), JSON.stringify({ ...trialFixture, meta: { profile: [madx] } }));
    const declared = io();
    expect(await validateCommand.run(['--no-best-practice', 'madx-trial.json'], declared)).toBe(0);
    const unversioned = io();
    expect(await validateCommand.run(['--no-best-practice', 'madx-unversioned.json'], unversioned)).toBe(1);
    expect(unversioned.out.join('')).toMatch(/improvementNotation is required by the 3\.0\.0-comment text .*\[MADX-MR-015\]/);
    const chosen = io();
    expect(await validateCommand.run(['--no-best-practice', '--profile', `${madx}|3.0.0`, 'madx-unversioned.json'], chosen)).toBe(0);
    const other = io();
    expect(await validateCommand.run(['--no-best-practice', '--profile', `${madx}|3.0.0-comment`, 'madx-trial.json'], other)).toBe(1);
    expect(other.out.join('')).toMatch(/\[MADX-MR-010\]/);
  });

  it('throws UsageError for usage mistakes', async () => {
    await expect(validateCommand.run([], io())).rejects.toThrow(UsageError);
    await expect(validateCommand.run(['--profile'], io())).rejects.toThrow('--profile needs a value');
    await expect(validateCommand.run(['--bogus', 'a.json'], io())).rejects.toThrow('unknown option --bogus');
  });
});
