import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log/create-logger.js';
import {
  asConnectionProbe,
  ServiceGuard,
  type GuardSettings,
} from '../../src/resilience/service-guard.js';
import { retryAfterMs, VendorError } from '../../src/resilience/vendor-error.js';

const FAST: GuardSettings = {
  ratePerSecond: 1000,
  retries: 3,
  retryBaseMs: 5,
  retryMaxMs: 20,
  breakerVolume: 4,
  breakerResetMs: 300,
};
const guards: ServiceGuard[] = [];
function guard(overrides: Partial<GuardSettings> = {}): ServiceGuard {
  const g = new ServiceGuard(
    { service: 'testsvc', site: 'testsvc.example' },
    { ...FAST, ...overrides },
    silentLogger(),
  );
  guards.push(g);
  return g;
}
afterEach(() => {
  for (const g of guards.splice(0)) g.shutdown();
});

const unavailable = (retryAfter?: number) =>
  new VendorError('503 Service Unavailable', {
    service: 'testsvc',
    code: 'http_503',
    status: 503,
    retryable: true,
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  });
const notFound = () =>
  new VendorError('404 Not Found', {
    service: 'testsvc',
    code: 'http_404',
    status: 404,
    retryable: false,
  });

describe('service guard', () => {
  it('retries a retryable failure, then returns the result', async () => {
    const g = guard();
    let calls = 0;
    const result = await g.call('get', () => {
      calls += 1;
      return calls < 3 ? Promise.reject(unavailable()) : Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    expect(g.stats()).toMatchObject({ calls: 3, failures: 2, retries: 2, state: 'closed' });
  });

  it('waits as long as the service asks with Retry-After', async () => {
    const g = guard();
    let calls = 0;
    const started = Date.now();
    await g.call('get', () =>
      ++calls === 1 ? Promise.reject(unavailable(250)) : Promise.resolve('ok'),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('does not retry a failure that is the request’s fault', async () => {
    const g = guard();
    let calls = 0;
    await expect(g.call('get', () => (calls++, Promise.reject(notFound())))).rejects.toThrow(
      '404 Not Found',
    );
    expect(calls).toBe(1);
  });

  it('gives up after its retries, with the last error', async () => {
    const g = guard({ retries: 2 });
    await expect(g.call('get', () => Promise.reject(unavailable()))).rejects.toThrow(
      '503 Service Unavailable',
    );
    expect(g.stats()).toMatchObject({ calls: 3, retries: 2 });
  });

  it('opens the breaker after repeated outages, rejects at once, and closes after a good probe', async () => {
    const g = guard({ retries: 0 });
    for (let i = 0; i < 4; i++)
      await g.call('get', () => Promise.reject(unavailable())).catch(() => undefined);
    expect(g.state()).toBe('open');
    let called = false;
    await expect(
      g.call('get', () => ((called = true), Promise.resolve('x'))),
    ).rejects.toMatchObject({ code: 'circuit_open', retryable: true });
    expect(called).toBe(false);
    // The breaker lets a probe through once its reset time has passed: wait for that, not a time.
    await vi.waitFor(() => expect(g.state()).toBe('half_open'), { timeout: 10_000 });
    expect(await g.call('get', () => Promise.resolve('back'))).toBe('back');
    expect(g.state()).toBe('closed');
  });

  it('lets a reconnection probe past the open breaker at once; its answer closes the breaker', async () => {
    // A reset far longer than the test: only the probe can close the breaker.
    const g = guard({ retries: 0, breakerResetMs: 600_000 });
    for (let i = 0; i < 4; i++)
      await g.call('get', () => Promise.reject(unavailable())).catch(() => undefined);
    expect(g.state()).toBe('open');
    // A failing probe goes out once, and does not keep the breaker open longer.
    let probes = 0;
    const failing = () => ((probes += 1), Promise.reject(unavailable()));
    await expect(asConnectionProbe(() => g.call('connect', failing))).rejects.toMatchObject({
      code: 'http_503',
    });
    expect(probes).toBe(1);
    expect(await asConnectionProbe(() => g.call('connect', () => Promise.resolve('back')))).toBe(
      'back',
    );
    expect(g.state()).toBe('closed');
    expect(await g.call('get', () => Promise.resolve('ok'))).toBe('ok');
  });

  it('does not open the breaker on answers such as 404', async () => {
    const g = guard({ retries: 0 });
    for (let i = 0; i < 8; i++)
      await g.call('get', () => Promise.reject(notFound())).catch(() => undefined);
    expect(g.state()).toBe('closed');
  });

  it('lets a burst through at once, then keeps to its rate', async () => {
    const g = guard({ ratePerSecond: 5, burst: 5 });
    const finished: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 10 }, () =>
        g.call('get', () => Promise.resolve(finished.push(Date.now() - started))),
      ),
    );
    expect(finished.filter((ms) => ms < 150)).toHaveLength(5);
    expect(Math.max(...finished)).toBeGreaterThanOrEqual(900);
  });

  it('stops waiting for a retry when the call is aborted', async () => {
    const g = guard();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 50);
    await expect(
      g.call('get', () => Promise.reject(unavailable(10_000)), { signal: controller.signal }),
    ).rejects.toThrow('cancelled');
  });
});

describe('Retry-After', () => {
  it('reads milliseconds, seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
    expect(retryAfterMs({ 'Retry-After': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 25 Nov 2026 10:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
