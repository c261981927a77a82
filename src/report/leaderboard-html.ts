/**
 * The leaderboard as one self-contained HTML page: inline CSS and script only, and a Content-Security-Policy that
 * forbids loading anything, so the file can be attached to a CI run or mailed and still shows the same thing.
 */
import { rateWithCi } from './format.js';
import { costText, dateText, SIMULATED_BANNER, tokensText, trialsPerTaskText } from './leaderboard-format.js';
import { ciNote } from './leaderboard-render.js';
import { shortDigest, type Leaderboard, type LeaderboardGroup, type LeaderboardRow } from './leaderboard.js';
import { escapeXmlAttr as attr, escapeXmlText as esc } from './xml-escape.js';

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24;background:#fff}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
.banner{background:#fff4d6;border:2px solid #c98a00;padding:.6rem 1rem;font-weight:600;margin:1rem 0}
.note{color:#444;max-width:70rem}
table{border-collapse:collapse;margin:.5rem 0}
th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
.bar{position:relative;display:inline-block;width:160px;height:14px;background:#e8ecf0;vertical-align:middle;margin-right:.5rem}
.fill{position:absolute;left:0;top:0;bottom:0;background:#4f8fd6}
.ci{position:absolute;top:6px;height:0;border-top:2px solid #1b1f24}
.ci::before,.ci::after{content:"";position:absolute;top:-6px;height:10px;border-left:2px solid #1b1f24}
.ci::before{left:-1px}.ci::after{right:-1px}
.sim{background:#c98a00;color:#fff;border-radius:3px;padding:0 .3rem;font-size:.8em;margin-left:.3rem}
footer{color:#555;margin-top:2rem;font-size:.9em}`;

// Sorts a table by the clicked column's data-v values; empty values stay last whichever the direction.
const SCRIPT = `
document.querySelectorAll('table.lb').forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.querySelector('button').addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var numeric = th.getAttribute('data-type') === 'num';
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
        if (x === '' || y === '') return (x === '' ? 1 : 0) - (y === '' ? 1 : 0);
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});`;

const COLUMNS: Array<{ title: string; type: 'num' | 'text' }> = [
  { title: 'rank', type: 'num' },
  { title: 'harness', type: 'text' },
  { title: 'model', type: 'text' },
  { title: 'pass rate [95% CI]', type: 'num' },
  { title: 'trials/task', type: 'num' },
  { title: 'tasks', type: 'num' },
  { title: 'date', type: 'text' },
  { title: 'mean tokens', type: 'num' },
  { title: 'mean cost', type: 'num' },
  { title: 'run', type: 'text' },
];

export function leaderboardHtml(lb: Leaderboard): string {
  const banner = lb.simulated ? `<div class="banner" role="alert">${esc(SIMULATED_BANNER)}</div>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hbench leaderboard</title>
<style>${STYLE}
</style>
</head>
<body>
<h1>hbench leaderboard</h1>
${banner}${lb.groups.map(group).join('\n')}
<footer>${esc(ciNote(lb))}</footer>
<script>${SCRIPT}
</script>
</body>
</html>
`;
}

function group(g: LeaderboardGroup): string {
  const head = COLUMNS.map((c) => `<th data-type="${c.type}"><button type="button">${esc(c.title)}</button></th>`).join('');
  return `<section>
<h2 title="${attr(`suite sha256 ${g.suite.digest}`)}">Suite ${esc(shortDigest(g.suite.digest))} (${g.suite.tasks.length} tasks)</h2>
<p class="note">${esc(g.note)}</p>
<table class="lb">
<thead><tr>${head}</tr></thead>
<tbody>
${g.rows.map(row).join('\n')}
</tbody>
</table>
</section>`;
}

function row(r: LeaderboardRow): string {
  const cell = (v: string | number | null, html: string, numeric = false) => `<td${numeric ? ' class="n"' : ''} data-v="${attr(v === null ? '' : String(v))}">${html}</td>`;
  const model = r.model ? `${esc(r.model.id)}${r.model.simulated ? '<span class="sim">SIMULATED</span>' : ''}` : 'none';
  return `<tr>${[
    cell(r.rank, r.rank === null ? '–' : String(r.rank), true),
    `<td data-v="${attr(r.label)}" title="${attr(r.dir)}">${esc(r.label)}</td>`,
    cell(r.model ? `${r.model.id}${r.model.simulated ? ' (SIMULATED)' : ''}` : 'none', model),
    cell(r.passRate?.rate ?? null, `${bar(r)}${esc(rateWithCi(r.passRate))}`),
    cell(r.trialsPerTask.min, esc(trialsPerTaskText(r)), true),
    cell(r.tasks, String(r.tasks), true),
    cell(r.date, esc(dateText(r.date))),
    cell(r.meanTokens, esc(tokensText(r.meanTokens)), true),
    cell(r.meanCostUsd, esc(costText(r.meanCostUsd)), true),
    cell(r.runId, esc(r.runId)),
  ].join('')}</tr>`;
}

/** The pass rate as a filled bar, with the 95% CI as a whisker over it. */
function bar(r: LeaderboardRow): string {
  const p = r.passRate;
  if (!p) return '';
  const at = (x: number) => `${(Math.min(1, Math.max(0, x)) * 100).toFixed(1)}%`;
  const label = `${at(p.rate)}, 95% CI ${at(p.low)} to ${at(p.high)}`;
  return `<span class="bar" role="img" aria-label="${attr(label)}"><span class="fill" style="width:${at(p.rate)}"></span><span class="ci" style="left:${at(p.low)};width:${at(p.high - p.low)}"></span></span>`;
}
