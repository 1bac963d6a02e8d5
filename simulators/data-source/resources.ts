/** The FHIR R4 resources a Data Source serves for the model: the records written out, nothing more. */
import type { CodeableConcept, Condition, Device, Encounter, FhirResource, Location, Observation, Patient, Procedure, Reference, Resource } from 'fhir/r4.js';
import { ACT_CODE, BED_STATUS, CANONICAL_BASE, CONDITION_CLINICAL, CONDITION_VERIFICATION, OBSERVATION_CATEGORY, PHYSICAL_TYPE, ROLE_CODE, VENTILATOR_DEVICE } from './codes.js';
import type { ClinicalModel, CoverageRecord, Instant } from './model.js';
import { formatInstant } from './model.js';

/** The facility (fixtures/compute/location-compute-general-hospital.json) and its organization. */
export const FACILITY_ID = 'compute-general-hospital';
const facility: Reference = { reference: `Location/${FACILITY_ID}` };
const hospital: Reference = { reference: `Organization/${FACILITY_ID}` };

const CLASS_DISPLAY = { IMP: 'inpatient encounter', EMER: 'emergency', AMB: 'ambulatory' } as const;
const BED_STATUS_DISPLAY = { O: 'Occupied', U: 'Unoccupied', C: 'Closed', H: 'Housekeeping', K: 'Contaminated' } as const;

const ref = (type: string, id: string): Reference => ({ reference: `${type}/${id}` });
const period = (start: Instant, end: Instant | undefined) => ({ start: formatInstant(start), ...(end ? { end: formatInstant(end) } : {}) });

/** Every resource of the model, referenced ones first (locations before the encounters in them). */
export function modelResources(model: ClinicalModel): Resource[] {
  const wards: Location[] = model.wards.map((w) => ({
    resourceType: 'Location',
    id: w.id,
    status: 'active',
    name: w.name,
    mode: 'instance',
    type: [{ coding: [w.icu ? { system: ROLE_CODE, code: 'ICU', display: 'Intensive care unit' } : { system: ROLE_CODE, code: 'HU', display: 'Hospital unit' }] }],
    physicalType: { coding: [{ system: PHYSICAL_TYPE, code: 'wa', display: 'Ward' }] },
    managingOrganization: hospital,
    partOf: facility,
  }));
  const beds: Location[] = model.beds.map((b) => ({
    resourceType: 'Location',
    id: b.id,
    status: b.status,
    ...(b.operationalStatus ? { operationalStatus: { system: BED_STATUS, code: b.operationalStatus, display: BED_STATUS_DISPLAY[b.operationalStatus] } } : {}),
    name: b.physicalType === 'bd' ? `Bed ${b.id}` : `Room ${b.id}`,
    mode: 'instance',
    physicalType: { coding: [b.physicalType === 'bd' ? { system: PHYSICAL_TYPE, code: 'bd', display: 'Bed' } : { system: PHYSICAL_TYPE, code: 'ro', display: 'Room' }] },
    managingOrganization: hospital,
    partOf: ref('Location', b.ward),
  }));
  const devices: Device[] = model.devices.map((d) => ({
    resourceType: 'Device',
    id: d.id,
    status: 'active',
    deviceName: [{ name: `Ventilator ${d.id}`, type: 'user-friendly-name' }],
    type: { coding: [VENTILATOR_DEVICE] },
    owner: hospital,
    location: ref('Location', d.ward),
    ...(d.patient ? { patient: ref('Patient', d.patient) } : {}),
  }));
  const patients: Patient[] = model.patients.map((p) => ({
    resourceType: 'Patient',
    id: p.id,
    identifier: [{ system: `${CANONICAL_BASE}/sid/mrn`, value: p.id }],
    gender: p.gender,
    birthDate: p.birthDate,
    managingOrganization: hospital,
  }));
  const encounters: Encounter[] = model.encounters.map((e) => ({
    resourceType: 'Encounter',
    id: e.id,
    status: e.status,
    class: { system: ACT_CODE, code: e.class, display: CLASS_DISPLAY[e.class] },
    subject: ref('Patient', e.patient.id),
    period: period(e.start, e.end),
    reasonCode: [{ coding: [e.reason], text: e.reason.display ?? e.reason.code ?? '' }],
    location: [{ location: ref('Location', e.bed) }],
    serviceProvider: hospital,
  }));
  const conditions: Condition[] = model.conditions.map((c) => ({
    resourceType: 'Condition',
    id: c.id,
    clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: 'active' }] },
    verificationStatus: { coding: [{ system: CONDITION_VERIFICATION, code: c.verification }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
    code: { coding: [c.code] },
    subject: ref('Patient', c.patient.id),
    encounter: ref('Encounter', c.encounter),
    onsetDateTime: formatInstant(c.onset),
  }));
  const procedures: Procedure[] = model.procedures.map((p) => ({
    resourceType: 'Procedure',
    id: p.id,
    status: p.status,
    code: { coding: [p.code] },
    subject: ref('Patient', p.patient.id),
    ...(p.encounter ? { encounter: ref('Encounter', p.encounter) } : {}),
    performedPeriod: period(p.start, p.end),
    reasonCode: [{ coding: [p.reason] }],
  }));
  const observations: Observation[] = model.observations.map((o) => ({
    resourceType: 'Observation',
    id: o.id,
    status: o.status,
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'laboratory' }] }],
    code: { coding: [o.code] },
    subject: ref('Patient', o.patient.id),
    ...(o.encounter ? { encounter: ref('Encounter', o.encounter) } : {}),
    effectiveDateTime: formatInstant(o.effective),
    valueCodeableConcept: { coding: [o.value] },
  }));
  return [...wards, ...beds, ...devices, ...patients, ...encounters, ...conditions, ...procedures, ...observations, ...model.coverage.map(coverageResource)];
}

