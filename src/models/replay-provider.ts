/**
 * `--model replay:results/<run>`: re-serves a recorded run's model traffic, call for call (matched by trial, task
 * step and turn), so a run can be reproduced without a model API. A call the recording does not have is an error.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../common/errors.js';
import { ModelApiError } from './errors.js';
import { replayKeyOf, type ChatRequest, type ChatResponse, type ModelCallRecord, type ModelParams, type ModelProvider } from './provider.js';

export class ReplayProvider implements ModelProvider {
  readonly id: string;
  readonly params: ModelParams;

  private constructor(
    private readonly runDir: string,
    private readonly calls: Map<string, ChatResponse>,
    readonly recordedModel: string,
    readonly simulated: boolean,
    params: ModelParams,
  ) {
    this.id = `replay:${path.basename(runDir)}`;
    this.params = params;
  }

  static async open(runDir: string): Promise<ReplayProvider> {
    const dir = path.resolve(runDir);
    const runFile = path.join(dir, 'run.json');
    if (!existsSync(runFile)) throw new UsageError(`--model replay:${runDir}: no run.json there; name a results folder made by hbench run`);
    const record = JSON.parse(await readFile(runFile, 'utf8')) as { model?: { id: string; simulated: boolean; params: ModelParams } | null };
    const calls = new Map<string, ChatResponse>();
    const trialsDir = path.join(dir, 'trials');
    for (const trial of existsSync(trialsDir) ? await readdir(trialsDir) : []) {
      const file = path.join(trialsDir, trial, 'model-traffic.jsonl');
      if (!existsSync(file)) continue;
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        if (!line.trim()) continue;
        const call = JSON.parse(line) as ModelCallRecord;
        if (call.replayKey) calls.set(call.replayKey, call.response);
      }
    }
    if (calls.size === 0) throw new UsageError(`--model replay:${runDir}: the run recorded no model traffic (its harnesses used no model)`);
    const params = record.model?.params ?? { temperature: null, maxTokens: 0, seed: null, reasoningEffort: null };
    return new ReplayProvider(dir, calls, record.model?.id ?? 'unknown', record.model?.simulated ?? false, params);
  }

  settings(): Record<string, unknown> {
    return { id: this.id, replays: this.runDir, recordedModel: this.recordedModel, calls: this.calls.size };
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    request.signal?.throwIfAborted();
    const key = request.call ? replayKeyOf(request.call) : undefined;
    const response = key ? this.calls.get(key) : undefined;
    if (!response) {
      throw new ModelApiError(`replay: the recording has no call ${key ?? '(unnamed)'}; replay the same tasks, harnesses and trials as ${path.basename(this.runDir)}`);
    }
    return { ...response, retries: 0 };
  }
}
