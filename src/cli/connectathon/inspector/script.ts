import { PRETTY_SOURCE } from '../../../report/html-pretty.js';

/**
 * The inspector's only script: keeps the list live (server-sent events carry each new or newly
 * judged exchange as the row the server rendered, for the page's own filters), submits the
 * filters as they change, copies a permalink, and re-indents bodies with the report's functions.
 * Every page reads without it.
 */
export const SCRIPT = `
(function () {
  'use strict';
  ${PRETTY_SOURCE}
  document.querySelectorAll('pre.body[data-language]').forEach(function (pre) {
    var language = pre.getAttribute('data-language');
    try { pre.textContent = language === 'json' ? indentJson(pre.textContent) : language === 'xml' ? indentXml(pre.textContent) : pre.textContent; } catch (err) { /* shown as captured */ }
  });
  var list = document.getElementById('exchanges');
  var form = document.getElementById('filters');
  if (form) {
    form.querySelectorAll('select').forEach(function (s) { s.addEventListener('change', function () { form.submit(); }); });
  }
  var copy = document.getElementById('copy');
  var link = document.getElementById('permalink');
  if (copy && link && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', function () {
      navigator.clipboard.writeText(link.value).then(function () { copy.textContent = 'Copied'; });
    });
  }
  if (!list || !window.EventSource) return;
  var live = document.getElementById('live');
  var count = document.getElementById('count');
  var empty = document.getElementById('empty');
  function recount() {
    var n = list.children.length;
    count.textContent = n + ' exchange' + (n === 1 ? '' : 's');
    empty.hidden = n > 0;
  }
  function place(html, fresh) {
    var holder = document.createElement('ol');
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    if (!row) return;
    var old = document.getElementById(row.id);
    if (old) { list.replaceChild(row, old); return; }
    if (fresh) row.classList.add('fresh');
    var seq = Number(row.getAttribute('data-seq'));
    var before = Array.prototype.find.call(list.children, function (li) { return Number(li.getAttribute('data-seq')) < seq; });
    list.insertBefore(row, before || null);
    recount();
  }
  var events = new EventSource(list.getAttribute('data-events'));
  live.hidden = false;
  events.addEventListener('open', function () { live.setAttribute('data-state', 'open'); live.textContent = 'live'; });
  events.addEventListener('error', function () { live.setAttribute('data-state', 'closed'); live.textContent = 'reconnecting…'; });
  events.addEventListener('added', function (e) { place(JSON.parse(e.data).html, true); });
  events.addEventListener('graded', function (e) { place(JSON.parse(e.data).html, false); });
  events.addEventListener('gone', function (e) {
    var row = document.getElementById('x-' + JSON.parse(e.data).id);
    if (row) { row.remove(); recount(); }
  });
})();
`;
