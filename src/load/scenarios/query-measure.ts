/**
 * query-measure: SANER Query Measure (PULL-TX) against a Measure Source. Each flow is one Measure
 * Consumer's query: MeasureReports of a measure over a period range of a few days, page by page
 * through the next links, then a read of the facilities (subjects) the reports name. Setup reads
 * what the Source holds (up to 1,000 reports), so every query asks for data that is there and must
 * find it. The Source is only read. Checks follow suites/saner/query-measure/measure-source.ts.
 */
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../../ig/saner/profiles.js';
import { matchesOf, type Answer, type Check } from '../checks.js';
import { ScenarioSetupError, type FlowContext, type K6Script, type Scenario } from '../scenario.js';

const PAGE_SIZE = 5;
/** Days a query spans, so most queries take more than one page. */
const SPAN_DAYS = 3;
const DISCOVERY_PAGES = 10;
/** Subjects read per query, at most. */
const SUBJECT_READS = 2;

const REQUIREMENTS = {
  search: ['SANER-QM-SRC-012'],
  measure: ['SANER-QM-SRC-017'],
  period: ['SANER-QM-SRC-016'],
  complete: ['SANER-QM-PG-016'],
  read: ['SANER-QM-SRC-001', 'SANER-QM-PG-012'],
  profile: ['SANER-QM-SRC-010'],
  outcome: ['FHIR-HTTP-004'],
} as const;

interface Target {
  measure: string;
  /** The range as sent (the reports' own dateTimes) and as instants. */
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  /** Reports the Source holds wholly inside the range: each query must find them all. */
  expected: string[];
}

export interface QueryState {
  targets: Target[];
}

function instant(dateTime: string | undefined): number {
  return dateTime ? Date.parse(dateTime.length === 10 ? `${dateTime}T00:00:00Z` : dateTime) : Number.NaN;
}

/** Query ranges of SPAN_DAYS consecutive report days per measure, from what the Source holds. */
export function targetsOf(reports: readonly MeasureReport[]): Target[] {
  const byMeasure = new Map<string, MeasureReport[]>();
  for (const r of reports) {
    const measure = r.measure?.split('|')[0];
    if (!measure || !r.id || !r.period?.start || Number.isNaN(instant(r.period.start))) continue;
    byMeasure.set(measure, [...(byMeasure.get(measure) ?? []), r]);
  }
  const targets: Target[] = [];
  for (const [measure, list] of [...byMeasure].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...list].sort((a, b) => instant(a.period!.start) - instant(b.period!.start));
    const days = [...new Set(sorted.map((r) => r.period!.start!.slice(0, 10)))];
    for (let i = 0; i < days.length; i++) {
      const span = new Set(days.slice(i, i + SPAN_DAYS));
      const inSpan = sorted.filter((r) => span.has(r.period!.start!.slice(0, 10)));
      const start = inSpan[0]!.period!.start!;
      const last = inSpan.reduce((a, r) => (instant(r.period!.end ?? r.period!.start) > instant(a.period!.end ?? a.period!.start) ? r : a));
      const end = last.period!.end ?? last.period!.start!;
      const [startMs, endMs] = [instant(start), instant(end)];
      const expected = sorted.filter((r) => instant(r.period!.start) >= startMs && instant(r.period!.end ?? r.period!.start) <= endMs).map((r) => r.id!);
      targets.push({ measure, start, end, startMs, endMs, expected });
    }
  }
  return targets;
}

function searchUrl(t: Target): string {
  const q = new URLSearchParams([
    ['measure', t.measure],
    ['period', `ge${t.start}`],
    ['period', `le${t.end}`],
    ['_count', String(PAGE_SIZE)],
  ]);
  return `MeasureReport?${q.toString()}`;
}

function pageChecks(t: Target): Check[] {
  return [
    { kind: 'status', allowed: [200], expected: '200', requirements: REQUIREMENTS.search },
    { kind: 'searchset', requirements: REQUIREMENTS.search },
    { kind: 'matches-measure', measure: t.measure, requirements: REQUIREMENTS.measure },
    { kind: 'matches-period', start: t.startMs, end: t.endMs, requirements: REQUIREMENTS.period },
    { kind: 'outcome', requirements: REQUIREMENTS.outcome },
  ];
}

function nextLink(answer: Answer): string | undefined {
  const body = answer.status === 200 ? (answer.json() as Bundle | undefined) : undefined;
  return body?.resourceType === 'Bundle' ? body.link?.find((l) => l.relation === 'next')?.url : undefined;
}

function localSubject(report: MeasureReport): string | undefined {
  const m = /(?:^|\/)(Location)\/([A-Za-z0-9\-.]{1,64})$/.exec(report.subject?.reference ?? '');
  return m ? m[2] : undefined;
}

