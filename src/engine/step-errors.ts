import { scrubSecrets } from '../log/scrub-secrets.js';
import { isConnectionLoss } from '../store/connection-errors.js';
import type { JsonObject } from '../store/sql.js';

/**
 * Why a step failed, in a form the engine acts on: `retryable` failures are attempted again
 * under `on_error: retry`; everything else fails at once. Adapters throw StepError, or any
 * error with a boolean `retryable` property (HTTP 429/5xx, network errors).
 */
export class StepError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: JsonObject | undefined;

  constructor(
    message: string,
    options: { code: string; retryable?: boolean; details?: JsonObject; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepError';
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

export function isRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable === true;
}

/** The step ran longer than its `timeout`. Retryable: the action's idempotency key makes it safe. */
export class StepTimeoutError extends StepError {
  constructor(step: string, timeoutMs: number) {
    super(`step ${step} did not finish within its timeout of ${timeoutMs} ms`, {
      code: 'step_timeout',
      retryable: true,
    });
  }
}

/** Someone asked to cancel the run. */
export class RunCancelledError extends StepError {
  constructor() {
    super('the run was cancelled', { code: 'run_cancelled' });
  }
}

/** The run reached its wall-clock limit. */
export class RunDeadlineError extends StepError {
  constructor(timeoutMs: number) {
    super(`the run did not finish within its time limit of ${Math.round(timeoutMs / 1000)} s`, {
      code: 'run_timeout',
    });
  }
}

/** Another worker took this step over (this worker was presumed dead): stop without recording. */
export class StepTakenOverError extends Error {
  constructor(step: string) {
    super(`another worker took over step ${step}`);
    this.name = 'StepTakenOverError';
  }
}

/** This worker is stopping, or lost the run's job: hand the run back, record no failure. */
export class WorkerStoppingError extends Error {
  constructor(reason: unknown) {
    super(
      `the worker gave the run up: ${reason instanceof Error ? reason.message : String(reason)}`,
    );
    this.name = 'WorkerStoppingError';
  }
}

/**
 * The step cannot go on until a person decides: it is parked (the run waits, holding no
 * worker) instead of failing, and runs again from where it stopped once someone resumes it.
 * A budget that a model call would exceed is the first kind.
 */
export class StepPauseError extends Error {
  readonly waitingFor: 'budget';
  /** What the decision needs (figures to show, what may be granted): stored with the step. */
  readonly record: JsonObject;

  constructor(message: string, options: { waitingFor: 'budget'; record: JsonObject }) {
    super(message);
    this.name = 'StepPauseError';
    this.waitingFor = options.waitingFor;
    this.record = options.record;
  }
}

/**
 * Reasons to stop executing a run that are not failures of the step. A lost database connection
 * is the worker's (the server restarted, the embedded database's serving process died): the run
 * is handed back and the step runs again under its idempotency key, as after a worker crash.
 */
export function isStop(error: unknown): boolean {
  return (
    error instanceof RunCancelledError ||
    error instanceof RunDeadlineError ||
    error instanceof StepTakenOverError ||
    error instanceof WorkerStoppingError ||
    isConnectionLoss(error)
  );
}

/** The JSON recorded for a failure: message, code, and whatever helps the person fix it. */
export type ErrorRecord = JsonObject & { message: string; code: string };

/**
 * The record is stored, served by the API and posted to Slack, and its message often quotes a
 * vendor's answer: every secret this process knows is scrubbed from it.
 */
export function errorRecord(error: unknown): ErrorRecord {
  const record = unscrubbedRecord(error);
  try {
    return JSON.parse(scrubSecrets(JSON.stringify(record))) as ErrorRecord;
  } catch {
    // A thrown object that is not JSON (a cycle, a BigInt): its message is what is kept.
    return { message: scrubSecrets(record.message), code: record.code };
  }
}

function unscrubbedRecord(error: unknown): ErrorRecord {
  if (error instanceof StepError) {
    return {
      message: error.message,
      code: error.code,
      retryable: error.retryable,
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  }
  if (error !== null && typeof error === 'object' && !(error instanceof Error)) {
    const record = error as JsonObject;
    if (typeof record.message === 'string') {
      const code = typeof record.code === 'string' ? record.code : 'step_failed';
      return { ...record, message: record.message, code };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, code: 'step_failed', retryable: isRetryable(error) };
}
