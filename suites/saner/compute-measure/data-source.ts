/**
 * SANER Compute Measure (COMPUTE-MX), the Data Source as server: the harness makes the searches a
 * Measure Computer makes for the bundled Measures and judges the answers against the generated
 * data set's expected members. "The Data Source returns the requested data" (transaction-4); the
 * national or regional profiles its resources follow are not SANER's to check (SANER-CM-PG-003).
 *
 * Set-up (data-source-setup.ts): the data set is the generator's, fixed by a patient count and a
 * seed (`sut.dataSet`); setup PUTs it into the SUT unless config says it is there already. With
 * no SUT the reference Data Source, started with that data set, is the SUT, and its faults are the
 * negative controls (core search faults, and in-modifier-400, date-end-inclusive and
 * token-ignores-system of its own).
 *
 * Tests: the CapabilityStatement (SANER-PG-DS-001), search of each type by GET and POST (the
 * SANER-CM-DS search rows), and the searches of data-source-searches.ts (the parameter rows, and
 * the Measure's own queries with `:in`, `_include` and paging).
 */
import type { CapabilityStatement } from 'fhir/r4.js';
import { defineSuite, test } from '../../../src/engine/index.js';
import { DATA_SOURCE_CM } from '../../../ig/saner/capabilities.js';
import type { ActorId } from '../../../ig/actors.js';
import { coverageSearch } from '../../../simulators/data-source/searches.js';
import { describeSearch, judgeable, searchAll } from './data-source-checks.js';
import { DATA_SOURCE_ROWS, searchTests } from './data-source-searches.js';
import { DATA_SET_DEFAULTS, keyOf, setUpDataSource, type DataSourceFixture } from './data-source-setup.js';

const searchRows = DATA_SOURCE_ROWS.filter((r) => r.parameter === undefined);

const metadataTest = test<DataSourceFixture>('metadata answers a CapabilityStatement', {
  requirements: 'SANER-PG-DS-001',
  negativeControl: 'no-metadata',
  async run(t) {
    const res = await t.sut.capabilities();
    if (!t.expectStatus(res, 200)) return;
    const parsed = res.tryResource<CapabilityStatement>();
    if (!parsed.ok) return void t.expect(false, parsed.error);
    const cs = parsed.resource;
    if (
      !t.expect(
        cs.resourceType === 'CapabilityStatement',
        cs.resourceType === 'CapabilityStatement'
          ? `GET [base]/metadata answered a CapabilityStatement (${cs.software?.name ?? 'no software name'})`
          : `GET [base]/metadata answered a ${cs.resourceType}; expected a CapabilityStatement`,
      )
    )
      return;
    const listed = new Set<string>(
      (cs.rest ?? [])
        .filter((r) => r.mode === 'server')
        .flatMap((r) => r.resource ?? [])
        .map((r) => r.type),
    );
    const missing = searchRows.map((r) => r.type).filter((type) => !listed.has(type));
    if (missing.length) t.note(`it lists no ${missing.join(', ')}: their search rows are judged on the searches themselves`);
  },
});

const searchTypeTest = test<DataSourceFixture>('each Compute Measure resource type is searched by GET and by POST _search alike', {
  requirements: searchRows.map((r) => r.id),
  negativeControl: 'no-post-search',
  description:
    'A Measure Computer may search by GET or by POST (transaction-4, Measure Computer): for each type, GET [base]/Type?_id=<two ids of the data set> and the same as POST [base]/Type/_search must answer searchsets with the same resources of the data set.',
  async run(t) {
    for (const row of searchRows) {
      const search = coverageSearch(t.fixture.dataSet.model, row.type, '_id', t.fixture.dataSet.periods[0]!);
      const viaGet = await searchAll(t, row.type, search.params, row.id);
      const viaPost = await searchAll(t, row.type, search.params, row.id, { method: 'POST' });
      // A type the SUT did not take can still show that it is searched; what it holds of the data set cannot.
      if (!viaGet || !viaPost || !judgeable(t, row.type, row.id)) continue;
      const ours = (answer: typeof viaGet) => [...new Set(answer.matches.map(keyOf).filter((k) => t.fixture.held.has(k)))].sort();
      t.expect(ours(viaGet).length > 0, `${describeSearch(row.type, search.params)} answered a searchset with ${ours(viaGet).length} ${row.type} resource(s) of the data set`, { requirement: row.id });
      t.expectEqual(ours(viaPost), ours(viaGet), `${describeSearch(row.type, search.params, 'POST')} found the same ${row.type} resources of the data set as GET`, { requirement: row.id });
    }
  },
});

export default defineSuite<DataSourceFixture>({
  id: 'saner/compute-measure/data-source',
  title: 'SANER Compute Measure: Data Source (server)',
  actorUnderTest: 'DataSource' satisfies ActorId,
  role: 'server',
  capabilities: [DATA_SOURCE_CM],
  // With no SUT the reference Data Source generates this data set, and the suite is told it holds it.
  simulatorOptions: { ...DATA_SET_DEFAULTS },
  setup: setUpDataSource,
  tests: [metadataTest, searchTypeTest, ...searchTests],
});
