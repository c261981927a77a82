/**
 * The built-in layered agent. Each turn: build the context view, ask the model, carry out its tool call, record one
 * trajectory step. The dimensions of the definition (prompt, tools, loop, context, verification, budgets) each change
 * one part of this loop and nothing else.
 */
import path from 'node:path';
import { HbenchError } from '../../common/errors.js';
import { replayKeyOf, type CallIdentity, type ChatMessage, type ChatResponse, type ModelProvider } from '../../models/provider.js';
import { retriedEvent } from '../../records/action-record.js';
import { AGENT_PHRASES, formatExitCode } from '../../records/agent-phrases.js';
import { budgetExceeded, budgetText } from '../../records/budget.js';
import type { Harness, HarnessDescriptor, HarnessStepContext, HarnessStepOutcome } from '../harness.js';
import type { ActionRecord } from '../trajectory.js';
import type { AgentDefinition } from './config.js';
import { contextView } from './context.js';
import { runTool, toolSpecs, truncateOutput } from './tools.js';

export class LayeredAgent implements Harness {
  constructor(
    readonly descriptor: HarnessDescriptor,
    private readonly def: AgentDefinition,
    private readonly model: ModelProvider,
  ) {}

  async runStep(ctx: HarnessStepContext): Promise<HarnessStepOutcome> {
    const def = this.def;
    const started = performance.now();
    const tools = toolSpecs(def.tools);
    const system = def.prompt.system.replaceAll('{{workdir}}', ctx.sandbox.workdir);
    const messages: ChatMessage[] = [{ role: 'system', content: system }];
    if (def.prompt.bootstrap) messages.push({ role: 'user', content: await this.snapshot(ctx) });
    const stepNote = ctx.task.steps.length > 1 ? `This is step ${ctx.stepIndex + 1} of ${ctx.task.steps.length}; the work of earlier steps is already in the container.\n\n` : '';
    messages.push({ role: 'user', content: `${stepNote}${ctx.instruction}` });
    const head = messages.length;

    let tokens = 0;
    let cost = 0;
    let checklistSent = false;
    let verifications = 0;
    let confirmations = 0;
    let warned = false;
    let pendingEvents: string[] = [];
    const recent: string[] = [];
    const maxTurns = def.loop.maxTurns;

    for (let turn = 1; ; turn++) {
      if (ctx.signal.aborted) return { stopReason: 'gave_up', detail: 'stopped (timeout or interrupt)' };
      const budget = this.budgetHit(tokens, cost, started);
      if (budget) {
        this.note(ctx, `budget exhausted: ${budget}`, ['budget_exhausted']);
        return { stopReason: 'budget', detail: budget };
      }
      if (turn > maxTurns) {
        this.note(ctx, `max turns (${maxTurns}) reached`, ['max_turns']);
        return { stopReason: 'max_turns' };
      }
      const view = contextView(messages, head, def.context);
      if (view.event) pendingEvents.push(view.event);
      const turnStart = performance.now();
      const startedAt = new Date().toISOString();
      const callId: CallIdentity = { trial: ctx.trial, taskStep: ctx.step.name, turn };
      const reply: ChatResponse = await this.model.chat({ messages: view.messages, tools, signal: ctx.signal, call: callId });
      ctx.recordModelCall({ time: startedAt, replayKey: replayKeyOf(callId), model: this.model.id, request: { messages: view.messages, tools }, response: reply, durationMs: Math.round(performance.now() - turnStart) });
      if (reply.retries) pendingEvents.push(retriedEvent(reply.retries));
      tokens += reply.usage.input + reply.usage.output;
      cost += reply.costUsd;
      const call = reply.toolCalls[0];
      messages.push({ role: 'assistant', content: reply.text, toolCalls: call ? [call] : undefined });
      const record = (s: Omit<Partial<ActionRecord>, 'index' | 'taskStep'> & Pick<ActionRecord, 'ok' | 'okRule'>) => {
        ctx.recorder.record({
          startedAt,
          durationMs: Math.round(performance.now() - turnStart),
          modelReply: reply.text,
          action: call ? { tool: call.name, ...(typeof call.arguments?.command === 'string' ? { command: call.arguments.command } : { args: call.arguments ?? { raw: call.rawArguments } }) } : null,
          exitCode: null,
          tokens: reply.usage,
          costUsd: reply.costUsd,
          events: pendingEvents,
          ...s,
        });
        pendingEvents = [];
      };

      if (!call) {
        messages.push({ role: 'user', content: `${AGENT_PHRASES.noToolCall}: reply with a tool call, or call finish when the task is complete.` });
        record({ ok: false, okRule: 'no tool call', observation: null });
        continue;
      }
      if (call.arguments === null) {
        const observation = `${AGENT_PHRASES.malformed}: the arguments were not valid JSON (${call.rawArguments.slice(0, 80)}). Send the call again with valid JSON.`;
        record({ ok: false, okRule: 'malformed reply', observation, events: [...pendingEvents, 'malformed'] });
        if (def.loop.onMalformed === 'stop') return { stopReason: 'gave_up', detail: 'malformed reply' };
        messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: observation });
        continue;
      }

