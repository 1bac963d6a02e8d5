// A small valid MeasureReport for the validation tests; each test breaks a copy of it.
export function validReport(): Record<string, unknown> {
  return {
    resourceType: 'MeasureReport',
    id: 'r1',
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Beds</p></div>' },
    contained: [{ resourceType: 'Organization', id: 'org', name: 'Example Hospital', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Org</div>' } }],
    extension: [{ url: 'http://example.org/ext', valueString: 'x' }],
    status: 'complete',
    type: 'summary',
    measure: 'http://example.org/Measure/beds',
    date: '2026-02-01T08:00:00Z',
    reporter: { reference: '#org' },
    period: { start: '2026-02-01', end: '2026-02-02' },
    group: [
      {
        code: { text: 'beds' },
        population: [
          { code: { text: 'numerator' }, count: 3 },
          { code: { text: 'denominator' }, count: 4 },
        ],
        measureScore: { value: 0.75, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
      },
      {
        code: { text: 'vents' },
        population: [{ count: 1 }],
        stratifier: [{ stratum: [{ value: { text: 'a' } }, { value: { text: 'b' } }, { value: { text: 'c' } }] }],
      },
    ],
  };
}
