/**
 * Compute Measure (transaction-4, COMPUTE-MX) CapabilityStatement rows: Measure Computer (client
 * of the Data Source; $evaluate-measure on both sides) and Data Source (server). The statements
 * name search parameters R4 does not define, or type them differently; those rows stay in the
 * catalogue with a reason instead of a test (digest §7 D8).
 */
import type { Requirement } from '../requirement.js';
import { capabilityRequirements, paramsFollowOptionalSearch, type CapabilityTable } from './capability-rows.js';
import { DATA_SOURCE_CM, MEASURE_COMPUTER_CM } from './capabilities.js';

const EVALUATE_TRIGGER = 'The CapabilityStatement lists it without an expectation; the transaction-4 page and the test plan use it as an optional trigger.';

const measureComputer: CapabilityTable = paramsFollowOptionalSearch({
  prefix: 'SANER-CM-MC',
  actor: 'Measure Computer',
  mode: 'client',
  capability: MEASURE_COMPUTER_CM,
  rows: [
    [1, 'Measure', 'operation', '$evaluate-measure', 'MAY', EVALUATE_TRIGGER],
    [2, 'Patient', 'interaction', 'search-type', 'SHALL'],
    [3, 'Patient', 'searchParam', '_id reference', 'SHALL'],
    [4, 'Patient', 'searchParam', 'date date', 'MAY'],
    [5, 'Patient', 'searchParam', 'class reference', 'SHALL'],
    [8, 'Encounter', 'interaction', 'search-type', 'SHALL'],
    [9, 'Encounter', 'searchParam', '_id reference', 'SHALL'],
    [10, 'Encounter', 'searchParam', 'date date', 'MAY'],
    [11, 'Encounter', 'searchParam', 'class reference', 'SHALL'],
    [12, 'Encounter', 'searchParam', 'patient reference', 'SHALL'],
    [13, 'Encounter', 'searchParam', 'encounter reference', 'SHALL'],
    [14, 'Encounter', 'searchParam', 'code token', 'SHALL'],
    [18, 'AllergyIntolerance', 'interaction', 'search-type', 'SHOULD'],
    [19, 'AllergyIntolerance', 'searchParam', '_id reference', 'SHALL'],
    [20, 'AllergyIntolerance', 'searchParam', 'patient reference', 'SHALL'],
    [21, 'AllergyIntolerance', 'searchParam', 'encounter reference', 'SHALL'],
    [22, 'AllergyIntolerance', 'searchParam', 'code token', 'SHALL'],
    [24, 'Condition', 'interaction', 'search-type', 'SHOULD'],
    [25, 'Condition', 'searchParam', '_id reference', 'SHALL'],
    [26, 'Condition', 'searchParam', 'patient reference', 'SHALL'],
    [27, 'Condition', 'searchParam', 'encounter reference', 'SHALL'],
    [28, 'Condition', 'searchParam', 'code token', 'SHALL'],
    [30, 'DiagnosticReport', 'interaction', 'search-type', 'SHOULD'],
    [31, 'DiagnosticReport', 'searchParam', '_id reference', 'SHALL'],
    [32, 'DiagnosticReport', 'searchParam', 'patient reference', 'SHALL'],
    [33, 'DiagnosticReport', 'searchParam', 'encounter reference', 'SHALL'],
    [34, 'DiagnosticReport', 'searchParam', 'code token', 'SHALL'],
    [36, 'MedicationRequest', 'interaction', 'search-type', 'SHOULD'],
    [37, 'MedicationRequest', 'searchParam', '_id reference', 'SHALL'],
    [38, 'MedicationRequest', 'searchParam', 'patient reference', 'SHALL'],
    [39, 'MedicationRequest', 'searchParam', 'encounter reference', 'SHALL'],
    [40, 'MedicationRequest', 'searchParam', 'code token', 'SHALL'],
    [42, 'Observation', 'interaction', 'search-type', 'SHOULD'],
    [43, 'Observation', 'searchParam', '_id reference', 'SHALL'],
    [44, 'Observation', 'searchParam', 'patient reference', 'SHALL'],
    [45, 'Observation', 'searchParam', 'encounter reference', 'SHALL'],
    [46, 'Observation', 'searchParam', 'code token', 'SHALL'],
    [48, 'Procedure', 'interaction', 'search-type', 'SHOULD'],
    [49, 'Procedure', 'searchParam', '_id reference', 'SHALL'],
    [50, 'Procedure', 'searchParam', 'patient reference', 'SHALL'],
    [51, 'Procedure', 'searchParam', 'encounter reference', 'SHALL'],
    [52, 'Procedure', 'searchParam', 'code token', 'SHALL'],
    [54, 'ServiceRequest', 'interaction', 'search-type', 'SHOULD'],
    [55, 'ServiceRequest', 'searchParam', '_id reference', 'SHALL'],
    [56, 'ServiceRequest', 'searchParam', 'patient reference', 'SHALL'],
    [57, 'ServiceRequest', 'searchParam', 'encounter reference', 'SHALL'],
    [58, 'ServiceRequest', 'searchParam', 'code token', 'SHALL'],
    [60, 'DocumentReference', 'interaction', 'search-type', 'SHOULD'],
    [61, 'DocumentReference', 'searchParam', '_id reference', 'SHALL'],
    [62, 'DocumentReference', 'searchParam', 'patient reference', 'SHALL'],
    [63, 'DocumentReference', 'searchParam', 'encounter reference', 'SHALL'],
    [64, 'DocumentReference', 'searchParam', 'code token', 'SHALL'],
    [66, 'FamilyMemberHistory', 'interaction', 'search-type', 'SHOULD'],
    [67, 'FamilyMemberHistory', 'searchParam', '_id reference', 'SHALL'],
    [68, 'FamilyMemberHistory', 'searchParam', 'patient reference', 'SHALL'],
    [69, 'FamilyMemberHistory', 'searchParam', 'encounter reference', 'SHALL'],
    [70, 'FamilyMemberHistory', 'searchParam', 'code token', 'SHALL'],
    [72, 'MedicationAdministration', 'interaction', 'search-type', 'SHOULD'],
    [73, 'MedicationAdministration', 'searchParam', '_id reference', 'SHALL'],
    [74, 'MedicationAdministration', 'searchParam', 'patient reference', 'SHALL'],
    [75, 'MedicationAdministration', 'searchParam', 'encounter reference', 'SHALL'],
    [76, 'MedicationAdministration', 'searchParam', 'code token', 'SHALL'],
    [78, 'MedicationDispense', 'interaction', 'search-type', 'SHOULD'],
    [79, 'MedicationDispense', 'searchParam', '_id reference', 'SHALL'],
    [80, 'MedicationDispense', 'searchParam', 'patient reference', 'SHALL'],
    [81, 'MedicationDispense', 'searchParam', 'encounter reference', 'SHALL'],
    [82, 'MedicationDispense', 'searchParam', 'code token', 'SHALL'],
    [84, 'MedicationStatement', 'interaction', 'search-type', 'SHOULD'],
    [85, 'MedicationStatement', 'searchParam', '_id reference', 'SHALL'],
    [86, 'MedicationStatement', 'searchParam', 'patient reference', 'SHALL'],
    [87, 'MedicationStatement', 'searchParam', 'encounter reference', 'SHALL'],
    [88, 'MedicationStatement', 'searchParam', 'code token', 'SHALL'],
    [90, 'Measure', 'operation', '$evaluate-measure', 'MAY', EVALUATE_TRIGGER],
  ],
});

