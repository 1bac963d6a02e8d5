export { loadPackage, PackageError, type LoadedPackage } from './load.js';
export { registerPackageProfiles, NOT_CHECKED } from './register.js';
