import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reconnector, type ReconnectorOptions } from '../../src/resilience/reconnector.js';
import { capturingLogger } from '../support/logger.js';

const SECRET = 'xoxb-reconnector-secret-token';

/** A connection whose attempts fail `failures` times (saying the secret), then succeed. */
function scripted(failures: number, options: Partial<ReconnectorOptions> = {}) {
  const { logger, lines } = capturingLogger({ secrets: [SECRET] });
  const attempts = { count: 0, connected: 0 };
  const reconnector = new Reconnector({
    name: 'the chat plugin',
    service: 'chat',
    logger,
    initialDelayMs: 1_000,
    maxDelayMs: 4_000,
    // No jitter: the delays are exact.
    random: () => 0.5,
    connect: () => {
      attempts.count += 1;
      return attempts.count <= failures
        ? Promise.reject(new Error(`chat refused ${SECRET}: 503`))
        : Promise.resolve();
    },
    onConnected: () => (attempts.connected += 1),
    ...options,
  });
  const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { reconnector, attempts, lines, logged };
}

describe('reconnector', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries in the background with exponential backoff until it connects, saying why without the secret', async () => {
    const { reconnector, attempts, lines, logged } = scripted(4);
    expect(await reconnector.start()).toBe(false);
    expect(reconnector.status()).toEqual({
      ok: false,
      detail: 'could not connect: chat refused [REDACTED]: 503; next attempt in 1.0 s (1 failed)',
    });
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000 + 4_000);
    expect(reconnector.state).toBe('connected');
    expect(attempts).toEqual({ count: 5, connected: 1 });
    expect(logged().map((l) => l.retryInMs)).toEqual([1_000, 2_000, 4_000, 4_000, undefined]);
    expect(logged()[0]).toMatchObject({
      service: 'chat',
      msg: 'the chat plugin could not connect: chat refused [REDACTED]: 503; trying again in 1.0 s',
    });
    expect(logged().at(-1)?.msg).toBe('the chat plugin connected after 4 failed attempt(s)');
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(reconnector.status()).toEqual({ ok: true, detail: 'connected' });
  });

  it('connects on demand, joining an attempt under way, and throws why it failed', async () => {
    const { reconnector, attempts } = scripted(2);
    await reconnector.start();
    const both = [reconnector.ensure(), reconnector.ensure()].map((p) =>
      p.then(
        () => 'ok',
        (error: unknown) => (error as Error).message,
      ),
    );
    expect(await Promise.all(both)).toEqual([
      `chat refused ${SECRET}: 503`,
      `chat refused ${SECRET}: 503`,
    ]);
    expect(attempts.count).toBe(2);
    await reconnector.ensure();
    expect(attempts.count).toBe(3);
    expect(reconnector.state).toBe('connected');
    // Connected: no further attempt, on demand or in the background.
    await reconnector.ensure();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts.count).toBe(3);
  });

  it('fails an attempt that does not answer in time', async () => {
    const { reconnector } = scripted(0, {
      attemptTimeoutMs: 500,
      connect: () => new Promise<void>(() => undefined),
    });
    const started = reconnector.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(await started).toBe(false);
    expect(reconnector.status().detail).toMatch(/^could not connect: no answer within 0\.5 s/);
  });

  it('makes no more attempts once stopped', async () => {
    const { reconnector, attempts } = scripted(100);
    await reconnector.start();
    reconnector.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts.count).toBe(1);
    await expect(reconnector.ensure()).rejects.toThrow('the chat plugin is stopped');
  });

  it('for a one-off check, reports the failure and makes no attempt of its own', async () => {
    const { reconnector, attempts } = scripted(100, { background: false });
    expect(await reconnector.start()).toBe(false);
    expect(reconnector.status()).toEqual({
      ok: false,
      detail: 'could not connect: chat refused [REDACTED]: 503',
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts.count).toBe(1);
  });
});
