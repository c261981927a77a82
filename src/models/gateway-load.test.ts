/**
 * The gateway under a run's load: 64 trials' sessions streaming at once through the official SDKs (half OpenAI,
 * forwarded; half Anthropic, translated) to an upstream that streams slowly. Every stream gets its own words back,
 * every session's traffic is recorded once per call in its own record, budgets are counted per session, and nothing
 * is left open afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ECHO_USAGE, EchoModelServer } from '../test-support/echo-model-server.js';
import { driveGatewayLoad } from './gateway-load.js';

const SESSIONS = 64;
let upstream: EchoModelServer;

/** TCP sockets and servers this process holds. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

beforeEach(async () => {
  upstream = await new EchoModelServer({ chunkDelayMs: 20 }).start();
});
afterEach(() => upstream.close());

describe('the gateway with 64 concurrent streaming sessions', () => {
  it('answers every stream with its own words, records each call once in its own session, counts budgets per session, leaves nothing open', async () => {
    const before = tcpHandles();
    const result = await driveGatewayLoad({ upstreamUrl: upstream.url, tokensPerCall: ECHO_USAGE.prompt_tokens + ECHO_USAGE.completion_tokens, sessions: SESSIONS });

    // The forwarded streams really were open at the same time upstream.
    expect(upstream.peakStreaming).toBeGreaterThanOrEqual(SESSIONS / 4);
    const nonces = result.sessions.map((s) => s.nonce);
    for (const s of result.sessions) {
      // Round 1 and (for odd sessions) round 2 are answered with exactly this session's words.
      const answered = s.index % 2 ? [1, 2] : [1];
      expect(s.replies.slice(0, answered.length)).toEqual(answered.map((n) => ({ text: `echo: ${s.nonce} call ${n}` })));
      // Then the budget, this session's own, refuses: 400, never retried, recorded.
      const refused = s.replies[answered.length]!;
      expect(refused).toMatchObject({ status: 400 });
      expect((refused as { error: string }).error).toMatch(/budget exceeded: \d+ tokens used of \d+/);
      expect(s.replies).toHaveLength(answered.length + 1);

      // One traffic entry per call, in this session's record only, carrying no other session's words.
      expect(s.traffic.map((t) => t.status)).toEqual([...answered.map(() => 200), 400]);
      expect(s.traffic.every((t) => t.api === (s.sdk === 'openai' ? 'openai' : 'anthropic'))).toBe(true);
      const recorded = JSON.stringify(s.traffic);
      for (const other of nonces) if (other !== s.nonce) expect(recorded).not.toContain(other);
      expect(s.traffic[0]!.request).toMatchObject({ messages: [{ role: 'user', content: `${s.nonce} call 1` }] });
      expect(String(typeof s.traffic[0]!.response === 'string' ? s.traffic[0]!.response : JSON.stringify(s.traffic[0]!.response))).toContain(s.nonce);
    }
    // Every answered call reached the upstream once (as did the 3 warm-up calls and the direct baseline); refusals never did.
    expect(upstream.requests).toBe(3 + SESSIONS + SESSIONS / 2 + SESSIONS);

    await upstream.close();
    await expect.poll(tcpHandles, { timeout: 5_000 }).toBeLessThanOrEqual(before);
  });
});
