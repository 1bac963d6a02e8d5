/**
 * One computation by the Measure Computer under test, and what it left behind: the searches its
 * Data Source received, what it pushed to the public-health side, and the report it produced. With
 * a SUT the harness fires its trigger (the `MC_*` variables name the servers, the Measure and the
 * period) and waits until the traffic settles; with none, the suite calls `$evaluate-measure
 * ?report=true` on the reference Measure Computer standing in for it. Under the Pull Option the
 * report is also read back from the computer.
 */
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { abortableSleep, type TestContext } from '../../../src/engine/index.js';
import type { HttpExchange } from '../../../src/engine/results.js';
import { requestBelow } from '../../../src/engine/inbound.js';
import { COMPUTE_MEASURE_URL } from '../../../ig/saner/canonicals.js';
import { readPushes, reportOf, succeeded, type Push } from '../produce-measure/source-pushes.js';
import type { ComputeSite } from './site.js';

export const MEASURE_ID = 'ComputeCovidImpact';

/** The computable Measure a computation is asked for: its id on the Measure Definition Source and its canonical url. */
export interface MeasureRef {
  id: string;
  url: string;
}

export const COVID_IMPACT: MeasureRef = { id: MEASURE_ID, url: COMPUTE_MEASURE_URL };
export const SUBJECT = 'Location/compute-general-hospital';
export const REPORTER = 'Organization/compute-general-hospital';

export interface Period {
  start: string;
  end: string;
}

/** A search the Data Source received: its resource type and every parameter, from the query or a POST form. */
export interface Search {
  exchange: HttpExchange;
  type: string;
  params: Array<[string, string]>;
  line: string;
}

export interface Computation {
  /** The Data Source it computed from and the searches that reached it. */
  dataSourceUrl: string;
  searches: Search[];
  /** Everything the Data Source received, searches or not. */
  dataSourceRequests: number;
  /** What reached the public-health side (Measure reads, report pushes). */
  pushes: Push[];
  returned?: MeasureReport;
  pulled?: MeasureReport;
  /** The report judged: the one pushed, else the one `$evaluate-measure` returned, else the one pulled. */
  report?: MeasureReport;
}

export interface ComputeFixture {
  period?: Period;
  first?: Computation;
  /** Where `$evaluate-measure` is called, or why it cannot be; found by the first test that needs it. */
  evaluator?: { base: string } | { skip: string };
}

type T = TestContext<ComputeFixture>;

/** How long a triggered SUT may take to query and push, beyond its first request. */
const SETTLE_LIMIT_MS = 30_000;
const QUIET_MS = 1_000;

export function answered(search: Search): boolean {
  const status = search.exchange.status ?? 0;
  return status >= 200 && status < 300;
}

export function searchesIn(exchanges: readonly HttpExchange[], baseUrl: string): Search[] {
  return exchanges.flatMap((exchange): Search[] => {
    const { segments, url } = requestBelow(baseUrl, exchange);
    const type = segments[0] ?? '';
    const get = exchange.method === 'GET' && segments.length === 1;
    const post = exchange.method === 'POST' && segments.length === 2 && segments[1] === '_search';
    if (!/^[A-Z][A-Za-z]+$/.test(type) || !(get || post) || type === 'metadata') return [];
    const params = [...url.searchParams.entries()];
    if (post && (exchange.requestHeaders['content-type'] ?? '').includes('application/x-www-form-urlencoded')) params.push(...new URLSearchParams(exchange.requestBody?.text ?? '').entries());
    const query = params.map(([k, v]) => `${k}=${v}`).join('&');
    return [{ exchange, type, params, line: `${exchange.method} ${type}${post ? '/_search' : ''}?${query} -> ${exchange.status ?? exchange.error ?? 'no answer'}` }];
  });
}

/** What the SUT is told through its trigger, besides the simulator URL. */
export function triggerVariables(site: ComputeSite, dataSourceUrl: string, period: Period, measure: MeasureRef = COVID_IMPACT): Record<string, string> {
  return {
    MC_DATA_SOURCE_URL: dataSourceUrl,
    MC_MEASURE_DEFINITION_SOURCE_URL: site.publicHealth.url,
    MC_MEASURE_CONSUMER_URL: site.publicHealth.url,
    MC_MEASURE: measure.url,
    MC_MEASURE_ID: measure.id,
    MC_PERIOD_START: period.start,
    MC_PERIOD_END: period.end,
    MC_SUBJECT: SUBJECT,
    MC_REPORTER: REPORTER,
  };
}

const day = (instant: string): string => instant.slice(0, 10);

/** The computer's base URL where the suite can reach it: the stand-in, or the SUT's configured base. */
export async function computerBase(t: T, site: ComputeSite, dataSourceUrl: string): Promise<string | undefined> {
  if (t.config['referenceServer'] === true) return site.standIn(dataSourceUrl);
  const base = t.config['sutBaseUrl'];
  return typeof base === 'string' ? base : undefined;
}

const samePeriod = (r: MeasureReport, period: Period): boolean => Date.parse(r.period?.start ?? '') === Date.parse(period.start);

