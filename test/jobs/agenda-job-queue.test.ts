import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { createAgendaJobQueue } from '../../src/jobs/agenda-job-queue.js';
import type { JobQueue } from '../../src/jobs/job-queue.js';
import type { Pool } from 'pg';
import { describeEachBackend, resetTables, type TestDatabase } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';

function queueOn(
  t: TestDatabase,
  overrides: { lockLifetimeMs?: number; workerName?: string; pool?: Pool } = {},
) {
  const { logger, lines } = capturingLogger();
  const queue = createAgendaJobQueue({
    pool: overrides.pool ?? t.db.pool,
    notifications: t.db.kind === 'postgres',
    lockLifetimeMs: overrides.lockLifetimeMs ?? 10_000,
    pollIntervalMs: 100,
    concurrency: 4,
    workerName: overrides.workerName ?? 'test-worker',
    logger,
  });
  return { queue, lines };
}

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

describeEachBackend('job queue', (database) => {
  const queues: JobQueue[] = [];
  beforeEach(async () => resetTables(database().db));
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop({ drainTimeoutMs: 100 })));
  });
  const make = (overrides: { lockLifetimeMs?: number; workerName?: string; pool?: Pool } = {}) => {
    const made = queueOn(database(), overrides);
    queues.push(made.queue);
    return made;
  };

  it('runs an enqueued job with its validated data', async () => {
    const { queue } = make();
    const seen: { to: string; attempts: number }[] = [];
    queue.define({
      name: 'test.greet',
      schema: z.object({ to: z.string(), attempts: z.number().int() }),
      handler: async ({ data }) => {
        seen.push(data);
      },
    });
    await queue.start();
    const id = await queue.enqueue('test.greet', { to: 'world', attempts: 2 });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => seen.length === 1);
    expect(seen).toEqual([{ to: 'world', attempts: 2 }]);
  });

  it('fails a job whose stored data does not fit its schema, naming the field', async () => {
    const { queue, lines } = make();
    let ran = false;
    queue.define({
      name: 'test.strict',
      schema: z.object({ runId: z.string().uuid() }),
      handler: async () => {
        ran = true;
      },
    });
    await queue.start();
    await queue.enqueue('test.strict', { runId: 42 });
    await until(() => lines.some((l) => l.includes('job failed')));
    expect(ran).toBe(false);
    const failure = lines.find((l) => l.includes('job failed')) ?? '';
    expect(failure).toContain('has invalid data: runId: expected a string, found number 42');
    // Agenda logs the failure before it saves it: the count is waited for, not read at once.
    await until(async () => (await queue.stats()).failed === 1);
  });

  it('keeps renewing the lock of a job that outlives its lock lifetime, so no other worker runs it', async () => {
    const runs: string[] = [];
    const lockLifetimeMs = 2_000;
    for (const workerName of ['worker-a', 'worker-b']) {
      const { queue } = make({ lockLifetimeMs, workerName });
      queue.define({
        name: 'test.long',
        schema: z.object({}),
        handler: async ({ signal }) => {
          runs.push(workerName);
          await sleep(lockLifetimeMs * 2.5, undefined, { signal });
        },
      });
      await queue.start();
    }
    await queues[0]?.enqueue('test.long', {});
    await until(() => runs.length >= 1);
    await sleep(lockLifetimeMs * 3);
    expect(runs).toHaveLength(1);
    await until(async () => (await queues[0]?.stats())?.running === 0);
  });

  it('reports progress through the lock renewal', async () => {
    const { queue } = make();
    queue.define({
      name: 'test.progress',
      schema: z.object({}),
      handler: async ({ progress }) => {
        await progress(40);
        await progress(100);
      },
    });
    let finished = false;
    await queue.start();
    await queue.enqueue('test.progress', {});
    queue.define({
      name: 'test.noop',
      schema: z.object({}),
      handler: async () => void (finished = true),
    });
    await queue.enqueue('test.noop', {});
    await until(() => finished && queue.runningCount() === 0);
    const { rows } = await database().db.query<{ progress: number }>(
      "SELECT progress FROM agenda_jobs WHERE name = 'test.progress'",
    );
    expect(rows[0]?.progress).toBe(100);
  });

  it('on stop, lets a running job finish within the drain time', async () => {
    const { queue } = make();
    let finished = false;
    queue.define({
      name: 'test.finishing',
      schema: z.object({}),
      handler: async () => {
        await sleep(500);
        finished = true;
      },
    });
    await queue.start();
    await queue.enqueue('test.finishing', {});
    await until(() => queue.runningCount() === 1);
    await queue.stop({ drainTimeoutMs: 5_000 });
    expect(finished).toBe(true);
    const { rows } = await database().db.query<{
      locked_at: Date | null;
      last_finished_at: Date | null;
    }>("SELECT locked_at, last_finished_at FROM agenda_jobs WHERE name = 'test.finishing'");
    expect(rows[0]?.locked_at).toBeNull();
    expect(rows[0]?.last_finished_at).toBeInstanceOf(Date);
  });

  it('on stop, aborts a job that does not finish within the drain time', async () => {
    const { queue } = make();
    let reason: unknown;
    queue.define({
      name: 'test.stubborn',
      schema: z.object({}),
      handler: async ({ signal }) => {
        await sleep(60_000, undefined, { signal }).catch(() => undefined);
        reason = signal.reason;
      },
    });
    await queue.start();
    await queue.enqueue('test.stubborn', {});
    await until(() => queue.runningCount() === 1);
    const started = Date.now();
    await queue.stop({ drainTimeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(String(reason)).toContain('the worker is stopping');
  });

  it('keeps a single recurring job however often it is scheduled', async () => {
    const { queue } = make();
    queue.define({ name: 'test.tick', schema: z.object({}), handler: async () => undefined });
    await queue.every('1 hour', 'test.tick');
    await queue.every('1 hour', 'test.tick');
    const { rows } = await database().db.query<{ n: number }>(
      "SELECT count(*) AS n FROM agenda_jobs WHERE name = 'test.tick'",
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('on stop, is done with the pool: no query of its own runs or starts once stop returns', async () => {
    // The store ends the pool right after the queue stops; a query of the queue's still
    // running then failed with "Cannot use a pool after calling end on the pool" (issue 16).
    const traffic = { inFlight: 0, afterStop: 0, stopped: false };
    const pool = watchedPool(database().db.pool, traffic);
    const { queue, lines } = make({ pool });
    queue.define({ name: 'test.later', schema: z.object({}), handler: async () => undefined });
    for (let i = 0; i < 3; i++) await queue.enqueue('test.later', {});
    await queue.start();
    await queue.stop({ drainTimeoutMs: 5_000 });
    traffic.stopped = true;
    expect(traffic.inFlight).toBe(0);
    await until(() => traffic.inFlight === 0);
    expect(traffic.afterStop).toBe(0);
    // What it had locked but not started is left for other workers.
    const { rows } = await database().db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'test.later' AND locked_at IS NOT NULL",
    );
    expect(rows[0]?.n).toBe(0);
    expect(lines.filter((l) => l.includes('job queue error'))).toEqual([]);
  });

  it('logs no error when its lock check wakes while a finished job is being saved', async () => {
    // Agenda clears a finished job's lock, then saves its end; its lock check (every half lock
    // lifetime) waking during a slow save called the job "canceled, no lockedAt date found".
    // The save of the job's end: its lock ($2) cleared, its finish time ($9) set.
    const pool = slowPool(
      database().db.pool,
      (text, values) => text.includes('last_finished_at = $9') && values?.[1] === null,
      2_500,
    );
    // Checked every 2 s: the 2.5 s save is checked at least once, and the lock cannot expire.
    const { queue, lines } = make({ pool, lockLifetimeMs: 4_000 });
    queue.define({ name: 'test.quick', schema: z.object({}), handler: async () => undefined });
    await queue.start();
    await queue.enqueue('test.quick', {});
    await until(async () => {
      const { rows } = await database().db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'test.quick' AND last_finished_at IS NOT NULL",
      );
      return rows[0]?.n === 1 && queue.runningCount() === 0;
    });
    expect(lines.filter((l) => l.includes('"level":50'))).toEqual([]);
  });
});

/** The pool, with the queries made through it counted: those running, those after the stop. */
function watchedPool(
  pool: Pool,
  traffic: { inFlight: number; afterStop: number; stopped: boolean },
): Pool {
  return new Proxy(pool, {
    get(target, name) {
      if (name !== 'query') {
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return async (...args: Parameters<Pool['query']>) => {
        if (traffic.stopped) traffic.afterStop += 1;
        traffic.inFlight += 1;
        try {
          // pg's overloads cannot be spread back in; the arguments are pg's own.
          return await (target.query as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          traffic.inFlight -= 1;
        }
      };
    },
  });
}

/** The pool, with the queries `slow` picks held back `delayMs` first. */
function slowPool(
  pool: Pool,
  slow: (text: string, values: unknown[] | undefined) => boolean,
  delayMs: number,
): Pool {
  return new Proxy(pool, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (name !== 'query') {
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return async (...args: unknown[]) => {
        const [text, values] = args;
        if (typeof text === 'string' && slow(text, values as unknown[] | undefined))
          await sleep(delayMs);
        // pg's overloads cannot be spread back in; the arguments are pg's own.
        return (target.query as (...a: unknown[]) => Promise<unknown>)(...args);
      };
    },
  });
}
