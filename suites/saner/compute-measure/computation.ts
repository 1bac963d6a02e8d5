/**
 * One computation by the Measure Computer under test, and what it left behind: the requests its
 * Data Source received, what reached the public-health side, and the report it produced. With a
 * SUT the environment fires its trigger (the `MC_*` variables name the servers, the Measure and
 * the period) and records until the traffic settles; with none, the suite calls
 * `$evaluate-measure?report=true` on the reference Measure Computer standing in for it. Under the
 * Pull Option the report is also read back from the computer.
 */
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { abortableSleep, type InboundRequest, type SimulatorHandle, type SuiteEnvironment, type TestContext, type TriggerOutcome } from '../../../src/engine/index.js';
import { COMPUTE_MEASURE_URL } from '../../../ig/saner/canonicals.js';
import { asPushes, reportOf, type Push } from '../produce-measure/source-pushes.js';

export const MEASURE_ID = 'ComputeCovidImpact';
const FHIR_JSON = 'application/fhir+json';

/** The computable Measure a computation is asked for: its id on the Measure Definition Source and its canonical url. */
export interface MeasureRef {
  id: string;
  url: string;
}

export const COVID_IMPACT: MeasureRef = { id: MEASURE_ID, url: COMPUTE_MEASURE_URL };
export const SUBJECT = 'Location/compute-general-hospital';
export const REPORTER = 'Organization/compute-general-hospital';

/** A reporting period: start inclusive, end exclusive, as instants. */
export interface Period {
  start: string;
  end: string;
}

/**
 * The servers one computation runs against: a Data Source, the public-health side (Measure
 * Definition Source and Measure Consumer), and, with no SUT, the reference Measure Computer
 * standing in for it on that pair.
 */
export interface Site {
  dataSource: SimulatorHandle;
  publicHealth: SimulatorHandle;
  standIn?: string;
}

export interface Computation {
  measure: MeasureRef;
  period: Period;
  dataSourceUrl: string;
  /** How the computer was made to compute and how that ended (the trigger's exit status, the stand-in's answer). */
  how: string;
  /** Why nothing reached the servers, when nothing did. */
  silence?: string;
  /** Everything the Data Source received, and the searches among it. */
  dataSourceRequests: InboundRequest[];
  searches: InboundRequest[];
  /** What reached the public-health side (Measure reads, report pushes). */
  pushes: Push[];
  returned?: MeasureReport;
  pulled?: MeasureReport;
  /** The report judged: the one pushed (accepted, else refused), else the one `$evaluate-measure` returned, else the one pulled. */
  report?: MeasureReport;
  /** Where the judged report came from, for notes. */
  reportFrom?: string;
}

/** How long the traffic must rest before a computation counts as finished. */
const QUIET_MS = 1_000;
/** The stand-in answers after it pushed; its last exchanges are recorded a moment later. */
const STAND_IN_QUIET_MS = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

const samePeriod = (r: MeasureReport, period: Period): boolean => Date.parse(r.period?.start ?? '') === Date.parse(period.start);
const ofMeasure = (r: MeasureReport, measure: MeasureRef): boolean => (r.measure ?? '').split('|')[0] === measure.url;

/** Creates and updates of MeasureReport on the public-health side carrying a report of this Measure and period. */
export function reportWrites(pushes: readonly Push[], measure: MeasureRef, period: Period): Push[] {
  return pushes.filter((p) => {
    const report = (p.kind === 'create' || p.kind === 'update') && reportOf(p);
    return !!report && ofMeasure(report, measure) && samePeriod(report, period);
  });
}

/** What the SUT is told through its trigger, besides the simulator URL. */
export function triggerVariables(site: Site, period: Period, measure: MeasureRef): Record<string, string> {
  return {
    MC_DATA_SOURCE_URL: site.dataSource.baseUrl,
    MC_MEASURE_DEFINITION_SOURCE_URL: site.publicHealth.baseUrl,
    MC_MEASURE_CONSUMER_URL: site.publicHealth.baseUrl,
    MC_MEASURE: measure.url,
    MC_MEASURE_ID: measure.id,
    MC_PERIOD_START: period.start,
    MC_PERIOD_END: period.end,
    MC_SUBJECT: SUBJECT,
    MC_REPORTER: REPORTER,
  };
}

