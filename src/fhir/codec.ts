/**
 * How the engine reads, writes and validates resources: the project's formats and validation
 * modules by default, replaceable per run (e.g. a stricter validator).
 */
import type { Resource } from 'fhir/r4.js';
import type { Issue } from './errors.js';
import { parseResource, serializeResource } from './format.js';
import { formatOfMediaType } from './negotiation.js';
import { validateResource } from './validation/index.js';

export type WireFormat = 'json' | 'xml';

export interface ResourceFormats {
  /** Throws (any Error) with a message saying what is wrong when the text is not a resource in that format. */
  parse(text: string, format: WireFormat): Resource;
  serialize(resource: Resource, format: WireFormat): string;
}

export type ValidateResource = (resource: Resource, options: { profiles?: string[] }) => Issue[] | Promise<Issue[]>;

export const projectFormats: ResourceFormats = { parse: parseResource, serialize: (resource, format) => serializeResource(resource, format) };

export const projectValidator: ValidateResource = (resource, options) => validateResource(resource, options);

/** The FHIR format a Content-Type names, if any. */
export function formatOfContentType(contentType: string | undefined): WireFormat | undefined {
  return contentType ? formatOfMediaType(contentType) : undefined;
}
