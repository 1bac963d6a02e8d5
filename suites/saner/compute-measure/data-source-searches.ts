/**
 * The searches a Measure Computer makes of the Data Source, judged against the generator's members.
 * Each SANER-CM-DS row is decided by the ComputeSearchCoverage query of its type and parameter
 * (one parameter alone, the values the Measure names), one test per parameter over every type
 * that has it; the rows naming parameters R4 lacks keep their not-applicable reason (digest §7
 * D8). ComputeCovidImpact's own queries, with `:in`, `_include` and paging, decide SANER-CM-PG-003:
 * the Data Source returns the requested data.
 */
import type { Encounter, Procedure } from 'fhir/r4.js';
import { HarnessError, test, type TestDefinition } from '../../../src/engine/index.js';
import { computeMeasureRequirements } from '../../../ig/saner/compute-measure-capabilities.js';
import { CANONICAL_BASE } from '../../../simulators/data-source/codes.js';
import { COVERAGE_RECORDS, COVERED_PARAMETERS } from '../../../simulators/data-source/coverage.js';
import type { CoverageType, ReportingPeriod } from '../../../simulators/data-source/model.js';
import { coverageSearch, populationSearches, valueSetSearches, type ExpectedSearch } from '../../../simulators/data-source/searches.js';
import { describeSearch, follow, judgeable, judgeMembers, modifierClaim, refusal, searchAll, searchAsComputer, send, type DataSourceTest } from './data-source-checks.js';
import { keyOf, type DataSourceFixture } from './data-source-setup.js';

/** The Data Source returns the requested data (transaction-4). */
export const RETURNS_DATA = 'SANER-CM-PG-003';

export interface DataSourceRow {
  id: string;
  type: string;
  /** The search parameter, or undefined for the row of the type's search interaction. */
  parameter?: string;
}

/** Every SANER-CM-DS row a search decides: each type's search, and each parameter R4 defines for it. */
export const DATA_SOURCE_ROWS: readonly DataSourceRow[] = computeMeasureRequirements.flatMap((r): DataSourceRow[] => {
  if (!r.id.startsWith('SANER-CM-DS-') || r.notTestedReason) return [];
  const match = /^(\w+)\.(?:interaction\[search-type\]|searchParam\[([^\]]+)\])$/.exec(r.element ?? '');
  if (!match) return [];
  const [, type = '', parameter] = match;
  if (parameter !== undefined && !COVERED_PARAMETERS[type]?.includes(parameter)) {
    throw new HarnessError(`${r.id} (${type} ${parameter}) has no ComputeSearchCoverage query to decide it`);
  }
  return [{ id: r.id, type, ...(parameter !== undefined ? { parameter } : {}) }];
});

const rowsOf = (parameter: string) => DATA_SOURCE_ROWS.filter((r) => r.parameter === parameter);

const day = (t: DataSourceTest): ReportingPeriod => t.fixture.dataSet.periods[0]!;

/** One search of the coverage Measure, sent and judged for one row. */
async function judgeCoverage(t: DataSourceTest, search: ExpectedSearch, requirement: string): Promise<void> {
  const answer = await searchAll(t, search.type, search.params, requirement);
  if (answer) judgeMembers(t, describeSearch(search.type, search.params), answer, search.members, requirement);
}

function parameterTest(parameter: string, title: string, negativeControl: string, description: string): TestDefinition<DataSourceFixture> {
  const rows = rowsOf(parameter);
  return test<DataSourceFixture>(title, {
    requirements: rows.map((r) => r.id),
    negativeControl,
    description,
    async run(t) {
      for (const row of rows) {
        if (!judgeable(t, row.type, row.id)) continue;
        // Only the date search depends on the day; it is asked for each day of the data set's week.
        const periods = parameter === 'date' ? t.fixture.dataSet.periods : [day(t)];
        for (const period of periods) await judgeCoverage(t, coverageSearch(t.fixture.dataSet.model, row.type, parameter, period), row.id);
      }
    },
  });
}

