/**
 * SANER Query Measure (PULL-TX), Measure Consumer side: the SUT is a client. The harness runs the
 * reference Measure Source (whose next links are opaque page tokens, as many servers' are); the
 * suite's setup triggers the SUT once, telling it which of the consumer's capabilities to show,
 * and records every query until its traffic settles. Each test judges that one recording:
 * parameters and values, formats asked for, paging followed, references dereferenced, and with
 * the CSV Option `$search-csv` and `$read-csv`. A capability the suite asked for and did not see
 * fails; an optional (MAY) one not used is skipped as "not used (MAY)".
 */
import type { Bundle, Measure, MeasureReport } from 'fhir/r4.js';
import { defineSuite, paramValues, test, type Ask, type InboundRequest, type Recording, type SuiteEnvironment, type TestContext, type TestDefinition } from '../../../src/engine/index.js';
import { acceptedRanges } from '../../../src/fhir/negotiation.js';
import { sanerSearchParamsFor } from '../../../ig/saner/search-params.js';
import { parseDateRange } from '../../../src/fhir/search/date-range.js';
import { MEASURE_CONSUMER_QM_CSV_PULL, MEASURE_CONSUMER_QM_PULL } from '../../../ig/saner/capabilities.js';
import { requestKey } from '../../../src/engine/inbound.js';
import type { ActorId } from '../../../ig/actors.js';

const FHIR_MEDIA = new Set(['application/fhir+json', 'application/fhir+xml']);
const LEGACY_MEDIA = new Set(['xml', 'json', 'text/xml', 'application/json', 'application/xml', 'application/xml+fhir', 'application/json+fhir']);
/** Parameters that apply to every search: results control and format. */
const CONTROL_PARAMS = new Set(['_count', '_include', '_revinclude', '_sort', '_summary', '_elements', '_format', '_total', '_contained', '_containedType', '_pretty']);
const MODIFIERS = new Set(['identifier', 'exact', 'contains', 'missing', 'not', 'in', 'not-in', 'below', 'above', 'text', 'of-type', 'iterate']);
const DATE_PREFIXES = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);
const QM_TYPES = ['Location', 'MeasureReport', 'Measure', 'Organization'] as const;
type QmType = (typeof QM_TYPES)[number];

/** One request the consumer sent: the engine's inbound view. */
type Call = InboundRequest;

interface ConsumerFixture {
  recording: Recording;
  calls: Call[];
}

type T = TestContext<ConsumerFixture>;

const TRIGGER =
  'query the Measure Source for MeasureReports: search by measure and period, page to the end, read the referenced Location, Organization and Measure (with the CSV Option also $search-csv)';

/** The consumer capabilities the transaction makes SHALL or SHOULD ("can …"), for the options claimed. */
function asksFor(options: readonly string[]): Ask[] {
  const asks: Ask[] = [
    {
      token: 'MeasureReport/search-type?measure&period',
      says: 'search MeasureReport by measure and a period range (period=ge…&period=le…), bounding the page with _count and following every next link',
    },
    ...QM_TYPES.flatMap((type) => [
      { token: `${type}/read`, says: `read a ${type} by id (GET [base]/${type}/[id])` },
      ...(type === 'MeasureReport' ? [] : [{ token: `${type}/search-type`, says: `search ${type}` }]),
      { token: `${type}/search-type?_id`, says: `search ${type} by _id` },
    ]),
    { token: 'references', says: 'read the subject Location, reporter Organization and Measure of the reports it got' },
  ];
  if (options.includes('CSV')) {
    asks.push({ token: 'MeasureReport/$search-csv', says: 'call MeasureReport/$search-csv with measure and a period range' });
    for (const [name] of OPTIONAL_CSV_PARAMS) asks.push({ token: `MeasureReport/$search-csv?${name}`, says: `call MeasureReport/$search-csv selecting reports with ${name}` });
  }
  return asks;
}

/** Triggers the SUT once and records its queries until its traffic settles; the tests judge this recording. */
async function record(env: SuiteEnvironment): Promise<ConsumerFixture> {
  const recording = await env.record(TRIGGER, { actor: 'Measure Consumer', asks: asksFor(env.options) });
  return { recording, calls: recording.requests };
}

