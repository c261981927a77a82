/** A sandbox with no engine behind it: commands answer from a function; files go nowhere. For tests of harnesses. */
import type { ExecResult, Sandbox } from '../sandbox/sandbox.js';

/** A finished command's result with these fields (exit code 0, no output by default). */
export function execResult(fields: Partial<ExecResult> = {}): ExecResult {
  return { exitCode: 0, stdout: '', stderr: '', stdoutBytesCut: 0, stderrBytesCut: 0, fileBytesCut: 0, durationMs: 1, timedOut: false, aborted: false, ...fields };
}

/** Every command (argv joined) is recorded in `ran` and answered by `answer`. */
export function fakeSandbox(answer: (command: string) => ExecResult, workdir = '/app'): Sandbox & { ran: string[] } {
  const ran: string[] = [];
  return {
    id: 'fake',
    workdir,
    ran,
    storageCappedByEngine: false,
    outputBytesCut: 0,
    async usage() {
      return { running: true, pids: 1, pidsLimit: null, diskBytes: 0 };
    },
    async limitCounters() {
      return { oomKills: 0, forksRefused: 0 };
    },
    async restart() {},
    async exec(command) {
      const c = Array.isArray(command) ? command.join(' ') : command;
      ran.push(c);
      return answer(c);
    },
    async uploadDir() {},
    async writeFiles() {},
    async readFile() {
      return null;
    },
    async readDir() {
      return new Map();
    },
    async exportDir(): Promise<NodeJS.ReadableStream> {
      throw new Error('a fake sandbox has no folders to copy out');
    },
    async importArchive() {},
    async setNetwork() {
      return false;
    },
    async close() {},
    async [Symbol.asyncDispose]() {},
  };
}
