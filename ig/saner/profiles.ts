/**
 * The SANER profiles PublicHealthMeasureReport and PublicHealthMeasure as rules for the project's
 * validator: cardinalities, fixed values, required bindings the base spec does not already check,
 * the IG's invariants, and the rules of the SANER extensions those resources carry. Each rule is
 * a FHIRPath constraint that must hold on its context; rule ids are the digest's SANER-PR-… ids
 * (one suffix where an element has more than one rule) or the invariant key.
 *
 * Expressions are written for fhirpath.js: the official DateTimePreciseToSecond
 * (`value.toString().length()=25`) yields empty there, so it is restated on the element itself
 * (digest §7 D16); ReporterPresentInCompleteReport tests a status R4 does not have and can never
 * fail, so its evident intent is checked as a warning instead (D11); a data-absent-reason on the
 * `_count` primitive or on the population satisfies count 1..1 (D17); extension contexts follow
 * the FSH (D18).
 */
import { getProfile, registerProfile, type Profile, type Rule, type RuleSeverity, type TargetNarrowing } from '../../src/fhir/validation/index.js';

const SD = 'http://hl7.org/fhir/uv/saner/StructureDefinition';
export const PUBLIC_HEALTH_MEASURE_REPORT = `${SD}/PublicHealthMeasureReport`;
export const PUBLIC_HEALTH_MEASURE = `${SD}/PublicHealthMeasure`;

const GEOLOCATION = `${SD}/GeoLocation`;
const REPORTING_PERIOD = `${SD}/ReportingPeriod`;
const GROUP_ATTRIBUTES = `${SD}/MeasureGroupAttributes`;
const EXPECTATION = `${SD}/MeasureExpectation`;
const ALTERNATE_CRITERIA = `${SD}/MeasureAlternateCriteria`;
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

interface RuleOptions {
  context?: string;
  severity?: RuleSeverity;
  /** The digest row the rule enforces, when the rule id is not that row's id. */
  requirement?: string;
}

function rule(id: string, expression: string, message: string, options: RuleOptions = {}): Rule {
  const requirement = options.requirement ?? id.replace(/-[A-Z]+$/, '');
  return {
    id,
    requirement,
    severity: options.severity ?? 'error',
    ...(options.context ? { context: options.context } : {}),
    expression,
    message,
  };
}

/** `a` or `b` … as a FHIRPath test of `path` against a list of codes. */
const oneOf = (path: string, codes: readonly string[]): string => `(${codes.map((c) => `${path} = '${c}'`).join(' or ')})`;

/** A CodeableConcept test: some coding is in one of the (system, codes) pairs. */
const codingIn = (concept: string, systems: Readonly<Record<string, readonly string[]>>): string =>
  `${concept}.coding.where(${Object.entries(systems)
    .map(([system, codes]) => `(system = '${system}' and ${oneOf('code', codes)})`)
    .join(' or ')}).exists()`;

const withSeconds = (element: string, id: string): Rule =>
  rule(id, 'toString().length() = 25', `${element} must be given to the second with a time zone offset, e.g. 2020-04-04T00:00:00-05:00 (no Z, no fractions)`, {
    context: element,
    requirement: 'DateTimePreciseToSecond',
  });

const hasValueOrDataAbsent = `count.exists() or extension.where(url = '${DATA_ABSENT}').exists()`;