const callsOf = (t: T): Call[] => t.fixture.calls;
const noteCalls = (t: T, what: string, calls: readonly Call[]): void => t.cite(what, calls);
const valuesOf = (c: Call, name: string): string[] => paramValues(c, name);
const has = (c: Call, name: string): boolean => c.params.some(([k]) => k === name);
const searchesOf = (calls: readonly Call[], type: string): Call[] => calls.filter((c) => c.interaction === 'search' && c.type === type && !c.followsLink);
const isSearchCsv = (c: Call): boolean => c.interaction === 'operation' && c.type === 'MeasureReport' && c.operation === '$search-csv' && c.id === undefined;
const isReadCsv = (c: Call): boolean => c.interaction === 'operation' && c.type === 'MeasureReport' && c.operation === '$read-csv' && c.id !== undefined;
const answered = (c: Call): boolean => (c.status ?? 0) >= 200 && (c.status ?? 0) < 300;
const bundleOf = (c: Call): Bundle | undefined => (c.answer?.resourceType === 'Bundle' && answered(c) ? (c.answer as Bundle) : undefined);
/** An optional (MAY) capability the consumer did not use decides nothing. */
const notUsed = (t: T, requirement: string | readonly string[], what: string): void => t.undecided(requirement, `not used (MAY): ${what}`);

/** `+` in an unencoded query decodes to a space: `application/fhir json` is `application/fhir+json`. */
function mediaType(value: string): string {
  return value
    .split(';')[0]!
    .trim()
    .toLowerCase()
    .replace(/^([a-z]+\/[a-z.-]+) ([a-z.-]+)$/, '$1+$2');
}

/** The FHIR calls (not CSV operations), where format rules apply. */
const fhirCalls = (calls: readonly Call[]): Call[] => calls.filter((c) => !(c.interaction === 'operation' && /-csv$/.test(c.operation ?? '')));

function acceptRanges(c: Call): string[] {
  return acceptedRanges(c.exchange.requestHeaders['accept'] ?? '')
    .map((r) => r.type)
    .filter((m) => m !== '*/*' && m !== 'application/*');
}

/** Well-formed date search value: an optional prefix, then a FHIR date, dateTime or instant. */
function isDateValue(value: string): boolean {
  const prefix = value.slice(0, 2);
  const rest = DATE_PREFIXES.has(prefix) ? value.slice(2) : value;
  return parseDateRange(rest) !== undefined;
}

/** A two-sided range: one lower bound (ge/gt) and one upper bound (le/lt), or one plain (eq) value. */
function isRange(values: readonly string[]): boolean {
  const prefixes = values.map((v) => v.slice(0, 2));
  if (values.length === 1) return !DATE_PREFIXES.has(prefixes[0]!) || prefixes[0] === 'eq';
  return values.length === 2 && prefixes.some((p) => p === 'ge' || p === 'gt') && prefixes.some((p) => p === 'le' || p === 'lt');
}

/** Query Measure's parameters per type (the CapabilityStatements) plus R4 core ones of the type. */
const KNOWN_PARAMS: Record<string, Set<string>> = Object.fromEntries(
  QM_TYPES.map((type) => [
    type,
    new Set(
      sanerSearchParamsFor([type])
        .filter((p) => p.base.includes(type) || p.base.includes('Resource'))
        .map((p) => p.name)
        .concat(['_id', '_lastUpdated', '_text', '_content']),
    ),
  ]),
);
const DATE_PARAMS = new Set(['period', 'date', '_lastUpdated']);

function unknownParams(c: Call): string[] {
  const known = KNOWN_PARAMS[c.type ?? ''];
  if (!known) return [`search of ${c.type}, a type Query Measure does not use`];
  return c.params.flatMap(([name]) => {
    if (CONTROL_PARAMS.has(name) || name.startsWith('_include:')) return [];
    const [head, ...chain] = name.split('.');
    const [base, modifier] = head!.split(':');
    const okModifier = modifier === undefined || MODIFIERS.has(modifier) || /^[A-Z][A-Za-z]+$/.test(modifier);
    return known.has(base!) && okModifier && chain.length <= 1 ? [] : [name];
  });
}

const captureTest = test<ConsumerFixture>('The consumer queries the Measure Source for MeasureReports when triggered', {
  requirements: ['SANER-PG-CON-001', 'SANER-QM-CON-012'],
  negativeControl: 'omit:MeasureReport/search-type',
  description: 'The suite triggers the SUT once, asking for the capabilities the transaction makes SHALL, and records every request until 0.5 s pass without one; the tests judge that recording.',
  run(t) {
    t.expect(t.options.includes('Pull') || t.options.includes('Push'), `the consumer claims ${t.options.join(', ') || 'no option'}; expected the Pull or Push Option`, {
      requirement: 'SANER-PG-CON-001',
    });
    const { recording, calls } = t.fixture;
    noteCalls(t, 'requests from the consumer', calls);
    const searches = searchesOf(calls, 'MeasureReport');
    t.expectShown(
      searches,
      `the consumer searched MeasureReport ${searches.length} time(s)`,
      `${recording.silence ?? `the consumer sent ${calls.length} request(s), none a MeasureReport search`}; expected a MeasureReport search`,
      { requirement: 'SANER-QM-CON-012' },
    );
    t.expectSome(searches, answered, 'a MeasureReport search was answered with a searchset the consumer could process', { requirement: 'SANER-QM-CON-012' });
  },
});

