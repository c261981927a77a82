/**
 * The results folder of one run. trials.jsonl is append-only: one line per finished trial, written once, flushed
 * to disk before the trial counts as done. run.json is replaced atomically (write + rename), never half-written.
 */
import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ResultsError } from '../common/errors.js';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import { checkTrialLines, parseRunRecord } from './results-check.js';

export class ResultsStore {
  readonly trialsFile: string;
  readonly runFile: string;
  private fd: number | null = null;

  constructor(readonly dir: string) {
    this.trialsFile = path.join(dir, 'trials.jsonl');
    this.runFile = path.join(dir, 'run.json');
  }

  static async create(dir: string): Promise<ResultsStore> {
    if (existsSync(path.join(dir, 'run.json'))) {
      throw new ResultsError(`${dir} already holds a run; pick another --run-id, or finish it with --resume ${dir}`);
    }
    await mkdir(path.join(dir, 'trials'), { recursive: true });
    return new ResultsStore(dir);
  }

  /** `hint` says what the folder was wanted for (the fix of the error when it is not a results folder). */
  static async open(dir: string, hint = '--resume takes a results folder made by `hbench run`'): Promise<ResultsStore> {
    if (!existsSync(path.join(dir, 'run.json'))) {
      throw new ResultsError(`${dir}: no run.json here; ${hint}`);
    }
    return new ResultsStore(dir);
  }

  trialDir(key: string): string {
    return path.join(this.dir, 'trials', key);
  }

  buildLog(taskId: string): string {
    return path.join(this.dir, 'builds', `${taskId}.log`);
  }

  async readRun(): Promise<RunRecord> {
    let text: string;
    try {
      text = await readFile(this.runFile, 'utf8');
    } catch (err) {
      throw new ResultsError(`${this.runFile}: cannot be read (${(err as Error).message}); check the file and the folder's permissions`);
    }
    return parseRunRecord(this.runFile, text);
  }

  async writeRun(record: RunRecord): Promise<void> {
    const tmp = `${this.runFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
    await rename(tmp, this.runFile);
  }

  /**
   * Finished trials. A last line cut short by a crash is dropped from the file (its trial is redone);
   * a bad line anywhere else means the file was edited or corrupted, and is refused.
   */
  async readTrials(): Promise<TrialResult[]> {
    if (!existsSync(this.trialsFile)) return [];
    const text = await readFile(this.trialsFile, 'utf8');
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
        await truncate(this.trialsFile, Math.min(goodBytes, Buffer.byteLength(text)));
      }
    }
    return checkTrialLines(this.trialsFile, results);
  }

  /** Appends one trial and flushes it to disk before returning. */
  appendTrial(result: TrialResult): void {
    this.fd ??= openSync(this.trialsFile, 'a');
    writeSync(this.fd, `${JSON.stringify(result)}\n`);
    fsyncSync(this.fd);
  }

  /** Appends many trials at once (a merge) and flushes them to disk before returning. */
  appendTrials(results: TrialResult[]): void {
    this.fd ??= openSync(this.trialsFile, 'a');
    const chunk = 4096;
    for (let i = 0; i < results.length; i += chunk) {
      writeSync(this.fd, results.slice(i, i + chunk).map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
    fsyncSync(this.fd);
  }

  async resetTrialDir(key: string): Promise<string> {
    const dir = this.trialDir(key);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return dir;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