const reportRules: Rule[] = [
  rule(
    'ReporterPresentInCompleteReport',
    "status != 'complete' or reporter.exists()",
    'a complete report should name its reporter (the intent of the IG invariant, which tests a status code R4 does not have)',
    {
      severity: 'warning',
      requirement: 'SANER-PR-MR-001',
    },
  ),
  rule('SANER-PR-MR-003', "type = 'summary'", "type must be 'summary'"),
  rule('SANER-PR-MR-005', 'subject.exists()', 'subject is required: the Location (facility or region) the report is about'),
  rule('SANER-PR-MR-006', 'identifier.exists()', 'subject.identifier is required, so reports can be found by the facility identifier', { context: 'subject' }),
  rule('SANER-PR-MR-007', `extension.where(url = '${GEOLOCATION}').count() <= 1`, 'subject carries the GeoLocation extension at most once', { context: 'subject' }),
  rule(
    'SANER-PR-EXT-005',
    "value.empty() and extension.where(url = 'latitude' and value is decimal).count() = 1 and extension.where(url = 'longitude' and value is decimal).count() = 1",
    'the GeoLocation extension holds exactly one decimal latitude and one decimal longitude and no value of its own',
    { context: `subject.extension.where(url = '${GEOLOCATION}')` },
  ),
  rule(
    'SANER-PR-EXT-005-CONTEXT',
    `extension.combine(descendants().extension).where(url = '${GEOLOCATION}').count() = subject.extension.where(url = '${GEOLOCATION}').count()`,
    'the GeoLocation extension belongs on MeasureReport.subject only',
  ),
  rule('SANER-PR-MR-008', 'date.exists()', 'date (when the report was generated) is required'),
  withSeconds('date', 'DateTimePreciseToSecond-DATE'),
  rule('SANER-PR-MR-010', 'start.exists()', 'period.start is required', { context: 'period' }),
  withSeconds('period.start', 'DateTimePreciseToSecond-START'),
  rule('SANER-PR-MR-011', 'end.exists()', 'period.end is required', { context: 'period' }),
  withSeconds('period.end', 'DateTimePreciseToSecond-END'),
  rule('SANER-PR-MR-014', 'code.exists()', 'each group needs a code matching a group of the Measure', { context: 'group' }),
  rule('SANER-PR-MR-015', 'population.exists()', 'each group needs at least one population', { context: 'group' }),
  rule('SANER-PR-MR-016', 'code.exists()', 'each population needs a code', { context: 'group.population' }),
  rule('HasValueOrDataAbsentReason', hasValueOrDataAbsent, 'a population count must have a value, or a data-absent-reason extension (on the count or the population) saying why not', {
    context: 'group.population',
    requirement: 'SANER-PR-MR-017',
  }),
  rule('SANER-PR-MR-020', 'code.exists()', 'each stratifier needs a code', { context: 'group.stratifier' }),
  rule('SANER-PR-MR-021', 'stratum.exists()', 'each stratifier needs at least one stratum', { context: 'group.stratifier' }),
  rule('SANER-PR-MR-022', 'value.empty()', 'stratum.value is not allowed: identify strata with stratum.component', { context: 'group.stratifier.stratum' }),
  rule('SANER-PR-MR-023', 'population.exists()', 'each stratum needs at least one population', { context: 'group.stratifier.stratum' }),
  rule('SANER-PR-MR-024', 'code.exists()', 'each stratum population needs a code', { context: 'group.stratifier.stratum.population' }),
  rule('SANER-PR-MR-025', hasValueOrDataAbsent, 'a stratum population count must have a value, or a data-absent-reason extension saying why not', {
    context: 'group.stratifier.stratum.population',
  }),
];

const PUBLICATION_STATUS = ['active', 'draft', 'retired'];
const SCORING = {
  'http://hl7.org/fhir/uv/saner/CodeSystem/PublicHealthMeasureScoring': ['capacity', 'event-growth', 'queue-length', 'service-time', 'availability'],
  'http://terminology.hl7.org/CodeSystem/measure-scoring': ['proportion', 'ratio', 'continuous-variable', 'cohort'],
};
const MEASURE_TYPE = { 'http://terminology.hl7.org/CodeSystem/measure-type': ['process', 'outcome', 'structure', 'patient-reported-outcome', 'composite'] };
const IMPROVEMENT = { 'http://terminology.hl7.org/CodeSystem/measure-improvement-notation': ['increase', 'decrease'] };
const RATE_AGGREGATION = ['count', 'point-in-time', 'cumulative'];
const EXPECTATIONS = ['SHALL', 'SHOULD', 'MAY', 'SHOULD-NOT'];
const GROUP_ATTRIBUTE_PARTS = ['scoring', 'compositeScoring', 'type', 'riskAdjustment', 'rateAggregation', 'improvementNotation', 'subject', 'subjectValueSet'];

const attrs = `group.extension.where(url = '${GROUP_ATTRIBUTES}')`;
const part = (name: string) => `extension.where(url = '${name}')`;
const timing = `extension.where(url = '${REPORTING_PERIOD}').value.ofType(Timing)`;
const criteria = 'description.exists() and expression.exists()';

/** Places an extension may appear (as FHIRPath from the Measure) -> the rule that counts them. */
function onlyIn(id: string, url: string, places: readonly string[], where: string): Rule {
  const allowed = places.map((p) => `${p}.extension.where(url = '${url}').count()`).join(' + ');
  return rule(id, `extension.combine(descendants().extension).where(url = '${url}').count() = ${allowed}`, `the ${url.slice(SD.length + 1)} extension belongs on ${where} only`);
}

