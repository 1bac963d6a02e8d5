/**
 * The inspector's look: the HTML report's stylesheet as it is, plus what a live list of exchanges
 * needs (rows that wrap into cards below 600 px, so the page stays usable on a 390 px phone).
 */
import { STYLE as REPORT_STYLE } from '../../../report/html-style.js';

export const STYLE = `${REPORT_STYLE}
.top nav { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 10px; }
.top nav a { color: #fff; opacity: .9; }
.top nav a[aria-current=page] { font-weight: 700; text-decoration: underline; }
.endpoints { margin: 10px 0 0; padding: 0; list-style: none; font-size: .85rem; }
.endpoints li { word-break: break-all; }
.live { display: inline-flex; align-items: center; gap: 6px; font-size: .85rem; color: var(--muted); }
.live::before { content: ""; width: 9px; height: 9px; border-radius: 50%; background: var(--skip); }
.live[data-state=open]::before { background: var(--pass); }
.live[data-state=closed]::before { background: var(--fail); }
form.filters select, form.filters input[type=text] { font: inherit; font-size: .85rem; padding: 3px 6px; border: 1px solid var(--line); border-radius: 6px; background: #fff; max-width: 100%; }
form.filters label { display: inline-flex; flex-direction: column; gap: 2px; font-size: .75rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
form.filters .actions { display: flex; gap: 8px; align-items: flex-end; }
form.filters a, form.filters button { font-size: .82rem; }
ol.xlist { list-style: none; margin: 12px 0; padding: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
ol.xlist > li { border-bottom: 1px solid var(--line); }
ol.xlist > li:last-child { border-bottom: 0; }
ol.xlist > li.fresh { animation: fresh 2s ease-out; }
@keyframes fresh { from { background: #fff6d6; } to { background: transparent; } }
.xrow { display: grid; grid-template-columns: 10.5em 11em 1fr 4.5em 9em; gap: 4px 12px; padding: 8px 12px; color: inherit; text-decoration: none; align-items: baseline; }
.xrow:hover, .xrow:focus { background: #f3f6fb; }
.xrow .when, .xrow .who { color: var(--muted); font-size: .82rem; overflow-wrap: anywhere; }
.xrow .what { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .86rem; overflow-wrap: anywhere; }
.xrow .src { display: block; font-family: system-ui, sans-serif; color: var(--muted); font-size: .78rem; }
.xrow .findings { text-align: right; }
.empty-list { padding: 14px; color: var(--muted); font-style: italic; }
table.findings td.req, table.summary td.req { white-space: nowrap; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .82rem; }
table.findings td.req span { display: block; }
table.findings td, table.issues td, table.summary td { overflow-wrap: anywhere; }
.permalink { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 12px 0; }
.permalink input { flex: 1; min-width: 12em; font: inherit; font-size: .85rem; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; }
.permalink button { font: inherit; font-size: .82rem; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 12px 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.table-scroll { overflow-x: auto; }
.login { max-width: 36em; margin: 48px auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 20px 24px; }
@media (max-width: 600px) {
  main { padding: 0 12px 32px; }
  .top .inner { padding: 0 12px; }
  .xrow { grid-template-columns: 1fr auto; }
  .xrow .what { grid-column: 1 / -1; grid-row: 1; }
  .xrow .status { grid-column: 2; grid-row: 2; text-align: right; }
  .xrow .when { grid-column: 1; grid-row: 2; }
  .xrow .who { grid-column: 1; grid-row: 3; }
  .xrow .findings { grid-column: 2; grid-row: 3; }
  /* Tables become one block per row: every cell readable without scrolling sideways. */
  table.findings thead, table.issues thead, table.summary thead, table#clients thead { display: none; }
  table.findings, table.findings tbody, table.findings tr, table.findings td,
  table.issues, table.issues tbody, table.issues tr, table.issues td,
  table.summary, table.summary tbody, table.summary tr, table.summary td,
  table#clients, table#clients tbody, table#clients tr, table#clients td { display: block; width: 100%; }
  table.findings tr, table.issues tr, table.summary tr, table#clients tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.findings td, table.issues td, table.summary td, table#clients td { border: 0; padding: 2px 10px; }
  table.findings td.req span { display: inline; margin-right: 8px; }
}
`;
