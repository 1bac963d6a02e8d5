import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import type { Bundle, CapabilityStatement, Encounter, Library, Measure, OperationOutcome, Patient, Resource } from 'fhir/r4.js';
import { projectRoot } from '../../src/harness.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../cli/cli-io.js';
import { DATA_SOURCE_CM } from '../../ig/saner/capabilities.js';
import { simulatorPlaying } from '../../simulators/index.js';
import { dataSource, generateDataSet, startDataSource, type RunningDataSource } from '../../simulators/data-source/index.js';
import { COMPUTE_MEASURE_TYPES } from '../../simulators/data-source/declaration.js';
import { MEASURE_VERSIONS, populationMembers } from '../../simulators/data-source/measures.js';
import { ageGroup } from '../../simulators/data-source/measures.js';
import type { ReportingPeriod } from '../../simulators/data-source/model.js';

const fixture = <T>(file: string): T => JSON.parse(readFileSync(join(projectRoot, 'fixtures', 'compute', file), 'utf8')) as T;
const measures = [fixture<Measure>('measure-compute-covid-impact.json'), fixture<Measure>('measure-compute-covid-impact-v2.json')];
const library = fixture<Library>('library-compute-covid-value-sets.json');
const valueSetUrls = Object.fromEntries((library.content ?? []).map((a) => [a.id!, a.url!]));

