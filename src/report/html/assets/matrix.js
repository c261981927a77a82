// @ts-check
// Task × harness matrix: k/n per cell on a single-hue ramp; filters show only the rows where something moved.
(function () {
  'use strict';
  /** @type {any} */
  const HB = window.HB;
  const { el } = HB;

  const FILTERS = [
    ['all', 'All', () => true],
    ['different', 'Different from baseline', (/** @type {any} */ c) => c.flags.differs],
    ['regressed', 'Regressed', (/** @type {any} */ c) => c.flags.regressed],
    ['improved', 'Improved', (/** @type {any} */ c) => c.flags.improved],
    ['flaky', 'Flaky', (/** @type {any} */ c) => c.flags.flaky],
    ['errors', 'Errors', (/** @type {any} */ c) => c.flags.errors],
  ];

  /** Flags against a baseline, as report-model computes them for the default one. @param {any[]} cells @param {string} baseline */
  function reflag(cells, baseline) {
    const base = new Map(cells.filter((c) => c.harness === baseline).map((c) => [c.taskId, c.rate]));
    for (const c of cells) {
      const b = base.get(c.taskId);
      const comparable = c.harness !== baseline && c.rate !== null && b !== null && b !== undefined;
      c.flags.differs = comparable && c.rate !== b;
      c.flags.regressed = comparable && c.rate < b;
      c.flags.improved = comparable && c.rate > b;
    }
  }

  /** @param {any} c */
  function cellButton(c) {
    const title = `${c.taskId} × ${c.harness}: ${c.k}/${c.n} passed` + (c.statuses.timeout ? `, ${c.statuses.timeout} timeout` : '') + (c.statuses.error ? `, ${c.statuses.error} error` : '') + (c.flags.flaky ? ' (flaky)' : '');
    const mark = c.flags.regressed ? '▼' : c.flags.improved ? '▲' : '';
    const style = c.rate === null ? 'background: repeating-linear-gradient(45deg,#f3f4f6,#f3f4f6 4px,#e5e7eb 4px,#e5e7eb 8px); color:#59636e' : `background:${HB.rampColor(c.rate)}; color:${HB.rampText(c.rate)}`;
    return el(
      'button',
      { class: 'cellbtn', style, title, 'data-testid': 'matrix-cell', 'data-task': c.taskId, 'data-harness': c.harness, 'aria-label': title, onclick: (/** @type {Event} */ e) => select(c, /** @type {HTMLElement} */ (e.currentTarget)) },
      c.n || c.statuses.error ? `${c.k}/${c.n}` : '–',
      c.statuses.error ? el('span', { class: 'mark', title: 'infrastructure errors' }, '⚠') : null,
      mark ? el('span', { class: 'mark' }, mark) : null,
    );
  }

  function select(/** @type {any} */ c, /** @type {HTMLElement} */ btn) {
    document.querySelectorAll('.cellbtn.selected').forEach((b) => b.classList.remove('selected'));
    btn.classList.add('selected');
    HB.showCell(c);
  }

  /** @param {any} m */
  HB.renderMatrix = function (m) {
    const root = /** @type {HTMLElement} */ (document.getElementById('matrix'));
    const cells = m.matrix.cells;
    const byTask = new Map();
    for (const c of cells) byTask.set(c.taskId, [...(byTask.get(c.taskId) || []), c]);
    let filter = 'all';
    let query = '';
    const tbody = el('tbody', {});
    const count = el('span', { class: 'muted', 'data-testid': 'matrix-count' });
    const draw = () => {
      const pred = /** @type {any} */ (FILTERS.find((f) => f[0] === filter))[2];
      const rows = m.matrix.tasks.filter((/** @type {string} */ t) => t.toLowerCase().includes(query) && (byTask.get(t) || []).some(pred));
      tbody.replaceChildren(...rows.map((/** @type {string} */ t) => el('tr', { 'data-testid': 'matrix-row', 'data-task': t }, el('td', { class: 'task' }, t), m.harnesses.map((/** @type {string} */ h) => {
        const c = (byTask.get(t) || []).find((/** @type {any} */ x) => x.harness === h);
        return el('td', { class: 'c' }, c ? cellButton(c) : '');
      }))));
      count.textContent = `${rows.length} of ${m.matrix.tasks.length} tasks`;
    };
    const buttons = FILTERS.map(([id, label]) => el('button', {
      'data-testid': `filter-${id}`, 'aria-pressed': id === filter ? 'true' : 'false',
      onclick: (/** @type {Event} */ e) => {
        filter = /** @type {string} */ (id);
        buttons.forEach((b) => b.setAttribute('aria-pressed', b === e.currentTarget ? 'true' : 'false'));
        draw();
      },
    }, label));
    const search = el('input', { type: 'search', placeholder: 'Search tasks', 'data-testid': 'matrix-search', 'aria-label': 'Search tasks', oninput: (/** @type {Event} */ e) => { query = /** @type {HTMLInputElement} */ (e.target).value.trim().toLowerCase(); draw(); } });
    const baseNote = el('span', { class: 'muted', 'data-testid': 'matrix-baseline' });
    const table = el('table', { class: 'matrix', 'data-testid': 'matrix' }, el('thead', {}, el('tr', {}, el('th', {}, 'task'), m.harnesses.map((/** @type {string} */ h) => el('th', { style: 'text-align:center' }, h)))), tbody);
    root.replaceChildren(
      HB.heading('Tasks × harnesses', 'matrix'),
      el('p', { class: 'note' }, 'Each cell: passed / scored trials (infrastructure errors left out unless counted as failures), shaded by pass rate. ▲ / ▼: better / worse than the baseline on that task; ⚠: infrastructure errors. Click a cell to list its trials.'),
      el('div', { class: 'toolbar' }, buttons, search, count),
      el('div', { class: 'toolbar' }, el('span', { class: 'legend' }, '0%', el('span', { class: 'ramp', style: `background:${HB.rampCss}` }), '100%'), baseNote),
      el('div', { class: 'table-wrap' }, table),
    );
    const setBase = (/** @type {string} */ b) => {
      reflag(cells, b);
      baseNote.textContent = `· baseline for ▲ ▼ and the filters: ${b}`;
      draw();
    };
    HB.onBaseline.push(setBase);
    setBase(HB.baseline);
  };
})();
