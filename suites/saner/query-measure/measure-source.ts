/**
 * SANER Query Measure, the Measure Source as server: the harness is the Measure Consumer. Covers
 * the MeasureSource-QueryMeasure-Pull and -CSV-Pull CapabilityStatements and the transaction's
 * page rules, on whatever data the SUT holds (or the project's fixtures, with `seed`).
 */
import type { Bundle, CapabilityStatement, Measure, MeasureReport } from 'fhir/r4.js';
import { defineSuite, test, type FhirResponse } from '../../../src/engine/index.js';
import { MEASURE_SOURCE_QM_CSV_PULL, MEASURE_SOURCE_QM_PULL } from '../../../ig/saner/capabilities.js';
import { csvTests } from './source-csv-tests.js';
import { idsOf, includesOf, matchesOf, theReport, validateServed, walkPages, type SourceTest } from './source-checks.js';
import { discover, type SourceData } from './source-data.js';
import { searchTests } from './source-search-tests.js';
import type { ActorId } from '../../../ig/actors.js';

const FHIR_TYPES = [
  ['application/fhir+json', 'json'],
  ['application/fhir+xml', 'xml'],
] as const;
/** The short and legacy values the transaction asks servers to take in _format and Accept (SANER-QM-PG-003/005). */
const LEGACY = [
  ['json', 'json'],
  ['xml', 'xml'],
  ['text/xml', 'xml'],
  ['application/json', 'json'],
  ['application/xml', 'xml'],
  ['application/xml+fhir', 'xml'],
  ['application/json+fhir', 'json'],
] as const;

/** A read and a search of the suite's report, asked for in one way. */
async function readAndSearch(t: SourceTest, ask: { formatParam?: string; accept?: string }): Promise<FhirResponse[]> {
  const r = theReport(t);
  return [await t.sut.read('MeasureReport', r.id!, ask), await t.sut.search('MeasureReport', { _id: r.id! }, ask)];
}

function expectFormat(t: SourceTest, responses: FhirResponse[], format: 'json' | 'xml', how: string, requirement?: string): void {
  const options = requirement ? { requirement } : {};
  for (const res of responses) {
    if (!t.expect(res.status === 200, `${how}: ${res.exchange.method} ${res.exchange.url} answered ${res.status}`, options)) continue;
    t.expectContentType(res, format, options);
    const parsed = res.tryResource();
    t.expect(parsed.ok, parsed.ok ? `${how}: the body parses as FHIR ${format}` : `${how}: ${parsed.error}`, options);
  }
}

const formatTests = [
  test<SourceData>('_format with a FHIR media type selects the format of reads and searches', {
    requirements: 'SANER-QM-PG-002',
    negativeControl: 'ignore-format',
    async run(t) {
      for (const [value, format] of FHIR_TYPES) expectFormat(t, await readAndSearch(t, { formatParam: value }), format, `_format=${value}`);
    },
  }),
  test<SourceData>('Accept with a FHIR media type selects the format of reads and searches', {
    requirements: 'SANER-QM-PG-004',
    negativeControl: 'ignore-format',
    async run(t) {
      for (const [value, format] of FHIR_TYPES) expectFormat(t, await readAndSearch(t, { accept: value }), format, `Accept: ${value}`);
    },
  }),
  test<SourceData>('_format takes the short and legacy format values', {
    requirements: 'SANER-QM-PG-003',
    negativeControl: 'legacy-formats-406',
    async run(t) {
      for (const [value, format] of LEGACY) expectFormat(t, await readAndSearch(t, { formatParam: value }), format, `_format=${value}`);
    },
  }),
  test<SourceData>('Accept takes the short and legacy media types', {
    requirements: 'SANER-QM-PG-005',
    negativeControl: 'legacy-formats-406',
    async run(t) {
      for (const [value, format] of LEGACY) expectFormat(t, await readAndSearch(t, { accept: value }), format, `Accept: ${value}`);
    },
  }),
  test<SourceData>('_format wins over Accept', {
    requirements: 'SANER-QM-PG-006',
    negativeControl: 'ignore-format-param',
    async run(t) {
      expectFormat(t, await readAndSearch(t, { accept: 'application/fhir+xml', formatParam: 'json' }), 'json', 'Accept: application/fhir+xml with _format=json');
      expectFormat(t, await readAndSearch(t, { accept: 'application/fhir+json', formatParam: 'xml' }), 'xml', 'Accept: application/fhir+json with _format=xml');
    },
  }),
  test<SourceData>('every format value _format takes is taken in Accept too', {
    requirements: 'SANER-QM-PG-007',
    negativeControl: 'accept-fhir-types-only',
    async run(t) {
      const r = theReport(t);
      for (const [value] of [...FHIR_TYPES, ...LEGACY]) {
        const viaParam = await t.sut.read('MeasureReport', r.id!, { formatParam: value });
        if (viaParam.status !== 200) continue;
        const viaAccept = await t.sut.read('MeasureReport', r.id!, { accept: value });
        t.expect(viaAccept.status === 200, `_format=${value} is taken, and Accept: ${value} answered ${viaAccept.status}`);
      }
    },
  }),
];

