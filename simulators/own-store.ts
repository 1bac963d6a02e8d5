import type { Resource } from 'fhir/r4.js';
import type { RunningFhirServer } from '../src/fhir/server/index.js';
import type { ResourceStore } from '../src/fhir/store/resource-store.js';

/**
 * Serves a store the simulator opened itself: seeds it when it is new (a file-backed store keeps
 * what it holds across restarts), starts the server core on it, and closes it with the server, or
 * at once when seeding or the start fails.
 */
export async function serveOwnStore(store: ResourceStore, seed: () => readonly Resource[], start: () => Promise<RunningFhirServer>): Promise<RunningFhirServer> {
  try {
    if (store.count() === 0) {
      store.transaction(() => {
        for (const r of seed()) store.create(r, r.id ? { id: r.id } : {});
      });
    }
    const server = await start();
    return {
      ...server,
      async close() {
        await server.close();
        store.close();
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
