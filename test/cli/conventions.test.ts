// The conventions every command shares: one message style for usage mistakes, the same exit codes
// (0 ok, 1 failed, 2 usage/config/input, 3 SUT unreachable), a missing file is 2 everywhere, and a
// closed stdout pipe ends quietly.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { commands } from '../../src/cli/commands/index.js';
import { EXIT, EXIT_MEANINGS } from '../../src/cli/exit-codes.js';
import { projectRoot } from '../../src/harness.js';
import { captureIo } from './cli-io.js';

const dirs: string[] = [];
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-conventions-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A call of each command with a wrong option, and one naming a file that does not exist. */
const calls: Record<string, { bogus: string[]; missing: string[] }> = {
  run: { bogus: ['run', '--bogus'], missing: ['run', '--config', 'missing.yaml'] },
  serve: { bogus: ['serve', '--bogus'], missing: ['serve', '--config', 'missing.yaml'] },
  proxy: { bogus: ['proxy', '--target', 'http://127.0.0.1:9/', '--bogus'], missing: ['proxy', '--target', 'http://127.0.0.1:9/', '--config', 'missing.yaml'] },
  grade: { bogus: ['grade', '--bogus', 'capture.json'], missing: ['grade', 'missing.json'] },
  list: { bogus: ['list', '--bogus'], missing: ['list', '--suite', 'no-such-suite'] },
  'self-check': { bogus: ['self-check', '--bogus'], missing: ['self-check', '--config', 'missing.yaml'] },
  report: { bogus: ['report', '--bogus', 'r.json'], missing: ['report', 'missing.json'] },
  validate: { bogus: ['validate', '--bogus', 'a.json'], missing: ['validate', 'missing.json'] },
  convert: { bogus: ['convert', '--bogus', 'a.json', '--to', 'xml'], missing: ['convert', 'missing.json', '--to', 'xml'] },
  load: { bogus: ['load', '--bogus', '--scenario', 'produce-measure'], missing: ['load', '--config', 'missing.yaml', '--scenario', 'produce-measure'] },
  csv: { bogus: ['csv', 'to-csv', '--bogus', '--measure', 'm.json', 'r.json'], missing: ['csv', 'to-csv', '--measure', 'missing.json', 'r.json'] },
};

