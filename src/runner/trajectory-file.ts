/** A TrajectoryRecorder that appends each action to trajectory.jsonl as it happens. */
import { appendFileSync } from 'node:fs';
import { ZERO_TOKENS, type NewTrajectoryStep, type TrajectoryRecorder, type TrajectoryStep } from '../harness/trajectory.js';

export class TrajectoryFile implements TrajectoryRecorder {
  readonly steps: TrajectoryStep[] = [];
  taskStep = 'main';

  constructor(readonly file: string) {}

  record(step: NewTrajectoryStep): TrajectoryStep {
    const full: TrajectoryStep = {
      index: this.steps.length,
      taskStep: this.taskStep,
      modelReply: null,
      observation: null,
      bytesCut: 0,
      tokens: { ...ZERO_TOKENS },
      costUsd: 0,
      events: [],
      ...step,
    };
    this.steps.push(full);
    appendFileSync(this.file, `${JSON.stringify(full)}\n`);
    return full;
  }
}