const measureRules: Rule[] = [
  rule('SANER-PR-M-001', `extension.where(url = '${REPORTING_PERIOD}').count() = 1`, 'the ReportingPeriod extension (measureTiming) is required exactly once'),
  onlyIn('SANER-PR-EXT-001-CONTEXT', REPORTING_PERIOD, ['$this'], 'Measure'),
  rule('SANER-PR-EXT-001', 'value is Timing', 'the ReportingPeriod extension holds a valueTiming', { context: `extension.where(url = '${REPORTING_PERIOD}')` }),
  rule('SANER-PR-T-001', 'event.empty()', 'the reporting Timing has no event', { context: timing }),
  rule('SANER-PR-T-002', 'repeat.exists()', 'the reporting Timing needs a repeat', { context: timing }),
  rule(
    'SANER-PR-T-004',
    'repeat.bounds.ofType(Range).empty() and repeat.bounds.ofType(Duration).empty() and repeat.count.empty() and repeat.countMax.empty() and repeat.duration.empty() and repeat.durationMax.empty() and repeat.frequencyMax.empty() and repeat.periodMax.empty() and repeat.dayOfWeek.empty() and repeat.timeOfDay.empty() and repeat.when.empty() and repeat.offset.empty()',
    'the reporting Timing repeat allows only boundsPeriod, frequency, period and periodUnit (SANER-PR-T-003, -004, -006, -009)',
    { context: timing },
  ),
  rule('SANER-PR-T-005', 'repeat.frequency = 1', 'the reporting Timing has frequency 1', { context: timing }),
  rule('SANER-PR-T-007', 'repeat.period.exists() and repeat.periodUnit.exists()', 'the reporting Timing gives period and periodUnit (SANER-PR-T-007, -008)', { context: timing }),
  rule('SANER-PR-M-002', 'url.exists()', 'url is required'),
  rule('SANER-PR-M-003', 'version.exists()', 'version is required'),
  rule('SANER-PR-M-004', 'name.exists()', 'name is required'),
  rule('SANER-PR-M-005', oneOf('status', PUBLICATION_STATUS), 'status must be active, draft or retired (MeasureStatus)'),
  rule('SANER-PR-M-006', 'experimental.exists()', 'experimental is required'),
  rule(
    'SANER-PR-M-007',
    "subject.exists() implies (subject.ofType(Reference).empty() and subject.coding.where(system = 'http://hl7.org/fhir/resource-types' and code = 'Location').exists())",
    'subject, when given, is the CodeableConcept resource-types#Location',
  ),
  rule('SANER-PR-M-008', 'publisher.exists()', 'publisher is required'),
  rule('SANER-PR-M-009', 'contact.exists()', 'at least one contact is required'),
  rule('SANER-PR-M-010', 'useContext.exists()', 'at least one useContext is required'),
  rule('SANER-PR-M-011', 'author.count() = 1', 'exactly one author is required'),
  rule('SANER-PR-M-012', 'name.exists()', 'the author needs a name', { context: 'author' }),
  rule('SANER-PR-M-013', 'telecom.exists()', 'the author needs at least one telecom', { context: 'author' }),
  rule('SANER-PR-M-014', 'relatedArtifact.exists()', 'at least one relatedArtifact (a human-readable description of the measure) is required'),
  rule('SANER-PR-M-015', 'library.exists()', 'at least one library is required'),
  rule('SANER-PR-M-017', `extension.where(url = '${GROUP_ATTRIBUTES}').count() = 1`, 'each group carries the MeasureGroupAttributes extension exactly once', { context: 'group' }),
  onlyIn('SANER-PR-EXT-002-CONTEXT', GROUP_ATTRIBUTES, ['group'], 'Measure.group'),
  rule(
    'SANER-PR-EXT-002',
    `value.empty() and ${GROUP_ATTRIBUTE_PARTS.map((p) => `${part(p)}.count() <= 1`).join(' and ')} and ${part('subject')}.exists()`,
    'MeasureGroupAttributes has no value of its own, each part at most once, and a subject',
    { context: attrs },
  ),
  rule('SANER-PR-M-018', `${part('scoring')}.exists() and ${codingIn(`${part('scoring')}.value`, SCORING)}`, 'the group scoring is required and comes from MeasureScoring', { context: attrs }),
  rule('SANER-PR-M-019', `${part('type')}.exists() and ${codingIn(`${part('type')}.value`, MEASURE_TYPE)}`, 'the group type is required and comes from measure-type', { context: attrs }),
  rule(
    'SANER-PR-M-020',
    `${part('improvementNotation')}.exists() implies ${codingIn(`${part('improvementNotation')}.value`, IMPROVEMENT)}`,
    'the group improvementNotation, when given, is increase or decrease',
    { context: attrs },
  ),
  rule(
    'SANER-PR-M-021',
    `${part('rateAggregation')}.exists() implies ${oneOf(`${part('rateAggregation')}.value`, RATE_AGGREGATION)}`,
    'the group rateAggregation, when given, is count, point-in-time or cumulative',
    {
      context: attrs,
    },
  ),
  rule(
    'SANER-PR-M-022',
    "coding.count() >= 2 and coding.where(system = 'http://hl7.org/fhir/resource-types').count() = 1 and coding.where(system = 'http://snomed.info/sct').exists() and text.exists()",
    'the group subject names one resource type and at least one SNOMED CT code, with a text',
    { context: `${attrs}.${part('subject')}.value` },
  ),
  rule('SANER-PR-M-024', 'code.exists()', 'each population needs a code', { context: 'group.population' }),
  rule('SANER-PR-M-025', 'coding.exists()', 'each population code needs a coding naming the population', { context: 'group.population.code' }),
  rule('SANER-PR-M-026', 'description.exists()', 'each population needs a description', { context: 'group.population' }),
  rule('SANER-PR-M-027', criteria, 'population criteria need a description and an expression', { context: 'group.population.criteria' }),
  rule('SANER-PR-M-029', 'code.exists()', 'each stratifier needs a code', { context: 'group.stratifier' }),
  rule('SANER-PR-M-032', 'text.exists()', 'each stratifier code needs a text', { context: 'group.stratifier.code' }),
  rule('SANER-PR-M-031', 'display.exists()', 'stratifier codings need a display', { context: 'group.stratifier.code.coding' }),
  rule('SANER-PR-M-033', 'description.exists()', 'each stratifier needs a description', { context: 'group.stratifier' }),
  rule('SANER-PR-M-034', `criteria.exists() and criteria.all(${criteria})`, 'each stratifier needs criteria with a description and an expression', { context: 'group.stratifier' }),
  rule('SANER-PR-M-035', 'component.empty()', 'stratifier.component is not allowed', { context: 'group.stratifier' }),
  rule('SANER-PR-M-036', 'code.exists()', 'each supplementalData entry needs a code (the resource type it includes)', { context: 'supplementalData' }),
  rule('SANER-PR-M-037', 'description.exists()', 'each supplementalData entry needs a description', { context: 'supplementalData' }),
  rule('SANER-PR-M-038', criteria, 'supplementalData criteria need a description and an expression', { context: 'supplementalData.criteria' }),
  onlyIn('SANER-PR-EXT-003-CONTEXT', EXPECTATION, ['group', 'group.population', 'group.stratifier'], 'Measure.group, its populations and stratifiers'),
  rule('SANER-PR-EXT-003', oneOf('value', EXPECTATIONS), 'MeasureExpectation holds SHALL, SHOULD, MAY or SHOULD-NOT', {
    context: `extension.combine(descendants().extension).where(url = '${EXPECTATION}')`,
  }),
  onlyIn(
    'SANER-PR-EXT-004-CONTEXT',
    ALTERNATE_CRITERIA,
    ['group.population.criteria', 'group.stratifier.criteria', 'group.stratifier.component.criteria', 'supplementalData.criteria'],
    'criteria of populations, stratifiers and supplementalData',
  ),
  rule('SANER-PR-EXT-004', `value is Expression and value.all(${criteria})`, 'MeasureAlternateCriteria holds an Expression with a description and an expression', {
    context: `extension.combine(descendants().extension).where(url = '${ALTERNATE_CRITERIA}')`,
  }),
];

/**
 * The profile narrows subject to Reference(Location) (its differential's targetProfile); reporter
 * keeps R4's targets, which the base validator checks (digest SANER-PR-MR-012).
 */
const reportTargets: TargetNarrowing[] = [{ id: 'SANER-PR-MR-005-TYPE', requirement: 'SANER-PR-MR-005', severity: 'error', path: 'subject', targets: ['Location'] }];

export const publicHealthMeasureReport: Profile = {
  url: PUBLIC_HEALTH_MEASURE_REPORT,
  name: 'PublicHealthMeasureReport',
  resourceType: 'MeasureReport',
  rules: reportRules,
  referenceTargets: reportTargets,
};

export const publicHealthMeasure: Profile = {
  url: PUBLIC_HEALTH_MEASURE,
  name: 'PublicHealthMeasure',
  resourceType: 'Measure',
  rules: measureRules,
};

/**
 * Makes the SANER profiles known to the validator (validateResource, `t.validate`, the validate
 * command, simulators validating on write). Safe to call any number of times.
 */
export function registerSanerProfiles(): void {
  for (const profile of [publicHealthMeasureReport, publicHealthMeasure]) {
    if (getProfile(profile.url) !== profile) registerProfile(profile);
  }
}
