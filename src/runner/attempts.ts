/**
 * The evidence of a trial's earlier attempts: before a retry, everything the failed attempt left in `trials/<key>/`
 * moves to `trials/<key>/attempts/<n>/`, with `attempt.json` (its error, when it started, how long it took). Nothing
 * is deleted. Only the last attempt is appended to trials.jsonl; a resume after a kill finds the attempts made so far
 * here and goes on counting from them, so a trial is recorded once however often it was tried.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EarlierAttempt } from '../records/trial-result.js';

export const ATTEMPTS_DIR = 'attempts';
const ATTEMPT_FILE = 'attempt.json';
/** A folder being filled: renamed to its number once complete. */
const PARTIAL = '.partial';

/** Moves a failed attempt's files aside; `attempt.json` is written first so a kill mid-way still names the attempt. */
export async function archiveAttempt(trialDir: string, earlier: EarlierAttempt): Promise<void> {
  const root = path.join(trialDir, ATTEMPTS_DIR);
  const partial = path.join(root, `${earlier.attempt}${PARTIAL}`);
  await mkdir(partial, { recursive: true });
  await writeFile(path.join(partial, ATTEMPT_FILE), `${JSON.stringify(earlier, null, 2)}\n`);
  for (const e of await readdir(trialDir)) if (e !== ATTEMPTS_DIR) await rename(path.join(trialDir, e), path.join(partial, e));
  const final = path.join(root, String(earlier.attempt));
  await rm(final, { recursive: true, force: true });
  await rename(partial, final);
}

/**
 * The attempts already made (oldest first), from a trial's folder: empty for a new trial. A folder a kill left
 * half-filled counts when it names its attempt; without that it is not evidence of anything and is removed.
 */
export async function earlierAttempts(trialDir: string): Promise<EarlierAttempt[]> {
  const root = path.join(trialDir, ATTEMPTS_DIR);
  if (!existsSync(root)) return [];
  const found: EarlierAttempt[] = [];
  for (const e of await readdir(root)) {
    const m = /^(\d+)(\.partial)?$/.exec(e);
    if (!m) continue;
    const dir = path.join(root, e);
    const record = await readFile(path.join(dir, ATTEMPT_FILE), 'utf8').then((t) => JSON.parse(t) as EarlierAttempt, () => null);
    if (!record) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (m[2]) {
      const final = path.join(root, m[1]!);
      await rm(final, { recursive: true, force: true });
      await rename(dir, final);
    }
    found.push(record);
  }
  return found.sort((a, b) => a.attempt - b.attempt);
}
