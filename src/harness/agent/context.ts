/**
 * Context strategies: what the model sees of the conversation once it outgrows `context.maxTokens`.
 * - append: everything, always.
 * - truncate: the oldest turns are dropped (the head, i.e. system prompt, instruction and bootstrap, stays); the
 *   last `keepLastTurns` turns are kept (fewer when even they are over budget, but at least one).
 * - summarise: as truncate, and the dropped turns are replaced by one summary message that lists every command they
 *   ran, `✓ <command>` or `✗ <command> (exit N)` (a line each, line breaks shown as ⏎). No model call: deterministic.
 * A turn is an assistant message with the tool results and harness messages that follow it.
 */
import type { ChatMessage } from '../../models/provider.js';
import type { AgentDefinition } from './config.js';
import { estimateTokens } from './output.js';

export const SUMMARY_HEADER = '[harness] Summary of earlier turns, removed to fit the context window. Commands and file operations so far, oldest first:';

export function messageChars(m: ChatMessage): number {
  let n = m.content.length;
  if (m.role === 'assistant') for (const c of m.toolCalls ?? []) n += c.name.length + c.rawArguments.length;
  return n;
}

export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
  return estimateTokens(messages.reduce((n, m) => n + messageChars(m), 0));
}

export function renderSummary(entries: readonly string[]): string {
  return `${SUMMARY_HEADER}\n${entries.length ? entries.join('\n') : '(none)'}`;
}

export interface CompactionResult {
  event: 'summarised' | 'truncated' | null;
  droppedTurns: number;
}

/**
 * The conversation the model is shown. `head` messages are never dropped; `summaryFor(callId)` gives the summary
 * line of a tool call (null: not listed).
 */
export class Conversation {
  readonly head: ChatMessage[] = [];
  private turns: ChatMessage[][] = [];
  private summaryEntries: string[] = [];
  private summarised = false;

  constructor(
    private readonly def: AgentDefinition['context'],
    private readonly summaryFor: (callId: string) => string | null,
  ) {}

  addHead(m: ChatMessage): void {
    this.head.push(m);
  }

  /** Adds a message: an assistant message starts a new turn; anything else joins the current one (or the head). */
  push(m: ChatMessage): void {
    if (m.role === 'assistant') this.turns.push([m]);
    else if (this.turns.length === 0) this.head.push(m);
    else this.turns[this.turns.length - 1]!.push(m);
  }

  get messages(): ChatMessage[] {
    const summary: ChatMessage[] = this.summarised ? [{ role: 'user', content: renderSummary(this.summaryEntries) }] : [];
    return [...this.head, ...summary, ...this.turns.flat()];
  }

  get turnCount(): number {
    return this.turns.length;
  }

  /** Applies the strategy before a model call. */
  compact(): CompactionResult {
    if (this.def.strategy === 'append') return { event: null, droppedTurns: 0 };
    if (estimateMessagesTokens(this.messages) <= this.def.maxTokens) return { event: null, droppedTurns: 0 };
    let keep = Math.min(this.def.keepLastTurns, this.turns.length);
    const dropCount = () => this.turns.length - keep;
    while (keep > 1 && this.tokensIfKept(keep) > this.def.maxTokens) keep--;
    const n = dropCount();
    if (n <= 0) return { event: null, droppedTurns: 0 };
    const dropped = this.turns.splice(0, n);
    if (this.def.strategy === 'summarise') {
      for (const turn of dropped) {
        for (const m of turn) {
          if (m.role !== 'assistant') continue;
          for (const c of m.toolCalls ?? []) {
            const line = this.summaryFor(c.id);
            if (line) this.summaryEntries.push(line);
          }
        }
      }
      this.summarised = true;
      return { event: 'summarised', droppedTurns: n };
    }
    return { event: 'truncated', droppedTurns: n };
  }

  private tokensIfKept(keep: number): number {
    const kept = this.turns.slice(this.turns.length - keep).flat();
    const summary = this.def.strategy === 'summarise' ? [{ role: 'user' as const, content: renderSummary(this.summaryEntries) }] : [];
    return estimateMessagesTokens([...this.head, ...summary, ...kept]);
  }
}
