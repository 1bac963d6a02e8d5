import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
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
  }, 180_000);
});
