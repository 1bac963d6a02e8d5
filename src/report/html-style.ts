/** The report's stylesheet, inlined so the file needs nothing from the network. */
export const STYLE = `
:root {
  --ink: #1d2433; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7f9; --card: #fff; --accent: #1f4e8c;
  --pass: #1a7f37; --pass-bg: #dcf5e3; --fail: #b3261e; --fail-bg: #fde2df; --warning: #8a5300; --warning-bg: #fff0cc;
  --error: #7a1fa2; --error-bg: #f3e0fa; --skip: #4b5563; --skip-bg: #e8eaee; --manual: #0b5c7a; --manual-bg: #dbf0f8;
  --nt: #6b4f2a; --nt-bg: #f1ebe1;
}
* { box-sizing: border-box; }
html { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
body { margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 0 24px 48px; }
/* SUT content (URLs, ids, element paths) must wrap rather than widen the page on a phone. */
main, .top { overflow-wrap: anywhere; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h2 { font-size: 1.3rem; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.86rem; }
.muted { color: var(--muted); }
.top { background: #14223b; color: #fff; padding: 24px 0 20px; }
.top .inner { max-width: 1200px; margin: 0 auto; padding: 0 24px; display: flex; gap: 24px; justify-content: space-between; align-items: flex-start; flex-wrap: wrap; }
.top .who { flex: 1 1 480px; min-width: 0; }
.top .side { display: flex; flex-direction: column; gap: 10px; align-items: stretch; }
.print-choice { font-size: .85rem; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.print-choice button { font: inherit; border: 1px solid rgba(255,255,255,.6); background: transparent; color: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
.top .eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: .75rem; opacity: .75; }
.top h1 { font-size: 1.7rem; margin: 4px 0; }
.top .url { opacity: .9; overflow-wrap: anywhere; }
.top dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 16px; margin: 12px 0 0; font-size: .9rem; }
.top dd a { color: #cfe0ff; }
.hash { font-size: .78rem; }
.top dt { opacity: .7; } .top dd { margin: 0; }
.overall { border-radius: 10px; padding: 14px 22px; text-align: center; min-width: 180px; border: 2px solid transparent; }
.overall .k { font-size: .75rem; text-transform: uppercase; letter-spacing: .08em; }
.overall .v { font-size: 1.9rem; font-weight: 700; }
.overall.v-pass { background: var(--pass-bg); color: var(--pass); border-color: var(--pass); }
.overall.v-fail { background: var(--fail-bg); color: var(--fail); border-color: var(--fail); }
.overall.v-error { background: var(--error-bg); color: var(--error); border-color: var(--error); }
.banner.info { background: var(--manual-bg); color: var(--manual); border-color: var(--manual); font-weight: 500; }
.banner { background: var(--warning-bg); color: var(--warning); border: 1px solid var(--warning); border-radius: 8px; padding: 12px 16px; margin: 20px 0 0; font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-left-width: 5px; border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.card .n { font-size: 1.5rem; font-weight: 700; display: block; }
.card .l { font-size: .85rem; color: var(--muted); }
.card.v-pass { border-left-color: var(--pass); } .card.v-fail { border-left-color: var(--fail); } .card.v-warning { border-left-color: var(--warning); }
.card.v-error { border-left-color: var(--error); } .card.v-skip { border-left-color: var(--skip); } .card.v-manual { border-left-color: var(--manual); }
.card.v-not-tested { border-left-color: var(--nt); }
.subhead { font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 16px 0 6px; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
th { background: #eef1f5; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
tbody tr:last-child td { border-bottom: 0; }
caption { text-align: left; font-weight: 650; padding: 8px 10px; background: #f9fafb; border-bottom: 1px solid var(--line); caption-side: top; }
.reqs { margin-bottom: 14px; table-layout: fixed; }
.reqs .c-id { width: 11.5em; } .reqs .c-lvl { width: 7em; } .reqs .c-v { width: 8.5em; } .reqs .c-by { width: 28%; }
/* Off-screen sections are neither laid out nor painted until scrolled to: the page opens at once. */
section.capability, #other-requirements { content-visibility: auto; contain-intrinsic-size: auto 1200px; }
details.test { content-visibility: auto; contain-intrinsic-size: auto 44px; }
.reqs td.id { white-space: nowrap; }
.reqs .el { display: block; color: var(--muted); font-size: .8rem; }
.reqs .src { display: block; color: var(--muted); font-size: .8rem; }
.reqs ul { margin: 0; padding: 0; list-style: none; }
.reqs li + li { margin-top: 3px; }
.why { display: block; font-size: .85rem; color: var(--nt); margin-top: 3px; }
.share { display: flex; align-items: center; gap: 10px; }
.bar { flex: 1; min-width: 120px; height: 12px; background: #e6e9ee; border-radius: 6px; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--pass); }
.bar.should > span { background: #3b7dd8; }
.share .t { white-space: nowrap; font-variant-numeric: tabular-nums; min-width: 9.5em; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: .78rem; font-weight: 650; white-space: nowrap; border: 1px solid currentColor; }
.badge::before { margin-right: 4px; }
.v-pass .badge, .badge.v-pass { color: var(--pass); background: var(--pass-bg); } .badge.v-pass::before { content: "✓"; }
.badge.v-fail { color: var(--fail); background: var(--fail-bg); } .badge.v-fail::before { content: "✗"; }
.badge.v-warning { color: var(--warning); background: var(--warning-bg); } .badge.v-warning::before { content: "!"; }
.badge.v-error { color: var(--error); background: var(--error-bg); } .badge.v-error::before { content: "⚠"; }
.badge.v-skip { color: var(--skip); background: var(--skip-bg); } .badge.v-skip::before { content: "–"; }
.badge.v-manual { color: var(--manual); background: var(--manual-bg); } .badge.v-manual::before { content: "✎"; }
.badge.v-not-tested { color: var(--nt); background: var(--nt-bg); } .badge.v-not-tested::before { content: "○"; }
.exp { font-weight: 650; font-size: .8rem; letter-spacing: .03em; }
.exp-SHALL { color: #1d2433; } .exp-SHOULD, .exp-SHOULD-NOT { color: #36507a; } .exp-MAY { color: var(--muted); }
.filters { position: sticky; top: 0; z-index: 5; background: rgba(246,247,249,.97); border-bottom: 1px solid var(--line); padding: 8px 0; margin-top: 24px; }
[hidden] { display: none !important; }
.filters .bar-main { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.filters input[type=search] { font: inherit; font-size: .9rem; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; width: 22em; max-width: 100%; min-width: 0; flex: 0 1 22em; }
#filters-toggle { display: none; }
.filters .more { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; margin-top: 6px; }
.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; min-width: 0; }
.filters legend { float: left; font-weight: 650; margin-right: 8px; font-size: .85rem; }
.filters label { font-size: .85rem; cursor: pointer; white-space: nowrap; }
.filters button { font: inherit; font-size: .82rem; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
#filter-count { font-size: .82rem; }
.filtered { display: none !important; }
.empty-note { color: var(--muted); font-style: italic; padding: 6px 2px; }
.suite-meta { color: var(--muted); font-size: .88rem; margin: 0 0 8px; }
details.test, details.setup { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: 6px 0; }
details.setup > summary { cursor: pointer; padding: 6px 12px; color: var(--muted); font-size: .88rem; }
details.setup .exchanges { padding: 0 12px 8px; }
details.test > summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; list-style-position: outside; }
details.test > summary .title { font-weight: 600; min-width: 0; overflow-wrap: anywhere; }
details.test > summary .ids { color: var(--muted); font-size: .8rem; overflow-wrap: anywhere; min-width: 0; }
details.test > summary .dur { margin-left: auto; color: var(--muted); font-size: .8rem; }
details.test[open] > summary { border-bottom: 1px solid var(--line); }
details.test:target { outline: 3px solid #9cc1f5; }
details.test, section, h3, tr.req, tr[data-requirement] { scroll-margin-top: calc(var(--bar-h, 60px) + 12px); }
.panel h4 .subject { text-transform: none; letter-spacing: 0; color: var(--ink); font-family: ui-monospace, Menlo, Consolas, monospace; }
.panel { padding: 10px 14px 14px; min-width: 0; }
.panel h4 { margin: 12px 0 4px; font-size: .85rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.reason { margin: 4px 0; }
.asserts { list-style: none; padding: 0; margin: 0; }
.asserts li { padding: 2px 0; }
.asserts .ok { color: var(--pass); font-weight: 700; } .asserts .ko { color: var(--fail); font-weight: 700; }
.exchange { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; overflow: hidden; }
.exchange > summary { background: #f3f5f8; padding: 6px 10px; display: flex; gap: 10px; flex-wrap: wrap; align-items: baseline; cursor: pointer; }
.exchange .method { font-weight: 700; }
.exchange .u { word-break: break-all; flex: 1; min-width: 0; }
.status { font-weight: 700; border-radius: 4px; padding: 0 6px; }
.status.ok { color: var(--pass); background: var(--pass-bg); } .status.bad { color: var(--fail); background: var(--fail-bg); } .status.info { color: var(--manual); background: var(--manual-bg); }
.exchange .when { color: var(--muted); font-size: .8rem; width: 100%; }
.xtools { padding: 6px 10px 0; }
.xtools button { font: inherit; font-size: .8rem; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 2px 8px; cursor: pointer; }
pre.curl { max-height: 12em; }
.halves { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.halves > div { padding: 6px 10px; min-width: 0; }
.halves > div + div { border-left: 1px solid var(--line); }
.halves .k { font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
pre { margin: 4px 0; padding: 8px; background: #fbfbfc; border: 1px solid #eceff3; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 28em; overflow: auto; }
pre.h { background: transparent; border: 0; padding: 0 0 4px; max-height: none; color: #3c4557; }
.bodynote { font-size: .8rem; color: var(--warning); }
.xerr { color: var(--fail); padding: 6px 10px; }
.issues td.sev-error, .issues td.sev-fatal { color: var(--fail); font-weight: 650; }
.issues td.sev-warning { color: var(--warning); font-weight: 650; }
.note { background: #f7f8fb; border-left: 3px solid #9aa6b8; padding: 6px 10px; margin: 6px 0; white-space: pre-wrap; }
footer { color: var(--muted); font-size: .8rem; margin-top: 40px; overflow-wrap: anywhere; }
.js .nojs { display: none; }

/* Readiness matrix, attention list, changes */
.matrix .rname { font-weight: 600; text-transform: none; letter-spacing: 0; color: var(--ink); background: transparent; font-size: .92rem; }
.kind { display: inline-block; font-size: .7rem; font-weight: 600; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; margin-left: 4px; text-transform: uppercase; letter-spacing: .04em; }
.decision, .detail, .stmt { display: block; font-weight: 400; font-size: .8rem; color: var(--muted); }
.rverdict strong { display: block; }
.rr.st-fail .rverdict strong { color: var(--fail); } .rr.st-error .rverdict strong { color: var(--error); }
.rr.st-manual .rverdict strong { color: var(--manual); } .rr.st-ready .rverdict strong { color: var(--pass); }
.greyed { color: #8a93a3; }
.greyed .badge, .greyed .bar { opacity: .55; }
tr.greyed th, tr.greyed td { background: #f4f5f7; }
section.capability.greyed > h2 { color: #8a93a3; }
.standing { font-weight: 650; }
.fmt .badge { margin: 1px 0; }
.matrix { table-layout: fixed; }
.matrix .c-name { width: 32%; } .matrix .c-share { width: 14%; } .matrix .c-fmt { width: 8%; } .matrix .c-verdict { width: 24%; }
/* In the matrix the figure reads first and its bar sits under it, whatever the column width. */
.matrix .share { flex-direction: column-reverse; align-items: stretch; gap: 3px; }
.matrix .bar { min-width: 0; flex: none; height: 8px; }
.matrix .share .t { min-width: 0; }
.matrix tr.greyed .rname { background: #f4f5f7; }
.matrix tr.greyed .rname a { color: #6b7585; }
.counts { display: flex; flex-wrap: wrap; gap: 6px 32px; }
.attention td:first-child { width: 9em; }
.attention td:nth-child(2) { width: 40%; }
.why-cell { font-size: .9rem; }
table.changes { table-layout: fixed; }
table.changes th:nth-child(1) { width: 38%; } table.changes th:nth-child(2), table.changes th:nth-child(3) { width: 8.5em; }
tr.left-behind td { background: var(--warning-bg); }

@media (max-width: 760px) {
  html { font-size: 14px; }
  main { padding: 0 12px 32px; }
  .top .inner { padding: 0 12px; }
  .top .who { flex-basis: 100%; }
  .top .side { flex-direction: row; flex-wrap: wrap; align-items: center; }
  .overall { min-width: 0; padding: 8px 14px; }
  .overall .v { font-size: 1.4rem; }
  .halves { grid-template-columns: minmax(0, 1fr); }
  .halves > div + div { border-left: 0; border-top: 1px solid var(--line); }
  table.stack, table.stack > tbody, table.stack > tbody > tr, table.stack > tbody > tr > td, table.stack > tbody > tr > th, table.stack > caption { display: block; width: auto; }
  table.stack > thead { display: none; }
  table.stack > tbody > tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.stack > tbody > tr > td, table.stack > tbody > tr > th { border: 0; padding: 3px 10px; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .attention td:first-child, .attention td:nth-child(2) { width: auto; }
  table.matrix > tbody > tr { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); column-gap: 4px; }
  table.matrix > tbody > tr > th.rname, table.matrix > tbody > tr > td.rverdict { grid-column: 1 / -1; }
  table.matrix > tbody > tr.greyed > td.shall, table.matrix > tbody > tr.greyed > td.should { display: none; }

  .reqs td.id { white-space: normal; }
  table.reqs > tbody > tr { display: grid; grid-template-columns: auto auto minmax(0, 1fr); column-gap: 8px; align-items: baseline; }
  table.reqs > tbody > tr > td { order: 1; }
  table.reqs > tbody > tr > td:nth-child(4) { justify-self: end; }
  table.reqs > tbody > tr > td:nth-child(3), table.reqs > tbody > tr > td:nth-child(5) { order: 2; grid-column: 1 / -1; }
  .share { flex-wrap: wrap; }
  .bar { min-width: 0; flex-basis: 100%; }
  .share .t { min-width: 0; }
  .filters { padding: 6px 0; }
  #filters-toggle { display: inline-block; }
  .filters .more { display: none; }
  .filters.open .more { display: flex; }
  .filters input[type=search] { flex: 1 1 10em; width: auto; }
  #filter-count { flex-basis: 100%; }
  details.test > summary .dur { margin-left: 0; }
}
@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { background: #fff; font-size: 10.5px; }
  .filters, .noprint, noscript { display: none !important; }
  .top { background: #fff; color: var(--ink); border-bottom: 2px solid var(--ink); padding: 8px 0; }
  .top .inner, main { padding: 0; max-width: none; }
  .top dd a { color: inherit; }
  h2 { margin: 14px 0 6px; }
  pre { max-height: none; overflow: visible; }
  details.test, .exchange, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .badge, .bar > span, .overall, .card, tr.greyed td, tr.greyed th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body:not(.print-full) main > :not([data-print~=summary]) { display: none !important; }
  body:not(.print-full) .counts { display: none; }
  section { break-inside: auto; }
  section.capability, #other-requirements, details.test { content-visibility: visible; }
}
`;
