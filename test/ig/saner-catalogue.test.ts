import { describe, it, expect } from 'vitest';
import { requirements } from '../../ig/saner/requirements.js';
import { catalogue, capabilityTitles } from '../../ig/index.js';
import { requirements as fhirCore } from '../../ig/fhir-core/requirements.js';
import { MEASURE_CONSUMER_QM_CSV_PULL, MEASURE_CONSUMER_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL, MEASURE_SOURCE_QM_PULL } from '../../ig/saner/capabilities.js';
import type { Requirement } from '../../src/engine/results.js';

const byId = new Map(requirements.map((r) => [r.id, r]));
const get = (id: string): Requirement => {
  const r = byId.get(id);
  if (!r) throw new Error(`${id} is not in the SANER catalogue`);
  return r;
};
const ids = (prefix: string, numbers: readonly number[]) => numbers.map((n) => `${prefix}-${String(n).padStart(3, '0')}`);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const withPrefix = (prefix: string) => requirements.filter((r) => r.id.startsWith(`${prefix}-`) && /^\d{3}$/.test(r.id.slice(prefix.length + 1)));

// Requirement-bearing rows of the Query Measure tables of the digest (§6); the others are
// informative parameter combinations.
const QM_ROWS = [...range(1, 6), ...range(10, 24), ...range(27, 36), ...range(43, 48)];

describe('SANER catalogue: shape', () => {
  it('ids are unique, well-formed and of the SANER families', () => {
    expect(new Set(requirements.map((r) => r.id)).size).toBe(requirements.length);
    // The digest numbers the test plan's integration scenarios without padding (SANER-TP-INT-1).
    for (const r of requirements) expect(r.id).toMatch(/^SANER-(TP-INT-\d|[A-Z]+(-[A-Z]+)*-\d{3}(-CON|-SRC)?)$/);
  });

  it('every entry has a valid expectation, a statement and source of its own, and a known SANER CapabilityStatement', () => {
    for (const r of requirements) {
      expect(['SHALL', 'SHOULD', 'MAY', 'SHOULD-NOT']).toContain(r.expectation);
      expect(r.statement.length, r.id).toBeGreaterThan(20);
      expect(r.source, r.id).toMatch(/^SANER /);
      expect(Object.keys(capabilityTitles), r.id).toContain(r.capability);
    }
  });

  it('the project catalogue holds fhir-core and SANER together', () => {
    const all = catalogue();
    expect(all.all().filter((r) => /^(FHIR|SANER)-/.test(r.id))).toHaveLength(fhirCore.length + requirements.length);
    expect(all.get('FHIR-CAP-001')).toBeDefined();
    expect(all.get('SANER-QM-SRC-015')).toEqual(get('SANER-QM-SRC-015'));
  });

  it('gives every SANER CapabilityStatement a title for the report', () => {
    expect(Object.values(capabilityTitles).filter((t) => t.startsWith('SANER '))).toHaveLength(30);
    expect(capabilityTitles[MEASURE_SOURCE_QM_PULL]).toBe('SANER Measure Source implementing the Query Measure transaction with the Pull Option');
  });
});

