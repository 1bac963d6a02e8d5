/**
 * SANER Query Measure, the Measure Source as server: the harness is the Measure Consumer. Covers
 * the MeasureSource-QueryMeasure-Pull and -CSV-Pull CapabilityStatements and the transaction's
 * page rules, on whatever data the SUT holds (or the project's fixtures, with `seed`).
 */
import type { Bundle, CapabilityStatement, Location, Measure, MeasureReport, Organization, Resource } from 'fhir/r4.js';
import { statusText } from '../../../src/engine/index.js';
import { ATTESTED_FALSE, defineSuite, test, type CheckOptions, type FhirResponse, type TestDefinition, type WireFormat } from '../../../src/engine/index.js';
import { MEASURE_SOURCE_QM_CSV_PULL, MEASURE_SOURCE_QM_PULL } from '../../../ig/saner/capabilities.js';
import { csvTests } from './source-csv-tests.js';
import { aResource, cited, idsOf, includesOf, matchesOf, matchesOrSkip, quietMatches, servedOf, theReport, validateServed, walkPages, type SourceTest } from './source-checks.js';
import { discover, type SourceData } from './source-data.js';
import { searchTests } from './source-search-tests.js';
import type { ActorId } from '../../../ig/actors.js';

const MEDIA = { json: 'application/fhir+json', xml: 'application/fhir+xml' } as const;
const FHIR_TYPES = [
  [MEDIA.json, 'json'],
  [MEDIA.xml, 'xml'],
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

type Ask = { formatParam?: string; accept?: string };

/**
 * A read and a search of each resource type of the transaction, asked for in one way: the suite's
 * report, its Measure, its subject Location and its reporter Organization ("any read or search").
 */
async function readAndSearch(t: SourceTest, ask: Ask): Promise<FhirResponse[]> {
  const r = theReport(t);
  const sampled: Resource[] = [r, ...[t.fixture.measure, t.fixture.location, t.fixture.organization].filter((x): x is NonNullable<typeof x> => x?.id !== undefined)];
  const missing = ['Measure', 'Location', 'Organization'].filter((type) => !sampled.some((x) => x.resourceType === type));
  if (missing.length)
    t.note(
      `asked of MeasureReport${
        sampled.length > 1
          ? ` and ${sampled
              .slice(1)
              .map((x) => x.resourceType)
              .join(', ')}`
          : ''
      } only: the report names no ${missing.join(', ')} the SUT serves`,
    );
  const answers: FhirResponse[] = [];
  for (const x of sampled) answers.push(await t.sut.read(x.resourceType, x.id!, ask), await t.sut.search(x.resourceType, { _id: x.id! }, ask));
  return answers;
}

/** Whether an answer is labelled with the FHIR media type of `format`. */
function labelledAs(res: FhirResponse, format: WireFormat): boolean {
  return res.format === format && (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === MEDIA[format];
}

/** Whether an answer came in `format`: 200, labelled with its FHIR media type, and parsing as it. */
function answeredIn(res: FhirResponse, format: WireFormat): boolean {
  return res.status === 200 && labelledAs(res, format) && res.tryResource().ok;
}

/** Each answer is 200, labelled with the format asked for, and parses as it. */
function expectFormat(t: SourceTest, responses: FhirResponse[], format: WireFormat, how: string, options: CheckOptions = cited(t)): void {
  for (const res of responses) {
    const answered = `${how}: ${res.exchange.method} ${res.exchange.url} answered ${statusText(res.status)}`;
    if (!t.expect(res.status === 200, res.status === 200 ? answered : `${answered}; expected 200 OK`, options)) continue;
    const contentType = res.headers['content-type'];
    const labelled = labelledAs(res, format);
    t.expect(labelled, `${how}: Content-Type is ${contentType ?? 'missing'}${labelled ? '' : `; expected ${MEDIA[format]}`}`, options);
    const parsed = res.tryResource();
    t.expect(parsed.ok, parsed.ok ? `${how}: the body parses as FHIR ${res.format!.toUpperCase()}` : `${how}: ${parsed.error}`, options);
  }
}

/** The values whose format the SUT lists; the others are noted, as XML is judged by SANER-QM-FMT-002. */
function servedValues<V extends readonly [string, WireFormat]>(t: SourceTest, values: readonly V[]): V[] {
  const unlisted = values.filter(([, f]) => !t.fixture.formats.includes(f));
  if (unlisted.length)
    t.note(`not asked: ${unlisted.map(([v]) => v).join(', ')} (the CapabilityStatement does not list ${[...new Set(unlisted.map(([, f]) => f))].join(' or ')}; SANER-QM-FMT-00x judges that format)`);
  return values.filter(([, f]) => t.fixture.formats.includes(f));
}

/** One format row: a search and a read of MeasureReport asked for in that format, whatever the CapabilityStatement lists. */
function formatRowTest(format: WireFormat, requirement: string, negativeControl: string): TestDefinition<SourceData> {
  return test<SourceData>(`reads and searches answer in ${format.toUpperCase()} when asked`, {
    requirements: requirement,
    negativeControl,
    description: `The Query Measure page makes application/fhir+${format} a SHALL of the Measure Source, so it is asked for even when the CapabilityStatement does not list ${format}.`,
    async run(t) {
      const how = `Accept: ${MEDIA[format]}`;
      const search = await t.sut.search('MeasureReport', { _count: 1 }, { format });
      expectFormat(t, [search], format, how);
      const first = quietMatches<MeasureReport>(search, 'MeasureReport')[0];
      if (!first?.id) return t.note('the search found no MeasureReport, so only the search was asked for');
      const read = await t.sut.read('MeasureReport', first.id, { format });
      expectFormat(t, [read], format, how);
      const got = read.tryResource();
      if (got.ok)
        t.expect(
          got.resource.id === first.id,
          `the ${format.toUpperCase()} read of MeasureReport/${first.id} returned ${got.resource.resourceType}/${got.resource.id}${got.resource.id === first.id ? '' : `; expected MeasureReport/${first.id}`}`,
        );
    },
  });
}

const formatTests = [
  formatRowTest('json', 'SANER-QM-FMT-001', 'refuse-format:json'),
  // A server answering JSON whatever is asked fails the XML row as a JSON-only one does.
  formatRowTest('xml', 'SANER-QM-FMT-002', 'ignore-format'),
  test<SourceData>('_format with a FHIR media type selects the format of reads and searches', {
    requirements: 'SANER-QM-PG-002',
    negativeControl: 'ignore-format',
    async run(t) {
      for (const [value, format] of servedValues(t, FHIR_TYPES)) expectFormat(t, await readAndSearch(t, { formatParam: value, accept: '*/*' }), format, `_format=${value}`);
    },
  }),
  test<SourceData>('Accept with a FHIR media type selects the format of reads and searches', {
    requirements: 'SANER-QM-PG-004',
    negativeControl: 'ignore-format',
    async run(t) {
      for (const [value, format] of servedValues(t, FHIR_TYPES)) expectFormat(t, await readAndSearch(t, { accept: value }), format, `Accept: ${value}`);
    },
  }),
  test<SourceData>('_format takes the short and legacy format values', {
    requirements: 'SANER-QM-PG-003',
    negativeControl: 'legacy-formats-406',
    async run(t) {
      for (const [value, format] of servedValues(t, LEGACY)) expectFormat(t, await readAndSearch(t, { formatParam: value, accept: '*/*' }), format, `_format=${value}`);
    },
  }),
  test<SourceData>('Accept takes the short and legacy media types', {
    requirements: 'SANER-QM-PG-005',
    negativeControl: 'legacy-formats-406',
    async run(t) {
      for (const [value, format] of servedValues(t, LEGACY)) expectFormat(t, await readAndSearch(t, { accept: value }), format, `Accept: ${value}`);
    },
  }),
  test<SourceData>('_format wins over Accept', {
    requirements: 'SANER-QM-PG-006',
    negativeControl: 'ignore-format-param',
    description:
      'Asked with the SHALL values (application/fhir+json, application/fhir+xml): Accept names one format and _format the other, which the answer must come in; the short values belong to SANER-QM-PG-003.',
    async run(t) {
      for (const [value, format] of servedValues(t, FHIR_TYPES)) {
        const other = format === 'json' ? MEDIA.xml : MEDIA.json;
        expectFormat(t, await readAndSearch(t, { accept: other, formatParam: value }), format, `Accept: ${other} with _format=${value}`);
      }
    },
  }),
  test<SourceData>('every format value _format takes is taken in Accept too', {
    requirements: 'SANER-QM-PG-007',
    negativeControl: 'accept-fhir-types-only',
    description:
      'Each value is first asked as _format on a read of the report; every value it answers in the format the value names must then select that format as Accept, on the reads and searches of every type the transaction serves.',
    async run(t) {
      const r = theReport(t);
      let taken = 0;
      for (const [value, format] of [...FHIR_TYPES, ...LEGACY]) {
        if (!answeredIn(await t.sut.read('MeasureReport', r.id!, { formatParam: value, accept: '*/*' }), format)) continue;
        taken++;
        expectFormat(t, await readAndSearch(t, { accept: value }), format, `_format=${value} answered ${format.toUpperCase()}, and Accept: ${value}`);
      }
      if (taken === 0) t.undecided('SANER-QM-PG-007', 'the read answered no _format value in the format it names, so there is no value Accept must take too');
    },
  }),
];

/**
 * The first page of a search: its matches, the Bundle's total and whether a next link follows. The
 * search's answer decides the test's requirements unless it is only what they are judged on (`precondition`).
 */
function pageOf(t: SourceTest, res: FhirResponse, use: 'subject' | 'precondition' = 'subject'): { page: MeasureReport[]; total: number | undefined; next: boolean } {
  const page = use === 'subject' ? matchesOf<MeasureReport>(t, res, 'MeasureReport') : matchesOrSkip<MeasureReport>(t, res, 'MeasureReport', 'the default page size');
  const parsed = res.tryResource<Bundle>();
  const bundle = parsed.ok ? parsed.resource : undefined;
  return { page, total: bundle?.total, next: Boolean(bundle?.link?.some((l) => l.relation === 'next')) };
}

/** The page size SANER recommends for a search without _count. */
const DEFAULT_PAGE = 100;

const pagingTests = [
  test<SourceData>('POST _search answers as the same GET search', {
    requirements: 'SANER-QM-PG-001',
    negativeControl: 'no-post-search',
    async run(t) {
      const r = theReport(t);
      const params = { measure: r.measure!.split('|')[0]!, period: [`ge${r.period!.start}`, `le${r.period!.end ?? r.period!.start}`] };
      const viaGet = idsOf(matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', params), 'MeasureReport'));
      const viaPost = idsOf(matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', params, { method: 'POST' }), 'MeasureReport'));
      const same = viaPost.join() === viaGet.join();
      t.expect(
        same,
        `POST [base]/MeasureReport/_search found ${viaPost.length} reports, GET found ${viaGet.length}${same ? ', the same ones' : `; expected the same reports (POST only: ${viaPost.filter((x) => !viaGet.includes(x)).join(', ') || 'none'}; GET only: ${viaGet.filter((x) => !viaPost.includes(x)).join(', ') || 'none'})`}`,
      );
    },
  }),
  test<SourceData>('a search too broad may be refused, but never one by measure and period range', {
    requirements: 'SANER-QM-PG-020',
    negativeControl: 'refuse-interaction:MeasureReport/search-type',
    description:
      'A server may refuse an unbounded search (with 4xx and an OperationOutcome), never measure plus a period range. A server that answers every search does not use this MAY, and the test is skipped.',
    referenceGaps: { 'SANER-QM-PG-020': 'the reference Measure Source answers every search, so it never uses this MAY' },
    async run(t) {
      const unbounded = await t.sut.search('MeasureReport', {});
      if (unbounded.status < 400) return t.skip(`not used (MAY): GET [base]/MeasureReport with no parameters answered ${statusText(unbounded.status)}, so the server refuses no search as too broad`);
      const outcome = unbounded.tryResource();
      const clean = unbounded.status < 500 && outcome.ok && outcome.resource.resourceType === 'OperationOutcome';
      t.expect(
        clean,
        `GET [base]/MeasureReport with no parameters answered ${statusText(unbounded.status)} with ${outcome.ok ? aResource(outcome.resource.resourceType) : 'no OperationOutcome'}${clean ? '' : '; expected a 4xx refusal with an OperationOutcome'}`,
      );
      const measure = t.fixture.measures.find((m) => m.url)?.url ?? t.skip('the SUT lists no Measure with a url to search reports by');
      matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', { measure, period: ['ge2000-01-01', 'le2099-12-31'] }), 'MeasureReport');
    },
  }),
  test<SourceData>('_count bounds the page and a next link leads on', {
    requirements: 'SANER-QM-PG-008',
    negativeControl: 'ignore-count',
    async run(t) {
      const { page, total, next } = pageOf(t, await t.sut.search('MeasureReport', { measure: theReport(t).measure!.split('|')[0]!, _count: 2 }));
      t.expect(page.length <= 2, `_count=2 answered a page of ${page.length} reports${page.length <= 2 ? '' : '; expected at most 2'}`);
      if (total === undefined) return t.note('Bundle.total is absent, so whether more matches follow this page is not known here (the next test walks the links)');
      if (total > page.length) t.expect(next, `the page holds ${page.length} of ${total} matches and has ${next ? 'a' : 'no'} next link${next ? '' : '; expected a next link to the rest'}`);
    },
  }),
  test<SourceData>('following the next links returns every match exactly once', {
    requirements: 'SANER-QM-PG-008',
    negativeControl: 'broken-next-link',
    async run(t) {
      const measure = theReport(t).measure!.split('|')[0]!;
      const whole = await walkPages<MeasureReport>(t, await t.sut.search('MeasureReport', { measure, _count: 100 }), 'MeasureReport');
      const all = idsOf(whole.pages.flat());
      const size = Math.max(1, Math.ceil(all.length / 3));
      const { pages, complete } = await walkPages<MeasureReport>(t, await t.sut.search('MeasureReport', { measure, _count: size }), 'MeasureReport');
      t.expect(
        complete,
        complete ? `the walk over pages of ${size} reached a last page after ${pages.length}` : `the walk over pages of ${size} stopped after ${pages.length} pages without reaching the last`,
      );
      t.expectEvery(pages, (p) => p.length <= size, `every page holds at most ${size} reports`, { show: (p, i) => `page ${i + 1} holds ${p.length}` });
      const walked = idsOf(pages.flat());
      const same = walked.join() === all.join();
      t.expect(
        same,
        `the ${pages.length} pages of ${size} hold ${walked.length} reports of ${measure}${same ? `, the ${all.length} the search matches, each once` : `; expected the ${all.length} the search matches, each once`}`,
      );
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
        const ok = outcome.ok && outcome.resource.resourceType === 'OperationOutcome';
        t.expect(ok, `_include:iterate was refused with ${statusText(res.status)} and ${ok ? 'an OperationOutcome' : `no OperationOutcome; expected one saying why`}`);
        return;
      }
      t.require(res.status === 200, `_include:iterate answered ${statusText(res.status)}${res.status === 200 ? '' : '; expected a clean refusal (4xx) or a search that ignores it (200)'}`);
      const matches = idsOf(matchesOf<MeasureReport>(t, res, 'MeasureReport'));
      const only = matches.join() === `MeasureReport/${report.id}`;
      t.expect(only, `the search matched ${matches.join(', ') || 'nothing'}${only ? '' : `; expected MeasureReport/${report.id} only`}`);
      const literal = new Set([report.subject?.reference, report.reporter?.reference].filter((r): r is string => typeof r === 'string'));
      const beyond = idsOf(includesOf(res)).filter((id) => !literal.has(id));
      t.expect(
        beyond.length === 0,
        beyond.length
          ? `included resources the report does not reference itself: ${beyond.join(', ')} (a recursive include); expected none beyond the first level`
          : 'nothing beyond the first level was included',
      );
    },
  }),
  test<SourceData>('a search without _count answers a bounded page of up to 100', {
    requirements: 'SANER-QM-PG-009',
    negativeControl: 'default-page-size-10',
    description: `Decidable only when more reports match than the page holds or than ${DEFAULT_PAGE}: with fewer matches a bounded and an unbounded server answer alike.`,
    referenceGaps: { 'SANER-QM-PG-009': `the reference Measure Source holds fewer than ${DEFAULT_PAGE} reports of any measure, so its default page cannot be seen (the negative control pages by 10)` },
    async run(t) {
      const measure = theReport(t).measure!.split('|')[0]!;
      const { page, total, next } = pageOf(t, await t.sut.search('MeasureReport', { measure }), 'precondition');
      if (next) {
        const ok = page.length === DEFAULT_PAGE;
        t.expect(ok, `without _count the first page holds ${page.length} of ${total ?? 'more'} matches, with a next link${ok ? '' : `; expected pages of ${DEFAULT_PAGE}, the recommended default`}`);
      } else if (page.length > DEFAULT_PAGE) {
        t.expect(false, `without _count the answer holds all ${page.length} matches in one page; expected a bounded page (${DEFAULT_PAGE} recommended)`);
      } else {
        t.skip(`the search by measure matched ${total ?? page.length} reports, answered in one page: with no more than ${DEFAULT_PAGE} matches a bounded page cannot be told from an unbounded one`);
      }
    },
  }),
];

/** What the content tests judge: the resources the SUT serves; when it serves none, there is nothing to judge. */
async function servedOrSkip<T extends Resource>(t: SourceTest, type: T['resourceType']): Promise<T[]> {
  const served = await servedOf<T>(t, type);
  return served.length ? served : t.skip(`the SUT serves no ${type}, so there is no ${type} content to judge`);
}

const profileTests = [
  test<SourceData>('every MeasureReport served conforms to PublicHealthMeasureReport', {
    requirements: ['SANER-QM-SRC-010', 'SANER-QM-PG-021', 'SANER-CSVPULL-SRC-001'],
    negativeControl: 'invalid-measurereport',
    description: 'The content of what reads and searches return is judged here, with the validation issues as evidence; the reads and searches themselves are judged on their answers.',
    async run(t) {
      await validateServed(t, await servedOrSkip<MeasureReport>(t, 'MeasureReport'));
    },
  }),
  test<SourceData>('every Location and Organization served is valid R4', {
    requirements: 'SANER-QM-PG-021',
    negativeControl: 'invalid-location',
    description: 'The IG defines no profile for them, so they are judged against base R4.',
    async run(t) {
      const locations = await servedOf<Location>(t, 'Location');
      const organizations = await servedOf<Organization>(t, 'Organization');
      if (locations.length + organizations.length === 0) return t.skip('the SUT serves no Location and no Organization, so there is no such content to judge');
      await validateServed(t, [...locations, ...organizations]);
    },
  }),
  test<SourceData>('every Measure served conforms to PublicHealthMeasure', {
    requirements: 'SANER-QM-SRC-027',
    negativeControl: 'invalid-measure',
    async run(t) {
      await validateServed(t, await servedOrSkip<Measure>(t, 'Measure'));
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
        const metadata = { requirement: ['SANER-PG-SRC-002', 'SANER-INT-PG-002'] };
        const res = await t.sut.capabilities();
        t.expectStatus(res, 200, metadata);
        const parsed = res.tryResource<CapabilityStatement>();
        if (!parsed.ok) return t.require(undefined, parsed.error, { requirement: t.requirements });
        const cs = parsed.resource;
        t.require(
          cs.resourceType === 'CapabilityStatement',
          `GET [base]/metadata returned ${aResource(cs.resourceType)}${cs.resourceType === 'CapabilityStatement' ? '' : '; expected a CapabilityStatement'}`,
          { requirement: t.requirements },
        );
        const served = (cs.rest ?? []).filter((r) => r.mode === 'server').flatMap((r) => r.resource ?? []);
        const pull = served.some((r) => r.type === 'MeasureReport' && ['read', 'search-type'].every((c) => r.interaction?.some((i) => i.code === c)));
        t.expect(pull, `the CapabilityStatement ${pull ? 'declares' : 'does not declare'} read and search of MeasureReport${pull ? ': the Pull Option' : '; expected them (the Pull Option)'}`, {
          requirement: 'SANER-PG-SRC-001',
        });
      },
    }),
    test<SourceData>('the Measure Source keeps an audit trail of these exchanges', {
      requirements: 'SANER-SEC-001',
      negativeControl: ATTESTED_FALSE,
      description: 'Audit events live inside the SUT. When its CapabilityStatement offers AuditEvent search, the harness looks for events recorded during this run; otherwise a person attests.',
      async run(t) {
        const res = await t.sut.capabilities();
        const parsed = res.tryResource<CapabilityStatement>();
        const cs = res.status === 200 && parsed.ok ? parsed.resource : undefined;
        const audit = (cs?.rest ?? []).flatMap((r) => r.resource ?? []).find((r) => r.type === 'AuditEvent');
        if (!audit?.interaction?.some((i) => i.code === 'search-type')) {
          t.attest(
            'SANER-SEC-001',
            'did each exchange of this run leave an AuditEvent in the Measure Source, conforming to AuditEventBase? (it offers no AuditEvent search the harness could look in)',
          );
          return;
        }
        const events = await t.sut.search('AuditEvent', { date: `ge${t.fixture.startedAt}` });
        t.expectStatus(events, 200);
        const found = events.entries('AuditEvent').length;
        t.expect(found > 0, `the SUT recorded ${found} AuditEvents since ${t.fixture.startedAt}${found ? '' : '; expected one for each exchange of this run'}`);
      },
    }),
    ...searchTests,
    ...formatTests,
    ...pagingTests,
    ...profileTests,
    ...csvTests,
  ],
});
