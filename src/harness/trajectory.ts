/** The harness's recorder contract: the runner writes each recorded action to trajectory.jsonl. */
import type { ActionRecord, NewActionRecord } from '../records/action-record.js';

export type { ActionRecord, NewActionRecord, ToolUse } from '../records/action-record.js';

/** Receives a trial's actions as they happen; the runner writes them to trajectory.jsonl. */
export interface TrajectoryRecorder {
  record(action: NewActionRecord): ActionRecord;
  readonly actions: readonly ActionRecord[];
}
