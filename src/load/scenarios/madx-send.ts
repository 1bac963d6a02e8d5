/**
 * madx-send: IHE mADX Send Aggregate Report [QRPH-58] against a Content Consumer. Each flow is one
 * Content Creator (a facility of the fixtures' directory, fixtures/madx/validate) sending its
 * monthly aggregate report by PUT at the report's id, or, every fifth flow, a district's collection
 * Bundle of three facilities' reports POSTed to [base]. Report kinds rotate through the valid
 * fixtures (with stratifiers, with improvementNotation, without stratifiers); counts vary by
 * facility and month. Each exchange is followed through 202/303 to its final answer, then read back
 * where the Consumer declares MeasureReport read. An invalid flow sends a report breaking an mADX
 * rule (422). Checks follow suites/madx/send-aggregate-report/content-consumer.ts.
 */
import type { Location, MeasureReport } from 'fhir/r4.js';
import { MADX_MEASURE_REPORT } from '../../../ig/madx/profiles.js';
import { sendFixture } from '../../../simulators/content-creator-client/reports.js';
import { fixtureResources } from '../../../simulators/fixtures.js';
import type { Check } from '../checks.js';
import type { FlowContext, K6Script, Scenario } from '../scenario.js';
import { factorOf, makeTemplate, monthAfter, render, slot, type Template } from '../templates.js';
import { declares, taggedForTemplate, withIdFirst } from './common.js';
import { deliver, K6_DELIVER } from './content-exchange.js';

const VALID = ['measurereport-valid.json', 'measurereport-valid-age-groups.json', 'measurereport-valid-no-stratifier.json'];
const INVALID = ['measurereport-invalid-missing-subject.json', 'measurereport-invalid-no-group.json'];
const FIRST_MONTH = '2025-01-01';
const BUNDLE_EVERY = 5;
const BUNDLE_SIZE = 3;

const REQUIREMENTS = {
  accepted: ['MADX-CON-001'],
  answered: ['MADX-CON-002'],
  bundle: ['MADX-CON-023'],
  refused: ['MADX-CON-013'],
  refusedOutcome: ['MADX-CON-014'],
  outcome: ['MADX-CON-019'],
  profile: ['MADX-CON-001'],
} as const;

interface Facility {
  id: string;
  name: string;
}

export interface MadxState {
  valid: Template[];
  invalid: Template[];
  facilities: Facility[];
  readBack: boolean;
}

/** Population counts and the stratum scores, which mADX uses as counts. */
function isCount(path: readonly string[]): boolean {
  const last = path[path.length - 1];
  return last === 'count' || (path.includes('stratum') && last === 'value' && path[path.length - 2] === 'measureScore');
}

/** A fixture report with the facility, month and id as slots. */
function reportTemplate(file: string): Template {
  const { id: _id, ...report } = sendFixture<MeasureReport>('madx', file);
  const located = (report.contained ?? []).find((r) => r.resourceType === 'Location');
  const contained = (report.contained ?? []).map((r) => (r === located ? { ...(r as Location), id: slot('LOC'), name: slot('LOCNAME') } : r));
  const at = (ref: MeasureReport['subject']) => (located && ref?.reference === `#${located.id}` ? { ...ref, reference: `#${slot('LOC')}` } : ref);
  const body: MeasureReport = taggedForTemplate({
    ...withIdFirst(report as MeasureReport, slot('ID')),
    contained,
    ...(report.subject ? { subject: at(report.subject)! } : {}),
    ...(report.reporter ? { reporter: at(report.reporter)! } : {}),
    period: { start: slot('START'), end: slot('END') },
  } as MeasureReport);
  return makeTemplate(body, isCount);
}

function invalidTemplate(file: string): Template {
  const { id: _id, ...report } = sendFixture<MeasureReport>('madx', file);
  return makeTemplate(taggedForTemplate(withIdFirst(report as MeasureReport, slot('ID'))), () => false);
}

function reportId(ctx: FlowContext): string {
  return `madx-${ctx.runHex}-${ctx.sequence().toString(36)}`;
}

function slotsOf(ctx: FlowContext, facility: Facility, month: number, id: string): Record<string, string> {
  const { first, last } = monthAfter(FIRST_MONTH, month);
  return { RUN: ctx.runId, ID: id, LOC: facility.id, LOCNAME: facility.name, START: first, END: last };
}

