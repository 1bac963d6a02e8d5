/**
 * Read, search and every search parameter of Query Measure on the Measure Source (§6 SANER-QM-SRC,
 * §4.1). Each is judged on the interaction: status, Bundle, ids and matches, in every format the
 * CapabilityStatement lists. Whether what came back conforms is judged by the content tests.
 */
import type { Location, Measure, MeasureReport, Organization, Resource } from 'fhir/r4.js';
import { test, type TestDefinition } from '../../../src/engine/index.js';
import { MEASURE_POPULATIONS_VALUE_SET } from '../../../ig/saner/canonicals.js';
import { cited, codingsOf, distanceKm, idsOf, includesOf, instant, matchesOf, overlaps, quietMatches, theReport, utc, type SourceTest } from './source-checks.js';
import { localReference, type SourceData } from './source-data.js';

type Served = 'Location' | 'MeasureReport' | 'Measure' | 'Organization';

const REQ: Record<Served, { read: string; search: string; id: string; include: string }> = {
  Location: { read: 'SANER-QM-SRC-001', search: 'SANER-QM-SRC-002', id: 'SANER-QM-SRC-003', include: 'SANER-QM-SRC-006' },
  MeasureReport: { read: 'SANER-QM-SRC-011', search: 'SANER-QM-SRC-012', id: 'SANER-QM-SRC-013', include: 'SANER-QM-SRC-024' },
  Measure: { read: 'SANER-QM-SRC-028', search: 'SANER-QM-SRC-029', id: 'SANER-QM-SRC-030', include: 'SANER-QM-SRC-036' },
  Organization: { read: 'SANER-QM-SRC-043', search: 'SANER-QM-SRC-044', id: 'SANER-QM-SRC-045', include: 'SANER-QM-SRC-048' },
};

/** The resource of the type setup found, if any. */
function heldFromSetup(t: SourceTest, type: Served): Resource | undefined {
  const f = t.fixture;
  return { MeasureReport: f.report, Measure: f.measure, Location: f.location, Organization: f.organization }[type];
}

/** A resource of the type the suite found in setup, or the test is skipped. */
function known(t: SourceTest, type: Served): Resource {
  return heldFromSetup(t, type) ?? t.skip(`the SUT holds no ${type} the suite could find through MeasureReport/${theReport(t).id}`);
}

/** The id of a resource of the type to read: the suite report, its Measure, or what the report references. */
function idToRead(t: SourceTest, type: Served): string {
  const r = theReport(t);
  if (type === 'MeasureReport') return r.id!;
  if (type === 'Measure') return known(t, 'Measure').id!;
  const local = localReference(type === 'Location' ? r.subject?.reference : r.reporter?.reference);
  return local?.type === type ? local.id : t.skip(`MeasureReport/${r.id} references no ${type} by a local reference`);
}

