/** The CSV Option of Query Measure on the Measure Source: `$read-csv` and `$search-csv` (§5.2, §5.3, CSV.md §5). */
import type { Binary, Identifier, Measure, MeasureReport } from 'fhir/r4.js';
import { planColumns, readCsvMeasureReports } from '../../../src/csv/index.js';
import { headerOf, layoutProblems } from './csv-layout.js';
import { test, type CheckOptions, type FhirResponse, type TestDefinition } from '../../../src/engine/index.js';
import { aResource, cited, countsOf, csvKey, distanceKm, instant, matchesOrSkip, theReport, utc, type SourceTest } from './source-checks.js';
import { localReference } from './source-data.js';
import type { SourceData } from './source-data.js';

const CSV_ONLY = { options: ['CSV'] };
const ACCEPT_CSV = { accept: 'text/csv' };

function measureOf(t: SourceTest): Measure {
  return t.fixture.measure ?? t.skip(`the SUT holds no Measure ${theReport(t).measure}, which CSV columns come from`);
}

/** The CSV body of an answer, after checking it is CSV; the checks decide what the operation's answer decides (default: all the test cites). */
function csvOf(t: SourceTest, res: FhirResponse, options: CheckOptions = cited(t)): string {
  t.expectStatus(res, 200, options);
  const type = res.headers['content-type'] ?? '';
  const csv = /^text\/csv\b/i.test(type);
  t.require(csv, `Content-Type is ${type ? JSON.stringify(type) : 'missing'}${csv ? '' : '; expected text/csv'}`, options);
  return res.text;
}

async function reportsOfCsv(t: SourceTest, csv: string, measure: Measure, options: CheckOptions = cited(t), map?: string[]): Promise<MeasureReport[]> {
  try {
    const reports = await readCsvMeasureReports(csv, measure, { ...(map ? { map } : {}), unknownColumns: 'error' });
    t.expect(true, `the CSV converts back to ${reports.length} MeasureReports of ${measure.url}`, options);
    return reports;
  } catch (err) {
    return t.require(undefined, `the CSV does not convert back to MeasureReports of ${measure.url}: ${(err as Error).message}`, options);
  }
}

function expectSameNumbers(t: SourceTest, fromCsv: MeasureReport[], fromJson: MeasureReport[], options: CheckOptions = cited(t)): void {
  const keys = [fromCsv.map(csvKey).sort(), fromJson.map(csvKey).sort()] as const;
  const sameKeys = keys[0].join() === keys[1].join();
  t.expect(
    sameKeys,
    `the CSV holds ${fromCsv.length} reports (subject, period) for the ${fromJson.length} of the search${sameKeys ? ', the same ones' : '; expected one per report of the search'}`,
    options,
  );
  const counts = [[...countsOf(fromCsv)].sort(), [...countsOf(fromJson)].sort()] as const;
  const differ = counts[1]
    .filter(([k, v]) => !counts[0].some(([k2, v2]) => k2 === k && v2 === v))
    .map(([k, v]) => `${k} is ${v} in the MeasureReport, ${countsOf(fromCsv).get(k) ?? 'absent'} in the CSV`);
  const sameCounts = differ.length === 0 && counts[0].length === counts[1].length;
  t.expect(
    sameCounts,
    sameCounts
      ? `every one of the ${counts[1].length} population counts of the CSV equals the MeasureReport's`
      : `${differ.length || 'some'} population counts differ (${differ.slice(0, 3).join('; ') || `the CSV has ${counts[0].length} counts, the reports ${counts[1].length}`}); expected the MeasureReports' counts`,
    options,
  );
}

function searchCsv(t: SourceTest, params: Record<string, string | string[]>): Promise<FhirResponse> {
  return t.sut.operation('search-csv', { type: 'MeasureReport', method: 'GET', query: params, ...ACCEPT_CSV });
}

/** Measure and the suite report's day: the base every $search-csv test narrows further. */
function dayOfReport(t: SourceTest): Record<string, string | string[]> {
  const r = theReport(t);
  return { measure: r.measure!.split('|')[0]!, period: [`ge${r.period!.start}`, `le${r.period!.end ?? r.period!.start}`] };
}

