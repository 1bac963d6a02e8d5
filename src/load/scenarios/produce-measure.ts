/**
 * produce-measure: SANER Produce Measure (PUSH-TX) against a Measure Consumer. Each flow is one
 * facility's report for one day: created with POST, corrected with PUT at the id the Consumer
 * named, then read back (when the Consumer declares MeasureReport read) to see the correction
 * kept. Facilities are the fixture hospitals (fixtures/saner) told apart by their subject
 * identifier; counts vary by facility and day. An invalid flow posts a report breaking base R4
 * (no status: 400) or the PublicHealthMeasureReport profile (a date without a time: 422).
 * Checks follow suites/saner/produce-measure/measure-consumer.ts.
 */
import type { MeasureReport } from 'fhir/r4.js';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../../ig/saner/profiles.js';
import { fixtureReport } from '../../../simulators/measure-source-client/reports.js';
import { countOf, idNamed, type Check } from '../checks.js';
import type { FlowContext, K6Script, Scenario } from '../scenario.js';
import { dayAfter, factorOf, makeTemplate, render, slot, type Template } from '../templates.js';
import { declares, REFUSALS, taggedForTemplate, uuidOf, withIdFirst } from './common.js';

/** The hospitals of the fixtures, each on the first day of the fixture data. */
const BASE_REPORTS = ['beds-camden-2020-04-01', 'beds-newark-2020-04-01', 'beds-trenton-2020-04-01'];
const FIRST_DAY = '2020-04-01';
/** The count a read back is compared on: a correction changes it. */
const READ_BACK_CODE = 'numTotBedsOcc';
const SUCCESS = [200, 201, 204];

const REQUIREMENTS = {
  create: ['SANER-PM-CON-002', 'SANER-PM-PG-003'],
  update: ['SANER-PM-CON-003', 'SANER-PM-PG-003'],
  updateStatus: ['FHIR-HTTP-006'],
  readBack: ['SANER-PM-CON-002', 'SANER-PM-PG-007'],
  readBackValue: ['SANER-PM-PG-007'],
  profile: ['SANER-PM-CON-001'],
  outcome: ['FHIR-HTTP-004'],
  refusedBase: ['FHIR-HTTP-010'],
  refusedProfile: ['FHIR-HTTP-013'],
} as const;

interface Facility {
  create: Template;
  update: Template;
  invalid: { missingStatus: Template; dateWithoutTime: Template };
  /** Base value of READ_BACK_CODE, scaled like every count. */
  readBackBase: number;
}

export interface ProduceState {
  facilities: Facility[];
  readBack: boolean;
}

function isCount(path: readonly string[]): boolean {
  return path[path.length - 1] === 'count';
}

function facilityTemplates(id: string): Facility {
  const { id: _id, meta, identifier: _identifier, text: _text, ...report } = fixtureReport(id);
  const subject = report.subject!;
  const valid: MeasureReport = taggedForTemplate({
    ...report,
    meta: { profile: meta?.profile ?? [PUBLIC_HEALTH_MEASURE_REPORT] },
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${report.measure.split('/').pop()} report of ${slot('NAME')} for ${slot('DAY')}</p></div>` },
    identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${slot('UUID')}` }],
    subject: { ...subject, identifier: { ...subject.identifier, value: `${subject.identifier?.value}-${slot('FACILITY')}` }, display: `${subject.display} ${slot('FACILITY')}` },
    date: `${slot('NEXTDAY')}T06:00:00+00:00`,
    period: { start: `${slot('DAY')}T00:00:00+00:00`, end: `${slot('DAY')}T23:59:59+00:00` },
  });
  const { status: _status, ...noStatus } = valid;
  return {
    create: makeTemplate(valid, isCount),
    update: makeTemplate(withIdFirst(valid, slot('ID')), isCount),
    invalid: { missingStatus: makeTemplate(noStatus, isCount), dateWithoutTime: makeTemplate({ ...valid, date: slot('NEXTDAY') }, isCount) },
    readBackBase: countOf(report as MeasureReport, READ_BACK_CODE) ?? 0,
  };
}

function slots(ctx: { facility: number; day: number; runId: string }, uuid: string, id?: string): Record<string, string> {
  return {
    RUN: ctx.runId,
    UUID: uuid,
    FACILITY: String(ctx.facility + 1),
    NAME: `facility ${ctx.facility + 1}`,
    DAY: dayAfter(FIRST_DAY, ctx.day),
    NEXTDAY: dayAfter(FIRST_DAY, ctx.day + 1),
    ...(id !== undefined ? { ID: id } : {}),
  };
}

