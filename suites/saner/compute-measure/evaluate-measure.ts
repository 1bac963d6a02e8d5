/**
 * SANER's own `Measure/[id]/$evaluate-measure` (SANER-OP-EVAL-001..004), decided where the Measure
 * Computer offers it: the reference Measure Computer standing in when there is no SUT, or a SUT
 * whose `sut.baseUrl` CapabilityStatement lists the IG's OperationDefinition; otherwise the tests
 * skip, saying why (the operation is an optional trigger: "not used (MAY)" when the SUT does not
 * list it). Each test finds where to call it on its own.
 *
 * The tests ask for another day of the Data Source than the first computation's, with the
 * period's instants (start inclusive, end exclusive), and judge the answer's period (its end may
 * also be the day's last instant, R4's Period.end being inclusive) and what the
 * computer stores, found by searching its MeasureReports; the counts are the other tests' business,
 * a SUT's own data may differ. Stored reports are compared before and after a call, so a SUT that
 * kept reports from earlier runs is judged only on what the call changed.
 */
import type { Bundle, CapabilityStatement, MeasureReport, Parameters } from 'fhir/r4.js';
import { EVALUATE_MEASURE_OPERATION } from '../../../ig/saner/canonicals.js';
import { test, type FhirResponse, type TestContext } from '../../../src/engine/index.js';
import { COMPUTE_MEASURE_URL } from '../../../ig/saner/canonicals.js';
import { computerBase, endsPeriod, MEASURE_ID, type Period } from './computation.js';
import type { ComputeFixture } from './site.js';

type T = TestContext<ComputeFixture>;
type Method = 'GET' | 'POST';

const FHIR_JSON = 'application/fhir+json';
/** What the storing tests decide: report=true stores (creating or updating), report=false does not. */
const STORES = 'SANER-OP-EVAL-003';
/** Pages of a MeasureReport search followed at most, so a SUT paging forever cannot hold the test. */
const MAX_PAGES = 20;

const offersEvaluate = (statement: CapabilityStatement): boolean =>
  (statement.rest ?? []).some((rest) =>
    [...(rest.resource ?? []).filter((r) => r.type === 'Measure').flatMap((r) => r.operation ?? []), ...(rest.operation ?? [])].some(
      (op) => op.definition.split('|')[0] === EVALUATE_MEASURE_OPERATION,
    ),
  );

/** Where `$evaluate-measure` is called; the test ends skipped, saying why, where it cannot be. */
async function evaluator(t: T): Promise<string> {
  const base = computerBase(t.env, t.fixture.site) ?? t.skip("the SUT's base URL is not configured (sut.baseUrl), so its $evaluate-measure cannot be called");
  if (!t.fixture.site.standIn) {
    const metadata = await t.sut.request('GET', `${base}/metadata`, { headers: { accept: FHIR_JSON } });
    const parsed = metadata.status === 200 ? metadata.tryResource<CapabilityStatement>() : undefined;
    if (!parsed?.ok || parsed.resource.resourceType !== 'CapabilityStatement') {
      t.skip(`GET ${base}/metadata answered ${metadata.status} without a CapabilityStatement, so whether the SUT offers $evaluate-measure is unknown`);
    }
    if (!offersEvaluate(parsed.resource)) t.skip(`not used (MAY): the SUT's CapabilityStatement lists no ${EVALUATE_MEASURE_OPERATION} on Measure (an optional trigger)`);
  }
  t.note(`$evaluate-measure is called on ${base}`);
  return base;
}

/** A day of the Data Source other than the first computation's, so these calls do not meet its report. */
function periodToAsk(t: T): Period {
  const periods = t.fixture.expected.periods;
  return periods[periods.length - 1]!;
}

function evaluate(t: T, base: string, period: Period, report: boolean, method: Method): Promise<FhirResponse> {
  const url = `${base}/Measure/${MEASURE_ID}/$evaluate-measure`;
  const inputs: Array<[string, string]> = [
    ['periodStart', period.start],
    ['periodEnd', period.end],
    ['report', String(report)],
  ];
  if (method === 'GET') return t.sut.request('GET', url, { headers: { accept: FHIR_JSON }, query: Object.fromEntries(inputs) });
  const parameters: Parameters = { resourceType: 'Parameters', parameter: inputs.map(([name, value]) => ({ name, valueString: value })) };
  return t.sut.request('POST', url, { headers: { accept: FHIR_JSON, 'content-type': FHIR_JSON }, body: JSON.stringify(parameters) });
}