/** The reports the REST search selects, which a CSV must hold; a failed search skips the test (the search tests judge it). */
async function jsonSearch(t: SourceTest, params: Record<string, string | string[]>): Promise<MeasureReport[]> {
  return matchesOrSkip<MeasureReport>(t, await t.sut.search('MeasureReport', { ...params, _count: 1000 }), 'MeasureReport', 'the reports the CSV must hold');
}

interface ParamCase {
  param: string;
  requirement: string;
  negativeControl: string;
  value(t: SourceTest): Record<string, string | string[]>;
  /** Whether a report of the day meets the parameter, judged from the report itself. */
  fits(t: SourceTest, report: MeasureReport): boolean;
}

const sameIdentifier = (a: Pick<Identifier, 'system' | 'value'> | undefined, b: Pick<Identifier, 'system' | 'value'> | undefined) => a?.system === b?.system && a?.value === b?.value;
const sameTarget = (a: string | undefined, b: string | undefined) => localReference(a)?.id === localReference(b)?.id && localReference(a)?.type === localReference(b)?.type;

const token = (id: Pick<Identifier, 'system' | 'value'> | undefined) => (id?.system ? `${id.system}|${id.value}` : (id?.value ?? ''));

/** Each parameter must pick the same reports as the REST search with it (§5.3). */
const PARAM_CASES: ParamCase[] = [
  {
    param: 'subject:identifier',
    requirement: 'SANER-OP-SEARCHCSV-011',
    negativeControl: 'ignore-search-param:subject:identifier',
    value: (t) => ({ 'subject:identifier': token(theReport(t).subject?.identifier) }),
    fits: (t, r) => sameIdentifier(r.subject?.identifier, theReport(t).subject?.identifier),
  },
  {
    param: 'reporter:identifier',
    requirement: 'SANER-OP-SEARCHCSV-008',
    negativeControl: 'ignore-search-param:reporter:identifier',
    value: (t) => ({ 'reporter:identifier': token(theReport(t).reporter?.identifier) }),
    fits: (t, r) => sameIdentifier(r.reporter?.identifier, theReport(t).reporter?.identifier),
  },
  {
    param: 'subject',
    requirement: 'SANER-OP-SEARCHCSV-009',
    negativeControl: 'ignore-search-param:subject',
    value: (t) => ({ subject: theReport(t).subject?.reference ?? t.skip('the suite report has no subject reference') }),
    fits: (t, r) => sameTarget(r.subject?.reference, theReport(t).subject?.reference),
  },
  {
    param: 'reporter',
    requirement: 'SANER-OP-SEARCHCSV-007',
    negativeControl: 'ignore-search-param:reporter',
    value: (t) => ({ reporter: theReport(t).reporter?.reference ?? t.skip('the suite report has no reporter reference') }),
    fits: (t, r) => sameTarget(r.reporter?.reference, theReport(t).reporter?.reference),
  },
  {
    param: 'date',
    requirement: 'SANER-OP-SEARCHCSV-002',
    negativeControl: 'ignore-search-param:date',
    value: (t) => {
      const at = instant(theReport(t).date);
      return { date: [`gt${utc(at - 1000)}`, `lt${utc(at + 1000)}`] };
    },
    fits: (t, r) => Math.abs(instant(r.date) - instant(theReport(t).date)) < 1000,
  },
  {
    param: '_lastUpdated',
    requirement: 'SANER-OP-SEARCHCSV-001',
    negativeControl: 'ignore-search-param:_lastUpdated',
    value: (t) => ({ _lastUpdated: `lt${utc(instant(theReport(t).meta?.lastUpdated) - 1000)}` }),
    fits: (t, r) => instant(r.meta?.lastUpdated) < instant(theReport(t).meta?.lastUpdated) - 1000,
  },
  {
    param: 'measure.title',
    requirement: 'SANER-OP-SEARCHCSV-005',
    negativeControl: 'ignore-search-param:measure.title',
    // Every report of the measure has its title; the title of another measure must select none.
    value: (t) => ({ 'measure.title': otherTitle(t) ?? t.skip('the SUT holds no Measure with a different title') }),
    fits: (t, r) => t.fixture.measures.some((m) => m.url === r.measure?.split('|')[0] && m.title?.toLowerCase().startsWith((otherTitle(t) ?? '').toLowerCase())),
  },
  {
    param: 'subject:Location.near',
    requirement: 'SANER-OP-SEARCHCSV-010',
    negativeControl: 'ignore-search-param:subject:Location.near',
    value: (t) => {
      const here = t.fixture.location?.position ?? t.skip('the subject of the suite report has no position');
      const others = t.fixture.locations.filter((l) => l.position && distanceKm(here, l.position) > 60);
      if (others.length === 0) t.skip('no other facility lies far enough away for near to leave it out');
      return { 'subject:Location.near': `${here.latitude}|${here.longitude}|25|km` };
    },
    // A bounding box is acceptable (SANER-QM-PG-019): anything within 50 km passes.
    fits: (t, r) => {
      const here = t.fixture.location?.position;
      const there = t.fixture.locations.find((l) => sameTarget(`Location/${l.id}`, r.subject?.reference))?.position;
      return !here || !there || distanceKm(here, there) <= 50;
    },
  },
];