const reportSearchTests = [
  test<ConsumerFixture>('MeasureReport searches name the measure', {
    requirements: 'SANER-QM-CON-017',
    negativeControl: 'no-measure',
    run(t) {
      const searches = searchesOf(callsOf(t), 'MeasureReport');
      noteCalls(t, 'MeasureReport searches', searches);
      t.expectSome(searches, (c) => valuesOf(c, 'measure').some((v) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(v)), 'a MeasureReport search gives measure as a canonical URL');
    },
  }),
  test<ConsumerFixture>('MeasureReport searches bound the period', {
    requirements: 'SANER-QM-CON-016',
    negativeControl: 'no-period',
    run(t) {
      const searches = searchesOf(callsOf(t), 'MeasureReport');
      noteCalls(t, 'MeasureReport searches', searches);
      t.expectSome(searches, (c) => has(c, 'period'), 'a MeasureReport search uses period');
    },
  }),
  test<ConsumerFixture>('The consumer finds reports by measure with a two-sided period range', {
    requirements: 'SANER-QM-PG-016-CON',
    negativeControl: 'one-sided-period',
    description: 'measure + a period range is the one MeasureReport search every Measure Source must answer (transaction-1).',
    run(t) {
      const searches = searchesOf(callsOf(t), 'MeasureReport');
      noteCalls(t, 'MeasureReport searches', searches);
      t.expectSome(
        searches,
        (c) => has(c, 'measure') && isRange(valuesOf(c, 'period')) && valuesOf(c, 'period').length === 2,
        'a MeasureReport search combines measure with period=ge…&period=le… (or gt/lt)',
      );
    },
  }),
  test<ConsumerFixture>('Date parameters carry well-formed FHIR dates with valid prefixes', {
    requirements: ['SANER-QM-CON-016', 'SANER-QM-CON-014', 'SANER-QM-CON-015'],
    negativeControl: 'bad-period',
    run(t) {
      const dated = callsOf(t).filter((c) => !c.followsLink && (c.type === 'MeasureReport' || c.params.some(([k]) => k === '_lastUpdated')) && c.params.some(([k]) => DATE_PARAMS.has(k)));
      noteCalls(t, 'requests with date parameters', dated);
      for (const [name, requirement] of [
        ['period', 'SANER-QM-CON-016'],
        ['_lastUpdated', 'SANER-QM-CON-014'],
        ['date', 'SANER-QM-CON-015'],
      ] as const) {
        const values = dated.flatMap((c) => valuesOf(c, name));
        t.expectEvery(values, isDateValue, `every ${name} value is a FHIR date, dateTime or instant with an optional eq/ne/gt/lt/ge/le/sa/eb/ap prefix`, { requirement });
        t.expectEvery(
          dated.filter((c) => has(c, name)),
          (c) => valuesOf(c, name).length <= 2,
          `no request gives more than one ${name} range (two values)`,
          { requirement },
        );
      }
    },
  }),
  test<ConsumerFixture>('Every search uses parameters Query Measure defines for its type', {
    requirements: ['SANER-QM-CON-002', 'SANER-QM-CON-012', 'SANER-QM-CON-029', 'SANER-QM-CON-044'],
    negativeControl: 'unknown-param',
    run(t) {
      const calls = callsOf(t);
      const byType = { Location: 'SANER-QM-CON-002', MeasureReport: 'SANER-QM-CON-012', Measure: 'SANER-QM-CON-029', Organization: 'SANER-QM-CON-044' } as const;
      for (const type of QM_TYPES) {
        const searches = searchesOf(calls, type);
        const bad = searches.flatMap((c) => unknownParams(c).map((p) => `${p} in ${c.line}`));
        t.expect(
          bad.length === 0,
          bad.length ? `${type} searches use parameters Query Measure does not define for ${type}: ${bad.slice(0, 5).join('; ')}` : `every ${type} search (${searches.length}) uses known parameters`,
          { requirement: byType[type] },
        );
      }
      const elsewhere = calls.filter((c) => c.interaction === 'search' && !c.followsLink && !QM_TYPES.includes(c.type as QmType));
      if (elsewhere.length) noteCalls(t, 'searches of types outside Query Measure (not judged)', elsewhere);
    },
  }),
  test<ConsumerFixture>('Searches are sent as GET or as a form-encoded POST to _search', {
    requirements: 'SANER-QM-PG-001-CON',
    negativeControl: 'post-search-json',
    run(t) {
      const searches = callsOf(t).filter((c) => c.interaction === 'search');
      const posts = searches.filter((c) => c.method === 'POST');
      noteCalls(t, 'searches sent by POST', posts);
      if (posts.length === 0) return notUsed(t, 'SANER-QM-PG-001-CON', 'the consumer sent no search by POST');
      t.expectEvery(posts, (c) => c.formBody === true, 'every POST to [type]/_search has an application/x-www-form-urlencoded body', {
        show: (c) => `${c.line} with ${c.mediaType ?? 'no Content-Type'}`,
      });
    },
  }),
];