const dataSource: CapabilityTable = paramsFollowOptionalSearch({
  prefix: 'SANER-CM-DS',
  actor: 'Data Source',
  mode: 'server',
  capability: DATA_SOURCE_CM,
  rows: [
    [1, 'Patient', 'interaction', 'search-type', 'SHALL'],
    [2, 'Patient', 'searchParam', '_id reference', 'SHALL'],
    [3, 'Patient', 'searchParam', 'date date', 'SHALL'],
    [4, 'Patient', 'searchParam', 'class reference', 'SHALL'],
    [7, 'Encounter', 'interaction', 'search-type', 'SHALL'],
    [8, 'Encounter', 'searchParam', '_id reference', 'SHALL'],
    [9, 'Encounter', 'searchParam', 'date date', 'SHALL'],
    [10, 'Encounter', 'searchParam', 'class reference', 'SHALL'],
    [11, 'Encounter', 'searchParam', 'patient reference', 'SHALL'],
    [12, 'Encounter', 'searchParam', 'encounter reference', 'SHALL'],
    [13, 'Encounter', 'searchParam', 'code token', 'SHALL'],
    [17, 'AllergyIntolerance', 'interaction', 'search-type', 'SHALL'],
    [18, 'AllergyIntolerance', 'searchParam', '_id reference', 'SHALL'],
    [19, 'AllergyIntolerance', 'searchParam', 'patient reference', 'SHALL'],
    [20, 'AllergyIntolerance', 'searchParam', 'encounter reference', 'SHALL'],
    [21, 'AllergyIntolerance', 'searchParam', 'code token', 'SHALL'],
    [23, 'Condition', 'interaction', 'search-type', 'SHALL'],
    [24, 'Condition', 'searchParam', '_id reference', 'SHALL'],
    [25, 'Condition', 'searchParam', 'patient reference', 'SHALL'],
    [26, 'Condition', 'searchParam', 'encounter reference', 'SHALL'],
    [27, 'Condition', 'searchParam', 'code token', 'SHALL'],
    [29, 'DiagnosticReport', 'interaction', 'search-type', 'SHALL'],
    [30, 'DiagnosticReport', 'searchParam', '_id reference', 'SHALL'],
    [31, 'DiagnosticReport', 'searchParam', 'patient reference', 'SHALL'],
    [32, 'DiagnosticReport', 'searchParam', 'encounter reference', 'SHALL'],
    [33, 'DiagnosticReport', 'searchParam', 'code token', 'SHALL'],
    [35, 'MedicationRequest', 'interaction', 'search-type', 'SHALL'],
    [36, 'MedicationRequest', 'searchParam', '_id reference', 'SHALL'],
    [37, 'MedicationRequest', 'searchParam', 'patient reference', 'SHALL'],
    [38, 'MedicationRequest', 'searchParam', 'encounter reference', 'SHALL'],
    [39, 'MedicationRequest', 'searchParam', 'code token', 'SHALL'],
    [41, 'Observation', 'interaction', 'search-type', 'SHALL'],
    [42, 'Observation', 'searchParam', '_id reference', 'SHALL'],
    [43, 'Observation', 'searchParam', 'patient reference', 'SHALL'],
    [44, 'Observation', 'searchParam', 'encounter reference', 'SHALL'],
    [45, 'Observation', 'searchParam', 'code token', 'SHALL'],
    [47, 'Procedure', 'interaction', 'search-type', 'SHALL'],
    [48, 'Procedure', 'searchParam', '_id reference', 'SHALL'],
    [49, 'Procedure', 'searchParam', 'patient reference', 'SHALL'],
    [50, 'Procedure', 'searchParam', 'encounter reference', 'SHALL'],
    [51, 'Procedure', 'searchParam', 'code token', 'SHALL'],
    [53, 'ServiceRequest', 'interaction', 'search-type', 'SHALL'],
    [54, 'ServiceRequest', 'searchParam', '_id reference', 'SHALL'],
    [55, 'ServiceRequest', 'searchParam', 'patient reference', 'SHALL'],
    [56, 'ServiceRequest', 'searchParam', 'encounter reference', 'SHALL'],
    [57, 'ServiceRequest', 'searchParam', 'code token', 'SHALL'],
    [59, 'DocumentReference', 'interaction', 'search-type', 'SHOULD'],
    [60, 'DocumentReference', 'searchParam', '_id reference', 'SHALL'],
    [61, 'DocumentReference', 'searchParam', 'patient reference', 'SHALL'],
    [62, 'DocumentReference', 'searchParam', 'encounter reference', 'SHALL'],
    [63, 'DocumentReference', 'searchParam', 'code token', 'SHALL'],
    [65, 'FamilyMemberHistory', 'interaction', 'search-type', 'SHOULD'],
    [66, 'FamilyMemberHistory', 'searchParam', '_id reference', 'SHALL'],
    [67, 'FamilyMemberHistory', 'searchParam', 'patient reference', 'SHALL'],
    [68, 'FamilyMemberHistory', 'searchParam', 'encounter reference', 'SHALL'],
    [69, 'FamilyMemberHistory', 'searchParam', 'code token', 'SHALL'],
    [71, 'MedicationAdministration', 'interaction', 'search-type', 'SHOULD'],
    [72, 'MedicationAdministration', 'searchParam', '_id reference', 'SHALL'],
    [73, 'MedicationAdministration', 'searchParam', 'patient reference', 'SHALL'],
    [74, 'MedicationAdministration', 'searchParam', 'encounter reference', 'SHALL'],
    [75, 'MedicationAdministration', 'searchParam', 'code token', 'SHALL'],
    [77, 'MedicationDispense', 'interaction', 'search-type', 'SHOULD'],
    [78, 'MedicationDispense', 'searchParam', '_id reference', 'SHALL'],
    [79, 'MedicationDispense', 'searchParam', 'patient reference', 'SHALL'],
    [80, 'MedicationDispense', 'searchParam', 'encounter reference', 'SHALL'],
    [81, 'MedicationDispense', 'searchParam', 'code token', 'SHALL'],
    [83, 'MedicationStatement', 'interaction', 'search-type', 'SHOULD'],
    [84, 'MedicationStatement', 'searchParam', '_id reference', 'SHALL'],
    [85, 'MedicationStatement', 'searchParam', 'patient reference', 'SHALL'],
    [86, 'MedicationStatement', 'searchParam', 'encounter reference', 'SHALL'],
    [87, 'MedicationStatement', 'searchParam', 'code token', 'SHALL'],
  ],
});

