import { describe, it, expect } from 'vitest';
import { evaluateRules, type Rule, type ResourceLike } from '../../src/fhir/validation/rules.js';
import { getProfile, knownProfileUrls, registerProfile, knownProfile, validateAgainstProfile } from '../../src/fhir/validation/profiles.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import type { Profile } from '../../src/fhir/validation/rules.js';

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

  it('keeps two texts of one canonical apart by version; the bare canonical means the one registered under it, else the version registered last', () => {
    const canonical = 'http://example.org/StructureDefinition/two-texts';
    const text = (version: string, expression: string): Profile => ({
      url: `${canonical}|${version}`,
      name: version,
      resourceType: 'MeasureReport',
      rules: [rule({ id: `v-${version}`, expression, message: version })],
    });
    registerProfile(text('1', 'group.count() >= 1'));
    registerProfile(text('2', 'group.count() >= 2'));
    expect(getProfile(canonical)?.name).toBe('2');
    registerProfile({ ...text('2', 'group.count() >= 2'), url: canonical, name: 'bare' });
    registerProfile(text('3', 'group.count() >= 3'));
    expect([getProfile(`${canonical}|1`)?.name, getProfile(`${canonical}|2`)?.name, getProfile(canonical)?.name, getProfile(`${canonical}|9`)?.name]).toEqual(['1', '2', 'bare', 'bare']);
    expect(knownProfileUrls()).toEqual(expect.arrayContaining([canonical, `${canonical}|1`, `${canonical}|3`]));
  });

  it('a profile named for a validation takes the place of the same canonical the resource declares, whatever the versions', () => {
    const canonical = 'http://example.org/StructureDefinition/declared';
    registerProfile({ url: `${canonical}|a`, name: 'a', resourceType: 'MeasureReport', rules: [rule({ id: 'a-1', expression: 'false', message: 'text a' })] });
    registerProfile({ url: `${canonical}|b`, name: 'b', resourceType: 'MeasureReport', rules: [] });
    const declaring = { ...report, meta: { profile: [`${canonical}|a`] } };
    expect(validateResource(declaring).map((i) => i.rule)).toContain('a-1');
    expect(validateResource(declaring, { profiles: [`${canonical}|b`] }).map((i) => i.rule)).not.toContain('a-1');
  });
});
