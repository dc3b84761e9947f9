import { afterEach, expect, it } from 'vitest';
import { Guards } from '../../src/resilience/guards.js';
import { ServiceGuard, type GuardSettings } from '../../src/resilience/service-guard.js';
import { describeEachBackend } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';

const SETTINGS: GuardSettings = {
  ratePerSecond: 20,
  burst: 2,
  retries: 0,
  retryBaseMs: 5,
  retryMaxMs: 20,
  breakerVolume: 100,
  breakerResetMs: 1_000,
};
const guards: ServiceGuard[] = [];
afterEach(() => {
  for (const g of guards.splice(0)) g.shutdown();
});

/** When each call started, in ms after the first, sorted. */
async function burstOfCalls(perGuard: number, ...pool: ServiceGuard[]): Promise<number[]> {
  const starts: number[] = [];
  await Promise.all(
    pool.flatMap((g) =>
      Array.from({ length: perGuard }, () =>
        g.call('ping', () => {
          starts.push(performance.now());
          return Promise.resolve();
        }),
      ),
    ),
  );
  starts.sort((a, b) => a - b);
  return starts.map((t) => t - (starts[0] ?? t));
}

describeEachBackend('a rate limit shared through the database', (database) => {
  const service = () => `svc-${Math.random().toString(36).slice(2, 8)}`;

  it('gives the first `burst` calls their turn at once, then one every 1/rate seconds', async () => {
    const { rateLimits } = database().store;
    const name = service();
    const first = performance.now();
    const turns: { wait: number; at: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const wait = await rateLimits.take(name, 10, 2);
      // When the call may go, measured from the first: no earlier than its take answered
      // (how long each take itself took on a busy machine does not count against the rate).
      turns.push({ wait, at: performance.now() - first + wait });
    }
    expect(turns.slice(0, 2).map((t) => t.wait)).toEqual([0, 0]);
    // The third call's turn comes 100 ms after the first, and each later one 100 ms after that.
    for (const [i, turn] of turns.slice(2).entries())
      expect(turn.at).toBeGreaterThanOrEqual(100 * (i + 1) - 10);
    expect(Math.max(...turns.map((t) => t.wait))).toBeLessThanOrEqual(300);
  });

  it('keeps two processes’ guards together to the service’s rate', async () => {
    const name = service();
    const { logger } = capturingLogger();
    const shared = database().store.rateLimits;
    const [a, b] = [0, 1].map(
      () => new ServiceGuard({ service: name, site: 'one.example' }, SETTINGS, logger, { shared }),
    );
    guards.push(a as ServiceGuard, b as ServiceGuard);
    const starts = await burstOfCalls(6, a as ServiceGuard, b as ServiceGuard);
    // 12 calls at 20/s after a burst of 2: the k-th starts no sooner than (k - 2) / 20 s.
    for (const [k, at] of starts.entries())
      expect(at).toBeGreaterThanOrEqual(Math.max(0, (k - 1) * 50) - 60);
    expect(starts.at(-1)).toBeGreaterThanOrEqual(450);

    // Each on its own rate, the same two go about twice as fast: what sharing prevents.
    const alone = [0, 1].map(
      () => new ServiceGuard({ service: service(), site: 'one.example' }, SETTINGS, logger),
    );
    guards.push(...alone);
    const separate = await burstOfCalls(6, ...alone);
    expect(separate.at(-1)).toBeLessThan(starts.at(-1) ?? 0);
  });

  it('keeps one bucket per site of a service, named by host (no credentials, no path)', async () => {
    const name = service();
    const { logger } = capturingLogger();
    const sites = new Guards(
      logger,
      { [name]: SETTINGS },
      {},
      { shared: database().store.rateLimits },
    );
    try {
      for (const url of ['https://bot:secret@A.example.com/wiki?x=1', 'https://b.example.com:8443'])
        await sites.for(name, url).call('ping', () => Promise.resolve());
    } finally {
      sites.shutdown();
    }
    const { rows } = await database().db.query<{ service: string }>(
      'SELECT service FROM rate_limits WHERE service LIKE $1 ORDER BY service',
      [`${name}%`],
    );
    expect(rows.map((r) => r.service)).toEqual([
      `${name} a.example.com`,
      `${name} b.example.com:8443`,
    ]);
  });

  it('goes on at the process’s own rate when the database cannot answer, saying so once', async () => {
    const { logger, lines } = capturingLogger({ level: 'warn' });
    const broken = { take: () => Promise.reject(new Error('connection terminated')) };
    const g = new ServiceGuard({ service: service(), site: 'one.example' }, SETTINGS, logger, {
      shared: broken,
    });
    guards.push(g);
    expect(await burstOfCalls(3, g)).toHaveLength(3);
    const warnings = lines.filter((l) => l.includes('shared rate limit is unavailable'));
    expect(warnings).toHaveLength(1);
  });
});