async function pull(t: T, base: string, period: Period, measure: MeasureRef): Promise<MeasureReport | undefined> {
  const res = await t.sut.request('GET', `${base.replace(/\/+$/, '')}/MeasureReport`, { query: { measure: measure.url, _count: '100' } });
  if (res.status !== 200) return undefined;
  const parsed = res.tryResource<Bundle>();
  if (!parsed.ok || parsed.resource.resourceType !== 'Bundle') return undefined;
  const reports = (parsed.resource.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'MeasureReport' ? [e.resource as MeasureReport] : [])).filter((r) => samePeriod(r, period));
  return reports.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '')).at(-1);
}

/**
 * Makes the computer compute the Measure (ComputeCovidImpact unless another is named) for the
 * period from the given Data Source and collects what it did. `dataSourceExchanges` reads that
 * Data Source's inbound exchanges.
 */
export async function compute(
  t: T,
  site: ComputeSite,
  period: Period,
  dataSourceUrl: string,
  dataSourceExchanges: () => readonly HttpExchange[],
  measure: MeasureRef = COVID_IMPACT,
): Promise<Computation> {
  const dsFrom = dataSourceExchanges().length;
  const phFrom = site.publicHealth.exchanges.length;
  let returned: MeasureReport | undefined;
  if (t.config['referenceServer'] === true) {
    const base = await site.standIn(dataSourceUrl);
    t.note(`the reference Measure Computer at ${base} stands in for the SUT, computing from ${dataSourceUrl}`);
    const res = await t.sut.request('GET', `${base}/Measure/${measure.id}/$evaluate-measure`, { query: { periodStart: day(period.start), periodEnd: day(period.start), report: 'true' } });
    t.expectStatus(res, 200);
    const parsed = res.tryResource();
    if (parsed.ok && parsed.resource.resourceType === 'MeasureReport') returned = parsed.resource as MeasureReport;
  } else {
    const vars = triggerVariables(site, dataSourceUrl, period, measure);
    await t.trigger(
      `compute ${measure.url} (Measure/${measure.id} on ${vars.MC_MEASURE_DEFINITION_SOURCE_URL}) for ${SUBJECT} by ${REPORTER}, period ${period.start} to ${period.end} (end exclusive), from the Data Source at ${dataSourceUrl}; push the report to the Measure Consumer at ${vars.MC_MEASURE_CONSUMER_URL} (Push) or keep it for Query Measure (Pull)`,
      vars,
    );
    const pushing = t.options.includes('Push');
    const total = () => dataSourceExchanges().length + site.publicHealth.exchanges.length;
    const reportWritten = () => readPushes(site.publicHealth.exchanges.slice(phFrom), site.publicHealth.url).some((p) => (p.kind === 'create' || p.kind === 'update') && succeeded(p));
    // The suite's own Data Source is the session's: a SUT that never calls it fails after the run's wait.
    if (dataSourceUrl === t.simulator.baseUrl) await t.waitForRequest(() => true, { description: 'a request from the Measure Computer to the Data Source' });
    const deadline = Date.now() + SETTLE_LIMIT_MS;
    while (Date.now() < deadline && !(dataSourceExchanges().length > dsFrom && (!pushing || reportWritten()))) await abortableSleep(250, t.signal);
    for (let seen = -1; seen !== total(); ) {
      seen = total();
      await abortableSleep(QUIET_MS, t.signal);
    }
  }
  const dsExchanges = dataSourceExchanges().slice(dsFrom);
  const pushes = readPushes(site.publicHealth.exchanges.slice(phFrom), site.publicHealth.url);
  const ofMeasure = (r: MeasureReport) => (r.measure ?? '').split('|')[0] === measure.url;
  const pushed = pushes
    .filter((p) => (p.kind === 'create' || p.kind === 'update') && succeeded(p))
    .map(reportOf)
    .filter((r): r is MeasureReport => r?.resourceType === 'MeasureReport' && samePeriod(r, period) && ofMeasure(r))
    .at(-1);
  const base = t.options.includes('Pull') ? await computerBase(t, site, dataSourceUrl) : undefined;
  const pulled = base ? await pull(t, base, period, measure) : undefined;
  const report = pushed ?? returned ?? pulled;
  const computation: Computation = {
    dataSourceUrl,
    searches: searchesIn(dsExchanges, dataSourceUrl),
    dataSourceRequests: dsExchanges.length,
    pushes,
    ...(returned ? { returned } : {}),
    ...(pulled ? { pulled } : {}),
    ...(report ? { report } : {}),
  };
  noteComputation(t, computation);
  return computation;
}

export function noteComputation(t: T, c: Computation): void {
  const shown = c.searches.slice(0, 20).map((s) => `  ${s.line}`);
  t.note(`the Data Source ${c.dataSourceUrl} received ${c.dataSourceRequests} request(s), ${c.searches.length} of them searches:\n${shown.join('\n')}${c.searches.length > 20 ? `\n  … ${c.searches.length - 20} more` : ''}`);
  t.note(`the public-health side received:\n${c.pushes.map((p) => `  ${p.line}`).join('\n') || '  nothing'}`);
  t.note(`report judged: ${c.report ? `${c.report.measure ?? '(no measure)'} from ${c.report === c.returned ? 'the $evaluate-measure answer' : c.report === c.pulled ? 'a read from the computer (Pull)' : 'the push to the Measure Consumer'}` : 'none'}`);
}