/** The computer's base URL where the suite can reach it: the stand-in, or the SUT's configured base. */
export function computerBase(env: SuiteEnvironment, site: Site): string | undefined {
  return (site.standIn ?? env.sutBaseUrl)?.replace(/\/+$/, '');
}

/** The newest report of the Measure and period the computer serves (Pull), if any. */
async function pull(env: SuiteEnvironment, base: string, period: Period, measure: MeasureRef): Promise<MeasureReport | undefined> {
  const res = await env.sut.request('GET', `${base}/MeasureReport`, { headers: { accept: FHIR_JSON }, query: { measure: measure.url, _count: '100' } });
  if (res.status !== 200) return undefined;
  const parsed = res.tryResource<Bundle>();
  if (!parsed.ok || parsed.resource.resourceType !== 'Bundle') return undefined;
  const reports = (parsed.resource.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'MeasureReport' ? [e.resource as MeasureReport] : [])).filter((r) => samePeriod(r, period));
  return reports.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '')).at(-1);
}

async function quiet(env: SuiteEnvironment, site: Site): Promise<void> {
  const total = () => site.dataSource.exchanges().length + site.publicHealth.exchanges().length;
  for (let seen = -1; seen !== total(); ) {
    seen = total();
    await abortableSleep(STAND_IN_QUIET_MS, env.signal);
  }
}

/** Has the stand-in compute with `$evaluate-measure?report=true`; returns how it answered and the report it returned. */
async function evaluateOnStandIn(env: SuiteEnvironment, site: Site, base: string, period: Period, measure: MeasureRef): Promise<{ how: string; returned?: MeasureReport }> {
  env.note(`the reference Measure Computer at ${base} stands in for the SUT, computing from ${site.dataSource.baseUrl}`);
  const query = { periodStart: period.start, periodEnd: period.end, subject: SUBJECT, reporter: REPORTER, report: 'true' };
  const res = await env.sut.request('GET', `${base}/Measure/${measure.id}/$evaluate-measure`, { headers: { accept: FHIR_JSON }, query });
  await quiet(env, site);
  const parsed = res.tryResource();
  const returned = parsed.ok && parsed.resource.resourceType === 'MeasureReport' ? (parsed.resource as MeasureReport) : undefined;
  return { how: `the stand-in's $evaluate-measure answered ${res.status}`, ...(returned ? { returned } : {}) };
}

/** How the trigger ended, for notes and failure messages. */
function triggered(outcome: TriggerOutcome): string {
  switch (outcome.kind) {
    case 'command':
      return `the trigger command exited with ${outcome.exitCode ?? 'a signal'}`;
    case 'webhook':
      return 'the trigger webhook was called';
    case 'prompt':
      return 'a person was asked to trigger the computer';
    case 'reference':
      return outcome.failure ? `the reference client gave up: ${outcome.failure}` : 'the reference client ran';
    case 'none':
      return 'the computer was left to act on its own';
    case 'replay':
      return 'recorded traffic was replayed';
  }
}

/**
 * Makes the computer compute the Measure (ComputeCovidImpact unless another is named) for the
 * period at the site and collects what it did. Nothing here judges: the tests do.
 */
