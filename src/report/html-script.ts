/**
 * The report's only script: verdict/expectation filters, expand/collapse, opening a test linked by
 * `#anchor`, and opening every panel for printing. The page reads fully without it; the filter bar
 * stays hidden unless the script runs.
 */
export const SCRIPT = `
(function () {
  'use strict';
  var bar = document.getElementById('filters');
  if (!bar) return;
  bar.hidden = false;
  var inputs = Array.prototype.slice.call(bar.querySelectorAll('input[type=checkbox]'));
  function allowed(name) {
    var set = {};
    inputs.forEach(function (i) { if (i.name === name && i.checked) set[i.value] = true; });
    return set;
  }
  function apply() {
    var verdicts = allowed('verdict');
    var expectations = allowed('expectation');
    document.querySelectorAll('tr.req').forEach(function (row) {
      var show = verdicts[row.getAttribute('data-verdict')] && expectations[row.getAttribute('data-expectation')];
      row.classList.toggle('filtered', !show);
    });
    document.querySelectorAll('table.reqs').forEach(function (table) {
      table.classList.toggle('filtered', !table.querySelector('tr.req:not(.filtered)'));
    });
    document.querySelectorAll('details.test').forEach(function (d) {
      d.classList.toggle('filtered', !verdicts[d.getAttribute('data-verdict')]);
    });
    document.querySelectorAll('[data-filter-scope]').forEach(function (scope) {
      var note = scope.querySelector('.empty-note');
      if (!note) return;
      var anyVisible = scope.querySelector('tr.req:not(.filtered), details.test:not(.filtered)');
      note.hidden = !!anyVisible;
    });
    var shown = document.querySelectorAll('tr.req:not(.filtered)').length;
    var counter = document.getElementById('filter-count');
    if (counter) counter.textContent = shown + ' of ' + document.querySelectorAll('tr.req').length + ' requirements shown';
  }
  inputs.forEach(function (i) { i.addEventListener('change', apply); });
  bar.addEventListener('click', function (e) {
    var action = e.target && e.target.getAttribute && e.target.getAttribute('data-action');
    if (!action) return;
    if (action === 'all' || action === 'problems') {
      inputs.forEach(function (i) {
        i.checked = action === 'all' || i.name === 'expectation' || ['fail', 'error', 'warning', 'not-tested', 'manual'].indexOf(i.value) >= 0;
      });
      apply();
    }
    if (action === 'expand' || action === 'collapse') {
      document.querySelectorAll('details.test').forEach(function (d) { d.open = action === 'expand'; });
    }
  });
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === 'DETAILS') {
      el.classList.remove('filtered');
      el.open = true;
      el.scrollIntoView();
    }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  var reopened = [];
  window.addEventListener('beforeprint', function () {
    reopened = Array.prototype.filter.call(document.querySelectorAll('details.test'), function (d) { return !d.open; });
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () { reopened.forEach(function (d) { d.open = false; }); reopened = []; });
  apply();
})();
`;
