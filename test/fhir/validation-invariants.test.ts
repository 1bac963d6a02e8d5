import { describe, it, expect } from 'vitest';
import { checkInvariants, validateResource, registerProfile } from '../../src/fhir/validation/index.js';
import { compileFhirPath, holds } from '../../src/fhir/validation/fhirpath.js';
import { NATIVE_CHECKS, dom3Unreferenced, ext1, ref1 } from '../../src/fhir/validation/native-invariants.js';
import { constraintsOf, typeDefinition } from '../../src/fhir/model/index.js';
import { validReport } from './validation-sample.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests break a report at any depth, and any lets each change reach in without a cast per step.
type Json = Record<string, any>;
const broken = (change: (r: Json) => void): Json => {
  const r = validReport() as Json;
  change(r);
  return r;
};
const failures = (resource: Json) => checkInvariants(resource).map((i) => `${i.rule} ${i.expression}`);

describe('base invariants on MeasureReport', () => {
  it('a valid report breaks none', () => {
    expect(checkInvariants(validReport())).toEqual([]);
  });

  it('mrp-1: a data-collection report has no groups', () => {
    expect(failures(broken((r) => (r.type = 'data-collection')))).toEqual(['mrp-1 MeasureReport']);
  });

  it('mrp-2: each stratum has a value or components, located per stratum', () => {
    expect(failures(broken((r) => (r.group[1].stratifier[0].stratum[2].component = [{ code: { text: 'c' }, value: { text: 'd' } }])))).toEqual([
      'mrp-2 MeasureReport.group[1].stratifier[0].stratum[2]',
    ]);
    expect(failures(broken((r) => delete r.group[1].stratifier[0].stratum[0].value))).toContain('mrp-2 MeasureReport.group[1].stratifier[0].stratum[0]');
  });

  it('ele-1: an element has a value or children', () => {
    expect(failures(broken((r) => (r.group[0].code = { id: 'only-id' })))).toEqual(['ele-1 MeasureReport.group[0].code']);
    expect(
      failures(
        broken((r) => {
          r._date = { id: 'x' };
          delete r.date;
        }),
      ),
    ).toEqual(['ele-1 MeasureReport.date']);
  });

  it('ext-1: an extension has a value or nested extensions, not both and not neither', () => {
    expect(failures(broken((r) => (r.extension[0].extension = [{ url: 'http://e.org/y', valueString: 'z' }])))).toEqual(['ext-1 MeasureReport.extension[0]']);
    expect(failures(broken((r) => (r.group[0].extension = [{ url: 'http://e.org/y' }])))).toEqual(['ext-1 MeasureReport.group[0].extension[0]']);
  });

  it('dom-2: a contained resource contains no resources', () => {
    expect(failures(broken((r) => (r.contained[0].contained = [{ resourceType: 'Patient', id: 'p', active: true }])))).toContain('dom-2 MeasureReport');
  });

  it('dom-3: a contained resource is referenced', () => {
    expect(failures(broken((r) => delete r.reporter))).toEqual(['dom-3 MeasureReport.contained[0]']);
  });

  it('dom-4 and dom-5: a contained resource has no versionId, lastUpdated or security labels', () => {
    expect(failures(broken((r) => (r.contained[0].meta = { versionId: '1' })))).toEqual(['dom-4 MeasureReport']);
    expect(failures(broken((r) => (r.contained[0].meta = { security: [{ code: 'R' }] })))).toEqual(['dom-5 MeasureReport']);
  });

  it('dom-6: a resource should have a narrative (warning)', () => {
    expect(checkInvariants(broken((r) => delete r.text))).toMatchObject([{ rule: 'dom-6', severity: 'warning', expression: 'MeasureReport' }]);
  });

  it('ref-1: a local reference points at a contained resource', () => {
    expect(failures(broken((r) => (r.reporter.reference = '#nowhere'))).sort()).toEqual(['dom-3 MeasureReport.contained[0]', 'ref-1 MeasureReport.reporter']);
  });

  it('per-1: the period starts before it ends', () => {
    expect(failures(broken((r) => (r.period = { start: '2026-03-01', end: '2026-02-01' })))).toEqual(['per-1 MeasureReport.period']);
  });

  it('qty-3: a unit code needs a system', () => {
    expect(failures(broken((r) => delete r.group[0].measureScore.system))).toEqual(['qty-3 MeasureReport.group[0].measureScore']);
  });

  it('txt-1: the narrative holds only basic XHTML', () => {
    expect(failures(broken((r) => (r.text.div = '<div xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></div>')))).toContain('txt-1 MeasureReport.text.div');
  });

  it('only one type of a choice element may be present', () => {
    const issues = checkInvariants(broken((r) => (r.extension[0].valueCode = 'x')));
    expect(issues).toMatchObject([{ code: 'structure', expression: 'MeasureReport.extension[0].valueCode' }]);
  });
});

