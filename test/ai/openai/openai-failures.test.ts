import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AiProvider } from '../../../src/plugins/interfaces/ai-provider.js';
import type { Guards } from '../../../src/resilience/guards.js';
import { capturingLogger } from '../../support/logger.js';
import { quotaFault, rateLimitFault, serverErrorFault } from '../../vendors/openai/openai-json.js';
import { startOpenAiServer, type OpenAiServer } from '../../vendors/openai/openai-server.js';
import { callOptions, filler, userText } from '../anthropic/anthropic-setup.js';
import { gptRequest as request, openAiProvider } from './openai-setup.js';

const WRONG_KEY = 'sk-proj-wrongKeyThatMustNeverBeShown-0123456789abcdef';
// No secrets are given to the logger: the scans below prove the adapter never logs a key.
const { logger, lines } = capturingLogger();
let server: OpenAiServer;
const allGuards: Guards[] = [];

/** A provider on the local server with its own guard (fresh breaker and counters). */
function provider(options: Parameters<typeof openAiProvider>[2] = {}): AiProvider {
  const built = openAiProvider(server, logger, options);
  allGuards.push(built.guards);
  return built.provider;
}
const call = () => callOptions(logger);
const completions = () => server.requests.filter((r) => r.operationId === 'createChatCompletion');

beforeAll(async () => {
  server = await startOpenAiServer();
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

describe('openai provider: failures', () => {
  it('waits as long as a 429 Retry-After asks, then succeeds; the SDK never retries itself', async () => {
    server.inject(rateLimitFault(1));
    const started = Date.now();
    const answer = await provider().complete(request(), call());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(answer.stopReason).toBe('end_turn');
    expect(completions().map((r) => r.status)).toEqual([429, 200]);
    expect(completions().map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '0']);
  });

  it('does not retry a used-up quota: no wait cures it', async () => {
    server.inject(quotaFault(3));
    await expect(
      provider({ guard: { retries: 3 } }).complete(request(), call()),
    ).rejects.toMatchObject({
      name: 'VendorError',
      code: 'rate_limited',
      status: 429,
      retryable: false,
      message: expect.stringContaining('quota is used up') as string,
    });
    expect(completions()).toHaveLength(1);
  });

  it('retries 503 as overloaded and gives up when it stays so', async () => {
    server.inject(serverErrorFault(5, 503));
    await expect(
      provider({ guard: { retries: 1 } }).complete(request(), call()),
    ).rejects.toMatchObject({
      code: 'overloaded',
      status: 503,
      retryable: true,
    });
    expect(completions()).toHaveLength(2);
  });

  it('opens the breaker on repeated 5xx, refuses without calling, and closes after a good probe', async () => {
    const gpt = provider({ guard: { retries: 0, breakerVolume: 4, breakerResetMs: 300 } });
    server.inject(serverErrorFault(4));
    for (let i = 0; i < 4; i++)
      await expect(gpt.complete(request(), call())).rejects.toMatchObject({
        code: 'unavailable',
        retryable: true,
      });
    await expect(gpt.complete(request(), call())).rejects.toMatchObject({ code: 'circuit_open' });
    expect(completions()).toHaveLength(4);
    // The breaker lets a probe through once its reset time has passed: wait for that, not a time.
    const guard = allGuards.at(-1)?.for('openai', server.url);
    await vi.waitFor(() => expect(guard?.state()).toBe('half_open'), { timeout: 10_000 });
    await expect(gpt.complete(request(), call())).resolves.toMatchObject({
      stopReason: 'end_turn',
    });
    expect(allGuards.at(-1)?.for('openai', server.url).state()).toBe('closed');
  });

  it('reports a bad key as unauthorized, naming OPENAI_API_KEY and never the key', async () => {
    const gpt = provider({ apiKey: WRONG_KEY });
    const failure = await gpt.complete(request(), call()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    const message = (failure as Error).message;
    expect(message).toContain('OPENAI_API_KEY');
    expect(message).toContain('invalid_api_key: Incorrect API key provided');
    expect(message).not.toContain(WRONG_KEY);
    expect(completions()).toHaveLength(1);
  });

  it('sends OPENAI_ORG_ID and OPENAI_PROJECT_ID as OpenAI’s headers', async () => {
    const gpt = provider({ organization: server.organization, project: server.project });
    await expect(gpt.complete(request(), call())).resolves.toMatchObject({
      stopReason: 'end_turn',
    });
    expect(completions()[0]?.headers).toMatchObject({
      'openai-organization': server.organization,
      'openai-project': server.project,
    });
    expect(gpt.description).toContain(
      `organization ${server.organization}, project ${server.project}`,
    );
  });

  it('names OPENAI_ORG_ID or OPENAI_PROJECT_ID when the key does not belong to it, without retrying', async () => {
    for (const [options, setting] of [
      [{ organization: 'org-someoneElse' }, 'OPENAI_ORG_ID'],
      [{ project: 'proj_someoneElse' }, 'OPENAI_PROJECT_ID'],
    ] as const) {
      server.reset();
      const failure = await provider(options)
        .complete(request(), call())
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
      expect((failure as Error).message).toContain(`check ${setting}`);
      expect((failure as Error).message).toMatch(/mismatched_(organization|project)/);
      expect(completions()).toHaveLength(1);
    }
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
    expect(completions()).toHaveLength(1);
  });

  it('reports an unknown model as invalid_request with OpenAI’s message', async () => {
    await expect(provider().complete(request({ model: 'gpt-7' }), call())).rejects.toMatchObject({
      code: 'invalid_request',
      retryable: false,
      message: expect.stringContaining(
        'model_not_found: The model `gpt-7` does not exist',
      ) as string,
    });
  });

  it('retries a dropped connection, and gives up with network_error when nothing answers', async () => {
    server.inject({ drop: true, when: (r) => r.operationId === 'createChatCompletion' });
    await expect(provider().complete(request(), call())).resolves.toMatchObject({
      stopReason: 'end_turn',
    });
    expect(completions().map((r) => r.status)).toEqual([-1, 200]);

    const closed = await startOpenAiServer();
    await closed.close();
    const built = openAiProvider(closed, logger, { guard: { retries: 1 } });
    allGuards.push(built.guards);
    await expect(built.provider.complete(request(), call())).rejects.toMatchObject({
      code: 'network_error',
      retryable: true,
      message: expect.stringContaining(
        `cannot reach OpenAI at ${closed.url}: connect ECONNREFUSED`,
      ) as string,
    });
  });

  it('stops at once when the caller cancels, with the caller’s reason', async () => {
    server.inject({
      delayMs: 5_000,
      status: 500,
      when: (r) => r.operationId === 'createChatCompletion',
    });
    const controller = new AbortController();
    const pending = provider().complete(request(), callOptions(logger, controller.signal));
    await vi.waitFor(() => expect(completions()).toHaveLength(1), { timeout: 5_000 });
    const started = Date.now();
    controller.abort(new Error('step cancelled'));
    await expect(pending).rejects.toThrow('step cancelled');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
