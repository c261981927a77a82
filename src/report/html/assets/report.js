// @ts-check
// Starts the page: reads the embedded model and draws every section. A section that fails to draw says so in
// place and leaves the others standing.
(function () {
  'use strict';
  /** @type {any} */
  const HB = window.HB;
  const data = document.getElementById('hbench-data');
  const model = JSON.parse((data && data.textContent) || 'null');
  HB.model = model;
  HB.baseline = model.baseline;
  const sections = [
    ['provenance', HB.renderProvenance],
    ['leaderboard', HB.renderLeaderboard],
    ['charts', HB.renderCharts],
    ['matrix', HB.renderMatrix],
    ['funnel', HB.renderFunnel],
    ['ab', HB.renderAb],
    ['trials', HB.renderTrials],
  ];
  for (const [id, render] of sections) {
    try {
      render(model);
    } catch (e) {
      console.error(`report section ${id} failed`, e);
      const root = document.getElementById(id);
      if (root) root.replaceChildren(HB.el('p', { class: 'warn' }, `This section could not be drawn: ${String(/** @type {any} */ (e).message || e)}`));
    }
  }
  try {
    HB.openFromHash();
  } catch (e) {
    console.error('could not open the linked trial', e);
  }
  document.documentElement.dataset.ready = 'true';
})();