/** The answer must be the MeasureReport itself (SANER-OP-EVAL-004 and the operation offered, where the test cites them); later steps need it. */
function returnedReport(t: T, res: FhirResponse, method: Method, requirement?: readonly string[]): MeasureReport {
  const cited = requirement ? { requirement } : {};
  t.expectStatus(res, 200, cited);
  const parsed = res.tryResource();
  const report = parsed.ok && parsed.resource.resourceType === 'MeasureReport' ? (parsed.resource as MeasureReport) : undefined;
  return t.require(report, `${method} $evaluate-measure answers with a MeasureReport (${parsed.ok ? `got a ${parsed.resource.resourceType}` : parsed.error})`, cited);
}

const instant = (value: string | undefined): number => Date.parse(value ?? '');
const forPeriod = (report: MeasureReport, period: Period): boolean => instant(report.period?.start) === instant(period.start) && endsPeriod(report.period?.end, period.end);

/** `Type/id` of a reference, relative or absolute, so the same party matches however it is written. */
const party = (reference: string | undefined): string => (reference ?? '').split('/').slice(-2).join('/');
const sameParties = (a: MeasureReport, b: MeasureReport): boolean => party(a.subject?.reference) === party(b.subject?.reference) && party(a.reporter?.reference) === party(b.reporter?.reference);

/** What tells one stored state of a report from another: its id and whatever a store changes on a write. */
const stateOf = (r: MeasureReport): string => [r.id, r.meta?.versionId, r.meta?.lastUpdated, r.date].join('|');

/** The computer's stored reports of the Measure for the period, every page. */
async function storedReports(t: T, base: string, period: Period): Promise<MeasureReport[]> {
  const found: MeasureReport[] = [];
  let res = await t.sut.request('GET', `${base}/MeasureReport`, { headers: { accept: FHIR_JSON }, query: { measure: COMPUTE_MEASURE_URL, _count: '100' } });
  for (let page = 1; ; page++) {
    t.expectStatus(res, 200, { requirement: STORES });
    const parsed = res.tryResource<Bundle>();
    const bundle = t.require(parsed.ok && parsed.resource.resourceType === 'Bundle' ? parsed.resource : undefined, `GET ${base}/MeasureReport?measure=… answers with a Bundle`, {
      requirement: STORES,
    });
    found.push(...(bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'MeasureReport' ? [e.resource as MeasureReport] : [])));
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (!next || page >= MAX_PAGES) break;
    res = await t.sut.request('GET', next, { headers: { accept: FHIR_JSON } });
  }
  return found.filter((r) => forPeriod(r, period));
}

function listReports(reports: readonly MeasureReport[]): string {
  return reports.map((r) => `MeasureReport/${r.id ?? '(no id)'} version ${r.meta?.versionId ?? '?'} of ${r.date ?? '?'}`).join(', ') || 'none';
}

const periodTest = test<ComputeFixture>('$evaluate-measure by GET and POST answers with the MeasureReport of the period asked', {
  requirements: ['SANER-CM-MC-090', 'SANER-OP-EVAL-001', 'SANER-OP-EVAL-002', 'SANER-OP-EVAL-004'],
  negativeControl: 'evaluate-ignores-period',
  description:
    "GET Measure/[id]/$evaluate-measure?periodStart=…&periodEnd=…&report=false and POST with the same Parameters (valueString) for a day other than the first computation's: each answers 200 with the MeasureReport of the Measure whose period starts at periodStart and ends at periodEnd (or the instant before it, R4's Period.end being inclusive). The counts are not judged here.",
  async run(t) {
    const base = await evaluator(t);
    const period = periodToAsk(t);
    for (const method of ['GET', 'POST'] as const) {
      const report = returnedReport(t, await evaluate(t, base, period, false, method), method, ['SANER-CM-MC-090', 'SANER-OP-EVAL-004']);
      const measure = report.measure?.split('|')[0];
      t.expect(
        measure === COMPUTE_MEASURE_URL,
        `the ${method} answer reports ${measure ?? 'no Measure'}${measure === COMPUTE_MEASURE_URL ? '' : `; expected the Measure evaluated, ${COMPUTE_MEASURE_URL}`}`,
        { requirement: 'SANER-OP-EVAL-004' },
      );
      const start = report.period?.start;
      const startsRight = instant(start) === instant(period.start);
      t.expect(startsRight, `the ${method} answer's period starts at ${start ?? '(none)'}${startsRight ? '' : `; expected periodStart, ${period.start}`}`, { requirement: 'SANER-OP-EVAL-002' });
      const end = report.period?.end;
      const endsRight = endsPeriod(end, period.end);
      t.expect(endsRight, `the ${method} answer's period ends at ${end ?? '(none)'}${endsRight ? '' : `; expected periodEnd, ${period.end} (or the instant before it)`}`, {
        requirement: 'SANER-OP-EVAL-001',
      });
    }
  },
});