describe('SANER catalogue: Query Measure CapabilityStatements', () => {
  it.each([
    { prefix: 'SANER-QM-SRC', rows: QM_ROWS, capability: MEASURE_SOURCE_QM_PULL, counts: { SHALL: 30, SHOULD: 7, MAY: 0 } },
    { prefix: 'SANER-QM-CON', rows: QM_ROWS, capability: MEASURE_CONSUMER_QM_PULL, counts: { SHALL: 16, SHOULD: 0, MAY: 21 } },
    { prefix: 'SANER-CSVPULL-SRC', rows: [1, 2, 3], capability: MEASURE_SOURCE_QM_CSV_PULL, counts: { SHALL: 3, SHOULD: 0, MAY: 0 } },
    { prefix: 'SANER-CSVPULL-CON', rows: [1, 2, 3], capability: MEASURE_CONSUMER_QM_CSV_PULL, counts: { SHALL: 2, SHOULD: 0, MAY: 1 } },
  ])("$prefix: every requirement-bearing row, filed under its statement, with the digest's levels", ({ prefix, rows, capability, counts }) => {
    const found = withPrefix(prefix);
    expect(found.map((r) => r.id)).toEqual(ids(prefix, rows));
    for (const r of found) expect(r.capability, r.id).toBe(capability);
    const tally = (e: string) => found.filter((r) => r.expectation === e).length;
    expect({ SHALL: tally('SHALL'), SHOULD: tally('SHOULD'), MAY: tally('MAY') }).toEqual(counts);
  });

  it('leaves out the informative parameter-combination rows', () => {
    for (const id of ['SANER-QM-SRC-007', 'SANER-QM-SRC-026', 'SANER-QM-CON-042', 'SANER-QM-CON-051']) expect(byId.has(id), id).toBe(false);
  });

  it('states what each row asks, with the element and the CapabilityStatement pair as source', () => {
    const date = get('SANER-QM-SRC-015');
    expect(date).toMatchObject({ expectation: 'SHALL', element: 'MeasureReport.searchParam[date]' });
    expect(date.statement).toContain('search parameter date (date)');
    expect(date.source).toBe('SANER CapabilityStatement MeasureSource-QueryMeasure-Pull (and its actor-level twin MeasureSource-Pull), rest.resource[MeasureReport].searchParam[date]');
    expect(get('SANER-QM-CON-011').statement).toContain('can read a MeasureReport');
    expect(get('SANER-QM-SRC-010')).toMatchObject({ expectation: 'SHALL', element: 'MeasureReport.supportedProfile' });
    expect(get('SANER-QM-SRC-010').statement).toContain('http://hl7.org/fhir/uv/saner/StructureDefinition/PublicHealthMeasureReport');
  });
});

describe('SANER catalogue: §7 rulings', () => {
  it("D1: the consumer MAY search Location and Organization by name and identifier, with the page's SHALL as advisory", () => {
    for (const id of ['SANER-QM-CON-004', 'SANER-QM-CON-005', 'SANER-QM-CON-046', 'SANER-QM-CON-047', 'SANER-QM-PG-014-CON']) {
      expect(get(id).expectation, id).toBe('MAY');
      expect(get(id).statement, id).toMatch(/SHALL is advisory \(digest §7 D1\)/);
    }
    expect(get('SANER-QM-PG-014').expectation).toBe('SHALL');
  });

  it("D2: consumer REST parameters keep the CapabilityStatement's levels, $search-csv takes the page's", () => {
    expect(get('SANER-QM-CON-016').expectation).toBe('SHALL');
    expect(get('SANER-QM-CON-022').expectation).toBe('MAY');
    expect(get('SANER-OP-SEARCHCSV-007-CON').expectation).toBe('SHALL');
    expect(get('SANER-OP-SEARCHCSV-005-CON').expectation).toBe('SHOULD');
  });

  it("D3 and D4: consumer Measure text/code searches and _include=* are MAY, the page's word advisory", () => {
    for (const id of ['SANER-QM-CON-031', 'SANER-QM-CON-035', 'SANER-QM-PG-015-CON']) expect(get(id)).toMatchObject({ expectation: 'MAY', statement: expect.stringContaining('SHOULD is advisory') });
    for (const id of ['SANER-QM-CON-006', 'SANER-QM-CON-024', 'SANER-QM-CON-036', 'SANER-QM-CON-048', 'SANER-QM-PG-010-CON']) {
      expect(get(id)).toMatchObject({ expectation: 'MAY', statement: expect.stringContaining('SHALL is advisory (digest §7 D4)') });
    }
    expect(get('SANER-QM-SRC-024').expectation).toBe('SHALL');
  });

  it('D7, D12, D15, D22 are spelled out where they apply', () => {
    expect(get('SANER-QM-SRC-017').statement).toContain('D7');
    expect(get('SANER-QM-SRC-024').statement).toContain('the Measure may be');
    expect(get('SANER-QM-PG-010').statement).toContain('D12');
    expect(get('SANER-QM-SRC-035').statement).toContain('ValueSet/MeasurePopulations');
    expect(get('SANER-OP-SEARCHCSV-004').statement).toContain('D22');
  });
});

