/**
 * The built-in SIMULATED model, for offline runs, demos and the project's own tests. It is not a language model.
 *
 * It knows the task's reference solution (handed to its constructor by the runner, looked up by the trial and task step
 * each request names) and issues it one command at a time through
 * whatever shell tool the harness offers. At each command, with probability `mistakeRate`, it makes a mistake: a
 * command that fails (loudly, with an error message, or quietly, with only a non-zero exit code) or a wrong one that
 * silently succeeds. It reacts only to what the harness shows it:
 * - it retries a command after a failure it can see (an exit code or an error message in the observation); it keeps
 *   retrying a command that cannot work (because an earlier one was faked) until the harness says it is looping,
 *   then steps back and redoes the faked command it can still see;
 * - it cannot notice a quiet failure when the harness hides exit codes;
 * - it finds its place from the commands it can still see succeed; when the harness drops those from the context
 *   without a summary, it starts over;
 * - a pre-completion checklist makes it re-read its visible work and redo commands it faked; a failed verification
 *   command makes it redo the whole plan (at most twice).
 * Everything is deterministic given the seed and the transcript.
 */
import { createHash } from 'node:crypto';
import { mulberry32 } from '../../common/prng.js';
import { AGENT_PHRASES, EXIT_CODE_LINE } from '../../records/agent-phrases.js';
import { SIMULATED_LABEL } from '../../records/model.js';
import type { ChatMessage, ChatRequest, ChatResponse, ModelParams, ModelProvider, ToolCall, ToolSpec } from '../provider.js';
import { actionCall, call, heredoc, type Kind, type PlanAction } from './actions.js';
import { simProfile, type SimProfile } from './profiles.js';

/** A task step's reference solution as the simulated model plays it: files to write, then commands to type. */
export interface SimSolution {
  commands: string[];
  files: Array<{ path: string; content: string }>;
}

/** Looks up the reference solution of a task step (null when it has none). */
export type ReferenceSolutions = (taskId: string, taskStep: string) => Promise<SimSolution | null>;

export interface SimulatedModelOptions {
  /** Chance of a mistake at each command. */
  mistakeRate?: number;
  /** Share of mistakes that silently succeed (the rest fail, half loudly, half quietly). */
  silentShare?: number;
  /** Chance of a reply with malformed tool-call JSON. */
  malformedRate?: number;
  profile?: string;
  /** The run's seed, mixed into every draw; the same for every harness, so variants face the same draws. */
  runSeed?: string;
  solutions?: ReferenceSolutions;
}

interface Situation {
  /** `<run seed>:<task>:<trial>:<step>`. */
  seed: string;
  solution: SimSolution | null;
}


interface VisibleCall {
  id: string;
  replay: number;
  pos: number;
  kind: Kind;
  result: string | undefined;
}

export class SimulatedModel implements ModelProvider {
  readonly id: string;
  readonly simulated = true;
  readonly label = SIMULATED_LABEL;
  readonly params: ModelParams;
  private readonly mistakeRate: number;
  private readonly silentShare: number;
  private readonly malformedRate: number;
  private readonly runSeed: string;
  private readonly solutions: ReferenceSolutions;
  private readonly profile: SimProfile;