export async function compute(env: SuiteEnvironment, site: Site, period: Period, measure: MeasureRef = COVID_IMPACT): Promise<Computation> {
  const dsFrom = site.dataSource.exchanges().length;
  const phFrom = site.publicHealth.exchanges().length;
  let how: string;
  let silence: string | undefined;
  let returned: MeasureReport | undefined;
  if (site.standIn) {
    ({ how, returned } = await evaluateOnStandIn(env, site, site.standIn, period, measure));
  } else {
    const pushing = env.options.includes('Push');
    const recording = await env.record(
      `compute ${measure.url} (Measure/${measure.id} on the Measure Definition Source ${site.publicHealth.baseUrl}) for ${SUBJECT} by ${REPORTER}, period ${period.start} to ${period.end} (end exclusive), from the Data Source at ${site.dataSource.baseUrl}; push the report to the Measure Consumer at ${site.publicHealth.baseUrl} (Push) or keep it for Query Measure (Pull)`,
      {
        actor: 'Measure Computer',
        at: [site.dataSource, site.publicHealth],
        variables: triggerVariables(site, period, measure),
        quietMs: QUIET_MS,
        until: (requests) =>
          requests.some((r) => r.baseUrl === site.dataSource.baseUrl) &&
          (!pushing || reportWrites(asPushes(requests.filter((r) => r.baseUrl === site.publicHealth.baseUrl)), measure, period).length > 0),
      },
    );
    how = triggered(recording.trigger);
    silence = recording.silence;
  }
  const dataSourceRequests = site.dataSource.requests(dsFrom);
  const pushes = asPushes(site.publicHealth.requests(phFrom));
  const writes = reportWrites(pushes, measure, period);
  const accepted = writes.filter((p) => p.succeeded).at(-1);
  const last = writes.at(-1);
  const base = env.options.includes('Pull') ? computerBase(env, site) : undefined;
  const pulled = base ? await pull(env, base, period, measure) : undefined;
  const judged: [MeasureReport | undefined, string][] = [
    [accepted && reportOf(accepted), `the push ${accepted?.line ?? ''}`],
    [last && reportOf(last), `the refused push ${last?.line ?? ''}`],
    [returned, 'the $evaluate-measure answer'],
    [pulled, 'a read from the computer (Pull)'],
  ];
  const [report, reportFrom] = judged.find(([r]) => r !== undefined) ?? [undefined, undefined];
  return {
    measure,
    period,
    dataSourceUrl: site.dataSource.baseUrl,
    how,
    ...(silence ? { silence } : {}),
    dataSourceRequests,
    searches: dataSourceRequests.filter((r) => r.interaction === 'search'),
    pushes,
    ...(returned ? { returned } : {}),
    ...(pulled ? { pulled } : {}),
    ...(report ? { report, reportFrom } : {}),
  };
}

/** Says in the test's evidence what the computation did, and cites the requests it judges. */
export function noteComputation(t: Pick<TestContext<object>, 'note' | 'cite'>, c: Computation): void {
  t.note(`${c.measure.id} for ${c.period.start}: ${c.how}${c.silence ? `; ${c.silence}` : ''}`);
  t.cite(`searches the Data Source ${c.dataSourceUrl} received`, c.searches);
  t.cite('what the public-health side received', c.pushes);
  t.note(`report judged: ${c.report ? `${c.report.measure ?? '(no measure)'} from ${c.reportFrom ?? '?'}` : 'none'}`);
}

/** Why a computation gave no report, in words for a failed check. */
export function noReport(c: Computation): string {
  if (c.silence) return `${c.silence}; expected a report of ${c.measure.id}`;
  return `the computer produced no report of ${c.measure.id} for ${c.period.start} (${c.how}; ${c.searches.length} search(es) of the Data Source, ${c.pushes.length} request(s) to the public-health side); expected one pushed, returned or readable`;
}

/**
 * R4's Period.end is inclusive where SANER's reporting period ends exclusive: a report of a day may
 * end at the next midnight (the exclusive end the computer was given), at the day's last instant at
 * the precision it writes (23:59:59, 23:59:59.999, …), or on the day itself as a date.
 */
export function endsPeriod(value: string | undefined, exclusiveEnd: string): boolean {
  const end = Date.parse(exclusiveEnd);
  if (!value || Number.isNaN(end)) return false;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00Z`) + DAY_MS === end;
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return false;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const fraction = m[2] ?? '';
  return (whole === end && /^0*$/.test(fraction)) || (whole + 1000 === end && /^9*$/.test(fraction));
}
