/**
 * Every exchange `serve` and the recording proxy receive, kept in SQLite beside the simulators'
 * resources (in memory without a data folder): who sent it, the request and the answer with
 * secrets redacted, each body stored once (by hash, as captured: bounded by the capture limit),
 * and the findings of the suites once graded.
 *
 * The SQLite work (hashing bodies, inserts, index upkeep) runs in a thread of its own
 * (exchange-log-thread.ts over exchange-store.ts), so a simulator's thread only hands each record
 * over: in small batches (see BATCH), at least every 50 ms. Reads are answered by that thread too,
 * after everything handed over before them, so a record is readable as soon as add() returns.
 * Closing writes what is pending, checkpoints the WAL away and closes.
 */
import { randomBytes } from 'node:crypto';
import { type MessagePort, MessageChannel, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import type { HttpExchange } from '../../http/exchange.js';
import type { Issue } from '../../fhir/errors.js';
import { startThread } from '../threads.js';
import type { ExchangeStore } from './exchange-store.js';

/** The side of an exchange a finding is about: the client's request, or the server's answer. */
export type Side = 'client' | 'server';

/** One check of a suite about a recorded exchange, with the requirement ids it decides. */
export interface Finding {
  side: Side;
  /** The test that made the check: `<suite id>/<slug>`. */
  test: string;
  title: string;
  verdict: 'pass' | 'fail' | 'warning';
  requirements: string[];
  message: string;
}

/** What validation said about a resource of the exchange, while its findings were made. */
export interface ValidationNote {
  subject: string;
  issues: Issue[];
}

/** The worst finding of a record, for filtering: `none` when graded without a check, absent before grading. */
export type FindingLevel = 'fail' | 'warning' | 'pass' | 'none';

export interface NewRecord {
  /** `measure-consumer`, or `proxy` for the recording proxy. */
  source: string;
  /** The transaction whose suites judge it, when one does. */
  transaction?: string;
  /** Which sides are judged: the client only (a reference simulator answered), or both (a proxy). */
  sides: readonly Side[];
  /** The base URL the client used. */
  baseUrl: string;
  /** The client's identity (address, token hash, certificate subject, as configured). */
  client: string;
  exchange: HttpExchange;
  /** Why no suite judges it, when none does. */
  notGraded?: string;
}

export interface StoredRecord extends NewRecord {
  /** Stable id: the permalink's. */
  id: string;
  /** Order of arrival in this log. */
  seq: number;
  findings?: Finding[];
  validation?: ValidationNote[];
  level?: FindingLevel;
}

export interface RecordFilter {
  source?: string;
  client?: string;
  /** `2xx`, `4xx`, `5xx`, `error` (no answer), or a status code. */
  status?: string;
  finding?: FindingLevel;
  /** Only records with a finding deciding this requirement id. */
  requirement?: string;
  transaction?: string;
  /** Records before (older than) this sequence number, for paging. */
  before?: number;
  /** Records after this sequence number (what arrived since). */
  after?: number;
  limit?: number;
}

export interface ClientTraffic {
  source: string;
  client: string;
  transaction?: string;
  count: number;
  last: string;
  /** The sequence number of its newest record: a summary made at it stays true until the next. */
  lastSeq: number;
}

/** A record on its way to the store, with the id add() gave it. */
export interface PendingRecord {
  id: string;
  record: NewRecord;
}

/** The store's reads and writes a caller waits for, answered by the log's thread in order. */
export type StoreCalls = Pick<ExchangeStore, 'setFindings' | 'ungraded' | 'get' | 'list' | 'clients' | 'facets' | 'lastSeq' | 'close'>;

/** What the log's thread starts with: the store to open (it says on its parent port whether it could), and the port and flag of the calls. */
export interface ThreadData {
  path: string;
  port: MessagePort;
  answered: Int32Array;
}

/** What the log's thread is asked: keep a batch, or answer a call. */
export type ThreadRequest = { op: 'write'; batch: PendingRecord[] } | { op: 'call'; method: keyof StoreCalls; args: unknown[] };
export type ThreadReply = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * A batch goes to the log's thread at this many records, or once its bodies hold this many
 * characters. A record waiting for its batch keeps its bodies alive on the simulator's heap, and
 * one that outlives a young-generation collection is copied by it: batches of up to 500 records
 * or 50 ms doubled the simulator thread's garbage-collection pauses per request (bench), batches of
 * 64 KB add none, and handing one over costs a few microseconds.
 */
const BATCH = 64;
const BATCH_CHARS = 64 * 1024;
/** A quiet simulator's records still reach the log this soon. */
const BATCH_MS = 50;
/** How long a caller waits for the log's thread: opening includes starting the thread. */
const OPEN_WAIT_MS = 60_000;
const CALL_WAIT_MS = 60_000;

/** This process's part of record ids, so two processes writing one log never make the same id. */
const PROCESS_PART = randomBytes(3).toString('hex');
let counter = 0;
/** The time part of ids, made once per millisecond. */
let idTime = { ms: 0, part: '' };

/** A new record's id: sortable by time, unique across processes writing one log (cheaper than random bytes per record). */
function newId(): string {
  counter = (counter + 1) % 0x10000;
  const now = Date.now();
  if (now !== idTime.ms) idTime = { ms: now, part: `${now.toString(36)}${PROCESS_PART}` };
  return `${idTime.part}${counter.toString(36).padStart(4, '0')}`;
}

export class ExchangeLog {
  readonly #path: string;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  /** Set to 1 by the log's thread when its reply to a call is on the port. */
  readonly #answered: Int32Array;
  #pending: PendingRecord[] = [];
  /** The characters of the pending records' bodies. */
  #pendingChars = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Why the log's thread stopped, if it did. */
  #failure: string | undefined;

  private constructor(path: string) {
    this.#path = path;
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#answered = new Int32Array(new SharedArrayBuffer(4));
    this.#worker = startThread(new URL(`./exchange-log-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url), {
      workerData: { path, port: port2, answered: this.#answered } satisfies ThreadData,
      transferList: [port2],
    });
    // The thread never keeps a stopping process alive: close() ends it, and a crash may lose the last moment of records.
    this.#worker.unref();
    this.#worker.on('error', (err) => (this.#failure ??= err.message));
    this.#worker.on('exit', (code) => (this.#failure ??= `its thread exited (${code})`));
  }

  /** Opens (or creates) the log at `path`, or in memory for `:memory:`; fails if the log's thread cannot start or open it. */
  static async open(path: string): Promise<ExchangeLog> {
    const log = new ExchangeLog(path);
    try {
      await log.#opened(path);
    } catch (err) {
      void log.#worker.terminate();
      throw err;
    }
    return log;
  }

  /** Waits for the thread to say it opened the store, or why not: through its own events, so a thread that fails to start says so too. */
  #opened(path: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`the exchange log ${path} did not open within ${OPEN_WAIT_MS / 1000} s`)), OPEN_WAIT_MS);
      const onMessage = (reply: ThreadReply) => settle(reply.ok ? undefined : new Error(reply.error));
      const onError = (err: Error) => settle(new Error(`the exchange log ${path} could not start its thread: ${err.message}`));
      const onExit = (code: number) => settle(new Error(`the exchange log ${path} could not start its thread (it exited with ${code})`));
      const settle = (err: Error | undefined) => {
        clearTimeout(timer);
        this.#worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      this.#worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    });
  }

  get path(): string {
    return this.#path;
  }

  /** Keeps a record (handed to the log's thread with the next batch) and returns its id at once. */
  add(record: NewRecord): string {
    const id = newId();
    if (this.#closed) return id;
    this.#pending.push({ id, record });
    this.#pendingChars += (record.exchange.requestBody?.text.length ?? 0) + (record.exchange.responseBody?.text.length ?? 0);
    if (this.#pending.length >= BATCH || this.#pendingChars >= BATCH_CHARS) this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), BATCH_MS);
      // Pending records never keep a stopping process alive: close() writes them.
      this.#timer.unref();
    }
    return id;
  }

  /** How many records are kept but not yet handed to the log's thread. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Hands the pending records to the log's thread now; a read after this sees them. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0 || this.#closed) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingChars = 0;
    this.#port.postMessage({ op: 'write', batch } satisfies ThreadRequest);
  }

  /** Stores the findings of a graded record. */
  setFindings(...args: Parameters<StoreCalls['setFindings']>): void {
    this.#call('setFindings', args);
  }

  /** Records whose findings are still to be made (e.g. after a restart). */
  ungraded(): StoredRecord[] {
    return this.#call('ungraded', []);
  }

  get(id: string): StoredRecord | undefined {
    return this.#call('get', [id]);
  }

  /** Records matching the filter, newest first; bodies are left out unless asked for. */
  list(...args: Parameters<StoreCalls['list']>): StoredRecord[] {
    return this.#call('list', args);
  }

  /** Each client's traffic per source, most recent first. */
  clients(): ClientTraffic[] {
    return this.#call('clients', []);
  }

  /** The sources and clients seen, for the inspector's filters. */
  facets(): { sources: string[]; clients: string[] } {
    return this.#call('facets', []);
  }

  /** The newest sequence number (0 when empty): another process writing the same log shows up as a change. */
  lastSeq(): number {
    return this.#call('lastSeq', []);
  }

  /** Writes what is pending, folds the WAL into the database and closes, leaving no WAL file behind; the log's thread ends. */
  close(): void {
    if (this.#closed) return;
    try {
      this.#call('close', []);
    } finally {
      this.#closed = true;
      this.#port.close();
    }
  }

  /**
   * Asks the log's thread and waits for its answer, blocking this thread: the port carries the
   * request after every batch handed over before it, and the reply is taken off the port without
   * the event loop, so the log's methods stay synchronous.
   */
  #call<K extends keyof StoreCalls>(method: K, args: Parameters<StoreCalls[K]>): ReturnType<StoreCalls[K]> {
    if (this.#closed) throw new Error(`the exchange log ${this.#path} is closed`);
    if (this.#failure) throw new Error(`the exchange log ${this.#path} stopped: ${this.#failure}`);
    this.flush();
    Atomics.store(this.#answered, 0, 0);
    this.#port.postMessage({ op: 'call', method, args } satisfies ThreadRequest);
    if (Atomics.wait(this.#answered, 0, 0, CALL_WAIT_MS) === 'timed-out') throw new Error(`the exchange log ${this.#path} did not answer ${method} within ${CALL_WAIT_MS / 1000} s`);
    const reply = receiveMessageOnPort(this.#port)?.message as ThreadReply | undefined;
    if (!reply) throw new Error(`the exchange log ${this.#path} gave no answer to ${method}`);
    if (!reply.ok) throw new Error(reply.error);
    return reply.value as ReturnType<StoreCalls[K]>;
  }
}
