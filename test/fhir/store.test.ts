import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Observation, Patient } from 'fhir/r4.js';
import { FhirError } from '../../src/fhir/errors.js';
import { parseJson, serializeJson } from '../../src/fhir/json.js';
import { versionFromEtag } from '../../src/fhir/store/etag.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';
import { TYPES, openStore } from './store-fixtures.js';

function fhirError(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error('expected a FhirError');
}

describe('ResourceStore CRUD and versioning', () => {
  it('assigns an id, version 1 and a millisecond lastUpdated on create', () => {
    const store = openStore();
    const created = store.create({ resourceType: 'Patient', id: 'ignored', active: true } as Patient);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.meta?.versionId).toBe('1');
    expect(created.meta?.lastUpdated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(store.read('Patient', created.id!)).toEqual(created);
    expect(JSON.parse(store.readText('Patient', created.id!))).toEqual(created);
  });

  it('keeps the caller id when given, and refuses a duplicate or invalid one', () => {
    const store = openStore();
    store.create({ resourceType: 'Patient' }, { id: 'p1' });
    expect(fhirError(() => store.create({ resourceType: 'Patient' }, { id: 'p1' })).status).toBe(409);
    expect(fhirError(() => store.create({ resourceType: 'Patient' }, { id: 'bad id!' })).status).toBe(400);
    expect(fhirError(() => store.create({ resourceType: '' } as unknown as Patient)).status).toBe(400);
  });

  it('versions updates, keeps history, and honours If-Match', () => {
    const store = openStore();
    store.create({ resourceType: 'Patient', gender: 'male' }, { id: 'p1' });
    const v2 = store.update<Patient>({ resourceType: 'Patient', id: 'p1', gender: 'female' }, { ifMatch: 'W/"1"' });
    expect(v2.created).toBe(false);
    expect(v2.resource.meta?.versionId).toBe('2');
    const conflict = fhirError(() => store.update({ resourceType: 'Patient', id: 'p1' }, { ifMatch: 'W/"1"' }));
    expect(conflict.status).toBe(412);
    expect(conflict.issues[0]!.code).toBe('conflict');
    expect(store.update<Patient>({ resourceType: 'Patient', id: 'p1', gender: 'other' }, { ifMatch: '"2"' }).resource.meta?.versionId).toBe('3');
    expect(store.vread<Patient>('Patient', 'p1', '1').gender).toBe('male');
    expect(store.vread<Patient>('Patient', 'p1', '2').gender).toBe('female');
    expect(store.history('Patient', 'p1').map((h) => h.versionId)).toEqual(['3', '2', '1']);
    expect(fhirError(() => store.vread('Patient', 'p1', '9')).status).toBe(404);
  });

  it('refuses update of an unknown id with 405 unless update-as-create is allowed', () => {
    const store = openStore();
    expect(fhirError(() => store.update({ resourceType: 'Patient', id: 'new' })).status).toBe(405);
    const made = store.update<Patient>({ resourceType: 'Patient', id: 'new' }, { allowCreate: true });
    expect(made.created).toBe(true);
    expect(made.resource.meta?.versionId).toBe('1');
    expect(fhirError(() => store.update({ resourceType: 'Patient' })).status).toBe(400);
  });

  it('answers 404 for unknown and 410 for deleted resources, and counts live ones', () => {
    const store = openStore();
    store.create({ resourceType: 'Patient' }, { id: 'p1' });
    store.create({ resourceType: 'Patient' }, { id: 'p2' });
    expect(store.count('Patient')).toBe(2);
    expect(store.delete('Patient', 'p1')).toBe(true);
    expect(store.delete('Patient', 'p1')).toBe(false);
    expect(fhirError(() => store.read('Patient', 'p1')).status).toBe(410);
    expect(fhirError(() => store.read('Patient', 'nope')).status).toBe(404);
    expect(store.count('Patient')).toBe(1);
    expect(store.count()).toBe(1);
    const history = store.history('Patient', 'p1');
    expect(history[0]).toMatchObject({ versionId: '2', deleted: true });
    expect(history[1]!.resource?.id).toBe('p1');
    expect(store.search('Patient', [['_id', 'p1']], { baseUrl: 'http://x' }).total).toBe(0);
    expect(store.update<Patient>({ resourceType: 'Patient', id: 'p1' }).resource.meta?.versionId).toBe('3');
  });

  it('rolls a whole transaction back when it throws', () => {
    const store = openStore();
    expect(() =>
      store.transaction(() => {
        store.create({ resourceType: 'Patient' }, { id: 'a' });
        store.create({ resourceType: 'Patient' }, { id: 'a' });
      }),
    ).toThrow(FhirError);
    expect(store.count()).toBe(0);
  });

  it('keeps decimal precision such as 1.50 through store and search', () => {
    const store = openStore();
    const obs = parseJson('{"resourceType":"Observation","status":"final","code":{"text":"t"},"valueQuantity":{"value":1.50,"unit":"mg"}}') as Observation;
    const stored = store.create(obs, { id: 'o1' });
    expect(store.readText('Observation', 'o1')).toContain('"value":1.50');
    expect(serializeJson(store.read('Observation', 'o1'))).toContain('"value":1.50');
    expect(serializeJson(stored)).toContain('"value":1.50');
    const bundle = store.search('Observation', [['value-quantity', '1.5']], { baseUrl: 'http://x' });
    expect(serializeJson(bundle)).toContain('"value":1.50');
  });

  it('parses ETags', () => {
    expect(versionFromEtag('W/"12"')).toBe('12');
    expect(versionFromEtag('"3"')).toBe('3');
    expect(versionFromEtag('4')).toBe('4');
    expect(fhirError(() => versionFromEtag('W/"a b"')).status).toBe(400);
  });
});

