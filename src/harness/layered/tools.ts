/** The agent's tools: their specs for the model, and how each call is carried out in the sandbox. */
import type { ToolCall, ToolSpec } from '../../models/provider.js';
import { formatExitCode } from '../../records/agent-phrases.js';
import type { Sandbox } from '../../sandbox/sandbox.js';
import type { AgentDefinition } from './config.js';

export function toolSpecs(def: AgentDefinition['tools']): ToolSpec[] {
  const specs: ToolSpec[] = [
    {
      name: 'shell',
      description: 'Run a bash command in the working directory and return its output' + (def.shell.showExitCode ? ' and exit code.' : '.'),
      parameters: { type: 'object', properties: { command: { type: 'string', description: 'The command line' } }, required: ['command'] },
    },
  ];
  if (def.files) {
    specs.push(
      { name: 'read_file', description: 'Read a text file.', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
      { name: 'write_file', description: 'Create or overwrite a file with the given content.', parameters: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path', 'content'] } },
      {
        name: 'edit_file',
        description: 'Replace one exact occurrence of old_text with new_text in a file.',
        parameters: { type: 'object', properties: { path: { type: 'string' }, old_text: { type: 'string' }, new_text: { type: 'string' } }, required: ['path', 'old_text', 'new_text'] },
      },
    );
  }
  specs.push({ name: 'finish', description: 'Call when the task is complete.', parameters: { type: 'object', properties: { summary: { type: 'string' } } } });
  return specs;
}

export interface ToolOutcome {
  /** What the model is shown. */
  observation: string;
  bytesCut: number;
  exitCode: number | null;
  ok: boolean;
  okRule: string;
  /** For loop detection: what this call did, normalised. */
  signature: string;
}

/** Head and tail of `text` within `limit` bytes, with the bytes cut said in the middle. */
export function truncateOutput(text: string, limit: number): { text: string; bytesCut: number } {
  const buf = Buffer.from(text);
  if (buf.length <= limit) return { text, bytesCut: 0 };
  const half = Math.floor(limit / 2);
  const cut = buf.length - 2 * half;
  return { text: `${buf.subarray(0, half).toString()}\n[… ${cut} bytes cut …]\n${buf.subarray(buf.length - half).toString()}`, bytesCut: cut };
}

/** `outputBase`: host path prefix that receives a shell command's full stdout and stderr (the model sees a cut). */
export async function runTool(call: ToolCall, sandbox: Sandbox, def: AgentDefinition['tools'], signal: AbortSignal, outputBase?: string): Promise<ToolOutcome> {
  const args = call.arguments ?? {};
  const str = (k: string) => (typeof args[k] === 'string' ? (args[k] as string) : null);
  const fail = (message: string, signature: string): ToolOutcome => ({ observation: `error: ${message}`, bytesCut: 0, exitCode: null, ok: false, okRule: 'tool error', signature });
  switch (call.name) {
    case 'shell': {
      const command = str('command');
      if (command === null) return fail('shell needs a "command" string', 'shell:?');
      const files = outputBase ? { stdoutFile: `${outputBase}.stdout.txt`, stderrFile: `${outputBase}.stderr.txt` } : {};
      const r = await sandbox.exec(command, { timeoutMs: def.shell.timeoutSec * 1000, signal, maxBufferBytes: Math.max(def.outputLimit * 2, 4096), ...files });
      const output = r.stdout + r.stderr;
      const { text, bytesCut } = truncateOutput(output, def.outputLimit);
      const cutByExec = r.stdoutBytesCut + r.stderrBytesCut;
      const body = text || '(no output)';
      const timeout = r.timedOut ? `\n[timed out after ${def.shell.timeoutSec} s]` : '';
      // Hiding the exit code hides failure: the model sees only the output (the trajectory still records it).
      const observation = def.shell.showExitCode ? `${formatExitCode(r.exitCode)}\n${body}${timeout}` : `${body}${timeout}`;
      return { observation, bytesCut: bytesCut + cutByExec, exitCode: r.exitCode, ok: r.exitCode === 0, okRule: 'exit code 0', signature: `shell:${command.trim()}` };
    }
    case 'read_file': {
      const path = str('path');
      if (!path) return fail('read_file needs a "path"', 'read:?');
      const content = await sandbox.readFile(path);
      if (content === null) return fail(`${path}: No such file`, `read:${path}`);
      const { text, bytesCut } = truncateOutput(content.toString('utf8'), def.outputLimit);
      return { observation: text, bytesCut, exitCode: null, ok: true, okRule: 'file op succeeded', signature: `read:${path}` };
    }
    case 'write_file': {
      const path = str('path');
      const content = str('content');
      if (!path || content === null) return fail('write_file needs "path" and "content"', 'write:?');
      const dir = path.slice(0, path.lastIndexOf('/')) || '/';
      const exists = await sandbox.exec(['test', '-d', dir], { signal });
      if (exists.exitCode !== 0) return fail(`${dir}: No such file or directory`, `write:${path}`);
      await sandbox.writeFiles(dir, [{ path: path.slice(dir.length + 1), content }]);
      return { observation: `wrote ${Buffer.byteLength(content)} bytes to ${path}`, bytesCut: 0, exitCode: null, ok: true, okRule: 'file op succeeded', signature: `write:${path}:${content.length}` };
    }
    case 'edit_file': {
      const path = str('path');
      const oldText = str('old_text');
      const newText = str('new_text');
      if (!path || oldText === null || newText === null) return fail('edit_file needs "path", "old_text" and "new_text"', 'edit:?');
      const content = await sandbox.readFile(path);
      if (content === null) return fail(`${path}: No such file`, `edit:${path}`);
      const text = content.toString('utf8');
      const count = text.split(oldText).length - 1;
      if (count !== 1) return fail(`old_text occurs ${count} times in ${path}; it must occur exactly once`, `edit:${path}:${oldText}`);
      const dir = path.slice(0, path.lastIndexOf('/')) || '/';
      await sandbox.writeFiles(dir, [{ path: path.slice(dir.length + 1), content: text.replace(oldText, newText) }]);
      return { observation: `edited ${path}`, bytesCut: 0, exitCode: null, ok: true, okRule: 'file op succeeded', signature: `edit:${path}:${oldText}` };
    }
    default:
      return fail(`unknown tool "${call.name}"`, `unknown:${call.name}`);
  }
}
