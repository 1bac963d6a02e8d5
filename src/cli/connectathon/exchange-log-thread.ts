/**
 * The exchange log's thread: opens the store (saying on its parent port whether it could), writes
 * each batch handed over, answers each call in the order they came, and ends when the log closes.
 * A failed batch is reported at the next call, since no one waits for a batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadData, ThreadReply, ThreadRequest } from './exchange-log.js';
import { ExchangeStore } from './exchange-store.js';

const { path, port, answered } = workerData as ThreadData;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

let store: ExchangeStore;
try {
  store = ExchangeStore.open(path);
  parentPort!.postMessage({ ok: true, value: undefined } satisfies ThreadReply);
} catch (err) {
  parentPort!.postMessage({ ok: false, error: message(err) } satisfies ThreadReply);
  process.exit(1);
}
/** Records of batches that could not be written, and why. */
let lost: { records: number; why: string } | undefined;

function reply(answer: ThreadReply): void {
  port.postMessage(answer);
  Atomics.store(answered, 0, 1);
  Atomics.notify(answered, 0);
}

port.on('message', (request: ThreadRequest) => {
  if (request.op === 'write') {
    try {
      store.write(request.batch);
    } catch (err) {
      lost = { records: (lost?.records ?? 0) + request.batch.length, why: message(err) };
    }
    return;
  }
  try {
    if (lost) {
      const { records, why } = lost;
      lost = undefined;
      throw new Error(`${records} exchange record${records === 1 ? ' was' : 's were'} not written: ${why}`);
    }
    const call = store[request.method] as (...args: unknown[]) => unknown;
    const value = call.apply(store, request.args);
    reply({ ok: true, value });
    if (request.method === 'close') port.close();
  } catch (err) {
    reply({ ok: false, error: message(err) });
  }
});