describe('base invariants on other resources', () => {
  it('bdl-7 and Bundle entries: issues are located inside the entry', () => {
    const entry = broken((r) => (r.type = 'data-collection'));
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:1', resource: validReport() },
        { fullUrl: 'urn:uuid:2', resource: entry },
      ],
    };
    expect(failures(bundle)).toEqual(['mrp-1 Bundle.entry[1].resource']);
    bundle.entry[1]!.fullUrl = 'urn:uuid:1';
    expect(failures(bundle)).toContain('bdl-7 Bundle');
  });

  it('bdl-1: only searchsets and histories have a total', () => {
    expect(failures({ resourceType: 'Bundle', type: 'collection', total: 1 })).toEqual(['bdl-1 Bundle']);
  });

  it('inv-1 on Parameters, org-1 on Organization', () => {
    expect(failures({ resourceType: 'Parameters', parameter: [{ name: 'a' }] })).toEqual(['inv-1 Parameters.parameter[0]']);
    expect(failures({ resourceType: 'Organization', active: true, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } })).toEqual(['org-1 Organization']);
  });
});

describe('native invariants agree with the official FHIRPath', () => {
  const official = (type: string, key: string) => {
    const c = constraintsOf(typeDefinition(type)?.invariants).find((x) => x.key === key);
    if (!c) throw new Error(`${key} not in the model`);
    return c.expression;
  };
  const agree = (type: string, key: string, samples: Json[], native: (s: Json) => boolean) => {
    const fn = compileFhirPath(official(type, key), { base: type });
    for (const s of samples) expect(native(s), `${key} on ${JSON.stringify(s)}`).toBe(holds(fn, s, s, s, true));
  };

  it('qty-3', () => agree('Quantity', 'qty-3', [{ value: 1 }, { code: 'mg' }, { code: 'mg', system: 'http://unitsofmeasure.org' }], (q) => NATIVE_CHECKS['qty-3']!(q)!.length === 0));
  it('ext-1', () =>
    agree(
      'Extension',
      'ext-1',
      [{ url: 'a' }, { url: 'a', valueString: 'x' }, { url: 'a', extension: [{ url: 'b', valueString: 'y' }] }, { url: 'a', valueString: 'x', extension: [{ url: 'b', valueString: 'y' }] }],
      ext1,
    ));
  const reports = [
    validReport(),
    broken((r) => (r.type = 'data-collection')),
    broken((r) => delete r.type),
    broken((r) => delete r.text),
    broken((r) => (r.contained[0].meta = { lastUpdated: '2026-01-01T00:00:00Z' })),
    broken((r) => (r.group[1].stratifier[0].stratum[1].component = [{ code: { text: 'c' }, value: { text: 'd' } }])),
  ];
  for (const key of ['mrp-1', 'mrp-2', 'dom-2', 'dom-4', 'dom-5', 'dom-6']) {
    it(key, () => agree('MeasureReport', key, reports, (r) => NATIVE_CHECKS[key]!(r)!.length === 0));
  }
  it('per-1 decides instants to the second and whole dates as FHIRPath does, and leaves other shapes to it', () => {
    const fn = compileFhirPath(official('Period', 'per-1'), { base: 'Period' });
    const values = [
      '2020-04-01T06:20:00-04:00',
      '2020-04-01T10:20:00Z',
      '2020-04-01T10:20:01+00:00',
      '2020-04-01T05:00:00-05:30',
      '2020-04-01',
      '2020-03-31',
      '2020-04-01T06:20:00.5-04:00',
      '2020-04',
      '2020-04-01T10:20:00',
    ];
    const periods: Json[] = [{}, { start: values[0] }, { end: values[0] }, { start: null, _start: { id: 'a' }, end: values[0] }];
    for (const start of values) for (const end of values) periods.push({ start, end });
    let decided = 0;
    for (const p of periods) {
      const native = NATIVE_CHECKS['per-1']!(p);
      if (native === undefined) continue;
      decided++;
      expect(native.length === 0, `per-1 on ${JSON.stringify(p)}`).toBe(holds(fn, p, p, p, true));
    }
    // The 4 x 4 instants, the 2 x 2 whole dates and the 4 periods missing a bound.
    expect(decided).toBe(24);
    expect(NATIVE_CHECKS['per-1']!({ start: '2020-04-01T10:20:00Z', end: '2020-04-01T10:19:59Z' })).toEqual(['']);
  });
  it('bdl-7 decides plain fullUrl and versionId values as FHIRPath does, and leaves other shapes to it', () => {
    const fn = compileFhirPath(official('Bundle', 'bdl-7'), { base: 'Bundle' });
    const entry = (fullUrl?: string, versionId?: string): Json => ({ ...(fullUrl ? { fullUrl } : {}), resource: { resourceType: 'Basic', ...(versionId ? { meta: { versionId } } : {}) } });
    const entries: Json[][] = [
      [],
      [entry('urn:uuid:1'), entry('urn:uuid:2')],
      [entry('urn:uuid:1'), entry('urn:uuid:1')],
      [entry('urn:uuid:1', '1'), entry('urn:uuid:1', '2')],
      [entry('urn:uuid:1', '1'), entry('urn:uuid:1', '1')],
      [entry(), entry(), entry('urn:uuid:1')],
      [entry('urn:uuid:11'), entry('urn:uuid:1', '1')],
    ];
    const bundles: Json[] = [];
    for (const e of entries) for (const type of ['collection', 'history', undefined]) bundles.push({ resourceType: 'Bundle', ...(type ? { type } : {}), entry: e });
    let failing = 0;
    for (const b of bundles) {
      const native = NATIVE_CHECKS['bdl-7']!(b);
      expect(native, `bdl-7 decides ${JSON.stringify(b)}`).toBeDefined();
      expect(native!.length === 0, `bdl-7 on ${JSON.stringify(b)}`).toBe(holds(fn, b, b, b, true));
      if (native!.length) failing++;
    }
    // The collections with a repeated fullUrl (and versionId), including 'urn:uuid:1' & '1' against 'urn:uuid:11'.
    expect(failing).toBe(3);
    expect(NATIVE_CHECKS['bdl-7']!({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 1 }] })).toBeUndefined();
  });
  it('ref-1', () => {
    const fn = compileFhirPath("reference.startsWith('#').not() or (reference.substring(1) in %rootResource.contained.id)", { base: 'Reference' });
    const root = validReport();
    for (const ref of [{ reference: '#org' }, { reference: '#x' }, { reference: 'Organization/1' }, { display: 'x' }]) expect(ref1(ref, root)).toBe(holds(fn, ref, root, root, true));
  });
  it('dom-3 (the official expression with ofType instead of as, which fhirpath.js rejects)', () => {
    const fn = compileFhirPath(
      "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().ofType(canonical) | %resource.descendants().ofType(uri) | %resource.descendants().ofType(url))) or descendants().where(reference = '#').exists()).not()).empty()",
    );
    for (const r of [
      validReport(),
      broken((x) => delete x.reporter),
      broken((x) => {
        x.reporter = undefined;
        x.contained[0].partOf = { reference: '#' };
      }),
    ]) {
      expect(dom3Unreferenced(r).length === 0).toBe(holds(fn, JSON.parse(JSON.stringify(r)), r, r, true));
    }
  });
});

