/**
 * A TrajectoryRecorder that appends each action to trajectory.jsonl as it happens. Recording never throws into the
 * harness: an append the disk refuses goes to `onWriteError` (the trial stops on it), the action is still kept.
 */
import type { ActionRecord, NewActionRecord, TrajectoryRecorder } from '../harness/trajectory.js';
import { ZERO_TOKENS } from '../records/tokens.js';

export class TrajectoryFile implements TrajectoryRecorder {
  readonly actions: ActionRecord[] = [];
  /** The task step the next actions belong to. */
  taskStep = 'main';
  private failed = false;

  constructor(
    readonly file: string,
    private readonly append: (file: string, line: string) => void,
    private readonly onWriteError: (err: unknown) => void,
  ) {}

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
    // After a refused append the file stops: a later line that fit would follow a hole.
    if (!this.failed) {
      try {
        this.append(this.file, `${JSON.stringify(full)}\n`);
      } catch (err) {
        this.failed = true;
        this.onWriteError(err);
      }
    }
    return full;
  }
}
