/** How the simulated model turns a plan action (and the mistake it drew) into a tool call. */
import type { ToolCall, ToolSpec } from '../provider.js';

export type PlanAction = { kind: 'shell'; command: string } | { kind: 'write'; path: string; content: string };
export type Kind = 'ok' | 'loud' | 'quiet' | 'silent' | 'fix' | 'malformed' | 'finish';

export interface ActionTools {
  shell: ToolSpec | undefined;
  write: ToolSpec | undefined;
}

export function heredoc(path: string, content: string): string {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return `mkdir -p '${dir}' && cat > '${path}' <<'HBENCH_SIM_EOF'\n${content.replace(/\n$/, '')}\nHBENCH_SIM_EOF`;
}

export function actionCall(id: string, action: PlanAction, kind: Kind, tools: ActionTools): ToolCall {
  if (action.kind === 'write' && tools.write) {
    const content = kind === 'silent' || kind === 'quiet' ? '' : action.content;
    const path = kind === 'loud' ? `/nonexistent-dir${action.path}` : action.path;
    return call(id, tools.write, { path, content });
  }
  const cmd = action.kind === 'shell' ? action.command : heredoc(action.path, action.content);
  return call(id, tools.shell!, { command: mistaken(cmd, kind) });
}

/** The command as the mistake makes it: the last line is the one that does the work; earlier lines set state. */
function mistaken(command: string, kind: Kind): string {
  const lines = command.split('\n');
  const preludeEnd = lines.length > 1 && /^(cd|export|[A-Za-z_][A-Za-z0-9_]*=)/.test(lines[0]!) ? findBodyStart(lines) : 0;
  const prelude = lines.slice(0, preludeEnd).join('\n');
  const body = lines.slice(preludeEnd).join('\n');
  const join = (b: string) => (prelude ? `${prelude}\n${b}` : b);
  switch (kind) {
    case 'loud':
      return join(body.replace(/^(\S+)/, (w) => `${w.replace(/[^A-Za-z0-9]/g, '')}x`));
    case 'quiet':
      return join(`false && ${body}`);
    case 'silent':
      return join(`echo ok`);
    default:
      return command;
  }
}

function findBodyStart(lines: string[]): number {
  let i = 0;
  while (i < lines.length - 1 && /^(cd\s|export\s|[A-Za-z_][A-Za-z0-9_]*=)/.test(lines[i]!)) i++;
  return i;
}

export function call(id: string, tool: ToolSpec, args: Record<string, unknown>): ToolCall {
  return { id, name: tool.name, arguments: args, rawArguments: JSON.stringify(args) };
}

