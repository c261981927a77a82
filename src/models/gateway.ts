/**
 * The model gateway for external (command) harnesses. An HTTP server speaking the OpenAI Chat Completions, OpenAI
 * Responses and Anthropic Messages APIs, streaming included. Whatever model a client names, every call goes to the run's one pinned model; the
 * real API key stays here (clients authenticate with a per-trial session token); every raw request and response is
 * recorded; each trial's token and cost budget is enforced. Containers reach it on an internal Docker network that
 * leads nowhere else.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../common/errors.js';
import { budgetExceeded, budgetText, type Budget } from '../records/budget.js';
import { ModelUnreachableError } from './errors.js';
import { fromResponsesRequest, responseAsMessage, toResponsesResponse, toResponsesStream, type ResponsesIds } from './gateway-responses.js';
import { anthropicError, fromAnthropicRequest, fromOpenAIRequest, openaiError, toAnthropicResponse, toAnthropicStream, toOpenAIResponse, toOpenAIStream } from './gateway-wire.js';
import type { ChatMessage, ChatRequest, ChatResponse, ForwardResult, ModelProvider } from './provider.js';

/** The wire format of a call: OpenAI Chat Completions, OpenAI Responses, Anthropic Messages, or a path not served. */
export type GatewayApi = 'openai' | 'responses' | 'anthropic' | 'unsupported';

/**
 * How a call ended: answered; refused because the trial's budget is spent (the agent's own doing); or refused for a
 * reason that is ours or the upstream's — an endpoint the gateway does not serve, a request it cannot read, the
 * pinned model refusing (`upstream-error`) or unreachable after the provider's bounded retries
 * (`upstream-unreachable`). The last kinds make the trial an infrastructure error, never an agent failure.
 */
export type GatewayOutcome = 'ok' | 'budget' | 'unsupported' | 'bad-request' | 'upstream-error' | 'upstream-unreachable';

export interface GatewayCall {
  index: number;
  api: GatewayApi;
  stream: boolean;
  request: ChatRequest;
  response: ChatResponse | null;
  status: number;
  outcome: GatewayOutcome;
  error: string | null;
  durationMs: number;
  startedAt: string;
}

export interface GatewayTraffic {
  time: string;
  api: GatewayApi;
  path: string;
  /** The raw request body as the client sent it. */
  request: unknown;
  /** The raw response: a JSON body, or the SSE events of a stream. */
  response: unknown;
  status: number;
  durationMs: number;
  usage: ChatResponse['usage'] | null;
  costUsd: number;
  /**
   * `forwarded`: the client spoke the upstream's own API, so its request went on as sent except `changed` (the model,
   * and for streams the request for usage); `translated`: rebuilt from the common chat shape for another API.
   */
  mode?: 'forwarded' | 'translated';
  forwardedRequest?: unknown;
  changed?: string[];
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
  /** Conversations of the Responses API calls served (for `previous_response_id`), the latest last. */
  responses: Map<string, ChatMessage[]>;
  /**
   * Set when the upstream was unreachable after its retries: the trial is already an error, so later calls of this
   * trial are refused at once instead of retrying the upstream again (a client's own retries multiply nothing).
   */
  unreachable: string | null;
}

