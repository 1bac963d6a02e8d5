/**
 * RPC defines no StructureDefinition (digest PROFILES.md §1, B5): the LAB-90 element list is
 * written here as the project's own "RPC MeasureReport" rule set under a project URL. Base R4
 * (status, type, measure, mrp-1, mrp-2) is checked by the validator itself; the rules restate
 * the consequences the RPC text makes visible.
 */
import { getProfile, registerProfile, type Profile, type Rule, type RuleSeverity, type TargetNarrowing } from '../../src/fhir/validation/index.js';

export const RPC_MEASURE_REPORT = 'https://measure-conformance.example.org/fhir/StructureDefinition/rpc-MeasureReport';

function rule(id: string, expression: string, message: string, context?: string, severity: RuleSeverity = 'error'): Rule {
  return { id, requirement: id.replace(/-[A-Z]+$/, ''), severity, ...(context ? { context } : {}), expression, message };
}

const rules: Rule[] = [
  rule('RPC-MR-001', 'subject.exists()', 'subject is required: the Patient or Group the concordance report is about'),
  rule('RPC-MR-003', 'period.start.exists() and period.end.exists()', 'period needs both a start and an end'),
  rule('RPC-MR-004', 'group.exists()', 'the report needs at least one group'),
  rule('RPC-MR-004-CODE', 'code.coding.exists() and code.coding.all(code.exists())', 'each group needs a code whose codings each carry a code', 'group'),
  rule('RPC-MR-005', 'value.exists()', 'each stratum needs a value', 'group.stratifier.stratum'),
  rule('RPC-MR-006', 'component.empty()', 'a stratum carries a value, so it cannot carry components (mrp-2)', 'group.stratifier.stratum'),
  rule('RPC-MR-008', "type != 'data-collection'", 'type cannot be data-collection: such a report may carry no group, and RPC requires one (mrp-1)'),
  rule('RPC-MR-009', 'group.stratifier.stratum.exists()', 'the report should carry at least one stratifier with a stratum', undefined, 'warning'),
];

/**
 * LAB-90 asks for "a patient or group reference": subject's type, told by its literal reference,
 * the contained resource it points at or its `type`, is Patient or Group; a subject whose type
 * cannot be told is a warning, not an error (digest rpc-subject, B6).
 */
const referenceTargets: TargetNarrowing[] = [
  {
    id: 'RPC-MR-002',
    requirement: 'RPC-MR-002',
    severity: 'error',
    path: 'subject',
    targets: ['Patient', 'Group'],
    untold: { id: 'RPC-MR-002-UNKNOWN', severity: 'warning' },
  },
];

export const rpcMeasureReport: Profile = {
  url: RPC_MEASURE_REPORT,
  name: 'RPC MeasureReport (LAB-90 text, project rule set)',
  resourceType: 'MeasureReport',
  rules,
  referenceTargets,
};

/** Makes the RPC rule set known to the validator. Safe to call any number of times. */
export function registerRpcProfiles(): void {
  if (getProfile(rpcMeasureReport.url) !== rpcMeasureReport) registerProfile(rpcMeasureReport);
}
