/**
 * `hbench view`: the report served live from results folders. The page is the same as report.html, but nothing is
 * left out: it fetches each trial's trajectory and verifier output on demand. Only files inside a results folder
 * are served, and only to the address it listens on (127.0.0.1 unless told otherwise).
 */
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { escapeHtml, renderReport } from './render.js';
import { loadRunModel } from './write-report.js';

export interface ViewServerOptions {
  port?: number;
  host?: string;
  baseline?: string;
  alpha?: number;
  errorsAsFailures?: boolean;
}

export interface ViewServer {
  url: string;
  close(): Promise<void>;
}

const TEXT_TYPES: Record<string, string> = { '.json': 'application/json', '.jsonl': 'text/plain', '.txt': 'text/plain', '.log': 'text/plain', '.md': 'text/plain', '.csv': 'text/plain' };

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(body);
}

/** The real path of `rel` inside `root`, or null when it would leave it (`..`, absolute paths, symlinks out). */
export async function resolveInside(root: string, rel: string): Promise<string | null> {
  const realRoot = await realpath(root);
  const candidate = path.resolve(realRoot, `.${path.posix.sep}${rel}`);
  try {
    const real = await realpath(candidate);
    return real === realRoot || real.startsWith(realRoot + path.sep) ? real : null;
  } catch {
    return null;
  }
}

async function serveFile(res: ServerResponse, root: string, rel: string): Promise<void> {
  const file = await resolveInside(root, rel);
  if (!file) return send(res, 404, 'text/plain', 'not found\n');
  const info = await stat(file);
  if (info.isDirectory()) {
    const entries = (await readdir(file, { withFileTypes: true })).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
    return send(res, 200, 'text/html', `<!doctype html><meta charset="utf-8"><title>${escapeHtml(rel)}</title><ul>${entries.map((e) => `<li><a href="${encodeURI(e)}">${escapeHtml(e)}</a></li>`).join('')}</ul>`);
  }
  // Raw outputs are shown as text, never rendered: an agent's output may contain HTML.
  res.writeHead(200, { 'content-type': `${TEXT_TYPES[path.extname(file)] ?? 'text/plain'}; charset=utf-8`, 'content-length': info.size, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  createReadStream(file).pipe(res);
}

export async function startViewServer(runDirs: string[], options: ViewServerOptions = {}): Promise<ViewServer> {
  if (runDirs.length === 0) throw new TypeError('startViewServer needs at least one results folder');
  const dirs = runDirs.map((d) => path.resolve(d));
  const host = options.host ?? '127.0.0.1';
  // One run is served at the root; several get /runs/<i>/ each and an index at the root.
  const mounts = dirs.length === 1 ? [{ prefix: '/', dir: dirs[0]! }] : dirs.map((dir, i) => ({ prefix: `/runs/${i}/`, dir }));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A web page elsewhere could point a host name at 127.0.0.1 (DNS rebinding) and read the results through the
    // reader's browser: answer only requests addressed to this server by the names it listens on.
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) return send(res, 421, 'text/plain', 'unexpected Host header\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = decodeURIComponent(url.pathname);
    if (mounts.length > 1 && pathname === '/') {
      const items = mounts.map((m) => `<li><a href="${m.prefix}">${escapeHtml(path.basename(m.dir))}</a> <small>${escapeHtml(m.dir)}</small></li>`).join('');
      return send(res, 200, 'text/html', `<!doctype html><meta charset="utf-8"><title>hbench view</title><style>body{font-family:system-ui,sans-serif;margin:32px}</style><h1>hbench view</h1><ul>${items}</ul>`);
    }
    const mount = mounts.find((m) => pathname.startsWith(m.prefix));
    if (!mount) return send(res, 404, 'text/plain', 'not found\n');
    const rel = pathname.slice(mount.prefix.length);
    if (rel === '' || rel === 'index.html' || rel === 'report.html') {
      // Built per request: a run that is still going shows its latest trials on reload.
      const model = await loadRunModel(mount.dir, { mode: 'live', baseline: options.baseline, alpha: options.alpha, errorsAsFailures: options.errorsAsFailures });
      return send(res, 200, 'text/html', renderReport(model));
    }
    return serveFile(res, mount.dir, rel);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `${(err as Error).message}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const bare = host.includes(':') ? `[${host}]` : host;
  const allowedHosts = new Set([`${bare}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].map((h) => h.toLowerCase()));
  let closing: Promise<void> | null = null;
  return {
    url: `http://${bare}:${port}/`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