/** A population's FHIR query with the Measure's parameters substituted, as [type, decoded pairs]. */
function populationQuery(expression: string, period: ReportingPeriod): [string, Array<[string, string]>] {
  const [type, query] = expression.split('?') as [string, string];
  const substitute = (value: string) =>
    value.replace(/@([A-Za-z][A-Za-z0-9.]*)/g, (_, name: string) => {
      if (name === 'ReportingPeriod.start') return period.start;
      if (name === 'ReportingPeriod.end') return period.end;
      const url = valueSetUrls[name];
      if (!url) throw new Error(`unknown parameter @${name}`);
      return url;
    });
  return [type, query.split('&').map((p) => [p.slice(0, p.indexOf('=')), substitute(p.slice(p.indexOf('=') + 1))])];
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Every page of a search, following next links: the matches and the included resources. */
async function searchAll(url: string, init?: RequestInit): Promise<{ matches: Resource[]; included: Resource[]; pages: number; total?: number }> {
  const matches: Resource[] = [];
  const included: Resource[] = [];
  let next: string | undefined = url;
  let pages = 0;
  let total: number | undefined;
  let request = init;
  while (next) {
    const res: Response = await fetch(next, { ...request, headers: { accept: 'application/fhir+json', ...request?.headers } });
    const bundle = await json<Bundle>(res);
    expect(res.status, JSON.stringify(bundle).slice(0, 500)).toBe(200);
    pages++;
    total ??= bundle.total;
    for (const e of bundle.entry ?? []) (e.search?.mode === 'include' ? included : matches).push(e.resource!);
    next = bundle.link?.find((l) => l.relation === 'next')?.url;
    request = undefined;
  }
  return { matches, included, pages, ...(total === undefined ? {} : { total }) };
}

const q = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();

describe('data-source simulator', () => {
  let server: RunningDataSource;
  beforeAll(async () => {
    server = await startDataSource();
  });
  afterAll(() => server.close());

  it('is registered as the Data Source', () => {
    expect(simulatorPlaying('DataSource')).toBe(dataSource);
    expect(dataSource.faultIds()).toEqual(expect.arrayContaining(['in-modifier-400', 'date-end-inclusive', 'ignore-date-filter', 'drop-include']));
  });

  it('matches exactly the generator members for every population query of both Measure versions on every day', async () => {
    let checked = 0;
    for (const measure of measures) {
      const version = MEASURE_VERSIONS.find((v) => v.version === measure.version)!;
      for (const period of server.dataSet.periods) {
        const model = populationMembers(server.dataSet.model, version, period);
        const expected = server.expected.results.find((r) => r.version === measure.version && r.period.start === period.start)!;
        for (const group of measure.group!) {
          const groupCode = group.code!.coding![0]!.code!;
          const modelGroup = model.find((g) => g.code === groupCode)!;
          const expectedGroup = expected.groups.find((g) => g.code === groupCode)!;
          const strata = new Map<string, Record<string, Record<string, number>>>();
          for (const population of group.population!) {
            const code = population.code!.coding![0]!.code!;
            const [type, pairs] = populationQuery(population.criteria.expression!, period);
            const { matches, included } = await searchAll(`${server.url}/${type}?${q([...pairs, ['_count', '40']])}`);
            const label = `${measure.version} ${period.start} ${code}`;
            const ids = matches.map((r) => r.id!).sort();
            expect(ids, label).toEqual(
              modelGroup.populations
                .find((p) => p.code === code)!
                .members.map((m) => m.id)
                .sort(),
            );
            expect(ids.length, label).toBe(expectedGroup.populations[code]);
            checked++;
            // Strata from the included patients: _include delivers what the stratifiers resolve.
            const patients = new Map(included.filter((r): r is Patient => r.resourceType === 'Patient').map((p) => [p.id!, p]));
            for (const stratifier of expectedGroup.stratifiers) {
              const counts = strata.get(stratifier.code) ?? {};
              for (const member of matches as Array<Encounter & { subject?: { reference?: string } }>) {
                const patient = patients.get(member.subject!.reference!.split('/')[1]!);
                expect(patient, `${label}: the subject of ${member.id} is included`).toBeDefined();
                const value = stratifier.code === 'By Gender' ? patient!.gender! : ageGroup(patient!.birthDate!, period);
                const stratum = counts[value] ?? Object.fromEntries(Object.keys(expectedGroup.populations).map((p) => [p, 0]));
                counts[value] = stratum;
                stratum[code]! += 1;
              }
              strata.set(stratifier.code, counts);
            }
          }
          for (const stratifier of expectedGroup.stratifiers) expect(strata.get(stratifier.code), `${measure.version} ${period.start} ${stratifier.code}`).toEqual(stratifier.strata);
        }
      }
    }
    expect(checked).toBe(2 * 7 * 6);
  });

  it('gives the Measure stratifier expressions, evaluated by fhirpath.js, the generator strata at the age boundaries', async () => {
    const stratifiers = measures[0]!.group![0]!.stratifier!;
    const [byGender, byAge] = stratifiers.map((s) => s.criteria!.expression!) as [string, string];
    for (const [d, period] of server.dataSet.periods.entries()) {
      const encounters = server.dataSet.model.encounters.filter(
        (e) =>
          e.patient.id === server.dataSet.model.patients[d * 3]!.id || e.patient.id === server.dataSet.model.patients[d * 3 + 1]!.id || e.patient.id === server.dataSet.model.patients[d * 3 + 2]!.id,
      );
      for (const e of encounters.slice(0, 6)) {
        const resource = await json<Encounter>(await fetch(`${server.url}/Encounter/${e.id}`, { headers: { accept: 'application/fhir+json' } }));
        const env = { ReportingPeriod: { start: period.start, end: period.end } };
        const options = { async: true as const, fhirServerUrl: server.url };
        expect(await fhirpath.evaluate(resource, byAge, env, r4Model, options), `${e.id} ${period.start}`).toEqual([ageGroup(e.patient.birthDate, period)]);
        expect(await fhirpath.evaluate(resource, byGender, env, r4Model, options)).toEqual([e.patient.gender]);
      }
    }
  });

  it('instantiates DataSource-ComputeMeasure and declares search on every SANER-CM-DS type, only with parameters R4 has (D8)', async () => {
    const cs = await json<CapabilityStatement>(await fetch(`${server.url}/metadata`, { headers: { accept: 'application/fhir+json' } }));
    expect(cs.instantiates).toEqual([DATA_SOURCE_CM]);
    const resources = cs.rest![0]!.resource!;
    for (const type of COMPUTE_MEASURE_TYPES) {
      const r = resources.find((x) => x.type === type);
      expect(
        r?.interaction?.map((i) => i.code),
        type,
      ).toContain('search-type');
      expect(
        r?.searchParam?.map((p) => p.name),
        type,
      ).toContain('_id');
    }
    const params = (type: string) => resources.find((x) => x.type === type)!.searchParam!.map((p) => p.name);
    expect(params('Patient')).not.toContain('date');
    expect(params('Patient')).not.toContain('class');
    expect(params('Encounter')).not.toContain('encounter');
    expect(params('Encounter')).not.toContain('code');
    expect(params('Encounter')).toEqual(expect.arrayContaining(['patient', 'date', 'class', 'status', 'reason-code', 'reason-code:in']));
    expect(params('Procedure')).toEqual(expect.arrayContaining(['patient', 'encounter', 'code', 'code:in', 'date', 'reason-code:in']));
    expect(params('Observation')).toEqual(expect.arrayContaining(['patient', 'encounter', 'code:in', 'value-concept:in']));
    expect(params('Condition')).toEqual(expect.arrayContaining(['patient', 'encounter', 'code']));
    expect(resources.find((x) => x.type === 'Location')!.searchParam!.find((p) => p.name === 'physical-type')!.definition).toBe(
      'http://measure-conformance.example.org/fhir/SearchParameter/Location-physical-type',
    );
    expect(resources.find((x) => x.type === 'Encounter')!.searchInclude).toContain('Encounter:subject');
  });

  it('answers the SANER-CM-DS searches by _id, patient, encounter and code', async () => {
    const encounter = server.dataSet.model.conditions[0]!;
    const patientId = encounter.patient.id;
    const found = async (path: string) => (await searchAll(`${server.url}/${path}`)).matches.map((r) => `${r.resourceType}/${r.id}`).sort();
    expect(await found(`Patient?_id=${patientId}`)).toEqual([`Patient/${patientId}`]);
    expect(await found(`Encounter?patient=Patient/${patientId}`)).toEqual(
      server.dataSet.model.encounters
        .filter((e) => e.patient.id === patientId)
        .map((e) => `Encounter/${e.id}`)
        .sort(),
    );
    expect(await found(`Condition?encounter=Encounter/${encounter.encounter}`)).toEqual(
      server.dataSet.model.conditions
        .filter((c) => c.encounter === encounter.encounter)
        .map((c) => `Condition/${c.id}`)
        .sort(),
    );
    expect(await found('Observation?code=http://loinc.org|94558-4')).toEqual(
      server.dataSet.model.observations
        .filter((o) => o.code.code === '94558-4')
        .map((o) => `Observation/${o.id}`)
        .sort(),
    );
    expect(await found('Procedure?code=http://snomed.info/sct|371907003')).toEqual(
      server.dataSet.model.procedures
        .filter((p) => p.code.code === '371907003')
        .map((p) => `Procedure/${p.id}`)
        .sort(),
    );
    expect(await found('Measure?url=http://measure-conformance.example.org/fhir/Measure/ComputeCovidImpact')).toEqual(['Measure/ComputeCovidImpact']);
    expect(await found(`MedicationRequest?patient=Patient/${patientId}`)).toEqual(
      server.dataSet.model.coverage
        .filter((r) => r.type === 'MedicationRequest' && r.patient.id === patientId)
        .map((r) => `MedicationRequest/${r.id}`)
        .sort(),
    );
  });

  it("answers every ComputeSearchCoverage and ComputeUnevaluable population with the generator's expected count on every day, except the unevaluable one", async () => {
    let checked = 0;
    let refused = 0;
    for (const measure of [fixture<Measure>('measure-compute-search-coverage.json'), fixture<Measure>('measure-compute-unevaluable.json')]) {
      for (const period of server.dataSet.periods) {
        const expected = server.expected.results.find((r) => r.measure === measure.url && r.period.start === period.start)!;
        for (const group of measure.group!) {
          for (const population of group.population!) {
            const expression = population.criteria.expression!.replace(/@ReportingPeriod\.(start|end)/g, (_, bound: 'start' | 'end') => period[bound]);
            const res = await fetch(`${server.url}/${expression}${expression.includes('?') ? '&' : '?'}_summary=count`, { headers: { accept: 'application/fhir+json', prefer: 'handling=strict' } });
            const want = expected.groups.find((g) => g.code === group.code!.text)?.populations[population.code!.text!];
            if (want === undefined) {
              expect(res.status, expression).toBe(404);
              refused++;
              continue;
            }
            expect(res.status, expression).toBe(200);
            expect((await json<Bundle>(res)).total, `${period.start} ${expression}`).toBe(want);
            checked++;
          }
        }
      }
    }
    expect([checked, refused]).toEqual([7 * 48, 7]);
  });

  it('answers POST _search as GET, and pages by _count to the same members', async () => {
    const [type, pairs] = populationQuery(measures[0]!.group![2]!.population![0]!.criteria.expression!, server.dataSet.periods[3]!);
    const get = await searchAll(`${server.url}/${type}?${q([...pairs, ['_count', '1000']])}`);
    const post = await searchAll(`${server.url}/${type}/_search`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q([...pairs, ['_count', '1000']]) });
    const paged = await searchAll(`${server.url}/${type}?${q([...pairs, ['_count', '3']])}`);
    expect(get.matches.length).toBeGreaterThan(6);
    expect(post.matches.map((r) => r.id)).toEqual(get.matches.map((r) => r.id));
    expect(paged.matches.map((r) => r.id)).toEqual(get.matches.map((r) => r.id));
    expect(paged.pages).toBe(Math.ceil(get.matches.length / 3));
    expect(paged.total).toBe(get.matches.length);
  });

  it('keeps both Measure versions: v2 current, v1 in its history', async () => {
    const current = await json<Measure>(await fetch(`${server.url}/Measure/ComputeCovidImpact`, { headers: { accept: 'application/fhir+json' } }));
    expect(current.version).toBe('2.0.0');
    expect((server.store.vread('Measure', 'ComputeCovidImpact', '1') as Measure).version).toBe('1.0.0');
  });

  it('answers bad input with an OperationOutcome and a 4xx, and refuses writes', async () => {
    const bad: Array<[string, RequestInit?]> = [
      ['Encounter?date=ge2020-04-99'],
      ['Encounter?reason-code:in=http://example.org/ValueSet/unknown'],
      ['Encounter?_count=-1'],
      ['Encounter?_include:iterate=Encounter:subject'],
      ['Encounter?date=ap2020-04-01'],
      ['Nothing?_id=1'],
      ['Patient/no-such-patient'],
      ['Patient', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Patient' }) }],
      ['Patient/pat-000001', { method: 'DELETE' }],
      ['Encounter/_search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
      ['Encounter/_search', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from([0xff, 0xfe]) }],
    ];
    for (const [path, init] of bad) {
      const res = await fetch(`${server.url}/${path}`, { ...init, headers: { accept: 'application/fhir+json', ...init?.headers } });
      const body = await json<OperationOutcome>(res);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(body.resourceType, path).toBe('OperationOutcome');
    }
    expect(server.store.count('Patient')).toBe(200);
  });
});

describe('data-source simulator without :in (SANER-CM-PG-004)', () => {
  let server: RunningDataSource;
  beforeAll(async () => {
    server = await startDataSource({ inModifier: false });
  });
  afterAll(() => server.close());

  it('does not claim :in or :not-in', async () => {
    const cs = await json<CapabilityStatement>(await fetch(`${server.url}/metadata`, { headers: { accept: 'application/fhir+json' } }));
    const names = cs.rest![0]!.resource!.flatMap((r) => (r.searchParam ?? []).map((p) => p.name));
    expect(names).toContain('reason-code');
    expect(names.filter((n) => /:(in|not-in)$/.test(n))).toEqual([]);
  });

  it('answers :in and :not-in with 400 naming the modifier, by GET and POST', async () => {
    const vs = valueSetUrls.SuspectedOrConfirmedCOVID19Diagnoses!;
    for (const [path, init] of [
      [`Encounter?reason-code:in=${encodeURIComponent(vs)}`, undefined],
      [`Encounter?reason-code:not-in=${encodeURIComponent(vs)}`, undefined],
      ['Encounter/_search', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q([['reason-code:in', vs]]) }],
    ] as Array<[string, RequestInit | undefined]>) {
      const res = await fetch(`${server.url}/${path}`, { ...init, headers: { accept: 'application/fhir+json', ...init?.headers } });
      const outcome = await json<OperationOutcome>(res);
      expect(res.status, path).toBe(400);
      expect(outcome.issue[0]!.code).toBe('not-supported');
      expect(outcome.issue[0]!.diagnostics ?? outcome.issue[0]!.details?.text ?? '', path).toMatch(/:(not-)?in modifier/);
    }
  });

  it('counts the same with the value set sent as a list of system|code', async () => {
    const period = server.dataSet.periods[2]!;
    const [type, pairs] = populationQuery(measures[0]!.group![0]!.population![0]!.criteria.expression!, period);
    const codes = fixture<{ expansion: { contains: { system: string; code: string }[] } }>('valueset-suspected-or-confirmed-covid19-diagnoses.json').expansion.contains;
    const explicit = pairs.map(([n, v]): [string, string] => (n === 'reason-code:in' ? ['reason-code', codes.map((c) => `${c.system}|${c.code}`).join(',')] : [n, v]));
    const { matches } = await searchAll(`${server.url}/${type}?${q([...explicit, ['_count', '1000']])}`);
    expect(matches.length).toBe(server.expected.results.find((r) => r.version === '1.0.0' && r.period.start === period.start)!.groups[0]!.populations.numC19Pats);
  });
});

