/**
 * Evaluates a Measure against a Data Source for one reporting period: languages checked first,
 * then each group's populations in order (a population's count is the number of distinct
 * resources its query matches), the group's stratifiers on each population's members, and the
 * measure score, into a MeasureReport. A criterion that cannot be evaluated leaves its count
 * data-absent (error) and adds an issue; the rest of the report is still computed.
 */
import type { CodeableConcept, Location, MeasureGroup, MeasureReport, Organization, Resource } from 'fhir/r4.js';
import type { Issue } from '../../src/fhir/errors.js';
import { TransportError } from '../../src/http/client.js';
import { DataSourceError, type DataSourceClient } from './data-source.js';
import type { MeasureDefinitions } from './definitions.js';
import { checkLanguages, criterionName, groupName } from './languages.js';
import { utcInstant, type ReportingPeriod } from './period.js';
import { parseQuery, QueryError, usesInModifier, withExplicitCodes, type FhirQuery } from './query.js';
import { buildReport, type GroupCounts, type PopulationCount, type StratifierCounts } from './report.js';
import { compileStratifier, lookupIn, StratifierError } from './stratify.js';
import { buildVariables, UnknownVariable, type Variables } from './variables.js';
import { NO_FAULTS } from '../../src/fhir/faults.js';
import type { MeasureComputerFaults } from './faults.js';

export interface EvaluationInput {
  definitions: MeasureDefinitions;
  period: ReportingPeriod;
  subject: Location;
  reporter: Organization;
  dataSource: DataSourceClient;
  faults?: MeasureComputerFaults;
  now?: Date;
}

export interface Evaluation {
  report: MeasureReport;
  issues: Issue[];
}

const MEASURE_POPULATION = 'http://terminology.hl7.org/CodeSystem/measure-population';
const DAY_MS = 24 * 60 * 60 * 1000;
/** The types the `skip-search-types` fault still searches: those ComputeCovidImpact counts. */
const SEARCHED_WHEN_SKIPPING = new Set(['Encounter', 'Procedure', 'Location', 'Observation']);

interface PopulationOutcome extends PopulationCount {
  members?: Resource[];
}

/** Errors a criterion can meet that leave the rest of the evaluation standing. */
function isCriterionFailure(err: unknown): err is Error {
  return err instanceof QueryError || err instanceof UnknownVariable || err instanceof DataSourceError || err instanceof TransportError || err instanceof StratifierError;
}

function roleOf(code: CodeableConcept | undefined): string | undefined {
  return code?.coding?.find((c) => c.system === MEASURE_POPULATION)?.code;
}

class GroupEvaluator {
  readonly resources = new Map<string, Resource>();

  constructor(
    private readonly input: EvaluationInput,
    private readonly vars: Variables,
    private readonly issues: Issue[],
  ) {}