      if (call.name === 'finish') {
        const feedback = await this.beforeFinish(ctx, { checklistSent, verifications, confirmations });
        if (feedback) {
          if (feedback.kind === 'checklist') checklistSent = true;
          if (feedback.kind === 'verification') verifications++;
          if (feedback.kind === 'confirm') confirmations++;
          messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: feedback.text });
          record({ ok: true, okRule: 'finish', observation: feedback.text, exitCode: feedback.exitCode ?? null, events: [...pendingEvents, feedback.event] });
          continue;
        }
        record({ ok: true, okRule: 'finish', observation: null });
        return { stopReason: 'finished' };
      }

      const outcome = await runTool(call, ctx.sandbox, def.tools, ctx.signal, path.join(ctx.trialDir, 'agent', `${ctx.step.name}-${String(turn).padStart(3, '0')}`));
      let observation = outcome.observation;
      const events: string[] = [];
      if (def.verification.loopDetection !== null) {
        recent.push(outcome.signature);
        const n = def.verification.loopDetection;
        if (recent.length >= n && recent.slice(-n).every((s) => s === outcome.signature)) {
          observation += `\n\n${AGENT_PHRASES.loopDetected}: you have run this ${n} times in a row with the same result. Try a different approach.`;
          events.push('loop_detected');
        }
      }
      if (def.prompt.budgetWarnings && !warned && (turn >= 0.75 * maxTurns || (def.budgets.tokens !== null && tokens >= 0.75 * def.budgets.tokens))) {
        warned = true;
        observation += `\n\n[budget] ${maxTurns - turn} turns left${def.budgets.tokens !== null ? `, ${Math.max(0, def.budgets.tokens - tokens)} tokens left` : ''}: finish soon.`;
        events.push('budget_warning');
      }
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: observation });
      record({ ok: outcome.ok, okRule: outcome.okRule, observation, exitCode: outcome.exitCode, bytesCut: outcome.bytesCut, events: [...pendingEvents, ...events] });
    }
  }

  /** What happens when the model calls finish: a checklist, a verification command, confirmations — or nothing. */
  private async beforeFinish(
    ctx: HarnessStepContext,
    state: { checklistSent: boolean; verifications: number; confirmations: number },
  ): Promise<{ kind: 'checklist' | 'verification' | 'confirm'; text: string; event: string; exitCode?: number | null } | null> {
    const v = this.def.verification;
    if (v.checklist && !state.checklistSent) {
      return {
        kind: 'checklist',
        event: 'checklist',
        text: `${AGENT_PHRASES.checklist}: before finishing, re-read the task and your work. Did every command you ran actually do what the task needs (not a placeholder)? Are all required files in place with the right content? Fix anything missing, then call finish again.`,
      };
    }
    if (v.command && state.verifications < v.maxVerifications) {
      const r = await ctx.sandbox.exec(v.command, { timeoutMs: this.def.tools.shell.timeoutSec * 1000, signal: ctx.signal });
      if (r.exitCode !== 0) {
        const { text } = truncateOutput(r.stdout + r.stderr, this.def.tools.outputLimit);
        return { kind: 'verification', event: 'verification_failed', exitCode: r.exitCode, text: `${AGENT_PHRASES.verificationFailed}: \`${v.command}\` ${formatExitCode(r.exitCode)}\n${text}\nThe task is not complete yet. Fix the problem, then call finish again.` };
      }
    }
    const need = this.def.loop.confirmCompletion === 'double' ? 2 : this.def.loop.confirmCompletion === 'single' ? 1 : 0;
    if (state.confirmations < need) {
      return { kind: 'confirm', event: 'confirm_completion', text: `${AGENT_PHRASES.confirm}: are you sure the task is complete? If so, call finish again.` };
    }
    return null;
  }

  private budgetHit(tokens: number, cost: number, started: number): string | null {
    const b = this.def.budgets;
    const hit = budgetExceeded(b, { tokens, costUsd: cost });
    if (hit) return budgetText(hit, '≥ budget');
    if (b.wallSec !== null && (performance.now() - started) / 1000 >= b.wallSec) return `wall time ≥ ${b.wallSec} s`;
    return null;
  }

  private note(ctx: HarnessStepContext, message: string, events: string[]): void {
    ctx.log(message);
    ctx.recorder.record({ startedAt: new Date().toISOString(), durationMs: 0, action: null, exitCode: null, ok: false, okRule: 'harness stop', observation: message, events });
  }

  private async snapshot(ctx: HarnessStepContext): Promise<string> {
    const script = [
      'echo "working directory: $(pwd)"',
      'ls -la | head -n 40',
      'echo; echo "tools:"; for t in python3 pip gcc make git node bash curl; do p=$(command -v $t) && echo "  $t: $p"; done',
      'echo; head -n 2 /etc/os-release 2>/dev/null',
    ].join('; ');
    const r = await ctx.sandbox.exec(script, { timeoutMs: 15_000, signal: ctx.signal });
    return `Environment snapshot (taken before you start):\n${truncateOutput(r.stdout + r.stderr, 4096).text}`;
  }
}

export function requireModel(name: string, model: ModelProvider | null | undefined): ModelProvider {
  if (!model) throw new HbenchError('HARNESS_INVALID', `harness "${name}" needs a model: pass --model (e.g. --model sim, --model openai:gpt-4.1-mini)`);
  return model;
}
