/**
 * The arrows point one way (DESIGN.md, Layout): every production file imports only from its own
 * layer or a lower one, so the FHIR core, the HTTP client and the simulators never reach up into
 * the test engine, and no IG's suites borrow another IG's folder. Imports are read from the source
 * text, type-only ones included: a type import ties the layers together as much as a value import.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/harness.js';

/** Top to bottom; a file may import from its own layer and every layer after it. */
const LAYERS: ReadonlyArray<{ name: string; folders: readonly string[] }> = [
  { name: 'command line', folders: ['src/cli', 'src/config'] },
  // load plays the suites' transactions as load: beside the suites, on the engine's run tag and the reports' folder handling.
  { name: 'suites, reports and load', folders: ['suites', 'src/report', 'src/load'] },
  { name: 'engine', folders: ['src/engine'] },
  { name: 'simulators', folders: ['simulators'] },
  { name: 'IGs', folders: ['ig'] },
  { name: 'FHIR core and CSV', folders: ['src/fhir', 'src/csv'] },
  { name: 'HTTP', folders: ['src/http'] },
];

/**
 * The package's own root folder and name (src/harness.ts): it imports nothing of the project, so
 * every layer may use it, as it may use a node built-in.
 */
const GROUND = 'src/harness.ts';

const PRODUCTION_ROOTS = ['src', 'suites', 'simulators', 'ig'];

/** Suites shared by more than one IG's folder; each IG's suites may use them and their own IG's. */
const SHARED_SUITES = 'suites/ihe-content';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.folders.some((f) => file === f || file.startsWith(`${f}/`)));
}

interface Import {
  from: string;
  line: number;
  /** The imported file, relative to the project root. */
  to: string;
}

/** Relative imports and re-exports of a file: static, side-effect and dynamic ones. */
function importsOf(file: string, text: string): Import[] {
  // Block comments and whole-line comments may quote code; string contents (URLs) must stay.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/^\s*\/\/.*$/gm, '');
  const found: Import[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s*['"]([^'"]+)['"]/gm];
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) {
      const specifier = m[1]!;
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(join(projectRoot, file)), specifier).replace(/\.js$/, '.ts');
      found.push({ from: file, line: code.slice(0, m.index).split('\n').length, to: relative(projectRoot, target) });
    }
  }
  return found;
}

/** Why an import breaks the layering, or undefined when it does not. */
function violation(imp: Import): string | undefined {
  const where = `${imp.from}:${imp.line} imports ${imp.to}`;
  if (imp.from === GROUND) return `${where}: ${GROUND} must import nothing of the project`;
  if (imp.to === GROUND) return undefined;
  const from = layerOf(imp.from);
  const to = layerOf(imp.to);
  if (from < 0) return `${where}: ${imp.from} belongs to no layer; add its folder to DESIGN.md's layers and to this test`;
  if (to < 0) return `${where}: ${imp.to} belongs to no layer`;
  if (to < from) return `${where}: the ${LAYERS[from]!.name} layer may not import the ${LAYERS[to]!.name} layer above it`;
  const ig = (f: string) => /^suites\/([^/]+)\//.exec(f)?.[1];
  const fromIg = ig(imp.from);
  const toIg = ig(imp.to);
  if (fromIg && toIg && fromIg !== toIg && !imp.to.startsWith(`${SHARED_SUITES}/`) && imp.to !== 'suites/index.ts') {
    return `${where}: one IG's suites may not use another's folder; move what both use to ${SHARED_SUITES}/`;
  }
  return undefined;
}

function productionImports(): Import[] {
  return PRODUCTION_ROOTS.flatMap((root) => tsFiles(join(projectRoot, root)))
    .map((path) => relative(projectRoot, path))
    .flatMap((file) => importsOf(file, readFileSync(join(projectRoot, file), 'utf8')));
}

