/**
 * Every resource the harness writes into a SUT carries the run's tag, so what a run left behind can
 * be found, listed and removed, and two runs (or `run` and `load`) against one server never mistake
 * each other's data for their own.
 */
import { randomBytes } from 'node:crypto';
import type { Coding, Resource } from 'fhir/r4.js';

export const RUN_TAG_SYSTEM = 'urn:measure-conformance:run';

/** A run id unique across runs and machines: the start instant and random bits, URL- and id-safe. */
export function newRunId(now: Date = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .toLowerCase()}-${randomBytes(4).toString('hex')}`;
}

export function runTag(runId: string): Coding {
  return { system: RUN_TAG_SYSTEM, code: runId, display: 'written by a measure-conformance run' };
}

/** A copy of the resource carrying the run's tag beside its own tags. */
export function withRunTag<T extends Resource>(resource: T, runId: string): T {
  const tags = (resource.meta?.tag ?? []).filter((t) => t.system !== RUN_TAG_SYSTEM);
  return { ...resource, meta: { ...resource.meta, tag: [...tags, runTag(runId)] } };
}

/** The run id a resource is tagged with, if any. */
export function runTagOf(resource: Resource): string | undefined {
  return resource.meta?.tag?.find((t) => t.system === RUN_TAG_SYSTEM)?.code;
}