const parameterTests = [
  parameterTest(
    '_id',
    'search by _id returns exactly the resources with those ids, on every Compute Measure type',
    'ignore-search-param:_id',
    '_id is searched as the token R4 makes it (digest §7 D8): two ids of the data set per type.',
  ),
  parameterTest('patient', 'search by patient returns exactly the records of that patient', 'ignore-search-param:patient', 'patient=Patient/pat-000001 on every type that has the parameter.'),
  parameterTest(
    'encounter',
    'search by encounter returns exactly the records of that encounter',
    'ignore-search-param:encounter',
    'encounter=Encounter/<a coverage encounter> on every type where R4 defines it.',
  ),
  parameterTest(
    'code',
    'search by code (system|code) returns exactly the records with that code',
    'ignore-search-param:code',
    "A code of each type's coverage records that nothing else in the data carries.",
  ),
  parameterTest('class', 'Encounter search by class returns exactly the encounters of that class', 'ignore-search-param:class', 'class=AMB, searched as the token R4 makes it (digest §7 D8).'),
  parameterTest(
    'date',
    "Encounter search by a day's date range returns exactly the encounters overlapping it, its end excluded",
    'date-end-inclusive',
    'date=ge<day start>&date=lt<day end> for each day of the week, as a Measure Computer substitutes @ReportingPeriod: the boundary encounters end at the start instant, start at the end instant, or last no time at the end instant.',
  ),
];

/** A system no record of the data set carries. */
const OTHER_SYSTEM = `${CANONICAL_BASE}/CodeSystem/not-in-the-data-set`;

const codeSystemTest = test<DataSourceFixture>('a code search matches the system as well as the code, and a code alone matches it in any system', {
  requirements: rowsOf('code').map((r) => r.id),
  negativeControl: 'token-ignores-system',
  description: `For each type with a code search: code=<code> (no system) finds the records with that code, and code=${OTHER_SYSTEM}|<the same code> finds none of them (R4 token search).`,
  async run(t) {
    for (const row of rowsOf('code')) {
      if (!judgeable(t, row.type, row.id)) continue;
      const [{ code }] = COVERAGE_RECORDS[row.type as CoverageType].codes;
      const { members } = coverageSearch(t.fixture.dataSet.model, row.type, 'code', day(t));
      await judgeCoverage(t, { label: 'code alone', type: row.type, params: [['code', code!]], members }, row.id);
      await judgeCoverage(t, { label: 'code of another system', type: row.type, params: [['code', `${OTHER_SYSTEM}|${code}`]], members: [] }, row.id);
    }
  },
});

const valueSetTest = test<DataSourceFixture>('searches with :in return exactly the records coded from the value set', {
  requirements: RETURNS_DATA,
  negativeControl: 'in-modifier-400',
  description:
    'The value-set criteria of ComputeCovidImpact alone (Encounter reason-code:in, Procedure code:in, Observation code:in and value-concept:in, each naming a bundled ValueSet the suite loaded). A Data Source need not take :in (a Measure Computer then sends the codes, SANER-CM-PG-004): one whose CapabilityStatement does not list it, or that refuses it without listing it, is not judged here; one that lists it must answer it.',
  async run(t) {
    for (const search of valueSetSearches(t.fixture.dataSet.model)) {
      if (!judgeable(t, search.type, RETURNS_DATA) || !judgeable(t, 'ValueSet', RETURNS_DATA)) continue;
      const name = search.params[0]![0];
      const claim = modifierClaim(t.fixture.capability, search.type, name);
      if (claim === 'not-listed') {
        t.undecided(RETURNS_DATA, `the SUT's CapabilityStatement lists modifiers of ${search.type} but not ${name}: a Measure Computer sends the value set's codes instead (SANER-CM-PG-004)`);
        continue;
      }
      const what = describeSearch(search.type, search.params);
      const first = await send(t, search.type, [...search.params, ['_count', '1000']]);
      const why = refusal(first);
      if (why && claim === 'listed') {
        t.expect(false, `${what} ${why}; the CapabilityStatement lists ${name} for ${search.type}, so expected the value set's records`);
        continue;
      }
      if (why) {
        t.undecided(RETURNS_DATA, `${what} ${why}, and the CapabilityStatement does not claim ${name}: a Measure Computer sends the value set's codes instead (SANER-CM-PG-004)`);
        continue;
      }
      const answer = await follow(t, first, search.type, RETURNS_DATA);
      if (answer) judgeMembers(t, what, answer, search.members, RETURNS_DATA);
    }
  },
});

/** Each distinct search once: the Location criteria are the same every day and in both versions. */
function distinct(searches: readonly ExpectedSearch[]): ExpectedSearch[] {
  const seen = new Set<string>();
  return searches.filter((s) => {
    const key = describeSearch(s.type, s.params);
    return !seen.has(key) && Boolean(seen.add(key));
  });
}

