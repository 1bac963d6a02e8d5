/** The FHIR IG packages named with `validate --ig`, loaded and their profiles made known to the validator. */
import { resolve } from 'node:path';
import { loadPackage, PackageError, registerPackageProfiles, NOT_CHECKED, type LoadedPackage } from '../fhir/package/index.js';
import { InputError } from './command.js';

export { NOT_CHECKED };

export interface IgPackage {
  name: string;
  version: string;
  /** What this package's profiles asked of the files validated that was not checked (a value set it cannot expand, …), one line each. */
  notChecked: () => string[];
}

export async function loadIgPackages(paths: readonly string[], cwd: string): Promise<IgPackage[]> {
  const out: IgPackage[] = [];
  for (const path of paths) {
    let loaded: LoadedPackage;
    try {
      loaded = await loadPackage(resolve(cwd, path));
    } catch (err) {
      if (err instanceof PackageError) throw new InputError(`${path}: ${err.message}`);
      throw err;
    }
    const notChecked = registerPackageProfiles(loaded);
    out.push({ name: loaded.name, version: loaded.version, notChecked });
  }
  return out;
}
