import { FhirError } from '../errors.js';

/** The version an If-Match header names; accepts `W/"3"`, `"3"` and `3`. */
export function versionFromEtag(etag: string): string {
  const m = /^\s*(?:W\/)?"?([^"\s]+)"?\s*$/.exec(etag);
  if (!m) throw FhirError.of(400, 'invalid', `If-Match value '${etag}' is not an ETag such as W/"3"`);
  return m[1]!;
}
