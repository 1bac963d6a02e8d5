/**
 * A FHIR IG package, as published (`.tgz` with a `package/` folder) or unpacked (a folder holding
 * `package/package.json`): its name and version and the conformance resources the validator uses
 * (StructureDefinitions, ValueSets, CodeSystems), read from the top level of `package/`.
 */
import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseTar, type ParsedTarFileItem } from 'nanotar';
import type { CodeSystem, StructureDefinition, ValueSet } from 'fhir/r4.js';

/** The file named is not a usable FHIR package: one line saying why. */
export class PackageError extends Error {
  override name = 'PackageError';
}

export interface LoadedPackage {
  name: string;
  version: string;
  structureDefinitions: StructureDefinition[];
  valueSets: ValueSet[];
  codeSystems: CodeSystem[];
}

const KEPT = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem']);

/** Top-level files of `package/`, as name -> text. */
async function packageFiles(path: string): Promise<Map<string, string>> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PackageError(`cannot read it (${code === 'ENOENT' ? 'file not found' : (code ?? String(err))})`);
  }
  const files = new Map<string, string>();
  if (info.isDirectory()) {
    const dir = join(path, 'package');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      throw new PackageError('not a FHIR package: the folder has no package/package.json');
    }
    for (const name of names.filter((n) => n.endsWith('.json'))) files.set(name, await readFile(join(dir, name), 'utf8'));
    return files;
  }
  let tar: Uint8Array;
  try {
    tar = gunzipSync(await readFile(path));
  } catch (err) {
    throw new PackageError(`not a FHIR package: not a gzip-compressed tar file (${(err as Error).message})`);
  }
  let items: ParsedTarFileItem[];
  try {
    items = parseTar(tar);
  } catch (err) {
    throw new PackageError(`not a FHIR package: not a tar file (${(err as Error).message})`);
  }
  for (const item of items) {
    const m = /^(?:\.\/)?package\/([^/]+\.json)$/.exec(item.name);
    if (m && item.data) files.set(m[1]!, new TextDecoder().decode(item.data));
  }
  return files;
}

export async function loadPackage(path: string): Promise<LoadedPackage> {
  const files = await packageFiles(path);
  const manifestText = files.get('package.json');
  if (!manifestText) throw new PackageError('not a FHIR package: no package/package.json');
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(manifestText) as typeof manifest;
  } catch (err) {
    throw new PackageError(`package/package.json is not JSON (${(err as Error).message})`);
  }
  if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') throw new PackageError('package/package.json needs a name and a version');
  const loaded: LoadedPackage = { name: manifest.name, version: manifest.version, structureDefinitions: [], valueSets: [], codeSystems: [] };
  for (const [name, text] of files) {
    if (name === 'package.json' || name.startsWith('.')) continue;
    let resource: { resourceType?: unknown };
    try {
      resource = JSON.parse(text) as typeof resource;
    } catch (err) {
      throw new PackageError(`package/${name} is not JSON (${(err as Error).message})`);
    }
    if (typeof resource.resourceType !== 'string' || !KEPT.has(resource.resourceType)) continue;
    if (resource.resourceType === 'StructureDefinition') loaded.structureDefinitions.push(resource as StructureDefinition);
    else if (resource.resourceType === 'ValueSet') loaded.valueSets.push(resource as ValueSet);
    else loaded.codeSystems.push(resource as CodeSystem);
  }
  return loaded;
}
