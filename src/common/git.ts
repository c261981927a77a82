import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The commit of the git checkout holding `dir`, and whether it has uncommitted changes; null outside git. */
export async function gitState(dir: string): Promise<{ commit: string; dirty: boolean } | null> {
  try {
    const [{ stdout: commit }, { stdout: status }] = await Promise.all([
      run('git', ['rev-parse', 'HEAD'], { cwd: dir }),
      run('git', ['status', '--porcelain'], { cwd: dir }),
    ]);
    return { commit: commit.trim(), dirty: status.trim().length > 0 };
  } catch {
    return null;
  }
}
