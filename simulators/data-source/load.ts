/**
 * Loading the Data Source's resources into its store in one transaction (one fsync for a
 * file-backed store), straight through the store: the generator's output is checked by tests, not
 * validated again resource by resource. A resource whose type and id came earlier in the list is
 * stored as its next version (the two ComputeCovidImpact versions share their id), so the later
 * one is current and both can be read back with vread.
 */
import type { Resource } from 'fhir/r4.js';
import { serializeJson } from '../../src/fhir/json.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';

const key = (r: Resource) => `${r.resourceType}/${r.id}`;

export function loadResources(store: ResourceStore, resources: readonly Resource[], onProgress?: (done: number, total: number) => void): void {
  const seen = new Set<string>();
  store.transaction(() => {
    for (const [n, r] of resources.entries()) {
      if (onProgress && n % 5000 === 0) onProgress(n, resources.length);
      if (seen.has(key(r))) store.update(r);
      else store.create(r, { id: r.id! });
      seen.add(key(r));
    }
  });
}

/**
 * Whether a store loaded before holds these resources: as many as there are distinct ones, and the
 * last one as given. A file-backed store started with other generator options would otherwise
 * serve data the expected results do not describe.
 */
export function holdsResources(store: ResourceStore, resources: readonly Resource[]): boolean {
  if (store.count() !== new Set(resources.map(key)).size) return false;
  const last = resources[resources.length - 1]!;
  try {
    const { meta: _meta, ...held } = store.read(last.resourceType, last.id!);
    return serializeJson(held) === serializeJson(last);
  } catch {
    return false;
  }
}
