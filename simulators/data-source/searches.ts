/**
 * The searches a Measure Computer makes of a Data Source for the bundled Measures, each with the
 * resources it must match in a generated data set, counted on the model: the populations of both
 * ComputeCovidImpact versions as the fixtures write them (value sets named for `:in`), the
 * single-parameter queries of ComputeSearchCoverage, and each value-set criterion alone. A Data
 * Source without `:in` is asked what a Measure Computer asks it instead: the value set's codes as
 * a comma-separated list (SANER-CM-PG-004, `withCodeLists`).
 */
import type { Coding, Measure } from 'fhir/r4.js';
import { COMPUTE_MEASURE_URL } from '../../ig/saner/canonicals.js';
import { fixtureResources } from '../fixtures.js';
import { COVID_DIAGNOSES, inValueSet, POSITIVE_RESULTS, SARS_COV2_LABS, VALUE_SETS, valueSetUrl, VENTILATION_PROCEDURES } from './codes.js';
import { coverageMembers, coveragePopulation } from './coverage.js';
import { MEASURE_VERSIONS, populationMembers } from './measures.js';
import type { ClinicalModel, ReportingPeriod } from './model.js';

export interface ExpectedSearch {
  /** What the search is, for messages: `ComputeCovidImpact|1.0.0 numC19Pats 2020-04-03`, `Encounter-patient`. */
  label: string;
  type: string;
  /** Decoded name/value pairs in the Measure's order, its parameters substituted. */
  params: Array<[string, string]>;
  /** `Type/id` of every resource the search must match (its `_include`d resources are no members), sorted. */
  members: string[];
}

/** `[name]=[value]` pairs of a query as written (`Type?a=b&c=d`), decoded, `@Name` parameters substituted. */
function parse(expression: string, substitute: (name: string) => string): { type: string; params: Array<[string, string]> } {
  const [type = '', query = ''] = expression.split('?');
  const params = query
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      const value = decodeURIComponent(pair.slice(eq + 1)).replace(/@([A-Z][A-Za-z0-9]*(?:\.[A-Za-z]+)?)/g, (_, name: string) => substitute(name));
      return [decodeURIComponent(pair.slice(0, eq)), value];
    });
  return { type, params };
}

/** `@ReportingPeriod.start`/`.end` and the value sets a Library names by attachment id. */
function substitution(period: ReportingPeriod): (name: string) => string {
  return (name) => {
    if (name === 'ReportingPeriod.start') return period.start;
    if (name === 'ReportingPeriod.end') return period.end;
    if (VALUE_SETS[name]) return valueSetUrl(name);
    throw new Error(`the bundled Measures use a parameter @${name} the Data Source searches do not know`);
  };
}

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();

/** Both ComputeCovidImpact versions, as fixtures/compute holds them, oldest first. */
function impactMeasures(): Measure[] {
  const measures = (fixtureResources('compute', ['Measure']) as Measure[]).filter((m) => m.url === COMPUTE_MEASURE_URL);
  return measures.sort((a, b) => (a.version ?? '').localeCompare(b.version ?? '', 'en', { numeric: true }));
}

/** Every population search of both ComputeCovidImpact versions for the period, with its members. */
export function populationSearches(model: ClinicalModel, period: ReportingPeriod): ExpectedSearch[] {
  return impactMeasures().flatMap((measure) => {
    const version = MEASURE_VERSIONS.find((v) => v.version === measure.version);
    if (!version) throw new Error(`the generator counts no version ${measure.version} of ${measure.url}`);
    const groups = populationMembers(model, version, period);
    return (measure.group ?? []).flatMap((group) =>
      (group.population ?? []).map((population): ExpectedSearch => {
        const groupCode = group.code?.coding?.[0]?.code ?? '';
        const code = population.code?.coding?.[0]?.code ?? '';
        const members = groups.find((g) => g.code === groupCode)?.populations.find((p) => p.code === code)?.members;
        if (!members) throw new Error(`the generator has no members for ${measure.url}|${measure.version} ${groupCode}/${code}`);
        const { type, params } = parse(population.criteria.expression ?? '', substitution(period));
        return { label: `ComputeCovidImpact|${measure.version} ${code} ${period.start.slice(0, 10)}`, type, params, members: sorted(members.map((m) => `${m.resourceType}/${m.id}`)) };
      }),
    );
  });
}

/** The ComputeSearchCoverage query of one type and parameter for the period, with its members. */
export function coverageSearch(model: ClinicalModel, type: string, parameter: string, period: ReportingPeriod): ExpectedSearch {
  const population = coveragePopulation(type, parameter);
  const { params } = parse(population.expression, substitution(period));
  const day = parameter === 'date' ? ` ${period.start.slice(0, 10)}` : '';
  return { label: `${population.code}${day}`, type, params, members: sorted(coverageMembers(model, type, parameter, period)) };
}

/** The value-set criteria of ComputeCovidImpact, each alone: `name:in=<canonical>` on its type. */
export function valueSetSearches(model: ClinicalModel): ExpectedSearch[] {
  const alone = (type: string, name: string, valueSet: string, members: readonly { id: string }[]): ExpectedSearch => ({
    label: `${type}?${name}:in=${valueSet}`,
    type,
    params: [[`${name}:in`, valueSetUrl(valueSet)]],
    members: sorted(members.map((m) => `${type}/${m.id}`)),
  });
  return [
    alone(
      'Encounter',
      'reason-code',
      'SuspectedOrConfirmedCOVID19Diagnoses',
      model.encounters.filter((e) => inValueSet(e.reason, COVID_DIAGNOSES)),
    ),
    alone(
      'Procedure',
      'code',
      'VentilationProcedures',
      model.procedures.filter((p) => inValueSet(p.code, VENTILATION_PROCEDURES)),
    ),
    alone(
      'Observation',
      'code',
      'SARSCoV2Labs',
      model.observations.filter((o) => inValueSet(o.code, SARS_COV2_LABS)),
    ),
    alone(
      'Observation',
      'value-concept',
      'PositiveResults',
      model.observations.filter((o) => inValueSet(o.value, POSITIVE_RESULTS)),
    ),
  ];
}

const codeList = (codes: readonly Coding[]) => codes.map((c) => `${c.system}|${c.code}`).join(',');
const byUrl: ReadonlyMap<string, readonly Coding[]> = new Map(Object.entries(VALUE_SETS).map(([name, codes]) => [valueSetUrl(name), codes]));

/** Whether any parameter uses `:in` on a value set the generator knows. */
export function usesValueSetModifier(params: ReadonlyArray<readonly [string, string]>): boolean {
  return params.some(([name, value]) => name.endsWith(':in') && byUrl.has(value));
}

/** The same search with each `name:in=<value set>` sent as `name=<its codes>`, as a Measure Computer does for a Data Source without `:in`. */
export function withCodeLists(params: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
  return params.map(([name, value]): [string, string] => {
    const codes = name.endsWith(':in') ? byUrl.get(value) : undefined;
    return codes ? [name.slice(0, -':in'.length), codeList(codes)] : [name, value];
  });
}