describe('file-backed store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses WAL and makes a returned create visible to a second connection and after reopening', () => {
    const path = join(dir, 'a.db');
    const store = openStore(path);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    store.create({ resourceType: 'Patient', gender: 'female' }, { id: 'p1' });
    // A second connection, while the first is still open and has not checkpointed.
    const other = new Database(path, { readonly: true });
    const row = other.prepare("SELECT body FROM resources WHERE type = 'Patient' AND id = 'p1'").get() as { body: string };
    expect(JSON.parse(row.body).gender).toBe('female');
    other.close();
    store.close();
    const reopened = openStore(path);
    expect(reopened.read<Patient>('Patient', 'p1').gender).toBe('female');
    expect(reopened.search('Patient', [['gender', 'female']], { baseUrl: 'http://x' }).total).toBe(1);
    reopened.close();
  });

  it('with group commit, writes of one event-loop turn share a transaction that is on disk once durable() resolves', async () => {
    const path = join(dir, 'group.db');
    const store = ResourceStore.open({ path, searchParams: sanerSearchParamsFor(TYPES), groupCommit: true });
    // Every commit still fsyncs the WAL (FULL); only the copy back into the database is rarer.
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10000);
    await expect(store.durable()).resolves.toBeUndefined();
    store.create({ resourceType: 'Patient', gender: 'female' }, { id: 'g1' });
    // A write refused inside the group leaves nothing behind and does not undo the others.
    expect(() => store.create({ resourceType: 'Patient' }, { id: 'g1' })).toThrow(FhirError);
    store.create({ resourceType: 'Patient', gender: 'male' }, { id: 'g2' });
    const other = new Database(path, { readonly: true });
    const committed = () => (other.prepare("SELECT count(*) AS n FROM resources WHERE type = 'Patient'").get() as { n: number }).n;
    expect(committed()).toBe(0);
    await store.durable();
    expect(committed()).toBe(2);
    other.close();
    store.close();
    const reopened = openStore(path);
    expect(reopened.read<Patient>('Patient', 'g2').gender).toBe('male');
    reopened.close();
  });
});

describe('store without a full-text index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-fulltext-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const patient: Patient = { resourceType: 'Patient', name: [{ family: 'Zebulon' }], text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Zebulon</div>' } };
  const fullTextRows = (store: ResourceStore) => (store.db.prepare("SELECT count(*) AS n FROM idx_fulltext WHERE idx_fulltext MATCH 'zebulon'").get() as { n: number }).n;

  it('writes no full-text rows and refuses _text/_content as unsupported, other searches unchanged', () => {
    const path = join(dir, 'nofts.db');
    const store = ResourceStore.open({ path, searchParams: sanerSearchParamsFor(TYPES), fullText: false });
    store.create(patient, { id: 'z1' });
    store.update({ ...patient, id: 'z1', gender: 'male' });
    expect(fullTextRows(store)).toBe(0);
    expect(fhirError(() => store.search('Patient', [['_text', 'zebulon']], { baseUrl: 'http://x', strict: true })).status).toBe(400);
    expect(fhirError(() => store.search('Patient', [['_content', 'zebulon']], { baseUrl: 'http://x', strict: true })).status).toBe(400);
    expect(store.search('Patient', [['family', 'zebulon']], { baseUrl: 'http://x' }).total).toBe(1);
    store.close();
  });

  it('reindexes when reopened with the other setting, so _text finds what was written without it', () => {
    const path = join(dir, 'switch.db');
    const without = ResourceStore.open({ path, searchParams: sanerSearchParamsFor(TYPES), fullText: false });
    without.create(patient, { id: 'z2' });
    without.close();
    const withIt = ResourceStore.open({ path, searchParams: sanerSearchParamsFor(TYPES) });
    expect(withIt.search('Patient', [['_text', 'zebulon']], { baseUrl: 'http://x' }).total).toBe(1);
    withIt.close();
    const againWithout = ResourceStore.open({ path, searchParams: sanerSearchParamsFor(TYPES), fullText: false });
    expect(fullTextRows(againWithout)).toBe(0);
    againWithout.close();
  });
});
