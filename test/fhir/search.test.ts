import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, OperationOutcome } from 'fhir/r4.js';
import { FhirError } from '../../src/fhir/errors.js';
import { parseDateRange } from '../../src/fhir/search/date-range.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { BASE, HOSPITALS, MEASURE_URL, OTHER_MEASURE_URL, POP, ids, openStore, q, seed } from './store-fixtures.js';

let store: ResourceStore;
const search = (type: string, query: string, strict = false): Bundle => store.search(type, q(query), { baseUrl: BASE, strict });
const total = (type: string, query: string) => search(type, query).total;

function fhirError(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error('expected a FhirError');
}

beforeAll(() => {
  store = openStore();
  seed(store);
});

describe('search parameter definitions', () => {
  it('come from the R4 core and the SANER IG', () => {
    const defs = sanerSearchParamsFor(['MeasureReport', 'Measure']);
    const names = defs.map((d) => `${d.base.join(',')}:${d.name}`);
    expect(names).toContain('MeasureReport:measure');
    expect(names).toContain('Resource:_id');
    expect(defs.find((d) => d.name === 'definition-text')?.type).toBe('string');
    expect(defs.find((d) => d.name === 'code' && d.base.includes('Measure'))?.expression).toBe('descendants().ofType(Coding)');
    expect(sanerSearchParamsFor(['Location']).some((d) => d.base.includes('MeasureReport'))).toBe(false);
  });
});

