/**
 * The inspector's pages, rendered on the server: the list of exchanges (newest first, filtered by
 * the query), one exchange with its request, answer, validation issues and findings, the clients
 * and what each one's traffic shows. Every page reads without script; the script only keeps the
 * list live and copies permalinks. Everything recorded is escaped; the CSP runs only our script.
 */
import { createHash } from 'node:crypto';
import type { BodyCapture } from '../../../http/exchange.js';
import { formatDuration, formatInstant } from '../../../report/format.js';
import { bodyLanguage, bodyNote, headerLines } from '../../../report/pretty.js';
import { harness } from '../../../harness.js';
import type { ClientTraffic, Finding, RecordFilter, StoredRecord } from '../exchange-log.js';
import type { ClientSummary } from '../recorder.js';
import type { SummaryRow } from '../grading.js';
import { STYLE } from './style.js';
import { SCRIPT } from './script.js';

const SCRIPT_HASH = `sha256-${createHash('sha256').update(SCRIPT).digest('base64')}`;

/** What the page header shows: the tool running and the endpoints it serves. */
export interface PageContext {
  /** `serve` or `proxy`. */
  mode: string;
  endpoints: readonly { name: string; url: string }[];
}

export function escapeHtml(text: string | number | undefined): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The filter's query parameters: `simulator` names the source (a simulator id, or `proxy`). */
const PARAM: Readonly<Record<'source' | 'client' | 'status' | 'finding' | 'requirement' | 'transaction', string>> = {
  source: 'simulator',
  client: 'client',
  status: 'status',
  finding: 'finding',
  requirement: 'requirement',
  transaction: 'transaction',
};

