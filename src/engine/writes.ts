/**
 * Leaving a vendor's system as the run found it: every resource the harness writes carries the
 * run's tag and is recorded here (type, id, which test); a resource the SUT already held before
 * the run overwrote it is kept aside first. When a suite ends its writes are undone where the SUT
 * allows it (deleted, or the kept copy put back), and what could not be undone is listed.
 */
import type { Bundle, Resource } from 'fhir/r4.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import type { ResourceFormats } from '../fhir/codec.js';
import { formatOfContentType } from '../fhir/codec.js';
import type { WriteRecord } from './results.js';
import { withRunTag } from './run-tag.js';

/** One write as the log keeps it until the suite's cleanup decides what became of it. */
interface Written {
  type: string;
  id: string;
  by: string;
  interaction: WriteRecord['interaction'];
  /** The resource as the SUT held it before this run first wrote it, when it held one. */
  before?: Resource;
  /** The suite whose cleanup undoes it; seeding belongs to the run and is undone last. */
  owner: string;
}

export interface WriteTracking {
  log: WriteLog;
  /** Who writes: a test id, or `seed`. */
  by: string;
  /** The suite whose end undoes these writes (`run` for the run's seeding). */
  owner: string;
  /** `--read-only`: a write ends the test as skipped instead of reaching the SUT. */
  readOnly: boolean;
}

export class WriteLog {
  readonly #written: Written[] = [];
  readonly #done: WriteRecord[] = [];

  constructor(readonly runId: string) {}

  /** The resource as it is sent: with the run's tag beside its own tags. */
  tagged<T extends Resource>(resource: T): T {
    return withRunTag(resource, this.runId);
  }

  /** Whether this run already wrote the resource (so no copy of the SUT's own needs keeping). */
  has(type: string, id: string): boolean {
    return this.#written.some((w) => w.type === type && w.id === id);
  }

  record(write: Written): void {
    if (!this.has(write.type, write.id)) this.#written.push(write);
  }

  /** Ids a create or batch answer names: Location, the answered body, or each batch entry's location. */
  recordAnswer(res: HttpResponse, formats: ResourceFormats, type: string | undefined, tracking: WriteTracking, interaction: WriteRecord['interaction']): void {
    if (res.status < 200 || res.status > 299) return;
    const answer = parsed(res, formats);
    if (answer?.resourceType === 'Bundle' && (answer as Bundle).type?.endsWith('-response')) {
      for (const e of (answer as Bundle).entry ?? []) {
        const at = idAt(e.response?.location ?? '');
        if (at && (e.response?.status ?? '').startsWith('2')) this.record({ ...at, by: tracking.by, interaction: 'batch', owner: tracking.owner });
      }
      return;
    }
    const at = idAt(res.headers['location'] ?? '') ?? (answer?.id && (!type || answer.resourceType === type) ? { type: answer.resourceType, id: answer.id } : undefined);
    if (at) this.record({ ...at, by: tracking.by, interaction, owner: tracking.owner });
  }

  /** What the run wrote and what became of it, for results.json. */
  records(): WriteRecord[] {
    return [
      ...this.#done,
      ...this.#written.map((w): WriteRecord => ({ type: w.type, id: w.id, by: w.by, interaction: w.interaction, cleanup: 'not-removed', note: 'the run ended before its cleanup' })),
    ];
  }

  /**
   * Undoes the writes a suite (or the run's seeding) owns, newest first: a resource the SUT held
   * before is put back, one the run created is deleted where the SUT implements delete. With
   * `keep` everything stays and is listed as kept.
   */
  async undo(owner: string, http: HttpClient, formats: ResourceFormats, options: { keep: boolean; deletes: (type: string) => boolean | undefined }): Promise<void> {
    const mine = this.#written.filter((w) => w.owner === owner).reverse();
    for (const w of mine) {
      this.#written.splice(this.#written.indexOf(w), 1);
      const record = { type: w.type, id: w.id, by: w.by, interaction: w.interaction };
      if (options.keep) {
        this.#done.push({ ...record, cleanup: 'kept', note: w.before ? 'kept by --keep-data; it replaced a resource the SUT held before' : 'kept by --keep-data' });
        continue;
      }
      if (w.before) {
        const res = await send(http, 'PUT', `${w.type}/${encodeURIComponent(w.id)}`, formats.serialize(w.before, 'json'));
        this.#done.push(res.ok ? { ...record, cleanup: 'restored' } : { ...record, cleanup: 'not-removed', note: `putting back the SUT's own version answered ${res.why}` });
        continue;
      }
      if (options.deletes(w.type) === false) {
        this.#done.push({ ...record, cleanup: 'not-removed', note: `the SUT's CapabilityStatement lists no delete of ${w.type}` });
        continue;
      }
      const path = `${w.type}/${encodeURIComponent(w.id)}`;
      const res = await send(http, 'DELETE', path);
      if (res.ok || res.status === 410) {
        this.#done.push({ ...record, cleanup: 'deleted' });
        continue;
      }
      // A 404 to DELETE says "gone" only when a read agrees: servers also answer 404 for a type they
      // will not delete, while the batch that wrote it stored it all the same.
      const still = res.status === 404 ? await send(http, 'GET', path) : undefined;
      this.#done.push(
        still && !still.ok
          ? { ...record, cleanup: 'deleted' }
          : { ...record, cleanup: 'not-removed', note: still ? `DELETE answered 404 but ${path} still reads ${still.why}` : `DELETE answered ${res.why}` },
      );
    }
  }
}

async function send(http: HttpClient, method: string, url: string, body?: string): Promise<{ ok: boolean; status?: number; why: string }> {
  try {
    const res = await http.request({ method, url, headers: { accept: 'application/fhir+json', ...(body ? { 'content-type': 'application/fhir+json' } : {}) }, ...(body ? { body } : {}) });
    return { ok: res.status >= 200 && res.status < 300, status: res.status, why: String(res.status) };
  } catch (err) {
    return { ok: false, why: err instanceof Error ? err.message : String(err) };
  }
}

function parsed(res: HttpResponse, formats: ResourceFormats): Resource | undefined {
  const format = formatOfContentType(res.headers['content-type']);
  if (!format || res.text.trim() === '') return undefined;
  try {
    return formats.parse(res.text, format);
  } catch {
    return undefined;
  }
}

/** `Type/id` a Location (absolute or relative, with or without `_history`) names. */
function idAt(location: string): { type: string; id: string } | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?\/?$/.exec(location);
  return m ? { type: m[1]!, id: m[2]! } : undefined;
}
