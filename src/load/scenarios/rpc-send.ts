/**
 * rpc-send: IHE RPC Send Concordance Report [LAB-90] against a Content Consumer. Each flow is one
 * laboratory (a facility) creating a concordance report with POST for a day: of one patient, or,
 * every other flow, of a cohort Group. The exchange is followed through 202/303 to its final
 * answer, then read back at the id the Consumer named where it declares MeasureReport read. An
 * invalid flow sends a report breaking a LAB-90 rule (422; 400 taken as RPC takes it). Checks
 * follow suites/rpc/send-concordance-report/content-consumer.ts.
 */
import type { MeasureReport } from 'fhir/r4.js';
import { RPC_MEASURE_REPORT } from '../../../ig/rpc/profiles.js';
import { sendFixture } from '../../../simulators/content-creator-client/reports.js';
import { idNamed, type Check } from '../checks.js';
import type { FlowContext, K6Script, Scenario } from '../scenario.js';
import { dayAfter, makeTemplate, render, slot, type Template } from '../templates.js';
import { declares, taggedForTemplate } from './common.js';
import { deliver, K6_DELIVER } from './content-exchange.js';

const VALID = ['measurereport-valid.json', 'measurereport-valid-group-subject.json'];
const INVALID = ['measurereport-invalid-missing-subject.json', 'measurereport-invalid-period-without-end.json'];
const FIRST_DAY = '2021-05-11';

const REQUIREMENTS = {
  accepted: ['RPC-CON-001'],
  answered: ['RPC-CON-002'],
  refused: ['RPC-CON-012'],
  outcome: ['RPC-CON-013'],
  profile: ['RPC-CON-001'],
} as const;

export interface RpcState {
  valid: Template[];
  invalid: Template[];
  readBack: boolean;
}

/** A fixture report with the subject, day and run tag as slots; the Consumer names the id. */
function template(file: string, vary: boolean): Template {
  const { id: _id, ...report } = sendFixture<MeasureReport>('rpc', file);
  if (!vary) return makeTemplate(taggedForTemplate(report as MeasureReport), () => false);
  const subject = report.subject?.reference ?? '';
  const varied: MeasureReport = {
    ...report,
    subject: { ...report.subject, reference: `${subject}-${slot('SUBJECT')}` },
    date: `${slot('DAY')}T10:00:00Z`,
    period: { start: slot('DAY'), end: slot('DAY') },
  } as MeasureReport;
  return makeTemplate(taggedForTemplate(varied), () => false);
}

function slotsOf(ctx: FlowContext): Record<string, string> {
  return { RUN: ctx.runId, SUBJECT: `lab${ctx.facility + 1}-${ctx.day + 1}`, DAY: dayAfter(FIRST_DAY, ctx.day) };
}

function finalChecks(allowed: readonly number[], expected: string, requirements: readonly string[]): readonly Check[] {
  return [
    { kind: 'status', allowed, expected, requirements },
    { kind: 'outcome', requirements: REQUIREMENTS.outcome },
  ];
}

/** The same for every flow: made once, not per request. */
const FINAL_CHECKS = { accepted: finalChecks([200, 201], '201 or 200', REQUIREMENTS.accepted), refused: finalChecks([422, 400], '422 (400 tolerated)', REQUIREMENTS.refused) };

export const rpcSend: Scenario<RpcState> = {
  id: 'rpc-send',
  title: 'IHE RPC Send Concordance Report: laboratories create concordance reports on a Content Consumer',
  actor: 'ContentConsumer',
  simulator: 'rpc-content-consumer',
  requirements: [...new Set(Object.values(REQUIREMENTS).flat())],

  async setup(ctx) {
    const readBack = declares(ctx.capabilities, 'MeasureReport', 'read');
    if (!readBack) ctx.note('the SUT declares no MeasureReport read: accepted reports are not read back');
    return { valid: VALID.map((f) => template(f, true)), invalid: INVALID.map((f) => template(f, false)), readBack };
  },

  async flow(ctx, state) {
    const invalid = ctx.invalid;
    const res = await deliver(ctx, {
      step: invalid ? 'send invalid' : 'send',
      what: invalid ? 'POST MeasureReport breaking a LAB-90 rule' : 'POST MeasureReport',
      method: 'POST',
      url: 'MeasureReport',
      body: render(invalid ? state.invalid[ctx.invalidOrdinal % state.invalid.length]! : state.valid[ctx.index % state.valid.length]!, { factor: 1, slots: slotsOf(ctx) }),
      checks: invalid ? FINAL_CHECKS.refused : FINAL_CHECKS.accepted,
      unanswered: REQUIREMENTS.answered,
    });
    if (!res || res.status < 200 || res.status >= 300) return;
    const id = idNamed(res, 'MeasureReport');
    ctx.wrote('MeasureReport', id);
    if (invalid || !state.readBack || id === undefined) return;
    const read = await ctx.send({
      step: 'read back',
      what: 'GET MeasureReport/[id]',
      method: 'GET',
      url: `MeasureReport/${encodeURIComponent(id)}`,
      checks: [
        { kind: 'status', allowed: [200], expected: '200: the accepted report is held', requirements: REQUIREMENTS.accepted },
        { kind: 'resource', type: 'MeasureReport', id, requirements: REQUIREMENTS.accepted },
      ],
      unanswered: REQUIREMENTS.answered,
    });
    if (read?.status === 200) ctx.sample({ text: read.text, type: 'MeasureReport', what: 'GET MeasureReport/[id]', requirements: REQUIREMENTS.profile, profiles: [RPC_MEASURE_REPORT] });
  },

  k6(state): K6Script {
    return {
      data: { firstDay: FIRST_DAY, valid: state.valid, invalid: state.invalid, readBack: state.readBack, requirements: REQUIREMENTS },
      requestsPerFlow: state.readBack ? 2 : 1,
      flow: K6_DELIVER + K6_FLOW,
    };
  },
};

const K6_FLOW = String.raw`
function flow(n) {
  const facility = n % FACILITIES;
  const day = Math.floor(n / FACILITIES);
  const R = DATA.requirements;
  const invalid = isInvalidFlow(n, INVALID_SHARE);
  const slots = { RUN: RUN, SUBJECT: 'lab' + (facility + 1) + '-' + (day + 1), DAY: dayAfter(DATA.firstDay, day) };
  const checks = invalid
    ? [{ kind: 'status', allowed: [422, 400], expected: '422 (400 tolerated)', requirements: R.refused }, { kind: 'outcome', requirements: R.outcome }]
    : [{ kind: 'status', allowed: [200, 201], expected: '201 or 200', requirements: R.accepted }, { kind: 'outcome', requirements: R.outcome }];
  const res = deliver(invalid ? 'send invalid' : 'send', invalid ? 'POST MeasureReport breaking a LAB-90 rule' : 'POST MeasureReport', 'POST', 'MeasureReport',
    render(invalid ? DATA.invalid[invalidOrdinal(n, INVALID_SHARE) % DATA.invalid.length] : DATA.valid[n % DATA.valid.length], { factor: 1, slots: slots }), checks, R.answered);
  if (!res || res.status < 200 || res.status >= 300 || invalid || !DATA.readBack) return;
  const id = idNamed(res, 'MeasureReport');
  if (id === undefined) return;
  send('read back', 'GET MeasureReport/[id]', 'GET', 'MeasureReport/' + encodeURIComponent(id), null, [
    { kind: 'status', allowed: [200], expected: '200: the accepted report is held', requirements: R.accepted },
    { kind: 'resource', type: 'MeasureReport', id: id, requirements: R.accepted },
  ]);
}
`;
