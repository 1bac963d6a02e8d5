/**
 * What the reference Content Consumer knows besides the reports it is sent: the project's Measures
 * (fixtures/madx, fixtures/rpc), and for the mADX Validate mADX Message option the resources of the
 * actors it is grouped with (QRPH 1:6.2.1): the CodeSystems and ValueSets an SVCM Terminology
 * Consumer would hold, and the Locations and Organizations an mCSD Care Services Update Consumer
 * would hold (fixtures/madx/validate).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeSystem, CodeSystemConcept, Coding, Location, Measure, Organization, Resource, ValueSet } from 'fhir/r4.js';
import { parseJson } from '../../src/fhir/json.js';
import { projectRoot } from '../../src/harness.js';

function resourcesIn(folder: string, prefix: string): Resource[] {
  const dir = join(projectRoot, 'fixtures', folder);
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort()
    .map((f) => parseJson(readFileSync(join(dir, f), 'utf8')) as Resource);
}

let measures: ReadonlyMap<string, Measure> | undefined;

/** The project's mADX and RPC Measures by canonical url. */
export function projectMeasures(): ReadonlyMap<string, Measure> {
  measures ??= new Map(
    [...resourcesIn('madx', 'measure-'), ...resourcesIn('rpc', 'measure-')].filter((r): r is Measure => r.resourceType === 'Measure' && typeof (r as Measure).url === 'string').map((m) => [m.url!, m]),
  );
  return measures;
}

function conceptCodes(concepts: readonly CodeSystemConcept[] | undefined): string[] {
  return (concepts ?? []).flatMap((c) => [c.code, ...conceptCodes(c.concept)]);
}

/** The sets of codes named by canonical url: a CodeSystem's concepts, or a ValueSet's composition of them. */
export class Terminology {
  readonly #systems = new Map<string, Set<string>>();
  readonly #valueSets = new Map<string, ValueSet>();

  constructor(resources: readonly Resource[]) {
    for (const r of resources) {
      if (r.resourceType === 'CodeSystem' && (r as CodeSystem).url) this.#systems.set((r as CodeSystem).url!, new Set(conceptCodes((r as CodeSystem).concept)));
      if (r.resourceType === 'ValueSet' && (r as ValueSet).url) this.#valueSets.set((r as ValueSet).url!, r as ValueSet);
    }
  }

  /** Whether the url names a code set this terminology holds. */
  knows(url: string): boolean {
    return this.#systems.has(url) || this.#valueSets.has(url);
  }

  /** Whether the coding is in the CodeSystem or ValueSet at url. */
  contains(url: string, coding: Coding): boolean {
    const code = coding.code;
    if (code === undefined) return false;
    const system = this.#systems.get(url);
    if (system) return (coding.system === undefined || coding.system === url) && system.has(code);
    const includes = this.#valueSets.get(url)?.compose?.include ?? [];
    return includes.some((inc) => {
      if (inc.system !== undefined && coding.system !== inc.system) return false;
      if (inc.concept) return inc.concept.some((c) => c.code === code);
      const whole = inc.system === undefined ? undefined : this.#systems.get(inc.system);
      return whole?.has(code) ?? false;
    });
  }
}

export type CareService = Location | Organization;

/** The facilities an mCSD Care Services Update Consumer holds: Locations and Organizations. */
export class Directory {
  readonly #entries: CareService[];

  constructor(resources: readonly Resource[]) {
    this.#entries = resources.filter((r): r is CareService => r.resourceType === 'Location' || r.resourceType === 'Organization');
  }

  /** `Location/x` or `Organization/x`, relative or absolute, held by id. */
  holdsReference(reference: string): boolean {
    const m = /(?:^|\/)(Location|Organization)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
    return m !== null && this.#entries.some((e) => e.resourceType === m[1] && e.id === m[2]);
  }

  /** A copy of a facility carried in the report: matched by identifier, or by id when it has none. */
  holdsCopy(copy: CareService): boolean {
    const ids = copy.identifier ?? [];
    return this.#entries.some(
      (e) => e.resourceType === copy.resourceType && (ids.length ? ids.some((i) => (e.identifier ?? []).some((h) => h.system === i.system && h.value === i.value)) : e.id === copy.id),
    );
  }
}

export interface ValidateOptionData {
  terminology: Terminology;
  directory: Directory;
}

/** The grouped actors' resources of the Validate mADX Message option. */
export function validateOptionData(): ValidateOptionData {
  const resources = resourcesIn(join('madx', 'validate'), '');
  return { terminology: new Terminology(resources), directory: new Directory(resources) };
}
