/**
 * Capture files: a selection of recorded exchanges as the inspector exports it, each knowing its
 * transaction and which sides to judge, so `grade` can judge it again later, offline, with the
 * current suites; and HAR files (a browser's or a proxy's), which know neither, so `grade --as`
 * names the suite. Both read into the same entries. A bad file is refused with its name (and line
 * where JSON says), never half read.
 */
import { harness } from '../../harness.js';
import type { HttpExchange } from '../../http/exchange.js';
import type { Side, StoredRecord } from './exchange-log.js';
import { CaptureError, type CaptureEntry } from './capture-entry.js';
import { readHar } from './har.js';

export { CaptureError, type CaptureEntry } from './capture-entry.js';

export const CAPTURE_FORMAT = 'measure-conformance/capture';
const CAPTURE_VERSION = 1;

export interface CaptureFile {
  format: typeof CAPTURE_FORMAT;
  version: number;
  exported: string;
  harness: string;
  exchanges: CaptureEntry[];
}

export interface LoadedCapture {
  file: string;
  kind: 'capture' | 'har';
  entries: CaptureEntry[];
}

/** The records as a capture file, oldest first. */
export function toCapture(records: readonly StoredRecord[]): CaptureFile {
  const ordered = [...records].sort((a, b) => a.seq - b.seq);
  return {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    exported: new Date().toISOString(),
    harness: `${harness.name} ${harness.version}`,
    exchanges: ordered.map((r) => ({
      id: r.id,
      source: r.source,
      ...(r.transaction ? { transaction: r.transaction } : {}),
      sides: [...r.sides],
      baseUrl: r.baseUrl,
      client: r.client,
      exchange: r.exchange,
    })),
  };
}

function lineOf(text: string, err: unknown): string {
  const at = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
  return at === undefined ? '' : `:${text.slice(0, Number(at)).split('\n').length}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkExchange(file: string, where: string, x: unknown): HttpExchange {
  if (!isObject(x)) throw new CaptureError(`${file}: ${where} is not an object`);
  for (const key of ['method', 'url', 'startedAt'] as const) if (typeof x[key] !== 'string') throw new CaptureError(`${file}: ${where}.${key} is missing or not text`);
  if (!isObject(x['requestHeaders'])) throw new CaptureError(`${file}: ${where}.requestHeaders is missing`);
  if (x['status'] !== undefined && typeof x['status'] !== 'number') throw new CaptureError(`${file}: ${where}.status is not a number`);
  for (const body of ['requestBody', 'responseBody'] as const) {
    const b = x[body];
    if (b !== undefined && (!isObject(b) || typeof b['text'] !== 'string' || typeof b['size'] !== 'number')) throw new CaptureError(`${file}: ${where}.${body} needs text and size`);
  }
  return { ...(x as unknown as HttpExchange), direction: 'inbound' };
}

function readCaptureJson(file: string, data: Record<string, unknown>): CaptureEntry[] {
  if (data['version'] !== CAPTURE_VERSION) throw new CaptureError(`${file}: capture version ${String(data['version'])} is not one this version reads (${CAPTURE_VERSION})`);
  const list = data['exchanges'];
  if (!Array.isArray(list)) throw new CaptureError(`${file}: exchanges is not a list`);
  return list.map((e: unknown, i) => {
    const where = `exchanges[${i}]`;
    if (!isObject(e)) throw new CaptureError(`${file}: ${where} is not an object`);
    for (const key of ['id', 'source', 'baseUrl', 'client'] as const) if (typeof e[key] !== 'string') throw new CaptureError(`${file}: ${where}.${key} is missing or not text`);
    const sides = e['sides'];
    if (sides !== undefined && (!Array.isArray(sides) || sides.some((s) => s !== 'client' && s !== 'server'))) throw new CaptureError(`${file}: ${where}.sides must list client and/or server`);
    return {
      id: e['id'] as string,
      source: e['source'] as string,
      ...(typeof e['transaction'] === 'string' ? { transaction: e['transaction'] } : {}),
      ...(sides ? { sides: sides as Side[] } : {}),
      baseUrl: e['baseUrl'] as string,
      client: e['client'] as string,
      exchange: checkExchange(file, `${where}.exchange`, e['exchange']),
    };
  });
}

/** Reads a capture file or a HAR file from its text. */
export function readCapture(file: string, text: string, options: { base?: string } = {}): LoadedCapture {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CaptureError(`${file}${lineOf(text, err)}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (isObject(data) && data['format'] === CAPTURE_FORMAT) return { file, kind: 'capture', entries: readCaptureJson(file, data) };
  if (isObject(data) && isObject(data['log']) && Array.isArray(data['log']['entries'])) return { file, kind: 'har', entries: readHar(file, data['log']['entries'], options.base) };
  throw new CaptureError(`${file}: neither a measure-conformance capture (format "${CAPTURE_FORMAT}") nor a HAR file (log.entries)`);
}