const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';

/** A record of a coverage type as the least valid R4 resource that its patient, encounter and code searches find. */
function coverageResource(r: CoverageRecord): FhirResource {
  const id = r.id;
  const subject = ref('Patient', r.patient.id);
  const encounter = ref('Encounter', r.encounter);
  const code: CodeableConcept = { coding: [r.code], text: r.code.display ?? r.code.code ?? '' };
  const when = formatInstant(r.at);
  switch (r.type) {
    case 'AllergyIntolerance':
      return { resourceType: 'AllergyIntolerance', id, clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: 'active' }] }, code, patient: subject, recordedDate: when };
    case 'DiagnosticReport':
      return { resourceType: 'DiagnosticReport', id, status: 'final', code, subject, encounter, effectiveDateTime: when };
    case 'MedicationRequest':
      return { resourceType: 'MedicationRequest', id, status: 'active', intent: 'order', medicationCodeableConcept: code, subject, encounter, authoredOn: when };
    case 'ServiceRequest':
      return { resourceType: 'ServiceRequest', id, status: 'completed', intent: 'order', code, subject, encounter, authoredOn: when };
    case 'DocumentReference':
      return {
        resourceType: 'DocumentReference',
        id,
        status: 'current',
        type: code,
        subject,
        date: when,
        content: [{ attachment: { contentType: 'text/plain', title: code.text ?? '' } }],
        context: { encounter: [encounter] },
      };
    case 'FamilyMemberHistory':
      return {
        resourceType: 'FamilyMemberHistory',
        id,
        status: 'completed',
        patient: subject,
        date: when.slice(0, 10),
        relationship: { coding: [{ system: ROLE_CODE, code: 'FTH', display: 'father' }] },
        condition: [{ code }],
      };
    case 'MedicationAdministration':
      return { resourceType: 'MedicationAdministration', id, status: 'completed', medicationCodeableConcept: code, subject, context: encounter, effectiveDateTime: when };
    case 'MedicationDispense':
      return { resourceType: 'MedicationDispense', id, status: 'completed', medicationCodeableConcept: code, subject, context: encounter, whenHandedOver: when };
    case 'MedicationStatement':
      return { resourceType: 'MedicationStatement', id, status: 'active', medicationCodeableConcept: code, subject, context: encounter, effectiveDateTime: when };
  }
  throw new Error(`${r.type} records are written with the clinical records, not as coverage resources`);
}