const formatTests = [
  test<ConsumerFixture>('Accept names the FHIR media types', {
    requirements: 'SANER-QM-PG-004-CON',
    negativeControl: 'legacy-accept',
    run(t) {
      const naming = fhirCalls(callsOf(t)).filter((c) => acceptRanges(c).length > 0);
      noteCalls(t, 'FHIR requests whose Accept names a format', naming);
      t.expectEvery(naming, (c) => acceptRanges(c).some((m) => FHIR_MEDIA.has(m)), 'every Accept that names a format includes application/fhir+json or application/fhir+xml');
    },
  }),
  test<ConsumerFixture>('Accept carries no short or legacy media types', {
    requirements: 'SANER-QM-PG-005-CON',
    negativeControl: 'legacy-accept',
    run(t) {
      const calls = fhirCalls(callsOf(t));
      t.expectEvery(
        calls,
        (c) => !acceptRanges(c).some((m) => LEGACY_MEDIA.has(m)),
        'no Accept header lists xml, json, text/xml, application/json, application/xml, application/xml+fhir or application/json+fhir',
      );
    },
  }),
  test<ConsumerFixture>('_format names the FHIR media types', {
    requirements: 'SANER-QM-PG-002-CON',
    negativeControl: 'legacy-format',
    run(t) {
      const withFormat = fhirCalls(callsOf(t)).filter((c) => has(c, '_format') && !c.followsLink);
      noteCalls(t, 'requests with _format', withFormat);
      t.expectEvery(withFormat, (c) => valuesOf(c, '_format').every((v) => FHIR_MEDIA.has(mediaType(v))), 'every _format value is application/fhir+json or application/fhir+xml');
    },
  }),
  test<ConsumerFixture>('_format carries no short or legacy values', {
    requirements: 'SANER-QM-PG-003-CON',
    negativeControl: 'legacy-format',
    run(t) {
      const withFormat = fhirCalls(callsOf(t)).filter((c) => has(c, '_format'));
      t.expectEvery(
        withFormat,
        (c) => !valuesOf(c, '_format').some((v) => LEGACY_MEDIA.has(mediaType(v))),
        'no _format value is xml, json, text/xml, application/json, application/xml, application/xml+fhir or application/json+fhir',
      );
    },
  }),
];

const pagingTests = [
  test<ConsumerFixture>('The consumer bounds its pages with _count', {
    requirements: 'SANER-QM-PG-008-CON',
    negativeControl: 'no-count',
    run(t) {
      const searches = callsOf(t).filter((c) => c.interaction === 'search' && !c.followsLink);
      const counted = searches.filter((c) => has(c, '_count'));
      noteCalls(t, 'searches with _count', counted);
      if (searches.length === 0) return void t.expectShown(searches, '', 'the consumer made no search, so none bounded its pages with _count; expected the consumer to bound its pages');
      t.expect(
        counted.length > 0,
        counted.length
          ? `${counted.length} of ${searches.length} searches bound the page size with _count`
          : `none of ${searches.length} searches sent _count; expected the consumer to bound its pages`,
      );
      t.expectEvery(counted, (c) => valuesOf(c, '_count').every((v) => /^[1-9]\d*$/.test(v)), 'every _count is a positive integer', { show: (c) => `${c.line}` });
    },
  }),
  test<ConsumerFixture>('The consumer follows every next link to the last page', {
    requirements: 'SANER-QM-PG-008-CON',
    negativeControl: 'no-paging',
    acrossRequests: true,
    run(t) {
      const calls = callsOf(t);
      const base = new URL(t.env.simulator!.baseUrl);
      const requested = new Set(calls.filter((c) => c.method === 'GET').map((c) => requestKey(new URL(c.exchange.url, base))));
      const pages = calls.filter((c) => bundleOf(c) !== undefined && (c.interaction === 'search' || c.followsLink));
      const given = new Map<string, string>();
      for (const c of pages) for (const l of bundleOf(c)!.link ?? []) if (l.relation === 'next') given.set(requestKey(new URL(l.url, base)), `${l.url} (from ${c.line})`);
      const followed = [...given.keys()].filter((key) => requested.has(key)).length;
      t.note(`${pages.length} search pages answered; the Measure Source gave ${given.size} distinct next link(s), of which the consumer requested ${followed}`);
      if (given.size === 0) return t.skip('no search of the consumer spanned more than one page, so following next links could not be observed');
      t.expectEvery([...given.entries()], ([key]) => requested.has(key), 'every next link the Measure Source gave was requested as given', { show: ([, url]) => `not requested: ${url}` });
    },
  }),
  test<ConsumerFixture>('The consumer does not ask for recursive includes', {
    requirements: 'SANER-QM-PG-011-CON',
    negativeControl: 'include-iterate',
    run(t) {
      const calls = callsOf(t).filter((c) => c.interaction === 'search');
      t.expectEvery(
        calls,
        (c) => !c.params.some(([k, v]) => k === '_include:iterate' || k === '_revinclude:iterate' || (k === '_include' && v.includes(':iterate'))),
        'no search sends _include:iterate',
      );
    },
  }),
];

