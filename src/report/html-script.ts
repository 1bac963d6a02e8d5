/**
 * The report's only script: search and verdict/expectation filters kept in the URL (so a link
 * points at a failing test), a test's HTTP exchanges unpacked and drawn when it is opened, "copy as
 * curl", the phone's collapsible filter bar, and the summary or full print. The page reads without
 * it, less the HTTP exchanges.
 *
 * URL: `#t=<test anchor>&q=<search>&v=<verdicts>&e=<expectations>`; plain `#test-…`/`#req-…` anchors
 * work too. Lists are omitted when everything is ticked.
 */
import { PRETTY_SOURCE } from './html-pretty.js';

export const SCRIPT = `
(function () {
  'use strict';
  ${PRETTY_SOURCE}
  var doc = document;
  var bar = doc.getElementById('filters');
  if (!bar) return;
  doc.documentElement.classList.add('js');
  bar.hidden = false;
  var printChoice = doc.getElementById('print-choice');
  if (printChoice) printChoice.hidden = false;
  var all = function (sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); };
  var inputs = all('input[type=checkbox]', bar);
  var search = doc.getElementById('search');
  var rows = all('tr.req');
  var tests = all('details.test');
  var state = { t: '' };

  // What a jump to a test must clear so its title is not under the sticky bar, whatever the bar holds.
  function setBarHeight() { doc.documentElement.style.setProperty('--bar-h', bar.offsetHeight + 'px'); }
  if (typeof ResizeObserver === 'function') new ResizeObserver(setBarHeight).observe(bar);
  else window.addEventListener('resize', setBarHeight);
  var toggle = doc.getElementById('filters-toggle');
  toggle.addEventListener('click', function () {
    var open = bar.classList.toggle('open');
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  });

  // ---- filters and search -------------------------------------------------------------------
  function ticked(name) {
    var set = {};
    inputs.forEach(function (i) { if (i.name === name && i.checked) set[i.value] = true; });
    return set;
  }
  function listOf(name) {
    var of = inputs.filter(function (i) { return i.name === name; });
    var on = of.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
    return on.length === of.length ? '' : on.join(',');
  }
  var texts = null;
  function textOf(el) {
    if (!texts) {
      texts = new Map();
      rows.concat(tests).forEach(function (e) {
        var s = e.tagName === 'DETAILS' ? (e.querySelector('summary').textContent + ' ' + e.getAttribute('data-test-id') + ' ' + ((e.querySelector('.reason') || {}).textContent || '')) : e.textContent;
        texts.set(e, s.toLowerCase());
      });
    }
    return texts.get(el);
  }
  function matches(el, terms) {
    if (!terms.length) return true;
    var text = textOf(el);
    return terms.every(function (t) { return text.indexOf(t) >= 0; });
  }
  function apply() {
    var verdicts = ticked('verdict');
    var expectations = ticked('expectation');
    var terms = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shownRows = 0, shownTests = 0;
    rows.forEach(function (row) {
      var show = verdicts[row.getAttribute('data-verdict')] && expectations[row.getAttribute('data-expectation')] && matches(row, terms);
      row.classList.toggle('filtered', !show);
      if (show) shownRows++;
    });
    all('table.reqs').forEach(function (table) { table.classList.toggle('filtered', !table.querySelector('tr.req:not(.filtered)')); });
    tests.forEach(function (d) {
      var show = verdicts[d.getAttribute('data-verdict')] && matches(d, terms);
      if (!show && d.id === state.t) show = true;
      d.classList.toggle('filtered', !show);
      if (show) shownTests++;
    });
    all('[data-filter-scope]').forEach(function (scope) {
      var note = scope.querySelector('.match-note');
      if (note) note.hidden = !!scope.querySelector('tr.req:not(.filtered), details.test:not(.filtered)');
    });
    doc.getElementById('filter-count').textContent = shownRows + ' of ' + rows.length + ' requirements, ' + shownTests + ' of ' + tests.length + ' tests';
  }
  function writeUrl() {
    var parts = [];
    if (state.t) parts.push('t=' + encodeURIComponent(state.t));
    if (search.value.trim()) parts.push('q=' + encodeURIComponent(search.value.trim()));
    var v = listOf('verdict'), e = listOf('expectation');
    if (v) parts.push('v=' + v);
    if (e) parts.push('e=' + e);
    var hash = parts.length ? '#' + parts.join('&') : '';
    if (location.hash !== hash) history.replaceState(null, '', hash || location.pathname + location.search);
  }
  function readUrl() {
    var raw = location.hash.slice(1);
    if (!raw) return;
    if (raw.indexOf('=') < 0) {
      var target = doc.getElementById(decodeURIComponent(raw));
      if (target && target.tagName === 'DETAILS') openTest(target, true);
      else if (target) { var inTest = target.closest('details.test'); if (inTest) openTest(inTest, false); }
      return;
    }
    var params = {};
    raw.split('&').forEach(function (p) { var i = p.indexOf('='); if (i > 0) params[p.slice(0, i)] = decodeURIComponent(p.slice(i + 1)); });
    search.value = params.q || '';
    ['verdict', 'expectation'].forEach(function (name) {
      var list = params[name.charAt(0)];
      inputs.forEach(function (i) { if (i.name === name) i.checked = !list || list.split(',').indexOf(i.value) >= 0; });
    });
    apply();
    var test = params.t && doc.getElementById(params.t);
    if (test && test.tagName === 'DETAILS') openTest(test, true);
  }
  var pending;
  search.addEventListener('input', function () { clearTimeout(pending); pending = setTimeout(function () { apply(); writeUrl(); }, 120); });
  inputs.forEach(function (i) { i.addEventListener('change', function () { apply(); writeUrl(); }); });
  bar.addEventListener('click', function (e) {
    var action = e.target && e.target.getAttribute && e.target.getAttribute('data-action');
    if (!action) return;
    if (action === 'all' || action === 'problems') {
      inputs.forEach(function (i) {
        i.checked = action === 'all' || i.name === 'expectation' || ['fail', 'error', 'warning', 'not-tested', 'manual'].indexOf(i.value) >= 0;
      });
      if (action === 'all') search.value = '';
      apply();
      writeUrl();
    }
    if (action === 'expand') expandAll();
    if (action === 'collapse') tests.forEach(function (d) { setOpen(d, false); });
  });

  // ---- evidence --------------------------------------------------------------------------------
  var packPromise = null;
  function pack() {
    if (packPromise) return packPromise;
    var el = doc.getElementById('evidence-pack');
    var b64 = el ? el.textContent.trim() : '';
    if (!b64) return (packPromise = Promise.resolve({ bodies: [], exchanges: [], groups: {} }));
    packPromise = new Promise(function (resolve) {
      if (typeof DecompressionStream === 'undefined') throw new Error('this browser cannot unpack the evidence (no DecompressionStream); results.json holds it');
      var bin = atob(b64);
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      resolve(new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text());
    }).then(JSON.parse);
    return packPromise;
  }
  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var SIDES = { outbound: 'sent by the harness', inbound: 'received by the simulator', both: 'sent by the harness, received by the simulator' };
  function statusClass(x) { return x.status === undefined ? 'bad' : x.status < 300 ? 'ok' : x.status < 400 ? 'info' : 'bad'; }
  function exchangeElement(p, index, open) {
    var x = p.exchanges[index];
    var d = el('details', 'exchange');
    d.setAttribute('data-x', String(index));
    var s = el('summary', 'line');
    s.appendChild(el('span', 'method mono', x.method));
    s.appendChild(doc.createTextNode(' '));
    s.appendChild(el('span', 'u mono', x.url));
    s.appendChild(doc.createTextNode(' '));
    s.appendChild(el('span', 'status ' + statusClass(x), x.status === undefined ? (x.error ? 'no response' : '—') : String(x.status)));
    s.appendChild(el('span', 'when', SIDES[x.side] + ' · ' + x.timing));
    d.appendChild(s);
    d.drawNow = function () { if (!d.getAttribute('data-drawn')) drawExchange(p, d, x); };
    d.addEventListener('toggle', function () { if (d.open) d.drawNow(); });
    if (open) { d.drawNow(); d.open = true; }
    return d;
  }
  function bodyBlock(p, index, parent) {
    if (index === undefined) { parent.appendChild(el('div', 'muted', 'no body')); return; }
    var b = p.bodies[index];
    if (b.note) parent.appendChild(el('div', 'bodynote', b.note));
    var text = b.text;
    if (!b.note) {
      try { text = b.language === 'json' ? indentJson(b.text) : b.language === 'xml' ? indentXml(b.text) : b.text; } catch (err) { text = b.text; }
    }
    parent.appendChild(el('pre', 'body lang-' + b.language, text));
  }
  function drawExchange(p, d, x) {
    d.setAttribute('data-drawn', '1');
    var box = el('div', 'xbox');
    if (x.error) box.appendChild(el('div', 'xerr', 'Transport error: ' + x.error));
    var tools = el('div', 'xtools');
    var curl = el('button', 'curl-button', 'Copy as curl');
    curl.type = 'button';
    tools.appendChild(curl);
    box.appendChild(tools);
    var halves = el('div', 'halves');
    [['Request', x.requestHeaders, x.requestBody, 'request'], ['Response', x.responseHeaders, x.responseBody, 'response']].forEach(function (h) {
      var half = el('div', h[3]);
      half.appendChild(el('div', 'k', h[0]));
      if (h[1]) half.appendChild(el('pre', 'h', h[1]));
      bodyBlock(p, h[2], half);
      halves.appendChild(half);
    });
    box.appendChild(halves);
    d.appendChild(box);
    curl.addEventListener('click', function () {
      var command = curlOf(p, x);
      var shown = box.querySelector('pre.curl') || tools.appendChild(el('pre', 'curl'));
      shown.textContent = command;
      var done = function (ok) { curl.textContent = ok ? 'Copied as curl' : 'Copy as curl (select the text below)'; };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(command).then(function () { done(true); }, function () { done(false); });
      else done(false);
    });
  }
  function quote(s) { return "'" + String(s).replace(/'/g, "'\\\\''") + "'"; }
  var SKIP_HEADERS = { host: 1, connection: 1, 'content-length': 1, 'transfer-encoding': 1, 'accept-encoding': 1 };
  function curlOf(p, x) {
    var parts = ['curl' + (x.method !== 'GET' || x.requestBody !== undefined ? ' -X ' + x.method : '') + ' ' + quote(x.url)];
    (x.requestHeaders ? x.requestHeaders.split('\\n') : []).forEach(function (line) {
      var name = line.slice(0, line.indexOf(':')).toLowerCase();
      if (name && !SKIP_HEADERS[name]) parts.push('-H ' + quote(line));
    });
    if (x.requestBody !== undefined) parts.push('--data-binary ' + quote(p.bodies[x.requestBody].text));
    return parts.join(' \\\\\\n  ');
  }
  function drawGroup(box, openExchanges) {
    if (box.getAttribute('data-drawn')) return Promise.resolve();
    box.setAttribute('data-drawn', '1');
    return pack().then(function (p) {
      var list = p.groups[box.getAttribute('data-group')] || [];
      box.textContent = '';
      var open = openExchanges === 'all' || (openExchanges === 'few' && list.length <= 3);
      var frag = doc.createDocumentFragment();
      list.forEach(function (i) { frag.appendChild(exchangeElement(p, i, open)); });
      box.appendChild(frag);
    }, function (err) {
      box.textContent = '';
      box.appendChild(el('p', 'xerr', String(err && err.message || err)));
    });
  }
  function drawTest(d, openExchanges) {
    var box = d.querySelector('.exchanges');
    return box ? drawGroup(box, openExchanges) : Promise.resolve();
  }

  // ---- opening tests ---------------------------------------------------------------------------
  /** Opens or closes without the change counting as the reader's choice of test (toggle events come later). */
  function setOpen(d, open) {
    if (d.open === open) return;
    d.setAttribute('data-bulk', '1');
    d.open = open;
  }
  /**
   * Scrolls a test to the top, again over the next frames: sections drawn only when near the screen
   * take their real height as they come into view, which moves what lies below them.
   */
  function scrollToTest(d) {
    var frames = 0;
    var settle = function () {
      d.scrollIntoView({ block: 'start' });
      if (++frames < 6) requestAnimationFrame(settle);
    };
    settle();
  }
  function openTest(d, scroll) {
    d.classList.remove('filtered');
    state.t = d.id;
    d.open = true;
    drawTest(d, 'few').then(function () { if (scroll) scrollToTest(d); });
    writeUrl();
    if (scroll) scrollToTest(d);
  }
  tests.forEach(function (d) {
    d.addEventListener('toggle', function () {
      if (d.hasAttribute('data-bulk')) { d.removeAttribute('data-bulk'); return; }
      if (d.open) {
        state.t = d.id;
        drawTest(d, 'few');
      } else if (state.t === d.id) state.t = '';
      writeUrl();
    });
  });
  all('details.setup').forEach(function (d) {
    d.addEventListener('toggle', function () { if (d.open) drawGroup(d.querySelector('.exchanges'), 'none'); });
  });
  function expandAll() {
    var visible = tests.filter(function (d) { return !d.classList.contains('filtered'); });
    visible.forEach(function (d) { setOpen(d, true); });
    return Promise.all(visible.map(function (d) { return drawTest(d, 'none'); })).then(function () {
      doc.dispatchEvent(new CustomEvent('report:expanded', { detail: { tests: visible.length } }));
    });
  }
  window.addEventListener('hashchange', readUrl);

  // ---- printing --------------------------------------------------------------------------------
  var restore = null;
  /**
   * Everything on paper: every requirement and every test with its checks and the line of each HTTP
   * exchange; headers and bodies for the tests that did not pass (all bodies of a big run would be
   * thousands of pages; results.json and this page keep them).
   */
  function printFull() {
    var closed = tests.filter(function (d) { return !d.open; });
    tests.forEach(function (d) { setOpen(d, true); });
    var problem = function (d) { return ['pass', 'skip'].indexOf(d.getAttribute('data-verdict')) < 0; };
    return Promise.all(tests.map(function (d) { return drawTest(d, 'none'); })).then(function () {
      var shut = [];
      tests.filter(problem).forEach(function (d) {
        all('details.exchange', d).forEach(function (x) { if (!x.open) { x.drawNow(); x.open = true; shut.push(x); } });
      });
      doc.body.classList.add('print-full');
      restore = function () {
        doc.body.classList.remove('print-full');
        closed.forEach(function (d) { setOpen(d, false); });
        shut.forEach(function (x) { x.open = false; });
      };
      doc.dispatchEvent(new CustomEvent('report:print-ready'));
    });
  }
  window.addEventListener('afterprint', function () { if (restore) { restore(); restore = null; } });
  if (printChoice) printChoice.addEventListener('click', function (e) {
    var mode = e.target && e.target.getAttribute && e.target.getAttribute('data-print-mode');
    if (mode === 'summary') window.print();
    if (mode === 'full') printFull().then(function () { window.print(); });
  });

  apply();
  setBarHeight();
  readUrl();
  // When the page became usable, for bench/report.bench.ts.
  performance.mark('report-ready');
})();
`;
