// The runtime dependency tree stays small and deliberate: each runtime dependency is named in the
// README with the reason it is there, install scripts run only for packages named in allowScripts,
// and the number of runtime packages in the lockfile stays under a ceiling raised only on purpose.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

const read = (file: string): string => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

interface PackageJson {
  dependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
}
interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  hasInstallScript?: boolean;
}

const pkg = JSON.parse(read('package.json')) as PackageJson;
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> };
const readme = read('README.md');

/** Lockfile paths (node_modules/a/node_modules/@b/c) by package name (@b/c). */
const locked = Object.entries(lock.packages)
  .filter(([path]) => path !== '')
  .map(([path, entry]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), entry }));
const runtime = locked.filter(({ entry }) => !entry.dev && !entry.devOptional);

/** 131 when this was written (fastify and ajv bring most); grow it only for a dependency worth it. */
const RUNTIME_PACKAGE_CEILING = 140;

/** Rows of the README's "Runtime dependencies" table: the packages each names, and why. */
function readmeDependencies(): { names: string[]; why: string }[] {
  const section = /^## Runtime dependencies\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\|/.test(line) && !/^\|\s*(package|-+)\s*\|/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, names = '', why = '']) => ({ names: names.split(',').map((n) => n.trim().replace(/`/g, '')), why }));
}

describe('runtime dependencies', () => {
  it('the README lists exactly the dependencies of package.json, each with a reason', () => {
    const rows = readmeDependencies();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.flatMap((r) => r.names).sort()).toEqual(Object.keys(pkg.dependencies).sort());
    for (const row of rows) expect(row.why.length, `reason for ${row.names.join(', ')}`).toBeGreaterThan(10);
  });

  it('are pinned to exact versions, so an install gets what was reviewed', () => {
    for (const [name, version] of Object.entries(pkg.dependencies)) expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('every package with an install script is named in allowScripts, which names only locked packages', () => {
    const withScripts = [...new Set(locked.filter(({ entry }) => entry.hasInstallScript).map(({ name }) => name))];
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(Object.keys(pkg.allowScripts), `${name} runs an install script`).toContain(name);
    const names = new Set(locked.map(({ name }) => name));
    for (const name of Object.keys(pkg.allowScripts)) expect(names.has(name), `allowScripts names ${name}, which is not in the lockfile`).toBe(true);
  });

  it('the README names the packages allowed to run install scripts', () => {
    const sentence = readme.split('\n\n').find((p) => p.includes('`allowScripts`')) ?? '';
    const allowed = Object.entries(pkg.allowScripts)
      .filter(([, yes]) => yes)
      .map(([name]) => name);
    expect(allowed.length).toBeGreaterThan(0);
    for (const name of allowed) expect(sentence).toContain(`\`${name}\``);
  });

  it(`${runtime.length} runtime packages in the lockfile, at most ${RUNTIME_PACKAGE_CEILING}`, () => {
    expect(runtime.length).toBeGreaterThan(Object.keys(pkg.dependencies).length);
    expect(runtime.length).toBeLessThanOrEqual(RUNTIME_PACKAGE_CEILING);
    for (const name of Object.keys(pkg.dependencies))
      expect(
        runtime.map((r) => r.name),
        name,
      ).toContain(name);
  });
});