describe('SANER catalogue: transaction-1 page and CSV operations', () => {
  it('every page row with an expectation is there: the server under the Source statements, the client twins under the Consumer ones', () => {
    for (const n of [...range(1, 21), 23, 24]) {
      const r = get(`SANER-QM-PG-${String(n).padStart(3, '0')}`);
      expect(r.capability, r.id).toBe(n >= 23 ? MEASURE_SOURCE_QM_CSV_PULL : MEASURE_SOURCE_QM_PULL);
    }
    expect(byId.has('SANER-QM-PG-022')).toBe(false);
    for (const n of [1, 2, 3, 4, 5, 8, 10, 11, 12, 13, 14, 15, 16, 23, 24]) {
      const r = get(`SANER-QM-PG-${String(n).padStart(3, '0')}-CON`);
      expect(r.capability, r.id).toBe(n >= 23 ? MEASURE_CONSUMER_QM_CSV_PULL : MEASURE_CONSUMER_QM_PULL);
    }
  });

  it('gives each role its own level where the page differs by role', () => {
    expect(get('SANER-QM-PG-003').expectation).toBe('SHOULD');
    expect(get('SANER-QM-PG-003-CON').expectation).toBe('SHOULD-NOT');
    expect(get('SANER-QM-PG-005-CON').expectation).toBe('SHOULD-NOT');
    expect(get('SANER-QM-PG-011').expectation).toBe('SHOULD-NOT');
    expect(get('SANER-QM-PG-011-CON').expectation).toBe('SHOULD-NOT');
    expect(get('SANER-QM-PG-023').expectation).toBe('SHALL');
    expect(get('SANER-QM-PG-023-CON').expectation).toBe('MAY');
    expect(get('SANER-QM-PG-020').expectation).toBe('MAY');
  });

  it("has every $read-csv and $search-csv parameter for the server, and the client side of the page's table", () => {
    expect(
      ids('SANER-OP-READCSV', [1, 2])
        .map(get)
        .every((r) => r.capability === MEASURE_SOURCE_QM_CSV_PULL),
    ).toBe(true);
    const search = ids('SANER-OP-SEARCHCSV', range(1, 12)).map(get);
    expect(search.every((r) => r.capability === MEASURE_SOURCE_QM_CSV_PULL)).toBe(true);
    expect(search.filter((r) => r.expectation === 'SHOULD').map((r) => r.id)).toEqual(['SANER-OP-SEARCHCSV-005', 'SANER-OP-SEARCHCSV-010']);
    expect(get('SANER-OP-SEARCHCSV-006').statement).toMatch(/without period is refused with 400/);
    const client = requirements.filter((r) => /^SANER-OP-SEARCHCSV-\d{3}-CON$/.test(r.id));
    expect(client.map((r) => r.id)).toEqual(ids('SANER-OP-SEARCHCSV', [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]).map((id) => `${id}-CON`));
    expect(client.every((r) => r.capability === MEASURE_CONSUMER_QM_CSV_PULL)).toBe(true);
    expect(get('SANER-OP-SEARCHCSV-004-CON').statement).toContain('always carry measure');
  });

  it('has the actors.md rows of the Measure Source and Measure Consumer', () => {
    for (const id of [...ids('SANER-PG-SRC', [1, 2, 3, 4]), ...ids('SANER-PG-CON', [1, 2, 3, 4])]) expect(get(id).expectation).toBe('SHALL');
    expect(get('SANER-PG-SRC-002').capability).toBe(MEASURE_SOURCE_QM_PULL);
  });
});