const pagingTests = [
  test<SourceData>('POST _search answers as the same GET search', {
    requirements: 'SANER-QM-PG-001',
    negativeControl: 'no-post-search',
    async run(t) {
      const r = theReport(t);
      const params = { measure: r.measure!.split('|')[0]!, period: [`ge${r.period!.start}`, `le${r.period!.end ?? r.period!.start}`] };
      const viaGet = matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', params), 'MeasureReport');
      const viaPost = matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', params, { method: 'POST' }), 'MeasureReport');
      t.expectEqual(idsOf(viaPost), idsOf(viaGet), 'POST [base]/MeasureReport/_search finds the same reports as GET');
    },
  }),
  test<SourceData>('a search by measure and period range is never refused as too broad', {
    requirements: 'SANER-QM-PG-020',
    negativeControl: 'refuse-interaction:MeasureReport/search-type',
    description: 'A server may refuse an unbounded search (with 4xx and an OperationOutcome), never measure plus a period range.',
    async run(t) {
      const measure = t.fixture.measures.find((m) => m.url)?.url ?? t.skip('the SUT lists no Measure with a url to search reports by');
      const unbounded = await t.sut.search('MeasureReport', {});
      if (unbounded.status >= 400) {
        const outcome = unbounded.tryResource();
        t.expect(unbounded.status < 500 && outcome.ok && outcome.resource.resourceType === 'OperationOutcome', `an unbounded search refused with ${unbounded.status} carries an OperationOutcome`);
      } else t.note(`an unbounded search answered ${unbounded.status}`);
      matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', { measure, period: ['ge2000-01-01', 'le2099-12-31'] }), 'MeasureReport');
    },
  }),
  test<SourceData>('_count bounds the page and a next link leads on', {
    requirements: 'SANER-QM-PG-008',
    negativeControl: 'ignore-count',
    async run(t) {
      const res = await t.sut.search('MeasureReport', { measure: theReport(t).measure!.split('|')[0]!, _count: 2 });
      const page = matchesOf<MeasureReport>(t, res, 'MeasureReport');
      t.expect(page.length <= 2, `_count=2 answered a page of ${page.length} reports`);
      const bundle = res.resource<Bundle>();
      if (bundle.total === undefined || bundle.total > 2) t.expect(bundle.link?.some((l) => l.relation === 'next'), 'a page with more matches after it has a next link');
    },
  }),
  test<SourceData>('following the next links returns every match exactly once', {
    requirements: 'SANER-QM-PG-008',
    negativeControl: 'broken-next-link',
    async run(t) {
      const measure = theReport(t).measure!.split('|')[0]!;
      const all = matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', { measure, _count: 1000 }), 'MeasureReport');
      const size = Math.max(1, Math.ceil(all.length / 3));
      const { pages, complete } = await walkPages<MeasureReport>(t, await t.sut.search('MeasureReport', { measure, _count: size }), 'MeasureReport');
      t.expect(complete, `the walk over pages of ${size} reached a last page`);
      t.expectEvery(pages, (p) => p.length <= size, `every page holds at most ${size} reports`);
      const walked = pages.flat();
      t.expectEqual(idsOf(walked), idsOf(all), `the ${pages.length} pages hold the ${all.length} reports of ${measure}, each once`);
    },
  }),
  test<SourceData>('_include:iterate is refused cleanly or left undone', {
    requirements: 'SANER-QM-PG-011',
    negativeControl: 'include-iterate-breaks',
    description: 'A Measure Source should not carry out recursive includes; it may refuse them (4xx with an OperationOutcome) or ignore them (a searchset without the second level).',
    async run(t) {
      const report = theReport(t);
      const res = await t.sut.search('MeasureReport', { _id: report.id!, '_include:iterate': '*' });
      if (res.status >= 400 && res.status < 500) {
        const outcome = res.tryResource();
        t.expect(outcome.ok && outcome.resource.resourceType === 'OperationOutcome', `the ${res.status} refusal carries an OperationOutcome`);
        return;
      }
      t.require(res.status === 200, `_include:iterate answered ${res.status}: neither a clean refusal (4xx) nor a search that ignores it (200)`);
      const matches = matchesOf<MeasureReport>(t, res, 'MeasureReport');
      t.expectEqual(idsOf(matches), [`MeasureReport/${report.id}`], `the search still matches MeasureReport/${report.id} only`);
      const literal = new Set([report.subject?.reference, report.reporter?.reference].filter((r): r is string => typeof r === 'string'));
      const beyond = idsOf(includesOf(res)).filter((id) => !literal.has(id));
      t.expect(beyond.length === 0, beyond.length ? `included resources the report does not reference itself: ${beyond.join(', ')} (a recursive include)` : 'nothing beyond the first level was included');
    },
  }),
  test<SourceData>('a search without _count answers a bounded page of up to 100', {
    requirements: 'SANER-QM-PG-009',
    negativeControl: 'default-page-size-10',
    async run(t) {
      const res = await t.sut.search('MeasureReport', { measure: theReport(t).measure!.split('|')[0]! });
      const page = matchesOf<MeasureReport>(t, res, 'MeasureReport');
      const total = res.resource<Bundle>().total;
      if (total === undefined) return t.skip('Bundle.total is absent, so the page size cannot be judged');
      t.expectEqual(page.length, Math.min(total, 100), `the first page holds min(total ${total}, 100) reports`);
    },
  }),
];

