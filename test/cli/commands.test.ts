import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { main } from '../../src/cli/main.js';
import { commands } from '../../src/cli/commands/index.js';
import { suites } from '../../suites/index.js';
import { captureIo } from './cli-io.js';

const dirs: string[] = [];
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the command line', () => {
  it('prints the command list for --help and exits 2 without a command', async () => {
    const io = captureIo(workdir());
    expect(await main(['--help'], io)).toBe(0);
    for (const c of commands) expect(io.out()).toContain(`  ${c.name}`);
    expect(await main([], captureIo(workdir()))).toBe(2);
  });

  it.each(commands.map((c) => [c.name]))('%s --help prints its usage and exits 0', async (name) => {
    const io = captureIo(workdir());
    expect(await main([name, '--help'], io)).toBe(0);
    expect(io.out()).toMatch(new RegExp(`^Usage:\\s+measure-conformance ${name} `));
  });

  it('names an unknown command in one line and exits 2', async () => {
    const io = captureIo(workdir());
    expect(await main(['runn'], io)).toBe(2);
    expect(io.err()).toMatch(/^measure-conformance: unknown command 'runn' \(commands: run, /);
  });

  it('list prints every test with its requirements and negative control', async () => {
    const io = captureIo(workdir());
    expect(await main(['list'], io)).toBe(0);
    for (const s of suites) {
      for (const t of s.tests) {
        expect(io.out()).toContain(`  ${t.slug}\n`);
        expect(io.out()).toContain(`must fail under fault ${t.negativeControl}`);
      }
    }
    const reqs = captureIo(workdir());
    expect(await main(['list', '--requirements'], reqs)).toBe(0);
    expect(reqs.out()).toMatch(/FHIR-CAP-001 {2}SHALL .*\n {4}tested by fhir-core\/fhir-server\/metadata-answers-a-capabilitystatement/);
  });

  it('serve starts the simulators, answers FHIR requests, keeps data in dataDir and stops on Ctrl-C', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'sim.yaml'), 'simulators:\n  dataDir: ./data\n');
    const stop = new AbortController();
    const io = captureIo(cwd, {}, stop.signal);
    const running = main(['serve', '--config', 'sim.yaml'], io);
    let url: string | undefined;
    for (let i = 0; i < 200 && !url; i++) {
      url = /measure-source\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    expect(url, io.err()).toBeDefined();
    const res = await request(`${url}/metadata`, { headers: { accept: 'application/fhir+json' } });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { resourceType: string }).resourceType).toBe('CapabilityStatement');
    expect(existsSync(join(cwd, 'data', 'measure-source.sqlite'))).toBe(true);
    stop.abort();
    expect(await running).toBe(0);
    await expect(request(`${url}/metadata`)).rejects.toThrow();
  });

  it('serve refuses an unknown simulator or fault with exit 2', async () => {
    const a = captureIo(workdir());
    expect(await main(['serve', '--simulator', 'nope'], a)).toBe(2);
    expect(a.err()).toMatch(/unknown simulator nope/);
    const b = captureIo(workdir());
    expect(await main(['serve', '--fault', 'no-such-fault'], b)).toBe(2);
    expect(b.err()).toMatch(/unknown fault mode\(s\) no-such-fault/);
  });
});
