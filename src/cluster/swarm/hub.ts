/**
 * The shard hub: a small HTTP server the swarm coordinator runs, and the one place shard results live. Workers fetch
 * the job and the suite from it, fetch their shard's folder when they (re)start, and send each trial as it ends; the
 * hub appends it to that shard's trials.jsonl (flushed) only once its files are written, and ignores a trial it
 * already has. So a worker that dies — or a node that goes away with its disk — loses nothing that was finished, and
 * its successor anywhere in the swarm resumes from here without repeating it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ResultsError, errorMessage } from '../../common/errors.js';
import { packEntries, unpack } from '../../common/tar.js';
import type { RunConfig, RunRecord, ShardRecord } from '../../records/run-record.js';
import type { TrialResult } from '../../records/trial-result.js';
import { ResultsStore } from '../../runner/results-store.js';
import { groupOf, shardFolderName, type ShardBy } from '../../runner/shard.js';

/** What every worker needs to run its shard: the same for all of them. */
export interface JobDescription {
  runId: string;
  total: number;
  by: ShardBy;
  /** Group ids of each shard (index 0 = shard 1), computed once by the coordinator. */
  groups: string[][];
  balance: ShardRecord['balance'];
  /** The run's configuration, its paths relative to the bundle's root. */
  config: RunConfig;
  /** Harness folder, relative to the bundle's root. */
  harnessDir: string;
}

export interface ShardProgress {
  index: number;
  planned: number;
  done: number;
  status: RunRecord['status'] | 'waiting';
}

interface ShardState {
  store: ResultsStore | null;
  keys: Set<string>;
  planned: number;
  status: ShardProgress['status'];
  /** One request at a time per shard. */
  queue: Promise<unknown>;
}

export class ShardHub {
  readonly token = randomBytes(24).toString('hex');
  private readonly shards = new Map<number, ShardState>();
  private server: http.Server | null = null;
  private url_ = '';

  private constructor(
    readonly outDir: string,
    readonly job: JobDescription,
    private readonly bundle: Buffer,
    /** The run's configuration with this machine's paths: what the shard folders here record. */
    private readonly localConfig: RunConfig | null,
  ) {}

  /** Opens (or creates) the shard folders under `outDir` and listens on `host`. */
  static async start(options: { outDir: string; job: JobDescription; bundle: Buffer; host: string; port?: number; localConfig?: RunConfig }): Promise<ShardHub> {
    const hub = new ShardHub(options.outDir, options.job, options.bundle, options.localConfig ?? null);
    for (let i = 1; i <= options.job.total; i++) await hub.load(i);
    await hub.listen(options.host, options.port ?? 0);
    return hub;
  }

  get url(): string {
    return this.url_;
  }

  shardDir(index: number): string {
    return path.join(this.outDir, shardFolderName(this.job.runId, { index, total: this.job.total }));
  }

  progress(): ShardProgress[] {
    return [...this.shards].map(([index, s]) => ({ index, planned: s.planned, done: s.keys.size, status: s.status }));
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await Promise.allSettled([...this.shards.values()].map((s) => s.queue));
    for (const s of this.shards.values()) s.store?.close();
  }

  private async load(index: number): Promise<void> {
    const dir = this.shardDir(index);
    const state: ShardState = { store: null, keys: new Set(), planned: 0, status: 'waiting', queue: Promise.resolve() };
    if (existsSync(path.join(dir, 'run.json'))) {
      const store = await ResultsStore.open(dir);
      const record = await store.readRun();
      if (record.runId !== this.job.runId || record.shard?.index !== index || record.shard.total !== this.job.total) {
        throw new ResultsError(`${store.runFile}: holds another run's shard (${record.runId}, shard ${record.shard?.index}/${record.shard?.total}); move it away or pick another --run-id`);
      }
      state.store = store;
      for (const t of await store.readTrials()) state.keys.add(t.key);
      state.planned = record.counts.planned;
      state.status = record.status;
    }
    this.shards.set(index, state);
  }

