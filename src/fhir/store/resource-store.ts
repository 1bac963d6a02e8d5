import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Bundle, Resource } from 'fhir/r4.js';
import { FhirError } from '../errors.js';
import { parseJson, serializeJson } from '../json.js';
import { contentText, narrativeText } from '../search/fulltext.js';
import { indexRows, type IndexedParam } from '../search/index-values.js';
import type { SearchParamDef } from '../search/search-param-def.js';
import { executeSearch, type SearchOptions, type SearchQuery } from '../search/search-engine.js';
import { versionFromEtag } from './etag.js';
import { INDEX_TABLES, SCHEMA_SQL } from './schema.js';

export interface StoreOptions {
  /** A file path, or ':memory:'. */
  path: string;
  searchParams: SearchParamDef[];
  /**
   * Group commit for a file-backed store: the writes made in one turn of the event loop share one
   * transaction and so one fsync, committed before the next turn; a server awaits `durable()`
   * before acknowledging a write. Without it every write is its own transaction.
   */
  groupCommit?: boolean;
  /**
   * Keep the full-text index behind `_text` and `_content` (default true). A server that serves
   * neither saves its cost on every write; those searches are then refused as unsupported.
   */
  fullText?: boolean;
}

export interface UpdateOptions {
  /** The client's If-Match header: `W/"3"`, `"3"` or `3`. */
  ifMatch?: string;
  /** Update-as-create: a PUT to an id that never existed creates it. */
  allowCreate?: boolean;
}

export interface HistoryEntry {
  versionId: string;
  lastUpdated: string;
  deleted: boolean;
  /** Absent for a deletion. */
  resource?: Resource;
}

interface ResourceRow {
  rid: number;
  version: number;
  updated: number;
  deleted: number;
  body: string | null;
}

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
const TYPE_RE = /^[A-Z][A-Za-z]+$/;

/**
 * FHIR resources in SQLite: current versions with their history, and search index rows written in
 * the same transaction as the resource, so a search never sees a half-indexed write.
 *
 * File-backed stores use WAL with synchronous=FULL: a write that returned has been fsynced to the
 * WAL, so it survives a process crash and a power loss. NORMAL would only survive a process crash,
 * and the simulators promise that nothing already stored is lost; bulk loads amortise the fsync
 * with `transaction()`.
 *
 * Update of an id that never existed without `allowCreate` is refused with 405, as FHIR R4 lists
 * for a server that does not allow client-defined ids. An update of a deleted resource revives it.
 */
export class ResourceStore {
  readonly db: Database.Database;
  private readonly params = new Map<string, IndexedParam[]>();
  private readonly defsByType = new Map<string, Map<string, IndexedParam>>();
  private readonly statements = new Map<string, Database.Statement>();
  /** Per date parameter, the widest range indexed so far (never shrinks): bounds date range scans. */
  private spans: Map<number, number> | undefined;

  /** The open group transaction (groupCommit), settled when it is committed. */
  private group: Promise<void> | undefined;
  private settleGroup: ((err?: unknown) => void) | undefined;

  private constructor(
    db: Database.Database,
    private readonly searchParams: SearchParamDef[],
    private readonly groupCommit: boolean,
    private readonly fullText: boolean,
  ) {
    this.db = db;
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
  }

