import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/harness.js';

// The package ships compiled JavaScript: `npm run build` must produce a dist/ that runs on its own
// with plain node (no tsx), data files included.
describe('npm run build', () => {
  it('compiles a CLI that runs from dist/ with plain node', () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: projectRoot, encoding: 'utf8' });
    expect(build.status, build.stderr + build.stdout).toBe(0);
    const entry = join(projectRoot, 'dist', 'src', 'cli', 'entry.js');
    const list = spawnSync(process.execPath, [entry, 'list'], { cwd: projectRoot, encoding: 'utf8' });
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/fhir-core\/fhir-server/);
    // Validation needs the R4 model (a data file) and the generated validator.
    const validate = spawnSync(process.execPath, [entry, 'validate', join(projectRoot, 'fixtures', 'resources', 'measurereport-bed-capacity.json')], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(validate.status, validate.stdout + validate.stderr).toBe(0);
    // The exchange log writes in a thread of its own, started from the compiled module.
    const log = join(projectRoot, 'dist', 'src', 'cli', 'connectathon', 'exchange-log.js');
    const script = `import { ExchangeLog } from ${JSON.stringify(log)};
      const log = await ExchangeLog.open(':memory:');
      log.add({ source: 's', sides: ['client'], baseUrl: 'http://x', client: 'c', exchange: { direction: 'inbound', method: 'GET', url: 'http://x/metadata', requestHeaders: {}, status: 200, responseHeaders: {}, startedAt: new Date().toISOString() } });
      console.log(log.list().map((r) => r.exchange.url).join());
      log.close();`;
    const dir = mkdtempSync(join(tmpdir(), 'mc-build-'));
    writeFileSync(join(dir, 'log.mjs'), script);
    const recorded = spawnSync(process.execPath, [join(dir, 'log.mjs')], { cwd: projectRoot, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(recorded.status, recorded.stderr).toBe(0);
    expect(recorded.stdout.trim()).toBe('http://x/metadata');
  }, 180_000);
});