function perType(type: Served): TestDefinition<SourceData>[] {
  const req = REQ[type];
  return [
    test<SourceData>(`read of a ${type} answers it`, {
      requirements: [req.read, 'SANER-QM-PG-012'],
      negativeControl: `refuse-interaction:${type}/read`,
      async run(t) {
        const id = idToRead(t, type);
        for (const format of t.fixture.formats) {
          const res = await t.sut.read(type, id, { format });
          t.expectStatus(res, 200, cited(t));
          const read = res.resource();
          const got = `${read.resourceType}/${read.id}`;
          t.expect(got === `${type}/${id}`, `the ${format.toUpperCase()} read of ${type}/${id} returned ${got}${got === `${type}/${id}` ? '' : `; expected ${type}/${id}`}`, cited(t));
        }
      },
    }),
    test<SourceData>(`${type} search answers a searchset Bundle`, {
      requirements: req.search,
      negativeControl: `refuse-interaction:${type}/search-type`,
      async run(t) {
        const holds = heldFromSetup(t, type);
        for (const format of t.fixture.formats) {
          const found = matchesOf(t, await t.sut.search(type, { _count: 5 }, { format }), type);
          if (holds)
            t.expect(
              found.length > 0,
              `GET [base]/${type}?_count=5 in ${format.toUpperCase()} found ${found.length} ${type}${found.length ? '' : `; expected at least one: the SUT serves ${type}/${holds.id}`}`,
            );
        }
      },
    }),
    test<SourceData>(`${type} search by _id returns exactly the ids asked for`, {
      requirements: [req.id, 'SANER-QM-PG-013'],
      negativeControl: 'ignore-search-param:_id',
      async run(t) {
        const first = known(t, type);
        const other = quietMatches(await t.sut.search(type, { _count: 5 }), type).find((r) => r.id && r.id !== first.id);
        const ids = [first.id!, ...(other ? [other.id!] : [])];
        const found = idsOf(matchesOf(t, await t.sut.search(type, { _id: ids.join(',') }), type));
        const wanted = ids.map((id) => `${type}/${id}`).sort();
        const same = found.join() === wanted.join();
        t.expect(same, `_id=${ids.join(',')} returned ${found.length ? found.join(', ') : 'nothing'}${same ? '' : `; expected exactly ${wanted.join(', ')}`}`, cited(t));
      },
    }),
    test<SourceData>(`${type} search with _include=* adds what the match references`, {
      requirements: type === 'MeasureReport' ? [req.include, 'SANER-QM-PG-010'] : req.include,
      negativeControl: type === 'MeasureReport' ? 'include-without-subject' : 'drop-include',
      description: 'Literal references of the match must come back as includes; canonical ones (MeasureReport.measure, Measure.library) may (D12).',
      async run(t) {
        const match = known(t, type);
        const literal = [...new Set(referencesIn(match).flatMap((r) => (localReference(r) ? [`${localReference(r)!.type}/${localReference(r)!.id}`] : [])))];
        if (literal.length === 0) return t.skip(`${type}/${match.id} references nothing literally, so _include=* has nothing it must add`);
        const res = await t.sut.search(type, { _id: match.id!, _include: '*' });
        const found = idsOf(matchesOf(t, res, type));
        const only = found.length === 1 && found[0] === `${type}/${match.id}`;
        t.expect(only, `the matches are ${found.length ? found.join(', ') : 'none'}${only ? '' : `; expected ${type}/${match.id} alone`}`, cited(t));
        const included = new Set(idsOf(includesOf(res)));
        t.expectEvery(literal, (r) => included.has(r), `every resource ${type}/${match.id} references is included`, { ...cited(t), show: (r) => r });
        if (type === 'MeasureReport') {
          const measure = t.fixture.measure;
          if (measure) t.note(`the Measure ${measure.url} was ${included.has(`Measure/${measure.id}`) ? '' : 'not '}included (optional: measure is a canonical, D12)`);
        }
      },
    }),
  ];
}

function referencesIn(resource: Resource): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string') out.push(x);
        else if (k !== 'contained') walk(x);
      }
    }
  };
  walk(resource);
  return out;
}

/** A search of MeasureReports that must find the suite's report and nothing that fails `fits`; its checks decide every requirement the test cites. */
async function reportSearch(t: SourceTest, params: Record<string, string | string[]>, fits: (r: MeasureReport) => boolean, what: string): Promise<MeasureReport[]> {
  const found = matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', { ...params, _count: 100 }), 'MeasureReport');
  const own = theReport(t).id;
  t.expectSome(found, (r) => r.id === own, `the search finds MeasureReport/${own}`, cited(t));
  t.expectEvery(found, fits, `every report found ${what}`, { ...cited(t), show: (r) => `MeasureReport/${r.id}` });
  return found;
}

function reportFacts(t: SourceTest) {
  const r = theReport(t);
  return {
    r,
    measure: (r.measure ?? t.skip(`MeasureReport/${r.id} names no measure to search by`)).split('|')[0]!,
    start: instant(r.period?.start),
    end: instant(r.period?.end ?? r.period?.start),
  };
}

/** The suite report's own period as a two-sided range. */
function periodRange(t: SourceTest): string[] {
  const p = theReport(t).period!;
  return [`ge${p.start}`, `le${p.end ?? p.start}`];
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 5);
}

/** A word of one Measure's text that some other Measure lacks, so a search by it discriminates. */
function discriminatingWord(t: SourceTest, textOf: (m: Measure) => string, candidates: (m: Measure) => string[]): { measure: Measure; word: string } {
  for (const measure of t.fixture.measures) {
    for (const word of candidates(measure)) {
      if (t.fixture.measures.some((o) => !textOf(o).toLowerCase().includes(word.toLowerCase()))) return { measure, word };
    }
  }
  return t.skip('no word tells the Measures the SUT holds apart, so a text search cannot be judged');
}