/** The title of a Measure other than the suite report's, which none of its reports carries. */
function otherTitle(t: SourceTest): string | undefined {
  const own = t.fixture.measure?.title?.toLowerCase() ?? '';
  return t.fixture.measures.find((m) => m.title && !m.title.toLowerCase().startsWith(own) && !own.startsWith(m.title.toLowerCase()))?.title;
}

function paramTest(c: ParamCase): TestDefinition<SourceData> {
  return test<SourceData>(`$search-csv by ${c.param} selects the reports the search selects`, {
    requirements: c.requirement,
    negativeControl: c.negativeControl,
    preconditions: CSV_ONLY,
    async run(t) {
      const measure = measureOf(t);
      const own = theReport(t);
      const day = new Map((await jsonSearch(t, dayOfReport(t))).map((r) => [csvKey(r), r]));
      const csv = csvOf(t, await searchCsv(t, { ...dayOfReport(t), ...c.value(t) }));
      const keys = (await reportsOfCsv(t, csv, measure)).map(csvKey);
      if (c.fits(t, own))
        t.expect(
          keys.includes(csvKey(own)),
          `the CSV ${keys.includes(csvKey(own)) ? 'has' : 'lacks'} the rows of MeasureReport/${own.id}${keys.includes(csvKey(own)) ? '' : `, which meets ${c.param}; expected them`}`,
        );
      t.expectEvery(keys, (k) => day.has(k) && c.fits(t, day.get(k)!), `every report in the CSV is a report of the day that meets ${c.param}`, {
        show: (k) => `the rows of ${k.replace('|', ' at ')}`,
      });
    },
  });
}

