/**
 * What a results folder must hold before anything reads it: a run.json of the schema this hbench writes, with the
 * fields every reader relies on, and trials.jsonl lines that are trial records of one run. A folder that fails gets
 * one line naming the file, the field (or line) and the fix, never a TypeError deep inside a report.
 */
import { z } from 'zod';
import { ResultsError, errorMessage, oneLine } from '../common/errors.js';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';

/** The run.json and trials.jsonl schema this version writes and reads. */
export const RESULTS_SCHEMA = 1;

const RunRecordShape = z.looseObject({
  runId: z.string().min(1),
  status: z.enum(['running', 'completed', 'interrupted', 'failed']),
  config: z.looseObject({ trials: z.number().int().positive(), harnessSpecs: z.array(z.string()), tasksDir: z.string() }),
  tasks: z.array(z.looseObject({ id: z.string(), contentHash: z.string() })),
  harnesses: z.array(z.looseObject({ name: z.string(), hash: z.string() })),
});

/** run.json's text → the record, or a ResultsError naming what is wrong with it. */
export function parseRunRecord(file: string, text: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ResultsError(`${file}: not valid JSON (${oneLine(errorMessage(err), 120)}): the file was cut short or edited; restore it from a copy, or run the benchmark again`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ResultsError(`${file}: not a run record (expected a JSON object written by hbench run); point at a results folder (results/<run-id>)`);
  }
  const record = raw as Record<string, unknown>;
  if (record.schema !== RESULTS_SCHEMA) {
    const tool = (record.tool as { version?: unknown } | undefined)?.version;
    const by = typeof tool === 'string' ? `hbench ${tool}` : 'the hbench that wrote it';
    throw new ResultsError(
      record.schema === undefined
        ? `${file}: schema: missing, so this is not a run record hbench writes; point at a folder made by hbench run`
        : `${file}: schema: ${JSON.stringify(record.schema)}, but this hbench reads schema ${RESULTS_SCHEMA}; read it with ${by}, or run the benchmark again with this one`,
    );
  }
  const shape = RunRecordShape.safeParse(raw);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    throw new ResultsError(`${file}: ${issue.path.map(String).join('.') || 'record'}: ${issue.message}; the record was edited or damaged: restore it, or run the benchmark again`);
  }
  return raw as RunRecord;
}

/**
 * trials.jsonl's parsed lines (1-based line numbers) → trial records: each an object of this schema, and all of one
 * run (a folder mixed with another run's lines would be counted and compared wrongly).
 */
export function checkTrialLines(file: string, lines: Array<{ line: number; value: unknown }>): TrialResult[] {
  let first: { line: number; runId: string } | null = null;
  for (const { line, value } of lines) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { key?: unknown }).key !== 'string') {
      throw new ResultsError(`${file}: line ${line}: not a trial record (expected a JSON object with "key", one per finished trial); remove the line and try again`);
    }
    const t = value as { schema?: unknown; runId?: unknown };
    if (t.schema !== undefined && t.schema !== RESULTS_SCHEMA) {
      throw new ResultsError(`${file}: line ${line}: schema: ${JSON.stringify(t.schema)}, but this hbench reads schema ${RESULTS_SCHEMA}; read the run with the hbench that wrote it`);
    }
    if (typeof t.runId !== 'string') continue;
    if (!first) first = { line, runId: t.runId };
    else if (t.runId !== first.runId) {
      throw new ResultsError(`${file}: line ${line}: runId: "${t.runId}", but line ${first.line} is of run "${first.runId}": two runs were mixed in one file; move run "${t.runId}"'s lines to its own results folder`);
    }
  }
  return lines.map((l) => l.value as TrialResult);
}