const narrative = (m: Measure) => (m.text?.div ?? '').replace(/<[^>]*>/g, ' ');
const definitionFields = (m: Measure) => [m.title, m.subtitle, m.publisher, m.description, m.purpose, m.usage, m.guidance].filter((f): f is string => Boolean(f));
const definitionText = (m: Measure) => definitionFields(m).join(' ');

/** Parts of a resource that are about the record, not its content: never a source of `_content` probe words. */
const NOT_CONTENT = new Set(['meta', 'id', 'div', 'url', 'system', 'reference']);

/** Every string value of the resource's content and its narrative, as `_content` searches them. */
function contentText(m: Measure): string {
  const out: string[] = [narrative(m)];
  const walk = (v: unknown, key: string): void => {
    if (NOT_CONTENT.has(key)) return;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(m, '');
  return out.join(' ');
}

/** Everything the resource holds, for judging what a server found: it may index more than the content. */
const everything = (m: Measure) => `${JSON.stringify(m)} ${narrative(m)}`;

const allWords = (textOf: (m: Measure) => string) => (m: Measure) => words(textOf(m));
/** A string parameter matches the start of a value, so only first words make safe search values. */
const firstWords = (m: Measure) => definitionFields(m).flatMap((f) => words(f).slice(0, 1));

function measureTextTest(
  title: string,
  param: '_text' | '_content' | 'definition-text',
  requirement: string,
  textOf: (m: Measure) => string,
  candidates: (m: Measure) => string[],
  foundText: (m: Measure) => string = textOf,
): TestDefinition<SourceData> {
  return test<SourceData>(title, {
    requirements: [requirement, 'SANER-QM-PG-015'],
    negativeControl: `ignore-search-param:${param}`,
    async run(t) {
      const { measure, word } = discriminatingWord(t, textOf, candidates);
      const found = matchesOf<Measure>(t, await t.sut.search('Measure', { [param]: word }), 'Measure');
      t.expectSome(found, (m) => m.id === measure.id, `${param}=${word} finds Measure/${measure.id}`, cited(t));
      t.expectEvery(found, (m) => foundText(m).toLowerCase().includes(word.toLowerCase()), `every Measure found by ${param}=${word} has that word`, { ...cited(t), show: (m) => `Measure/${m.id}` });
    },
  });
}

/** Code systems the IG's MeasurePopulations value set includes whole. */
const MEASURE_POPULATION_SYSTEMS = [
  'http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues',
  'http://hl7.org/fhir/uv/saner/CodeSystem/MeasurePopulationSystem',
  'http://terminology.hl7.org/CodeSystem/special-values',
];

function locationOf(t: SourceTest, reference: string | undefined): Location | undefined {
  const local = localReference(reference);
  return t.fixture.locations.find((l) => l.id === local?.id);
}

export const searchTests: TestDefinition<SourceData>[] = [
  ...(['Location', 'MeasureReport', 'Measure', 'Organization'] as const).flatMap(perType),

  test<SourceData>('Location search by name finds the facility', {
    requirements: ['SANER-QM-SRC-004', 'SANER-QM-PG-014'],
    negativeControl: 'ignore-search-param:name',
    async run(t) {
      const location = known(t, 'Location') as Location;
      const word = location.name?.split(/\s+/)[0] ?? t.skip(`Location/${location.id} has no name to search by`);
      const found = matchesOf<Location>(t, await t.sut.search('Location', { name: word }), 'Location');
      t.expectSome(found, (l) => l.id === location.id, `name=${word} finds Location/${location.id}`, cited(t));
      t.expectEvery(found, (l) => [l.name, ...(l.alias ?? [])].some((n) => n?.toLowerCase().includes(word.toLowerCase())), `every Location found has ${word} in its name`, {
        ...cited(t),
        show: (x) => `${x.resourceType}/${x.id}`,
      });
    },
  }),
  test<SourceData>('Location search by identifier finds the facility', {
    requirements: ['SANER-QM-SRC-005', 'SANER-QM-PG-018'],
    negativeControl: 'ignore-search-param:identifier',
    async run(t) {
      const location = known(t, 'Location') as Location;
      const id = location.identifier?.find((i) => i.system && i.value) ?? t.skip(`Location/${location.id} has no identifier with system and value`);
      const found = matchesOf<Location>(t, await t.sut.search('Location', { identifier: `${id.system}|${id.value}` }), 'Location');
      t.expectSome(found, (l) => l.id === location.id, `identifier=${id.system}|${id.value} finds Location/${location.id}`, cited(t));
      t.expectEvery(found, (l) => (l.identifier ?? []).some((i) => i.system === id.system && i.value === id.value), 'every Location found carries that identifier', {
        ...cited(t),
        show: (x) => `${x.resourceType}/${x.id}`,
      });
    },
  }),
  test<SourceData>('Organization search by name finds the reporter', {
    requirements: ['SANER-QM-SRC-046', 'SANER-QM-PG-014'],
    negativeControl: 'ignore-search-param:name',
    async run(t) {
      const org = known(t, 'Organization') as Organization;
      const word = org.name?.split(/\s+/)[0] ?? t.skip(`Organization/${org.id} has no name to search by`);
      const found = matchesOf<Organization>(t, await t.sut.search('Organization', { name: word }), 'Organization');
      t.expectSome(found, (o) => o.id === org.id, `name=${word} finds Organization/${org.id}`, cited(t));
      t.expectEvery(found, (o) => [o.name, ...(o.alias ?? [])].some((n) => n?.toLowerCase().includes(word.toLowerCase())), `every Organization found has ${word} in its name`, {
        ...cited(t),
        show: (x) => `${x.resourceType}/${x.id}`,
      });
    },
  }),
  test<SourceData>('Organization search by identifier finds the reporter', {
    requirements: 'SANER-QM-SRC-047',
    negativeControl: 'ignore-search-param:identifier',
    async run(t) {
      const org = known(t, 'Organization') as Organization;
      const id = org.identifier?.find((i) => i.system && i.value) ?? t.skip(`Organization/${org.id} has no identifier with system and value`);
      const found = matchesOf<Organization>(t, await t.sut.search('Organization', { identifier: `${id.system}|${id.value}` }), 'Organization');
      t.expectSome(found, (o) => o.id === org.id, `identifier=${id.system}|${id.value} finds Organization/${org.id}`, cited(t));
      t.expectEvery(found, (o) => (o.identifier ?? []).some((i) => i.system === id.system && i.value === id.value), 'every Organization found carries that identifier', {
        ...cited(t),
        show: (x) => `${x.resourceType}/${x.id}`,
      });
    },
  }),

  test<SourceData>('MeasureReport search by measure returns only reports of that measure', {
    requirements: ['SANER-QM-SRC-017', 'SANER-QM-PG-016'],
    negativeControl: 'ignore-search-param:measure',
    async run(t) {
      const { measure } = reportFacts(t);
      await reportSearch(t, { measure, period: periodRange(t) }, (r) => r.measure?.split('|')[0] === measure, `is a report of ${measure}`);
    },
  }),
  test<SourceData>('MeasureReport search by measure and a period range returns the reports of that period', {
    requirements: ['SANER-QM-SRC-016', 'SANER-QM-PG-017', 'SANER-QM-PG-016'],
    negativeControl: 'ignore-date-filter',
    async run(t) {
      const { r, measure, start, end } = reportFacts(t);
      await reportSearch(t, { measure, period: periodRange(t) }, (x) => overlaps(x.period, start, end), `has a period within ${r.period!.start} … ${r.period!.end}`);
    },
  }),
  test<SourceData>('MeasureReport search by a date range returns the reports generated in it', {
    requirements: ['SANER-QM-SRC-015', 'SANER-QM-PG-017'],
    negativeControl: 'ignore-date-filter',
    async run(t) {
      const { r, measure } = reportFacts(t);
      const at = instant(r.date ?? t.skip(`MeasureReport/${r.id} has no date to search by`));
      await reportSearch(t, { measure, date: [`gt${utc(at - 1000)}`, `lt${utc(at + 1000)}`] }, (x) => Math.abs(instant(x.date) - at) <= 1000, `was generated within a second of ${r.date}`);
    },
  }),
  test<SourceData>('MeasureReport search by _lastUpdated takes both sides of a range', {
    requirements: ['SANER-QM-SRC-014', 'SANER-QM-PG-017'],
    negativeControl: 'ignore-date-filter',
    async run(t) {
      const { r } = reportFacts(t);
      const at = instant(r.meta?.lastUpdated ?? t.skip(`MeasureReport/${r.id} has no meta.lastUpdated to search by`));
      const inRange = (x: MeasureReport) => Math.abs(instant(x.meta?.lastUpdated) - at) <= 1000;
      await reportSearch(t, { _id: r.id!, _lastUpdated: [`ge${utc(at - 1000)}`, `le${utc(at + 1000)}`] }, inRange, `was last updated within a second of ${r.meta?.lastUpdated}`);
      const before = matchesOf<MeasureReport>(t, await t.sut.search('MeasureReport', { _id: r.id!, _lastUpdated: `lt${utc(at - 1000)}` }), 'MeasureReport');
      t.expect(
        !before.some((x) => x.id === r.id),
        `_lastUpdated=lt${utc(at - 1000)} returned ${idsOf(before).join(', ') || 'nothing'}${before.some((x) => x.id === r.id) ? `; expected no MeasureReport/${r.id}, updated later` : ''}`,
        cited(t),
      );
    },
  }),
  test<SourceData>('MeasureReport search by measure.title finds the reports of the titled measure', {
    requirements: 'SANER-QM-SRC-018',
    negativeControl: 'ignore-search-param:measure.title',
    async run(t) {
      const { measure } = reportFacts(t);
      const title = t.fixture.measure?.title ?? t.skip(`the Measure ${measure} has no title (or the SUT does not hold it)`);
      const titled = new Set(t.fixture.measures.filter((m) => m.title?.toLowerCase().startsWith(title.toLowerCase())).map((m) => m.url));
      await reportSearch(t, { 'measure.title': title, period: periodRange(t) }, (x) => titled.has(x.measure?.split('|')[0]), `belongs to a Measure titled ${title}…`);
    },
  }),
  test<SourceData>('MeasureReport search by subject returns the reports of that facility', {
    requirements: 'SANER-QM-SRC-019',
    negativeControl: 'ignore-search-param:subject',
    async run(t) {
      const { r, measure } = reportFacts(t);
      const subject = localReference(r.subject?.reference) ?? t.skip(`MeasureReport/${r.id}.subject is not a local reference`);
      const ref = `${subject.type}/${subject.id}`;
      await reportSearch(t, { measure, subject: ref }, (x) => localReference(x.subject?.reference)?.id === subject.id, `has subject ${ref}`);
    },
  }),
  test<SourceData>('MeasureReport search by subject:identifier finds a facility by its public identifier', {
    requirements: ['SANER-QM-SRC-020', 'SANER-QM-PG-018'],
    negativeControl: 'ignore-identifier-modifier',
    async run(t) {
      const { r, measure } = reportFacts(t);
      const id = r.subject!.identifier!;
      const token = id.system ? `${id.system}|${id.value}` : id.value!;
      await reportSearch(
        t,
        { measure, 'subject:identifier': token },
        (x) => x.subject?.identifier?.value === id.value && x.subject?.identifier?.system === id.system,
        `has subject identifier ${token}`,
      );
    },
  }),
  test<SourceData>('MeasureReport search by reporter returns the reports of that reporter', {
    requirements: 'SANER-QM-SRC-022',
    negativeControl: 'ignore-search-param:reporter',
    async run(t) {
      const { r, measure } = reportFacts(t);
      const reporter = localReference(r.reporter?.reference) ?? t.skip(`MeasureReport/${r.id}.reporter is not a local reference`);
      const ref = `${reporter.type}/${reporter.id}`;
      await reportSearch(t, { measure, reporter: ref }, (x) => localReference(x.reporter?.reference)?.id === reporter.id, `has reporter ${ref}`);
    },
  }),
  test<SourceData>('MeasureReport search by reporter:identifier finds the reports of a reporter by its identifier', {
    requirements: 'SANER-QM-SRC-023',
    negativeControl: 'ignore-identifier-modifier',
    async run(t) {
      const { r, measure } = reportFacts(t);
      const id = r.reporter!.identifier!;
      const token = id.system ? `${id.system}|${id.value}` : id.value!;
      await reportSearch(
        t,
        { measure, 'reporter:identifier': token },
        (x) => x.reporter?.identifier?.value === id.value && x.reporter?.identifier?.system === id.system,
        `has reporter identifier ${token}`,
      );
    },
  }),
  test<SourceData>('MeasureReport search by subject:Location.near finds the reports of nearby facilities', {
    requirements: ['SANER-QM-SRC-021', 'SANER-QM-PG-019'],
    negativeControl: 'ignore-search-param:subject:Location.near',
    description: 'Searches 25 km around the subject; a bounding box is acceptable, so anything within 50 km passes.',
    async run(t) {
      const { r, measure } = reportFacts(t);
      const here = t.fixture.location?.position ?? t.skip(`the subject of MeasureReport/${r.id} has no position`);
      const near = (x: MeasureReport) => {
        const position = locationOf(t, x.subject?.reference)?.position;
        return position === undefined || distanceKm(here, position) <= 50;
      };
      const found = await reportSearch(t, { measure, 'subject:Location.near': `${here.latitude}|${here.longitude}|25|km` }, near, 'has a subject within 50 km');
      t.note(`${found.length} reports within 25 km of ${here.latitude}, ${here.longitude}`);
    },
  }),

  measureTextTest('Measure search by _text finds measures by their narrative', '_text', 'SANER-QM-SRC-031', narrative, allWords(narrative)),
  measureTextTest('Measure search by _content finds measures by any of their text', '_content', 'SANER-QM-SRC-032', contentText, allWords(contentText), everything),
  measureTextTest('Measure search by definition-text finds measures by their title and description', 'definition-text', 'SANER-QM-SRC-033', definitionText, firstWords),
  test<SourceData>('Measure search by code finds the measures counting that code', {
    requirements: ['SANER-QM-SRC-034', 'SANER-QM-PG-015'],
    negativeControl: 'ignore-search-param:code',
    async run(t) {
      const has = (m: Measure, system: string, code: string) => codingsOf(m).some((c) => c.system === system && c.code === code);
      const pick = t.fixture.measures
        .flatMap((m) => (m.group ?? []).flatMap((g) => (g.population ?? []).map((p) => ({ m, coding: p.code?.coding?.[0] }))))
        .find(({ coding }) => coding?.system && coding.code && t.fixture.measures.some((o) => !has(o, coding.system!, coding.code!)));
      if (!pick?.coding) return t.skip('no population code tells the Measures the SUT holds apart');
      const { system, code } = pick.coding as { system: string; code: string };
      const found = matchesOf<Measure>(t, await t.sut.search('Measure', { code: `${system}|${code}` }), 'Measure');
      t.expectSome(found, (m) => m.id === pick.m.id, `code=${system}|${code} finds Measure/${pick.m.id}`, cited(t));
      t.expectEvery(found, (m) => has(m, system, code), `every Measure found has the code ${system}|${code}`, { ...cited(t), show: (x) => `${x.resourceType}/${x.id}` });
    },
  }),
  test<SourceData>('Measure search by code:in the MeasurePopulations value set finds the measures using its codes', {
    requirements: ['SANER-QM-SRC-035', 'SANER-QM-PG-015'],
    negativeControl: 'ignore-search-param:code:in',
    description: `Searches code:in=${MEASURE_POPULATIONS_VALUE_SET} (D15).`,
    async run(t) {
      const inSet = (m: Measure) => codingsOf(m).some((c) => MEASURE_POPULATION_SYSTEMS.includes(c.system ?? ''));
      const res = await t.sut.search('Measure', { 'code:in': MEASURE_POPULATIONS_VALUE_SET });
      const found = matchesOf<Measure>(t, res, 'Measure');
      t.expectEvery(found, inSet, 'every Measure found has a code of the MeasurePopulations value set', { ...cited(t), show: (x) => `${x.resourceType}/${x.id}` });
      const expected = t.fixture.measures.filter(inSet);
      t.expectEvery(expected, (m) => found.some((f) => f.id === m.id), 'every Measure with such a code is found', { ...cited(t), show: (x) => `${x.resourceType}/${x.id}` });
      if (expected.length === t.fixture.measures.length) t.note('every Measure the SUT holds uses MeasurePopulations codes, so this search cannot show that it leaves any out');
    },
  }),
];
