/** What the scenarios share: what a CapabilityStatement declares, the statuses in words, the run tag in a template. */
import type { CapabilityStatement, Resource } from 'fhir/r4.js';
import { RUN_TAG_SYSTEM, runTag } from '../../engine/run-tag.js';
import { slot } from '../templates.js';

export function declares(cs: CapabilityStatement | undefined, type: string, interaction: string): boolean {
  return (cs?.rest ?? []).filter((r) => r.mode === 'server').some((r) => r.resource?.some((x) => x.type === type && x.interaction?.some((i) => i.code === interaction)));
}

/** Every 4xx: a refusal, whichever code. */
export const REFUSALS: readonly number[] = Array.from({ length: 100 }, (_, i) => 400 + i);

/**
 * The resource as a template carries the run tag with the run id as a slot (RUN), so the same
 * template serves this run and the k6 script, whose runs have ids of their own.
 */
export function taggedForTemplate<T extends Resource>(resource: T): T {
  const tag = { ...runTag('__MC_RUN__'), code: slot('RUN') };
  const tags = (resource.meta?.tag ?? []).filter((t) => t.system !== RUN_TAG_SYSTEM);
  return { ...resource, meta: { ...resource.meta, tag: [...tags, tag] } };
}

/**
 * A UUID-shaped token unique in the run: 8 hex digits of the run, 12 of the sequence. Valid
 * wherever an identifier must be a urn:uuid, and cheap.
 */
export function uuidOf(runHex: string, sequence: number): string {
  return `${runHex}-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`;
}

/** The resource with an id, written right after resourceType as FHIR JSON usually is. */
export function withIdFirst<T extends Resource>(resource: T, id: string): T {
  const { resourceType, ...rest } = resource;
  return { resourceType, id, ...rest } as T;
}