function finalChecks(allowed: readonly number[], expected: string, requirements: readonly string[], outcome: readonly string[]): Check[] {
  return [
    { kind: 'status', allowed, expected, requirements },
    { kind: 'outcome', requirements: outcome },
  ];
}

async function readBack(ctx: FlowContext, id: string, requirements: readonly string[]): Promise<void> {
  const res = await ctx.send({
    step: 'read back',
    what: 'GET MeasureReport/[id]',
    method: 'GET',
    url: `MeasureReport/${encodeURIComponent(id)}`,
    checks: [
      { kind: 'status', allowed: [200], expected: '200: the accepted report is held', requirements },
      { kind: 'resource', type: 'MeasureReport', id, requirements },
    ],
    unanswered: REQUIREMENTS.answered,
  });
  if (res?.status === 200) ctx.sample({ text: res.text, type: 'MeasureReport', what: 'GET MeasureReport/[id]', requirements: REQUIREMENTS.profile, profiles: [MADX_MEASURE_REPORT] });
}

export const madxSend: Scenario<MadxState> = {
  id: 'madx-send',
  title: 'IHE mADX Send Aggregate Report: facilities send monthly reports and district Bundles to a Content Consumer',
  actor: 'ContentConsumer',
  simulator: 'madx-content-consumer',
  requirements: [...new Set(Object.values(REQUIREMENTS).flat())],

  async setup(ctx) {
    const readBack = declares(ctx.capabilities, 'MeasureReport', 'read');
    if (!readBack) ctx.note('the SUT declares no MeasureReport read: accepted reports are not read back');
    const facilities = (fixtureResources('madx/validate', ['Location']) as Location[]).map((l) => ({ id: l.id!, name: l.name ?? l.id! }));
    return { valid: VALID.map(reportTemplate), invalid: INVALID.map(invalidTemplate), facilities, readBack };
  },

  async flow(ctx, state) {
    const facility = state.facilities[ctx.facility % state.facilities.length]!;
    if (ctx.invalid) {
      const id = reportId(ctx);
      const template = state.invalid[ctx.invalidOrdinal % state.invalid.length]!;
      const res = await deliver(ctx, {
        step: 'send invalid',
        what: 'PUT MeasureReport/[id] breaking an mADX rule',
        method: 'PUT',
        url: `MeasureReport/${id}`,
        body: render(template, { factor: 1, slots: { RUN: ctx.runId, ID: id } }),
        checks: finalChecks([422], '422', REQUIREMENTS.refused, REQUIREMENTS.refusedOutcome),
        unanswered: REQUIREMENTS.answered,
      });
      if (res && res.status >= 200 && res.status < 300) ctx.wrote('MeasureReport', id);
      return;
    }
    // Counted over the valid flows, so the invalid share cannot crowd the Bundles out.
    if ((ctx.index - ctx.invalidOrdinal) % BUNDLE_EVERY === BUNDLE_EVERY - 1) return sendBundle(ctx, state);
    const id = reportId(ctx);
    const template = state.valid[ctx.index % state.valid.length]!;
    const res = await deliver(ctx, {
      step: 'send',
      what: 'PUT MeasureReport/[id]',
      method: 'PUT',
      url: `MeasureReport/${id}`,
      body: render(template, { factor: factorOf(ctx.facility, ctx.day, 0), slots: slotsOf(ctx, facility, ctx.day, id) }),
      checks: finalChecks([200, 201], '200 or 201', REQUIREMENTS.accepted, REQUIREMENTS.outcome),
      unanswered: REQUIREMENTS.answered,
    });
    if (!res || res.status < 200 || res.status >= 300) return;
    ctx.wrote('MeasureReport', id);
    if (state.readBack) await readBack(ctx, id, REQUIREMENTS.accepted);
  },

  k6(state): K6Script {
    return {
      data: {
        firstMonth: FIRST_MONTH,
        valid: state.valid,
        invalid: state.invalid,
        facilities: state.facilities,
        readBack: state.readBack,
        requirements: REQUIREMENTS,
        bundleEvery: BUNDLE_EVERY,
        bundleSize: BUNDLE_SIZE,
      },
      requestsPerFlow: state.readBack ? 2 : 1,
      flow: K6_DELIVER + K6_FLOW,
    };
  },
};