describe('layering', () => {
  const imports = productionImports();

  it('reads the imports of every production file, and each resolves to a file of the project', () => {
    // Every file that names a relative module somewhere has at least one import found.
    const files = PRODUCTION_ROOTS.flatMap((root) => tsFiles(join(projectRoot, root))).map((path) => relative(projectRoot, path));
    const naming = files.filter((f) => /from\s*'\.\.?\//.test(readFileSync(join(projectRoot, f), 'utf8')));
    const importing = new Set(imports.map((i) => i.from));
    expect(naming.length).toBeGreaterThan(150);
    expect(naming.filter((f) => !importing.has(f))).toEqual([]);
    expect(imports.filter((i) => !existsSync(join(projectRoot, i.to))).map((i) => `${i.from}:${i.line} ${i.to}`)).toEqual([]);
  });

  it('has each production file import only from its own layer or below', () => {
    expect(imports.map(violation).filter((v) => v !== undefined)).toEqual([]);
  });

  it('keeps the FHIR core, the HTTP client and the simulators free of the engine', () => {
    const free = ['src/fhir/', 'src/http/', 'src/csv/', 'simulators/', 'ig/'];
    expect(imports.filter((i) => free.some((f) => i.from.startsWith(f)) && i.to.startsWith('src/engine/')).map((i) => `${i.from}:${i.line}`)).toEqual([]);
  });

  it("refuses an import that climbs, one that leaves the layers and one into another IG's suites", () => {
    const at = (from: string, to: string): Import => ({ from, line: 1, to });
    expect(violation(at('src/fhir/server/routes.ts', 'src/engine/results.ts'))).toMatch(/FHIR core and CSV layer may not import the engine layer/);
    expect(violation(at('src/http/client.ts', 'src/fhir/errors.ts'))).toMatch(/HTTP layer may not import/);
    expect(violation(at('simulators/measure-source/index.ts', 'suites/index.ts'))).toMatch(/simulators layer may not import the suites, reports and load layer/);
    expect(violation(at('ig/saner/canonicals.ts', 'simulators/data-source/codes.ts'))).toMatch(/IGs layer may not import the simulators layer/);
    expect(violation(at('src/engine/runner.ts', 'src/cli/main.ts'))).toMatch(/engine layer may not import the command line layer/);
    expect(violation(at('src/harness.ts', 'src/http/client.ts'))).toMatch(/must import nothing/);
    expect(violation(at('src/newfolder/x.ts', 'src/http/client.ts'))).toMatch(/belongs to no layer/);
    expect(violation(at('suites/rpc/send-concordance-report/content-creator.ts', 'suites/madx/send-aggregate-report/content-creator.ts'))).toMatch(/another's folder/);
    // Downward and sideways within a layer are fine, as are the shared suites and the project root.
    expect(violation(at('suites/rpc/send-concordance-report/content-creator.ts', 'suites/ihe-content/creator-sends.ts'))).toBeUndefined();
    expect(violation(at('src/csv/to-csv.ts', 'src/fhir/decimal.ts'))).toBeUndefined();
    expect(violation(at('simulators/fixtures.ts', 'src/harness.ts'))).toBeUndefined();
    expect(violation(at('src/cli/main.ts', 'suites/index.ts'))).toBeUndefined();
  });

  it('finds imports however they are written, and not in comments', () => {
    const text = [
      "import type { A } from '../engine/a.js';",
      'import {',
      '  B,',
      "} from './b.js';",
      "export { C } from '../c.js';",
      "import './side-effect.js';",
      "const d = await import('./d.js');",
      "// import { E } from './commented.js';",
      "/* import { F } from './block.js'; */",
      "import { G } from 'fastify';",
      "const url = 'http://example.org/from/here';",
    ].join('\n');
    expect(
      importsOf('src/fhir/x.ts', text)
        .map((i) => `${i.line} ${i.to}`)
        .sort(),
    ).toEqual(['1 src/engine/a.ts', '4 src/fhir/b.ts', '5 src/c.ts', '6 src/fhir/side-effect.ts', '7 src/fhir/d.ts'].sort());
  });
});