function outcome(): Check {
  return { kind: 'outcome', requirements: REQUIREMENTS.outcome };
}

async function invalidFlow(ctx: FlowContext, facility: Facility): Promise<void> {
  const base = ctx.invalidOrdinal % 2 === 0;
  const template = base ? facility.invalid.missingStatus : facility.invalid.dateWithoutTime;
  const body = render(template, { factor: factorOf(ctx.facility, ctx.day, 0), slots: slots(ctx, uuidOf(ctx.runHex, ctx.sequence())) });
  const what = base ? 'POST MeasureReport without status' : 'POST MeasureReport with a date without time';
  const res = await ctx.send({
    step: 'create invalid',
    what,
    method: 'POST',
    url: 'MeasureReport',
    body,
    checks: [
      { kind: 'status', allowed: REFUSALS, expected: 'a refusal (4xx)', requirements: REQUIREMENTS.profile },
      base
        ? { kind: 'status', allowed: [400], expected: '400 for a report breaking base R4', requirements: REQUIREMENTS.refusedBase }
        : { kind: 'status', allowed: [422], expected: '422 for a report breaking the profile', requirements: REQUIREMENTS.refusedProfile },
      outcome(),
    ],
    unanswered: REQUIREMENTS.profile,
  });
  // An invalid report the Consumer took is still the run's to remove.
  if (res && res.status >= 200 && res.status < 300) ctx.wrote('MeasureReport', idNamed(res, 'MeasureReport'));
}

export const produceMeasure: Scenario<ProduceState> = {
  id: 'produce-measure',
  title: 'SANER Produce Measure: facilities push their daily MeasureReports to a Measure Consumer',
  actor: 'MeasureConsumer',
  simulator: 'measure-consumer',
  requirements: [...new Set(Object.values(REQUIREMENTS).flat())],

  async setup(ctx) {
    const readBack = declares(ctx.capabilities, 'MeasureReport', 'read');
    if (!readBack) ctx.note('the CapabilityStatement declares no MeasureReport read: pushed reports are not read back');
    return { facilities: BASE_REPORTS.map(facilityTemplates), readBack };
  },

  async flow(ctx, state) {
    const facility = state.facilities[ctx.facility % state.facilities.length]!;
    if (ctx.invalid) return invalidFlow(ctx, facility);
    const created = await ctx.send({
      step: 'create',
      what: 'POST MeasureReport',
      method: 'POST',
      url: 'MeasureReport',
      body: render(facility.create, { factor: factorOf(ctx.facility, ctx.day, 0), slots: slots(ctx, uuidOf(ctx.runHex, ctx.sequence())) }),
      checks: [
        { kind: 'status', allowed: SUCCESS, expected: '200, 201 or 204', requirements: REQUIREMENTS.create },
        { kind: 'names-id', type: 'MeasureReport', requirements: REQUIREMENTS.create },
        outcome(),
      ],
      unanswered: REQUIREMENTS.create,
    });
    if (!created || created.status < 200 || created.status >= 300) return;
    const id = idNamed(created, 'MeasureReport');
    ctx.wrote('MeasureReport', id);
    ctx.sample({ text: created.text, type: 'MeasureReport', what: 'POST MeasureReport', requirements: REQUIREMENTS.profile, profiles: [PUBLIC_HEALTH_MEASURE_REPORT] });
    if (id === undefined) return;
    const factor = factorOf(ctx.facility, ctx.day, 1);
    const updated = await ctx.send({
      step: 'update',
      what: 'PUT MeasureReport/[id]',
      method: 'PUT',
      url: `MeasureReport/${encodeURIComponent(id)}`,
      body: render(facility.update, { factor, slots: slots(ctx, uuidOf(ctx.runHex, ctx.sequence()), id) }),
      checks: [
        { kind: 'status', allowed: SUCCESS, expected: '200, 201 or 204', requirements: REQUIREMENTS.update },
        { kind: 'status', allowed: [200], expected: '200 for an update of a report the Consumer holds', requirements: REQUIREMENTS.updateStatus },
        outcome(),
      ],
      unanswered: REQUIREMENTS.update,
    });
    if (!updated || !state.readBack || updated.status < 200 || updated.status >= 300) return;
    const read = await ctx.send({
      step: 'read back',
      what: 'GET MeasureReport/[id]',
      method: 'GET',
      url: `MeasureReport/${encodeURIComponent(id)}`,
      checks: [
        { kind: 'status', allowed: [200], expected: '200: the acknowledged report is held', requirements: REQUIREMENTS.readBack },
        { kind: 'resource', type: 'MeasureReport', id, requirements: REQUIREMENTS.readBack },
        { kind: 'count', code: READ_BACK_CODE, equals: Math.max(0, Math.round(facility.readBackBase * factor)), requirements: REQUIREMENTS.readBackValue },
        outcome(),
      ],
      unanswered: REQUIREMENTS.readBack,
    });
    if (read?.status === 200) ctx.sample({ text: read.text, type: 'MeasureReport', what: 'GET MeasureReport/[id]', requirements: REQUIREMENTS.profile, profiles: [PUBLIC_HEALTH_MEASURE_REPORT] });
  },

  k6(state): K6Script {
    return {
      data: {
        firstDay: FIRST_DAY,
        readBack: state.readBack,
        readBackCode: READ_BACK_CODE,
        facilities: state.facilities,
        requirements: REQUIREMENTS,
        refusals: REFUSALS,
      },
      requestsPerFlow: state.readBack ? 3 : 2,
      flow: K6_FLOW,
    };
  },
};

