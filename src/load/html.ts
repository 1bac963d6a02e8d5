/**
 * The HTML load report: one self-contained file (no network) with the figures, the findings with
 * their requirement ids, what was written, and two plots drawn by uPlot, inlined with its licence:
 * latency and throughput over time (per second), and latency by percentile (the HDR histogram).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { LoadResult } from './model.js';
import { boundsText, modelText, writesText } from './summary.js';

const require = createRequire(import.meta.url);

interface UPlotAssets {
  script: string;
  style: string;
  licence: string;
}

let assets: UPlotAssets | undefined;

function uPlot(): UPlotAssets {
  if (!assets) {
    const dist = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    const licence = readFileSync(require.resolve('uplot/LICENSE'), 'utf8');
    assets = { script: dist('uPlot.iife.min.js'), style: dist('uPlot.min.css'), licence };
  }
  return assets;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON inside a script element: no `</script>`, no `<!--`. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
const n = (x: number): string => x.toLocaleString('en-US');

function row(cells: readonly string[], header = false): string {
  const tag = header ? 'th' : 'td';
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

function table(id: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table id="${id}"><thead>${row(head, true)}</thead><tbody>${rows.map((r) => row(r)).join('')}</tbody></table>`;
}

export function renderLoadHtml(result: LoadResult): string {
  const { script, style, licence } = uPlot();
  const r = result.requests;
  const lat = result.latency;
  const failedThresholds = result.thresholds.filter((t) => !t.passed).length;
  const shallFindings = result.findings.filter((f) => f.expectation === 'SHALL').reduce((k, f) => k + f.count, 0);
  const verdict = failedThresholds ? 'thresholds missed' : shallFindings ? 'findings under load' : 'no findings';
  const figures = [
    ['Requests sent', n(r.sent)],
    ['Answered', n(r.completed)],
    ['Throughput', `${n(result.throughput.requestsPerSecond)} requests/s`],
    ['Errors', `${n(r.errors)} (${(r.errorRate * 100).toFixed(2)} %)`],
    ['Latency p50 / p90 / p99 / p99.9 / max', [lat.p50, lat.p90, lat.p99, lat.p999, lat.max].map((v) => `${v} ms`).join(' / ')],
    ...(result.model.type === 'open'
      ? [
          ['Service time p50 / p99 / max', [result.serviceTime.p50, result.serviceTime.p99, result.serviceTime.max].map((v) => `${v} ms`).join(' / ')],
          ['Held back by --max-in-flight', n(r.maxInFlightHits)],
        ]
      : []),
    ['Answers validated (sample)', `${n(result.validation.sampled)}, ${n(result.validation.invalid)} invalid`],
    ['Data written', escapeHtml(writesText(result))],
  ];
  const findings = result.findings.map((f) => [
    `<span class="exp exp-${f.expectation.toLowerCase()}">${f.expectation}</span>`,
    f.requirements.map((id) => `<code>${escapeHtml(id)}</code>`).join(' '),
    escapeHtml(f.step),
    escapeHtml(f.message),
    n(f.count),
    `<code>${escapeHtml(f.examples.join('\n'))}</code>`,
  ]);
  const steps = result.steps.map((s) => [escapeHtml(s.step), n(s.requests), n(s.errors), `${s.latency.p50}`, `${s.latency.p99}`, `${s.latency.max}`]);
  const statuses = Object.entries(result.statuses).map(([status, count]) => [escapeHtml(status), n(count)]);
  const thresholds = result.thresholds.map((t) => [`<code>${escapeHtml(t.expression)}</code>`, t.passed ? '<span class="ok">met</span>' : '<span class="bad">missed</span>', String(t.actual)]);
  const plotData = { series: result.series, percentiles: result.percentiles.filter((p) => p.percentile < 100) };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Load: ${escapeHtml(result.scenario.id)} against ${escapeHtml(result.sut.baseUrl)}</title>
<style>${style}</style>
<style>${LOAD_STYLE}</style>
</head>
<body>
<header class="top"><div class="inner">
<div><h1>Load: ${escapeHtml(result.scenario.title)}</h1>
<p>SUT <span id="sut">${escapeHtml(result.sut.name)}</span> at <code>${escapeHtml(result.sut.baseUrl)}</code>${result.sut.simulated ? ' (the bundled simulator, in the same process)' : ''}</p>
<p>${escapeHtml(modelText(result.model))}; bound ${escapeHtml(boundsText(result))}; ${result.facilities} facilities; run <code>${escapeHtml(result.runId)}</code>, ${escapeHtml(result.startedAt)}; ${escapeHtml(result.tool.name)} ${escapeHtml(result.tool.version)}</p></div>
<div id="verdict" class="${failedThresholds || shallFindings ? 'bad' : 'ok'}">${verdict}</div>
</div></header>
<main>
${result.stopReason === 'interrupted' ? '<p id="interrupted" class="banner">Interrupted (Ctrl-C): the figures cover what ran.</p>' : ''}
<h2>Figures</h2>
${table('figures', ['', ''], figures)}
<p class="muted">${result.model.type === 'open' ? 'Latency counts from the instant each request was due (open model): time a request waited behind a slow SUT or the in-flight cap is in it, so the figures are corrected for coordinated omission. Service time counts from the instant it was sent.' : 'Closed model: each client sends its next request when its previous answer came, so latency is the service time.'}</p>
${thresholds.length ? `<h2>Thresholds</h2>${table('thresholds', ['threshold', 'verdict', 'measured'], thresholds)}` : ''}
<h2>Latency and throughput over time</h2>
<div id="latency-plot" class="plot"></div>
<h2>Latency by percentile</h2>
<div id="histogram-plot" class="plot"></div>
<h2>Findings</h2>
${findings.length ? table('findings', ['', 'requirements', 'step', 'what the answers showed', 'count', 'examples'], findings) : '<p id="no-findings">Every answer met the checks of its transaction.</p>'}
<h2>Steps</h2>
${table('steps', ['step', 'requests', 'errors', 'p50 ms', 'p99 ms', 'max ms'], steps)}
<h2>Answers by status</h2>
${table('statuses', ['status', 'count'], statuses)}
${result.notes.length ? `<h2>Notes</h2><ul>${result.notes.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : ''}
<p class="muted">The latency histogram in HdrHistogram's compressed form is in load.json (latencyHistogram).</p>
</main>
<script type="application/json" id="load-data">${scriptJson(plotData)}</script>
<script>/*! uPlot licence:
${licence.replace(/\*\//g, '* /')}
*/
${script}</script>
<script>${PLOT_SCRIPT}</script>
</body>
</html>
`;
}

const LOAD_STYLE = `
html { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1d2433; background: #f6f7f9; }
body { margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 0 24px 48px; }
.top { background: #14223b; color: #fff; padding: 20px 0; }
.top .inner { max-width: 1200px; margin: 0 auto; padding: 0 24px; display: flex; gap: 24px; justify-content: space-between; flex-wrap: wrap; }
.top code { color: #cfe0ff; }
h1 { font-size: 1.4rem; margin: 0 0 8px; }
h2 { font-size: 1.2rem; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d9dee7; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #d9dee7; vertical-align: top; }
td code { white-space: pre-wrap; }
#verdict { font-weight: 600; padding: 8px 14px; border-radius: 6px; align-self: center; }
#verdict.ok, .ok { color: #1a7f37; } #verdict.bad, .bad { color: #b3261e; }
#verdict.ok { background: #dcf5e3; } #verdict.bad { background: #fde2df; }
.exp { font-weight: 600; } .exp-shall { color: #b3261e; } .exp-should { color: #8a5300; }
.banner { background: #fff0cc; padding: 8px 12px; border-radius: 6px; }
.plot { background: #fff; padding: 8px; min-height: 340px; }
.muted { color: #5b6475; }
`;

/** Draws the two plots from the embedded data; runs after uPlot is defined. */
const PLOT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('load-data').textContent);
  var width = function (el) { return Math.max(320, el.clientWidth - 16); };
  var over = document.getElementById('latency-plot');
  var s = data.series;
  new uPlot({
    width: width(over), height: 320,
    scales: { x: { time: false }, ms: {}, rps: {} },
    axes: [{ label: 'seconds' }, { scale: 'ms', label: 'latency (ms)' }, { scale: 'rps', side: 1, label: 'requests/s', grid: { show: false } }],
    series: [
      { label: 's' },
      { label: 'p50', scale: 'ms', stroke: '#1f4e8c' },
      { label: 'p90', scale: 'ms', stroke: '#4f8fd6' },
      { label: 'p99', scale: 'ms', stroke: '#d9822b' },
      { label: 'max', scale: 'ms', stroke: '#b3261e' },
      { label: 'requests/s', scale: 'rps', stroke: '#1a7f37', dash: [4, 4] },
      { label: 'errors/s', scale: 'rps', stroke: '#7a1fa2' }
    ]
  }, [s.map(function (x) { return x.t; }), s.map(function (x) { return x.p50; }), s.map(function (x) { return x.p90; }), s.map(function (x) { return x.p99; }),
      s.map(function (x) { return x.max; }), s.map(function (x) { return x.requests; }), s.map(function (x) { return x.errors; })], over);
  var hist = document.getElementById('histogram-plot');
  var p = data.percentiles;
  // HdrHistogram's percentile plot: x = -log10(1 - percentile), so 90 %, 99 %, 99.9 % … are evenly spaced and the tail gets room.
  var x = p.map(function (q) { return -Math.log10(1 - q.percentile / 100); });
  var top = Math.max(1, x.length ? x[x.length - 1] : 1);
  var ticks = [0, 1, 2, 3, 4, 5].filter(function (t) { return t <= top + 1e-9; });
  var label = function (v) { return (Math.round(100000 * (1 - Math.pow(10, -v))) / 1000) + '%'; };
  new uPlot({
    width: width(hist), height: 320,
    scales: { x: { time: false, range: [0, top] }, y: {} },
    axes: [{ label: 'percentile', splits: function () { return ticks; }, values: function (u, vals) { return vals.map(label); } }, { label: 'latency (ms)' }],
    series: [{ label: 'percentile', value: function (u, v) { return v == null ? '' : label(v); } }, { label: 'latency (ms)', stroke: '#1f4e8c', fill: 'rgba(31,78,140,0.08)' }]
  }, [x, p.map(function (q) { return q.ms; })], hist);
  document.body.setAttribute('data-plots', 'drawn');
})();
`;
