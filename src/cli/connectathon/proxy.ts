/**
 * The recording proxy: sits between a real client and a real server, forwards each request and
 * its answer as they stream (bodies unchanged, never buffered whole), and reports every exchange
 * with who sent it. With TLS it ends the client's connection with its own certificate, asking the
 * client for one (whose subject is recorded: it cannot be passed on), and opens its own connection
 * to the target, presenting its own client certificate when configured. Host names the target;
 * Location and Content-Location headers naming the target are turned into the proxy's, so a
 * client's follow-up requests (a 202's status URL, a 303's result) come back through it.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import type { BodyCapture, HttpExchange } from '../../http/exchange.js';
import { DEFAULT_CAPTURE_LIMIT, peerOf, redactHeaders } from '../../fhir/server/exchange.js';
import type { ServerTls } from '../../fhir/server/index.js';

/** Headers of one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection']);

export interface UpstreamTls {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  /** Accept any certificate from the target (testing only). */
  insecure?: boolean;
}

export interface ProxyOptions {
  /** The real server's FHIR base URL. */
  target: string;
  host: string;
  port: number;
  /** End the client's TLS with this certificate; plain http without it. */
  tls?: ServerTls;
  /** Trust towards the target, and the client certificate the proxy presents to it. */
  upstreamTls?: UpstreamTls;
  /** Every exchange, once its answer is sent (or failed). */
  onExchange(exchange: HttpExchange): void;
  captureLimit?: number;
  /** How long the target may take to answer (headers, then between body chunks). */
  timeoutMs?: number;
}

export interface RunningProxy {
  /** The base URL clients use instead of the target's. */
  url: string;
  close(): Promise<void>;
}

/** Passes bytes through unchanged, keeping the first `limit` of them as evidence. */
class Capture extends Transform {
  readonly #limit: number;
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  size = 0;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.#kept < this.#limit) {
      const part = chunk.subarray(0, this.#limit - this.#kept);
      this.#chunks.push(part);
      this.#kept += part.length;
    }
    done(null, chunk);
  }

  body(): BodyCapture | undefined {
    if (this.size === 0) return undefined;
    return { text: Buffer.concat(this.#chunks).toString('utf8'), size: this.size, truncated: this.size > this.#kept };
  }
}

function forwardable(headers: IncomingMessage['headers'] | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const named = String(headers['connection'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(key) || named.includes(key)) continue;
    out[key] = value;
  }
  return out;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const target = new URL(options.target);
  const targetBase = `${target.origin}${target.pathname.replace(/\/+$/, '')}`;
  const limit = options.captureLimit ?? DEFAULT_CAPTURE_LIMIT;
  const timeout = options.timeoutMs ?? 60_000;
  const up = options.upstreamTls ?? {};
  const agent = new Agent({
    connect: {
      ...(up.ca ? { ca: up.ca } : {}),
      ...(up.cert && up.key ? { cert: up.cert, key: up.key } : {}),
      ...(up.passphrase !== undefined ? { passphrase: up.passphrase } : {}),
      rejectUnauthorized: !up.insecure,
    },
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  let ownBase = '';
  /** The target's URLs in answer headers, made the proxy's. */
  const toOwn = (value: string): string => (value === targetBase || value.startsWith(`${targetBase}/`) || value.startsWith(`${targetBase}?`) ? `${ownBase}${value.slice(targetBase.length)}` : value);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = new Date().toISOString();
    const began = process.hrtime.bigint();
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`;
    const requestCapture = new Capture(limit);
    const responseCapture = new Capture(limit);
    const base: HttpExchange = {
      direction: 'inbound',
      method,
      url: `${ownBase}${path}`,
      requestHeaders: redactHeaders(req.headers),
      startedAt,
      peer: peerOf(req.socket, single(req.headers['authorization'])),
    };
    const done = (extra: Partial<HttpExchange>) => {
      const requestBody = requestCapture.body();
      options.onExchange({ ...base, ...(requestBody ? { requestBody } : {}), ...extra, durationMs: Number(process.hrtime.bigint() - began) / 1e6 });
    };
    const hasBody = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) > 0 : req.headers['transfer-encoding'] !== undefined;
    const headers = forwardable(req.headers);
    headers['host'] = target.host;
    try {
      const answer = await request(`${targetBase}${path}`, {
        method: method as 'GET',
        headers,
        dispatcher: agent,
        ...(hasBody ? { body: req.pipe(requestCapture) } : {}),
      });
      const out = forwardable(answer.headers);
      for (const name of ['location', 'content-location']) {
        const value = single(out[name]);
        if (value) out[name] = toOwn(value);
      }
      res.writeHead(answer.statusCode, out);
      await pipeline(answer.body, responseCapture, res);
      const responseBody = responseCapture.body();
      done({ status: answer.statusCode, responseHeaders: redactHeaders(out), ...(responseBody ? { responseBody } : {}) });
    } catch (err) {
      const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      if (!res.headersSent) {
        const outcome = JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'transient', diagnostics: `the recording proxy could not reach ${targetBase}: ${reason}` }],
        });
        res.writeHead(502, { 'content-type': 'application/fhir+json; charset=utf-8' }).end(outcome);
      } else res.destroy();
      done({ error: `the target ${targetBase} did not answer: ${reason}` });
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, requestCert: true, rejectUnauthorized: false }, listener) : createHttpServer(listener);
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  server.on('connection', track);
  server.on('secureConnection', track);
  if (options.tls) {
    // A client that speaks plain http to the https port, or fails the handshake, is recorded too.
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      const plain = err.code === 'ERR_SSL_HTTP_REQUEST' || /http request/i.test(err.message);
      const address = socket.remoteAddress?.replace(/^::ffff:/, '');
      options.onExchange({
        direction: 'inbound',
        method: 'CONNECT',
        url: `${ownBase}/`,
        requestHeaders: {},
        startedAt: new Date().toISOString(),
        error: plain ? 'a plain-http request reached the https endpoint (no TLS)' : `the TLS handshake failed: ${err.message}`,
        ...(address ? { peer: { address } } : {}),
      });
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  ownBase = `${options.tls ? 'https' : 'http'}://${host}:${port}`;
  return {
    url: ownBase,
    async close() {
      // No new connections; requests in flight finish; idle keep-alive connections go now.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      const force = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, timeout);
      force.unref();
      await closed;
      clearInterval(idle);
      clearTimeout(force);
      await agent.close();
    },
  };
}
