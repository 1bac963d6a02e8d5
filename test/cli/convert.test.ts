import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertCommand } from '../../src/cli/commands/convert.js';
import { InputError, UsageError, type CliIo } from '../../src/cli/command.js';

const fixtures = fileURLToPath(new URL('../../fixtures/resources/', import.meta.url));
let dir: string;

function captureIo(cwd: string): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    cwd,
    env: {},
    signal: new AbortController().signal,
  };
  return io;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convert-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('convert command', () => {
  it('converts JSON to XML on stdout and back through --out, keeping decimals', async () => {
    const io = captureIo(fixtures);
    expect(await convertCommand.run(['observation-lactate.json', '--to', 'xml'], io)).toBe(0);
    expect(io.out).toMatch(/^<Observation xmlns="http:\/\/hl7.org\/fhir">\n {2}<id value="obs-lactate"\/>/);
    expect(io.out).toContain('<value value="1.50"/>');
    await writeFile(join(dir, 'obs.xml'), io.out);

    const back = captureIo(dir);
    expect(await convertCommand.run(['obs.xml', '--to', 'json', '--out', 'obs.json', '--compact'], back)).toBe(0);
    expect(back.out).toBe('');
    const json = await readFile(join(dir, 'obs.json'), 'utf8');
    expect(json).toContain('"valueQuantity":{"value":1.50,');
    expect(json).toContain('"value":3.7e1');
    expect(JSON.parse(json)).toEqual(JSON.parse(await readFile(join(fixtures, 'observation-lactate.json'), 'utf8')));
  });

  it('reports bad input as one line FILE: message with exit code 1', async () => {
    await writeFile(join(dir, 'bad.xml'), '<Patient xmlns="http://hl7.org/fhir"><colour value="red"/></Patient>');
    await writeFile(join(dir, 'bad.json'), '{"resourceType":"Patient",\n"active":true,"active":true}');
    await writeFile(join(dir, 'neither.txt'), 'resourceType=Patient');
    const io = captureIo(dir);
    expect(await convertCommand.run(['bad.xml', '--to', 'json'], io)).toBe(1);
    expect(await convertCommand.run(['bad.json', '--to', 'xml'], io)).toBe(1);
    expect(await convertCommand.run(['neither.txt', '--to', 'xml'], io)).toBe(1);
    expect(io.out).toBe('');
    const lines = io.err.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("bad.xml: Unknown element 'colour' at Patient");
    expect(lines[1]).toMatch(/^bad.json: Invalid JSON at line 2, column \d+: property "active" appears twice/);
    expect(lines[2]).toMatch(/^neither.txt: The content is neither FHIR JSON/);
  });

  it('throws UsageError for usage mistakes', async () => {
    const io = captureIo(fixtures);
    await expect(convertCommand.run(['observation-lactate.json'], io)).rejects.toThrow(UsageError);
    await expect(convertCommand.run(['observation-lactate.json', '--to', 'yaml'], io)).rejects.toThrow(/json or xml/);
    await expect(convertCommand.run(['--to', 'xml'], io)).rejects.toThrow(/name the FILE to convert/);
    await expect(convertCommand.run(['a.json', 'b.json', '--to', 'xml'], io)).rejects.toThrow(UsageError);
    await expect(convertCommand.run(['observation-lactate.json', '--to', 'xml', '--colour'], io)).rejects.toThrow(UsageError);
    // A missing file is an input error (exit 2), named, never a raw ENOENT.
    await expect(convertCommand.run(['missing.json', '--to', 'xml'], io)).rejects.toThrow(InputError);
    await expect(convertCommand.run(['missing.json', '--to', 'xml'], io)).rejects.toThrow('missing.json: cannot read it (file not found)');
  });
});
