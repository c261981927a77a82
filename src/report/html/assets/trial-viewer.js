// @ts-check
// One trial as a timeline: every action as the agent took it and saw its result, then each step's verifier output,
// the error if any, and where the time went. Links point at the raw files beside the report.
(function () {
  'use strict';
  /** @type {any} */
  const HB = window.HB;
  const { el, fmt } = HB;
  const PHASES = /** @type {Array<[string, string]>} */ ([['build', '#c6dbef'], ['start', '#9ecae1'], ['setup', '#6baed6'], ['agent', '#2171b5'], ['verify', '#E69F00'], ['teardown', '#bdbdbd']]);

  const reward = (/** @type {number|null} */ r) => (r === null || r === undefined ? '–' : String(Math.round(r * 1000) / 1000));

  /** @param {any} a a trajectory line */
  function action(a) {
    const act = a.action || {};
    const args = act.args && Object.keys(act.args).length ? JSON.stringify(act.args, null, 2) : null;
    const obs = a.observation;
    return el('div', { class: a.ok ? 'action' : 'action not-ok', 'data-testid': 'action' },
      el('div', { class: 'meta' },
        el('strong', { style: 'color:#1b1f24' }, `#${a.index} ${act.tool || 'model'}`),
        a.exitCode === null || a.exitCode === undefined ? null : el('span', { 'data-testid': 'exit-code' }, `exit ${a.exitCode}`),
        el('span', { title: 'whether the action succeeded, and the rule that decided it' }, el('strong', { style: `color:${a.ok ? 'var(--better)' : 'var(--worse)'}` }, a.ok ? 'ok' : 'not ok'), ` · rule: ${a.okRule}`),
        el('span', {}, fmt.ms(a.durationMs)),
        a.tokens && a.tokens.input + a.tokens.output ? el('span', {}, `${fmt.num(a.tokens.input)} in / ${fmt.num(a.tokens.output)} out tokens`) : null,
        a.costUsd ? el('span', {}, fmt.usd(a.costUsd)) : null,
        (a.events || []).map((/** @type {string} */ ev) => el('span', { class: 'badge timeout', 'data-testid': 'event' }, ev)),
      ),
      a.modelReply ? el('details', {}, el('summary', { class: 'muted' }, 'model reply'), el('pre', { class: 'block' }, a.modelReply)) : null,
      act.command ? el('div', { class: 'cmd' }, act.command) : null,
      args ? el('details', {}, el('summary', { class: 'muted' }, 'arguments'), el('pre', { class: 'block' }, args)) : null,
      obs !== null && obs !== undefined
        ? el('details', { open: obs.length < 1500 }, el('summary', { class: 'muted' }, `observation as the model saw it (${fmt.bytes(obs.length)})`, a.bytesCut ? el('span', { class: 'cut', 'data-testid': 'bytes-cut' }, ` — ${fmt.bytes(a.bytesCut)} cut before it was shown`) : null), el('pre', { class: 'block' }, obs))
        : null,
    );
  }

  /** @param {any} t @param {any} s a step result @param {any} v its verifier output */
  function verifier(t, s, v) {
    return el('div', { class: 'verifier', 'data-testid': 'verifier-output' },
      el('div', { class: 'meta' }, el('strong', {}, `Verifier · ${s.name}`), ' ', HB.statusBadge(s.status), ` reward ${reward(s.reward)}`,
        Object.keys(s.rewards || {}).length > 1 ? el('span', { class: 'muted' }, ` (${Object.entries(s.rewards).map(([k, x]) => `${k}=${x}`).join(', ')})`) : null,
        s.agentTimedOut ? el('span', { class: 'badge timeout' }, 'agent timed out') : null, s.verifierTimedOut ? el('span', { class: 'badge timeout' }, 'verifier timed out') : null,
        el('span', { class: 'muted' }, ` · agent ${fmt.ms(s.agentMs)}, verify ${fmt.ms(s.verifyMs)}`)),
      v ? [
        v.bytes > v.stdoutTail.length ? el('div', { class: 'cut' }, `last ${fmt.bytes(v.stdoutTail.length)} of ${fmt.bytes(v.bytes)}; `, el('a', { href: t.raw + v.path }, 'full output')) : null,
        el('pre', { class: 'block' }, v.stdoutTail || '(empty)'),
      ] : el('p', { class: 'muted' }, s.status === 'skipped' ? 'Skipped after an earlier step fell below its minimum reward.' : 'No verifier output recorded.'),
    );
  }

  /** @param {any} t */
  function phases(t) {
    const total = PHASES.reduce((a, [p]) => a + (t.phases[p] || 0), 0) || 1;
    return [
      el('div', { class: 'phases', title: 'time by phase' }, PHASES.map(([p, col]) => (t.phases[p] ? el('span', { style: `width:${(100 * t.phases[p]) / total}%;background:${col}`, title: `${p} ${fmt.ms(t.phases[p])}` }) : null))),
      el('div', { class: 'meta muted', 'data-testid': 'phases' }, PHASES.map(([p, col]) => el('span', { style: 'margin-right:12px' }, el('span', { style: `display:inline-block;width:9px;height:9px;background:${col};margin-right:4px` }), `${p} ${fmt.ms(t.phases[p] || 0)}`))),
    ];
  }

  /** @param {any} t @param {any} detail @param {string|null} problem */
  HB.trialViewer = function (t, detail, problem) {
    const links = ['trajectory.jsonl', 'harness.log', 'model-traffic.jsonl', 'instruction.md'].map((f) => el('a', { href: t.raw + f, style: 'margin-right:12px' }, f));
    const head = [
      el('h3', {}, el('code', {}, t.key), ' ', HB.statusBadge(t.status), el('span', { class: 'muted' }, ` reward ${reward(t.reward)} · ${fmt.ms(t.durationMs)} · ${t.actionsOk}/${t.actions} actions ok · ${fmt.num(t.tokens.input + t.tokens.output)} tokens · ${fmt.usd(t.costUsd)}`)),
      el('div', { class: 'note' }, 'Raw files: ', el('a', { href: t.raw, style: 'margin-right:12px' }, 'folder'), links),
      t.error ? el('div', { class: 'warn', 'data-testid': 'trial-error' }, `${t.error.class} (${t.error.code}) during ${t.error.phase}: ${t.error.message}`) : null,
      phases(t),
    ];
    const body = [];
    if (problem) body.push(el('p', { class: 'warn' }, `Could not load this trial's files: ${problem}`));
    else if (!detail) {
      body.push(el('p', { class: 'warn', 'data-testid': 'left-out' }, t.detail === 'left-out'
        ? ['This trial\'s trajectory was left out of the file to keep it under the size cap. Open the raw ', el('a', { href: `${t.raw}trajectory.jsonl` }, 'trajectory.jsonl'), ' or serve the results with `hbench view`.']
        : 'No trajectory or verifier output was recorded for this trial.'));
    }
    const traj = (detail && detail.trajectory) || [];
    const ver = (detail && detail.verifier) || [];
    for (const s of t.steps) {
      const acts = traj.filter((/** @type {any} */ a) => a.taskStep === s.name || (t.steps.length === 1 && !a.taskStep));
      const parts = [];
      if (detail && detail.trajectory) parts.push(acts.length ? acts.map(action) : el('p', { class: 'muted' }, 'No actions.'));
      if (detail || problem) parts.push(verifier(t, s, ver.find((/** @type {any} */ v) => v.step === s.name)));
      // Multi-step trials fold by step; in a trial that did not pass, only the steps that went wrong start open.
      const open = t.status === 'passed' ? true : s.status !== 'passed' && s.status !== 'skipped';
      body.push(t.steps.length > 1
        ? el('details', { class: 'step', open, 'data-testid': 'trial-step' },
          el('summary', {}, el('strong', {}, `Step ${s.name}`), ' ', HB.statusBadge(s.status), el('span', { class: 'muted' }, ` reward ${reward(s.reward)} · ${s.actionsOk}/${s.actions} actions ok`)), parts)
        : parts);
    }
    return el('div', { class: 'viewer', 'data-testid': 'trial-viewer', 'data-trial': t.id }, head, body);
  };
})();
