/**
 * The results folder of one run. trials.jsonl is append-only: one line per finished trial, written once, flushed
 * to disk before the trial counts as done; an append the disk refuses part-way is cut back off, so the file never
 * holds half a line. run.json is replaced atomically (write aside + rename), never half-written.
 *
 * Every write into the folder (the trial folders' files too) goes through `fs`: node:fs, or in tests a file system
 * that fails on purpose. A write the disk refuses (full, read-only, I/O error) is a StorageError naming the file.
 */
import * as nodeFs from 'node:fs';
import * as nodeFsp from 'node:fs/promises';
import path from 'node:path';
import { ResultsError, storageFaultOf, type StorageError } from '../common/errors.js';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import { checkTrialLines, parseRunRecord } from './results-check.js';

/** The file operations that write a results folder. */
export interface StoreFs {
  openSync(file: string, flags: 'a'): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  fstatSync(fd: number): { size: number };
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
  appendFileSync(file: string, data: string): void;
  writeFile(file: string, data: string | Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(target: string, options: { recursive?: boolean; force: true }): Promise<void>;
  mkdir(dir: string, options: { recursive: true }): Promise<unknown>;
  truncate(file: string, length: number): Promise<void>;
}

export const NODE_FS: StoreFs = {
  openSync: (file, flags) => nodeFs.openSync(file, flags),
  writeSync: (fd, buffer, offset, length) => nodeFs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  fstatSync: (fd) => nodeFs.fstatSync(fd),
  ftruncateSync: (fd, length) => nodeFs.ftruncateSync(fd, length),
  closeSync: (fd) => nodeFs.closeSync(fd),
  appendFileSync: (file, data) => nodeFs.appendFileSync(file, data),
  writeFile: (file, data) => nodeFsp.writeFile(file, data),
  rename: (from, to) => nodeFsp.rename(from, to),
  rm: (target, options) => nodeFsp.rm(target, options),
  mkdir: (dir, options) => nodeFsp.mkdir(dir, options),
  truncate: (file, length) => nodeFsp.truncate(file, length),
};

export class ResultsStore {
  readonly trialsFile: string;
  readonly runFile: string;

  constructor(
    readonly dir: string,
    readonly fs: StoreFs = NODE_FS,
  ) {
    this.trialsFile = path.join(dir, 'trials.jsonl');
    this.runFile = path.join(dir, 'run.json');
  }

  static async create(dir: string, fs: StoreFs = NODE_FS): Promise<ResultsStore> {
    if (nodeFs.existsSync(path.join(dir, 'run.json'))) {
      throw new ResultsError(`${dir} already holds a run; pick another --run-id, or finish it with --resume ${dir}`);
    }
    const store = new ResultsStore(dir, fs);
    await store.guard(path.join(dir, 'trials'), () => fs.mkdir(path.join(dir, 'trials'), { recursive: true }));
    return store;
  }

  /** `hint` says what the folder was wanted for (the fix of the error when it is not a results folder). */
  static async open(dir: string, hint = '--resume takes a results folder made by `hbench run`', fs: StoreFs = NODE_FS): Promise<ResultsStore> {
    if (!nodeFs.existsSync(path.join(dir, 'run.json'))) {
      throw new ResultsError(`${dir}: no run.json here; ${hint}`);
    }
    return new ResultsStore(dir, fs);
  }

  trialDir(key: string): string {
    return path.join(this.dir, 'trials', key);
  }

  buildLog(taskId: string): string {
    return path.join(this.dir, 'builds', `${taskId}.log`);
  }

  /** The storage fault behind `err` when it is one of this folder's (see storageFaultOf), else null. */
  storageFault(err: unknown, file?: string): StorageError | null {
    return storageFaultOf(err, this.dir, file);
  }

  async readRun(): Promise<RunRecord> {
    let text: string;
    try {
      text = await nodeFsp.readFile(this.runFile, 'utf8');
    } catch (err) {
      throw new ResultsError(`${this.runFile}: cannot be read (${(err as Error).message}); check the file and the folder's permissions`);
    }
    return parseRunRecord(this.runFile, text);
  }

