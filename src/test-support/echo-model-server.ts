/**
 * A local OpenAI-compatible Chat Completions server for load tests: every answer echoes the last user message
 * ("echo: <text>"), a stream sending it word by word, one every `chunkDelayMs` (so many streams really are open at
 * once; a word is never split, so a recorded stream can be searched for it), usage last. What each request said is not kept: only counts, so thousands of calls cost nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServerOptions {
  chunkDelayMs?: number;
}

/** Tokens the echo server reports for every call (input, output). */
export const ECHO_USAGE = { prompt_tokens: 40, completion_tokens: 10 } as const;

export class EchoModelServer {
  url = '';
  requests = 0;
  /** Streams being sent right now, and the most at once. */
  streaming = 0;
  peakStreaming = 0;
  private server: http.Server | null = null;

  constructor(private readonly options: EchoServerOptions = {}) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => void this.answer(raw, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Connections the server holds open now. */
  connections(): Promise<number> {
    return new Promise((resolve, reject) => this.server!.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async answer(raw: string, res: http.ServerResponse): Promise<void> {
    this.requests++;
    const body = JSON.parse(raw) as { model?: string; stream?: boolean; messages?: Array<{ role: string; content: unknown }> };
    const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
    const said = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
    const text = `echo: ${said}`;
    const model = body.model ?? 'echo';
    const usage = { ...ECHO_USAGE, total_tokens: ECHO_USAGE.prompt_tokens + ECHO_USAGE.completion_tokens, prompt_tokens_details: { cached_tokens: 0 } };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'chatcmpl-echo', object: 'chat.completion', created: 1, model, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: text } }], usage }));
      return;
    }
    this.streaming++;
    this.peakStreaming = Math.max(this.peakStreaming, this.streaming);
    try {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'chatcmpl-echo', object: 'chat.completion.chunk', created: 1, model };
      const send = (data: object) => res.write(`data: ${JSON.stringify({ ...base, ...data })}\n\n`);
      send({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
      for (const word of text.split(/(?= )/)) {
        if (this.options.chunkDelayMs) await new Promise((r) => setTimeout(r, this.options.chunkDelayMs));
        if (res.destroyed) return;
        send({ choices: [{ index: 0, delta: { content: word }, finish_reason: null }] });
      }
      send({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      send({ choices: [], usage });
      res.end('data: [DONE]\n\n');
    } finally {
      this.streaming--;
    }
  }
}
