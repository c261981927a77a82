/**
 * Artifacts (Harbor's `artifacts = [...]`, the `/logs/artifacts` folder, `--artifact PATH`): files the agent left,
 * copied from the container into `trials/<key>/artifacts/` with a manifest.json. Collecting them never fails a trial:
 * a missing or unreadable source is a `failed` entry in the manifest. A write the results disk refuses is not the
 * artifact's problem but the run's: it is thrown (a StorageError), and the run stops.
 */
import path from 'node:path';
import picomatch from 'picomatch';
import { StorageError, errorMessage, oneLine, storageFaultOf } from '../common/errors.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { unpack } from '../common/tar.js';
import type { ArtifactSpec } from '../tasks/task.js';
import type { StoreFs } from './results-store.js';

/** How artifacts are written into the trial folder (the results store's file system) and what the folder is. */
export interface ArtifactWriter {
  fs: Pick<StoreFs, 'mkdir' | 'writeFile'>;
  /** The results folder: a refused write inside it stops the run instead of failing one artifact. */
  resultsDir: string;
}

/** The folder agents may drop artifacts into, collected whether or not the task declares any. */
export const ARTIFACTS_DIR = '/logs/artifacts';

export interface ArtifactEntry {
  source: string;
  destination: string;
  type: 'file' | 'directory' | null;
  status: 'ok' | 'failed' | 'empty';
  files: number;
  bytes: number;
  error?: string;
}

/** Keeps one artifact from filling the host's disk or memory. */
const MAX_BYTES = 64 * 1024 * 1024;

/** Copies each artifact (and, with `convention`, whatever is in /logs/artifacts) out of the container. */
export async function collectArtifacts(sandbox: Sandbox, specs: ArtifactSpec[], trialDir: string, signal: AbortSignal, convention: boolean, out: ArtifactWriter): Promise<ArtifactEntry[]> {
  const root = path.join(trialDir, 'artifacts');
  const entries: ArtifactEntry[] = [];
  const all: Array<ArtifactSpec & { optional?: true }> = [...specs, ...(convention ? [{ source: ARTIFACTS_DIR, destination: 'logs-artifacts', exclude: [], optional: true as const }] : [])];
  for (const spec of all) {
    signal.throwIfAborted();
    const entry: ArtifactEntry = { source: spec.source, destination: spec.destination, type: null, status: 'failed', files: 0, bytes: 0 };
    try {
      const archive = await sandbox.exportDir(spec.source);
      if (!archive) {
        if (spec.optional) continue;
        entry.error = `${spec.source} does not exist in the container`;
      } else {
        // Bounded while reading: the container's files could be larger than the host's memory.
        const files = await unpack(archive, { maxBytes: MAX_BYTES });
        const excluded = spec.exclude.length ? picomatch(spec.exclude, { dot: true }) : () => false;
        const base = path.posix.basename(spec.source.replace(/\/+$/, ''));
        const single = files.size === 1 && files.has(base);
        entry.type = single ? 'file' : 'directory';
        for (const [name, content] of files) {
          const rel = single ? base : name.split('/').slice(1).join('/');
          if (!rel || excluded(rel)) continue;
          if (entry.bytes + content.length > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES / 1024 / 1024} MB; the rest was not copied`);
          const dest = single ? path.join(root, spec.destination) : path.join(root, spec.destination, rel);
          if (!dest.startsWith(root + path.sep)) continue;
          try {
            await out.fs.mkdir(path.dirname(dest), { recursive: true });
            await out.fs.writeFile(dest, content);
          } catch (err) {
            throw storageFaultOf(err, out.resultsDir, dest) ?? err;
          }
          entry.files++;
          entry.bytes += content.length;
        }
        entry.status = entry.files ? 'ok' : 'empty';
      }
    } catch (err) {
      if (err instanceof StorageError) throw err;
      entry.status = 'failed';
      entry.error = oneLine(errorMessage(err));
    }
    entries.push(entry);
  }
  return entries;
}

export async function writeManifest(trialDir: string, entries: ArtifactEntry[], out: ArtifactWriter): Promise<void> {
  if (!entries.length) return;
  const file = path.join(trialDir, 'artifacts', 'manifest.json');
  try {
    await out.fs.mkdir(path.dirname(file), { recursive: true });
    await out.fs.writeFile(file, `${JSON.stringify(entries, null, 2)}\n`);
  } catch (err) {
    throw storageFaultOf(err, out.resultsDir, file) ?? err;
  }
}