describe('dates', () => {
  it('turn partial dates into the range their precision covers', () => {
    expect(parseDateRange('2020')).toEqual({ low: Date.UTC(2020, 0, 1), high: Date.UTC(2021, 0, 1) });
    expect(parseDateRange('2020-04')).toEqual({ low: Date.UTC(2020, 3, 1), high: Date.UTC(2020, 4, 1) });
    expect(parseDateRange('2020-04-30')).toEqual({ low: Date.UTC(2020, 3, 30), high: Date.UTC(2020, 4, 1) });
    expect(parseDateRange('2020-04-01T10:00:00-05:00')).toEqual({ low: Date.UTC(2020, 3, 1, 15), high: Date.UTC(2020, 3, 1, 15, 0, 1) });
    expect(parseDateRange('2020-02-30')).toBeUndefined();
    expect(parseDateRange('yesterday')).toBeUndefined();
  });

  it('match date with prefixes and two-sided ranges', () => {
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=ge2020-04-02&date=lt2020-04-05`)).toBe(9);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=2020-04-03`)).toBe(3);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=gt2020-04-05`)).toBe(6);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=le2020-04-01`)).toBe(3);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=ne2020-04-01`)).toBe(18);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=2020-04`)).toBe(21);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=2020-03`)).toBe(0);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=sa2020-04-06`)).toBe(3);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&date=eb2020-04-02`)).toBe(3);
  });

  it('match Periods, comma ORs and _lastUpdated', () => {
    expect(total('MeasureReport', `measure=${MEASURE_URL}&period=ge2020-04-04&period=le2020-04-05`)).toBe(6);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&period=2020-04-01,2020-04-07`)).toBe(6);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&_lastUpdated=ge2020-01-01`)).toBe(21);
    expect(total('MeasureReport', `measure=${MEASURE_URL}&_lastUpdated=lt2020-01-01`)).toBe(0);
  });

  it('refuse unparseable dates and the ap prefix with 400 naming the parameter', () => {
    const bad = fhirError(() => search('MeasureReport', 'date=ge2020-13-01'));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain("date: 'ge2020-13-01'");
    expect(fhirError(() => search('MeasureReport', 'date=ap2020-04-01')).message).toContain("'ap'");
  });
});

describe('tokens, strings, uris', () => {
  it('match _id with comma OR', () => {
    expect(ids(search('Location', '_id=loc-1,loc-3'))).toEqual(['Location/loc-1', 'Location/loc-3']);
  });

  it('match code, system|code, |code, system| and :not', () => {
    expect(total('Location', `identifier=${HOSPITALS}|X2`)).toBe(1);
    expect(total('Location', 'identifier=X2')).toBe(1);
    expect(total('Location', 'identifier=|X2')).toBe(0);
    expect(total('Location', `identifier=${HOSPITALS}|`)).toBe(3);
    expect(total('Location', `identifier=other|X2`)).toBe(0);
    expect(total('MeasureReport', 'status=complete')).toBe(42);
    expect(total('MeasureReport', 'status:not=complete')).toBe(0);
    expect(total('Location', `identifier:not=${HOSPITALS}|X2`)).toBe(2);
  });

  it('match the IG code parameter (any Coding), :text and :in with a stored ValueSet', () => {
    expect(ids(search('Measure', `code=${POP}|numVent`))).toEqual(['Measure/m-vent']);
    expect(ids(search('Measure', 'code:text=numero numv'))).toEqual(['Measure/m-vent']);
    expect(ids(search('Measure', 'code:in=http://hl7.org/fhir/uv/saner/ValueSet/MeasurePopulations'))).toEqual(['Measure/m-vent']);
    expect(total('MeasureReport', `code=${POP}|numVent`)).toBe(42);
    const unknown = fhirError(() => search('Measure', 'code:in=http://example.org/ValueSet/none'));
    expect(unknown.status).toBe(400);
  });

  it('match strings by case- and accent-insensitive prefix, :exact and :contains', () => {
    expect(ids(search('Location', 'name=CLARKE'))).toEqual(['Location/loc-1']);
    expect(ids(search('Location', 'name=clárke'))).toEqual(['Location/loc-1']);
    expect(total('Location', 'name=hospital')).toBe(0);
    expect(total('Location', 'name:contains=hospital')).toBe(1);
    expect(total('Location', 'name:exact=Clarke Hospital')).toBe(1);
    expect(total('Location', 'name:exact=clarke hospital')).toBe(0);
    expect(ids(search('Measure', 'definition-text=Ventilator'))).toEqual([]);
    expect(ids(search('Measure', 'definition-text=Patient'))).toEqual(['Measure/m-vent']);
    expect(total('Measure', 'definition-text:contains=hospital')).toBe(2);
  });

  it('match uri parameters exactly and with :below', () => {
    expect(ids(search('Measure', `url=${OTHER_MEASURE_URL}`))).toEqual(['Measure/m-fema']);
    expect(total('Measure', 'url:below=http://hl7.org/fhir/uv/saner/Measure/')).toBe(2);
  });

  it('match _text in the narrative and _content anywhere', () => {
    expect(total('Measure', '_text=ventilator')).toBe(2);
    expect(total('Measure', '_text=numVent')).toBe(0);
    expect(total('Measure', '_content=numVent')).toBe(1);
    expect(total('Measure', '_content=FEMA daily')).toBe(1);
  });
});

describe('references', () => {
  it('match Type/id, bare id, [base]/Type/id, :Type and canonical urls', () => {
    expect(total('MeasureReport', 'subject=Location/loc-1')).toBe(14);
    expect(total('MeasureReport', 'subject=loc-1')).toBe(14);
    expect(total('MeasureReport', `subject=${BASE}/Location/loc-1`)).toBe(14);
    expect(total('MeasureReport', 'subject:Location=loc-2')).toBe(14);
    expect(total('MeasureReport', 'subject:Patient=loc-2')).toBe(0);
    expect(total('MeasureReport', `measure=${OTHER_MEASURE_URL}`)).toBe(21);
    expect(total('MeasureReport', `measure=${MEASURE_URL},${OTHER_MEASURE_URL}`)).toBe(42);
    expect(total('MeasureReport', 'reporter=Organization/org-1')).toBe(42);
  });

  it('match :identifier on the reference itself and on the referenced resource', () => {
    store.create({ ...structuredClone(search('MeasureReport', '_id=mr-loc-1-1').entry![0]!.resource!), subject: { identifier: { system: HOSPITALS, value: 'X9' } } } as never, { id: 'mr-ident' });
    expect(ids(search('MeasureReport', `subject:identifier=${HOSPITALS}|X9`))).toEqual(['MeasureReport/mr-ident']);
    expect(total('MeasureReport', `subject:identifier=${HOSPITALS}|X3&measure=${MEASURE_URL}`)).toBe(7);
    expect(total('MeasureReport', `reporter:identifier=${HOSPITALS}|O1&measure=${MEASURE_URL}`)).toBe(22);
    store.delete('MeasureReport', 'mr-ident');
  });

  it('chain measure.title through the canonical and subject:Location.near through positions', () => {
    expect(total('MeasureReport', 'measure.title=patient impact')).toBe(21);
    expect(total('MeasureReport', 'measure.title=FEMA&date=2020-04-02')).toBe(3);
    expect(total('MeasureReport', 'subject.name=mercer&measure.title=FEMA')).toBe(7);
    // Trenton, NJ: loc-1 (~8 km) and loc-2 (~9 km) are near, Chicago is not.
    expect(ids(search('Location', 'near=40.22|-74.70|25|km'))).toEqual(['Location/loc-1', 'Location/loc-2']);
    expect(ids(search('Location', 'near=40.22|-74.70|1|mi'))).toEqual([]);
    expect(total('MeasureReport', `subject:Location.near=40.19|-74.67|100|km&measure=${MEASURE_URL}`)).toBe(14);
    expect(total('MeasureReport', `subject:Location.near=41.9|-87.8|10&measure=${MEASURE_URL}`)).toBe(7);
    expect(fhirError(() => search('Location', 'near=north|-74')).status).toBe(400);
  });
});

describe('paging', () => {
  it('walks every next link and sees each match exactly once', () => {
    let bundle = search('MeasureReport', `measure=${MEASURE_URL}&_count=4`);
    expect(bundle.total).toBe(21);
    const seen: string[] = [];
    let pages = 0;
    for (;;) {
      pages++;
      seen.push(...ids(bundle));
      expect(bundle.link?.find((l) => l.relation === 'self')?.url.startsWith(`${BASE}/MeasureReport?`)).toBe(true);
      const next = bundle.link?.find((l) => l.relation === 'next');
      if (!next) break;
      const url = new URL(next.url);
      bundle = store.search('MeasureReport', [...url.searchParams], { baseUrl: BASE });
    }
    expect(pages).toBe(6);
    expect(seen.length).toBe(21);
    expect(new Set(seen).size).toBe(21);
    const previous = bundle.link?.find((l) => l.relation === 'previous');
    expect(new URL(previous!.url).searchParams.get('_offset')).toBe('16');
  });

  it('defaults to 100, gives the total only for _count=0 and refuses bad _count', () => {
    const page = store.search('MeasureReport', [], { baseUrl: BASE, defaultCount: 10 });
    expect(page.entry).toHaveLength(10);
    const countOnly = search('MeasureReport', '_count=0');
    expect(countOnly.total).toBe(42);
    expect(countOnly.entry).toHaveLength(0);
    expect(search('MeasureReport', '').entry).toHaveLength(42);
    expect(fhirError(() => search('MeasureReport', '_count=abc')).message).toContain("_count must be a non-negative integer, not 'abc'");
    expect(fhirError(() => search('MeasureReport', '_count=-1')).status).toBe(400);
  });
});

describe('_include', () => {
  it('_include=* adds subject, reporter and the canonical Measure once each', () => {
    const bundle = search('MeasureReport', '_id=mr-loc-1-1,mr-loc-1-2&_include=*');
    expect(ids(bundle)).toEqual(['MeasureReport/mr-loc-1-1', 'MeasureReport/mr-loc-1-2']);
    expect(ids(bundle, 'include')).toEqual(['Location/loc-1', 'Measure/m-vent', 'Organization/org-1']);
    expect(bundle.entry!.find((e) => e.resource!.id === 'loc-1')!.fullUrl).toBe(`${BASE}/Location/loc-1`);
  });

  it('_include=Type:param and _revinclude follow one parameter', () => {
    expect(ids(search('MeasureReport', '_id=mr-loc-2-1&_include=MeasureReport:subject'), 'include')).toEqual(['Location/loc-2']);
    expect(ids(search('MeasureReport', '_id=mr-loc-2-1&_include=MeasureReport:subject:Patient'), 'include')).toEqual([]);
    expect(search('Location', '_id=loc-3&_revinclude=MeasureReport:subject').entry!.filter((e) => e.search?.mode === 'include')).toHaveLength(14);
  });

  it('refuses :iterate with a clear 400', () => {
    const error = fhirError(() => search('MeasureReport', '_include:iterate=MeasureReport:subject'));
    expect(error.status).toBe(400);
    expect(error.issues[0]!.code).toBe('not-supported');
  });
});

describe('unknown parameters', () => {
  it('are ignored and reported in an outcome entry, or refused when strict', () => {
    const bundle = search('MeasureReport', `measure=${MEASURE_URL}&colour=blue&status:above=x`);
    expect(bundle.total).toBe(21);
    const outcome = bundle.entry!.find((e) => e.search?.mode === 'outcome')!.resource as OperationOutcome;
    expect(outcome.issue.map((i) => i.severity)).toEqual(['warning', 'warning']);
    expect(outcome.issue[0]!.diagnostics).toContain('colour');
    expect(bundle.link!.find((l) => l.relation === 'self')!.url).not.toContain('colour');
    const strict = fhirError(() => search('MeasureReport', 'colour=blue', true));
    expect(strict.status).toBe(400);
    expect(strict.message).toContain('colour');
  });

  it('leaves the server-layer parameters alone', () => {
    const bundle = search('MeasureReport', '_format=json&_pretty=true&_summary=false&_elements=id&_count=1', true);
    expect(bundle.entry!.some((e) => e.search?.mode === 'outcome')).toBe(false);
    expect(bundle.link!.find((l) => l.relation === 'next')!.url).toContain('_format=json');
  });
});