/** The same flow for k6 (see k6.ts for send, judge, render and the run's globals). */
const K6_FLOW = String.raw`
function slotsOf(facility, day, uuid, id) {
  const s = { RUN: RUN, UUID: uuid, FACILITY: String(facility + 1), NAME: 'facility ' + (facility + 1), DAY: dayAfter(DATA.firstDay, day), NEXTDAY: dayAfter(DATA.firstDay, day + 1) };
  if (id !== undefined) s.ID = id;
  return s;
}
function flow(n) {
  const facility = n % FACILITIES;
  const day = Math.floor(n / FACILITIES);
  const f = DATA.facilities[facility % DATA.facilities.length];
  const R = DATA.requirements;
  const outcome = { kind: 'outcome', requirements: R.outcome };
  if (isInvalidFlow(n, INVALID_SHARE)) {
    const base = invalidOrdinal(n, INVALID_SHARE) % 2 === 0;
    const body = render(base ? f.invalid.missingStatus : f.invalid.dateWithoutTime, { factor: factorOf(facility, day, 0), slots: slotsOf(facility, day, uuid()) });
    send('create invalid', base ? 'POST MeasureReport without status' : 'POST MeasureReport with a date without time', 'POST', 'MeasureReport', body, [
      { kind: 'status', allowed: DATA.refusals, expected: 'a refusal (4xx)', requirements: R.profile },
      base ? { kind: 'status', allowed: [400], expected: '400 for a report breaking base R4', requirements: R.refusedBase }
           : { kind: 'status', allowed: [422], expected: '422 for a report breaking the profile', requirements: R.refusedProfile },
      outcome,
    ]);
    return;
  }
  const created = send('create', 'POST MeasureReport', 'POST', 'MeasureReport', render(f.create, { factor: factorOf(facility, day, 0), slots: slotsOf(facility, day, uuid()) }), [
    { kind: 'status', allowed: [200, 201, 204], expected: '200, 201 or 204', requirements: R.create },
    { kind: 'names-id', type: 'MeasureReport', requirements: R.create },
    outcome,
  ]);
  if (created.status < 200 || created.status >= 300) return;
  const id = idNamed(created, 'MeasureReport');
  if (id === undefined) return;
  const factor = factorOf(facility, day, 1);
  const updated = send('update', 'PUT MeasureReport/[id]', 'PUT', 'MeasureReport/' + encodeURIComponent(id), render(f.update, { factor: factor, slots: slotsOf(facility, day, uuid(), id) }), [
    { kind: 'status', allowed: [200, 201, 204], expected: '200, 201 or 204', requirements: R.update },
    { kind: 'status', allowed: [200], expected: '200 for an update of a report the Consumer holds', requirements: R.updateStatus },
    outcome,
  ]);
  if (!DATA.readBack || updated.status < 200 || updated.status >= 300) return;
  send('read back', 'GET MeasureReport/[id]', 'GET', 'MeasureReport/' + encodeURIComponent(id), null, [
    { kind: 'status', allowed: [200], expected: '200: the acknowledged report is held', requirements: R.readBack },
    { kind: 'resource', type: 'MeasureReport', id: id, requirements: R.readBack },
    { kind: 'count', code: DATA.readBackCode, equals: Math.max(0, Math.round(f.readBackBase * factor)), requirements: R.readBackValue },
    outcome,
  ]);
}
`;