const referenceTest = test<ConsumerFixture>('The consumer reads the subject, reporter and Measure of the reports it gets', {
  requirements: 'SANER-QM-PG-012-CON',
  negativeControl: 'no-reference-reads',
  acrossRequests: true,
  description:
    'A referenced Location or Organization counts as obtained when the consumer read it, searched it by _id, or received it as an _include; the Measure when it read it or got it back from any search (by url, _id or otherwise).',
  run(t) {
    const calls = callsOf(t);
    const reports = calls
      .filter((c) => c.interaction === 'search' && c.type === 'MeasureReport')
      .flatMap((c) => (bundleOf(c)?.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource))
      .filter((r): r is MeasureReport => r?.resourceType === 'MeasureReport');
    if (reports.length === 0) return t.skip('the consumer received no MeasureReport, so there was nothing to dereference');
    const obtained = new Set<string>();
    const measuresFound = new Set<string>();
    for (const c of calls) {
      if (c.interaction === 'read' && answered(c)) obtained.add(`${c.type}/${c.id}`);
      if (c.interaction === 'search') for (const id of valuesOf(c, '_id').flatMap((v) => v.split(','))) obtained.add(`${c.type}/${id}`);
      for (const e of bundleOf(c)?.entry ?? []) {
        const r = e.resource;
        if (!r?.id) continue;
        if (e.search?.mode === 'include') obtained.add(`${r.resourceType}/${r.id}`);
        // A Measure the consumer got back from any search of Measure is one it fetched.
        if (r.resourceType === 'Measure' && (r as Measure).url && (c.type === 'Measure' || e.search?.mode === 'include')) measuresFound.add((r as Measure).url!);
      }
      const read = c.interaction === 'read' && c.answer?.resourceType === 'Measure' ? (c.answer as Measure) : undefined;
      if (read?.url) measuresFound.add(read.url);
    }
    const subjects = [...new Set(reports.flatMap((r) => (r.subject?.reference ? [r.subject.reference] : [])))];
    const reporters = [...new Set(reports.flatMap((r) => (r.reporter?.reference ? [r.reporter.reference] : [])))];
    const measures = [...new Set(reports.map((r) => r.measure.split('|')[0]!))];
    t.expectEvery(subjects, (ref) => obtained.has(ref), 'the consumer read every subject Location of the reports it got', { show: (ref) => `${ref} not read` });
    t.expectEvery(reporters, (ref) => obtained.has(ref), 'the consumer read every reporter Organization of the reports it got', { show: (ref) => `${ref} not read` });
    t.expectEvery(measures, (url) => measuresFound.has(url), 'the consumer fetched every Measure the reports name (a read, or a search that returned it)', { show: (url) => `${url} not fetched` });
  },
});

const INTERACTION_IDS: Record<QmType, { read: string; search: string; byId: string }> = {
  Location: { read: 'SANER-QM-CON-001', search: 'SANER-QM-CON-002', byId: 'SANER-QM-CON-003' },
  MeasureReport: { read: 'SANER-QM-CON-011', search: 'SANER-QM-CON-012', byId: 'SANER-QM-CON-013' },
  Measure: { read: 'SANER-QM-CON-028', search: 'SANER-QM-CON-029', byId: 'SANER-QM-CON-030' },
  Organization: { read: 'SANER-QM-CON-043', search: 'SANER-QM-CON-044', byId: 'SANER-QM-CON-045' },
};

