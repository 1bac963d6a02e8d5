import { describe, expect, it } from 'vitest';
import { capabilityCoverage, capabilityLabel, requirementsWithoutCapability, share } from '../../src/report/coverage.js';
import { CONSUMER_CS, CSV_CS, SOURCE_CS, sampleResults } from '../fixtures-report/sample.js';

describe('capabilityCoverage', () => {
  it('computes the SHALL and SHOULD shares per CapabilityStatement from the requirement verdicts', () => {
    const [source, consumer] = capabilityCoverage(sampleResults());
    expect(source!.url).toBe(SOURCE_CS);
    expect(source!.title).toBe('SANER Measure Source');
    // SHALL: SRC-001 pass, PG-008 fail, PG-002 pass, SRC-004 error, SRC-005 not-tested, PR-004 fail, FMT-JSON and FMT-XML pass.
    expect(source!.shall).toEqual({ passed: 4, total: 8, percent: 50 });
    // SHOULD: PG-003 warning (a SHOULD not met is not passed).
    expect(source!.should).toEqual({ passed: 0, total: 1, percent: 0 });
    expect(consumer!.url).toBe(CONSUMER_CS);
    expect(consumer!.shall).toEqual({ passed: 0, total: 3, percent: 0 });
    expect(consumer!.requirements.map((r) => r.id)).toEqual(['SANER-PM-CON-001', 'SANER-PM-CON-002', 'SANER-PM-FMT-JSON', 'SANER-PM-FMT-XML']);
  });

  it('ignores stale totals in results.capabilities and lists capabilities named only by requirements', () => {
    const results = sampleResults();
    results.capabilities = [{ url: SOURCE_CS, title: 'Source', shall: { passed: 99, total: 99 }, should: { passed: 0, total: 0 } }];
    const coverage = capabilityCoverage(results);
    expect(coverage.map((c) => [c.url, c.title])).toEqual([
      [SOURCE_CS, 'Source'],
      [CSV_CS, CSV_CS],
      [CONSUMER_CS, CONSUMER_CS],
    ]);
    expect(coverage[0]!.shall.passed).toBe(4);
  });

  it('counts SHOULD-NOT as a SHOULD-level recommendation and leaves MAY out of both shares', () => {
    const results = sampleResults();
    for (const r of results.requirements) r.capability = SOURCE_CS;
    const [source] = capabilityCoverage(results);
    expect(source!.should).toEqual({ passed: 1, total: 3, percent: 33 });
    expect(source!.shall.total).toBe(13);
  });

  it('lists the requirements that belong to no capability', () => {
    expect(requirementsWithoutCapability(sampleResults()).map((r) => r.id)).toEqual(['FHIR-HTTP-001', 'FHIR-HTTP-002']);
  });
});

describe('capabilityLabel', () => {
  it('names a CapabilityStatement by the last segment of its canonical URL', () => {
    expect(capabilityLabel(CSV_CS)).toBe('MeasureSource-QueryMeasure-CSV-Pull');
    expect(capabilityLabel('urn:x')).toBe('urn:x');
  });
});

describe('share', () => {
  it('rounds down so an almost-complete share never reads 100 %', () => {
    expect(share(199, 200).percent).toBe(99);
    expect(share(200, 200).percent).toBe(100);
    expect(share(1, 3).percent).toBe(33);
    expect(share(0, 0).percent).toBeNull();
  });
});
