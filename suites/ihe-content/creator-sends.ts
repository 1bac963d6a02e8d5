/**
 * A Content Creator's recorded traffic read the way the Send Aggregate Report and Send Concordance
 * Report tests judge it: each request classified (update at an id, create, Bundle to [base], GET of
 * a status or result URL), its body parsed by its Content-Type.
 */
import type { Bundle, MeasureReport, Resource } from 'fhir/r4.js';
import type { HttpExchange } from '../../src/engine/results.js';
import { requestBelow } from '../../src/engine/simulator.js';
import { projectFormats, formatOfContentType } from '../../src/fhir/codec.js';

export type SendKind = 'update' | 'update-without-id' | 'create' | 'bundle' | 'get' | 'other';

export interface Send {
  exchange: HttpExchange;
  /** `PUT /MeasureReport/x -> 201`, for notes. */
  line: string;
  kind: SendKind;
  /** The id in the URL of an update. */
  id?: string;
  /** The Content-Type's media type, lower case, without parameters. */
  media?: string;
  body?: Resource;
  bodyError?: string;
}

export const FHIR_MEDIA = new Set(['application/fhir+json', 'application/fhir+xml']);

export function readSends(exchanges: readonly HttpExchange[], baseUrl: string): Send[] {
  return exchanges.map((exchange) => {
    const { segments } = requestBelow(baseUrl, exchange);
    const send: Send = { exchange, line: `${exchange.method} /${segments.join('/')}${exchange.status !== undefined ? ` -> ${exchange.status}` : ''}`, kind: kindOf(exchange.method, segments) };
    if (send.kind === 'update') send.id = segments[1];
    const media = exchange.requestHeaders['content-type']?.split(';')[0]!.trim().toLowerCase();
    if (media) send.media = media;
    const format = formatOfContentType(media);
    const text = exchange.requestBody?.text ?? '';
    if (text.trim()) {
      try {
        send.body = projectFormats.parse(text, format ?? (text.trimStart().startsWith('<') ? 'xml' : 'json'));
      } catch (e) {
        send.bodyError = e instanceof Error ? e.message : String(e);
      }
    }
    return send;
  });
}

function kindOf(method: string, segments: string[]): SendKind {
  const [type, id] = segments;
  if (method === 'GET') return 'get';
  if (method === 'PUT' && type === 'MeasureReport') return id ? 'update' : 'update-without-id';
  if (method === 'POST' && type === 'MeasureReport' && !id) return 'create';
  if (method === 'POST' && (type === undefined || type === 'Bundle')) return 'bundle';
  return 'other';
}

export const submissions = (sends: readonly Send[]): Send[] => sends.filter((s) => s.kind !== 'get');

/** Every MeasureReport the creator sent: single bodies and the entries of Bundles. */
export function reportsSent(sends: readonly Send[]): MeasureReport[] {
  return sends.flatMap((s) => {
    if (s.body?.resourceType === 'MeasureReport') return [s.body as MeasureReport];
    if (s.body?.resourceType === 'Bundle') return ((s.body as Bundle).entry ?? []).map((e) => e.resource).filter((r): r is MeasureReport => r?.resourceType === 'MeasureReport');
    return [];
  });
}
