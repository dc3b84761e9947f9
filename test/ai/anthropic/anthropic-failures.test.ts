import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AiProvider } from '../../../src/plugins/interfaces/ai-provider.js';
import type { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import { capturingLogger } from '../../support/logger.js';
import {
  apiErrorFault,
  overloadedFault,
  rateLimitFault,
} from '../../vendors/anthropic/anthropic-json.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../../vendors/anthropic/anthropic-server.js';
import { anthropicProvider, callOptions, filler, request, userText } from './anthropic-setup.js';

const WRONG_KEY = 'sk-ant-api03-wrongKeyThatMustNeverBeShown-0123456789abcdef';
// No secrets are given to the logger: the scans below prove the adapter never logs a key.
const { logger, lines } = capturingLogger();
let server: AnthropicServer;
const allGuards: Guards[] = [];

/** A provider on the local server with its own guard (fresh breaker and counters). */
function provider(options: { apiKey?: string; guard?: Partial<GuardSettings> } = {}): AiProvider {
  const built = anthropicProvider(server, logger, options);
  allGuards.push(built.guards);
  return built.provider;
}
const call = () => callOptions(logger);
const messageRequests = () => server.requests.filter((r) => r.operationId === 'messages/create');

beforeAll(async () => {
  server = await startAnthropicServer();
});
beforeEach(() => server.reset());
afterEach(() => {
  expect(server.violations).toEqual([]);
  for (const guards of allGuards.splice(0)) guards.shutdown();
});
afterAll(async () => {
  await server.close();
  const leaked = lines.filter((l) => l.includes(server.apiKey) || l.includes(WRONG_KEY));
  expect(leaked).toEqual([]);
});

describe('anthropic provider: failures', () => {
  it('waits as long as a 429 Retry-After asks, then succeeds', async () => {
    server.inject(rateLimitFault(1));
    const started = Date.now();
    const answer = await provider().complete(request(), call());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(answer.stopReason).toBe('end_turn');
    expect(messageRequests().map((r) => r.status)).toEqual([429, 200]);
  });

  it('retries 529 overloaded in the guard only: one request per attempt, SDK retry count always 0', async () => {
    server.inject(overloadedFault(2));
    const answer = await provider({ guard: { retries: 3 } }).complete(request(), call());
    expect(answer.content).toEqual([{ type: 'text', text: 'Done.' }]);
    const seen = messageRequests();
    expect(seen.map((r) => r.status)).toEqual([529, 529, 200]);
    expect(seen.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '0', '0']);
  });

  it('gives up with overloaded (retryable) when Anthropic stays overloaded', async () => {
    server.inject(overloadedFault(5));
    await expect(
      provider({ guard: { retries: 1 } }).complete(request(), call()),
    ).rejects.toMatchObject({
      name: 'VendorError',
      code: 'overloaded',
      status: 529,
      retryable: true,
    });
    expect(messageRequests()).toHaveLength(2);
  });

  it('opens the breaker on repeated 5xx, refuses without calling, and closes after a good probe', async () => {
    const claude = provider({ guard: { retries: 0, breakerVolume: 4, breakerResetMs: 300 } });
    server.inject(apiErrorFault(4));
    for (let i = 0; i < 4; i++)
      await expect(claude.complete(request(), call())).rejects.toMatchObject({
        code: 'unavailable',
        retryable: true,
      });
    await expect(claude.complete(request(), call())).rejects.toMatchObject({
      code: 'circuit_open',
    });
    expect(messageRequests()).toHaveLength(4);
    // The breaker lets a probe through once its reset time has passed: wait for that, not a time.
    const guard = allGuards.at(-1)?.for('anthropic', server.url);
    await vi.waitFor(() => expect(guard?.state()).toBe('half_open'), { timeout: 10_000 });
    await expect(claude.complete(request(), call())).resolves.toMatchObject({
      stopReason: 'end_turn',
    });
    expect(allGuards.at(-1)?.for('anthropic', server.url).state()).toBe('closed');
  });

  it('reports a bad key as unauthorized, naming ANTHROPIC_API_KEY and never the key', async () => {
    const claude = provider({ apiKey: WRONG_KEY });
    const failure = await claude.complete(request(), call()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    const message = (failure as Error).message;
    expect(message).toContain('ANTHROPIC_API_KEY');
    expect(message).toContain('invalid x-api-key');
    expect(message).not.toContain(WRONG_KEY);
    // Not retried: a wrong key stays wrong.
    expect(messageRequests()).toHaveLength(1);

    const health = await claude.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('ANTHROPIC_API_KEY');
    expect(health.detail).not.toContain(WRONG_KEY);
  });

  it('reports a prompt longer than the context window as context_too_long, with both sizes', async () => {
    server.contextWindow = 1000;
    const long = request({ messages: [userText(filler('A very long ticket', 1200))] });
    await expect(provider().complete(long, call())).rejects.toMatchObject({
      code: 'context_too_long',
      retryable: false,
      message: expect.stringMatching(
        /prompt has 1,2\d\d tokens and the model accepts at most 1,000; shorten/,
      ) as string,
    });
    expect(messageRequests()).toHaveLength(1);
  });

  it('reports other refusals as invalid_request with Anthropic’s message', async () => {
    await expect(
      provider().complete(request({ model: 'claude-nonexistent-9' }), call()),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      retryable: false,
      message: expect.stringContaining('model: claude-nonexistent-9') as string,
    });
  });

  it('retries a dropped connection as a network error', async () => {
    server.inject({ drop: true, when: (r) => r.operationId === 'messages/create' });
    await expect(provider().complete(request(), call())).resolves.toMatchObject({
      stopReason: 'end_turn',
    });
    expect(messageRequests().map((r) => r.status)).toEqual([-1, 200]);
  });

  it('gives up with network_error when Anthropic cannot be reached at all', async () => {
    const closed = await startAnthropicServer();
    await closed.close();
    const built = anthropicProvider(closed, logger, { guard: { retries: 1 } });
    allGuards.push(built.guards);
    await expect(built.provider.complete(request(), call())).rejects.toMatchObject({
      code: 'network_error',
      retryable: true,
      // The innermost cause, not undici's bare "fetch failed".
      message: expect.stringContaining(
        `cannot reach Anthropic at ${closed.url}: connect ECONNREFUSED`,
      ) as string,
    });
  });

  it('stops at once when the caller cancels, with the caller’s reason', async () => {
    server.inject({
      delayMs: 5_000,
      status: 500,
      when: (r) => r.operationId === 'messages/create',
    });
    const controller = new AbortController();
    const pending = provider().complete(request(), callOptions(logger, controller.signal));
    // Cancelled while the request is under way (the server holds its answer for 5 s).
    await vi.waitFor(() => expect(messageRequests()).toHaveLength(1), { timeout: 5_000 });
    const started = Date.now();
    controller.abort(new Error('step cancelled'));
    await expect(pending).rejects.toThrow('step cancelled');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
