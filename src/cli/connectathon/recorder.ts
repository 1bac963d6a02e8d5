/**
 * Ties what `serve`'s simulators and the recording proxy receive to the exchange log and the
 * suites: every exchange is kept at once (accepted or refused), then judged in the background, one
 * at a time, by the suites of its transaction with the request on its own; a client's summary
 * judges all of its traffic so far. Listeners (the inspector's live page) hear of both.
 */
import type { HttpExchange, Peer } from '../../http/exchange.js';
import type { Attestation, RunResults, SuiteConfig } from '../../engine/index.js';
import { clientKey, IDENTITY_PARTS, type IdentityPart } from './client-identity.js';
import type { ExchangeLog, NewRecord, Side } from './exchange-log.js';
import { findingsOf, gradeTraffic, summaryRows, type SummaryRow } from './grading.js';
import { transactionById, type Transaction } from './transactions.js';

/**
 * Judging an exchange takes a simulator longer than answering it (validation, every check of the
 * suite), so it waits until no exchange has come for this long: a simulator under load answers
 * first and judges in the pauses, instead of answering at half its pace.
 */
const QUIET_MS = 25;
/** Under load that never pauses, one exchange is still judged this often, so findings keep coming. */
const MAX_DEFER_MS = 500;

/** Where recorded traffic arrives: a simulator of `serve`, or the recording proxy. */
export interface Origin {
  /** The simulator id, or `proxy`. */
  source: string;
  /** The base URL its clients use. */
  baseUrl: string;
  /** The transaction whose suites judge the traffic; none when no suite does. */
  transaction?: Transaction;
  /** Why nothing judges the traffic, when nothing does. */
  notGraded?: string;
  sides: readonly Side[];
}

export type RecorderEvent = { type: 'added' | 'graded'; id: string };

export interface RecorderOptions {
  log: ExchangeLog;
  identity?: readonly IdentityPart[];
  config?: SuiteConfig;
  attestations?: Readonly<Record<string, Attestation>>;
  /** Judge each exchange as it arrives (default true); false keeps records ungraded, as the bench measures recording alone. */
  grade?: boolean;
}

/** What a client's traffic at one source shows so far, requirement by requirement. */
export interface ClientSummary {
  source: string;
  client: string;
  transaction: string;
  exchanges: number;
  /** The client suite judging it. */
  suite: string;
  rows: SummaryRow[];
  /** The whole grading, for the report set. */
  results: RunResults;
}

export class Recorder {
  readonly log: ExchangeLog;
  readonly #options: RecorderOptions;
  readonly #listeners = new Set<(event: RecorderEvent) => void>();
  readonly #queue: string[] = [];
  #running: Promise<void> | undefined;
  #closed = false;
  /** When the last exchange arrived and the last was judged (performance.now() ms). */
  #lastArrival = 0;
  #lastJudged = performance.now();
  /** Ends the wait for a pause at once, so closing does not sit out the rest of it. */
  #wake: (() => void) | undefined;
  readonly #summaries = new Map<string, { lastSeq: number; summary: ClientSummary }>();
  /** Each peer's client key: a server hands the same peer for a connection's requests. */
  readonly #clients = new WeakMap<Peer, string>();

  constructor(options: RecorderOptions) {
    this.log = options.log;
    this.#options = options;
    // Records kept before a restart (or by a process that stopped mid-way) are judged now.
    if (options.grade !== false) for (const r of this.log.ungraded()) this.#enqueue(r.id);
  }