/** A query string of the filter's set fields, for links that keep the selection. */
export function filterQuery(filter: RecordFilter, extra: Readonly<Record<string, string>> = {}): string {
  const params = new URLSearchParams();
  for (const [key, name] of Object.entries(PARAM)) {
    const value = filter[key as keyof typeof PARAM];
    if (value) params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The filter a query asks for; unknown levels are ignored rather than matching nothing. */
export function parseFilter(query: Readonly<Record<string, string | undefined>>): RecordFilter {
  const levels = ['fail', 'warning', 'pass', 'none'];
  const filter: RecordFilter = {};
  for (const [key, name] of Object.entries(PARAM)) {
    const value = query[name]?.trim();
    if (!value) continue;
    if (key === 'finding' && !levels.includes(value)) continue;
    (filter as Record<string, string>)[key] = value;
  }
  return filter;
}

function layout(ctx: PageContext, title: string, current: 'exchanges' | 'clients' | 'none', body: string): string {
  const nav = [
    ['exchanges', '/', 'Exchanges'],
    ['clients', '/clients', 'Clients'],
  ]
    .map(([key, href, label]) => `<a href="${href}"${key === current ? ' aria-current="page"' : ''}>${label}</a>`)
    .join('');
  const endpoints = ctx.endpoints.map((e) => `<li><span class="muted">${escapeHtml(e.name)}</span> ${escapeHtml(e.url)}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '${SCRIPT_HASH}'; connect-src 'self'; img-src data:; form-action 'self'">
<meta name="generator" content="${escapeHtml(`${harness.name} ${harness.version}`)}">
<title>${escapeHtml(title)} · measure-conformance inspector</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top">
  <div class="inner">
    <div>
      <div class="eyebrow">measure-conformance ${escapeHtml(ctx.mode)} · inspector</div>
      <h1>${escapeHtml(title)}</h1>
      <ul class="endpoints">${endpoints}</ul>
      <nav>${nav}</nav>
    </div>
  </div>
</header>
<main>
${body}
<footer>${escapeHtml(`${harness.name} ${harness.version}`)} · read-only · <a href="/api/exchanges">JSON API</a></footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>`;
}

function statusBadge(record: Pick<StoredRecord, 'exchange'>): string {
  const status = record.exchange.status;
  if (status === undefined) return '<span class="status bad" data-status="error">no answer</span>';
  const kind = status < 300 ? 'ok' : status < 400 ? 'info' : 'bad';
  return `<span class="status ${kind}" data-status="${status}">${status}</span>`;
}

function findingsBadge(record: StoredRecord): string {
  if (!record.transaction) return `<span class="badge v-not-tested" title="${escapeHtml(record.notGraded ?? 'not graded')}">not graded</span>`;
  if (!record.findings) return '<span class="badge v-skip" data-level="pending">judging…</span>';
  const count = (v: Finding['verdict']) => record.findings!.filter((f) => f.verdict === v).length;
  const level = record.level ?? 'none';
  if (level === 'none') return '<span class="badge v-skip" data-level="none">no check</span>';
  const parts = [
    ['fail', count('fail')],
    ['warning', count('warning')],
    ['pass', count('pass')],
  ]
    .filter(([, n]) => Number(n) > 0)
    .map(([v, n]) => `${n} ${v}`);
  return `<span class="badge v-${level}" data-level="${level}">${escapeHtml(parts.join(' · '))}</span>`;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return decodeURIComponent(`${u.pathname}${u.search}`);
  } catch {
    return url;
  }
}

/** One exchange in the list: a link to its permalink. */
export function rowHtml(record: StoredRecord, fresh = false): string {
  const x = record.exchange;
  return `<li id="x-${escapeHtml(record.id)}" data-id="${escapeHtml(record.id)}" data-seq="${record.seq}" data-source="${escapeHtml(record.source)}" data-level="${escapeHtml(record.level ?? '')}"${fresh ? ' class="fresh"' : ''}>
<a class="xrow" href="/exchanges/${escapeHtml(record.id)}">
<span class="when">${escapeHtml(formatInstant(x.startedAt).replace(' UTC', ''))}</span>
<span class="who">${escapeHtml(record.client)}</span>
<span class="what">${escapeHtml(x.method)} ${escapeHtml(pathOf(x.url))}<span class="src">${escapeHtml(record.source)}${record.transaction ? ` · ${escapeHtml(record.transaction)}` : ''}${x.error ? ` · ${escapeHtml(x.error)}` : ''}</span></span>
<span class="status-cell">${statusBadge(record)}</span>
<span class="findings">${findingsBadge(record)}</span>
</a>
</li>`;
}

function select(name: string, label: string, value: string | undefined, options: readonly (string | [string, string])[]): string {
  const items = options.map((o) => (typeof o === 'string' ? [o, o] : o)).map(([v, text]) => `<option value="${escapeHtml(v)}"${v === (value ?? '') ? ' selected' : ''}>${escapeHtml(text)}</option>`);
  return `<label>${escapeHtml(label)}<select name="${name}">${items.join('')}</select></label>`;
}

/** The list; `lastSeq` is the log's newest record when it was read, so the live feed starts after it. */
export function listPage(
  ctx: PageContext,
  records: readonly StoredRecord[],
  filter: RecordFilter,
  facets: { sources: string[]; clients: string[] },
  requirementIds: readonly string[],
  lastSeq: number,
): string {
  const query = filterQuery(filter);
  const form = `<form class="filters" id="filters" method="get" action="/">
${select('simulator', 'Simulator', filter.source, [['', 'all'], ...facets.sources])}
${select('client', 'Client', filter.client, [['', 'all'], ...facets.clients])}
${select('status', 'Status', filter.status, [['', 'all'], '2xx', '3xx', '4xx', '5xx', ['error', 'no answer']])}
${select('finding', 'Findings', filter.finding, [
  ['', 'all'],
  ['fail', 'a failed check'],
  ['warning', 'a warning'],
  ['pass', 'all checks pass'],
  ['none', 'no check'],
])}
${select('requirement', 'Requirement', filter.requirement, [['', 'any'], ...requirementIds])}
<span class="actions"><button type="submit">Filter</button><a href="/">Clear</a><a id="export" href="/api/export${escapeHtml(query)}" download>Export as capture</a></span>
</form>`;
  const rows = records.map((r) => rowHtml(r)).join('\n');
  const body = `${form}
<p><span class="live" id="live" data-state="off" hidden>live</span> <span class="muted" id="count">${records.length} exchange${records.length === 1 ? '' : 's'}</span></p>
<ol class="xlist" id="exchanges" data-events="/events${escapeHtml(filterQuery(filter, { after: String(lastSeq) }))}">
${rows}
</ol>
<p class="empty-list" id="empty"${records.length ? ' hidden' : ''}>No exchange ${query ? 'matches this selection' : 'yet'}: point a client at one of the URLs above; its requests appear here as they arrive.</p>`;
  return layout(ctx, 'Exchanges', 'exchanges', body);
}

/** A body as captured; the page's script re-indents it with the report's own functions unless a note says why not. */
function bodyBlock(label: string, headers: Record<string, string> | undefined, body: BodyCapture | undefined, contentType: string | undefined): string {
  const shown = body && body.size > 0 ? body : undefined;
  const language = shown ? bodyLanguage(shown.text, contentType) : 'text';
  const note = shown ? bodyNote(shown, language) : undefined;
  return `<div><div class="k">${label}</div>
<pre class="h">${escapeHtml(headerLines(headers))}</pre>
${note ? `<div class="bodynote">${escapeHtml(note)}</div>` : ''}
${shown ? `<pre class="body"${note ? '' : ` data-language="${language}"`}>${escapeHtml(shown.text)}</pre>` : '<div class="muted">no body</div>'}
</div>`;
}

function findingsTable(findings: readonly Finding[]): string {
  const rows = findings
    .map(
      (f) =>
        `<tr data-verdict="${f.verdict}"><td><span class="badge v-${f.verdict}">${f.verdict}</span></td><td class="req">${f.requirements.map((r) => `<span>${escapeHtml(r)}</span>`).join('')}</td><td>${escapeHtml(f.title)}<div class="muted">${escapeHtml(f.side === 'client' ? "the client's request" : "the server's answer")}</div></td><td>${escapeHtml(f.message)}</td></tr>`,
    )
    .join('');
  return `<div class="table-scroll"><table class="findings" id="findings"><thead><tr><th>Verdict</th><th>Requirement</th><th>Test</th><th>Check</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function detailPage(ctx: PageContext, record: StoredRecord, permalink: string): string {
  const x = record.exchange;
  const findings = record.findings ?? [];
  const order = { fail: 0, warning: 1, pass: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.verdict] - order[b.verdict]);
  const findingsSection = !record.transaction
    ? `<p class="muted">Not graded: ${escapeHtml(record.notGraded ?? 'no suite judges this traffic')}.</p>`
    : !record.findings
      ? '<p class="muted" id="pending">Being judged: reload in a moment.</p>'
      : findings.length
        ? findingsTable(sorted)
        : '<p class="muted">No check of the suites applies to this request on its own (what it shows with the rest of the client\'s traffic is on the client\'s page).</p>';
  const issues = (record.validation ?? []).flatMap((v) => v.issues.map((i) => ({ subject: v.subject, ...i })));
  const issuesSection = issues.length
    ? `<div class="table-scroll"><table class="issues" id="issues"><thead><tr><th>Severity</th><th>Where</th><th>Issue</th></tr></thead><tbody>${issues.map((i) => `<tr><td class="sev-${escapeHtml(i.severity)}">${escapeHtml(i.severity)}</td><td class="mono">${escapeHtml(i.expression ?? i.subject)}</td><td>${escapeHtml(i.message)}${i.rule ? ` <span class="muted">(${escapeHtml(i.rule)})</span>` : ''}</td></tr>`).join('')}</tbody></table></div>`
    : '<p class="muted">None.</p>';
  const clientLink = `/clients/summary?simulator=${encodeURIComponent(record.source)}&client=${encodeURIComponent(record.client)}`;
  const body = `<div class="permalink"><input id="permalink" type="text" readonly value="${escapeHtml(permalink)}" aria-label="Permalink"><button type="button" id="copy" hidden>Copy link</button></div>
<div class="exchange" id="exchange" data-id="${escapeHtml(record.id)}">
<div class="line"><span class="method">${escapeHtml(x.method)}</span><span class="u">${escapeHtml(x.url)}</span>${statusBadge(record)}</div>
${x.error ? `<div class="xerr">${escapeHtml(x.error)}</div>` : ''}
<dl class="meta">
<dt>Received</dt><dd>${escapeHtml(formatInstant(x.startedAt))}${x.durationMs !== undefined ? ` · answered in ${escapeHtml(formatDuration(x.durationMs))}` : ''}</dd>
<dt>At</dt><dd>${escapeHtml(record.source)} (${escapeHtml(record.baseUrl)})</dd>
<dt>Client</dt><dd><a href="${escapeHtml(clientLink)}">${escapeHtml(record.client)}</a>${x.peer?.certificateSubject ? ` · certificate ${escapeHtml(x.peer.certificateSubject)}` : ''}</dd>
<dt>Judged as</dt><dd>${record.transaction ? `${escapeHtml(record.transaction)}: ${record.sides.map((s) => (s === 'client' ? "the client's request" : "the server's answer")).join(' and ')}` : 'not graded'}</dd>
</dl>
<div class="halves">
${bodyBlock('Request', x.requestHeaders, x.requestBody, x.requestHeaders['content-type'])}
${bodyBlock('Answer', x.responseHeaders, x.responseBody, x.responseHeaders?.['content-type'])}
</div>
</div>
<h2>Findings</h2>
${findingsSection}
<h2>Validation issues</h2>
${issuesSection}
<p><a href="/">All exchanges</a> · <a href="/?simulator=${encodeURIComponent(record.source)}&amp;client=${encodeURIComponent(record.client)}">this client's exchanges</a> · <a href="/api/exchanges/${escapeHtml(record.id)}">as JSON</a></p>`;
  return layout(ctx, `${x.method} ${pathOf(x.url)}`, 'none', body);
}

export function clientsPage(ctx: PageContext, clients: readonly ClientTraffic[]): string {
  const rows = clients
    .map((c) => {
      const href = `/clients/summary?simulator=${encodeURIComponent(c.source)}&client=${encodeURIComponent(c.client)}`;
      return `<tr><td>${c.transaction ? `<a href="${escapeHtml(href)}">${escapeHtml(c.client)}</a>` : escapeHtml(c.client)}</td><td>${escapeHtml(c.source)}</td><td>${c.count}</td><td>${escapeHtml(formatInstant(c.last))}</td><td><a href="/?simulator=${encodeURIComponent(c.source)}&amp;client=${encodeURIComponent(c.client)}">exchanges</a></td></tr>`;
    })
    .join('');
  const body = clients.length
    ? `<p class="muted">A client is told by its address, a hash of its bearer token and its client-certificate subject. Its summary judges all its traffic so far with the client suite of the transaction.</p>
<div class="table-scroll"><table id="clients"><thead><tr><th>Client</th><th>At</th><th>Exchanges</th><th>Last</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`
    : '<p class="empty-list">No client has sent anything yet.</p>';
  return layout(ctx, 'Clients', 'clients', body);
}

const SUMMARY_CLASS: Record<SummaryRow['verdict'], string> = { pass: 'pass', fail: 'fail', warning: 'warning', 'not shown': 'not-tested', manual: 'manual', error: 'error' };

export function summaryPage(ctx: PageContext, summary: ClientSummary): string {
  const tally = (v: SummaryRow['verdict']) => summary.rows.filter((r) => r.verdict === v).length;
  const cards = (['pass', 'fail', 'warning', 'not shown', 'manual'] as const)
    .map((v) => `<div class="card v-${SUMMARY_CLASS[v]}" data-verdict="${v}"><span class="n">${tally(v)}</span><span class="l">${v === 'not shown' ? 'not shown yet' : v}</span></div>`)
    .join('');
  const rows = summary.rows
    .map(
      (r) =>
        `<tr data-verdict="${r.verdict}"><td class="req">${escapeHtml(r.id)}</td><td><span class="exp exp-${escapeHtml(r.expectation)}">${escapeHtml(r.expectation)}</span></td><td><span class="badge v-${SUMMARY_CLASS[r.verdict]}">${escapeHtml(r.verdict)}</span></td><td>${escapeHtml(r.statement)}${r.reason ? `<span class="why">${escapeHtml(r.reason)}</span>` : ''}</td></tr>`,
    )
    .join('');
  const body = `<dl class="meta"><dt>Client</dt><dd>${escapeHtml(summary.client)}</dd><dt>At</dt><dd>${escapeHtml(summary.source)}</dd><dt>Judged by</dt><dd>${escapeHtml(summary.suite)} over ${summary.exchanges} exchange${summary.exchanges === 1 ? '' : 's'}</dd></dl>
<div class="cards" id="summary-counts">${cards}</div>
<h2>Requirements</h2>
<div class="table-scroll"><table class="summary" id="summary"><thead><tr><th>Requirement</th><th>Level</th><th>So far</th><th>Statement</th></tr></thead><tbody>${rows}</tbody></table></div>
<p><a href="/?simulator=${encodeURIComponent(summary.source)}&amp;client=${encodeURIComponent(summary.client)}">This client's exchanges</a> · <a href="/api/export?simulator=${encodeURIComponent(summary.source)}&amp;client=${encodeURIComponent(summary.client)}" download>export them as a capture</a></p>`;
  return layout(ctx, `What ${summary.client} has shown`, 'clients', body);
}

export function messagePage(ctx: PageContext, title: string, text: string): string {
  return layout(ctx, title, 'none', `<div class="login"><p>${escapeHtml(text)}</p></div>`);
}
