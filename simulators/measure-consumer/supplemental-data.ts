/**
 * SANER Supplemental Data Option, Consumer side (§4.3, D5): a `batch` Bundle POSTed to [base]
 * whose first entry is the MeasureReport and whose other entries are the resources it lists in
 * `evaluatedResource`. Each entry is processed on its own as R4 batch rules say, and the answer is
 * a `batch-response` with one entry per request entry, in order. The MeasureReport goes last: it
 * is refused (422) when a resource it references is missing from the batch or was itself refused,
 * and otherwise stored with its references pointing at the ids the server assigned.
 */
import type { Bundle, BundleEntry, MeasureReport, Reference, Resource } from 'fhir/r4.js';
import { FhirError, type Issue } from '../../src/fhir/errors.js';
import type { BundleEvent, ServerHooks } from '../../src/fhir/server/index.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { failedEntry, writtenEntry } from './batch-response.js';
import { afterReportWrite, type ConsumerFault, type ConsumerFaults } from './faults.js';
import { checkForWrite } from './write-checks.js';

interface Written {
  stored: Resource;
  created: boolean;
}

function entryError(i: number, status: number, code: Issue['code'], message: string, element = 'request'): FhirError {
  return FhirError.of(status, code, `entry ${i}: ${message}`, `Bundle.entry[${i}].${element}`);
}

/** One request entry as its own create (POST Type) or update (PUT Type/id). */
function applyEntry(entry: BundleEntry, i: number, store: ResourceStore, faults: ConsumerFaults, clientIds: boolean): Written {
  const { request, resource } = entry;
  if (!request) throw entryError(i, 400, 'required', 'a batch entry needs a request (method and url)');
  if (!resource) throw entryError(i, 400, 'required', 'a batch entry needs a resource to store', 'resource');
  const path = (request.url ?? '').split('?', 1)[0]!.replace(/^\/+/, '');
  const [type, id, ...rest] = path.split('/');
  if (type !== resource.resourceType) throw entryError(i, 400, 'invalid', `the request url '${request.url}' is not for the ${resource.resourceType} the entry carries`, 'request.url');
  let written: Written;
  if (request.method === 'POST' && id === undefined) {
    checkForWrite(resource, faults);
    const { id: _ignored, ...withoutId } = resource;
    written = { stored: store.create(withoutId as Resource), created: true };
  } else if (request.method === 'PUT' && id !== undefined && rest.length === 0) {
    if (resource.id !== id) throw entryError(i, 400, 'invalid', `the resource id '${resource.id ?? ''}' does not match the request url '${request.url}'`, 'resource.id');
    checkForWrite(resource, faults);
    const ifMatch = faults.has('ignore-if-match') ? undefined : request.ifMatch;
    const { resource: stored, created } = store.update(resource, { ...(ifMatch ? { ifMatch } : {}), allowCreate: clientIds });
    written = { stored, created };
  } else {
    throw entryError(i, 405, 'not-supported', `${request.method} ${request.url} is not supported in a batch here: use POST Type or PUT Type/id`);
  }
  afterReportWrite(store, written.stored, written.created, faults);
  return written;
}

/** The index of the entry a reference points at: by fullUrl, by Type/id, or by the url of its PUT. */
function entryFor(entries: BundleEntry[], reference: string | undefined): number | undefined {
  if (!reference) return undefined;
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i]!;
    const r = e.resource;
    const local = r?.id ? `${r.resourceType}/${r.id}` : undefined;
    if (e.fullUrl === reference || (local && (reference === local || reference.endsWith(`/${local}`)))) return i;
    if (e.request?.method === 'PUT' && e.request.url.replace(/^\/+/, '') === reference) return i;
  }
  return undefined;
}

/** The evaluatedResource references of the report that no entry of the batch carries. */
function unresolved(report: MeasureReport, entries: BundleEntry[]): string[] {
  return (report.evaluatedResource ?? []).flatMap((ref) => (entryFor(entries, ref.reference) === undefined ? [ref.reference ?? '(no reference)'] : []));
}

/** The report with each evaluatedResource pointing at what the batch stored; 422 when one cannot. */
function linkEvaluated(report: MeasureReport, entries: BundleEntry[], written: Map<number, Written | undefined>): MeasureReport {
  const refs = report.evaluatedResource;
  if (!refs?.length) return report;
  const issues: Issue[] = [];
  const linked = refs.map((ref, k): Reference => {
    const expression = `MeasureReport.evaluatedResource[${k}]`;
    const i = entryFor(entries, ref.reference);
    if (i === undefined) {
      issues.push({
        severity: 'error',
        code: 'not-found',
        expression,
        message: `evaluatedResource ${ref.reference ?? '(no reference)'} is not in the batch: Supplemental Data sends every referenced resource after the MeasureReport`,
      });
      return ref;
    }
    const target = written.get(i);
    if (!target) {
      issues.push({ severity: 'error', code: 'invalid', expression, message: `evaluatedResource ${ref.reference ?? ''} is entry ${i}, which was refused (see its response)` });
      return ref;
    }
    return { ...ref, reference: `${target.stored.resourceType}/${target.stored.id ?? ''}` };
  });
  if (issues.length) throw new FhirError(422, issues);
  return { ...report, evaluatedResource: linked };
}

export function supplementalDataBatch(settings: { clientIds: boolean }): NonNullable<ServerHooks<ConsumerFault>['processBundle']> {
  return async ({ bundle, store, faults, headers, baseUrl }: BundleEvent<ConsumerFault>) => {
    if (bundle.type !== 'batch') {
      throw FhirError.of(400, 'not-supported', `POST [base] takes a batch Bundle here (SANER Supplemental Data), not a ${bundle.type}`, 'Bundle.type');
    }
    const entries = bundle.entry ?? [];
    const first = entries[0];
    if (first?.resource?.resourceType !== 'MeasureReport') {
      throw FhirError.of(422, 'invalid', 'the first entry of a Supplemental Data batch must be the MeasureReport', 'Bundle.entry[0].resource');
    }
    if (faults.has('batch-refuses-valid-entry') && unresolved(first.resource as MeasureReport, entries).length) {
      const refusal = failedEntry(
        FhirError.of(422, 'business-rule', 'the MeasureReport references resources the batch does not carry: no entry of the batch is processed', 'Bundle.entry[0].resource.evaluatedResource'),
      );
      return { resource: { resourceType: 'Bundle', type: 'batch-response', entry: entries.map(() => refusal) } as Bundle };
    }
    const responses: BundleEntry[] = new Array<BundleEntry>(entries.length);
    const written = new Map<number, Written | undefined>();
    for (let i = 1; i < entries.length; i++) {
      try {
        const w = applyEntry(entries[i]!, i, store, faults, settings.clientIds);
        written.set(i, w);
        responses[i] = writtenEntry(baseUrl, w.stored, w.created, headers);
      } catch (err) {
        written.set(i, undefined);
        responses[i] = failedEntry(err);
      }
    }
    try {
      const report = first.resource as MeasureReport;
      const resource = linkEvaluated(report, entries, written);
      const w = applyEntry({ ...first, resource }, 0, store, faults, settings.clientIds);
      responses[0] = writtenEntry(baseUrl, w.stored, w.created, headers);
    } catch (err) {
      responses[0] = failedEntry(err);
    }
    await store.durable();
    const response: Bundle = { resourceType: 'Bundle', type: 'batch-response', entry: responses };
    return { resource: response };
  };
}
