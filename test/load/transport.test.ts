// load's HTTP path on its own: no more sockets than it was given, however many requests wait; the
// answer's headers as the checks read them; credentials only to the SUT's own origin; Ctrl-C
// settles what is in flight and what is waiting; a failed request hands its socket on.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadTransport, NoAnswer } from '../../src/load/transport.js';
import { listenLocally } from '../listen-locally.js';

interface Seen {
  url: string;
  authorization: string | undefined;
  body: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function server(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[]; sockets: () => number; busiest: () => number }> {
  const seen: Seen[] = [];
  let open = 0;
  let sockets = 0;
  let busy = 0;
  let busiest = 0;
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization, body });
      busy++;
      busiest = Math.max(busiest, busy);
      res.on('finish', () => busy--);
      answer(req, res);
    });
  });
  s.on('connection', (socket) => {
    open++;
    sockets = Math.max(sockets, open);
    socket.on('close', () => open--);
  });
  const { port, close } = await listenLocally(s);
  closers.push(close);
  return { url: `http://127.0.0.1:${port}/fhir`, seen, sockets: () => sockets, busiest: () => busiest };
}

const created = (_req: IncomingMessage, res: ServerResponse) =>
  setTimeout(() => res.writeHead(201, { 'content-type': 'application/fhir+json', location: 'MeasureReport/1/_history/1' }).end('{"resourceType":"MeasureReport","id":"1"}'), 5);

describe('load transport', () => {
  it('sends every request over at most the sockets it was given, queued requests in turn', async () => {
    const s = await server(created);
    const transport = new LoadTransport(s.url, {}, 3);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => transport.send({ method: 'POST', url: 'MeasureReport', body: `{"n":${i}}` })));
    await transport.close();
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    expect(s.seen.map((r) => r.body).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `{"n":${i}}`).sort());
    expect(s.seen.every((r) => r.url === '/fhir/MeasureReport')).toBe(true);
    expect(s.sockets()).toBe(3);
    expect(s.busiest()).toBe(3);
  });

  it('reads header values by name in any case, repeated ones joined, and the body as text and JSON', async () => {
    const s = await server((_req, res) => {
      res.setHeader('Content-Location', 'https://elsewhere.example/Status/7');
      res.setHeader('X-Part', ['one', 'two']);
      res.setHeader('constructor', 'just a header');
      res.setHeader('X_Trace', 'underscored');
      res.writeHead(202).end('{"resourceType":"OperationOutcome"}');
    });
    const transport = new LoadTransport(s.url, {}, 1);
    const answer = await transport.send({ method: 'GET', url: 'MeasureReport/1' });
    await transport.close();
    expect(answer.status).toBe(202);
    expect(answer.header('content-location')).toBe('https://elsewhere.example/Status/7');
    expect(answer.header('x-part')).toBe('one, two');
    expect(answer.header('constructor')).toBe('just a header');
    expect(answer.header('x_trace')).toBe('underscored');
    expect(answer.header('location')).toBeUndefined();
    expect(answer.text).toBe('{"resourceType":"OperationOutcome"}');
    expect(answer.json()).toEqual({ resourceType: 'OperationOutcome' });
  });

  it('gives the configured credentials to the SUT only, not to a URL of another origin', async () => {
    const sut = await server(created);
    const other = await server(created);
    const transport = new LoadTransport(sut.url, { auth: { type: 'bearer', token: 'secret-token' } }, 2);
    const own = await transport.send({ method: 'GET', url: `${sut.url}/MeasureReport?page=2` });
    const elsewhere = await transport.send({ method: 'GET', url: `${other.url}/MeasureReport?page=2` });
    const relative = await transport.send({ method: 'GET', url: '/MeasureReport/1' });
    await transport.close();
    expect([own.status, elsewhere.status, relative.status]).toEqual([201, 201, 201]);
    expect(sut.seen.map((r) => [r.url, r.authorization])).toEqual([
      ['/fhir/MeasureReport?page=2', 'Bearer secret-token'],
      ['/fhir/MeasureReport/1', 'Bearer secret-token'],
    ]);
    expect(other.seen.map((r) => [r.url, r.authorization])).toEqual([['/fhir/MeasureReport?page=2', undefined]]);
  });

  it('abortAll settles the requests in flight and those waiting for a socket', async () => {
    const held: ServerResponse[] = [];
    const s = await server((_req, res) => held.push(res));
    const transport = new LoadTransport(s.url, {}, 2);
    const sent = Array.from({ length: 5 }, () =>
      transport.send({ method: 'GET', url: 'MeasureReport' }).then(
        () => 'answered',
        (e: unknown) => (e instanceof NoAnswer ? 'no answer' : 'other'),
      ),
    );
    while (held.length < 2) await new Promise((r) => setTimeout(r, 5));
    transport.abortAll();
    expect(await Promise.all(sent)).toEqual(Array(5).fill('no answer'));
    // Only two ever reached the server: the other three were dropped while waiting.
    expect(s.seen).toHaveLength(2);
    await transport.close();
  });

  it('a request that gets no answer frees its socket for the next one', async () => {
    let n = 0;
    const s = await server((req, res) => {
      // The first request's connection is cut; the rest are answered.
      if (n++ === 0) req.socket.destroy();
      else created(req, res);
    });
    const transport = new LoadTransport(s.url, {}, 1);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        transport.send({ method: 'POST', url: 'MeasureReport', body: '{}' }).then(
          (a) => String(a.status),
          (e: unknown) => (e instanceof NoAnswer ? e.failure : 'other'),
        ),
      ),
    );
    await transport.close();
    expect(results).toEqual(['connection closed by the server', '201', '201', '201']);
  });
});