describe('SANER catalogue: the other transactions', () => {
  // Requirement-bearing rows per CapabilityStatement table (digest §10), supported profiles apart;
  // the two $evaluate-measure rows of the Measure Computer take the page's MAY.
  it.each([
    ['SANER-PM-SRC', { SHALL: 2 }],
    ['SANER-PM-CON', { SHALL: 2 }],
    ['SANER-SD-SRC', { SHALL: 1 }],
    ['SANER-SD-CON', { SHALL: 1 }],
    ['SANER-CSVPUSH-SRC', { SHALL: 1 }],
    ['SANER-CSVPUSH-CON', { SHALL: 1 }],
    ['SANER-QMD-SRC', { SHALL: 25, SHOULD: 5 }],
    ['SANER-QMD-CON', { SHALL: 15, SHOULD: 5, MAY: 10 }],
    ['SANER-CM-MC', { SHALL: 57, SHOULD: 12, MAY: 4 }],
    ['SANER-CM-DS', { SHALL: 66, SHOULD: 5 }],
  ] as const)("%s has the digest's count of each level", (prefix, counts) => {
    const tally: Record<string, number> = {};
    for (const r of withPrefix(prefix).filter((r) => !r.element?.endsWith('supportedProfile'))) tally[r.expectation] = (tally[r.expectation] ?? 0) + 1;
    expect(tally).toEqual(counts);
  });

  it('leaves out $aggregate, which neither its CapabilityStatements nor any page qualifies', () => {
    expect(withPrefix('SANER-AGG-SRC').map((r) => r.id)).toEqual(['SANER-AGG-SRC-001']);
    expect(withPrefix('SANER-AGG-CON').map((r) => r.id)).toEqual(['SANER-AGG-CON-001']);
  });

  it('D8: parameters R4 does not define are kept with a reason instead of a test; mistyped ones say how they are tested', () => {
    const undefinedInR4 = requirements.filter((r) => r.notTestedReason?.includes('D8'));
    expect(undefinedInR4).toHaveLength(20);
    expect(get('SANER-CM-DS-003').notTestedReason).toContain('date is not an R4 search parameter of Patient');
    expect(get('SANER-CM-DS-012').notTestedReason).toBeDefined();
    expect(get('SANER-CM-DS-011').notTestedReason).toBeUndefined();
    expect(get('SANER-CM-DS-002').statement).toContain('R4 types _id as token');
    expect(get('SANER-CM-MC-011').statement).toContain('Encounter class as token');
  });

  it('keeps the rows of the Measure Definition Source and Consumer, which no suite tests, each with the reason', () => {
    const definition = requirements.filter((r) => r.id.startsWith('SANER-QMD-') || r.id === 'SANER-PG-MDS-001');
    expect(definition.length).toBeGreaterThan(60);
    expect(definition.filter((r) => !r.notTestedReason).map((r) => r.id)).toEqual([]);
    expect(get('SANER-QMD-SRC-002').notTestedReason).toMatch(/^no suite tests a Measure Definition Source/);
    expect(get('SANER-QMD-PG-010-CON').notTestedReason).toMatch(/^no suite tests a Measure Definition Consumer/);
    // The rows of the actors that are tested carry no such reason.
    expect(get('SANER-CM-DS-011').notTestedReason).toBeUndefined();
  });

  it('D14: SHALL parameters of a SHOULD search bind only when that search is implemented', () => {
    expect(get('SANER-CM-DS-060').statement).toContain('digest §7 D14');
    expect(get('SANER-QMD-CON-021').statement).toContain('digest §7 D14');
    expect(get('SANER-CM-DS-008').statement).not.toContain('D14');
  });

  it('Produce Measure page rows give the server (Consumer) the digest id and the Source a -SRC twin; D5 is spelled out', () => {
    expect(get('SANER-PM-PG-003').capability).toBe('http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureConsumer-ProduceMeasure-Push');
    expect(get('SANER-PM-PG-004').capability).toBe('http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureSource-ProduceMeasure-Push');
    expect(get('SANER-SD-PG-001-SRC').capability).toBe('http://hl7.org/fhir/uv/saner/CapabilityStatement/MeasureSource-ProduceMeasure-SupplementalData');
    expect(get('SANER-SD-PG-001').statement).toContain('D5');
    expect(
      ids('SANER-OP-REPORTCSV', range(1, 7))
        .map(get)
        .every((r) => r.expectation === 'SHALL'),
    ).toBe(true);
    expect(get('SANER-OP-REPORTCSV-003-SRC').statement).toContain('always carry period-end');
  });

  it('has the page rows of Query Measure Definition and Compute Measure, and the remaining actor rows', () => {
    expect(ids('SANER-QMD-PG', range(1, 16)).map(get)).toHaveLength(16);
    expect(get('SANER-QMD-PG-003-CON').expectation).toBe('SHOULD-NOT');
    expect(get('SANER-QMD-PG-007-CON').expectation).toBe('MAY');
    expect(ids('SANER-CM-PG', [3, 4, 6, 7, 8]).map(get)).toHaveLength(5);
    for (const id of ['SANER-INT-PG-001', 'SANER-INT-PG-002', 'SANER-PG-MDS-001', 'SANER-PG-MC-001', 'SANER-PG-MC-002', 'SANER-PG-DS-001']) expect(get(id).expectation).toBe('SHALL');
    expect(get('SANER-SEC-001')).toMatchObject({ expectation: 'SHOULD', capability: MEASURE_SOURCE_QM_PULL });
  });
});