const interactionTests = QM_TYPES.flatMap((type): TestDefinition<ConsumerFixture>[] => {
  const ids = INTERACTION_IDS[type];
  return [
    test<ConsumerFixture>(`${type}: the consumer reads by id`, {
      requirements: ids.read,
      negativeControl: `omit:${type}/read`,
      run(t) {
        const reads = callsOf(t).filter((c) => c.interaction === 'read' && c.type === type);
        noteCalls(t, `${type} reads`, reads);
        t.expectSome(reads, answered, `the consumer read a ${type} (GET [base]/${type}/[id]) and got it, as the suite asked`);
      },
    }),
    ...(type === 'MeasureReport'
      ? []
      : [
          test<ConsumerFixture>(`${type}: the consumer searches the type`, {
            requirements: ids.search,
            negativeControl: `omit:${type}/search-type`,
            run(t) {
              const searches = searchesOf(callsOf(t), type);
              noteCalls(t, `${type} searches`, searches);
              t.expectSome(searches, answered, `the consumer searched ${type} and got a searchset, as the suite asked`);
            },
          }),
        ]),
    test<ConsumerFixture>(`${type}: the consumer searches by _id`, {
      requirements: [ids.byId, 'SANER-QM-PG-013-CON'],
      negativeControl: `omit:${type}/_id`,
      run(t) {
        const searches = searchesOf(callsOf(t), type).filter((c) => has(c, '_id'));
        noteCalls(t, `${type} searches by _id`, searches);
        t.expectShown(searches, `the consumer searched ${type} by _id ${searches.length} time(s)`, `the consumer never searched ${type} by _id; the suite asked it to`, {
          requirement: [ids.byId, 'SANER-QM-PG-013-CON'],
        });
        t.expectEvery(searches, (c) => valuesOf(c, '_id').every((v) => v.split(',').every((id) => /^[A-Za-z0-9\-.]{1,64}$/.test(id))), 'every _id value is a comma-separated list of resource ids', {
          requirement: ids.byId,
        });
      },
    }),
  ];
});

/** The kind of value a Query Measure search parameter takes, by name. */
function kindOf(name: string): 'token' | 'reference' | 'date' | 'near' | 'uri' | 'string' {
  if (name === 'subject:Location.near') return 'near';
  if (/:identifier$|^identifier$|^code$/.test(name)) return 'token';
  if (name === 'subject' || name === 'reporter') return 'reference';
  if (DATE_PARAMS.has(name)) return 'date';
  if (name === 'code:in') return 'uri';
  return 'string';
}

function wellFormed(name: string, value: string): boolean {
  switch (kindOf(name)) {
    case 'token':
      return /^([^|]*\|)?[^|]+$/.test(value);
    case 'reference':
      return /^([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}|[a-z][a-z0-9+.-]*:\S+|[A-Za-z0-9\-.]{1,64})$/.test(value);
    case 'date':
      return isDateValue(value);
    case 'near':
      return /^-?\d+(\.\d+)?\|-?\d+(\.\d+)?(\|\d+(\.\d+)?(\|\S+)?)?$/.test(value);
    case 'uri':
      return /^[a-z][a-z0-9+.-]*:\S+$/i.test(value);
    case 'string':
      return value.trim() !== '';
  }
}

/** A `map` value of $read-csv: one or more `code` (or `code$column`) items. */
const MAP_VALUE = /^[^$\s]+(\$[^$\s]+)*$/;

/** Optional (MAY) parameters: one the consumer used is shown used; one it did not use decides nothing ("not used (MAY)"). */
function optionalTest(type: QmType, title: string, negativeControl: string, params: [name: string, requirement: string][], extra: string[] = []): TestDefinition<ConsumerFixture> {
  const includeId = { Location: 'SANER-QM-CON-006', MeasureReport: 'SANER-QM-CON-024', Measure: 'SANER-QM-CON-036', Organization: 'SANER-QM-CON-048' }[type];
  return test<ConsumerFixture>(title, {
    requirements: [...params.map(([, r]) => r), includeId, ...extra],
    negativeControl,
    description: 'The CapabilityStatement makes these MAY for the consumer: each one it used is shown, each one it did not use is skipped as "not used (MAY)".',
    run(t) {
      const searches = searchesOf(callsOf(t), type);
      // Using a MAY parameter is optional; using it, the consumer must send a value of the parameter's kind.
      for (const [name, requirement] of params) {
        const using = searches.filter((c) => has(c, name));
        if (using.length === 0) notUsed(t, requirement, `never searched ${type} by ${name}`);
        else
          t.expectEvery(using, (c) => valuesOf(c, name).every((v) => wellFormed(name, v)), `every ${name} value the consumer sent on ${type} is a well-formed ${kindOf(name)}`, {
            requirement,
            show: (c) => `${c.line}: ${JSON.stringify(valuesOf(c, name).find((v) => !wellFormed(name, v)))}`,
          });
      }
      const including = searches.filter((c) => valuesOf(c, '_include').includes('*'));
      if (including.length) t.expect(true, `asked for _include=* on ${type}: ${including[0]!.line}`, { requirement: includeId });
      else notUsed(t, includeId, `never asked for _include=* on ${type}`);
      if (extra.includes('SANER-QM-PG-010-CON')) {
        const all = callsOf(t).filter((c) => c.interaction === 'search' && valuesOf(c, '_include').includes('*'));
        if (all.length) t.expect(true, `asked for _include=* on ${all.length} search${all.length === 1 ? '' : 'es'}`, { requirement: 'SANER-QM-PG-010-CON' });
        else notUsed(t, 'SANER-QM-PG-010-CON', 'never asked for _include=*');
      }
      for (const requirement of extra.filter((r) => r === 'SANER-QM-PG-014-CON' || r === 'SANER-QM-PG-015-CON')) {
        const used = params.filter(([name]) => searches.some((c) => has(c, name))).map(([name]) => name);
        if (used.length) t.expect(true, `used ${used.length} of ${params.length} optional ${type} parameters (${used.join(', ')})`, { requirement });
        else notUsed(t, requirement, `used none of the optional ${type} parameters`);
      }
    },
  });
}

