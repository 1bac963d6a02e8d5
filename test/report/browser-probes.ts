/**
 * Scripts run in the report page by the browser test and the report bench (as strings: the project
 * compiles without the DOM library). Each evaluates to a promise of plain data.
 */

/** Milliseconds from navigation start to the load event and to the report script's `report-ready` mark. */
export const OPEN_TIMING = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const ready = performance.getEntriesByName('report-ready')[0];
  return { load: nav.loadEventEnd, ready: ready ? ready.startTime : NaN };
})()`;

/** Clicks "Expand tests" and resolves with the milliseconds until every test is drawn and painted. */
export const EXPAND_ALL_MS = `(async () => {
  const t = performance.now();
  const done = new Promise((resolve) => document.addEventListener('report:expanded', resolve, { once: true }));
  document.querySelector('[data-action=expand]').click();
  await done;
  void document.body.offsetHeight;
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return performance.now() - t;
})()`;

/** Prepares the full print (as the "Full report" button does) without opening a print dialog. */
export const PREPARE_FULL_PRINT = `(async () => {
  window.print = () => undefined;
  const ready = new Promise((resolve) => document.addEventListener('report:print-ready', resolve, { once: true }));
  document.querySelector('[data-print-mode=full]').click();
  await ready;
  return document.body.classList.contains('print-full');
})()`;

/** Widest right edge of any element, with lazily rendered sections forced visible so none hides its overflow. */
export const WIDEST = `(() => {
  const style = document.createElement('style');
  style.textContent = '* { content-visibility: visible !important; }';
  document.head.appendChild(style);
  const width = document.documentElement.clientWidth;
  const over = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1) over.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''));
  }
  const scrollWidth = document.documentElement.scrollWidth;
  style.remove();
  return { clientWidth: width, scrollWidth, over: over.slice(0, 10) };
})()`;
