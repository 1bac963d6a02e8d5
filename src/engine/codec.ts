/**
 * How the engine reads and writes resources. The runner is handed the project's formats module
 * (JSON and XML); the built-in JSON codec keeps the engine usable on its own and in its own tests.
 */
import type { Resource } from 'fhir/r4.js';
import type { Issue } from '../fhir/errors.js';
import { formatOfMediaType } from '../fhir/negotiation.js';

export type WireFormat = 'json' | 'xml';

export interface ResourceFormats {
  /** Throws (any Error) with a message saying what is wrong when the text is not a resource in that format. */
  parse(text: string, format: WireFormat): Resource;
  serialize(resource: Resource, format: WireFormat): string;
}

export type ValidateResource = (resource: Resource, options: { profiles?: string[] }) => Issue[] | Promise<Issue[]>;

export const jsonOnlyFormats: ResourceFormats = {
  parse(text, format) {
    if (format !== 'json') throw new Error('XML is not supported by the built-in JSON codec; run with the project formats module');
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { resourceType?: unknown }).resourceType !== 'string') {
      throw new Error('JSON is not a FHIR resource: no resourceType');
    }
    return value as Resource;
  },
  serialize(resource, format) {
    if (format !== 'json') throw new Error('XML is not supported by the built-in JSON codec; run with the project formats module');
    return JSON.stringify(resource);
  },
};

/** The FHIR format a Content-Type names, if any. */
export function formatOfContentType(contentType: string | undefined): WireFormat | undefined {
  return contentType ? formatOfMediaType(contentType) : undefined;
}