/** Responses kept per trial for `previous_response_id`. */
const KEPT_RESPONSES = 64;
const ROUTES = 'POST /v1/chat/completions, POST /v1/responses, POST /v1/messages (and /count_tokens) and GET /v1/models';

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
    this.sessions.set(token, { ...options, key, calls: 0, tokens: 0, costUsd: 0, responses: new Map(), unreachable: null });
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
    if (req.method === 'GET' && /\/models$/.test(url)) {
      return send(res, 200, { object: 'list', data: [{ id: this.modelName, object: 'model', created: 0, owned_by: 'hbench-gateway' }] });
    }
    const api: GatewayApi =
      req.method !== 'POST' ? 'unsupported' : /\/chat\/completions$/.test(url) ? 'openai' : /\/responses$/.test(url) ? 'responses' : /\/messages(\/count_tokens)?$/.test(url) ? 'anthropic' : 'unsupported';
    const errorBody = (message: string, type: string) => (api === 'anthropic' ? anthropicError(message, type) : openaiError(message, type));

    const auth = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || String(req.headers['x-api-key'] ?? '');
    const session = this.sessions.get(auth);
    if (!session) {
      if (api === 'unsupported') return send(res, 404, errorBody(`no route ${req.method} ${url}: the gateway serves ${ROUTES}`, 'not_found'));
      return send(res, 401, errorBody('unknown API key: use the key hbench put in OPENAI_API_KEY / ANTHROPIC_API_KEY', 'authentication_error'));
    }
    // Token counting (Claude Code asks before long requests): an estimate from the text, recorded but not a model call.
    if (api === 'anthropic' && /\/messages\/count_tokens$/.test(url)) {
      const text = await readBody(req);
      if (text === null) return send(res, 413, errorBody(`the request body is larger than the gateway's cap of ${MAX_REQUEST_BYTES / 1024 / 1024} MiB`, 'request_too_large'));
      const body = { input_tokens: Math.ceil(Buffer.byteLength(text) / 4) };
      session.onTraffic?.({ time: new Date().toISOString(), api, path: url, request: safeJson(text), response: body, status: 200, durationMs: 0, usage: null, costUsd: 0 });
      return send(res, 200, body);
    }
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const index = session.calls++;
    let raw: any = null;
    let stream = false;
    let request: ChatRequest = { messages: [], tools: [] };
    const record = (status: number, outcome: GatewayOutcome, response: ChatResponse | null, body: unknown, error: string | null, how?: Pick<GatewayTraffic, 'mode' | 'forwardedRequest' | 'changed'>) => {
      const durationMs = Math.round(performance.now() - started);
      session.onTraffic?.({ time: startedAt, api, path: url, request: raw, response: body, status, durationMs, usage: response?.usage ?? null, costUsd: response?.costUsd ?? 0, ...how });
      session.onCall?.({ index, api, stream, request, response, status, outcome, error, durationMs, startedAt });
    };
    const refuse = (status: number, outcome: GatewayOutcome, message: string, type: string) => {
      const body = errorBody(message, type);
      record(status, outcome, null, body, message);
      send(res, status, body);
    };
    // 503 for an unreachable upstream (the client may retry: it is answered at once, see Session.unreachable).
    const upstreamFailed = (err: unknown) => {
      if (!(err instanceof ModelUnreachableError)) return refuse(502, 'upstream-error', `upstream model error: ${errorMessage(err)}`, api === 'anthropic' ? 'api_error' : 'upstream_error');
      session.unreachable = errorMessage(err);
      return refuse(503, 'upstream-unreachable', `upstream model unreachable: ${session.unreachable}`, api === 'anthropic' ? 'overloaded_error' : 'upstream_unreachable');
    };

    // An endpoint the gateway does not serve is recorded in the trial's traffic: the trial becomes an error.
    if (api === 'unsupported') return refuse(404, 'unsupported', `no route ${req.method} ${url}: the gateway serves ${ROUTES}`, 'not_found');
    const text = await readBody(req);
    // The agent's own doing, like a budget: its trial goes on (and fails or not on its merits), never an excluded error.
    if (text === null) return refuse(413, 'budget', `the request body is larger than the gateway's cap of ${MAX_REQUEST_BYTES / 1024 / 1024} MiB`, 'request_too_large');
    try {
      raw = JSON.parse(text);
    } catch {
      raw = text.slice(0, 4096);
      return refuse(400, 'bad-request', 'the request body is not valid JSON', 'invalid_request_error');
    }
    stream = raw?.stream === true;
    let responses: ReturnType<typeof fromResponsesRequest> | null = null;
    if (api === 'responses') {
      responses = fromResponsesRequest(raw);
      let history: ChatMessage[] = [];
      if (responses.previousResponseId) {
        const kept = session.responses.get(responses.previousResponseId);
        if (!kept) return refuse(400, 'bad-request', `previous_response_id ${responses.previousResponseId} is not a response this trial was given`, 'invalid_request_error');
        history = kept;
      }
      // As the Responses API does: the earlier conversation is carried over, its instructions are not.
      const [first, ...rest] = responses.messages;
      const earlier = history.filter((m) => m.role !== 'system');
      request = { messages: first?.role === 'system' ? [first, ...earlier, ...rest] : [...earlier, ...responses.messages], tools: responses.tools };
    } else {
      const parsed = api === 'openai' ? fromOpenAIRequest(raw) : fromAnthropicRequest(raw);
      request = { messages: parsed.messages, tools: parsed.tools };
    }

    if (session.unreachable) return refuse(503, 'upstream-unreachable', `upstream model unreachable earlier in this trial, not asked again: ${session.unreachable}`, api === 'anthropic' ? 'overloaded_error' : 'upstream_unreachable');
    const over = overBudget(session);
    // 400, not 429: clients must stop, not retry. The trial is still verified.
    if (over) return refuse(400, 'budget', `budget exceeded: ${over}`, api === 'anthropic' ? 'invalid_request_error' : 'budget_exceeded');
    // The client speaks the upstream's own API: forward its request as sent (fidelity), changing only the model.
    if (api !== 'responses' && this.upstream.forward && this.upstream.wireApi === api) {
      let result: ForwardResult;
      try {
        result = await this.upstream.forward({ body: raw, headers: meaningfulHeaders(req) });
      } catch (err) {
        return upstreamFailed(err);
      }
      session.tokens += result.response.usage.input + result.response.usage.output;
      session.costUsd += result.response.costUsd;
      if (result.events) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        for (const e of result.events) res.write(e);
        res.end();
      } else send(res, 200, result.body);
      record(200, 'ok', result.response, result.events ? result.events.join('') : result.body, null, { mode: 'forwarded', forwardedRequest: result.forwarded, changed: result.changed });
      return;
    }
    let response: ChatResponse;
    try {
      response = await this.upstream.chat(request);
    } catch (err) {
      return upstreamFailed(err);
    }
    session.tokens += response.usage.input + response.usage.output;
    session.costUsd += response.costUsd;
    const model = this.modelName;
    let body: unknown;
    let events: string[] | null = null;
    if (api === 'responses') {
      const ids = responsesIds();
      session.responses.set(ids.response, [...request.messages, responseAsMessage(response)]);
      if (session.responses.size > KEPT_RESPONSES) session.responses.delete(session.responses.keys().next().value!);
      if (stream) events = toResponsesStream(response, ids, model, raw, responses!.customTools);
      else body = toResponsesResponse(response, ids, model, raw, responses!.customTools);
    } else {
      const id = api === 'openai' ? `chatcmpl-${randomUUID()}` : `msg_${randomUUID().replace(/-/g, '')}`;
      if (stream) events = api === 'openai' ? toOpenAIStream(response, id, model, raw?.stream_options?.include_usage === true) : toAnthropicStream(response, id, model);
      else body = api === 'openai' ? toOpenAIResponse(response, id, model) : toAnthropicResponse(response, id, model);
    }
    if (events) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      for (const e of events) res.write(e);
      res.end();
      record(200, 'ok', response, events.join(''), null, { mode: 'translated' });
      return;
    }
    send(res, 200, body);
    record(200, 'ok', response, body, null, { mode: 'translated' });
  }
}

/** Client headers with meaning upstream (never the client's key: the gateway's own key goes upstream). */
function meaningfulHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['anthropic-beta', 'anthropic-version', 'openai-beta']) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 4096);
  }
}

function responsesIds(): ResponsesIds {
  const hex = () => randomBytes(24).toString('hex');
  return { response: `resp_${hex()}`, item: (prefix) => `${prefix}_${hex()}` };
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

/** The largest request body the gateway reads (an agent cannot make the runner hold gigabytes in memory). */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/** The body as text, or null when it is larger than `max` (the rest is read and dropped, so memory stays bounded). */
function readBody(req: http.IncomingMessage, max = MAX_REQUEST_BYTES): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes <= max) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(bytes <= max ? Buffer.concat(chunks).toString() : null));
    req.on('error', reject);
  });
}
