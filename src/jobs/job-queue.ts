import type { z } from 'zod';
import type { Logger } from '../log/create-logger.js';
import type { JsonObject } from '../store/sql.js';

/** What a job handler gets: its validated data and the means to stop in time. */
export interface JobContext<T> {
  readonly id: string;
  readonly name: string;
  readonly data: T;
  /**
   * Aborted when this worker loses the job (its lock could not be renewed, so another worker
   * may take it over) or stops. Handlers pass it on to I/O and return promptly.
   */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Reports progress (0–100); the lock is renewed automatically either way. */
  readonly progress: (percent: number) => Promise<void>;
}

/**
 * A kind of job. Handlers must be idempotent: a job whose worker died mid-way is run again by
 * another worker, so it can start twice (it finishes once).
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  /** Validates the stored data before the handler sees it. */
  readonly schema: S;
  // Method syntax on purpose: a handler for specific data is still a handler for the registry.
  handler(context: JobContext<z.output<S>>): Promise<void>;
  /** Jobs of this kind one worker runs at once (default: the worker's concurrency). */
  readonly concurrency?: number;
  /** Delete a one-off job of this kind once it has succeeded (its record lives elsewhere). */
  readonly removeOnComplete?: boolean;
}

/** Declares a job kind with its data type inferred from the schema. */
export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

export interface JobQueueStats {
  readonly queued: number;
  readonly running: number;
  readonly scheduled: number;
  readonly failed: number;
}

/** Durable background jobs. Core code depends on this interface, never on the job library. */
export interface JobQueue {
  define<S extends z.ZodType>(definition: JobDefinition<S>): void;
  /** Stores a job to run as soon as a worker is free (or at `runAt`); returns its id. */
  enqueue(name: string, data: JsonObject, options?: { runAt?: Date }): Promise<string>;
  /** Ensures one recurring job of this name exists, every `interval` (e.g. `1 minute`). */
  every(interval: string, name: string, data?: JsonObject): Promise<void>;
  /** Starts working on jobs in this process. */
  start(): Promise<void>;
  /**
   * Stops taking jobs, waits up to `drainTimeoutMs` for running ones, then aborts what is left
   * (its lock expires and another worker takes it over).
   */
  stop(options?: { drainTimeoutMs?: number }): Promise<void>;
  stats(): Promise<JobQueueStats>;
  /** Jobs this process is running right now. */
  runningCount(): number;
}
