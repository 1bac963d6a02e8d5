/**
 * Fault modes of the Measure Consumer, each breaking one Produce Measure behaviour, so a suite
 * testing a Consumer can show it fails when it should. The server core's own faults (accept-invalid,
 * skip-profile-validation, no-location-header, ignore-if-match, …) come on top.
 */
import type { FastifyInstance } from 'fastify';
import type { Measure, MeasureReport, Resource } from 'fhir/r4.js';
import { parseResource, serializeResource } from '../../src/fhir/format.js';
import { formatOfMediaType } from '../../src/fhir/negotiation.js';
import { defineFaults, type FaultIds } from '../../src/fhir/faults.js';
import type { ActiveFaultsOf, WriteEvent } from '../../src/fhir/server/index.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';

export const consumerFaults = defineFaults([
  { id: 'lose-acknowledged', description: 'Answers a MeasureReport create with 201 (or a batch or $report-csv entry with 201) but does not keep it' },
  { id: 'update-creates-duplicate', description: 'Stores an update of a MeasureReport (PUT, or $report-csv for a known subject, reporter and period) as a new report and keeps the old one unchanged' },
  { id: 'auth-ignored', description: 'Serves every request whatever its credentials, even with a bearer token configured (no 401)' },
  { id: 'report-csv-ignore-map', description: '$report-csv ignores the map parameter, so renamed columns are not read' },
  { id: 'report-csv-wrong-row-errors', description: '$report-csv errors name the wrong row (counted from the first data row instead of the header)' },
  { id: 'ignore-prefer', description: 'Answers every create and update with the stored resource, whatever Prefer: return= asks for' },
  { id: 'update-id-from-url', description: 'Stores a MeasureReport update under the id in the URL whatever id its body carries (or none), instead of answering 400' },
  { id: 'invalid-measure', description: 'Serves Measures without the ReportingPeriod extension (a PublicHealthMeasure violation)' },
  {
    id: 'batch-refuses-valid-entry',
    description: 'Refuses every entry of a Supplemental Data batch whose MeasureReport references a resource the batch does not carry, valid ones included, as if the batch were a transaction',
  },
  {
    id: 'lose-content-of',
    argument: 'json or xml',
    description: 'Acknowledges a MeasureReport created or updated in that format but stores it without its groups, as a server that does not really read the format would',
  },
]);

export type ConsumerFault = FaultIds<typeof consumerFaults>;
/** The faults the Consumer's own code sees: the core's and its own. */
export type ConsumerFaults = ActiveFaultsOf<ConsumerFault>;

/**
 * What a faulty Consumer does once a MeasureReport is stored, whichever way it came (create,
 * update, batch entry, $report-csv): forget a new one, or file an update as a new report and put
 * the old content back.
 */
export function afterReportWrite(store: ResourceStore, stored: Resource, created: boolean, faults: ConsumerFaults): void {
  if (stored.resourceType !== 'MeasureReport' || !stored.id) return;
  if (created && faults.has('lose-acknowledged')) {
    store.delete('MeasureReport', stored.id);
    return;
  }
  const version = Number(stored.meta?.versionId);
  if (created || !faults.has('update-creates-duplicate') || !(version > 1)) return;
  const previous = store.history('MeasureReport', stored.id).find((v) => v.versionId === String(version - 1))?.resource;
  if (!previous) return;
  const { id: _id, meta: _meta, ...copy } = stored;
  store.transaction(() => {
    store.create(copy as Resource);
    store.update(previous);
  });
}

/**
 * The ids a faulty Consumer takes from the URL of `PUT MeasureReport/[id]`: the body is rewritten
 * before the core sees it, so its own id check (400) never fires.
 */
export function takeIdFromUrl(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const id = /^\/MeasureReport\/([^/?]+)(?:\?|$)/.exec(request.url)?.[1];
    const format = formatOfMediaType(String(request.headers['content-type'] ?? ''));
    if (request.method !== 'PUT' || !id || !format || typeof request.body !== 'string') return;
    try {
      const resource = parseResource(request.body, format);
      request.body = serializeResource({ ...resource, id: decodeURIComponent(id) }, format);
    } catch {
      // A body that does not parse is left for the core to refuse.
    }
  });
}

/** A Measure as a faulty Consumer serves it: without the ReportingPeriod extension PublicHealthMeasure requires. */
export function withoutReportingPeriod(measure: Measure): Measure {
  const extension = (measure.extension ?? []).filter((e) => !e.url.endsWith('/StructureDefinition/ReportingPeriod'));
  return { ...measure, extension };
}

/** `lose-content-of:<f>`: what a faulty Consumer stores of a MeasureReport sent in that format. */
export function contentKept(event: WriteEvent<ConsumerFault>): Resource | undefined {
  if (event.resource.resourceType !== 'MeasureReport') return undefined;
  const contentType = event.headers['content-type'];
  const format = formatOfMediaType(String(Array.isArray(contentType) ? contentType[0] : (contentType ?? '')));
  if (!format || !event.faults.argumentsOf('lose-content-of').includes(format)) return undefined;
  const { group: _lost, ...rest } = event.resource as MeasureReport;
  return rest as Resource;
}
