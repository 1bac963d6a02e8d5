/** The harness name and version stamped on every result, read from the package manifest. */
import { readFileSync } from 'node:fs';

let cached: { name: string; version: string } | undefined;

export function harnessIdentity(): { name: string; version: string } {
  if (cached) return cached;
  // The manifest is two levels up from src/engine and three from a compiled dist/src/engine.
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'measure-conformance' && typeof pkg.version === 'string') {
        cached = { name: pkg.name, version: pkg.version };
        return cached;
      }
    } catch {
      // Try the next candidate location.
    }
  }
  cached = { name: 'measure-conformance', version: 'unknown' };
  return cached;
}