  constructor(options: SimulatedModelOptions = {}, params: Partial<ModelParams> = {}) {
    this.profile = simProfile(options.profile ?? 'default');
    this.mistakeRate = options.mistakeRate ?? this.profile.mistakeRate;
    this.silentShare = options.silentShare ?? this.profile.silentShare;
    this.malformedRate = options.malformedRate ?? this.profile.malformedRate;
    for (const [k, v] of Object.entries({ mistakeRate: this.mistakeRate, silentShare: this.silentShare, malformedRate: this.malformedRate })) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`simulated model: ${k} must be between 0 and 1 (got ${v})`);
    }
    this.id = `sim:${options.profile ?? 'default'}`;
    this.runSeed = options.runSeed ?? '1';
    this.solutions = options.solutions ?? (async () => null);
    this.params = { temperature: null, maxTokens: 4096, seed: null, reasoningEffort: null, ...params };
  }

  settings(): Record<string, unknown> {
    return {
      id: this.id,
      label: SIMULATED_LABEL,
      mistakeRate: this.mistakeRate,
      silentShare: this.silentShare,
      malformedRate: this.malformedRate,
      pricePerMTok: { ...this.profile.pricePerMTok, simulated: true },
      latencyMs: this.profile.latencyMs,
    };
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    request.signal?.throwIfAborted();
    const c = request.call;
    const situation: Situation | null = c ? { seed: `${this.runSeed}:${c.trial.taskId}:${c.trial.trial}:${c.taskStep}`, solution: await this.solutions(c.trial.taskId, c.taskStep) } : null;
    const reply = this.decide(request, situation);
    const inputChars = request.messages.reduce((a, m) => a + m.content.length, 0) + JSON.stringify(request.tools).length;
    const outputChars = reply.text.length + reply.toolCalls.reduce((a, c) => a + c.rawArguments.length + c.name.length, 0);
    const usage = { input: Math.ceil(inputChars / 4), output: Math.ceil(outputChars / 4) + 5, cached: 0 };
    // A nominal price and a deterministic latency, so cost and wall-time budgets bind as they would with a real model.
    const { pricePerMTok: price, latencyMs } = this.profile;
    await abortableSleep(latencyMs.perCall + latencyMs.perOutputToken * usage.output, request.signal);
    return {
      text: reply.text,
      toolCalls: reply.toolCalls,
      stopReason: reply.toolCalls.length ? 'tool_calls' : 'stop',
      usage,
      costUsd: (usage.input * price.input + usage.output * price.output) / 1e6,
      model: this.id,
      retries: 0,
    };
  }

  private decide(request: ChatRequest, sim: Situation | null): { text: string; toolCalls: ToolCall[] } {
    const tools = detectTools(request.tools);
    if (!sim?.solution || !tools.shell) {
      const text = 'I cannot solve this task: I have no way to act on it.';
      return { text, toolCalls: tools.finish ? [call('sim-r0-p0-a0-finish', tools.finish, {})] : [] };
    }
    const plan = scriptActions(sim.solution, Boolean(tools.write));
    const calls = visibleCalls(request.messages);
    const texts = request.messages.filter((m) => m.role === 'user' || m.role === 'tool').map((m) => m.content);
    const replay = Math.min(2, texts.filter((t) => t.includes(AGENT_PHRASES.verificationFailed)).length);
    const current = calls.filter((c) => c.replay === replay);

    // Where am I? The furthest plan step whose command I can still see succeed.
    let pointer = 0;
    for (const c of current) if (c.kind !== 'fix' && c.kind !== 'finish' && c.kind !== 'malformed' && succeeded(c.result)) pointer = Math.max(pointer, c.pos + 1);
    if (current.length === 0 && replay === 0) {
      // Only a summary can tell me what was done before the visible window.
      const summary = texts.find((t) => t.includes(AGENT_PHRASES.summary));
      if (summary) {
        const done = new Set(summary.split('\n').filter((l) => l.startsWith('✓ ')).map((l) => l.slice(2).trim()));
        plan.forEach((a, i) => {
          if (done.has(oneLine(describeAction(a)))) pointer = Math.max(pointer, i + 1);
        });
      }
    }
    const rand = mulberry32(seedOf(sim.seed, replay, pointer, current.filter((c) => c.pos === pointer).length));
    const lastTool = [...request.messages].reverse().find((m) => m.role === 'tool');
    const nudged = lastTool?.content.includes(AGENT_PHRASES.loopDetected) ?? false;
    const fixed = new Set(current.filter((c) => c.kind === 'fix' && succeeded(c.result)).map((c) => c.pos));
    const faked = current.find((c) => c.kind === 'silent' && !fixed.has(c.pos));
    const fix = (pos: number, why: string) => ({ text: why, toolCalls: [actionCall(`sim-r${replay}-p${pos}-a0-fix`, plan[pos]!, 'ok', tools)] });

    // Told it is looping, it steps back and re-reads its work: an earlier command it faked is redone.
    if (nudged && faked && faked.pos < pointer) return fix(faked.pos, `I am stuck; step ${faked.pos + 1} was never really done. Doing it now.`);

    if (pointer < plan.length) {
      const action = plan[pointer]!;
      const attempts = current.filter((c) => c.pos === pointer && c.kind !== 'finish').length;
      const id = (kind: Kind) => `sim-r${replay}-p${pointer}-a${attempts}-${kind}`;
      const text = `${attempts ? 'That did not work; trying again' : `Step ${pointer + 1} of ${plan.length}`}.`;
      if (rand() < this.malformedRate) return { text, toolCalls: [{ id: id('malformed'), name: tools.shell.name, arguments: null, rawArguments: '{"command": ' }] };
      // A loop nudge makes it do the command carefully; a visible failure makes it a little more careful.
      const mistakeChance = nudged ? 0 : attempts > 0 ? this.mistakeRate / 2 : this.mistakeRate;
      let kind: Kind = 'ok';
      if (rand() < mistakeChance) kind = rand() < this.silentShare ? 'silent' : rand() < 0.5 ? 'loud' : 'quiet';
      return { text, toolCalls: [actionCall(id(kind), action, kind, tools)] };
    }

    // Plan done. After a checklist, redo the visible commands it faked.
    if (faked && texts.some((t) => t.includes(AGENT_PHRASES.checklist))) return fix(faked.pos, `Re-checking step ${faked.pos + 1}: it was not done properly.`);
    const finish = tools.finish;
    if (!finish) return { text: 'DONE', toolCalls: [] };
    return { text: 'The task is complete.', toolCalls: [call(`sim-r${replay}-p${plan.length}-a0-finish`, finish, { summary: 'done' })] };
  }
}

