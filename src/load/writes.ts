/**
 * What a load run wrote into the SUT, and its removal afterwards. Everything written carries the run
 * tag; what has an id is deleted (a few at a time) where the SUT allows it, and the first refusal
 * of DELETE ends the attempt: the rest is left, findable by the tag.
 */
import { RUN_TAG_SYSTEM } from '../engine/run-tag.js';
import type { WritesSummary } from './model.js';
import type { LoadTransport } from './transport.js';

const REFUSED = new Set([401, 403, 405, 501]);
const PARALLEL = 8;

export class Writes {
  readonly #ids = new Set<string>();
  withoutId = 0;

  add(type: string, id: string | undefined): void {
    if (id === undefined) this.withoutId++;
    else this.#ids.add(`${type}/${id}`);
  }

  get written(): number {
    return this.#ids.size + this.withoutId;
  }

  kept(runId: string): WritesSummary {
    const left = this.written;
    const base = this.#base(runId);
    return { ...base, removed: 0, left, kept: true, ...(left ? { note: `kept on purpose (--keep-data); it carries the tag ${base.tag.system}|${base.tag.code}` } : {}) };
  }

  /** Deletes what has an id; the summary says what was left and why. */
  async remove(transport: LoadTransport, runId: string, signal: AbortSignal): Promise<WritesSummary> {
    const queue = [...this.#ids];
    let removed = 0;
    let refusal: string | undefined;
    let failures = 0;
    const worker = async () => {
      while (queue.length && !refusal && !signal.aborted) {
        const path = queue.shift()!;
        try {
          const res = await transport.send({ method: 'DELETE', url: path });
          if ((res.status >= 200 && res.status < 300) || res.status === 404 || res.status === 410) removed++;
          else if (REFUSED.has(res.status)) refusal ??= `the SUT refused DELETE (${res.status})`;
          else failures++;
        } catch {
          failures++;
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const left = this.written - removed;
    const reasons = [
      refusal,
      failures ? `${failures} DELETE${failures === 1 ? '' : 's'} failed` : undefined,
      signal.aborted && queue.length ? 'the removal was interrupted' : undefined,
      this.withoutId ? `${this.withoutId} written without an id the SUT named` : undefined,
    ].filter(Boolean);
    const base = this.#base(runId);
    return {
      ...base,
      removed,
      left,
      kept: false,
      ...(left ? { note: `${reasons.join('; ')}; what is left carries the tag ${base.tag.system}|${base.tag.code}` } : {}),
    };
  }

  #base(runId: string): Pick<WritesSummary, 'written' | 'withoutId' | 'tag'> {
    return { written: this.written, withoutId: this.withoutId, tag: { system: RUN_TAG_SYSTEM, code: runId } };
  }
}
