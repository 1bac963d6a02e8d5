import { randomUUID } from 'node:crypto';

/**
 * An id no other run chooses: a test that picks the id of what it writes (an update as create, a
 * client id the server should ignore, a batch entry PUT at its id) never meets another run's
 * resource, or the SUT's own, at the same id.
 */
export function freshId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