/** A district's collection Bundle: the reports of BUNDLE_SIZE facilities for the flow's month. */
async function sendBundle(ctx: FlowContext, state: MadxState): Promise<void> {
  const ids: string[] = [];
  const entries: string[] = [];
  for (let k = 0; k < BUNDLE_SIZE; k++) {
    const f = ctx.facility + k;
    const id = reportId(ctx);
    ids.push(id);
    const report = render(state.valid[0]!, { factor: factorOf(f, ctx.day, 0), slots: slotsOf(ctx, state.facilities[f % state.facilities.length]!, ctx.day, id) });
    entries.push(`{"fullUrl":"urn:uuid:${ctx.runHex}-0000-4000-8000-${ctx.sequence().toString(16).padStart(12, '0')}","resource":${report}}`);
  }
  const res = await deliver(ctx, {
    step: 'send bundle',
    what: 'POST [base] collection Bundle',
    method: 'POST',
    url: '',
    body: `{"resourceType":"Bundle","type":"collection","entry":[${entries.join(',')}]}`,
    checks: finalChecks([200, 201], '200 or 201', REQUIREMENTS.bundle, REQUIREMENTS.outcome),
    unanswered: REQUIREMENTS.answered,
  });
  if (!res || res.status < 200 || res.status >= 300) return;
  for (const id of ids) ctx.wrote('MeasureReport', id);
  if (state.readBack) for (const id of ids) await readBack(ctx, id, REQUIREMENTS.bundle);
}

const K6_FLOW = String.raw`
function reportId() { return 'madx-' + RUN_HEX + '-' + sequence().toString(36); }
function slotsOf(f, month, id) {
  const m = monthAfter(DATA.firstMonth, month);
  return { RUN: RUN, ID: id, LOC: f.id, LOCNAME: f.name, START: m.first, END: m.last };
}
function finalChecks(allowed, expected, requirements, outcome) {
  return [{ kind: 'status', allowed: allowed, expected: expected, requirements: requirements }, { kind: 'outcome', requirements: outcome }];
}
function readBack(id, requirements) {
  send('read back', 'GET MeasureReport/[id]', 'GET', 'MeasureReport/' + encodeURIComponent(id), null, [
    { kind: 'status', allowed: [200], expected: '200: the accepted report is held', requirements: requirements },
    { kind: 'resource', type: 'MeasureReport', id: id, requirements: requirements },
  ]);
}
function flow(n) {
  const facility = n % FACILITIES;
  const day = Math.floor(n / FACILITIES);
  const R = DATA.requirements;
  const f = DATA.facilities[facility % DATA.facilities.length];
  if (isInvalidFlow(n, INVALID_SHARE)) {
    const id = reportId();
    deliver('send invalid', 'PUT MeasureReport/[id] breaking an mADX rule', 'PUT', 'MeasureReport/' + id,
      render(DATA.invalid[invalidOrdinal(n, INVALID_SHARE) % DATA.invalid.length], { factor: 1, slots: { RUN: RUN, ID: id } }), finalChecks([422], '422', R.refused, R.refusedOutcome), R.answered);
    return;
  }
  if ((n - invalidOrdinal(n, INVALID_SHARE)) % DATA.bundleEvery === DATA.bundleEvery - 1) {
    const ids = [];
    const entries = [];
    for (let k = 0; k < DATA.bundleSize; k++) {
      const id = reportId();
      ids.push(id);
      const report = render(DATA.valid[0], { factor: factorOf(facility + k, day, 0), slots: slotsOf(DATA.facilities[(facility + k) % DATA.facilities.length], day, id) });
      entries.push('{"fullUrl":"urn:uuid:' + RUN_HEX + '-0000-4000-8000-' + sequence().toString(16).padStart(12, '0') + '","resource":' + report + '}');
    }
    const res = deliver('send bundle', 'POST [base] collection Bundle', 'POST', '', '{"resourceType":"Bundle","type":"collection","entry":[' + entries.join(',') + ']}', finalChecks([200, 201], '200 or 201', R.bundle, R.outcome), R.answered);
    if (res && res.status >= 200 && res.status < 300 && DATA.readBack) for (const id of ids) readBack(id, R.bundle);
    return;
  }
  const id = reportId();
  const res = deliver('send', 'PUT MeasureReport/[id]', 'PUT', 'MeasureReport/' + id,
    render(DATA.valid[n % DATA.valid.length], { factor: factorOf(facility, day, 0), slots: slotsOf(f, day, id) }), finalChecks([200, 201], '200 or 201', R.accepted, R.outcome), R.answered);
  if (res && res.status >= 200 && res.status < 300 && DATA.readBack) readBack(id, R.accepted);
}
`;
