import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { UsageError, type CliIo } from '../../src/cli/command.js';
import { registerProfile } from '../../src/fhir/validation/index.js';
import { validReport } from '../fhir/validation-sample.js';

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
  registerProfile({ url: 'http://example.org/sd/one-group', name: 'OneGroup', resourceType: 'MeasureReport', rules: [{ id: 'og-1', severity: 'error', expression: 'group.count() = 1', message: 'exactly one group' }] });
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

  it('reports a missing or unparseable file as an error line and goes on', async () => {
    const o = io();
    expect(await validateCommand.run(['missing.json', 'broken.json', 'good.json'], o)).toBe(1);
    expect(o.out[0]).toBe('missing.json: error - cannot read the file: file not found\n');
    expect(o.out[1]).toMatch(/^broken\.json: error - cannot parse: /);
    expect(o.out.at(-1)).toBe('3 file(s): 2 error(s), 0 warning(s)\n');
  });

  it('checks a profile named with --profile and warns about an unknown one', async () => {
    const o = io();
    expect(await validateCommand.run(['--profile', 'http://example.org/sd/one-group', 'good.json'], o)).toBe(1);
    expect(o.out[0]).toBe('good.json: error MeasureReport exactly one group [og-1]\n');
    const u = io();
    expect(await validateCommand.run(['--profile=http://example.org/sd/unknown', 'good.json'], u)).toBe(0);
    expect(u.out[0]).toMatch(/^good\.json: warning MeasureReport profile http:\/\/example\.org\/sd\/unknown is not known/);
  });

  it('throws UsageError for usage mistakes', async () => {
    await expect(validateCommand.run([], io())).rejects.toThrow(UsageError);
    await expect(validateCommand.run(['--profile'], io())).rejects.toThrow(UsageError);
    await expect(validateCommand.run(['--bogus', 'a.json'], io())).rejects.toThrow(UsageError);
  });

  it('prints its usage with --help', async () => {
    const o = io();
    expect(await validateCommand.run(['--help'], o)).toBe(0);
    expect(o.out.join('')).toContain('measure-conformance validate');
  });
});