/** Resource type -> search parameters the statements name that R4 core does not define. */
const NOT_IN_R4: Readonly<Record<string, readonly string[]>> = {
  Patient: ['date', 'class'],
  Encounter: ['encounter', 'code'],
  AllergyIntolerance: ['encounter'],
  FamilyMemberHistory: ['encounter'],
  MedicationAdministration: ['encounter'],
  MedicationDispense: ['encounter'],
  MedicationStatement: ['encounter'],
  DocumentReference: ['code'],
};

/** Parameters whose R4 type differs from the statement's. */
function typeNote(resource: string, name: string): string | undefined {
  if (name === '_id') return 'R4 types _id as token, not reference; it is tested as a token (digest §7 D8).';
  if (resource === 'Encounter' && name === 'class') return 'R4 types Encounter class as token, not reference; it is tested as a token (digest §7 D8).';
  return undefined;
}

function applyD8(list: Requirement[]): Requirement[] {
  return list.map((r) => {
    const match = /^(\w+)\.searchParam\[([^\]]+)\]$/.exec(r.element ?? '');
    if (!match) return r;
    const [, resource = '', name = ''] = match;
    if (NOT_IN_R4[resource]?.includes(name)) {
      return { ...r, notTestedReason: `${name} is not an R4 search parameter of ${resource}: an IG defect, reported N/A rather than failed (digest §7 D8)` };
    }
    const note = typeNote(resource, name);
    return note ? { ...r, statement: `${r.statement} ${note}` } : r;
  });
}

/**
 * The statement lists $evaluate-measure on both of the Measure Computer's sides: row 1 on the
 * client (asking another server to evaluate, which nothing the harness runs offers or could
 * observe), row 90 on the server (the trigger the test plan names).
 */
function evaluateSides(list: Requirement[]): Requirement[] {
  return list.map((r) => {
    if (r.id === 'SANER-CM-MC-001') {
      return { ...r, notTestedReason: "client-side use of another server's $evaluate-measure: a MAY the test plan does not exercise, and no harness server offers the operation to observe it" };
    }
    if (r.id === 'SANER-CM-MC-090') {
      return {
        ...r,
        statement: `The Measure Computer, as a server, may offer [base]/Measure/[id]/$evaluate-measure?periodStart=…&periodEnd=…&report=true|false, returning the computed MeasureReport (stored when report=true). ${EVALUATE_TRIGGER}`,
      };
    }
    return r;
  });
}

export const computeMeasureRequirements: readonly Requirement[] = [...evaluateSides(applyD8(capabilityRequirements(measureComputer))), ...applyD8(capabilityRequirements(dataSource))];
