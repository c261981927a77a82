// @ts-check
// Per-step funnel and compounding: where multi-step trials drop out, and whether the end-to-end rate is what the
// step rates (or the action success rate) predict when errors compound.
(function () {
  'use strict';
  /** @type {any} */
  const HB = window.HB;
  const { el, fmt } = HB;

  const bar = (/** @type {number|null} */ v) => el('span', { class: 'bars' }, el('span', { style: `width:${v === null ? 0 : Math.round(v * 100)}%` }));

  /** @param {any} m */
  HB.renderFunnel = function (m) {
    const root = /** @type {HTMLElement} */ (document.getElementById('funnel'));
    const parts = [HB.heading('Steps and compounding', 'funnel')];
    const multi = m.funnel.filter((/** @type {any} */ f) => f.steps.length);
    if (!multi.length) parts.push(el('p', { class: 'note' }, 'No multi-step tasks in this run.'));
    else {
      parts.push(el('p', { class: 'note' }, 'Rate: passed / ran. Given previous: rate among trials whose previous step passed. Predicted end-to-end: product of the step rates (steps assumed independent), beside the observed rate.'));
      const tasks = [...new Set(multi.flatMap((/** @type {any} */ f) => f.steps.map((/** @type {any} */ s) => s.taskId)))].sort();
      for (const task of tasks) {
        const rows = [];
        for (const f of multi) {
          const steps = f.steps.filter((/** @type {any} */ s) => s.taskId === task);
          if (!steps.length) continue;
          const comp = f.compounding.steps.find((/** @type {any} */ c) => c.taskId === task);
          steps.forEach((/** @type {any} */ s, /** @type {number} */ i) => rows.push(el('tr', { 'data-testid': 'funnel-step' },
            el('td', {}, i === 0 ? el('strong', {}, f.harness) : ''),
            el('td', {}, `${s.index}. ${s.name}`),
            el('td', { class: 'num' }, s.ran),
            el('td', {}, bar(s.rate), fmt.pct(s.rate)),
            el('td', {}, bar(s.conditionalRate), fmt.pct(s.conditionalRate)),
            el('td', { class: 'num' }, i === 0 && comp ? fmt.pct(comp.predicted) : ''),
            el('td', { class: 'num' }, i === 0 && comp ? fmt.pct(comp.observed) : ''),
          )));
        }
        parts.push(el('h3', {}, el('code', {}, task)), el('div', { class: 'table-wrap' }, el('table', {},
          el('thead', {}, el('tr', {}, ['harness', 'step', 'ran', 'rate', 'given previous', 'predicted end-to-end', 'observed end-to-end'].map((h) => el('th', {}, h)))),
          el('tbody', {}, rows))));
      }
    }
    const acts = m.funnel.filter((/** @type {any} */ f) => f.compounding.actions.okShare !== null);
    if (acts.length) {
      parts.push(el('h3', {}, 'Actions'), el('p', { class: 'note' }, 'p̂: share of actions that succeeded (by each action\'s ok rule); n: mean actions per trial; p̂ⁿ: the pass rate if every action had to succeed, beside the observed pass rate (trials pooled).'));
      parts.push(el('div', { class: 'table-wrap' }, el('table', { 'data-testid': 'funnel-actions' },
        el('thead', {}, el('tr', {}, ['harness', 'p̂ ok', 'n', 'predicted p̂ⁿ', 'observed'].map((h) => el('th', {}, h)))),
        el('tbody', {}, acts.map((/** @type {any} */ f) => {
          const a = f.compounding.actions;
          return el('tr', {}, el('td', {}, el('strong', {}, f.harness)), el('td', {}, bar(a.okShare), fmt.pct(a.okShare)), el('td', { class: 'num' }, fmt.num(a.meanActions, 1)), el('td', { class: 'num' }, fmt.pct(a.predicted)), el('td', { class: 'num' }, fmt.pct(a.observed)));
        })))));
    }
    root.replaceChildren(...parts);
  };
})();