interface DetectedTools {
  shell: ToolSpec | undefined;
  write: ToolSpec | undefined;
  finish: ToolSpec | undefined;
}

function detectTools(tools: ToolSpec[]): DetectedTools {
  const props = (t: ToolSpec) => Object.keys(((t.parameters as { properties?: Record<string, unknown> }).properties ?? {}) as object);
  return {
    shell: tools.find((t) => props(t).includes('command')),
    write: tools.find((t) => props(t).includes('path') && props(t).includes('content')),
    finish: tools.find((t) => t.name === 'finish'),
  };
}

function scriptActions(solution: SimSolution, hasWriteTool: boolean): PlanAction[] {
  const files: PlanAction[] = solution.files.map((f) =>
    hasWriteTool ? { kind: 'write', path: f.path, content: f.content } : { kind: 'shell', command: heredoc(f.path, f.content) },
  );
  // Solution commands arrive already split into what an agent would type at once (see harness/layered).
  const commands: PlanAction[] = solution.commands.map((command) => ({ kind: 'shell', command }));
  return [...files, ...commands];
}

function visibleCalls(messages: ChatMessage[]): VisibleCall[] {
  const results = new Map<string, string>();
  for (const m of messages) if (m.role === 'tool') results.set(m.toolCallId, m.content);
  const out: VisibleCall[] = [];
  for (const m of messages) {
    if (m.role !== 'assistant') continue;
    for (const c of m.toolCalls ?? []) {
      const match = /^sim-r(\d+)-p(\d+)-a\d+-(\w+)$/.exec(c.id);
      if (!match) continue;
      out.push({ id: c.id, replay: Number(match[1]), pos: Number(match[2]), kind: match[3] as Kind, result: results.get(c.id) });
    }
  }
  return out;
}

/** What the model can tell from an observation: an exit code when shown, else error text, else success. */
export function succeeded(result: string | undefined): boolean {
  if (result === undefined) return false;
  const m = EXIT_CODE_LINE.exec(result);
  if (m) return m[1] === '0';
  return !/command not found|No such file|not found|[Ee]rror|Traceback|fatal:|cannot|denied/.test(result);
}

function describeAction(a: PlanAction): string {
  return a.kind === 'shell' ? a.command : `write ${a.path}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function seedOf(seed: string, replay: number, pointer: number, attempt: number): number {
  return createHash('sha256').update(`${seed}|${replay}|${pointer}|${attempt}`).digest().readUInt32LE(0);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    const onAbort = () => (clearTimeout(timer), reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