const populationTest = test<DataSourceFixture>("ComputeCovidImpact's searches return exactly each population's members on every day", {
  requirements: RETURNS_DATA,
  negativeControl: 'date-end-inclusive',
  description:
    'Every population criterion of both Measure versions, with @ReportingPeriod substituted for each day of the week: status, class, dates, value sets (:in, or their codes where the Data Source does not take :in), Location physical type and operational status, _include. The boundary records (results at the start and end instants, times written with offsets, decoy codes) are among them.',
  async run(t) {
    const refused = new Set<string>();
    const searches = distinct(t.fixture.dataSet.periods.flatMap((p) => populationSearches(t.fixture.dataSet.model, p)));
    for (const search of searches) {
      if (!judgeable(t, search.type, RETURNS_DATA)) continue;
      const answer = await searchAsComputer(t, search, refused, RETURNS_DATA);
      if (answer) judgeMembers(t, `${search.label}: ${describeSearch(search.type, search.params)}`, answer, search.members, RETURNS_DATA);
    }
  },
});

const includeTest = test<DataSourceFixture>('_include brings the patient of every match along', {
  requirements: RETURNS_DATA,
  negativeControl: 'drop-include',
  description:
    "The Encounter and Procedure criteria of ComputeCovidImpact carry _include=<Type>:subject, so a Measure Computer can stratify by the patient without reading each one: every matched record's subject must come back as an included Patient. Asked for the third day of the week (the Measure Computer suite's reporting day); the matches themselves are judged on every day by the population test.",
  async run(t) {
    const refused = new Set<string>();
    const periods = t.fixture.dataSet.periods;
    const searches = distinct(populationSearches(t.fixture.dataSet.model, periods[Math.min(2, periods.length - 1)]!)).filter((s) => s.params.some(([n]) => n === '_include'));
    for (const search of searches) {
      if (!judgeable(t, search.type, RETURNS_DATA) || !judgeable(t, 'Patient', RETURNS_DATA)) continue;
      const answer = await searchAsComputer(t, search, refused, RETURNS_DATA);
      if (!answer) continue;
      const included = new Set(answer.included.map(keyOf));
      const subjects = [
        ...new Set(
          answer.matches.filter((m) => t.fixture.held.has(keyOf(m))).map((m) => (m as Encounter | Procedure).subject?.reference?.replace(/^.*\/(Patient\/[^/]+)$/, '$1') ?? `${keyOf(m)} (no subject)`),
        ),
      ];
      const include = search.params.find(([n]) => n === '_include')![1];
      t.expectEvery(subjects, (s) => included.has(s), `${search.label}: the subject of every match of the data set is included (_include=${include})`, { show: (s) => `${s} not included` });
    }
  },
});

/** The whole week as one period: the widest date search a Measure Computer might make. */
function week(t: DataSourceTest): ReportingPeriod {
  const periods = t.fixture.dataSet.periods;
  const [first, last] = [periods[0]!, periods[periods.length - 1]!];
  return { start: first.start, end: last.end, startMs: first.startMs, endMs: last.endMs };
}

const PAGE = 25;

const pagingTest = test<DataSourceFixture>('a search asked for pages of 25 returns every match once over its next links', {
  requirements: RETURNS_DATA,
  negativeControl: 'no-next-link',
  description: `The Encounters of the whole week (date=ge<first day>&date=lt<day after the last>, _count=${PAGE}): more than one page of them, which a Measure Computer reads by following the next links.`,
  async run(t) {
    if (!judgeable(t, 'Encounter', RETURNS_DATA)) return;
    const search = coverageSearch(t.fixture.dataSet.model, 'Encounter', 'date', week(t));
    const what = describeSearch(search.type, [...search.params, ['_count', String(PAGE)]]);
    const answer = await searchAll(t, search.type, search.params, RETURNS_DATA, { count: PAGE });
    if (!answer) return;
    const sizes = answer.pageSizes.join(', ');
    t.expect(
      answer.pageSizes.every((n) => n <= PAGE),
      `${what} answered ${answer.pageSizes.length} page(s) of ${sizes} matches; expected at most ${PAGE} a page`,
    );
    t.expect(answer.complete, answer.complete ? `the next links led to a last page (${answer.pageSizes.length} pages)` : `the next links did not end within ${answer.pageSizes.length} pages`);
    const keys = answer.matches.map(keyOf);
    const twice = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
    t.expect(
      twice.length === 0,
      twice.length ? `${twice.length} match(es) came on more than one page (${twice.slice(0, 5).join(', ')}); expected each once` : `each of the ${keys.length} matches came once`,
    );
    judgeMembers(t, `${what}, every page`, answer, search.members, RETURNS_DATA);
  },
});

export const searchTests: TestDefinition<DataSourceFixture>[] = [...parameterTests, codeSystemTest, valueSetTest, populationTest, includeTest, pagingTest];
