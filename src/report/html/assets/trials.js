// @ts-check
// Trial list of the selected matrix cell, and where a trial's details come from: the embedded data (a report file)
// or the view server (live mode, fetched on demand from trials/<key>/...).
(function () {
  'use strict';
  /** @type {any} */
  const HB = window.HB;
  const { el, fmt } = HB;
  /** Live mode shows this much of each verifier output; the full file is one link away. */
  const LIVE_TAIL = 64 * 1024;
  /** @type {Map<string, Promise<any>>} */
  const cache = new Map();

  function parseLines(/** @type {string} */ text) {
    const out = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try { out.push(JSON.parse(line)); } catch { /* a line cut short by a crash */ }
    }
    return out;
  }

  async function fetchText(/** @type {string} */ url) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return res.text();
  }

  /** @param {any} t a trial view */
  async function fetchDetail(t) {
    const files = t.files || { trajectory: true, verifier: [] };
    const trajectory = files.trajectory ? parseLines(await fetchText(`${t.raw}trajectory.jsonl`)) : null;
    const verifier = [];
    for (const v of files.verifier) {
      const text = await fetchText(t.raw + v.stdout);
      verifier.push({ step: v.step, stdoutTail: text.length > LIVE_TAIL ? text.slice(-LIVE_TAIL) : text, bytes: text.length, path: v.stdout });
    }
    return { trajectory, verifier };
  }

  /** @type {Promise<Record<string, any>> | null} */
  let details = null;
  /** Embedded details are unpacked when the first trial is opened: most readers of a big report open none. */
  function embeddedDetails() {
    details ??= (async () => {
      const node = document.getElementById('hbench-details');
      const text = ((node && node.textContent) || '').trim();
      if (!text) return {};
      const binary = atob(text);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      return JSON.parse(await new Response(stream).text());
    })();
    return details;
  }

  /** @param {any} t */
  HB.loadDetail = function (t) {
    if (HB.model.mode !== 'live') return embeddedDetails().then((d) => d[t.id] || null);
    if (!cache.has(t.id)) cache.set(t.id, fetchDetail(t));
    return /** @type {Promise<any>} */ (cache.get(t.id));
  };

  /** @param {any} m */
  HB.renderTrials = function (m) {
    HB.trials = HB.trialStore(m);
    const root = /** @type {HTMLElement} */ (document.getElementById('trials'));
    const cap = m.mode === 'live'
      ? 'Live view: each trial\'s trajectory and verifier output are read from the results folder when opened.'
      : `Trajectories and verifier output of ${m.trials.count - m.leftOut} trials are embedded (cap ${fmt.bytes(m.capBytes)}; failures and flaky tasks first)` + (m.leftOut ? `; ${m.leftOut} left out: their raw files are linked instead (or run \`hbench view\`).` : '.');
    root.replaceChildren(
      HB.heading('Trials', 'trials'),
      el('p', { class: 'note', 'data-testid': 'embed-note' }, cap),
      el('div', { id: 'trial-list', 'data-testid': 'trial-list' }, el('p', { class: 'muted' }, 'Click a cell of the task × harness matrix to list its trials.')),
      el('div', { id: 'trial-viewer-slot' }),
    );
  };

  /** @param {any} c a matrix cell */
  HB.showCell = function (c) {
    const list = /** @type {HTMLElement} */ (document.getElementById('trial-list'));
    const trials = HB.trials.ofCell(c);
    const rows = trials.map((/** @type {any} */ t) => el('tr', { class: 'trial-row', 'data-testid': 'trial-row', 'data-trial': t.id, tabindex: 0,
      onclick: (/** @type {Event} */ e) => open(t, /** @type {HTMLElement} */ (e.currentTarget)), onkeydown: (/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter') open(t, /** @type {HTMLElement} */ (e.currentTarget)); } },
      el('td', { class: 'num' }, `#${t.trial}`),
      el('td', {}, HB.statusBadge(t.status)),
      el('td', { class: 'num' }, t.reward === null ? '–' : t.reward.toFixed(2)),
      el('td', { class: 'num' }, `${t.actionsOk}/${t.actions}`),
      el('td', { class: 'num' }, fmt.num(t.tokens.input + t.tokens.output)),
      el('td', { class: 'num' }, fmt.usd(t.costUsd)),
      el('td', { class: 'num' }, fmt.ms(t.durationMs)),
      el('td', {}, t.error ? el('span', { class: 'bad' }, `${t.error.code}: ${t.error.message}`) : ''),
      el('td', { class: 'muted' }, t.detail === 'left-out' ? 'not embedded' : ''),
    ));
    list.replaceChildren(
      el('h3', {}, el('code', {}, c.taskId), ' × ', el('strong', {}, c.harness), el('span', { class: 'muted' }, ` — ${c.k}/${c.n} passed`)),
      el('table', {}, el('thead', {}, el('tr', {}, ['trial', 'status', 'reward', 'actions ok', 'tokens', 'cost', 'duration', 'error', ''].map((h) => el('th', {}, h)))), el('tbody', {}, rows)),
    );
    /** @type {HTMLElement} */ (document.getElementById('trial-viewer-slot')).replaceChildren();
    list.scrollIntoView({ block: 'nearest' });
  };

  function open(/** @type {any} */ t, /** @type {HTMLElement} */ row) {
    document.querySelectorAll('.trial-row.selected').forEach((r) => r.classList.remove('selected'));
    row.classList.add('selected');
    HB.openTrial(t);
  }

  /** Opens the trial a link names (`report.html#trial=<id>`), so a trial can be pointed at in a review or an issue. */
  HB.openFromHash = function () {
    const m = /^#trial=(.+)$/.exec(location.hash);
    const found = m && HB.trials.byId(decodeURIComponent(m[1]));
    if (!found) return;
    if (found.cell) HB.showCell(found.cell);
    HB.openTrial(found.trial);
    /** @type {HTMLElement} */ (document.getElementById('trial-viewer-slot')).scrollIntoView();
  };

  /** @param {any} t */
  HB.openTrial = async function (t) {
    const hash = `#trial=${encodeURIComponent(t.id)}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    const slot = /** @type {HTMLElement} */ (document.getElementById('trial-viewer-slot'));
    slot.replaceChildren(el('div', { class: 'viewer', 'data-testid': 'trial-viewer' }, el('p', { class: 'muted' }, 'Loading…')));
    let detail = null;
    let problem = null;
    try {
      detail = await HB.loadDetail(t);
    } catch (e) {
      problem = String(/** @type {any} */ (e).message || e);
    }
    slot.replaceChildren(HB.trialViewer(t, detail, problem));
  };
})();
