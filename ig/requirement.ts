/**
 * The requirement catalogue's model: every requirement a test may cite, with its expectation and
 * where it comes from. IG folders define their entries with it; reports are built from it, so a
 * typo in an entry fails when its module loads.
 */

export type Expectation = 'SHALL' | 'SHOULD' | 'MAY' | 'SHOULD-NOT';

/** One entry of the project's requirement catalogue. */
export interface Requirement {
  /** Stable id from the spec digests, e.g. `SANER-QM-SRC-012`, `MADX-CC-004`, or the project's own `FHIR-HTTP-…`. */
  id: string;
  expectation: Expectation;
  /** The requirement in words. */
  statement: string;
  /** Where it comes from: document and section, e.g. `SANER transaction-1 §Expected Actions`. */
  source: string;
  /** CapabilityStatement canonical URL the requirement belongs to, when it has one. */
  capability?: string;
  /** Element of that CapabilityStatement, e.g. `MeasureReport.searchParam[date]`, `interaction[read]`, `format`. */
  element?: string;
  /** Why no test covers it, when none does on purpose. */
  notTestedReason?: string;
}

/** An IG folder's requirement entries are malformed. */
export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

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
  if (problems.length) throw new CatalogueError(problems.join('\n'));
  return Object.freeze(list.map((r) => Object.freeze({ ...r })));
}

/** Builds the requirements of one CapabilityStatement row by row, for catalogues written as tables. */
export function requirementsOf(capability: string) {
  return (id: string, expectation: Requirement['expectation'], source: string, statement: string, extra: Pick<Requirement, 'element' | 'notTestedReason'> = {}): Requirement => ({
    id,
    expectation,
    statement,
    source,
    capability,
    ...extra,
  });
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
    if (problems.length) throw new CatalogueError(problems.join('\n'));
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
    if (!r) throw new CatalogueError(`${askedBy} cites requirement ${id}, which is not in the catalogue`);
    return r;
  }

  all(): Requirement[] {
    return [...this.#byId.values()];
  }

  get size(): number {
    return this.#byId.size;
  }
}
