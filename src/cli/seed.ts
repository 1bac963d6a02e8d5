/**
 * `--seed`: the project's SANER fixtures loaded into the SUT once, before any suite runs, so every
 * suite builds on the same named data set. Each PUT keeps its fixture's id; a resource the SUT
 * held at that id is kept aside and put back when the run ends, as everything the run wrote is
 * undone then (unless --keep-data). Types the SUT's CapabilityStatement does not take updates of
 * are left out, saying so.
 */
import type { CapabilityStatement } from 'fhir/r4.js';
import { createFhirClient, type WriteLog } from '../engine/index.js';
import { HttpClient } from '../http/client.js';
import { projectFormats } from '../fhir/codec.js';
import type { HarnessConfig } from '../config/types.js';
import { seedResources } from '../../simulators/measure-source/index.js';
import { sutHttpConfig } from './selection.js';

export interface Seeded {
  seeded: { type: string; id: string }[];
  /** What was left out or refused, one line each. */
  notes: string[];
}

/** Whether the statement lets a client PUT the type (update, or update as create); unknown without a statement. */
function takesUpdates(cs: CapabilityStatement | undefined, type: string): boolean {
  if (!cs) return true;
  const listed = (cs.rest ?? [])
    .filter((r) => r.mode === 'server')
    .flatMap((r) => r.resource ?? [])
    .find((r) => r.type === type);
  return (listed?.interaction ?? []).some((i) => i.code === 'update');
}

export async function seedSut(config: HarnessConfig, secrets: string[], log: WriteLog, statement: CapabilityStatement | undefined): Promise<Seeded> {
  const http = new HttpClient({ ...sutHttpConfig(config, secrets), baseUrl: config.sut!.baseUrl! });
  const sut = createFhirClient(
    http,
    projectFormats,
    {
      fail: (message) => {
        throw new Error(message);
      },
    },
    { log, by: 'seed', owner: 'run', readOnly: false },
  );
  const seeded: Seeded['seeded'] = [];
  const notes: string[] = [];
  const skipped = new Set<string>();
  try {
    for (const resource of seedResources()) {
      if (!takesUpdates(statement, resource.resourceType)) {
        skipped.add(resource.resourceType);
        continue;
      }
      const res = await sut.update(resource);
      if (res.status >= 200 && res.status < 300) seeded.push({ type: resource.resourceType, id: resource.id! });
      else notes.push(`PUT ${resource.resourceType}/${resource.id} answered ${res.status}: not seeded`);
    }
  } finally {
    await http.close();
  }
  if (skipped.size) notes.unshift(`not seeded: ${[...skipped].join(', ')}, which the SUT's CapabilityStatement lists no update of`);
  return { seeded, notes };
}

/** Undoes the run's own writes (the seeding) once every suite has ended. */
export async function unseed(config: HarnessConfig, secrets: string[], log: WriteLog, options: { keep: boolean; deletes: (type: string) => boolean | undefined }): Promise<void> {
  const http = new HttpClient({ ...sutHttpConfig(config, secrets), baseUrl: config.sut!.baseUrl! });
  try {
    await log.undo('run', http, projectFormats, options);
  } finally {
    await http.close();
  }
}
