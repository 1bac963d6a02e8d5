/**
 * A hostile SUT: a proxy in front of a real reference simulator that spoils every answer in one
 * way — never answering, trickling, answering 50 MB, resetting the connection, redirecting in a
 * loop, sending invalid JSON with 200, or labelling XML as JSON and JSON as XML. Everything else
 * about the answers is the simulator's, so the spoiled part is the only thing a suite can trip on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocally } from '../listen-locally.js';
import { request } from 'undici';

export const HOSTILE_MODES = ['hang', 'trickle', 'huge', 'reset', 'redirect-loop', 'invalid-json', 'xml-labelled-json', 'json-labelled-xml'] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

export interface HostileServer {
  url: string;
  /** Requests that reached the proxy. */
  requests: number;
  close(): Promise<void>;
}

export interface HostileOptions {
  /** The real server whose answers are spoiled. */
  upstream: string;
  /** Milliseconds between trickled bytes. Default 100. */
  trickleMs?: number;
  /** Size of the `huge` answer. Default 50 MB. */
  hugeBytes?: number;
  /** Announce the `huge` answer's size in Content-Length; by default it streams chunked, size unknown. */
  declareLength?: boolean;
}

const JSON_TYPE = 'application/fhir+json; charset=utf-8';
const XML_TYPE = 'application/fhir+xml; charset=utf-8';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Marks an answer the proxy spoiled, so a test can tell which exchanges met the hostile behaviour. */
export const SPOILED_HEADER = 'x-hostile';

const FHIR_ACCEPT = /^\s*$|fhir\+json|fhir\+xml|^\s*\*\/\*\s*$/;

/**
 * The upstream's answer to the same request. For the lying modes, `format` is the format the body
 * should be in: it replaces an Accept asking for a FHIR format (an Accept asking for something else
 * is left alone, so a 406 stays a 406).
 */
async function forward(upstream: string, req: IncomingMessage, body: Buffer, format?: 'json' | 'xml'): Promise<{ status: number; headers: Record<string, string>; body: Buffer; forced: boolean }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
  let path = req.url ?? '/';
  const forced = format !== undefined && FHIR_ACCEPT.test(headers['accept'] ?? '');
  if (forced) {
    headers['accept'] = format === 'xml' ? XML_TYPE : JSON_TYPE;
    // A `_format` would win over the Accept header; the format forced here must win instead.
    path = path.replace(/([?&])_format=[^&]*&?/g, '$1');
  }
  const res = await request(`${upstream}${path}`, { method: (req.method ?? 'GET') as 'GET', headers, ...(body.length ? { body } : {}) });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string' && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
  return { status: res.statusCode, headers: out, body: Buffer.from(await res.body.arrayBuffer()), forced };
}

function trickle(res: ServerResponse, body: Buffer, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed || i >= body.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body.subarray(i, ++i));
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/** Writes `total` bytes of a JSON document in chunks, as fast as the client reads them. */
function huge(res: ServerResponse, total: number, declareLength: boolean): void {
  const head = Buffer.from('{"resourceType":"Basic","text":{"status":"generated","div":"<div xmlns=\\"http://www.w3.org/1999/xhtml\\">');
  const tail = Buffer.from('</div>"}}');
  const chunk = Buffer.alloc(64 * 1024, 'x');
  res.writeHead(200, { 'content-type': JSON_TYPE, [SPOILED_HEADER]: 'huge', ...(declareLength ? { 'content-length': String(total) } : {}) });
  res.write(head);
  let left = total - head.length - tail.length;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end(tail);
  };
  pump();
}

async function spoil(mode: HostileMode, options: HostileOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  switch (mode) {
    case 'hang':
      return; // the socket stays open and silent until the client gives up
    case 'reset':
      req.socket.destroy();
      return;
    case 'redirect-loop': {
      const path = req.url ?? '/';
      const next = path.includes('loop=1') ? path.replace(/[?&]loop=1/, '') : `${path}${path.includes('?') ? '&' : '?'}loop=1`;
      res.writeHead(302, { location: next, [SPOILED_HEADER]: mode }).end();
      return;
    }
    case 'huge':
      return huge(res, options.hugeBytes ?? 50 * 1024 * 1024, options.declareLength ?? false);
    default:
      break;
  }
  const forced = mode === 'xml-labelled-json' ? 'xml' : mode === 'json-labelled-xml' ? 'json' : undefined;
  const answer = await forward(options.upstream, req, body, forced);
  if (mode === 'trickle') {
    res.writeHead(answer.status, { ...answer.headers, [SPOILED_HEADER]: mode });
    return trickle(res, answer.body, options.trickleMs ?? 100);
  }
  const type = answer.headers['content-type'] ?? '';
  const honest = () => void res.writeHead(answer.status, answer.headers).end(answer.body);
  if (mode === 'invalid-json') {
    // A successful JSON answer cut off halfway, still labelled a complete FHIR JSON 200.
    if (answer.status >= 300 || !type.includes('json')) return honest();
    const cut = answer.body.subarray(0, Math.max(1, Math.floor(answer.body.length / 2)));
    res.writeHead(200, { ...answer.headers, [SPOILED_HEADER]: mode }).end(Buffer.concat([cut, Buffer.from(',,')]));
    return;
  }
  // The lying labels: a body in the forced format goes out with the other format's Content-Type.
  if (!answer.forced || !type.includes(forced ?? '')) return honest();
  res.writeHead(answer.status, { ...answer.headers, 'content-type': forced === 'xml' ? JSON_TYPE : XML_TYPE, [SPOILED_HEADER]: mode }).end(answer.body);
}

export async function startHostileServer(mode: HostileMode, options: HostileOptions): Promise<HostileServer> {
  const server = createServer((req, res) => {
    hostile.requests++;
    spoil(mode, options, req, res).catch(() => req.socket.destroy());
  });
  const { port, close } = await listenLocally(server);
  const hostile: HostileServer = {
    url: `http://127.0.0.1:${port}`,
    requests: 0,
    close,
  };
  return hostile;
}
