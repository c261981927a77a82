/**
 * The model gateway for external (command) harnesses. An HTTP server speaking the OpenAI Chat Completions and Anthropic
 * Messages APIs, streaming included. Whatever model a client names, every call goes to the run's one pinned model; the
 * real API key stays here (clients authenticate with a per-trial session token); every raw request and response is
 * recorded; each trial's token and cost budget is enforced. Containers reach it on an internal Docker network that
 * leads nowhere else.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../common/errors.js';
import { budgetExceeded, budgetText, type Budget } from '../records/budget.js';
import { anthropicError, fromAnthropicRequest, fromOpenAIRequest, openaiError, toAnthropicResponse, toAnthropicStream, toOpenAIResponse, toOpenAIStream } from './gateway-wire.js';
import type { ChatRequest, ChatResponse, ModelProvider } from './provider.js';

export interface GatewayCall {
  index: number;
  api: 'openai' | 'anthropic';
  stream: boolean;
  request: ChatRequest;
  response: ChatResponse | null;
  status: number;
  error: string | null;
  durationMs: number;
  startedAt: string;
}

export interface GatewayTraffic {
  time: string;
  api: 'openai' | 'anthropic';
  path: string;
  /** The raw request body as the client sent it. */
  request: unknown;
  /** The raw response: a JSON body, or the SSE events of a stream. */
  response: unknown;
  status: number;
  durationMs: number;
  usage: ChatResponse['usage'] | null;
  costUsd: number;
}

export interface SessionOptions {
  budget: Budget;
  onCall?(call: GatewayCall): void;
  onTraffic?(entry: GatewayTraffic): void;
}

interface Session extends SessionOptions {
  key: string;
  calls: number;
  tokens: number;
  costUsd: number;
}

export class ModelGateway {
  private server: http.Server | null = null;
  private readonly sessions = new Map<string, Session>();
  private closing: Promise<void> | null = null;
  private address: AddressInfo | null = null;

  constructor(private readonly upstream: ModelProvider) {}

  /** The pinned model's name as clients see it. */
  get modelName(): string {
    return this.upstream.id.slice(this.upstream.id.indexOf(':') + 1) || this.upstream.id;
  }

  async listen(host = '127.0.0.1', port = 0): Promise<{ host: string; port: number }> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.address = this.server.address() as AddressInfo;
    return { host: this.address.address, port: this.address.port };
  }

  /** Opens a trial's session; its token is the API key the trial's agent uses. */
  openSession(key: string, options: SessionOptions): { token: string; env: (host: string) => Record<string, string>; close(): void } {
    const token = `hbench-${randomBytes(18).toString('hex')}`;
    this.sessions.set(token, { ...options, key, calls: 0, tokens: 0, costUsd: 0 });
    const port = this.address?.port ?? 0;
    return {
      token,
      env: (host) => ({
        OPENAI_BASE_URL: `http://${host}:${port}/v1`,
        OPENAI_API_BASE: `http://${host}:${port}/v1`,
        OPENAI_API_KEY: token,
        ANTHROPIC_BASE_URL: `http://${host}:${port}`,
        ANTHROPIC_API_KEY: token,
        HBENCH_MODEL: this.modelName,
      }),
      close: () => void this.sessions.delete(token),
    };
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && url === '/health') return send(res, 200, { status: 'ok', model: this.upstream.id });
    const api: 'openai' | 'anthropic' | null = req.method === 'POST' && /\/chat\/completions$/.test(url) ? 'openai' : req.method === 'POST' && /\/messages$/.test(url) ? 'anthropic' : null;
    if (!api) return send(res, 404, openaiError(`no route ${req.method} ${url}: the gateway serves POST /v1/chat/completions and POST /v1/messages`, 'not_found'));
    const fail = (status: number, message: string, type: string) => send(res, status, api === 'openai' ? openaiError(message, type) : anthropicError(message, type));

    const auth = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || String(req.headers['x-api-key'] ?? '');
    const session = this.sessions.get(auth);
    if (!session) return fail(401, 'unknown API key: use the key hbench put in OPENAI_API_KEY / ANTHROPIC_API_KEY', 'authentication_error');

    let raw: any;
    try {
      raw = JSON.parse(await readBody(req));
    } catch {
      return fail(400, 'the request body is not valid JSON', 'invalid_request_error');
    }
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const index = session.calls++;
    const stream = raw?.stream === true;
    const parsed = api === 'openai' ? fromOpenAIRequest(raw) : fromAnthropicRequest(raw);
    const request: ChatRequest = { messages: parsed.messages, tools: parsed.tools };
    const record = (status: number, response: ChatResponse | null, body: unknown, error: string | null) => {
      const durationMs = Math.round(performance.now() - started);
      session.onTraffic?.({ time: startedAt, api, path: url, request: raw, response: body, status, durationMs, usage: response?.usage ?? null, costUsd: response?.costUsd ?? 0 });
      session.onCall?.({ index, api, stream, request, response, status, error, durationMs, startedAt });
    };

    const over = overBudget(session);
    if (over) {
      // 400, not 429: clients must stop, not retry. The trial is still verified.
      const body = api === 'openai' ? openaiError(`budget exceeded: ${over}`, 'budget_exceeded') : anthropicError(`budget exceeded: ${over}`, 'invalid_request_error');
      record(400, null, body, `budget exceeded: ${over}`);
      return send(res, 400, body);
    }
    let response: ChatResponse;
    try {
      response = await this.upstream.chat(request);
    } catch (err) {
      const message = `upstream model error: ${errorMessage(err)}`;
      const body = api === 'openai' ? openaiError(message, 'upstream_error') : anthropicError(message, 'api_error');
      record(502, null, body, message);
      return send(res, 502, body);
    }
    session.tokens += response.usage.input + response.usage.output;
    session.costUsd += response.costUsd;
    const id = api === 'openai' ? `chatcmpl-${randomUUID()}` : `msg_${randomUUID().replace(/-/g, '')}`;
    const model = this.modelName;
    if (stream) {
      const events = api === 'openai' ? toOpenAIStream(response, id, model, raw?.stream_options?.include_usage === true) : toAnthropicStream(response, id, model);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      for (const e of events) res.write(e);
      res.end();
      record(200, response, events.join(''), null);
      return;
    }
    const body = api === 'openai' ? toOpenAIResponse(response, id, model) : toAnthropicResponse(response, id, model);
    send(res, 200, body);
    record(200, response, body, null);
  }
}

function overBudget(s: Session): string | null {
  const hit = budgetExceeded(s.budget, { tokens: s.tokens, costUsd: s.costUsd });
  return hit ? budgetText(hit, 'used of') : null;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => resolve(raw));
    req.on('error', reject);
  });
}
