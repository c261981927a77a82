/**
 * The agent's tools: what the model is offered (ToolSpec) and how each call is carried out in the sandbox.
 *
 * Observation conventions (the simulated model reads these, and so can anyone reading a trajectory):
 * - shell, showExitCode true: stdout, then `[stderr]` and stderr when there is any, then `[exit code: N]` as the
 *   last line; `(no output)` when both streams are empty.
 * - shell, showExitCode false: stdout followed by stderr with no marker and no exit code.
 * - a command killed by its timeout ends with `[command timed out after N s]` either way.
 * - file tools answer `wrote N bytes to PATH`, `edited PATH`, the file's text, or a line starting with `error:`.
 * - output beyond `tools.outputLimit` bytes is cut in the middle: `[… N bytes cut …]`.
 */
import path from 'node:path';
import type { ToolCall, ToolSpec } from '../../models/provider.js';
import type { Sandbox } from '../../sandbox/sandbox.js';
import type { TrajectoryAction } from '../trajectory.js';
import type { AgentDefinition } from './config.js';
import { truncateHeadTail } from './output.js';

export const TOOL = { shell: 'shell', read: 'read_file', write: 'write_file', edit: 'edit_file', finish: 'finish' } as const;

export function exitCodeLine(code: number): string {
  return `[exit code: ${code}]`;
}
export const NO_OUTPUT = '(no output)';
export const STDERR_MARKER = '[stderr]';

export function toolSpecs(def: AgentDefinition, workdir: string): ToolSpec[] {
  const specs: ToolSpec[] = [];
  const str = (description: string) => ({ type: 'string', description });
  if (def.tools.shell.enabled) {
    specs.push({
      name: TOOL.shell,
      description:
        `Run a bash command line in the container (working directory ${workdir} at first). The working directory, variables and functions persist between calls. ` +
        `Commands are killed after ${def.tools.commandTimeoutSec} s. ` +
        (def.tools.shell.showExitCode ? 'The result shows stdout, stderr and the exit code.' : 'The result shows the command output.'),
      parameters: { type: 'object', properties: { command: str('the command line to run') }, required: ['command'], additionalProperties: false },
    });
  }
  if (def.tools.files) {
    specs.push(
      {
        name: TOOL.read,
        description: `Read a text file. Relative paths are resolved against ${workdir}.`,
        parameters: { type: 'object', properties: { path: str('the file to read') }, required: ['path'], additionalProperties: false },
      },
      {
        name: TOOL.write,
        description: `Create or overwrite a file with the given content (folders are created). Relative paths are resolved against ${workdir}. A new file starting with "#!" is made executable.`,
        parameters: {
          type: 'object',
          properties: { path: str('the file to write'), content: str('the full new content') },
          required: ['path', 'content'],
          additionalProperties: false,
        },
      },
      {
        name: TOOL.edit,
        description: 'Replace one exact occurrence of old_string with new_string in a file. old_string must occur exactly once.',
        parameters: {
          type: 'object',
          properties: { path: str('the file to edit'), old_string: str('the exact text to replace'), new_string: str('the replacement') },
          required: ['path', 'old_string', 'new_string'],
          additionalProperties: false,
        },
      },
    );
  }
  if (def.tools.finish) {
    specs.push({
      name: TOOL.finish,
      description: 'Call this when the task is complete. The harness may ask you to confirm or check first.',
      parameters: { type: 'object', properties: { summary: str('what you did (optional)') }, additionalProperties: false },
    });
  }
  return specs;
}

/** What carrying out one tool call produced. */
export interface ToolOutcome {
  action: TrajectoryAction;
  /** Shown to the model (already truncated). */
  observation: string;
  exitCode: number | null;
  bytesCut: number;
  ok: boolean;
  okRule: string;
  /** Line for a context summary (`✓ cmd` / `✗ cmd (exit N)`), or null when the call is not worth listing. */
  summary: string | null;
  /** Key for loop detection (same command / same edit), or null. */
  loopKey: string | null;
  timedOut?: boolean;
  aborted?: boolean;
}

/**
 * Runs the model's command in bash with the shell state of earlier calls restored and saved again afterwards
 * (working directory, variables, exported environment, functions). The command travels in $HBENCH_CMD and is
 * eval'ed, so a syntax error is an ordinary failing command. Without bash it runs under sh with no state kept.
 */