  /** The old run.json or the new one, never half of either; a refused write leaves no temporary file behind. */
  async writeRun(record: RunRecord): Promise<void> {
    const tmp = `${this.runFile}.${process.pid}.tmp`;
    try {
      await this.fs.writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
      await this.fs.rename(tmp, this.runFile);
    } catch (err) {
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
      throw this.asStorageError(this.runFile, err);
    }
  }

  /**
   * Finished trials. A last line cut short by a crash is dropped from the file (its trial is redone);
   * a bad line anywhere else means the file was edited or corrupted, and is refused.
   */
  async readTrials(): Promise<TrialResult[]> {
    if (!nodeFs.existsSync(this.trialsFile)) return [];
    const text = await nodeFsp.readFile(this.trialsFile, 'utf8');
    const lines = text.split('\n');
    const results: Array<{ line: number; value: unknown }> = [];
    let goodBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') {
        goodBytes += line.length + 1;
        continue;
      }
      try {
        results.push({ line: i + 1, value: JSON.parse(line) });
        goodBytes += Buffer.byteLength(line) + 1;
      } catch {
        const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
        if (!isLast) throw new ResultsError(`${this.trialsFile}: line ${i + 1} is not valid JSON; fix or remove it and try again`);
        const good = Math.min(goodBytes, Buffer.byteLength(text));
        await this.guard(this.trialsFile, () => this.fs.truncate(this.trialsFile, good));
      }
    }
    return checkTrialLines(this.trialsFile, results);
  }

  /** Appends one trial and flushes it to disk before returning. */
  appendTrial(result: TrialResult): void {
    this.appendLines(`${JSON.stringify(result)}\n`);
  }

  /** Appends many trials at once (a merge) and flushes them to disk before returning: all of them or none. */
  appendTrials(results: TrialResult[]): void {
    if (results.length) this.appendLines(results.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  /**
   * Writes whole lines and fsyncs them. A write or flush the disk refuses (even part-way: a short write, then ENOSPC)
   * is rolled back to the file's size before, so trials.jsonl only ever holds whole lines; then it is a StorageError.
   * The file is open only while appending: between trials the folder holds no open file, so it can be remounted.
   */
  private appendLines(text: string): void {
    const fs = this.fs;
    let fd: number | null = null;
    let before: number | null = null;
    try {
      fd = fs.openSync(this.trialsFile, 'a');
      before = fs.fstatSync(fd).size;
      const bytes = Buffer.from(text);
      for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      fs.fsyncSync(fd);
    } catch (err) {
      if (fd !== null && before !== null) {
        try {
          fs.ftruncateSync(fd, before);
          fs.fsyncSync(fd);
        } catch {
          // Cannot even cut it back (an I/O error): the torn last line is dropped by readTrials on resume.
        }
      }
      throw this.asStorageError(this.trialsFile, err);
    } finally {
      if (fd !== null) {
        try {
          fs.closeSync(fd);
        } catch {
          // Everything was fsync'd (or rolled back) already.
        }
      }
    }
  }

  /** Empties a trial's folder for a new start; `keep` names entries left alone (earlier attempts' evidence). */
  async resetTrialDir(key: string, options: { keep?: string } = {}): Promise<string> {
    const dir = this.trialDir(key);
    await this.guard(dir, async () => {
      if (options.keep === undefined) await this.fs.rm(dir, { recursive: true, force: true });
      else for (const e of await nodeFsp.readdir(dir).catch(() => [])) if (e !== options.keep) await this.fs.rm(path.join(dir, e), { recursive: true, force: true });
      await this.fs.mkdir(dir, { recursive: true });
    });
    return dir;
  }

  /** Nothing stays open between writes; kept so every owner of a store closes it. */
  close(): void {}

  /** Runs a write into the folder; a refusal of the disk becomes a StorageError naming `file`. */
  private async guard<T>(file: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      throw this.asStorageError(file, err);
    }
  }

  private asStorageError(file: string, err: unknown): unknown {
    return this.storageFault(err, file) ?? err;
  }
}
