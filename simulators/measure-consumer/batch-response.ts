/** Entries of the Bundles the Consumer answers with (batch-response), one per report or request entry. */
import { STATUS_CODES } from 'node:http';
import type { BundleEntry, Resource } from 'fhir/r4.js';
import { FhirError, toOperationOutcome } from '../../src/fhir/errors.js';
import { preference } from '../../src/fhir/server/request.js';

type Headers = Record<string, string | string[] | undefined>;

/** `response.status`: the HTTP code and its reason phrase, as R4 Bundle.entry.response.status asks. */
export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/** The entry for a stored resource, shaped by the client's `Prefer: return=` (the resource by default). */
export function writtenEntry(baseUrl: string, stored: Resource, created: boolean, headers: Headers): BundleEntry {
  const path = `${stored.resourceType}/${stored.id ?? ''}`;
  const version = stored.meta?.versionId ?? '1';
  const want = preference(headers, 'return');
  const status = created ? 201 : 200;
  const entry: BundleEntry = {
    fullUrl: `${baseUrl}/${path}`,
    response: {
      status: statusText(status),
      location: `${path}/_history/${version}`,
      etag: `W/"${version}"`,
      ...(stored.meta?.lastUpdated ? { lastModified: stored.meta.lastUpdated } : {}),
    },
  };
  if (want === 'OperationOutcome') {
    entry.response!.outcome = toOperationOutcome([{ severity: 'information', code: 'informational', message: `${path} ${created ? 'created' : 'updated'} (version ${version})` }]);
  } else if (want !== 'minimal') {
    entry.resource = stored;
  }
  return entry;
}

/** The entry for a request entry that was refused; anything but a FhirError is the server's own bug and propagates. */
export function failedEntry(err: unknown): BundleEntry {
  if (!(err instanceof FhirError)) throw err;
  return { response: { status: statusText(err.status), outcome: toOperationOutcome(err.issues) } };
}