  private async listen(host: string, port: number): Promise<void> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(err instanceof HubRequestError ? err.status : 500, { 'content-type': 'text/plain' });
        res.end(errorMessage(err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    this.server = server;
    this.url_ = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${this.token}`) throw new HubRequestError(401, 'missing or wrong hub token');
    const url = new URL(req.url ?? '/', 'http://hub');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && parts[0] === 'job') return send(res, 200, 'application/json', JSON.stringify(this.job));
    if (req.method === 'GET' && parts[0] === 'bundle') return send(res, 200, 'application/gzip', this.bundle);
    if (parts[0] !== 'shards') throw new HubRequestError(404, `no such endpoint: ${req.method} ${url.pathname}`);
    const index = Number(parts[1]);
    const state = this.shards.get(index);
    if (!state) throw new HubRequestError(404, `no shard ${parts[1]} in a run of ${this.job.total}`);
    const body = await readBody(req);
    // Requests of one shard are handled one at a time: a trial is never appended twice.
    const work = state.queue.then(async () => {
      if (req.method === 'GET' && parts.length === 2) return this.sendShard(res, state);
      if (req.method === 'PUT' && parts[2] === 'run') return this.putRun(res, index, state, body);
      if (req.method === 'POST' && parts[2] === 'trials' && parts[3]) return this.postTrial(res, index, state, parts[3], body);
      throw new HubRequestError(404, `no such endpoint: ${req.method} ${url.pathname}`);
    });
    state.queue = work.catch(() => undefined);
    await work;
  }

  /** What a worker needs to resume a shard: its record and the trials done (their folders stay here). */
  private async sendShard(res: http.ServerResponse, state: ShardState): Promise<void> {
    if (!state.store) return send(res, 204, 'application/gzip', Buffer.alloc(0));
    const files = [state.store.runFile, state.store.trialsFile].filter((f) => existsSync(f));
    const entries = await Promise.all(files.map(async (f) => ({ name: path.basename(f), content: await readFile(f), mode: 0o644 })));
    send(res, 200, 'application/gzip', gzipSync(await packEntries(entries)));
  }

  private async putRun(res: http.ServerResponse, index: number, state: ShardState, body: Buffer): Promise<void> {
    const record = parseJson<RunRecord>(body, 'run.json');
    if (record.runId !== this.job.runId || record.shard?.index !== index || record.shard.total !== this.job.total) {
      throw new HubRequestError(409, `run.json is of ${record.runId} shard ${record.shard?.index}/${record.shard?.total}, not ${this.job.runId} shard ${index}/${this.job.total}`);
    }
    state.store ??= await ResultsStore.create(this.shardDir(index));
    // Paths as they are here, not in the worker's bundle: the folder reads like one `hbench run --shard` wrote here.
    const local = this.localConfig;
    if (local) record.config = { ...record.config, tasksDir: local.tasksDir, harnessSpecs: local.harnessSpecs, model: record.config.model && local.model ? { ...record.config.model, priceFile: local.model.priceFile } : record.config.model };
    await state.store.writeRun(record);
    state.planned = record.counts.planned;
    state.status = record.status;
    send(res, 204, 'text/plain', '');
  }

  private async postTrial(res: http.ServerResponse, index: number, state: ShardState, key: string, body: Buffer): Promise<void> {
    if (!state.store) throw new HubRequestError(409, `shard ${index}: send run.json before its trials`);
    if (state.keys.has(key)) return send(res, 200, 'text/plain', 'already recorded');
    const files = await unpack(Readable.from(gunzipSync(body)));
    const result = parseJson<TrialResult>(files.get('result.json') ?? Buffer.alloc(0), 'result.json');
    if (result.key !== key || result.runId !== this.job.runId) throw new HubRequestError(409, `result.json is trial ${result.runId}/${result.key}, not ${this.job.runId}/${key}`);
    if (!this.job.groups[index - 1]!.includes(groupOf({ id: result }, this.job.by))) throw new HubRequestError(409, `trial ${key} does not belong to shard ${index}/${this.job.total}`);
    await state.store.resetTrialDir(key);
    for (const [name, content] of files) {
      if (name === 'result.json') continue;
      const safe = path.posix.normalize(name);
      if (!(safe.startsWith(`trials/${key}/`) || safe.startsWith('builds/')) || safe.includes('..')) throw new HubRequestError(400, `unexpected file in a trial upload: ${name}`);
      const target = path.join(state.store.dir, safe);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    // The line last: a trial counts once its files are all here.
    state.store.appendTrial(result);
    state.keys.add(key);
    send(res, 201, 'text/plain', 'recorded');
  }
}

class HubRequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseJson<T>(body: Buffer, what: string): T {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    throw new HubRequestError(400, `${what}: not valid JSON`);
  }
}
