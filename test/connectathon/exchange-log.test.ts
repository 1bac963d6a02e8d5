/**
 * The exchange log and the capture readers: each body stored once however often it is sent,
 * records readable as soon as they are kept (written in batches), kept across reopening, closed
 * without a WAL file; a HAR read with its FHIR base found, secrets redacted and the token hashed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/http/exchange.js';
import { ExchangeLog } from '../../src/cli/connectathon/exchange-log.js';
import { readCapture, toCapture } from '../../src/cli/connectathon/capture-file.js';
import { clientKey } from '../../src/cli/connectathon/client-identity.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BODY = JSON.stringify({ resourceType: 'MeasureReport', status: 'complete' });

function exchange(status: number, at: number): HttpExchange {
  return {
    direction: 'inbound',
    method: 'POST',
    url: 'http://127.0.0.1:8080/MeasureReport',
    requestHeaders: { 'content-type': 'application/fhir+json', authorization: '[redacted]' },
    requestBody: { text: BODY, size: BODY.length, truncated: false },
    status,
    responseHeaders: { 'content-type': 'application/fhir+json' },
    responseBody: { text: BODY, size: BODY.length, truncated: false },
    startedAt: new Date(Date.UTC(2026, 2, 2, 9, 0, at)).toISOString(),
    peer: { address: '10.0.0.7', tokenHash: 'abcdef012345' },
  };
}

describe('the exchange log', () => {
  it('keeps each body once, lists records as soon as they are kept, and survives reopening without a WAL file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-log-'));
    dirs.push(dir);
    const path = join(dir, 'exchanges.sqlite');
    const log = await ExchangeLog.open(path);
    const ids = [201, 201, 422].map((status, i) =>
      log.add({
        source: 'measure-consumer',
        transaction: 'saner/produce-measure',
        sides: ['client'],
        baseUrl: 'http://127.0.0.1:8080',
        client: clientKey(exchange(status, i).peer),
        exchange: exchange(status, i),
      }),
    );
    expect(log.list().map((r) => [r.id, r.exchange.status])).toEqual([
      [ids[2], 422],
      [ids[1], 201],
      [ids[0], 201],
    ]);
    expect(log.get(ids[0]!)!.exchange.requestBody!.text).toBe(BODY);
    expect(log.list()[0]!.exchange.requestBody!.text).toBe('');
    log.setFindings(ids[2]!, [{ side: 'client', test: 't', title: 'T', verdict: 'fail', requirements: ['SANER-PM-SRC-001'], message: 'broken' }], []);
    expect(log.list({ finding: 'fail' }).map((r) => r.id)).toEqual([ids[2]]);
    expect(log.list({ requirement: 'SANER-PM-SRC-001' }).map((r) => r.id)).toEqual([ids[2]]);
    expect(log.ungraded().map((r) => r.id)).toEqual([ids[0], ids[1]]);
    expect(log.clients()).toEqual([
      { source: 'measure-consumer', client: '10.0.0.7 · token abcdef012345', transaction: 'saner/produce-measure', count: 3, last: '2026-03-02T09:00:02.000Z', lastSeq: 3 },
    ]);
    log.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const db = new Database(path, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM bodies').get() as { n: number }).n).toBe(1);
    db.close();
    const again = await ExchangeLog.open(path);
    expect(again.list().map((r) => r.level ?? 'ungraded')).toEqual(['fail', 'ungraded', 'ungraded']);
    again.close();
  });

  it('opens a log whose bodies table is keyed by hash (the first layout) with its records and bodies, and goes on storing each body once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-log-'));
    dirs.push(dir);
    const path = join(dir, 'exchanges.sqlite');
    const record = (status: number, at: number) => ({ source: 'measure-consumer', sides: ['client'] as const, baseUrl: 'http://127.0.0.1:8080', client: 'c', exchange: exchange(status, at) });
    const first = await ExchangeLog.open(path);
    const old = first.add(record(201, 0));
    first.close();
    // The first layout, as a log written by an earlier version holds it.
    const raw = new Database(path);
    raw.exec(`CREATE TABLE old_bodies (hash TEXT PRIMARY KEY, text TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO old_bodies SELECT hash, text FROM bodies; DROP TABLE bodies; ALTER TABLE old_bodies RENAME TO bodies;
      PRAGMA user_version = 0;`);
    expect(raw.prepare("SELECT sql FROM sqlite_schema WHERE name = 'bodies'").get()).toEqual({ sql: expect.stringContaining('WITHOUT ROWID') });
    raw.close();

    const log = await ExchangeLog.open(path);
    expect(log.get(old)!.exchange.requestBody!.text).toBe(BODY);
    const added = log.add(record(422, 1));
    expect(log.get(added)!.exchange.responseBody!.text).toBe(BODY);
    log.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'bodies'").get()).toEqual({ sql: expect.not.stringContaining('WITHOUT ROWID') });
    expect((db.prepare('SELECT COUNT(*) AS n FROM bodies').get() as { n: number }).n).toBe(1);
    db.close();
  });

  it('says why a log cannot be opened, and a closed log says it is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-log-'));
    dirs.push(dir);
    await expect(ExchangeLog.open(join(dir, 'no-such-folder', 'exchanges.sqlite'))).rejects.toThrow(/directory does not exist|unable to open/);
    const log = await ExchangeLog.open(':memory:');
    log.close();
    expect(() => log.list()).toThrow(/the exchange log :memory: is closed/);
  });

  it('reports records its thread could not write at the next read, and goes on', async () => {
    const log = await ExchangeLog.open(':memory:');
    const record = (e: HttpExchange) => ({ source: 'measure-consumer', sides: ['client'] as const, baseUrl: 'http://127.0.0.1:8080', client: 'c', exchange: e });
    // A value the thread receives but cannot store as JSON.
    log.add(record({ ...exchange(201, 0), durationMs: 1n as unknown as number }));
    expect(() => log.list()).toThrow(/1 exchange record was not written: .*BigInt/);
    const kept = log.add(record(exchange(201, 1)));
    expect(log.list().map((r) => r.id)).toEqual([kept]);
    log.close();
  });

  it('hands records to its thread in small batches, by count and by the size of their bodies, so the simulator holds few', async () => {
    const log = await ExchangeLog.open(':memory:');
    const withBody = (chars: number): HttpExchange => {
      const text = 'x'.repeat(chars);
      const { responseBody: _, ...rest } = exchange(200, 0);
      return { ...rest, requestBody: { text, size: chars, truncated: false } };
    };
    const add = (e: HttpExchange) => log.add({ source: 'measure-consumer', sides: ['client'], baseUrl: 'http://127.0.0.1:8080', client: 'c', exchange: e });
    add(withBody(40 * 1024));
    expect(log.pending).toBe(1);
    // The second body takes the batch past 64 KB: handed over at once, not when the timer fires.
    add(withBody(40 * 1024));
    expect(log.pending).toBe(0);
    for (let i = 1; i < 64; i++) add(withBody(10));
    expect(log.pending).toBe(63);
    add(withBody(10));
    expect(log.pending).toBe(0);
    expect(log.lastSeq()).toBe(66);
    log.close();
  });

  it('exports a selection as a capture file that reads back the same exchanges', async () => {
    const log = await ExchangeLog.open(':memory:');
    log.add({ source: 'proxy', transaction: 'madx/send-aggregate-report', sides: ['client', 'server'], baseUrl: 'http://127.0.0.1:9000', client: 'c', exchange: exchange(200, 1) });
    const capture = toCapture(log.list({}, { bodies: true }));
    const read = readCapture('x.json', JSON.stringify(capture));
    expect(read.kind).toBe('capture');
    expect(read.entries.map((e) => [e.source, e.transaction, e.sides, e.exchange.requestBody?.text])).toEqual([['proxy', 'madx/send-aggregate-report', ['client', 'server'], BODY]]);
    log.close();
  });
});

describe('reading a HAR file', () => {
  const har = (urls: string[]) =>
    JSON.stringify({
      log: {
        entries: urls.map((url, i) => ({
          startedDateTime: new Date(Date.UTC(2026, 2, 2, 9, 0, i)).toISOString(),
          time: 12,
          request: {
            method: 'post',
            url,
            headers: [
              { name: 'Authorization', value: 'Bearer s3cret-token' },
              { name: ':authority', value: 'x' },
              { name: 'Content-Type', value: 'application/fhir+json' },
            ],
            postData: { mimeType: 'application/fhir+json', text: BODY },
          },
          response: {
            status: 201,
            headers: [{ name: 'Location', value: 'MeasureReport/1' }],
            content: { size: 2, mimeType: 'application/fhir+json', text: Buffer.from('{}').toString('base64'), encoding: 'base64' },
          },
        })),
      },
    });

  it('finds the FHIR base, keeps the traffic to it, redacts the token and keeps only its hash', () => {
    const read = readCapture('t.har', har(['https://fhir.example.org/r4/MeasureReport', 'https://fhir.example.org/favicon.ico', 'https://fhir.example.org/r4/metadata']));
    expect(read.kind).toBe('har');
    expect(read.entries.map((e) => [e.baseUrl, e.exchange.method, e.exchange.url])).toEqual([
      ['https://fhir.example.org/r4', 'POST', 'https://fhir.example.org/r4/MeasureReport'],
      ['https://fhir.example.org/r4', 'POST', 'https://fhir.example.org/r4/metadata'],
    ]);
    const x = read.entries[0]!.exchange;
    expect(x.requestHeaders).toEqual({ authorization: '[redacted]', 'content-type': 'application/fhir+json' });
    expect(JSON.stringify(read)).not.toContain('s3cret-token');
    expect(x.peer?.tokenHash).toMatch(/^[0-9a-f]{12}$/);
    expect(read.entries[0]!.client).toBe(`token ${x.peer!.tokenHash}`);
    expect(x.responseBody?.text).toBe('{}');
    expect(x.durationMs).toBe(12);
  });

  it('asks for --base when the traffic goes to several FHIR bases, and takes the one named', () => {
    const text = har(['https://a.example.org/fhir/MeasureReport', 'https://b.example.org/MeasureReport']);
    expect(() => readCapture('t.har', text)).toThrow(/t\.har: the HAR holds traffic to several FHIR bases \(https:\/\/a\.example\.org\/fhir, https:\/\/b\.example\.org\); name one with --base/);
    expect(readCapture('t.har', text, { base: 'https://b.example.org/' }).entries.map((e) => e.exchange.url)).toEqual(['https://b.example.org/MeasureReport']);
  });
});
