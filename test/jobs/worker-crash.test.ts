import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAgendaJobQueue } from '../../src/jobs/agenda-job-queue.js';
import { silentLogger } from '../../src/log/create-logger.js';
import { backendAvailability, openTestDatabase, type TestDatabase } from '../support/backends.js';
import { childEnv, JsonLineProcess, REPO_ROOT, WITH_WORKERS } from '../support/child-process.js';

const WORKER = path.join(REPO_ROOT, 'test/fixtures/job-worker.ts');
const LOCK_LIFETIME_MS = 2_000;

for (const backend of ['pglite', 'postgresql'] as const) {
  const { available, reason } = backendAvailability(backend);
  describe.skipIf(!available)(
    `a worker killed mid-job [${backend}${available ? '' : `: skipped, ${reason}`}]`,
    () => {
      let t: TestDatabase;
      let configFile: string;
      const workers: JsonLineProcess[] = [];

      beforeAll(async () => {
        t = await openTestDatabase(backend);
        await t.db.query(
          'CREATE TABLE test_job_starts (job_key text, worker int, at timestamptz DEFAULT now())',
        );
        await t.db.query('CREATE TABLE test_job_effects (job_key text PRIMARY KEY, worker int)');
        configFile = path.join(inject('scratchDir'), `worker-crash-${backend}.yaml`);
        await writeFile(
          configFile,
          `jobs:\n  lock_lifetime: ${LOCK_LIFETIME_MS}ms\n  poll_interval: 200ms\n`,
        );
      });
      afterEach(async () => {
        await Promise.all(workers.splice(0).map((w) => w.kill()));
      });
      afterAll(async () => t.dispose());

      async function startWorkers(count: number): Promise<JsonLineProcess[]> {
        const started = Array.from({ length: count }, () => {
          const worker = new JsonLineProcess(
            WORKER,
            [],
            childEnv({ ...t.env, AIDEV_CONFIG: configFile }),
          );
          workers.push(worker);
          return worker;
        });
        await Promise.all(started.map((w) => w.next('ready')));
        return started;
      }

      async function enqueue(data: {
        key: string;
        workMs: number;
        pauseAt: string;
      }): Promise<void> {
        const queue = createAgendaJobQueue({
          pool: t.db.pool,
          notifications: false,
          lockLifetimeMs: LOCK_LIFETIME_MS,
          pollIntervalMs: 200,
          concurrency: 1,
          workerName: 'test-enqueuer',
          logger: silentLogger(),
        });
        await queue.enqueue('test.side-effect', data);
      }

      async function counts(key: string) {
        const starts = await t.db.query<{ worker: number }>(
          'SELECT worker FROM test_job_starts WHERE job_key = $1 ORDER BY at',
          [key],
        );
        const effects = await t.db.query<{ worker: number }>(
          'SELECT worker FROM test_job_effects WHERE job_key = $1',
          [key],
        );
        const job = await t.db.query<{
          locked_at: Date | null;
          last_finished_at: Date | null;
          fail_reason: string | null;
        }>(
          "SELECT locked_at, last_finished_at, fail_reason FROM agenda_jobs WHERE name = 'test.side-effect' AND data->>'key' = $1",
          [key],
        );
        return {
          starts: starts.rows.map((r) => r.worker),
          effects: effects.rows.map((r) => r.worker),
          job: job.rows[0],
        };
      }

      /** Kills whichever worker started the job; returns the one left and how long takeover took. */
      async function killTheOneThatStarted(
        pair: JsonLineProcess[],
        key: string,
        killOn: 'started' | 'applied',
      ) {
        const first = await JsonLineProcess.first(pair, killOn);
        expect(first.message).toMatchObject({ [killOn]: key });
        const killedAt = Date.now();
        await first.process.kill('SIGKILL');
        const survivor = pair.find((w) => w !== first.process);
        if (survivor === undefined) throw new Error('no survivor');
        await survivor.next('started');
        const takeoverMs = Date.now() - killedAt;
        await survivor.next('finished');
        return { killed: first.process, survivor, takeoverMs };
      }

      it(
        'is completed by the other worker, with the side effect applied once (killed before the effect)',
        WITH_WORKERS,
        async () => {
          const pair = await startWorkers(2);
          await enqueue({ key: 'before', workMs: 4_000, pauseAt: 'before-effect' });
          const { killed, survivor, takeoverMs } = await killTheOneThatStarted(
            pair,
            'before',
            'started',
          );
          console.log(
            `[${backend}] killed before the effect: taken over ${takeoverMs} ms after kill -9 (lock lifetime ${LOCK_LIFETIME_MS} ms)`,
          );
          await expect
            .poll(async () => (await counts('before')).job?.last_finished_at, { timeout: 10_000 })
            .toBeInstanceOf(Date);
          const result = await counts('before');
          expect(result.starts).toEqual([killed.pid, survivor.pid]);
          expect(result.effects).toEqual([survivor.pid]);
          expect(result.job).toMatchObject({ locked_at: null, fail_reason: null });
        },
      );

      it(
        'is completed by the other worker without repeating the effect (killed after the effect)',
        WITH_WORKERS,
        async () => {
          const pair = await startWorkers(2);
          await enqueue({ key: 'after', workMs: 4_000, pauseAt: 'after-effect' });
          const { killed, survivor, takeoverMs } = await killTheOneThatStarted(
            pair,
            'after',
            'applied',
          );
          console.log(
            `[${backend}] killed after the effect: taken over ${takeoverMs} ms after kill -9`,
          );
          await expect
            .poll(async () => (await counts('after')).job?.last_finished_at, { timeout: 10_000 })
            .toBeInstanceOf(Date);
          const result = await counts('after');
          expect(result.starts).toEqual([killed.pid, survivor.pid]);
          expect(result.effects).toEqual([killed.pid]);
        },
      );

      it('stops gracefully on SIGTERM', WITH_WORKERS, async () => {
        const [worker] = await startWorkers(1);
        if (worker === undefined) throw new Error('no worker');
        worker.child.kill('SIGTERM');
        await worker.next('stopped');
        expect(await worker.exited()).toBe(0);
      });
    },
  );
}
