/**
 * Renders the report as one self-contained HTML file: chart.js, its error-bars plugin, the page's script and CSS are
 * inlined, and the model rides along as JSON, so the file opens from disk, from a mail attachment or a CI artifact
 * with no network at all (the Content-Security-Policy forbids any).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import type { ReportModel, TrialDetail } from './model-types.js';
import { pageModel } from './page-data.js';

/** The page's own scripts, in load order: each adds to the `HB` namespace that main.js starts. */
export const CLIENT_SCRIPTS = ['util.js', 'columns.js', 'trial-store.js', 'provenance.js', 'leaderboard.js', 'charts.js', 'matrix.js', 'funnel.js', 'ab.js', 'trial-viewer.js', 'trials.js', 'report.js'];

const requireHere = createRequire(import.meta.url);

/** chart.js and the plugin do not export their UMD builds as subpaths: find them beside each package's main file. */
function vendorFile(pkg: string, file: string): string {
  return readFileSync(path.join(path.dirname(requireHere.resolve(pkg)), file), 'utf8');
}

function asset(name: string): string {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
}

let vendorCache: string | null = null;
function vendorScripts(): string {
  vendorCache ??= [vendorFile('chart.js', 'chart.umd.min.js'), vendorFile('chartjs-chart-error-bars', 'index.umd.min.js')].map(scriptTag).join('\n');
  return vendorCache;
}

/** `</script` inside inlined code would end the element early; `<\/` means the same to JavaScript. */
function scriptTag(code: string): string {
  return `<script>${code.replace(/<\/(script)/gi, '<\\/$1')}</script>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * JSON that cannot close its <script> element: every `<` becomes \u003c (still the same JSON). Every character
 * beyond ASCII is escaped too (U+2028 and U+2029 among them), so the embedded data never depends on the page's
 * character decoding.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Trial details as gzip in base64, unpacked by the page (DecompressionStream) when a trial is first opened.
 * Trajectories repeat themselves, so megabytes shrink several-fold, and the browser reads a much shorter page before
 * it can show anything. Base64 needs no escaping inside a script element.
 */
export function packDetails(details: Record<string, TrialDetail>): string {
  return gzipSync(JSON.stringify(details)).toString('base64');
}

const CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  // live mode fetches trial files from the server that served the page; a file:// page has no 'self' to reach.
  "connect-src 'self'",
].join('; ');

export function renderReport(model: ReportModel): string {
  const { page, details } = pageModel(model);
  const banner = model.provenance.model?.simulated
    ? `<div class="sim-banner" data-testid="simulated-banner" role="alert">SIMULATED MODEL: ${escapeHtml(model.provenance.model.id)} is not a language model. These numbers exercise the tool, they say nothing about any LLM.</div>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="harness-bench ${escapeHtml(model.provenance.tool.version)}">
<title>${escapeHtml(model.title)}</title>
<style>${asset('report.css')}</style>
</head>
<body>
${banner}
<header class="page-head">
  <h1>${escapeHtml(model.title)}</h1>
  <nav>
    <a href="#provenance">Provenance</a><a href="#leaderboard">Leaderboard</a><a href="#charts">Charts</a><a href="#matrix">Tasks</a><a href="#funnel">Steps</a><a href="#ab">A/B</a><a href="#trials">Trials</a>
  </nav>
</header>
<main id="app">
  <noscript><p class="warn">This report draws its tables and charts with JavaScript; enable it to read the report.</p></noscript>
  <section id="provenance" data-testid="provenance"></section>
  <section id="leaderboard"></section>
  <section id="charts"></section>
  <section id="matrix"></section>
  <section id="funnel" data-testid="funnel"></section>
  <section id="ab" data-testid="ab"></section>
  <section id="trials"></section>
</main>
<footer class="page-foot">harness-bench ${escapeHtml(model.provenance.tool.version)} · report schema ${model.schema} · ${model.mode === 'live' ? 'live view' : 'self-contained file'}</footer>
<script type="application/json" id="hbench-data">${embedJson(page)}</script>
<script type="application/octet-stream" data-encoding="gzip+base64" id="hbench-details">${packDetails(details)}</script>
${vendorScripts()}
${CLIENT_SCRIPTS.map((f) => scriptTag(asset(f))).join('\n')}
</body>
</html>
`;
}
