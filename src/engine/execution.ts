import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../log/create-logger.js';
import type { Monitoring } from '../plugins/interfaces/monitoring.js';
import type { Run } from '../store/repositories/runs.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { RunContext } from './run-context.js';
import type { RunInfo } from './runners.js';
import type { AttemptEnvironment } from './step-attempt.js';
import type { Workflow } from './workflow-model.js';

/** What the engine needs from the rest of aidev to execute runs. */
export interface ExecutionDeps extends AttemptEnvironment {
  readonly jobs: JobQueue;
  readonly logger: Logger;
  /** Backoff of `on_error: retry`: the first delay, and the longest. */
  readonly retry: { readonly baseMs: number; readonly maxMs: number };
  /** Spans of steps and the run's root span (#20); `noMonitoring` when nothing is exported. */
  readonly monitoring: Monitoring;
}

/** One worker's execution of one run, from the moment it picks the run's job. */
export interface Execution {
  readonly deps: ExecutionDeps;
  readonly run: Run;
  readonly workflow: Workflow;
  readonly context: RunContext;
  /** The run's step records, by step name, as this worker knows them. */
  readonly rows: Map<string, RunStep>;
  /** Aborted at the run's deadline, or when this worker loses or gives up the run's job. */
  readonly signal: AbortSignal;
  /** Aborted only when this worker loses or gives up the job: on_failure hooks run past the deadline. */
  readonly workerSignal: AbortSignal;
  readonly info: RunInfo;
  readonly log: Logger;
  /** The run's trace (W3C traceparent): this worker's step spans continue it. */
  readonly traceparent: string | undefined;
}

export const RUN_JOB = 'workflow.run';
export const APPROVAL_TIMEOUT_JOB = 'workflow.approval-timeout';
export const SWEEP_JOB = 'workflow.sweep';