  static open(options: StoreOptions): ResourceStore {
    const db = new Database(options.path);
    if (options.path !== ':memory:') {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = OFF');
    // Statement journals (one per write's savepoint inside a group) stay in memory, off the disk.
    db.pragma('temp_store = MEMORY');
    db.exec(SCHEMA_SQL);
    const groupCommit = (options.groupCommit ?? false) && options.path !== ':memory:';
    if (groupCommit) {
      // Ingest: copy the WAL back into the database (and fsync it, on the event loop) every ~40 MB
      // instead of every ~4 MB, so pages written again and again are copied once. Commits are as
      // durable either way (each fsyncs the WAL); the WAL is cut back to 64 MB after a checkpoint.
      db.pragma('wal_autocheckpoint = 10000');
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    }
    const store = new ResourceStore(db, options.searchParams, groupCommit, options.fullText ?? true);
    store.reindexIfParamsChanged();
    return store;
  }

  close(): void {
    if (this.group) this.commitGroup();
    if (this.db.open) {
      this.db.pragma('optimize');
      this.db.close();
    }
  }

  /** Runs `fn` in one transaction (nested calls become savepoints); a throw rolls it all back. */
  transaction<T>(fn: () => T): T {
    return this.runInTransaction(fn) as T;
  }

  /**
   * One write's statements, atomically. Inside a caller's transaction() they join it without a
   * savepoint of their own (a savepoint per write doubled the cost of bulk loads); all checks that
   * can fail run before the first statement, so a refused write leaves nothing behind.
   */
  private atomically<T>(fn: () => T): T {
    if (!this.groupCommit) return this.db.inTransaction ? fn() : this.transaction(fn);
    if (!this.db.inTransaction) this.openGroup();
    // A savepoint per write, so one that fails leaves nothing in the group the others commit.
    return this.transaction(fn);
  }

  /**
   * Resolves once every write made so far is committed (at once without group commit); rejects
   * when the commit failed, so the writes must not be acknowledged.
   */
  durable(): Promise<void> {
    return this.group ?? Promise.resolve();
  }

  private openGroup(): void {
    this.db.exec('BEGIN');
    let settle!: (err?: unknown) => void;
    this.group = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    // Nobody need handle a failure but the writers awaiting durable(); no unhandled rejection.
    this.group.catch(() => undefined);
    this.settleGroup = settle;
    setImmediate(() => this.commitGroup());
  }

  private commitGroup(): void {
    const settle = this.settleGroup;
    this.group = undefined;
    this.settleGroup = undefined;
    if (!settle || !this.db.open) return;
    try {
      this.db.exec('COMMIT');
      settle();
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      settle(err);
    }
  }

  // Built once: better-sqlite3 prepares BEGIN/COMMIT/SAVEPOINT statements per wrapper it creates.
  private readonly runInTransaction: (fn: () => unknown) => unknown;

  create<T extends Resource>(resource: T, opts: { id?: string } = {}): T {
    const type = checkType(resource);
    const id = opts.id ?? randomUUID();
    checkId(id);
    return this.atomically(() => {
      // A fresh UUID is held by nobody: only a caller's id needs looking up (one query per push).
      if (opts.id !== undefined && this.row(type, id)) throw FhirError.of(409, 'duplicate', `${type}/${id} already exists`, `${type}.id`);
      return this.write(type, id, resource, undefined, 1);
    });
  }

  update<T extends Resource>(resource: T, opts: UpdateOptions = {}): { resource: T; created: boolean } {
    const type = checkType(resource);
    const id = resource.id;
    if (!id) throw FhirError.of(400, 'required', `An update needs the resource id`, `${type}.id`);
    checkId(id);
    const wanted = opts.ifMatch === undefined ? undefined : versionFromEtag(opts.ifMatch);
    return this.atomically(() => {
      const existing = this.row(type, id);
      if (wanted !== undefined && (!existing || existing.deleted || String(existing.version) !== wanted)) {
        const current = existing && !existing.deleted ? `is ${existing.version}` : 'does not exist';
        throw FhirError.of(412, 'conflict', `If-Match asked for version ${wanted} of ${type}/${id}, but the current version ${current}`);
      }
      if (!existing && !opts.allowCreate) {
        throw FhirError.of(405, 'not-supported', `${type}/${id} does not exist and this server does not create resources on update (use POST)`);
      }
      if (existing) this.archive(type, id, existing);
      const stored = this.write(type, id, resource, existing, (existing?.version ?? 0) + 1);
      return { resource: stored, created: !existing };
    });
  }

  /** Deletes the current version (keeping it in history). Returns false when there was nothing live to delete. */
  delete(type: string, id: string): boolean {
    return this.atomically(() => {
      const existing = this.row(type, id);
      if (!existing || existing.deleted) return false;
      this.archive(type, id, existing);
      this.clearIndex(existing.rid);
      this.stmt('UPDATE resources SET version = ?, updated = ?, deleted = 1, body = NULL WHERE rid = ?').run(existing.version + 1, Date.now(), existing.rid);
      return true;
    });
  }

  read<T extends Resource = Resource>(type: string, id: string): T {
    return parseJson(this.readText(type, id)) as T;
  }

  /** The stored JSON text, for answering a read without a parse and serialize. */
  readText(type: string, id: string): string {
    const row = this.row(type, id);
    if (!row) throw FhirError.of(404, 'not-found', `${type}/${id} is not known`);
    if (row.deleted || row.body === null) throw FhirError.of(410, 'deleted', `${type}/${id} was deleted`);
    return row.body;
  }

  vread<T extends Resource = Resource>(type: string, id: string, versionId: string): T {
    return parseJson(this.vreadText(type, id, versionId)) as T;
  }

  vreadText(type: string, id: string, versionId: string): string {
    const row = this.row(type, id);
    if (!row) throw FhirError.of(404, 'not-found', `${type}/${id} is not known`);
    const version = Number(versionId);
    let found: { deleted: number; body: string | null } | undefined;
    if (String(row.version) === versionId) found = row;
    else if (Number.isInteger(version)) {
      found = this.stmt('SELECT deleted, body FROM history WHERE type = ? AND id = ? AND version = ?').get(type, id, version) as { deleted: number; body: string | null } | undefined;
    }
    if (!found) throw FhirError.of(404, 'not-found', `${type}/${id} has no version ${versionId}`);
    if (found.deleted || found.body === null) throw FhirError.of(410, 'deleted', `Version ${versionId} of ${type}/${id} is a deletion`);
    return found.body;
  }

  /** Every version, newest first, deletions included. */
  history(type: string, id: string): HistoryEntry[] {
    const row = this.row(type, id);
    if (!row) throw FhirError.of(404, 'not-found', `${type}/${id} is not known`);
    const older = this.stmt('SELECT version, updated, deleted, body FROM history WHERE type = ? AND id = ? ORDER BY version DESC').all(type, id) as Omit<ResourceRow, 'rid'>[];
    return [row, ...older].map((r) => ({
      versionId: String(r.version),
      lastUpdated: new Date(r.updated).toISOString(),
      deleted: r.deleted === 1,
      ...(r.body !== null && !r.deleted ? { resource: parseJson(r.body) as Resource } : {}),
    }));
  }

  /** Live resources, of one type or of all. */
  count(type?: string): number {
    const row = (
      type === undefined ? this.stmt('SELECT count(*) AS n FROM resources WHERE deleted = 0').get() : this.stmt('SELECT count(*) AS n FROM resources WHERE type = ? AND deleted = 0').get(type)
    ) as { n: number };
    return row.n;
  }

  search(type: string, query: SearchQuery, opts: SearchOptions): Bundle {
    return executeSearch(this.searchContext(), type, query, opts);
  }

  private searchContext() {
    return {
      db: this.db,
      param: (type: string, name: string) => this.paramsByName(type).get(name),
      dateSpan: (pk: number) => this.dateSpans().get(pk),
      fullText: this.fullText,
    };
  }

  private dateSpans(): Map<number, number> {
    if (!this.spans) {
      const rows = this.stmt('SELECT pk, span FROM idx_date_span').all() as { pk: number; span: number }[];
      this.spans = new Map(rows.map((r) => [r.pk, r.span]));
    }
    return this.spans;
  }

  /** Prepared once: preparing costs more than running the small statements of a write. */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private row(type: string, id: string): ResourceRow | undefined {
    return this.stmt('SELECT rid, version, updated, deleted, body FROM resources WHERE type = ? AND id = ?').get(type, id) as ResourceRow | undefined;
  }

  private archive(type: string, id: string, row: ResourceRow): void {
    this.stmt('INSERT INTO history (type, id, version, updated, deleted, body) VALUES (?, ?, ?, ?, ?, ?)').run(type, id, row.version, row.updated, row.deleted, row.body);
  }

  private write<T extends Resource>(type: string, id: string, resource: T, existing: ResourceRow | undefined, version: number): T {
    const now = Date.now();
    const { resourceType: _t, id: _i, meta, ...rest } = resource;
    // Spread keeps the nested objects themselves, so the JSON layer's decimal side table still applies.
    const stored = {
      resourceType: type,
      id,
      meta: { ...meta, versionId: String(version), lastUpdated: new Date(now).toISOString() },
      ...rest,
    } as unknown as T;
    const body = serializeJson(stored);
    let rid: number;
    if (existing) {
      rid = existing.rid;
      this.stmt('UPDATE resources SET version = ?, updated = ?, deleted = 0, body = ? WHERE rid = ?').run(version, now, body, rid);
      this.clearIndex(rid);
    } else {
      rid = Number(this.stmt('INSERT INTO resources (type, id, version, updated, deleted, body) VALUES (?, ?, ?, ?, 0, ?)').run(type, id, version, now, body).lastInsertRowid);
    }
    this.index(rid, stored);
    return stored;
  }

  private clearIndex(rid: number): void {
    for (const table of INDEX_TABLES) this.stmt(`DELETE FROM ${table} WHERE rid = ?`).run(rid);
    if (this.fullText) this.stmt('DELETE FROM idx_fulltext WHERE rowid = ?').run(rid);
  }

  private index(rid: number, resource: Resource): void {
    const rows = indexRows(resource, this.paramsOf(resource.resourceType));
    for (const r of rows.tokens) this.stmt('INSERT INTO idx_token VALUES (?, ?, ?, ?, ?)').run(rid, r.param, r.system, r.code, r.text);
    for (const r of rows.strings) this.stmt('INSERT INTO idx_string VALUES (?, ?, ?, ?)').run(rid, r.param, r.norm, r.raw);
    for (const r of rows.dates) {
      this.stmt('INSERT INTO idx_date VALUES (?, ?, ?, ?)').run(rid, r.param, r.low, r.high);
      const span = r.high - r.low;
      if (span > (this.dateSpans().get(r.param) ?? -1)) {
        this.stmt('INSERT OR REPLACE INTO idx_date_span (pk, span) VALUES (?, ?)').run(r.param, span);
        this.dateSpans().set(r.param, span);
      }
    }
    for (const r of rows.references) {
      this.stmt('INSERT INTO idx_reference VALUES (?, ?, ?, ?, ?, ?)').run(rid, r.param, r.type, r.id, r.url, r.version);
    }
    for (const r of rows.uris) this.stmt('INSERT INTO idx_uri VALUES (?, ?, ?)').run(rid, r.param, r.value);
    for (const r of rows.numbers) this.stmt('INSERT INTO idx_number VALUES (?, ?, ?)').run(rid, r.param, r.value);
    for (const r of rows.quantities) {
      this.stmt('INSERT INTO idx_quantity VALUES (?, ?, ?, ?, ?, ?)').run(rid, r.param, r.value, r.system, r.code, r.unit);
    }
    for (const r of rows.positions) this.stmt('INSERT INTO idx_position VALUES (?, ?, ?)').run(rid, r.latitude, r.longitude);
    if (this.fullText) {
      this.stmt('INSERT INTO idx_fulltext (rowid, narrative, content) VALUES (?, ?, ?)').run(rid, narrativeText(resource), contentText(resource));
    }
  }

  /** The parameters that apply to `type`, each with its numeric id (assigned on first use). */
  private paramsOf(type: string): IndexedParam[] {
    let list = this.params.get(type);
    if (list) return list;
    list = [...this.paramsByName(type).values()];
    this.params.set(type, list);
    return list;
  }

  private paramsByName(type: string): Map<string, IndexedParam> {
    let byName = this.defsByType.get(type);
    if (byName) return byName;
    byName = new Map();
    const select = this.stmt('SELECT pk FROM params WHERE type = ? AND name = ?');
    const insert = this.stmt('INSERT INTO params (type, name) VALUES (?, ?)');
    for (const def of this.searchParams) {
      if (!def.base.includes(type) && !def.base.includes('Resource')) continue;
      if (byName.has(def.name)) continue;
      const found = select.get(type, def.name) as { pk: number } | undefined;
      const id = found?.pk ?? Number(insert.run(type, def.name).lastInsertRowid);
      byName.set(def.name, { id, def });
    }
    this.defsByType.set(type, byName);
    return byName;
  }

  /** A file opened with other parameter definitions than it was indexed with is reindexed once. */
  private reindexIfParamsChanged(): void {
    const fingerprint = JSON.stringify(this.searchParams) + (this.fullText ? '' : ' without full text');
    const row = this.stmt("SELECT value FROM store_meta WHERE key = 'params'").get() as { value: string } | undefined;
    if (row?.value === fingerprint) return;
    this.transaction(() => {
      if (!this.fullText) this.stmt("INSERT INTO idx_fulltext (idx_fulltext) VALUES ('delete-all')").run();
      const live = this.stmt('SELECT rid, body FROM resources WHERE deleted = 0').all() as { rid: number; body: string }[];
      for (const { rid, body } of live) {
        this.clearIndex(rid);
        this.index(rid, parseJson(body) as Resource);
      }
      this.stmt("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('params', ?)").run(fingerprint);
    });
  }
}

function checkType(resource: Resource): string {
  const type = (resource as { resourceType?: unknown })?.resourceType;
  if (typeof type !== 'string' || !TYPE_RE.test(type)) {
    throw FhirError.of(400, 'invalid', 'The resource has no valid resourceType', 'resourceType');
  }
  return type;
}

function checkId(id: string): void {
  if (!ID_RE.test(id)) throw FhirError.of(400, 'invalid', `'${id}' is not a valid FHIR id ([A-Za-z0-9-.]{1,64})`);
}
