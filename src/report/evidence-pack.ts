/**
 * The HTTP evidence of a report, packed for the page: every body stored once and referenced, an
 * exchange recorded from both sides (sent by the harness, received by a simulator standing in for
 * the SUT) kept as one, and the lot gzip-compressed and base64-encoded into the HTML, where the
 * page unpacks it with DecompressionStream when a test is opened.
 */
import { gzipSync } from 'node:zlib';
import type { BodyCapture, Evidence, HttpExchange } from '../engine/results.js';
import { formatDuration, formatInstant } from './format.js';
import { bodyLanguage, bodyNote, headerLines, type BodyLanguage } from './pretty.js';

export interface PackedBody {
  /** As captured: the page re-indents it for reading; "copy as curl" sends it as it was. */
  text: string;
  language: BodyLanguage;
  /** Size in bytes of the whole body. */
  size: number;
  /** Why it is shown as captured rather than re-indented: cut at the capture limit, or not parseable. */
  note?: string;
}

export interface PackedExchange {
  /** `both`: the harness's request and the simulator's record of it, one exchange. */
  side: 'outbound' | 'inbound' | 'both';
  method: string;
  url: string;
  status?: number;
  error?: string;
  timing: string;
  requestHeaders: string;
  requestBody?: number;
  responseHeaders: string;
  responseBody?: number;
}

export interface EvidencePack {
  bodies: PackedBody[];
  exchanges: PackedExchange[];
  /** Exchange indexes per group: a test's anchor, or `setup-<suite anchor>` for a suite's setup. */
  groups: Record<string, number[]>;
}

/** Evidence of one test or suite setup, keyed by the page element that shows it. */
export interface EvidenceGroup {
  key: string;
  evidence: readonly Evidence[];
}

// A simulator records a request a moment after the harness sends it; allow for clock steps and slow hosts.
const SAME_EXCHANGE_SLACK_MS = 2_000;

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

function sameExchange(out: HttpExchange, inbound: HttpExchange): boolean {
  if (out.method !== inbound.method || pathOf(out.url) !== pathOf(inbound.url) || out.status !== inbound.status) return false;
  if ((out.requestBody?.text ?? '') !== (inbound.requestBody?.text ?? '') || (out.responseBody?.text ?? '') !== (inbound.responseBody?.text ?? '')) return false;
  const sent = Date.parse(out.startedAt);
  const seen = Date.parse(inbound.startedAt);
  if (Number.isNaN(sent) || Number.isNaN(seen)) return false;
  return seen >= sent - SAME_EXCHANGE_SLACK_MS && seen <= sent + (out.durationMs ?? 0) + SAME_EXCHANGE_SLACK_MS;
}

/**
 * The exchanges of one test with each inbound record that repeats an outbound one folded into it:
 * the harness's view (its headers as sent) is kept, marked as seen from both sides.
 */
export function mergeBothSides(exchanges: readonly HttpExchange[]): { exchange: HttpExchange; side: PackedExchange['side'] }[] {
  const merged: { exchange: HttpExchange; side: PackedExchange['side'] }[] = exchanges.map((exchange) => ({ exchange, side: exchange.direction }));
  const folded = new Set<number>();
  exchanges.forEach((inbound, i) => {
    if (inbound.direction !== 'inbound') return;
    const j = exchanges.findIndex((out, k) => out.direction === 'outbound' && merged[k]!.side === 'outbound' && sameExchange(out, inbound));
    if (j < 0) return;
    merged[j]!.side = 'both';
    folded.add(i);
  });
  return merged.filter((_, i) => !folded.has(i));
}

export function packEvidence(groups: readonly EvidenceGroup[]): EvidencePack {
  const pack: EvidencePack = { bodies: [], exchanges: [], groups: {} };
  const bodyIndex = new Map<string, number>();
  const exchangeIndex = new Map<string, number>();
  const body = (b: BodyCapture | undefined, contentType: string | undefined): number | undefined => {
    if (!b) return undefined;
    const language = bodyLanguage(b.text, contentType);
    const key = `${language}\u0000${b.truncated ? b.size : ''}\u0000${b.text}`;
    let index = bodyIndex.get(key);
    if (index === undefined) {
      const note = bodyNote(b, language);
      index = pack.bodies.push({ text: b.text, language, size: b.size, ...(note ? { note } : {}) }) - 1;
      bodyIndex.set(key, index);
    }
    return index;
  };
  for (const group of groups) {
    const http = group.evidence.flatMap((e) => (e.kind === 'http' ? [e.exchange] : []));
    if (http.length === 0) continue;
    pack.groups[group.key] = mergeBothSides(http).map(({ exchange: x, side }) => {
      const requestBody = body(x.requestBody, x.requestHeaders['content-type']);
      const responseBody = body(x.responseBody, x.responseHeaders?.['content-type']);
      const packed: PackedExchange = {
        side,
        method: x.method,
        url: x.url,
        ...(x.status !== undefined ? { status: x.status } : {}),
        ...(x.error ? { error: x.error } : {}),
        timing: [formatInstant(x.startedAt), x.durationMs === undefined ? '' : formatDuration(x.durationMs)].filter(Boolean).join(' · '),
        requestHeaders: headerLines(x.requestHeaders),
        ...(requestBody !== undefined ? { requestBody } : {}),
        responseHeaders: headerLines(x.responseHeaders),
        ...(responseBody !== undefined ? { responseBody } : {}),
      };
      const key = JSON.stringify(packed);
      let index = exchangeIndex.get(key);
      if (index === undefined) {
        index = pack.exchanges.push(packed) - 1;
        exchangeIndex.set(key, index);
      }
      return index;
    });
  }
  return pack;
}

/** gzip, then base64: what the page's script element carries and DecompressionStream('gzip') undoes. */
export function encodePack(pack: EvidencePack): string {
  return gzipSync(JSON.stringify(pack)).toString('base64');
}
