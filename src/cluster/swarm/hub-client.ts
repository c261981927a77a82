/** The worker's side of the shard hub (see hub.ts): plain HTTP with the run's token, retried on passing faults. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { HbenchError, errorMessage } from '../../common/errors.js';
import { entriesFromDir, packEntries, unpackEntries, type TarEntry } from '../../common/tar.js';
import type { RunRecord } from '../../records/run-record.js';
import type { TrialResult } from '../../records/trial-result.js';
import type { JobDescription } from './hub.js';

export class HubClient {
  constructor(
    readonly url: string,
    private readonly token: string,
    /** Attempts per request; a hub that stays unreachable fails the worker, and Swarm starts another. */
    private readonly attempts = 8,
  ) {}

  async job(): Promise<JobDescription> {
    return JSON.parse((await this.request('GET', '/job')).toString('utf8')) as JobDescription;
  }

  /** Unpacks the suite (tasks, harness files) into `dir`. */
  async bundle(dir: string): Promise<void> {
    await extractTo(dir, await this.request('GET', '/bundle'));
  }

  /** Unpacks what the hub holds of a shard into `dir`; false when it holds nothing yet (a fresh shard). */
  async shard(index: number, dir: string): Promise<boolean> {
    const body = await this.request('GET', `/shards/${index}`);
    if (body.length === 0) return false;
    await extractTo(dir, body);
    return true;
  }

  async putRun(index: number, record: RunRecord): Promise<void> {
    await this.request('PUT', `/shards/${index}/run`, Buffer.from(JSON.stringify(record)));
  }

  /** Sends a finished trial: its record and its folder (and the build log of its task, if any). */
  async putTrial(index: number, runDir: string, result: TrialResult): Promise<void> {
    const entries: TarEntry[] = [{ name: 'result.json', content: Buffer.from(JSON.stringify(result)), mode: 0o644 }];
    entries.push(...(await entriesFromDir(path.join(runDir, 'trials', result.key), `trials/${result.key}`).catch(() => [])));
    const build = path.join(runDir, 'builds');
    entries.push(...(await entriesFromDir(build, 'builds').catch(() => [])).filter((e) => e.name === `builds/${result.taskId}.log`));
    await this.request('POST', `/shards/${index}/trials/${encodeURIComponent(result.key)}`, gzipSync(await packEntries(entries)));
  }

  private async request(method: string, route: string, body?: Buffer): Promise<Buffer> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const res = await fetch(`${this.url}${route}`, { method, body, headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(60_000) });
        const data = Buffer.from(await res.arrayBuffer());
        if (res.ok) return data;
        // The hub refused the request itself: retrying will not change its mind.
        if (res.status < 500) throw new HbenchError('RESULTS', `shard hub ${method} ${route}: ${res.status} ${data.toString('utf8')}`);
        last = new Error(`${res.status} ${data.toString('utf8')}`);
      } catch (err) {
        if (err instanceof HbenchError) throw err;
        last = err;
      }
      await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** attempt)));
    }
    throw new HbenchError('RESULTS', `shard hub ${this.url} unreachable (${method} ${route}: ${errorMessage(last)}); the worker stops and Swarm starts another`);
  }
}

async function extractTo(dir: string, gz: Buffer): Promise<void> {
  const files = await unpackEntries(Readable.from(gunzipSync(gz)));
  for (const [name, { content, mode }] of files) {
    const safe = path.posix.normalize(name);
    if (safe.startsWith('/') || safe.startsWith('..')) throw new HbenchError('RESULTS', `shard hub sent an unsafe path: ${name}`);
    const target = path.join(dir, safe);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content, { mode });
  }
}