describe('every command', () => {
  it('is covered here', () => {
    expect(Object.keys(calls).sort()).toEqual(commands.map((c) => c.name).sort());
  });

  it.each(commands.map((c) => [c.name]))('%s: an unknown option is one line, "(see --help)" once, exit 2', async (name) => {
    const io = captureIo(workdir());
    expect(await main(calls[name]!.bogus, io)).toBe(EXIT.usage);
    expect(io.err()).toBe(`measure-conformance ${name}: unknown option --bogus (see \`measure-conformance ${name} --help\`)\n`);
    expect(io.out()).toBe('');
  });

  it.each(commands.map((c) => [c.name]))('%s: a missing file (or a selection matching nothing) is exit 2 with one line, never a raw ENOENT', async (name) => {
    const io = captureIo(workdir());
    expect(await main(calls[name]!.missing, io)).toBe(EXIT.usage);
    const lines = io.err().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/missing\.(yaml|json)|no suite matches/);
    expect(io.err()).not.toMatch(/ENOENT|\n\s+at /);
  });

  it.each(commands.map((c) => [c.name]))('%s: --help documents the exit codes', async (name) => {
    const io = captureIo(workdir());
    expect(await main([name, '--help'], io)).toBe(EXIT.ok);
    expect(io.out()).toMatch(/Exit codes: 0 .*; 2 usage, configuration or input error/s);
  });

  it('the overview lists the exit codes, and README.md has the same table', async () => {
    const io = captureIo(workdir());
    await main(['--help'], io);
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    for (const [code, meaning] of Object.entries(EXIT_MEANINGS)) {
      expect(io.out()).toContain(`  ${code}  ${meaning}`);
      expect(readme).toContain(`| \`${code}\` | ${meaning} |`);
    }
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, unreachable: 3 });
  });

  it('a near-miss option or suite name gets a suggestion', async () => {
    const a = captureIo(workdir());
    expect(await main(['run', '--suit', 'saner/*'], a)).toBe(EXIT.usage);
    expect(a.err()).toMatch(/unknown option --suit; did you mean --suite\b/);
    const b = captureIo(workdir());
    expect(await main(['list', '--suite', 'saner/qery-measure/*'], b)).toBe(EXIT.usage);
    expect(b.err()).toMatch(/'saner\/qery-measure\/\*' matches no suite id; did you mean saner\/query-measure\/\*\?/);
  });

  it('list selects with picomatch globs: * crosses /, {a,b}, ? and ! work', async () => {
    const ids = async (...globs: string[]) => {
      const io = captureIo(workdir());
      expect(await main(['list', ...globs.flatMap((g) => ['--suite', g])], io)).toBe(EXIT.ok);
      return [...io.out().matchAll(/^(\S+) {2}\(/gm)].map((m) => m[1]);
    };
    const all = await ids('*');
    expect(all.length).toBeGreaterThan(5);
    expect(await ids('saner/*')).toEqual(all.filter((id) => id!.startsWith('saner/')));
    expect(await ids('{madx,rpc}/*')).toEqual(all.filter((id) => /^(madx|rpc)\//.test(id!)));
    expect(await ids('saner/query-measure/measure-?ource')).toEqual(['saner/query-measure/measure-source']);
    expect(await ids('!saner/*')).toEqual(all.filter((id) => !id!.startsWith('saner/')));
    expect(await ids('saner/*', '!*consumer')).toEqual(all.filter((id) => id!.startsWith('saner/') && !id!.endsWith('consumer')));
  });
});

describe('serve and proxy', () => {
  it.each([['serve'], ['proxy', '--target', 'http://127.0.0.1:9/']])('%s: an unreadable simulators.tls file names its config key, one line, exit 2', async (...args) => {
    const dir = workdir();
    writeFileSync(join(dir, 'config.yaml'), 'simulators:\n  tls: { certFile: ./missing-cert.pem, keyFile: ./missing-key.pem }\n');
    const io = captureIo(dir);
    expect(await main([...args, '--config', 'config.yaml'], io)).toBe(EXIT.usage);
    expect(io.err()).toMatch(/^simulators\.tls\.certFile \.\/missing-cert\.pem: cannot read it \(file not found\)\n$/);
  });
});

describe('a closed stdout pipe', () => {
  /** Spawns the CLI, reads its first line of output and closes the pipe, as `| head -1` does. */
  function firstLineThenClose(args: string[]): Promise<{ code: number | null; line: string; stderr: string }> {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'measure-conformance.js'), ...args], { cwd: workdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolveRun) => {
      let line = '';
      child.stdout.on('data', (d: Buffer) => {
        if (line) return;
        line = d.toString().split('\n')[0]!;
        child.stdout.destroy();
      });
      child.on('close', (code) => resolveRun({ code, line, stderr }));
    });
  }

  it('list | head -1 ends quietly with 0', async () => {
    const { code, line, stderr } = await firstLineThenClose(['list', '--requirements']);
    expect(line).toMatch(/^\S+ {2}(SHALL|SHOULD|MAY)/);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);

  it('csv from-csv … | head ends quietly with 0', async () => {
    const dir = workdir();
    const rows = Array.from({ length: 20000 }, (_, i) => `H${i},2020-04-06,${i % 50},${i % 20}`).join('\n');
    writeFileSync(join(dir, 'big.csv'), `subject,period,numVent,numVentUse\n${rows}\n`);
    const measure = join(projectRoot, 'fixtures', 'csv', 'measure-beds-vents.json');
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'measure-conformance.js'), 'csv', 'from-csv', '--ndjson', '--measure', measure, 'big.csv'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let first = '';
    child.stdout.on('data', (d: Buffer) => {
      if (!first) first = d.toString();
      child.stdout.destroy();
    });
    const code = await new Promise((r) => child.on('close', r));
    expect(first).toMatch(/^\{"resourceType":"MeasureReport"/);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
