import { describe, it, expect } from 'vitest';
import { evaluateRules, type Rule, type ResourceLike } from '../../src/fhir/validation/rules.js';
import { registerProfile, knownProfile, validateAgainstProfile } from '../../src/fhir/validation/profiles.js';

const report: ResourceLike = {
  resourceType: 'MeasureReport',
  status: 'complete',
  type: 'summary',
  measure: 'http://example.org/Measure/beds',
  period: { start: '2026-01-01', end: '2026-01-02' },
  group: [
    { population: [{ count: 3 }, { count: 4 }] },
    {
      population: [{ count: 1 }],
      stratifier: [{ stratum: [{ value: { text: 'a' } }, { value: { text: 'b' } }, { component: [{ code: { text: 'c' }, value: { text: 'd' } }] }] }],
    },
  ],
};

const rule = (r: Partial<Rule>): Rule => ({ id: 'r-1', severity: 'error', expression: 'true', message: 'broken', ...r });

describe('evaluateRules', () => {
  it('passes a rule that holds on the resource and reports nothing', () => {
    expect(evaluateRules(report, [rule({ expression: "status = 'complete'" })])).toEqual([]);
  });

  it('reports a failing resource-level rule at the resource with its id and severity', () => {
    const issues = evaluateRules(report, [rule({ id: 'x-1', severity: 'warning', expression: "status = 'pending'", message: 'must be pending' })]);
    expect(issues).toEqual([{ severity: 'warning', code: 'invariant', message: 'must be pending', expression: 'MeasureReport', rule: 'x-1' }]);
  });

  it('locates each failing context item by its indexed path', () => {
    const issues = evaluateRules(report, [rule({ context: 'group.stratifier.stratum', expression: 'value.exists()' })]);
    expect(issues.map((i) => i.expression)).toEqual(['MeasureReport.group[1].stratifier[0].stratum[2]']);
  });

  it('checks every context item independently', () => {
    const issues = evaluateRules(report, [rule({ context: 'group.population', expression: 'count > 2' })]);
    expect(issues.map((i) => i.expression)).toEqual(['MeasureReport.group[1].population[0]']);
  });

  it('treats an empty result as not satisfied', () => {
    const issues = evaluateRules(report, [rule({ expression: 'subject.reference' })]);
    expect(issues).toHaveLength(1);
  });

  it('gives %resource to rules evaluated on a context item', () => {
    expect(evaluateRules(report, [rule({ context: 'group', expression: "%resource.status = 'complete'" })])).toEqual([]);
  });

  it('reports an expression that does not parse as an exception, not a crash', () => {
    const issues = evaluateRules(report, [rule({ id: 'bad', expression: 'status = = (' })]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'exception', rule: 'bad', severity: 'error' });
    expect(issues[0]?.message).toContain('rule bad could not be evaluated');
  });
});

describe('profile registry', () => {
  const url = 'http://example.org/StructureDefinition/test-report';
  registerProfile({ url, name: 'TestReport', resourceType: 'MeasureReport', rules: [rule({ id: 'tr-1', expression: 'group.count() >= 3', message: 'needs 3 groups' })] });

  it('knows a registered profile, with or without a version', () => {
    expect(knownProfile(url)).toBe(true);
    expect(knownProfile(`${url}|1.0.0`)).toBe(true);
    expect(knownProfile('http://example.org/other')).toBe(false);
  });

  it('runs the rules of a known profile', () => {
    expect(validateAgainstProfile(report, url)).toMatchObject([{ rule: 'tr-1', message: 'needs 3 groups' }]);
  });

  it('answers an unknown profile with a not-supported warning', () => {
    expect(validateAgainstProfile(report, 'http://example.org/nope')).toMatchObject([{ severity: 'warning', code: 'not-supported' }]);
  });

  it('refuses to apply a profile to another resource type', () => {
    expect(validateAgainstProfile({ resourceType: 'Patient' }, url)).toMatchObject([{ severity: 'error', code: 'invalid' }]);
  });
});
