/** One entry point for both FHIR wire formats. */
import type { Resource } from 'fhir/r4.js';
import { FhirError } from './errors.js';
import { parseJson, serializeJson } from './json.js';
import { parseXml, serializeXml } from './xml.js';

export type FhirFormat = 'json' | 'xml';

export interface FormatOptions {
  pretty?: boolean;
}

export function parseResource(text: string, format: FhirFormat): Resource {
  return format === 'xml' ? parseXml(text) : parseJson(text);
}

export function serializeResource(resource: Resource, format: FhirFormat, opts: FormatOptions = {}): string {
  return format === 'xml' ? serializeXml(resource, opts) : serializeJson(resource, opts);
}

/** The format of a document by its first non-blank character (`<` or `{`); undefined otherwise. */
export function detectFormat(text: string): FhirFormat | undefined {
  const first = /^[\s\uFEFF]*(\S)/.exec(text)?.[1];
  return first === '<' ? 'xml' : first === '{' ? 'json' : undefined;
}

/** Parses a document of either format, refusing text that is neither. */
export function parseAnyResource(text: string): { resource: Resource; format: FhirFormat } {
  const format = detectFormat(text);
  if (!format) throw FhirError.of(400, 'structure', 'The content is neither FHIR JSON (starting with "{") nor FHIR XML (starting with "<")');
  return { resource: parseResource(text, format), format };
}
