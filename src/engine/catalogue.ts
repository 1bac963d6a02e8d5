/**
 * The requirement catalogue: every requirement a test may cite, with its expectation and where it
 * comes from. Reports are built from it, so a test citing an id the catalogue does not know is a
 * harness error, found before anything runs.
 */
import type { Expectation, Requirement } from './results.js';
import { HarnessError, testId, type Suite } from './suite.js';

const EXPECTATIONS: readonly Expectation[] = ['SHALL', 'SHOULD', 'MAY', 'SHOULD-NOT'];
const ID_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/;

/** Problems with one requirement entry, each naming the entry. */
export function requirementProblems(r: Requirement): string[] {
  const where = `requirement ${JSON.stringify(r.id)}`;
  const problems: string[] = [];
  if (typeof r.id !== 'string' || !ID_PATTERN.test(r.id)) problems.push(`${where}: id must be upper-case words joined by '-', e.g. SANER-QM-PG-010`);
  if (!EXPECTATIONS.includes(r.expectation)) problems.push(`${where}: expectation must be one of ${EXPECTATIONS.join(', ')}`);
  if (typeof r.statement !== 'string' || !r.statement.trim()) problems.push(`${where}: statement is empty`);
  if (typeof r.source !== 'string' || !r.source.trim()) problems.push(`${where}: source is empty`);
  if (r.capability !== undefined && !/^https?:\/\/\S+$/.test(r.capability)) problems.push(`${where}: capability must be a canonical URL`);
  return problems;
}

/** Checks a list at definition time, so a typo in an IG folder fails when the module loads. */
export function defineRequirements(list: Requirement[]): readonly Requirement[] {
  const problems = list.flatMap(requirementProblems);
  const ids = new Set<string>();
  for (const r of list) {
    if (ids.has(r.id)) problems.push(`requirement ${r.id} is defined twice`);
    ids.add(r.id);
  }
  if (problems.length) throw new HarnessError(problems.join('\n'));
  return Object.freeze(list.map((r) => Object.freeze({ ...r })));
}

/** Builds the requirements of one CapabilityStatement row by row, for catalogues written as tables. */
export function requirementsOf(capability: string) {
  return (
    id: string,
    expectation: Requirement['expectation'],
    source: string,
    statement: string,
    extra: Pick<Requirement, 'element' | 'notTestedReason'> = {},
  ): Requirement => ({ id, expectation, statement, source, capability, ...extra });
}

export class RequirementCatalogue {
  readonly #byId = new Map<string, Requirement>();

  constructor(list: Iterable<Requirement> = []) {
    this.register(list);
  }

  /** Adds entries; re-registering an identical entry is harmless, a different one with the same id is an error. */
  register(list: Iterable<Requirement>): this {
    const problems: string[] = [];
    for (const r of list) {
      problems.push(...requirementProblems(r));
      const existing = this.#byId.get(r.id);
      if (existing && JSON.stringify(existing) !== JSON.stringify(r)) {
        problems.push(`requirement ${r.id} is registered twice with different content`);
        continue;
      }
      this.#byId.set(r.id, r);
    }
    if (problems.length) throw new HarnessError(problems.join('\n'));
    return this;
  }

  get(id: string): Requirement | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** The entry, or a harness error naming who asked for the unknown id. */
  require(id: string, askedBy: string): Requirement {
    const r = this.#byId.get(id);
    if (!r) throw new HarnessError(`${askedBy} cites requirement ${id}, which is not in the catalogue`);
    return r;
  }

  all(): Requirement[] {
    return [...this.#byId.values()];
  }

  byCapability(url: string): Requirement[] {
    return this.all().filter((r) => r.capability === url);
  }

  get size(): number {
    return this.#byId.size;
  }
}

/** The process-wide catalogue IG folders add to when their requirement modules load. */
export const registry = new RequirementCatalogue();

export function registerRequirements(list: Iterable<Requirement>): void {
  registry.register(list);
}

/**
 * Every citation problem in the suites: unknown requirement ids, each naming test and id.
 * Empty when every test cites only known requirements.
 */
export function citationProblems(suites: readonly Suite<object>[], catalogue: RequirementCatalogue): string[] {
  const problems: string[] = [];
  for (const suite of suites) {
    for (const t of suite.tests) {
      for (const id of t.requirements) {
        if (!catalogue.has(id)) problems.push(`test ${testId(suite, t)} cites unknown requirement ${id}`);
      }
    }
  }
  return problems;
}

export function assertCitationsKnown(suites: readonly Suite<object>[], catalogue: RequirementCatalogue): void {
  const problems = citationProblems(suites, catalogue);
  if (problems.length) throw new HarnessError(`the requirement catalogue does not know what these tests cite:\n  ${problems.join('\n  ')}`);
}

/**
 * Loads requirement modules (e.g. `ig/saner/requirements.ts`), each exporting `requirements`, into a
 * new catalogue. A module without that export is a harness error naming the file.
 */
export async function loadCatalogue(moduleUrls: readonly string[]): Promise<RequirementCatalogue> {
  const catalogue = new RequirementCatalogue();
  for (const url of moduleUrls) {
    let mod: { requirements?: unknown };
    try {
      mod = (await import(url)) as { requirements?: unknown };
    } catch (err) {
      throw new HarnessError(`cannot load requirement module ${url}: ${(err as Error).message}`);
    }
    if (!Array.isArray(mod.requirements)) throw new HarnessError(`${url} does not export a 'requirements' array`);
    catalogue.register(mod.requirements as Requirement[]);
  }
  return catalogue;
}
