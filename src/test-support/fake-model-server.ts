/**
 * A local HTTP server that answers like a model API, from a script of responses, and records what it was sent.
 * Used to test the providers (and the gateway) against the real wire formats with the official SDKs. It also plays
 * the faults a long run meets: a scripted response can be a fault (`fault`), and `outage()` fails every request until
 * `heal()`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
  /** Wait this long before answering (to test aborts and timeouts). */
  delayMs?: number;
  /** Answer as a server-sent event stream of these (already framed) events instead of `body`. */
  sse?: string[];
  /** Fail instead of answering (see FaultKind). */
  fault?: FaultKind;
  /** `cut`: events of `sse` sent before the socket is destroyed (default 1); without `sse`, half the body is sent. */
  cutAfter?: number;
}

/**
 * `reset`: the socket is destroyed before any byte of an answer; `hang`: no answer ever (until the client gives up or
 * the server closes); `malformed`: HTTP 200 whose body (or, with `sse`, one event after the first) is not JSON; `cut`:
 * the answer starts (status, headers, some of `sse` or of the body) and the socket is destroyed mid-way.
 */
export type FaultKind = 'reset' | 'hang' | 'malformed' | 'cut';

/** What an outage does to every request: a fault, an HTTP status with an error body, or `refuse` (nothing listens). */
export type OutageKind = 'reset' | 'hang' | 'refuse' | { status: number; headers?: Record<string, string> };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** How the server failed this request (a scripted fault or an outage), absent when it answered. */
  failed?: string;
}

export class FakeModelServer {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptedResponse[] = [];
  private server: http.Server | null = null;
  url = '';

  private responder: ((request: RecordedRequest) => ScriptedResponse) | null = null;
  private down: OutageKind | null = null;
  private port = 0;

  reply(...responses: ScriptedResponse[]): this {
    this.script.push(...responses);
    return this;
  }

  /** Answer every request not covered by the script from what it asks (a scripted "model" for real agents). */
  respond(fn: (request: RecordedRequest) => ScriptedResponse): this {
    this.responder = fn;
    return this;
  }

  /** Every request fails this way until heal(); the script and responder wait. `refuse` stops listening. */
  async outage(kind: OutageKind = 'reset'): Promise<this> {
    this.down = kind;
    if (kind === 'refuse' && this.server?.listening) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
    return this;
  }

  /** Ends an outage: requests are answered from the script (or responder) again, on the same port. */
  async heal(): Promise<this> {
    const was = this.down;
    this.down = null;
    if (was === 'refuse' && this.server && !this.server.listening) await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    return this;
  }

  get isDown(): boolean {
    return this.down !== null;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const request: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : null };
        this.requests.push(request);
        const down = this.down;
        const next: ScriptedResponse =
          down === null
            ? (this.script.shift() ?? this.responder?.(request) ?? { status: 500, body: { error: { message: 'fake server: no scripted response left' } } })
            : typeof down === 'string'
              ? { fault: down === 'refuse' ? 'reset' : down, body: null }
              : { status: down.status, headers: down.headers, body: errorBody(request.url, down.status, 'outage') };
        if (down !== null) request.failed = `outage: ${typeof down === 'string' ? down : down.status}`;
        else if (next.fault) request.failed = next.fault;
        const send = () => {
          if (res.destroyed) return;
          if (next.fault) return fail(next, req, res);
          if (next.sse) {
            res.writeHead(next.status ?? 200, { 'content-type': 'text/event-stream', ...next.headers });
            for (const e of next.sse) res.write(e);
            res.end();
            return;
          }
          res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers });
          res.end(JSON.stringify(next.body));
        };
        if (next.delayMs) setTimeout(send, next.delayMs).unref();
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  async close(): Promise<void> {
    this.down = null;
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server?.listening ? this.server.close(() => resolve()) : resolve()));
  }
}

function fail(next: ScriptedResponse, req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (next.fault) {
    case 'reset':
      req.socket.destroy();
      return;
    case 'hang':
      return;
    case 'malformed':
      if (next.sse) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`${next.sse[0] ?? ''}data: {"id": "broken", "choi\n\n`);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "broken", "choi');
      }
      return;
    case 'cut': {
      if (next.sse) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const e of next.sse.slice(0, next.cutAfter ?? 1)) res.write(e);
      } else {
        const data = JSON.stringify(next.body);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
        res.write(data.slice(0, Math.floor(data.length / 2)));
      }
      // After the bytes above have left: the client sees an answer begin, then the connection die.
      setTimeout(() => req.socket.destroy(), 20).unref();
      return;
    }
  }
}

/** An error body in the wire format the request's path speaks. */
export function errorBody(url: string, status: number, message: string): unknown {
  if (/\/messages/.test(url)) return { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : 'api_error', message } };
  return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error' } };
}

export function openaiCompletion(message: Record<string, unknown>, usage = { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 40 } }, finish = 'tool_calls') {
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4.1-mini', choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: null, ...message } }], usage: { total_tokens: 0, ...usage } };
}

export function anthropicMessage(content: unknown[], usage = { input_tokens: 80, output_tokens: 15, cache_read_input_tokens: 20 }, stop = 'tool_use') {
  return { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content, stop_reason: stop, stop_sequence: null, usage };
}

/** The server-sent events an Anthropic server would stream for this message. */
export function anthropicStream(message: ReturnType<typeof anthropicMessage>): string[] {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const out = [ev('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 0 } } })];
  (message.content as Array<Record<string, unknown>>).forEach((block, index) => {
    if (block.type === 'text') {
      out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }), ev('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } }));
    } else {
      out.push(ev('content_block_start', { index, content_block: { ...block, input: {} } }), ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }));
    }
    out.push(ev('content_block_stop', { index }));
  });
  out.push(ev('message_delta', { delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: message.usage.output_tokens } }), ev('message_stop', {}));
  return out;
}

/** The server-sent events an OpenAI-compatible server would stream for this completion (usage last). */
export function openaiStream(completion: ReturnType<typeof openaiCompletion>): string[] {
  const base = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model };
  const choice = completion.choices[0]!;
  const msg = choice.message as { content?: string | null; tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }> };
  const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const out = [chunk({ role: 'assistant', content: '' })];
  if (msg.content) out.push(chunk({ content: msg.content }));
  (msg.tool_calls ?? []).forEach((c, index) => out.push(chunk({ tool_calls: [{ index, ...c }] })));
  out.push(chunk({}, choice.finish_reason), `data: ${JSON.stringify({ ...base, choices: [], usage: completion.usage })}\n\n`, 'data: [DONE]\n\n');
  return out;
}
