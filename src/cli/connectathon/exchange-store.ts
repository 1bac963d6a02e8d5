/**
 * The exchange log's SQLite, used by its own thread (exchange-log-thread.ts): records and their
 * findings, each body stored once by hash. Records are written in batches with relaxed syncing
 * (WAL, synchronous=NORMAL; the WAL folded into the database on a timer and at close): a crash may
 * lose the last moment of records, never a stored resource, which lives in the simulators' own
 * files with full syncing.
 */
import { hash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { BodyCapture, HttpExchange } from '../../http/exchange.js';
import type { ClientTraffic, Finding, FindingLevel, PendingRecord, RecordFilter, Side, StoredRecord, ValidationNote, NewRecord } from './exchange-log.js';

/**
 * Bodies are rows in insertion order with a unique index on their hash: a body is a few kilobytes,
 * and a table keyed by the hash itself (WITHOUT ROWID) put each at a random place in the tree,
 * splitting pages on nearly every insert, which made keeping a pushed report cost twice as much.
 */
const BODIES = 'bodies (n INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, text TEXT NOT NULL)';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${BODIES};
CREATE TABLE IF NOT EXISTS exchanges (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  tx TEXT,
  sides TEXT NOT NULL,
  base_url TEXT NOT NULL,
  client TEXT NOT NULL,
  time TEXT NOT NULL,
  method TEXT NOT NULL,
  url TEXT NOT NULL,
  status INTEGER,
  exchange TEXT NOT NULL,
  findings TEXT,
  validation TEXT,
  level TEXT,
  not_graded TEXT
);
CREATE INDEX IF NOT EXISTS exchanges_source ON exchanges (source, client, seq);
CREATE INDEX IF NOT EXISTS exchanges_level ON exchanges (level, seq);
`;

/** The layout of SCHEMA, in `PRAGMA user_version`; 0 is a log whose bodies table is keyed by hash. */
const LAYOUT = 1;
/**
 * Pages that hold a typical body (a MeasureReport of a few kilobytes) whole, without a chain of
 * overflow pages; set when the log is created, as SQLite allows.
 */
const PAGE_SIZE = 16_384;

const CHECKPOINT_MS = 10_000;

/** A body as the log keeps it: its text stored once, by hash. */
interface BodyRef {
  hash: string;
  size: number;
  truncated: boolean;
}

type StoredExchange = Omit<HttpExchange, 'requestBody' | 'responseBody'> & { requestBody?: BodyRef; responseBody?: BodyRef };

interface Row {
  seq: number;
  id: string;
  source: string;
  tx: string | null;
  sides: string;
  base_url: string;
  client: string;
  exchange: string;
  findings: string | null;
  validation: string | null;
  level: string | null;
  not_graded: string | null;
}

export class ExchangeStore {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #insert: Database.Statement;
  readonly #insertBody: Database.Statement;
  /** Statements run once per record (judging it, reading its bodies back), prepared once. */
  readonly #setFindings: Database.Statement;
  readonly #byId: Database.Statement;
  readonly #bodyText: Database.Statement;
  readonly #writeBatch: (batch: readonly PendingRecord[]) => void;
  readonly #checkpoints: NodeJS.Timeout | undefined;
  /** Records were written since the last checkpoint. */
  #dirty = false;

  private constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.#path = path;
    if (path !== ':memory:') {
      this.#checkpoints = setInterval(() => {
        if (!this.#dirty || !db.open) return;
        this.#dirty = false;
        // PASSIVE: copies what no reader needs and never waits; what is left goes at the next one.
        db.pragma('wal_checkpoint(PASSIVE)');
      }, CHECKPOINT_MS);
      this.#checkpoints.unref();
    }
    this.#insert = db.prepare('INSERT INTO exchanges (id, source, tx, sides, base_url, client, time, method, url, status, exchange, not_graded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.#insertBody = db.prepare('INSERT OR IGNORE INTO bodies (hash, text) VALUES (?, ?)');
    this.#setFindings = db.prepare('UPDATE exchanges SET findings = ?, validation = ?, level = ? WHERE id = ?');
    this.#byId = db.prepare('SELECT * FROM exchanges WHERE id = ?');
    this.#bodyText = db.prepare('SELECT text FROM bodies WHERE hash = ?');
    this.#writeBatch = db.transaction((batch: readonly PendingRecord[]) => {
      for (const { id, record } of batch) this.#write(id, record);
    });
  }

  /** Opens (or creates) the log at `path`, or in memory for `:memory:`. */
  static open(path: string): ExchangeStore {
    const db = new Database(path);
    const empty = (db.prepare('SELECT COUNT(*) AS n FROM sqlite_schema').get() as { n: number }).n === 0;
    if (empty) db.pragma(`page_size = ${PAGE_SIZE}`);
    if (path !== ':memory:') {
      db.pragma('journal_mode = WAL');
      // Records may lose their last moment in a crash; the resources they describe are synced in their own files.
      db.pragma('synchronous = NORMAL');
      // The proxy and serve may share a data folder: a writer waits for the other instead of failing.
      db.pragma('busy_timeout = 5000');
      // The WAL is folded into the database on a timer (and at close), not in the middle of a request's turn.
      db.pragma('wal_autocheckpoint = 0');
    }
    // Pages of recent records and bodies stay in memory while they are written and read back.
    db.pragma('cache_size = -16000');
    migrate(db);
    db.exec(SCHEMA);
    return new ExchangeStore(db, path);
  }

  /** Writes records in one transaction. */
  write(batch: readonly PendingRecord[]): void {
    this.#writeBatch(batch);
    this.#dirty = true;
  }

  #body(body: BodyCapture | undefined): BodyRef | undefined {
    if (!body) return undefined;
    const key = hash('sha256', body.text, 'hex');
    this.#insertBody.run(key, body.text);
    return { hash: key, size: body.size, truncated: body.truncated };
  }

  #write(id: string, r: NewRecord): void {
    const { requestBody, responseBody, ...rest } = r.exchange;
    const request = this.#body(requestBody);
    const response = this.#body(responseBody);
    const stored: StoredExchange = { ...rest, ...(request ? { requestBody: request } : {}), ...(response ? { responseBody: response } : {}) };
    const notGraded = r.notGraded ?? (r.transaction ? null : 'no suite judges this traffic');
    this.#insert.run(
      id,
      r.source,
      r.transaction ?? null,
      r.sides.join(','),
      r.baseUrl,
      r.client,
      r.exchange.startedAt,
      r.exchange.method,
      r.exchange.url,
      r.exchange.status ?? null,
      JSON.stringify(stored),
      notGraded,
    );
  }

  /** Stores the findings of a graded record. */
  setFindings(id: string, findings: readonly Finding[], validation: readonly ValidationNote[]): void {
    this.#setFindings.run(JSON.stringify(findings), JSON.stringify(validation), levelOf(findings), id);
    this.#dirty = true;
  }

  /** Records whose findings are still to be made (e.g. after a restart). */
  ungraded(): StoredRecord[] {
    return (this.#db.prepare('SELECT * FROM exchanges WHERE findings IS NULL AND tx IS NOT NULL ORDER BY seq').all() as Row[]).map((row) => this.#record(row, true));
  }

  get(id: string): StoredRecord | undefined {
    const row = this.#byId.get(id) as Row | undefined;
    return row ? this.#record(row, true) : undefined;
  }

  /** Records matching the filter, newest first; bodies are left out unless asked for. */
  list(filter: RecordFilter = {}, options: { bodies?: boolean; oldestFirst?: boolean } = {}): StoredRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const eq = (column: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      args.push(value);
    };
    eq('source', filter.source);
    eq('client', filter.client);
    eq('tx', filter.transaction);
    if (filter.finding) eq('level', filter.finding);
    if (filter.before !== undefined) {
      where.push('seq < ?');
      args.push(filter.before);
    }
    if (filter.after !== undefined) {
      where.push('seq > ?');
      args.push(filter.after);
    }
    const status = filter.status?.toLowerCase();
    if (status === 'error') where.push('status IS NULL');
    else if (status && /^[1-5]xx$/.test(status)) {
      where.push('status >= ? AND status < ?');
      args.push(Number(status[0]) * 100, Number(status[0]) * 100 + 100);
    } else if (status && /^\d{3}$/.test(status)) eq('status', Number(status));
    if (filter.requirement) {
      where.push("EXISTS (SELECT 1 FROM json_each(findings) f, json_each(f.value, '$.requirements') r WHERE r.value = ?)");
      args.push(filter.requirement);
    }
    const order = options.oldestFirst ? 'ASC' : 'DESC';
    const limit = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
    const sql = `SELECT * FROM exchanges${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order}${limit}`;
    return (this.#db.prepare(sql).all(...args) as Row[]).map((row) => this.#record(row, options.bodies ?? false));
  }

  /** Each client's traffic per source, most recent first. */
  clients(): ClientTraffic[] {
    const rows = this.#db
      .prepare('SELECT source, client, MAX(tx) AS tx, COUNT(*) AS count, MAX(time) AS last, MAX(seq) AS last_seq FROM exchanges GROUP BY source, client ORDER BY last_seq DESC')
      .all() as { source: string; client: string; tx: string | null; count: number; last: string; last_seq: number }[];
    return rows.map((r) => ({ source: r.source, client: r.client, ...(r.tx ? { transaction: r.tx } : {}), count: r.count, last: r.last, lastSeq: r.last_seq }));
  }

  /** The sources and clients seen, for the inspector's filters. */
  facets(): { sources: string[]; clients: string[] } {
    const pluck = (sql: string) => (this.#db.prepare(sql).all() as { v: string }[]).map((r) => r.v);
    return { sources: pluck('SELECT DISTINCT source AS v FROM exchanges ORDER BY v'), clients: pluck('SELECT DISTINCT client AS v FROM exchanges ORDER BY v') };
  }

  /** The newest sequence number (0 when empty): another process writing the same log shows up as a change. */
  lastSeq(): number {
    return (this.#db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM exchanges').get() as { seq: number }).seq;
  }

  #text(hash: string): string {
    return (this.#bodyText.get(hash) as { text: string } | undefined)?.text ?? '';
  }

  #record(row: Row, bodies: boolean): StoredRecord {
    const stored = JSON.parse(row.exchange) as StoredExchange;
    const body = (ref: BodyRef | undefined): BodyCapture | undefined => (ref ? { text: bodies ? this.#text(ref.hash) : '', size: ref.size, truncated: ref.truncated } : undefined);
    const { requestBody, responseBody, ...rest } = stored;
    const request = body(requestBody);
    const response = body(responseBody);
    const exchange: HttpExchange = { ...rest, ...(request ? { requestBody: request } : {}), ...(response ? { responseBody: response } : {}) };
    return {
      id: row.id,
      seq: row.seq,
      source: row.source,
      ...(row.tx ? { transaction: row.tx } : {}),
      sides: row.sides.split(',') as Side[],
      baseUrl: row.base_url,
      client: row.client,
      exchange,
      ...(row.findings ? { findings: JSON.parse(row.findings) as Finding[] } : {}),
      ...(row.validation ? { validation: JSON.parse(row.validation) as ValidationNote[] } : {}),
      ...(row.level ? { level: row.level as FindingLevel } : {}),
      ...(row.not_graded ? { notGraded: row.not_graded } : {}),
    };
  }

  /** Folds the WAL into the database and closes, leaving no WAL file behind. */
  close(): void {
    if (!this.#db.open) return;
    clearInterval(this.#checkpoints);
    if (this.#path !== ':memory:') this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }
}

/** Brings a log of an earlier layout to LAYOUT, its records and bodies kept; once, if two processes open it together. */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    if ((db.pragma('user_version', { simple: true }) as number) >= LAYOUT) return;
    const keyedByHash = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'bodies'").get() !== undefined;
    if (keyedByHash) {
      db.exec(`ALTER TABLE bodies RENAME TO bodies_by_hash;
        CREATE TABLE ${BODIES};
        INSERT INTO bodies (hash, text) SELECT hash, text FROM bodies_by_hash;
        DROP TABLE bodies_by_hash;`);
    }
    db.pragma(`user_version = ${LAYOUT}`);
  }).immediate();
}

function levelOf(findings: readonly Finding[]): FindingLevel {
  if (findings.some((f) => f.verdict === 'fail')) return 'fail';
  if (findings.some((f) => f.verdict === 'warning')) return 'warning';
  return findings.length ? 'pass' : 'none';
}