const returnOnlyTest = test<ComputeFixture>('$evaluate-measure with report=false stores nothing', {
  requirements: STORES,
  negativeControl: 'evaluate-stores-always',
  description: "The computer's MeasureReports of the Measure for the period, searched before and after a GET and a POST with report=false: no report is added or changed.",
  async run(t) {
    const base = await evaluator(t);
    const period = periodToAsk(t);
    const before = await storedReports(t, base, period);
    for (const method of ['GET', 'POST'] as const) returnedReport(t, await evaluate(t, base, period, false, method), method);
    const after = await storedReports(t, base, period);
    const known = new Set(before.map(stateOf));
    const written = after.filter((r) => !known.has(stateOf(r)));
    t.note(`stored for ${period.start} before: ${listReports(before)}; after: ${listReports(after)}`);
    t.expect(
      written.length === 0,
      written.length === 0
        ? `a search of ${base}/MeasureReport finds no report added or changed by report=false`
        : `a search of ${base}/MeasureReport finds ${listReports(written)} added or changed by report=false; expected none`,
      { requirement: STORES },
    );
  },
});

const storeTest = test<ComputeFixture>('$evaluate-measure with report=true stores the report, readable and searchable', {
  requirements: STORES,
  negativeControl: 'evaluate-never-stores',
  description: "GET with report=true: afterwards a search of the computer's MeasureReports finds a report of the period added or updated by the call, and reading it by id returns it.",
  async run(t) {
    const base = await evaluator(t);
    const period = periodToAsk(t);
    const before = new Set((await storedReports(t, base, period)).map(stateOf));
    const returned = returnedReport(t, await evaluate(t, base, period, true, 'GET'), 'GET');
    const written = (await storedReports(t, base, period)).filter((r) => !before.has(stateOf(r)) && sameParties(r, returned));
    const stored = t.require(
      written.find((r) => returned.id !== undefined && r.id === returned.id) ?? written[0],
      `a search of ${base}/MeasureReport?measure=… finds a report for ${period.start} of the answer's subject and reporter that the call created or updated`,
      { requirement: STORES },
    );
    const id = t.require(stored.id, 'the stored report has an id', { requirement: STORES });
    const read = await t.sut.request('GET', `${base}/MeasureReport/${encodeURIComponent(id)}`, { headers: { accept: FHIR_JSON } });
    t.expectStatus(read, 200, { requirement: STORES });
    const parsed = read.tryResource();
    const readBack = parsed.ok && parsed.resource.resourceType === 'MeasureReport' && forPeriod(parsed.resource as MeasureReport, period);
    t.expect(
      readBack,
      readBack
        ? `GET MeasureReport/${id} returns the stored report of ${period.start}`
        : `GET MeasureReport/${id} returns ${parsed.ok ? `a ${parsed.resource.resourceType} not of ${period.start}` : `no FHIR resource (${parsed.error})`}; expected the stored report of ${period.start}`,
      { requirement: STORES },
    );
  },
});

const updateTest = test<ComputeFixture>('A second $evaluate-measure with report=true for the same period updates the stored report instead of adding one', {
  requirements: STORES,
  negativeControl: 'evaluate-duplicates',
  description: 'GET and then POST with report=true for the same period, subject and reporter: the computer then holds exactly one report of the Measure for them.',
  async run(t) {
    const base = await evaluator(t);
    const period = periodToAsk(t);
    const first = returnedReport(t, await evaluate(t, base, period, true, 'GET'), 'GET');
    const second = returnedReport(t, await evaluate(t, base, period, true, 'POST'), 'POST');
    if (first.id !== undefined && second.id !== undefined) t.expectEqual(second.id, first.id, 'both calls answer with the same stored report', { requirement: STORES });
    const held = (await storedReports(t, base, period)).filter((r) => sameParties(r, second));
    const whose = `of ${period.start} for ${party(second.subject?.reference)} by ${party(second.reporter?.reference)}`;
    t.expect(
      held.length === 1,
      held.length === 1 ? `the computer holds one report ${whose} (${listReports(held)})` : `the computer holds ${held.length} reports ${whose} (${listReports(held)}); expected one`,
      { requirement: STORES },
    );
  },
});

export const evaluateMeasureTests = [periodTest, returnOnlyTest, storeTest, updateTest];
