/**
 * Context management: what of the conversation the model is shown each turn. `append` shows everything; `truncate`
 * drops the oldest turns past the token budget (the system prompt and the instruction stay); `summarise` replaces the
 * dropped turns with one message listing each command and whether it succeeded (deterministic, no model call).
 */
import type { ChatMessage } from '../../models/provider.js';
import { AGENT_PHRASES } from '../../records/agent-phrases.js';
import type { AgentDefinition } from './config.js';

export function estimateTokens(messages: ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += m.content.length;
    if (m.role === 'assistant') for (const c of m.toolCalls ?? []) chars += c.rawArguments.length;
  }
  return Math.ceil(chars / 4);
}

/** A turn is an assistant message and the tool results that answer it (plus any harness messages after them). */
function turns(messages: ChatMessage[], head: number): ChatMessage[][] {
  const out: ChatMessage[][] = [];
  for (const m of messages.slice(head)) {
    if (m.role === 'assistant' || out.length === 0) out.push([m]);
    else out[out.length - 1]!.push(m);
  }
  return out;
}

export interface ContextView {
  messages: ChatMessage[];
  /** Set when this view dropped or summarised turns. */
  event: 'truncated' | 'summarised' | null;
}

export function contextView(messages: ChatMessage[], head: number, def: AgentDefinition['context']): ContextView {
  if (def.strategy === 'append' || estimateTokens(messages) <= def.maxTokens) return { messages, event: null };
  const all = turns(messages, head);
  const keep = all.slice(-def.keepLastTurns);
  const dropped = all.slice(0, all.length - keep.length);
  if (dropped.length === 0) return { messages, event: null };
  const kept = [...messages.slice(0, head), ...keep.flat()];
  if (def.strategy === 'truncate') return { messages: kept, event: 'truncated' };
  return { messages: [...messages.slice(0, head), { role: 'user', content: condense(dropped.flat()) }, ...keep.flat()], event: 'summarised' };
}

function condense(dropped: ChatMessage[]): string {
  const results = new Map<string, string>();
  for (const m of dropped) if (m.role === 'tool') results.set(m.toolCallId, m.content);
  const lines = [`${AGENT_PHRASES.summary} (older turns were removed to save context):`];
  for (const m of dropped) {
    if (m.role !== 'assistant') continue;
    for (const c of m.toolCalls ?? []) {
      const what = typeof c.arguments?.command === 'string' ? c.arguments.command : `${c.name} ${typeof c.arguments?.path === 'string' ? c.arguments.path : ''}`.trim();
      const result = results.get(c.id) ?? '';
      const exit = /^\[exit code (-?\d+|killed)\]/m.exec(result);
      const ok = exit ? exit[1] === '0' : !/error|not found|No such file/i.test(result);
      lines.push(`${ok ? '✓' : '✗'} ${what.replace(/\s+/g, ' ').trim()}${ok || !exit ? '' : ` (exit ${exit[1]})`}`);
    }
  }
  return lines.join('\n');
}