export function shellWrapper(stateFile: string): string {
  return `__hb_state=${stateFile}
if [ -n "$BASH_VERSION" ]; then
  __hb_base=" $(compgen -v | tr '\\n' ' ') "
  if [ -f "$__hb_state" ]; then . "$__hb_state" >/dev/null 2>&1; fi
  __hb_save() {
    local __hb_ec=$? __hb_n __hb_d __hb_f __hb_fn
    set +eu
    {
      for __hb_fn in $(compgen -A function); do
        case "$__hb_fn" in __hb_*) ;; *) declare -f "$__hb_fn" ;; esac
      done
      for __hb_n in $(compgen -v); do
        case "$__hb_n" in __hb_*|BASH*|_|PIPESTATUS|FUNCNAME|GROUPS|PWD|OLDPWD|SHLVL|COMP_*|HISTCMD|LINENO|RANDOM|SRANDOM|SECONDS|EPOCH*|PPID|UID|EUID|SHELLOPTS|HBENCH_CMD) continue ;; esac
        __hb_d=$(declare -p "$__hb_n" 2>/dev/null) || continue
        __hb_f=\${__hb_d#declare -}; __hb_f=\${__hb_f%% *}
        case "$__hb_f" in *r*) continue ;; esac
        case "$__hb_base" in *" $__hb_n "*) case "$__hb_f" in *x*) ;; *) continue ;; esac ;; esac
        printf '%s\\n' "$__hb_d"
      done
      printf 'cd -- %q\\n' "$PWD"
    } > "$__hb_state" 2>/dev/null
    return $__hb_ec
  }
  trap __hb_save EXIT
fi
__hb_cmd=$HBENCH_CMD
unset HBENCH_CMD
eval "$__hb_cmd"
`;
}

export interface ToolContext {
  def: AgentDefinition;
  sandbox: Sandbox;
  signal: AbortSignal;
  /** Shell state file for this step. */
  stateFile: string;
}

export async function runShell(t: ToolContext, command: string): Promise<ToolOutcome> {
  const { def } = t;
  const limit = def.tools.outputLimit;
  const r = await t.sandbox.exec(shellWrapper(t.stateFile), {
    env: { HBENCH_CMD: command },
    timeoutMs: def.tools.commandTimeoutSec * 1000,
    signal: t.signal,
    maxBufferBytes: Math.max(limit, 1024),
  });
  const show = def.tools.shell.showExitCode;
  let body: string;
  if (show) {
    body = r.stdout;
    if (r.stderr) body += `${body && !body.endsWith('\n') ? '\n' : ''}${STDERR_MARKER}\n${r.stderr}`;
  } else {
    body = r.stdout + r.stderr;
  }
  const cut = truncateHeadTail(body, limit);
  let observation = cut.text === '' ? NO_OUTPUT : cut.text;
  const tail: string[] = [];
  if (r.timedOut) tail.push(`[command timed out after ${def.tools.commandTimeoutSec} s]`);
  else if (show && r.exitCode !== null) tail.push(exitCodeLine(r.exitCode));
  if (tail.length) observation += `${observation.endsWith('\n') ? '' : '\n'}${tail.join('\n')}`;
  const ok = r.exitCode === 0 && !r.timedOut && !r.aborted;
  const flat = flatCommand(command);
  const summary = r.timedOut ? `✗ ${flat} (timed out)` : !show || ok ? `✓ ${flat}` : `✗ ${flat} (exit ${r.exitCode ?? 'none'})`;
  return {
    action: { tool: TOOL.shell, command },
    observation,
    exitCode: r.exitCode,
    bytesCut: cut.bytesCut + r.stdoutBytesCut + r.stderrBytesCut,
    ok,
    okRule: 'exit code 0',
    summary,
    loopKey: `shell\u0000${command}`,
    timedOut: r.timedOut,
    aborted: r.aborted,
  };
}

/** A command on one line for summaries: line breaks become ⏎. */
export function flatCommand(command: string): string {
  return command.trim().replace(/\r?\n/g, '⏎');
}

function resolvePath(workdir: string, p: string): string {
  return path.posix.resolve(workdir, p);
}