describe('validateResource', () => {
  const url = 'http://example.org/StructureDefinition/three-groups';
  registerProfile({ url, name: 'ThreeGroups', resourceType: 'MeasureReport', rules: [{ id: 'tg-1', severity: 'error', expression: 'group.count() >= 3', message: 'three groups needed' }] });

  it('combines structure, invariants and a named profile', () => {
    const issues = validateResource(
      broken((r) => {
        r.foo = 1;
        r.type = 'data-collection';
      }),
      { profiles: [url] },
    );
    expect(issues.map((i) => i.rule ?? i.message)).toEqual(["unknown element 'foo'", 'mrp-1', 'tg-1']);
  });

  it('applies a known profile listed in meta.profile, and ignores an unknown one', () => {
    expect(validateResource(broken((r) => (r.meta = { profile: [url] }))).map((i) => i.rule)).toEqual(['tg-1']);
    expect(validateResource(broken((r) => (r.meta = { profile: ['http://example.org/unknown'] })))).toEqual([]);
  });

  it('warns about an unknown profile asked for explicitly', () => {
    expect(validateResource(validReport(), { profiles: ['http://example.org/unknown'] })).toMatchObject([{ severity: 'warning', code: 'not-supported' }]);
  });

  it('applies a profile to the Bundle entries of its type, located in the entry', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: validReport() }, { resource: broken((r) => (r.meta = { profile: [url] })) }] };
    expect(validateResource(bundle, { profiles: [url] }).map((i) => `${i.rule} ${i.expression}`)).toEqual(['tg-1 Bundle.entry[0].resource', 'tg-1 Bundle.entry[1].resource']);
  });
});
