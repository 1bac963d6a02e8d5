/**
 * Starts a worker thread on a module. A development checkout runs the TypeScript sources through
 * tsx, whose loader a worker thread does not inherit: a `.ts` module starts through a small boot
 * module that registers tsx first. An installed package runs the compiled `.js` directly.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startThread(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  return new Worker(new URL('./typescript-thread.mjs', import.meta.url), { ...options, argv: [...(options.argv ?? []), entry.href] });
}