describe('data-source fault modes change the answers', () => {
  const period = () =>
    startDataSource().then(async (s) => {
      await s.close();
      return s.dataSet.periods[1]!;
    });
  const encounterQuery = (p: ReportingPeriod) => populationQuery(measures[0]!.group![0]!.population![0]!.criteria.expression!, p);

  async function count(server: RunningDataSource, pairs: Array<[string, string]>, type = 'Encounter') {
    return (await searchAll(`${server.url}/${type}?${q([...pairs, ['_count', '1000']])}`)).matches.length;
  }

  it('in-modifier-400 claims :in but refuses it', async () => {
    const server = await startDataSource({ faults: ['in-modifier-400'] });
    try {
      const cs = await json<CapabilityStatement>(await fetch(`${server.url}/metadata`, { headers: { accept: 'application/fhir+json' } }));
      expect(cs.rest![0]!.resource!.find((r) => r.type === 'Encounter')!.searchParam!.map((p) => p.name)).toContain('reason-code:in');
      const [, pairs] = encounterQuery(server.dataSet.periods[0]!);
      const res = await fetch(`${server.url}/Encounter?${q(pairs)}`, { headers: { accept: 'application/fhir+json' } });
      expect(res.status).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('date-end-inclusive counts a result taken at the end instant, by GET and POST', async () => {
    const p = await period();
    const [, pairs] = populationQuery(measures[0]!.group![2]!.population![0]!.criteria.expression!, p);
    const clean = await startDataSource();
    const faulty = await startDataSource({ faults: ['date-end-inclusive'] });
    try {
      const expected = clean.expected.results.find((r) => r.version === '1.0.0' && r.period.start === p.start)!.groups[2]!.populations.totalTestResults!;
      expect(await count(clean, pairs, 'Observation')).toBe(expected);
      expect(await count(faulty, pairs, 'Observation')).toBeGreaterThan(expected);
      const post = await searchAll(`${faulty.url}/Observation/_search`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q([...pairs, ['_count', '1000']]) });
      expect(post.matches.length).toBeGreaterThan(expected);
    } finally {
      await Promise.all([clean.close(), faulty.close()]);
    }
  });

  it('token-ignores-system finds a code under any system, by GET and POST, and leaves :in alone', async () => {
    const server = await startDataSource({ patients: 30, faults: ['token-ignores-system'] });
    try {
      const diabetic = server.dataSet.model.conditions
        .filter((c) => c.code.code === '44054006')
        .map((c) => `Condition/${c.id}`)
        .sort();
      const ids = (found: { matches: Resource[] }) => found.matches.map((r) => `${r.resourceType}/${r.id}`).sort();
      expect(diabetic.length).toBeGreaterThan(0);
      expect(ids(await searchAll(`${server.url}/Condition?code=http://loinc.org|44054006`))).toEqual(diabetic);
      expect(
        ids(await searchAll(`${server.url}/Condition/_search`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'code=http://loinc.org|44054006' })),
      ).toEqual(diabetic);
      const [, pairs] = encounterQuery(server.dataSet.periods[1]!);
      expect(await count(server, pairs)).toBe(server.expected.results.find((r) => r.version === '1.0.0' && r.period.start === server.dataSet.periods[1]!.start)!.groups[0]!.populations.numC19Pats!);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['ignore-date-filter', (n: number, e: number) => expect(n).toBeGreaterThan(e)],
    ['ignore-search-param:class', (n: number, e: number) => expect(n).toBeGreaterThan(e)],
  ])('%s changes the Encounter count', async (fault, check) => {
    const server = await startDataSource({ faults: [fault] });
    try {
      const p = server.dataSet.periods[1]!;
      const [, pairs] = encounterQuery(p);
      check(await count(server, pairs), server.expected.results.find((r) => r.version === '1.0.0' && r.period.start === p.start)!.groups[0]!.populations.numC19Pats!);
    } finally {
      await server.close();
    }
  });

  it('drop-include leaves the subjects out', async () => {
    const server = await startDataSource({ faults: ['drop-include'] });
    try {
      const [, pairs] = encounterQuery(server.dataSet.periods[1]!);
      const { matches, included } = await searchAll(`${server.url}/Encounter?${q([...pairs, ['_count', '1000']])}`);
      expect(matches.length).toBeGreaterThan(0);
      expect(included).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('data-source with a file-backed store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'data-source-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads once, serves the same data when started again, and refuses a store holding another data set', async () => {
    const storePath = join(dir, 'ds.sqlite');
    const first = await startDataSource({ storePath, patients: 100, seed: 5 });
    const held = first.store.count();
    await first.close();
    const again = await startDataSource({ storePath, patients: 100, seed: 5 });
    try {
      expect(again.store.count()).toBe(held);
      expect(again.store.count('Patient')).toBe(100);
    } finally {
      await again.close();
    }
    await expect(startDataSource({ storePath, patients: 100, seed: 6 })).rejects.toThrow(/holds another data set/);
    await expect(dataSource.start({ faults: ['no-such-fault'] })).rejects.toThrow(/unknown fault mode/);
  });
});

describe('serve data-source', () => {
  it('generates the data set --patients and --seed ask for, and refuses a bad count with exit 2', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'data-source-serve-'));
    try {
      const stop = new AbortController();
      const io = captureIo(cwd, {}, stop.signal);
      const running = main(['serve', '--simulator', 'data-source', '--patients', '60', '--seed', '3'], io);
      let url: string | undefined;
      for (let i = 0; i < 200 && !url; i++) {
        url = /data-source\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url, io.err()).toBeDefined();
      const bundle = await json<Bundle>(await fetch(`${url}/Patient?_count=0`, { headers: { accept: 'application/fhir+json' } }));
      expect(bundle.total).toBe(60);
      const first = await json<Patient>(await fetch(`${url}/Patient/pat-000050`, { headers: { accept: 'application/fhir+json' } }));
      const { meta: _meta, ...served } = first;
      expect(served).toEqual(generateDataSet({ patients: 60, seed: 3 }).resources.find((r) => r.id === 'pat-000050'));
      stop.abort();
      expect(await running).toBe(0);
      const bad = captureIo(cwd);
      expect(await main(['serve', '--simulator', 'data-source', '--patients', 'many'], bad)).toBe(2);
      expect(bad.err()).toMatch(/--patients must be a positive integer/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
