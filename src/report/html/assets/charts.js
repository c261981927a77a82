// @ts-check
// Charts (chart.js + chartjs-chart-error-bars, both inlined). Animation is off: the charts are read, not watched,
// and a chart that is drawn at once can be checked and printed at once.
(function () {
  'use strict';
  /** @type {any} */
  const HB = window.HB;
  const { el, fmt } = HB;
  /** @type {any} */
  const Chart = window.Chart;
  /** @type {Record<string, any>} */
  const charts = {};

  function setup() {
    Chart.defaults.animation = false;
    Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
    Chart.defaults.color = '#59636e';
    Chart.defaults.maintainAspectRatio = false;
  }

  /** @param {string} id @param {string} title @param {string} note @param {boolean} [wide] */
  function frame(id, title, note, wide) {
    const canvas = el('canvas', { 'data-testid': id, id, role: 'img', 'aria-label': title });
    return { canvas, box: el('div', { class: wide ? 'chart wide' : 'chart' }, el('h3', {}, title), el('p', { class: 'note' }, note), el('div', { class: 'frame' }, canvas)) };
  }

  /** @param {any} m */
  function passRate(m, /** @type {HTMLCanvasElement} */ canvas) {
    const rows = m.leaderboard;
    charts.passrate = new Chart(canvas, {
      type: 'barWithErrorBars',
      data: {
        labels: rows.map((/** @type {any} */ r) => r.harness),
        datasets: [{
          label: 'pass rate (%)',
          data: rows.map((/** @type {any} */ r) => (r.rate === null ? null : { y: r.rate * 100, yMin: r.low * 100, yMax: r.high * 100 })),
          backgroundColor: rows.map((/** @type {any} */ r) => (r.leader ? '#08519c' : r.tiedWithLeader ? '#6baed6' : '#c6dbef')),
          borderColor: '#08306b', borderWidth: 1, errorBarColor: '#1b1f24', errorBarWhiskerColor: '#1b1f24', errorBarLineWidth: 1.5, errorBarWhiskerSize: 12,
        }],
      },
      options: {
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (/** @type {any} */ c) => { const r = rows[c.dataIndex]; return `${fmt.pct(r.rate)} (95% CI ${fmt.pct(r.low)} – ${fmt.pct(r.high)})`; } } } },
        scales: { y: { min: 0, max: 100, title: { display: true, text: 'pass rate (%)' } } },
      },
    });
  }

  /** Cost when the run has prices, else tokens, else time: the axis says which. @param {any} m */
  function costAxis(m) {
    const rows = m.leaderboard;
    if (rows.some((/** @type {any} */ r) => r.meanCostUsd > 0)) return { label: 'mean cost per trial (USD)', get: (/** @type {any} */ r) => r.meanCostUsd, f: fmt.usd };
    if (rows.some((/** @type {any} */ r) => r.meanTokens > 0)) return { label: 'mean tokens per trial', get: (/** @type {any} */ r) => r.meanTokens, f: fmt.num };
    return { label: 'mean duration per trial (s)', get: (/** @type {any} */ r) => r.meanDurationMs / 1000, f: (/** @type {number} */ x) => `${x.toFixed(1)} s` };
  }

  /** @param {any} m */
  function cost(m, /** @type {HTMLCanvasElement} */ canvas) {
    const axis = costAxis(m);
    const rows = m.leaderboard.filter((/** @type {any} */ r) => r.rate !== null);
    charts.cost = new Chart(canvas, {
      type: 'scatter',
      data: {
        datasets: rows.map((/** @type {any} */ r, /** @type {number} */ i) => ({
          label: r.harness, data: [{ x: axis.get(r) ?? 0, y: r.rate * 100 }], backgroundColor: HB.series[i % HB.series.length], pointRadius: 7, pointHoverRadius: 9,
        })),
      },
      options: {
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 10 } }, tooltip: { callbacks: { label: (/** @type {any} */ c) => `${c.dataset.label}: ${fmt.pct(c.parsed.y / 100)} at ${axis.f(c.parsed.x)}` } } },
        scales: { x: { beginAtZero: true, title: { display: true, text: axis.label } }, y: { min: 0, max: 100, title: { display: true, text: 'pass rate (%)' } } },
      },
    });
    return axis.label;
  }

  /** Per-task differences against the chosen baseline, one series per other harness. @param {any} m @param {string} baseline */
  function taskDiffData(m, baseline) {
    const rows = m.ab[baseline] || [];
    const tasks = [...new Set(rows.flatMap((/** @type {any} */ r) => r.perTask.map((/** @type {any} */ t) => t.taskId)))].sort();
    return {
      labels: tasks,
      datasets: rows.map((/** @type {any} */ r, /** @type {number} */ i) => {
        const by = new Map(r.perTask.map((/** @type {any} */ t) => [t.taskId, t]));
        return {
          label: `${r.candidate} − ${baseline}`,
          data: tasks.map((t) => { const d = /** @type {any} */ (by.get(t)); return d ? { y: d.diff * 100, yMin: d.low * 100, yMax: d.high * 100 } : null; }),
          backgroundColor: HB.series[(i + 1) % HB.series.length] + 'aa', borderColor: HB.series[(i + 1) % HB.series.length], borderWidth: 1,
          errorBarColor: '#444', errorBarWhiskerColor: '#444', errorBarWhiskerSize: 6,
        };
      }),
    };
  }

  /** @param {any} m */
  function taskDiff(m, /** @type {HTMLCanvasElement} */ canvas) {
    charts.taskdiff = new Chart(canvas, {
      type: 'barWithErrorBars',
      data: taskDiffData(m, HB.baseline),
      options: {
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 10 } } },
        scales: { y: { min: -100, max: 100, title: { display: true, text: 'difference in pass rate (points)' } }, x: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 30 } } },
      },
    });
  }

  /** @param {any} m */
  HB.renderCharts = function (m) {
    setup();
    const root = /** @type {HTMLElement} */ (document.getElementById('charts'));
    const a = frame('chart-passrate', 'Pass rate by harness', 'Bars: pass rate; whiskers: 95% CI (clustered by task). Dark: leader; mid: tied with the leader.');
    const b = frame('chart-cost', 'Cost against pass rate', 'Up and to the left is better.');
    const c = frame('chart-taskdiff', 'Per-task difference against the baseline', 'Candidate − baseline pass rate per task; whiskers: 95% Newcombe hybrid score interval (from each side\'s Wilson interval). Change the baseline in the A/B section.', true);
    root.replaceChildren(HB.heading('Charts', 'charts'), el('div', { class: 'charts' }, a.box, b.box, c.box));
    passRate(m, /** @type {HTMLCanvasElement} */ (a.canvas));
    const label = cost(m, /** @type {HTMLCanvasElement} */ (b.canvas));
    /** @type {HTMLElement} */ (b.box.querySelector('h3')).textContent = `${label.replace(/^mean | per trial.*$/g, '').replace(/^./, (s) => s.toUpperCase())} against pass rate`;
    taskDiff(m, /** @type {HTMLCanvasElement} */ (c.canvas));
    HB.onBaseline.push((/** @type {string} */ b) => {
      charts.taskdiff.data = taskDiffData(m, b);
      charts.taskdiff.update();
    });
  };
  HB.charts = charts;
})();