export const queryMeasure: Scenario<QueryState> = {
  id: 'query-measure',
  title: 'SANER Query Measure: Measure Consumers search a Measure Source by measure and period',
  actor: 'MeasureSource',
  simulator: 'measure-source',
  requirements: [...new Set(Object.values(REQUIREMENTS).flat())],

  async setup(ctx) {
    if (ctx.invalidShare > 0) ctx.note('--invalid-share does not apply to query-measure, which sends no reports');
    const reports: MeasureReport[] = [];
    let url: string | undefined = 'MeasureReport?_count=100';
    for (let page = 0; url && page < DISCOVERY_PAGES; page++) {
      const res = await ctx.get(url);
      if (res.status !== 200) throw new ScenarioSetupError(`GET ${url} answered ${res.status}: the Measure Source's reports cannot be listed to choose what to query`);
      reports.push(...matchesOf(res));
      url = nextLink(res);
    }
    const targets = targetsOf(reports);
    if (targets.length === 0) throw new ScenarioSetupError('the Measure Source holds no MeasureReport with a measure and a period to query: load some first (e.g. `measure-conformance run --seed`)');
    ctx.note(`queries ${targets.length} period ranges of ${SPAN_DAYS} days over the ${reports.length} reports the Source listed`);
    return { targets };
  },

  async flow(ctx: FlowContext, state) {
    const target = state.targets[ctx.index % state.targets.length]!;
    const found = new Set<string>();
    const subjects = new Set<string>();
    let url: string | undefined = searchUrl(target);
    for (let page = 0; url !== undefined; page++) {
      const res: Answer | undefined = await ctx.send({
        step: page === 0 ? 'search' : 'next page',
        what: page === 0 ? 'GET MeasureReport?measure&period' : 'GET next page',
        method: 'GET',
        url,
        checks: pageChecks(target),
        unanswered: REQUIREMENTS.search,
      });
      if (res?.status !== 200) return;
      const matches = matchesOf(res);
      for (const r of matches) {
        if (r.id) found.add(r.id);
        const subject = localSubject(r);
        if (subject) subjects.add(subject);
      }
      if (page === 0 && matches[0])
        ctx.sample({ text: JSON.stringify(matches[0]), type: 'MeasureReport', what: 'GET MeasureReport?measure&period', requirements: REQUIREMENTS.profile, profiles: [PUBLIC_HEALTH_MEASURE_REPORT] });
      url = nextLink(res);
    }
    const missing = target.expected.filter((id) => !found.has(id));
    if (missing.length)
      ctx.fail(
        'search',
        REQUIREMENTS.complete,
        'a search by measure and period range missed reports the Source holds in that range',
        `${searchUrl(target)}: missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`,
      );
    for (const id of [...subjects].slice(0, SUBJECT_READS)) {
      const res = await ctx.send({
        step: 'read subject',
        what: 'GET Location/[id]',
        method: 'GET',
        url: `Location/${encodeURIComponent(id)}`,
        checks: [
          { kind: 'status', allowed: [200], expected: '200', requirements: REQUIREMENTS.read },
          { kind: 'resource', type: 'Location', id, requirements: REQUIREMENTS.read },
          { kind: 'outcome', requirements: REQUIREMENTS.outcome },
        ],
        unanswered: REQUIREMENTS.read,
      });
      if (!res) return;
    }
  },

  k6(state): K6Script {
    const pages = state.targets.reduce((n, t) => n + Math.max(1, Math.ceil(t.expected.length / PAGE_SIZE)), 0) / state.targets.length;
    return {
      data: { targets: state.targets.map((t) => ({ ...t, url: searchUrl(t) })), requirements: REQUIREMENTS, subjectReads: SUBJECT_READS },
      requestsPerFlow: Math.max(1, Math.round(pages + SUBJECT_READS)),
      flow: K6_FLOW,
    };
  },
};

const K6_FLOW = String.raw`
function nextOf(r) {
  const b = r.status === 200 ? bodyOf(r) : undefined;
  const link = b && b.resourceType === 'Bundle' ? (b.link || []).find((l) => l.relation === 'next') : undefined;
  return link ? link.url : undefined;
}
function flow(n) {
  const t = DATA.targets[n % DATA.targets.length];
  const R = DATA.requirements;
  const checks = [
    { kind: 'status', allowed: [200], expected: '200', requirements: R.search },
    { kind: 'searchset', requirements: R.search },
    { kind: 'matches-measure', measure: t.measure, requirements: R.measure },
    { kind: 'matches-period', start: t.startMs, end: t.endMs, requirements: R.period },
    { kind: 'outcome', requirements: R.outcome },
  ];
  const found = {};
  const subjects = [];
  let url = t.url;
  for (let page = 0; url !== undefined; page++) {
    const res = send(page === 0 ? 'search' : 'next page', page === 0 ? 'GET MeasureReport?measure&period' : 'GET next page', 'GET', url, null, checks);
    if (res.status !== 200) return;
    for (const m of matchesIn(res)) {
      found[m.id] = true;
      const s = /(?:^|\/)Location\/([A-Za-z0-9\-.]{1,64})$/.exec((m.subject && m.subject.reference) || '');
      if (s && !subjects.includes(s[1])) subjects.push(s[1]);
    }
    url = nextOf(res);
  }
  check(t.expected, { [R.complete.join(' ') + ' a search by measure and period range finds every report the Source holds in that range']: (ids) => ids.every((id) => found[id]) });
  for (const id of subjects.slice(0, DATA.subjectReads)) {
    send('read subject', 'GET Location/[id]', 'GET', 'Location/' + encodeURIComponent(id), null, [
      { kind: 'status', allowed: [200], expected: '200', requirements: R.read },
      { kind: 'resource', type: 'Location', id: id, requirements: R.read },
      { kind: 'outcome', requirements: R.outcome },
    ]);
  }
}
`;