  /** Keeps an exchange that arrived at `origin` and queues it for judging; returns its id. */
  record(origin: Origin, exchange: HttpExchange): string {
    this.#lastArrival = performance.now();
    // Assigned, not spread: this runs for every request a simulator answers.
    const record: NewRecord = { source: origin.source, sides: origin.sides, baseUrl: origin.baseUrl, client: this.#client(exchange.peer), exchange };
    if (origin.transaction) record.transaction = origin.transaction.id;
    if (origin.notGraded) record.notGraded = origin.notGraded;
    const id = this.log.add(record);
    if (this.#listeners.size > 0) this.#emit({ type: 'added', id });
    if (origin.transaction && this.#options.grade !== false) this.#enqueue(id);
    return id;
  }

  #client(peer: Peer | undefined): string {
    if (!peer) return clientKey(undefined);
    let key = this.#clients.get(peer);
    if (key === undefined) {
      key = clientKey(peer, this.#options.identity ?? IDENTITY_PARTS);
      this.#clients.set(peer, key);
    }
    return key;
  }

  /** Hears of every record added and graded; returns the way to stop listening. */
  listen(listener: (event: RecorderEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: RecorderEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // A listener that breaks (a closed page) must not stop the recording.
      }
    }
  }

  #enqueue(id: string): void {
    this.#queue.push(id);
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  async #drain(): Promise<void> {
    const queue = this.#queue;
    while (queue.length && !this.#closed) {
      const id = queue.shift()!;
      // Judging yields to the simulators between records: recording comes first.
      await new Promise((resolve) => setImmediate(resolve));
      await this.#quiet();
      if (this.#closed) break;
      await this.#gradeOne(id);
      this.#lastJudged = performance.now();
    }
  }

  /** Resolves once no exchange has come for QUIET_MS, or MAX_DEFER_MS after the last judgement. */
  async #quiet(): Promise<void> {
    for (;;) {
      const now = performance.now();
      const wait = Math.min(QUIET_MS - (now - this.#lastArrival), MAX_DEFER_MS - (now - this.#lastJudged));
      if (wait <= 0 || this.#closed) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, wait);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
  }

  async #gradeOne(id: string): Promise<void> {
    const record = this.log.get(id);
    const transaction = record?.transaction ? transactionById(record.transaction) : undefined;
    if (!record || !transaction) return;
    const results = await gradeTraffic({
      transaction,
      sides: record.sides,
      oneRequest: true,
      traffic: { baseUrl: record.baseUrl, exchanges: [record.exchange], source: `exchange ${record.id} at ${record.source}` },
      ...(this.#options.config ? { config: this.#options.config } : {}),
      ...(this.#options.attestations ? { attestations: this.#options.attestations } : {}),
    });
    if (this.#closed) return;
    const { findings, validation } = findingsOf(results, transaction);
    this.log.setFindings(id, findings, validation);
    this.#emit({ type: 'graded', id });
  }

  /** Resolves once every exchange recorded so far is judged. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Like idle(), but gives up after `maxMs`: the API answers with what is judged by then. */
  async settled(maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (this.#running && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#running, new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(timer);
    }
  }

  /** What one client's traffic at one source shows so far; judged again only when more traffic came. */
  async summary(source: string, client: string): Promise<ClientSummary | undefined> {
    const records = this.log.list({ source, client }, { bodies: true, oldestFirst: true });
    const last = records.at(-1);
    const transaction = last?.transaction ? transactionById(last.transaction) : undefined;
    if (!last || !transaction) return undefined;
    const key = `${source}\n${client}`;
    const cached = this.#summaries.get(key);
    if (cached?.lastSeq === last.seq) return cached.summary;
    const graded = records.filter((r) => r.transaction === transaction.id);
    const results = await gradeTraffic({
      transaction,
      sides: last.sides,
      traffic: { baseUrl: last.baseUrl, exchanges: graded.map((r) => r.exchange), source: `${client}'s traffic at ${source}` },
      ...(this.#options.config ? { config: this.#options.config } : {}),
      ...(this.#options.attestations ? { attestations: this.#options.attestations } : {}),
      sut: { name: `${client} at ${source}`, simulated: false },
    });
    const summary: ClientSummary = { source, client, transaction: transaction.id, exchanges: graded.length, suite: transaction.client.id, rows: summaryRows(results, transaction.client.id), results };
    this.#summaries.set(key, { lastSeq: last.seq, summary });
    return summary;
  }

  /** Stops judging after the exchange being judged, and closes the log (pending records written, WAL folded away). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#running;
    this.#listeners.clear();
    this.log.close();
  }
}
