/**
 * The inspector: a read-only web page and JSON API over the exchange log, on its own port, live
 * through server-sent events. It serves TLS when the simulators do, and is open on its address
 * unless given a token (`simulators.inspector.token`): a browser opening any page with
 * `?token=…` gets a cookie in exchange, so permalinks pasted elsewhere open without the token; the
 * API also takes it as a bearer token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { ServerTls } from '../../../fhir/server/index.js';
import type { RecordFilter, StoredRecord } from '../exchange-log.js';
import type { Recorder, RecorderEvent } from '../recorder.js';
import { toCapture } from '../capture-file.js';
import { suitesFor } from '../grading.js';
import { transactions } from '../transactions.js';
import { clientsPage, detailPage, listPage, messagePage, parseFilter, rowHtml, summaryPage, type PageContext } from './page.js';

export interface InspectorOptions {
  host: string;
  port: number;
  tls?: ServerTls;
  /** When set, every page and API call needs it (once, then the cookie) or the cookie. */
  token?: string;
  recorder: Recorder;
  context: PageContext;
}

export interface RunningInspector {
  url: string;
  close(): Promise<void>;
}

const COOKIE = 'mc_inspector';
/** Rows the list page shows; older ones page with `before`. */
const PAGE_ROWS = 300;
/** How often another process writing the same log (a proxy beside `serve`) is looked for. */
const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;
/** How long the API waits for exchanges being judged before it answers with what is judged. */
const SETTLE_MS = 800;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Every requirement id a finding can decide, for the requirement filter. */
function requirementIds(): string[] {
  const ids = transactions().flatMap((t) => suitesFor(t, ['client', 'server']).flatMap(({ suite }) => suite.tests.flatMap((test) => test.requirements)));
  return [...new Set(ids)].sort();
}

/** A record as the API lists it. */
function listed(r: StoredRecord): Record<string, unknown> {
  return {
    id: r.id,
    simulator: r.source,
    time: r.exchange.startedAt,
    client: r.client,
    method: r.exchange.method,
    url: r.exchange.url,
    status: r.exchange.status ?? null,
    ...(r.exchange.error ? { error: r.exchange.error } : {}),
    ...(r.transaction ? { transaction: r.transaction } : {}),
    graded: r.findings !== undefined,
    findings: r.findings ?? [],
  };
}

/** A record in full, as the API gives one. */
function detailed(r: StoredRecord): Record<string, unknown> {
  return { ...listed(r), sides: r.sides, baseUrl: r.baseUrl, validation: r.validation ?? [], ...(r.notGraded ? { notGraded: r.notGraded } : {}), exchange: r.exchange };
}

interface Listener {
  filter: RecordFilter;
  lastSeq: number;
  res: ServerResponse;
}