export const csvTests: TestDefinition<SourceData>[] = [
  test<SourceData>('$read-csv answers the report as CSV laid out by the conversion rules', {
    requirements: ['SANER-CSVPULL-SRC-002', 'SANER-QM-PG-023', 'SANER-OP-READCSV-002'],
    negativeControl: 'read-csv-as-json',
    description:
      "The header is judged by CSV.md §3.1, from the Measure and the report: subject, reporter, the period column(s), stratifier and stratum exactly when the report has strata, then each group code followed by its population codes in the Measure's order.",
    preconditions: CSV_ONLY,
    async run(t) {
      const measure = measureOf(t);
      const r = theReport(t);
      const csv = csvOf(t, await t.sut.operation('read-csv', { type: 'MeasureReport', id: r.id!, method: 'GET', ...ACCEPT_CSV }));
      const header = t.require(headerOf(csv), 'the answer has a header row that parses as CSV (RFC 4180)', cited(t));
      const problems = layoutProblems(header, [r], measure);
      t.expect(
        problems.length === 0,
        `the header row ${JSON.stringify(header.join(','))} ${problems.length ? `breaks the layout rules (CSV.md §3.1): ${problems.join('; ')}` : `follows the layout rules (CSV.md §3.1) for MeasureReport/${r.id} and ${measure.url}`}`,
        cited(t),
      );
    },
  }),
  test<SourceData>('$read-csv asked in a FHIR format answers the CSV or a Binary holding it', {
    requirements: 'SANER-OP-READCSV-002',
    negativeControl: 'csv-binary-without-data',
    description:
      "The return parameter is a Binary: asked with Accept: application/fhir+json, FHIR lets a Source answer the Binary resource (contentType text/csv, the CSV base64 in data) or the CSV itself. Either must hold the report's numbers.",
    preconditions: CSV_ONLY,
    async run(t) {
      const measure = measureOf(t);
      const r = theReport(t);
      const res = await t.sut.operation('read-csv', { type: 'MeasureReport', id: r.id!, method: 'GET', format: 'json' });
      t.expectStatus(res, 200);
      let csv: string;
      if (/^text\/csv\b/i.test(res.headers['content-type'] ?? '')) {
        t.note('asked for FHIR JSON, the Source answered the CSV itself, which FHIR allows for a Binary output');
        csv = res.text;
      } else {
        const binary = res.resource<Binary>();
        t.require(
          binary.resourceType === 'Binary',
          `the answer is ${aResource(binary.resourceType)}${binary.resourceType === 'Binary' ? '' : '; expected a Binary holding the CSV, or the CSV itself'}`,
        );
        const labelled = /^text\/csv\b/i.test(binary.contentType ?? '');
        t.expect(labelled, `the Binary's contentType is ${binary.contentType ?? '(none)'}${labelled ? '' : '; expected text/csv'}`);
        t.require(binary.data, binary.data ? `the Binary carries ${binary.data.length} characters of base64 data` : 'the Binary has no data; expected the CSV, base64-encoded');
        csv = Buffer.from(binary.data!, 'base64').toString('utf8');
      }
      expectSameNumbers(t, await reportsOfCsv(t, csv, measure), [r]);
    },
  }),
  test<SourceData>('$read-csv converts back to the numbers of the MeasureReport', {
    requirements: ['SANER-CSVPULL-SRC-002', 'SANER-OP-READCSV-002'],
    negativeControl: 'csv-wrong-counts',
    preconditions: CSV_ONLY,
    async run(t) {
      const measure = measureOf(t);
      const r = theReport(t);
      const csv = csvOf(t, await t.sut.operation('read-csv', { type: 'MeasureReport', id: r.id!, method: 'GET', ...ACCEPT_CSV }));
      expectSameNumbers(t, await reportsOfCsv(t, csv, measure), [r]);
    },
  }),
  test<SourceData>('$read-csv with map renames, selects and orders the columns', {
    requirements: 'SANER-OP-READCSV-001',
    negativeControl: 'csv-map-ignored',
    preconditions: CSV_ONLY,
    async run(t) {
      const measure = measureOf(t);
      const populations = planColumns(measure)
        .measure.filter((c) => c.kind === 'population')
        .slice(0, 2)
        .reverse();
      if (populations.length === 0) return t.skip(`Measure ${measure.url} has no population codes to map`);
      const map = populations.map((c, i) => `${c.system ? `${c.system}|` : ''}${c.code}$Column${i + 1}`).join(',');
      const r = theReport(t);
      const csv = csvOf(t, await t.sut.operation('read-csv', { type: 'MeasureReport', id: r.id!, method: 'GET', query: { map }, ...ACCEPT_CSV }));
      const header = (csv.split(/\r?\n/, 1)[0] ?? '').split(',');
      const mapped = header.filter((h) => h.startsWith('Column'));
      const wanted = populations.map((_c, i) => `Column${i + 1}`);
      const inOrder = mapped.join() === wanted.join();
      t.expect(inOrder, `with map=${map} the mapped columns are ${mapped.join(', ') || 'none'}${inOrder ? ', in map order' : `; expected exactly ${wanted.join(', ')}, in map order`}`);
      const back = await reportsOfCsv(t, csv, measure, cited(t), [map]);
      const counts = countsOf(back);
      t.expectEvery(populations, (c) => [...counts].some(([k, v]) => k.endsWith(`/${c.code}`) && v === countOf(r, c.code)), 'each mapped column holds the count of its population', {
        show: (c) => `the column of ${c.code}`,
      });
    },
  }),
  test<SourceData>('$search-csv answers one CSV with a row for each report the search finds', {
    requirements: ['SANER-CSVPULL-SRC-003', 'SANER-QM-PG-024', 'SANER-OP-SEARCHCSV-012', 'SANER-OP-SEARCHCSV-004', 'SANER-OP-SEARCHCSV-006'],
    negativeControl: 'search-csv-ignore-period',
    preconditions: CSV_ONLY,
    async run(t) {
      const measure = measureOf(t);
      const expected = await jsonSearch(t, dayOfReport(t));
      const csv = csvOf(t, await searchCsv(t, dayOfReport(t)));
      const back = await reportsOfCsv(t, csv, measure);
      const got = back.map(csvKey).sort();
      const want = expected.map(csvKey).sort();
      const same = got.join() === want.join();
      t.expect(
        same,
        `the CSV holds ${got.length} reports (subject, period)${same ? `, the ${want.length} the search by measure and period finds` : `; expected the ${want.length} the search by measure and period finds`}`,
        cited(t),
      );
    },
  }),
  test<SourceData>('$search-csv converts back to the numbers of the MeasureReports', {
    requirements: ['SANER-CSVPULL-SRC-003', 'SANER-OP-SEARCHCSV-012'],
    negativeControl: 'csv-wrong-header',
    preconditions: CSV_ONLY,
    async run(t) {
      const measure = measureOf(t);
      const expected = await jsonSearch(t, dayOfReport(t));
      const csv = csvOf(t, await searchCsv(t, dayOfReport(t)));
      expectSameNumbers(t, await reportsOfCsv(t, csv, measure), expected);
    },
  }),
  test<SourceData>('$search-csv with map lays out the mapped columns', {
    requirements: 'SANER-OP-SEARCHCSV-003',
    negativeControl: 'csv-map-ignored',
    preconditions: CSV_ONLY,
    async run(t) {
      const measure = measureOf(t);
      const first = planColumns(measure).measure.find((c) => c.kind === 'population') ?? t.skip(`Measure ${measure.url} has no population codes to map`);
      const map = `${first.code}$Mapped`;
      const csv = csvOf(t, await searchCsv(t, { ...dayOfReport(t), map }));
      const header = (csv.split(/\r?\n/, 1)[0] ?? '').split(',');
      const columns = header.filter((h) => !['subject', 'reporter', 'period', 'period-start', 'period-end', 'stratifier', 'stratum'].includes(h));
      const one = columns.join() === 'Mapped';
      t.expect(one, `with map=${map} the measure columns are ${columns.join(', ') || 'none'}${one ? '' : '; expected one, named Mapped'}`);
    },
  }),
  test<SourceData>('$search-csv without measure or without period is refused with 400', {
    requirements: ['SANER-OP-SEARCHCSV-004', 'SANER-OP-SEARCHCSV-006'],
    negativeControl: 'search-csv-no-period-check',
    preconditions: CSV_ONLY,
    async run(t) {
      const { measure, period } = dayOfReport(t);
      for (const [missing, params] of [
        ['period', { measure: measure! }],
        ['measure', { period: period! }],
      ] as const) {
        const res = await searchCsv(t, params);
        const about = { requirement: missing === 'measure' ? 'SANER-OP-SEARCHCSV-004' : 'SANER-OP-SEARCHCSV-006' };
        if (!t.expectStatus(res, 400, about)) continue;
        const outcome = res.tryResource();
        const ok = outcome.ok && outcome.resource.resourceType === 'OperationOutcome';
        t.expect(ok, `the 400 without ${missing} carries ${outcome.ok ? aResource(outcome.resource.resourceType) : 'no resource'}${ok ? '' : '; expected an OperationOutcome saying why'}`, about);
      }
    },
  }),
  ...PARAM_CASES.map(paramTest),
];

function countOf(report: MeasureReport, code: string): number | undefined {
  for (const g of report.group ?? []) for (const p of g.population ?? []) if (p.code?.coding?.[0]?.code === code) return p.count;
  return undefined;
}
