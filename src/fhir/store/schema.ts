/**
 * Tables of the resource store. `resources` holds the current version of each resource (its JSON text
 * as received, never re-serialized on read); `history` holds the versions an update or delete
 * replaced. Index tables hold one row per indexed value, keyed by the resource row (`rid`) and the
 * parameter (`pk`, from `params`), with indexes shaped for the searches the engine emits.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
  rid INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  body TEXT,
  UNIQUE (type, id)
);
CREATE INDEX IF NOT EXISTS resources_updated ON resources (type, updated);
CREATE INDEX IF NOT EXISTS resources_live ON resources (type, deleted);
CREATE TABLE IF NOT EXISTS history (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  body TEXT,
  PRIMARY KEY (type, id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS params (pk INTEGER PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (type, name));

CREATE TABLE IF NOT EXISTS idx_token (rid INTEGER NOT NULL, pk INTEGER NOT NULL, system TEXT, code TEXT, text TEXT);
CREATE INDEX IF NOT EXISTS idx_token_code ON idx_token (pk, code, system);
CREATE INDEX IF NOT EXISTS idx_token_text ON idx_token (pk, text);
CREATE INDEX IF NOT EXISTS idx_token_rid ON idx_token (rid, pk);

CREATE TABLE IF NOT EXISTS idx_string (rid INTEGER NOT NULL, pk INTEGER NOT NULL, norm TEXT NOT NULL, raw TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_string_norm ON idx_string (pk, norm);
CREATE INDEX IF NOT EXISTS idx_string_rid ON idx_string (rid, pk);

CREATE TABLE IF NOT EXISTS idx_date (rid INTEGER NOT NULL, pk INTEGER NOT NULL, low INTEGER NOT NULL, high INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS idx_date_low ON idx_date (pk, low);
CREATE INDEX IF NOT EXISTS idx_date_high ON idx_date (pk, high);
CREATE INDEX IF NOT EXISTS idx_date_rid ON idx_date (rid, pk);
CREATE TABLE IF NOT EXISTS idx_date_span (pk INTEGER PRIMARY KEY, span INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS idx_reference (rid INTEGER NOT NULL, pk INTEGER NOT NULL, type TEXT, id TEXT, url TEXT, version TEXT);
CREATE INDEX IF NOT EXISTS idx_reference_id ON idx_reference (pk, id, type);
CREATE INDEX IF NOT EXISTS idx_reference_url ON idx_reference (pk, url);
CREATE INDEX IF NOT EXISTS idx_reference_rid ON idx_reference (rid, pk);

CREATE TABLE IF NOT EXISTS idx_uri (rid INTEGER NOT NULL, pk INTEGER NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_uri_value ON idx_uri (pk, value);
CREATE INDEX IF NOT EXISTS idx_uri_rid ON idx_uri (rid, pk);

CREATE TABLE IF NOT EXISTS idx_number (rid INTEGER NOT NULL, pk INTEGER NOT NULL, value REAL NOT NULL);
CREATE INDEX IF NOT EXISTS idx_number_value ON idx_number (pk, value);
CREATE INDEX IF NOT EXISTS idx_number_rid ON idx_number (rid, pk);

CREATE TABLE IF NOT EXISTS idx_quantity (rid INTEGER NOT NULL, pk INTEGER NOT NULL, value REAL NOT NULL, system TEXT, code TEXT, unit TEXT);
CREATE INDEX IF NOT EXISTS idx_quantity_value ON idx_quantity (pk, value);
CREATE INDEX IF NOT EXISTS idx_quantity_rid ON idx_quantity (rid, pk);

CREATE TABLE IF NOT EXISTS idx_position (rid INTEGER NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL);
CREATE INDEX IF NOT EXISTS idx_position_lat ON idx_position (latitude, longitude);
CREATE INDEX IF NOT EXISTS idx_position_rid ON idx_position (rid);

CREATE VIRTUAL TABLE IF NOT EXISTS idx_fulltext USING fts5(
  narrative, content, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
);
`;

/** Index tables cleared when a resource is updated, deleted or reindexed (all keyed by `rid`). */
export const INDEX_TABLES = ['idx_token', 'idx_string', 'idx_date', 'idx_reference', 'idx_uri', 'idx_number', 'idx_quantity', 'idx_position'] as const;