const optionalTests = [
  optionalTest(
    'Location',
    'Location: optional searches by name, identifier and _include=*',
    'malformed:Location/name',
    [
      ['name', 'SANER-QM-CON-004'],
      ['identifier', 'SANER-QM-CON-005'],
    ],
    ['SANER-QM-PG-014-CON'],
  ),
  optionalTest(
    'Organization',
    'Organization: optional searches by name, identifier and _include=*',
    'malformed:Organization/identifier',
    [
      ['name', 'SANER-QM-CON-046'],
      ['identifier', 'SANER-QM-CON-047'],
    ],
    ['SANER-QM-PG-014-CON'],
  ),
  optionalTest(
    'MeasureReport',
    'MeasureReport: optional search parameters and _include=*',
    'malformed:MeasureReport/subject:identifier',
    [
      ['_lastUpdated', 'SANER-QM-CON-014'],
      ['date', 'SANER-QM-CON-015'],
      ['measure.title', 'SANER-QM-CON-018'],
      ['subject', 'SANER-QM-CON-019'],
      ['subject:identifier', 'SANER-QM-CON-020'],
      ['subject:Location.near', 'SANER-QM-CON-021'],
      ['reporter', 'SANER-QM-CON-022'],
      ['reporter:identifier', 'SANER-QM-CON-023'],
    ],
    ['SANER-QM-PG-010-CON'],
  ),
  optionalTest(
    'Measure',
    'Measure: optional searches by text, definition text, code and value set',
    'malformed:Measure/code:in',
    [
      ['_text', 'SANER-QM-CON-031'],
      ['_content', 'SANER-QM-CON-032'],
      ['definition-text', 'SANER-QM-CON-033'],
      ['code', 'SANER-QM-CON-034'],
      ['code:in', 'SANER-QM-CON-035'],
    ],
    ['SANER-QM-PG-015-CON'],
  ),
];

const profileTest = test<ConsumerFixture>('The consumer takes in PublicHealthMeasureReport and PublicHealthMeasure content (attestation)', {
  requirements: ['SANER-QM-CON-010', 'SANER-QM-CON-027'],
  negativeControl: 'omit:MeasureReport/search-type',
  description: 'A consumer only receives these instances; the harness checks it received some, and a person attests that it accepts and uses them.',
  run(t) {
    const calls = callsOf(t);
    const got = (type: string) => calls.some((c) => (answered(c) && c.answer?.resourceType === type) || (bundleOf(c)?.entry ?? []).some((e) => e.resource?.resourceType === type));
    t.expect(got('MeasureReport'), 'the consumer received MeasureReports (PublicHealthMeasureReport) from the Measure Source', { requirement: 'SANER-QM-CON-010' });
    t.expect(got('Measure'), 'the consumer received a Measure (PublicHealthMeasure) from the Measure Source', { requirement: 'SANER-QM-CON-027' });
    t.manual('the harness serves profile-conformant MeasureReports and Measures; that the consumer accepts and uses them (stores, displays or forwards their values) needs a person to attest');
  },
});

const CSV = { options: ['CSV'] };
const OPTIONAL_CSV_PARAMS: [name: string, requirement: string][] = [
  ['_lastUpdated', 'SANER-OP-SEARCHCSV-001-CON'],
  ['date', 'SANER-OP-SEARCHCSV-002-CON'],
  ['measure.title', 'SANER-OP-SEARCHCSV-005-CON'],
  ['reporter', 'SANER-OP-SEARCHCSV-007-CON'],
  ['reporter:identifier', 'SANER-OP-SEARCHCSV-008-CON'],
  ['subject', 'SANER-OP-SEARCHCSV-009-CON'],
  ['subject:Location.near', 'SANER-OP-SEARCHCSV-010-CON'],
  ['subject:identifier', 'SANER-OP-SEARCHCSV-011-CON'],
];

