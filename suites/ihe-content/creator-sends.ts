/**
 * A Content Creator's requests read the way the Send Aggregate Report and Send Concordance Report
 * tests judge them: the engine's one inbound view of each request, named by what it is for a
 * Content Consumer (update at an id, create, Bundle to [base], GET of a status or result URL).
 */
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { bodyOf, type InboundRequest } from '../../src/engine/index.js';

export type SendKind = 'update' | 'update-without-id' | 'create' | 'bundle' | 'get' | 'other';

export interface Send extends InboundRequest {
  kind: SendKind;
}

export const FHIR_MEDIA = new Set(['application/fhir+json', 'application/fhir+xml']);

function kindOf(r: InboundRequest): SendKind {
  if (r.method === 'GET') return 'get';
  if (r.method === 'PUT' && r.type === 'MeasureReport') return r.id ? 'update' : 'update-without-id';
  if (r.interaction === 'create' && r.type === 'MeasureReport') return 'create';
  if (r.method === 'POST' && (r.interaction === 'batch' || (r.type === 'Bundle' && r.segments.length === 1))) return 'bundle';
  return 'other';
}

export const asSends = (requests: readonly InboundRequest[]): Send[] => requests.map((r) => ({ ...r, kind: kindOf(r) }));

export const submissions = (sends: readonly Send[]): Send[] => sends.filter((s) => s.kind !== 'get');

/** Every MeasureReport the creator sent: single bodies and the entries of Bundles. */
export function reportsSent(sends: readonly Send[]): MeasureReport[] {
  return sends.flatMap((s) => {
    const body = bodyOf(s);
    if (body?.resourceType === 'MeasureReport') return [body as MeasureReport];
    if (body?.resourceType === 'Bundle') return ((body as Bundle).entry ?? []).map((e) => e.resource).filter((r): r is MeasureReport => r?.resourceType === 'MeasureReport');
    return [];
  });
}