async function fileMode(t: ToolContext, abs: string): Promise<number | null> {
  const r = await t.sandbox.exec(['stat', '-c', '%a', abs], { signal: t.signal, timeoutMs: 10_000 });
  const mode = r.exitCode === 0 ? Number.parseInt(r.stdout.trim(), 8) : Number.NaN;
  return Number.isNaN(mode) ? null : mode;
}

async function writeText(t: ToolContext, abs: string, content: string): Promise<void> {
  const mode = (await fileMode(t, abs)) ?? (content.startsWith('#!') ? 0o755 : 0o644);
  await t.sandbox.writeFiles(path.posix.dirname(abs), [{ path: path.posix.basename(abs), content, mode }]);
}

const FILE_RULE = 'file op succeeded';

function fileOutcome(tool: string, args: Record<string, unknown>, observation: string, ok: boolean, abs: string | null, loopKey: string | null, bytesCut = 0): ToolOutcome {
  return {
    action: { tool, args },
    observation,
    exitCode: null,
    bytesCut,
    ok,
    okRule: FILE_RULE,
    summary: abs ? `${ok ? '✓' : '✗'} ${tool} ${abs}${ok ? '' : ' (error)'}` : null,
    loopKey,
  };
}

export async function runFileTool(t: ToolContext, call: ToolCall & { arguments: Record<string, unknown> }): Promise<ToolOutcome> {
  const args = call.arguments;
  const p = args.path;
  // Keep the trajectory readable: long contents are recorded by size.
  const recorded: Record<string, unknown> = { ...args };
  for (const k of ['content', 'old_string', 'new_string']) {
    const v = recorded[k];
    if (typeof v === 'string' && v.length > 4000) recorded[k] = `${v.slice(0, 4000)}… (${v.length} chars)`;
  }
  if (typeof p !== 'string' || p === '') return fileOutcome(call.name, recorded, `error: ${call.name} needs a string argument "path"`, false, null, null);
  const abs = resolvePath(t.sandbox.workdir, p);
  switch (call.name) {
    case TOOL.read: {
      const content = await t.sandbox.readFile(abs);
      if (content === null) return fileOutcome(call.name, recorded, `error: no such file: ${abs}`, false, abs, null);
      const cut = truncateHeadTail(content.toString('utf8'), t.def.tools.outputLimit);
      return fileOutcome(call.name, recorded, cut.text === '' ? '(empty file)' : cut.text, true, abs, null, cut.bytesCut);
    }
    case TOOL.write: {
      const content = args.content;
      if (typeof content !== 'string') return fileOutcome(call.name, recorded, `error: write_file needs string arguments "path" and "content"`, false, abs, null);
      await writeText(t, abs, content);
      return fileOutcome(call.name, recorded, `wrote ${Buffer.byteLength(content)} bytes to ${abs}`, true, abs, `write\u0000${abs}\u0000${content}`);
    }
    case TOOL.edit: {
      const { old_string: oldS, new_string: newS } = args;
      if (typeof oldS !== 'string' || typeof newS !== 'string' || oldS === '') {
        return fileOutcome(call.name, recorded, `error: edit_file needs string arguments "path", "old_string" (not empty) and "new_string"`, false, abs, null);
      }
      const loopKey = `edit\u0000${abs}\u0000${oldS}\u0000${newS}`;
      const current = await t.sandbox.readFile(abs);
      if (current === null) return fileOutcome(call.name, recorded, `error: no such file: ${abs}`, false, abs, loopKey);
      const text = current.toString('utf8');
      const count = text.split(oldS).length - 1;
      if (count !== 1) {
        const why = count === 0 ? 'old_string was not found' : `old_string occurs ${count} times; include more context so it occurs once`;
        return fileOutcome(call.name, recorded, `error: ${why} in ${abs}`, false, abs, loopKey);
      }
      const i = text.indexOf(oldS);
      await writeText(t, abs, text.slice(0, i) + newS + text.slice(i + oldS.length));
      return fileOutcome(call.name, recorded, `edited ${abs}`, true, abs, loopKey);
    }
    default:
      return fileOutcome(call.name, recorded, `error: unknown file tool ${call.name}`, false, null, null);
  }
}