const csvTests = [
  test<ConsumerFixture>('$search-csv: the consumer calls it with measure and a period range', {
    requirements: ['SANER-CSVPULL-CON-003', 'SANER-QM-PG-024-CON', 'SANER-OP-SEARCHCSV-004-CON', 'SANER-OP-SEARCHCSV-006-CON'],
    preconditions: CSV,
    negativeControl: 'search-csv-without-period',
    run(t) {
      const calls = callsOf(t).filter(isSearchCsv);
      noteCalls(t, '$search-csv calls', calls);
      t.expectShown(calls, `the consumer called MeasureReport/$search-csv ${calls.length} time(s)`, 'the consumer never called MeasureReport/$search-csv; the suite asked it to', {
        requirement: 'SANER-CSVPULL-CON-003',
      });
      t.expectSome(calls, (c) => answered(c) && has(c, 'measure') && isRange(valuesOf(c, 'period')), 'a $search-csv call with measure and a period range got its CSV', {
        requirement: 'SANER-QM-PG-024-CON',
      });
      t.expectEvery(calls, (c) => valuesOf(c, 'measure').length >= 1, 'every $search-csv call carries measure (1..*)', { requirement: 'SANER-OP-SEARCHCSV-004-CON' });
      t.expectEvery(
        calls,
        (c) => {
          const p = valuesOf(c, 'period');
          return p.length >= 1 && p.length <= 2 && p.every(isDateValue);
        },
        'every $search-csv call carries period (1..2) as FHIR date values',
        { requirement: 'SANER-OP-SEARCHCSV-006-CON' },
      );
    },
  }),
  test<ConsumerFixture>('$search-csv: the consumer selects reports with the other parameters', {
    requirements: OPTIONAL_CSV_PARAMS.map(([, r]) => r),
    preconditions: CSV,
    negativeControl: 'search-csv-required-only',
    run(t) {
      const calls = callsOf(t).filter(isSearchCsv);
      for (const [name, requirement] of OPTIONAL_CSV_PARAMS) {
        const using = calls.filter((c) => has(c, name));
        t.expectShown(using, `$search-csv with ${name}: ${using[0]?.line ?? ''}`, `never called $search-csv with ${name}; the suite asked it to`, { requirement });
      }
    },
  }),
  test<ConsumerFixture>('$read-csv: the consumer reads one report as CSV', {
    requirements: ['SANER-CSVPULL-CON-002', 'SANER-QM-PG-023-CON', 'SANER-OP-READCSV-001-CON'],
    preconditions: CSV,
    negativeControl: 'read-csv-bad-map',
    description: 'Optional for the consumer (MAY): not using it is skipped as "not used (MAY)".',
    run(t) {
      const calls = callsOf(t).filter(isReadCsv);
      noteCalls(t, '$read-csv calls', calls);
      if (calls.length === 0) return notUsed(t, t.requirements, 'never called $read-csv');
      t.expectSome(calls, answered, 'the consumer called MeasureReport/[id]/$read-csv and got its CSV', { requirement: ['SANER-CSVPULL-CON-002', 'SANER-QM-PG-023-CON'] });
      const mapped = calls.filter((c) => has(c, 'map'));
      if (mapped.length === 0) notUsed(t, 'SANER-OP-READCSV-001-CON', 'no $read-csv call passed map');
      else
        t.expectEvery(
          mapped,
          (c) => answered(c) && valuesOf(c, 'map').every((m) => MAP_VALUE.test(m)),
          'every $read-csv call with map names columns as the map parameter does (code$column…) and got its CSV',
          { requirement: 'SANER-OP-READCSV-001-CON', show: (c) => `${c.line} with map ${valuesOf(c, 'map').join(', ')}` },
        );
    },
  }),
  test<ConsumerFixture>('The CSV consumer takes in PublicHealthMeasureReport content (attestation)', {
    requirements: 'SANER-CSVPULL-CON-001',
    preconditions: CSV,
    negativeControl: 'no-search-csv',
    description: 'The CSV holds the values of PublicHealthMeasureReports; a person attests that the consumer uses them.',
    run(t) {
      const got = callsOf(t).filter((c) => isSearchCsv(c) && answered(c) && (c.exchange.responseHeaders?.['content-type'] ?? '').includes('csv'));
      t.expectShown(got, 'the consumer received MeasureReports as CSV from $search-csv', 'the consumer received no CSV from $search-csv; expected MeasureReports as CSV');
      t.manual("that the consumer turns the CSV back into the reports' values (or uses them as they are) needs a person to attest");
    },
  }),
];

export default defineSuite<ConsumerFixture>({
  id: 'saner/query-measure/measure-consumer',
  title: 'SANER Query Measure: Measure Consumer (client)',
  actorUnderTest: 'QueryMeasureConsumer' satisfies ActorId,
  role: 'client',
  simulator: 'measure-source',
  capabilities: [MEASURE_CONSUMER_QM_PULL, MEASURE_CONSUMER_QM_CSV_PULL],
  options: ['Pull', 'CSV'],
  setup: record,
  tests: [captureTest, ...reportSearchTests, ...formatTests, ...pagingTests, referenceTest, ...interactionTests, ...optionalTests, profileTest, ...csvTests],
});