  get #faults(): MeasureComputerFaults {
    return this.input.faults ?? NO_FAULTS;
  }

  /** The query as the Data Source can take it: `:in` rewritten to codes where it has no `:in`. */
  async #forDataSource(query: FhirQuery): Promise<FhirQuery> {
    if (this.#faults.has('no-in-fallback') || !usesInModifier(query)) return query;
    const ds = this.input.dataSource;
    for (const [name] of query.params) {
      if (name.endsWith(':in') && !(await ds.inSupported(query.type, name))) return this.#explicit(query);
    }
    return query;
  }

  #explicit(query: FhirQuery): FhirQuery {
    return withExplicitCodes(query, (url) => this.input.definitions.valueSets.get(url));
  }

  /** Runs a query; a 400 on an `:in` query is read as "no :in here", once, and answered with codes. */
  async #run<T>(query: FhirQuery, action: (q: FhirQuery) => Promise<T>): Promise<T> {
    const sent = await this.#forDataSource(query);
    try {
      return await action(sent);
    } catch (err) {
      if (!(err instanceof DataSourceError) || err.status !== 400 || sent !== query || !usesInModifier(query) || this.#faults.has('no-in-fallback')) throw err;
      this.input.dataSource.refuseIn(query.type);
      return action(this.#explicit(query));
    }
  }

  async population(query: FhirQuery, needMembers: boolean): Promise<PopulationOutcome> {
    const ds = this.input.dataSource;
    if (!needMembers) {
      const total = await this.#run(query, (q) => ds.count(q));
      if (total !== undefined) return { count: total };
    }
    const result = await this.#run(query, (q) => ds.search(q));
    for (const [key, resource] of result.resources) this.resources.set(key, resource);
    return { count: result.members.length, members: result.members };
  }

  async evaluate(group: MeasureGroup, g: number): Promise<GroupCounts> {
    const name = groupName(group, g);
    const needMembers = (group.stratifier?.length ?? 0) > 0 && !this.#faults.has('drop-stratifier');
    const populations: PopulationOutcome[] = [];
    for (const [p, pop] of (group.population ?? []).entries()) {
      const code = pop.code;
      const label = `group ${name}, population ${criterionName(code, `population[${p}]`)}`;
      if (this.#faults.has('skip-data-source')) {
        populations.push({ ...(code ? { code } : {}), count: 0, members: [] });
        continue;
      }
      try {
        const query = parseQuery(pop.criteria?.expression ?? '', this.vars, { withoutPeriod: this.#faults.has('ignore-period') });
        if (this.#faults.has('skip-search-types') && !SEARCHED_WHEN_SKIPPING.has(query.type)) {
          populations.push({ ...(code ? { code } : {}), count: 0, members: [] });
          continue;
        }
        populations.push({ ...(code ? { code } : {}), ...(await this.population(query, needMembers)) });
      } catch (err) {
        if (!isCriterionFailure(err)) throw err;
        if (this.#faults.has('count-unevaluable-as-zero')) {
          populations.push({ ...(code ? { code } : {}), count: 0, members: [] });
          continue;
        }
        this.issues.push({ severity: 'error', code: 'exception', message: `${label} could not be evaluated: ${err.message}`, expression: `Measure.group[${g}].population[${p}].criteria` });
        populations.push(code ? { code } : {});
      }
    }
    const stratifiers = needMembers ? this.#stratify(group, g, populations) : [];
    const measureScore = score(populations);
    return {
      ...(group.code ? { code: group.code } : {}),
      populations: populations.map(({ members: _members, ...count }) => count),
      ...(measureScore !== undefined ? { measureScore } : {}),
      stratifiers,
    };
  }

  #stratify(group: MeasureGroup, g: number, populations: PopulationOutcome[]): StratifierCounts[] {
    const out: StratifierCounts[] = [];
    for (const [s, stratifier] of (group.stratifier ?? []).entries()) {
      try {
        const compiled = compileStratifier(stratifier.criteria?.expression ?? '', this.vars, lookupIn(this.resources));
        const strata = new Map<string, PopulationCount[]>();
        populations.forEach((population, p) => {
          for (const member of population.members ?? []) {
            for (const value of compiled.valuesOf(member)) {
              let counts = strata.get(value);
              if (!counts) {
                counts = populations.map((q) => ({ ...(q.code ? { code: q.code } : {}), ...(q.count === undefined ? {} : { count: 0 }) }));
                strata.set(value, counts);
              }
              counts[p]!.count = (counts[p]!.count ?? 0) + 1;
            }
          }
        });
        out.push({ ...(stratifier.code ? { code: stratifier.code } : {}), strata });
      } catch (err) {
        if (!isCriterionFailure(err)) throw err;
        const label = `group ${groupName(group, g)}, stratifier ${criterionName(stratifier.code, `stratifier[${s}]`)}`;
        this.issues.push({ severity: 'error', code: 'exception', message: `${label} could not be evaluated: ${err.message}`, expression: `Measure.group[${g}].stratifier[${s}].criteria` });
      }
    }
    return out;
  }
}

/**
 * numerator / denominator where the group has both (0 when the denominator is 0, so an empty day
 * still scores), NaN when one of them could not be evaluated, undefined for groups that only count.
 */
function score(populations: PopulationCount[]): number | undefined {
  const numerator = populations.find((p) => roleOf(p.code) === 'numerator');
  const denominator = populations.find((p) => roleOf(p.code) === 'denominator');
  if (!numerator || !denominator) return undefined;
  if (numerator.count === undefined || denominator.count === undefined) return NaN;
  return denominator.count === 0 ? 0 : numerator.count / denominator.count;
}

export async function evaluateMeasure(input: EvaluationInput): Promise<Evaluation> {
  const { measure } = input.definitions;
  checkLanguages(measure);
  const now = input.now ?? new Date();
  const issues: Issue[] = input.definitions.missing.map((m) => ({
    severity: 'warning',
    code: 'not-found',
    message: `${m} is named by the Measure but could not be found; its variables are unavailable`,
  }));
  const vars = buildVariables({
    measure,
    libraries: input.definitions.libraries,
    valueSets: input.definitions.valueSets,
    period: input.period,
    subject: input.subject,
    reporter: input.reporter,
    base: input.dataSource.base,
    now,
  });
  const groups: GroupCounts[] = [];
  for (const [g, group] of (measure.group ?? []).entries()) groups.push(await new GroupEvaluator(input, vars, issues).evaluate(group, g));
  if (input.faults?.has('off-by-one')) {
    const first = groups[0]?.populations[0];
    if (first?.count !== undefined) first.count += 1;
  }
  const date = utcInstant(new Date(Math.floor(now.getTime() / 1000) * 1000));
  const period = input.faults?.has('period-end-day-late') ? { ...input.period, end: utcInstant(new Date(Date.parse(input.period.end) + DAY_MS)) } : input.period;
  return { report: buildReport({ measure, period, subject: input.subject, reporter: input.reporter, date, groups, issues }), issues };
}
