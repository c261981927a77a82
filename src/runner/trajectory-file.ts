/** A TrajectoryRecorder that appends each action to trajectory.jsonl as it happens. */
import { appendFileSync } from 'node:fs';
import type { ActionRecord, NewActionRecord, TrajectoryRecorder } from '../harness/trajectory.js';
import { ZERO_TOKENS } from '../records/tokens.js';

export class TrajectoryFile implements TrajectoryRecorder {
  readonly actions: ActionRecord[] = [];
  /** The task step the next actions belong to. */
  taskStep = 'main';

  constructor(readonly file: string) {}

  record(action: NewActionRecord): ActionRecord {
    const full: ActionRecord = {
      index: this.actions.length,
      taskStep: this.taskStep,
      modelReply: null,
      observation: null,
      bytesCut: 0,
      tokens: { ...ZERO_TOKENS },
      costUsd: 0,
      events: [],
      ...action,
    };
    this.actions.push(full);
    appendFileSync(this.file, `${JSON.stringify(full)}\n`);
    return full;
  }
}
