// Cleanup decides what became of each write from the SUT's answers: a DELETE 404 counts as gone
// only when a read agrees, a kept-aside original is put back, and --keep-data touches nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resource } from 'fhir/r4.js';
import { HttpClient } from '../../src/http/client.js';
import { projectFormats } from '../../src/fhir/codec.js';
import { WriteLog, type WriteTracking } from '../../src/engine/writes.js';
import { RUN_TAG_SYSTEM } from '../../src/engine/run-tag.js';
import { startPlainServer, type PlainServer } from '../stand-ins/plain-fhir-server.js';

const servers: PlainServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A JSON-only server whose every DELETE answers 404; a read finds the resource or not. */
async function deleteAnswers404(options: { stillHeld: boolean }): Promise<{ baseUrl: string; methods: string[] }> {
  const methods: string[] = [];
  const server = createServer((req, res) => {
    methods.push(req.method ?? '');
    const found = req.method === 'GET' && options.stillHeld;
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/fhir+json' });
    res.end(
      JSON.stringify(
        found
          ? { resourceType: 'Observation', id: 'push-lactate', status: 'final', code: { text: 'lactate' } }
          : { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, methods };
}

const location = (id: string, name: string): Resource => ({ resourceType: 'Location', id, name }) as Resource;

async function setUp(options: Parameters<typeof startPlainServer>[0]) {
  const server = await startPlainServer(options);
  servers.push(server);
  const http = new HttpClient({ baseUrl: server.baseUrl });
  clients.push(http);
  const log = new WriteLog('run-1');
  const tracking: WriteTracking = { log, by: 'suite/test', owner: 'suite', readOnly: false };
  return { server, http, log, tracking };
}

describe('WriteLog cleanup', () => {
  it('deletes what the run created and puts back what it replaced', async () => {
    const { server, http, log, tracking } = await setUp({ types: ['Location'], seed: [location('held', 'the vendor’s own')], delete: true });
    log.record({ type: 'Location', id: 'held', by: tracking.by, interaction: 'update', owner: 'suite', before: location('held', 'the vendor’s own') });
    server.store.set('Location/held', log.tagged(location('held', 'overwritten by the run')));
    log.record({ type: 'Location', id: 'new', by: tracking.by, interaction: 'create', owner: 'suite' });
    server.store.set('Location/new', log.tagged(location('new', 'created by the run')));

    await log.undo('suite', http, projectFormats, { keep: false, deletes: () => true });

    expect(log.records().map((r) => [r.id, r.cleanup])).toEqual([
      ['new', 'deleted'],
      ['held', 'restored'],
    ]);
    expect([...server.store.keys()]).toEqual(['Location/held']);
    expect((server.store.get('Location/held') as { name?: string }).name).toBe('the vendor’s own');
    expect(JSON.stringify(server.store.get('Location/held'))).not.toContain(RUN_TAG_SYSTEM);
  });

  it('a DELETE answered 404 while the resource still reads is listed as not removed, with both answers', async () => {
    // A server that will not delete this type answers 404 to DELETE, yet still holds and serves it.
    const { baseUrl, methods } = await deleteAnswers404({ stillHeld: true });
    const http = new HttpClient({ baseUrl });
    clients.push(http);
    const log = new WriteLog('run-1');
    log.record({ type: 'Observation', id: 'push-lactate', by: 'suite/test', interaction: 'batch', owner: 'suite' });

    await log.undo('suite', http, projectFormats, { keep: false, deletes: () => undefined });

    expect(log.records()).toEqual([expect.objectContaining({ cleanup: 'not-removed', note: 'DELETE answered 404 but Observation/push-lactate still reads 200' })]);
    expect(methods).toEqual(['DELETE', 'GET']);
  });

  it('a DELETE answered 404 for something already gone counts as deleted', async () => {
    const { baseUrl, methods } = await deleteAnswers404({ stillHeld: false });
    const http = new HttpClient({ baseUrl });
    clients.push(http);
    const log = new WriteLog('run-1');
    log.record({ type: 'Location', id: 'gone', by: 'suite/test', interaction: 'create', owner: 'suite' });

    await log.undo('suite', http, projectFormats, { keep: false, deletes: () => true });

    expect(log.records()).toEqual([expect.objectContaining({ id: 'gone', cleanup: 'deleted' })]);
    expect(methods).toEqual(['DELETE', 'GET']);
  });

  it('with --keep-data nothing is sent and every write is listed as kept', async () => {
    const { server, http, log, tracking } = await setUp({ types: ['Location'], delete: true });
    log.record({ type: 'Location', id: 'a', by: tracking.by, interaction: 'create', owner: 'suite' });
    log.record({ type: 'Location', id: 'b', by: tracking.by, interaction: 'update', owner: 'suite', before: location('b', 'old') });

    await log.undo('suite', http, projectFormats, { keep: true, deletes: () => true });

    expect(server.requests).toEqual([]);
    expect(log.records().map((r) => r.cleanup)).toEqual(['kept', 'kept']);
  });

  it('leaves another owner’s writes for that owner’s cleanup', async () => {
    const { http, log, tracking } = await setUp({ types: ['Location'], delete: true });
    log.record({ type: 'Location', id: 'seeded', by: 'seed', interaction: 'update', owner: 'run' });
    log.record({ type: 'Location', id: 'mine', by: tracking.by, interaction: 'create', owner: 'suite' });

    await log.undo('suite', http, projectFormats, { keep: false, deletes: () => true });

    expect(log.records()).toEqual([
      expect.objectContaining({ id: 'mine', cleanup: 'deleted' }),
      expect.objectContaining({ id: 'seeded', cleanup: 'not-removed', note: 'the run ended before its cleanup' }),
    ]);
  });
});
