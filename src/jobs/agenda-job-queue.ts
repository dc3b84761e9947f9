import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda, type Job } from 'agenda';
import type { Pool } from 'pg';
import type { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { formatProblem } from '../errors/problem.js';
import { zodProblems } from '../errors/zod-problems.js';
import type { Logger } from '../log/create-logger.js';
import type { JsonObject } from '../store/sql.js';
import type { JobDefinition, JobQueue, JobQueueStats } from './job-queue.js';
import { closingBackend } from './closing-backend.js';
import { startLockHeartbeat } from './lock-heartbeat.js';

export interface AgendaJobQueueOptions {
  /** The store's pool: jobs live in the same database as everything else. */
  readonly pool: Pool;
  /**
   * LISTEN/NOTIFY wakes workers as soon as a job is stored. It does not work through the
   * embedded database's socket, where workers poll instead.
   */
  readonly notifications: boolean;
  readonly lockLifetimeMs: number;
  readonly pollIntervalMs: number;
  readonly concurrency: number;
  /** How long stop() lets running jobs finish before aborting them (default 10 s). */
  readonly drainTimeoutMs?: number;
  readonly workerName: string;
  readonly logger: Logger;
}

/** Time a running job gets to finish after its abort signal before stop() returns anyway. */
const ABORT_GRACE_MS = 5_000;

/** Agenda's lock check on a job whose end is being saved (see the 'error' listener). */
const FINISHED_WHILE_SAVING = /^execution of '.*' canceled, no lockedAt date found\./;

export function createAgendaJobQueue(options: AgendaJobQueueOptions): JobQueue {
  const logger = options.logger.child({ component: 'jobs' });
  const backend = closingBackend(
    new PostgresBackend({
      pool: options.pool,
      ensureSchema: false,
      disableNotifications: !options.notifications,
    }),
  );
  const agenda = new Agenda({
    backend,
    name: options.workerName,
    processEvery: options.pollIntervalMs,
    maxConcurrency: options.concurrency,
    defaultConcurrency: options.concurrency,
    defaultLockLifetime: options.lockLifetimeMs,
  });
  agenda.on('error', (error: Error) => {
    // Agenda clears a finished job's lock before it saves the job's end; its lock check, waking
    // during that save (a slow database), then reports the job "canceled, no lockedAt date
    // found". The job has finished and is saved all the same: nothing to report as an error.
    if (FINISHED_WHILE_SAVING.test(error.message))
      logger.debug({ err: error }, 'a job finished while its lock was checked');
    else logger.error({ err: error }, 'job queue error');
  });
  // Events of jobs run by other workers arrive too (through NOTIFY), flagged `remote`.
  agenda.on('fail', (error: unknown, job: unknown, remote?: boolean) => {
    if (remote === true) return;
    const { attrs } = job as Job;
    logger.error({ err: error, job: attrs.name, jobId: String(attrs._id) }, 'job failed');
  });

  /** Jobs running here, by id: their abort controller, and a promise settled once Agenda saved their end. */
  const running = new Map<string, { controller: AbortController; finished: Promise<void> }>();
  const finishers = new Map<string, () => void>();
  agenda.on('complete', (job: unknown, remote?: boolean) => {
    if (remote === true) return;
    const id = String((job as Job).attrs._id);
    finishers.get(id)?.();
    finishers.delete(id);
    running.delete(id);
  });
  let started = false;

  function define<S extends z.ZodType>(definition: JobDefinition<S>): void {
    agenda.define(
      definition.name,
      async (job: Job) => {
        const id = String(job.attrs._id);
        const log = logger.child({ job: definition.name, jobId: id });
        const parsed = definition.schema.safeParse(job.attrs.data, { reportInput: true });
        if (!parsed.success) {
          const problems = zodProblems(parsed.error).map(formatProblem).join('; ');
          throw new AppError(
            'job_data_invalid',
            `job ${definition.name} ${id} has invalid data: ${problems}`,
          );
        }
        const controller = new AbortController();
        running.set(id, {
          controller,
          finished: new Promise((resolve) => finishers.set(id, resolve)),
        });
        const heartbeat = startLockHeartbeat({
          job,
          everyMs: Math.max(500, Math.floor(options.lockLifetimeMs / 3)),
          log,
          onLost: (reason) => controller.abort(reason),
        });
        try {
          await definition.handler({
            id,
            name: definition.name,
            data: parsed.data,
            signal: controller.signal,
            log,
            progress: (percent) => heartbeat.touch(percent),
          });
        } finally {
          await heartbeat.stop();
        }
      },
      {
        lockLifetime: options.lockLifetimeMs,
        ...(definition.concurrency === undefined ? {} : { concurrency: definition.concurrency }),
        ...(definition.removeOnComplete === undefined
          ? {}
          : { removeOnComplete: definition.removeOnComplete }),
      },
    );
  }

  return {
    define,

    async enqueue(name, data, enqueueOptions = {}) {
      const job =
        enqueueOptions.runAt === undefined
          ? await agenda.now<JsonObject>(name, data)
          : await agenda.schedule<JsonObject>(enqueueOptions.runAt, name, data);
      return String(job.attrs._id);
    },

    async every(interval, name, data = {}) {
      await agenda.every<JsonObject>(interval, name, data);
    },

    async start() {
      backend.open();
      await agenda.start();
      started = true;
      logger.info(
        {
          worker: options.workerName,
          concurrency: options.concurrency,
          lockLifetimeMs: options.lockLifetimeMs,
        },
        'job worker started',
      );
    },

    async stop({ drainTimeoutMs = options.drainTimeoutMs ?? 10_000 } = {}) {
      if (!started) return;
      started = false;
      // Stop taking jobs; jobs locked here but not yet started are unlocked for other workers,
      // and so is one a lookup still under way locks. After this, only running jobs use the pool.
      const lookups = backend.close();
      await agenda.stop(false);
      await lookups;
      const pending = [...running.values()];
      if (pending.length === 0) return;
      logger.info({ running: pending.length }, 'waiting for running jobs to finish');
      const all = Promise.all(pending.map((entry) => entry.finished));
      if ((await Promise.race([all.then(() => true), sleep(drainTimeoutMs, false)])) === true)
        return;
      // The handlers hand their work back (a run's step is released for another worker).
      for (const entry of pending)
        entry.controller.abort(new AppError('internal', 'the worker is stopping'));
      await Promise.race([all, sleep(ABORT_GRACE_MS)]);
    },

    async stats(): Promise<JobQueueStats> {
      const overview = await agenda.getJobsOverview();
      const sum = (key: 'queued' | 'running' | 'scheduled' | 'failed') =>
        overview.reduce((total, entry) => total + entry[key], 0);
      return {
        queued: sum('queued'),
        running: sum('running'),
        scheduled: sum('scheduled'),
        failed: sum('failed'),
      };
    },

    runningCount: () => running.size,
  };
}