export async function startInspector(options: InspectorOptions): Promise<RunningInspector> {
  const { recorder, context } = options;
  const log = recorder.log;
  const session = options.token ? createHmac('sha256', options.token).update('measure-conformance inspector session').digest('hex') : undefined;
  const app = Fastify({ logger: false, ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}) });
  const listeners = new Set<Listener>();
  const ids = requirementIds();

  const html = (reply: FastifyReply, status: number, page: string) => reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  const json = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send(JSON.stringify(body));
  const query = (request: FastifyRequest) => request.query as Record<string, string | undefined>;
  const origin = (request: FastifyRequest) => `${options.tls ? 'https' : 'http'}://${request.host}`;

  app.addHook('onRequest', async (request, reply) => {
    if (!session || !options.token) return;
    if (sameText(cookieOf(request.headers.cookie, COOKIE) ?? '', session)) return;
    const bearer = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer && sameText(bearer, options.token)) return;
    const url = new URL(request.url, 'http://inspector');
    const given = url.searchParams.get('token');
    if (given !== null && request.method === 'GET' && sameText(given, options.token)) {
      url.searchParams.delete('token');
      reply.header('set-cookie', `${COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax${options.tls ? '; Secure' : ''}`);
      return reply.code(303).header('location', `${url.pathname}${url.search}`).send();
    }
    reply.header('www-authenticate', 'Bearer realm="measure-conformance inspector"');
    if (url.pathname.startsWith('/api/') || url.pathname === '/events')
      return json(reply, 401, { error: 'this inspector needs its token: Authorization: Bearer <token>, or open a page once with ?token=<token>' });
    return html(
      reply,
      401,
      messagePage(
        context,
        'Token needed',
        'This inspector is protected: open it once with ?token=… added to the address (the token is simulators.inspector.token in the config); the browser then keeps a cookie, so links open without it.',
      ),
    );
  });

  app.get('/', async (request, reply) => {
    const filter = parseFilter(query(request));
    const before = Number(query(request)['before']);
    const lastSeq = log.lastSeq();
    const records = log.list({ ...filter, limit: PAGE_ROWS, ...(Number.isInteger(before) ? { before } : {}) });
    return html(reply, 200, listPage(context, records, filter, log.facets(), ids, lastSeq));
  });

  app.get('/exchanges/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const record = log.get(id);
    if (!record) return html(reply, 404, messagePage(context, 'No such exchange', `No exchange has the id ${id} in this log.`));
    return html(reply, 200, detailPage(context, record, `${origin(request)}/exchanges/${record.id}`));
  });

  app.get('/clients', async (_request, reply) => html(reply, 200, clientsPage(context, log.clients())));

  app.get('/clients/summary', async (request, reply) => {
    const { simulator, client } = query(request);
    const summary = simulator && client ? await recorder.summary(simulator, client) : undefined;
    if (!summary) return html(reply, 404, messagePage(context, 'No summary', `No graded traffic of ${client ?? '(no client given)'} at ${simulator ?? '(no simulator given)'}.`));
    return html(reply, 200, summaryPage(context, summary));
  });

  app.get('/api/exchanges', async (request, reply) => {
    // An exchange just received is being judged: its findings are worth the moment's wait.
    await recorder.settled(SETTLE_MS);
    const filter = parseFilter(query(request));
    const limit = Number(query(request)['limit'] ?? 500);
    const before = Number(query(request)['before']);
    const records = log.list({ ...filter, limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, 5000) : 500, ...(Number.isInteger(before) ? { before } : {}) });
    return json(reply, 200, { exchanges: records.map(listed) });
  });

  app.get('/api/exchanges/:id', async (request, reply) => {
    await recorder.settled(SETTLE_MS);
    const { id } = request.params as { id: string };
    const record = log.get(id);
    return record ? json(reply, 200, detailed(record)) : json(reply, 404, { error: `no exchange has the id ${id}` });
  });

  app.get('/api/clients', async (_request, reply) => json(reply, 200, { clients: log.clients().map((c) => ({ ...c, simulator: c.source })) }));

  app.get('/api/clients/summary', async (request, reply) => {
    const { simulator, client } = query(request);
    const summary = simulator && client ? await recorder.summary(simulator, client) : undefined;
    if (!summary) return json(reply, 404, { error: 'give simulator and client of graded traffic (see /api/clients)' });
    return json(reply, 200, { simulator: summary.source, client: summary.client, transaction: summary.transaction, suite: summary.suite, exchanges: summary.exchanges, requirements: summary.rows });
  });

  app.get('/api/export', async (request, reply) => {
    const records = log.list(parseFilter(query(request)), { bodies: true, oldestFirst: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    reply.header('content-disposition', `attachment; filename="capture-${stamp}.json"`);
    return json(reply, 200, toCapture(records));
  });

  app.get('/events', (request, reply) => {
    const filter = parseFilter(query(request));
    const after = Number(query(request)['after']);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': live\n\n');
    const listener: Listener = { filter, lastSeq: Number.isInteger(after) ? after : log.lastSeq(), res };
    listeners.add(listener);
    request.raw.on('close', () => listeners.delete(listener));
    sendNew(listener);
  });

  const send = (l: Listener, event: string, data: unknown) => {
    if (!l.res.writableEnded) l.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  function sendNew(l: Listener): void {
    for (const record of log.list({ ...l.filter, after: l.lastSeq }, { oldestFirst: true })) {
      send(l, 'added', { id: record.id, html: rowHtml(record, true) });
      l.lastSeq = record.seq;
    }
  }

  function sendGraded(l: Listener, id: string): void {
    const record = log.get(id);
    if (!record || record.seq > l.lastSeq) return;
    const matching = log.list({ ...l.filter, after: record.seq - 1, before: record.seq + 1 });
    if (matching.length) send(l, 'graded', { id, html: rowHtml(matching[0]!) });
    else send(l, 'gone', { id });
  }

  // New records are sent once per turn of the event loop, however many arrived in it.
  let pending: NodeJS.Immediate | undefined;
  const onEvent = (event: RecorderEvent) => {
    if (event.type === 'graded') {
      for (const l of listeners) sendGraded(l, event.id);
      return;
    }
    pending ??= setImmediate(() => {
      pending = undefined;
      for (const l of listeners) sendNew(l);
    });
  };
  const unlisten = recorder.listen(onEvent);
  let known = log.lastSeq();
  const poll = setInterval(() => {
    if (listeners.size === 0) return;
    const last = log.lastSeq();
    if (last !== known) {
      known = last;
      for (const l of listeners) sendNew(l);
    }
  }, POLL_MS);
  const heartbeat = setInterval(() => {
    for (const l of listeners) if (!l.res.writableEnded) l.res.write(': still here\n\n');
  }, HEARTBEAT_MS);
  poll.unref();
  heartbeat.unref();

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    unlisten();
    clearInterval(poll);
    clearInterval(heartbeat);
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    async close() {
      unlisten();
      clearInterval(poll);
      clearInterval(heartbeat);
      if (pending) clearImmediate(pending);
      // Live pages hold their connection open: end them, or closing would wait for them.
      for (const l of listeners) l.res.end();
      listeners.clear();
      await app.close();
    },
  };
}