const profileTests = [
  test<SourceData>('every MeasureReport served conforms to PublicHealthMeasureReport', {
    requirements: ['SANER-QM-SRC-010', 'SANER-QM-PG-021', 'SANER-CSVPULL-SRC-001'],
    negativeControl: 'invalid-measurereport',
    async run(t) {
      const { pages } = await walkPages<MeasureReport>(t, await t.sut.search('MeasureReport', { _count: 100 }), 'MeasureReport', 5);
      await validateServed(t, pages.flat());
    },
  }),
  test<SourceData>('every Measure served conforms to PublicHealthMeasure', {
    requirements: 'SANER-QM-SRC-027',
    negativeControl: 'invalid-measure',
    async run(t) {
      const { pages } = await walkPages<Measure>(t, await t.sut.search('Measure', { _count: 100 }), 'Measure', 5);
      await validateServed(t, pages.flat());
    },
  }),
];

export default defineSuite<SourceData>({
  id: 'saner/query-measure/measure-source',
  title: 'SANER Query Measure: Measure Source (server)',
  actorUnderTest: 'QueryMeasureSource' satisfies ActorId,
  role: 'server',
  capabilities: [MEASURE_SOURCE_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL],
  options: ['Pull', 'CSV'],
  setup: discover,
  tests: [
    test<SourceData>('metadata answers a CapabilityStatement with the Query Measure resources', {
      requirements: ['SANER-PG-SRC-002', 'SANER-PG-SRC-001', 'SANER-INT-PG-002'],
      negativeControl: 'no-metadata',
      description: 'A Measure Intermediary is tested as the Measure Source it contains, so its Source-side metadata rule (SANER-INT-PG-002) is decided here too.',
      async run(t) {
        const res = await t.sut.capabilities();
        t.expectStatus(res, 200, { requirement: 'SANER-PG-SRC-002' });
        const cs = res.resource<CapabilityStatement>();
        t.require(cs.resourceType === 'CapabilityStatement', `GET [base]/metadata returned a ${cs.resourceType}`, { requirement: 'SANER-PG-SRC-002' });
        const served = (cs.rest ?? []).filter((r) => r.mode === 'server').flatMap((r) => r.resource ?? []);
        const pull = served.some((r) => r.type === 'MeasureReport' && ['read', 'search-type'].every((c) => r.interaction?.some((i) => i.code === c)));
        t.expect(pull, 'the CapabilityStatement declares read and search of MeasureReport: the Pull Option', { requirement: 'SANER-PG-SRC-001' });
      },
    }),
    test<SourceData>('the Measure Source keeps an audit trail of these exchanges (attestation)', {
      requirements: 'SANER-SEC-001',
      negativeControl: 'no-metadata',
      description: 'Audit events live inside the SUT. When its CapabilityStatement offers AuditEvent search, the harness looks for events recorded during this run; otherwise a person attests.',
      async run(t) {
        const res = await t.sut.capabilities();
        t.require(res.status === 200, `GET [base]/metadata answered ${res.status}, so the harness cannot tell whether AuditEvents are offered`);
        const cs = res.resource<CapabilityStatement>();
        const audit = (cs.rest ?? []).flatMap((r) => r.resource ?? []).find((r) => r.type === 'AuditEvent');
        if (!audit?.interaction?.some((i) => i.code === 'search-type')) {
          return t.manual('the SUT offers no AuditEvent search: a person attests that each exchange of this run left an AuditEvent conforming to AuditEventBase');
        }
        const events = await t.sut.search('AuditEvent', { date: `ge${t.fixture.startedAt}` });
        t.expectStatus(events, 200);
        t.warnUnless(events.entries('AuditEvent').length > 0, `the SUT recorded AuditEvents since ${t.fixture.startedAt}`);
      },
    }),
    ...searchTests,
    ...formatTests,
    ...pagingTests,
    ...profileTests,
    ...csvTests,
  ],
});
