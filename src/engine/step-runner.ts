import pRetry, { AbortError } from 'p-retry';
import { formatProblem } from '../errors/problem.js';
import { zodProblems } from '../errors/zod-problems.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { WaitingFor } from '../store/repositories/runs.js';
import type { JsonObject } from '../store/sql.js';
import { startGate } from './approvals.js';
import { pauseStep } from './pauses.js';
import type { Execution } from './execution.js';
import { applyOutputs, recordStep, resolve } from './run-context.js';
import { attemptStep } from './step-attempt.js';
import { inStepSpan } from './run-spans.js';
import {
  errorRecord,
  isRetryable,
  isStop,
  RunCancelledError,
  StepError,
  StepPauseError,
} from './step-errors.js';
import type { AiActionStep, PluginActionStep, Step } from './workflow-model.js';

export type StepOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'waiting'; readonly waitingFor: WaitingFor }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'stopped'; readonly reason: unknown };

/** A worker that keeps dying while running one step should not take the step over forever. */
const MAX_TAKEOVERS = 5;

/**
 * Runs one step to the end of its error policy, or picks up where an earlier worker left it:
 * finished steps only make their outputs visible again; a step cut short by a dead worker runs
 * again under the same idempotency key.
 */
export async function runStep(x: Execution, step: Step): Promise<StepOutcome> {
  const row =
    x.rows.get(step.name) ??
    (await x.deps.store.steps.ensure({
      runId: x.run.id,
      stepName: step.name,
      stepIndex: step.index,
      kind: step.kind,
    }));
  x.rows.set(step.name, row);
  switch (row.status) {
    case 'succeeded':
    case 'skipped':
    case 'rolled_back':
      recordStep(x.context, step, row);
      return { kind: 'done' };
    case 'waiting':
      return { kind: 'waiting', waitingFor: step.kind === 'approval' ? 'approval' : 'budget' };
    case 'cancelled':
      return { kind: 'stopped', reason: new RunCancelledError() };
    case 'failed':
      if (
        row.failures >= 1 + step.retryCount ||
        step.kind === 'approval' ||
        !isRetryable(row.error)
      )
        return settleFailure(x, step, row, row.error);
      break;
    case 'pending':
    case 'running':
      break;
  }
  return inStepSpan(x, step, () => executeStep(x, step, row));
}

/** Runs a step that is not finished yet: its condition, then its kind's work. */
async function executeStep(x: Execution, step: Step, row: RunStep): Promise<StepOutcome> {
  if (step.when !== undefined) {
    const proceed = evaluateCondition(x, step);
    if (proceed !== true)
      return skip(
        x,
        step,
        row,
        proceed === false ? `when: ${step.when.source} was false` : proceed,
      );
  }
  try {
    switch (step.kind) {
      case 'approval':
        await startGate(x, step, row);
        return { kind: 'waiting', waitingFor: 'approval' };
      case 'set': {
        const values = resolve(step.values, x.context, `step ${step.name}`);
        return await succeed(x, step, row, values, Date.now());
      }
      case 'plugin_action':
      case 'ai_action':
        return await runWithRetries(x, step, row);
    }
  } catch (error) {
    if (isStop(error)) return { kind: 'stopped', reason: error };
    if (error instanceof StepPauseError) {
      await pauseStep(x, step, row, error);
      return { kind: 'waiting', waitingFor: error.waitingFor };
    }
    const failed = (await x.deps.store.steps.fail(row.id, errorRecord(error))) ?? row;
    await recordFailure(x, step, failed, error, false);
    return settleFailure(x, step, failed, error);
  }
}

/** true, false, or the reason the condition could not be evaluated. */
function evaluateCondition(x: Execution, step: Step): boolean | string {
  try {
    const value = step.when?.evaluate(x.context);
    if (typeof value === 'boolean') return value;
    throw new StepError(
      `when: ${step.when?.source ?? ''} gave ${JSON.stringify(value)}, not true or false`,
      { code: 'condition_not_boolean' },
    );
  } catch (error) {
    throw new StepError(`step ${step.name} when: ${(error as Error).message}`, {
      code: 'condition_failed',
      cause: error,
    });
  }
}

async function skip(x: Execution, step: Step, row: RunStep, reason: string): Promise<StepOutcome> {
  const skipped = (await x.deps.store.steps.skip(row.id, reason)) ?? row;
  x.rows.set(step.name, skipped);
  recordStep(x.context, step, skipped);
  await x.deps.recorder.record({
    type: 'step.skipped',
    runId: x.run.id,
    step: step.name,
    message: `${step.name} skipped: ${reason}`,
    data: { reason },
  });
  return { kind: 'done' };
}

async function succeed(
  x: Execution,
  step: Step,
  row: RunStep,
  result: unknown,
  startedAt: number,
): Promise<StepOutcome> {
  applyOutputs({ ...x.context }, step, result);
  const done = (await x.deps.store.steps.succeed(row.id, (result ?? null) as JsonObject)) ?? row;
  x.rows.set(step.name, done);
  recordStep(x.context, step, done);
  await x.deps.recorder.record({
    type: 'step.succeeded',
    runId: x.run.id,
    step: step.name,
    message: `${step.name} succeeded`,
    data: {
      attempt: done.attempt,
      duration_ms: Date.now() - startedAt,
      outputs: step.outputs.map((o) => o.to.join('.')),
    },
  });
  return { kind: 'done' };
}

async function runWithRetries(
  x: Execution,
  step: PluginActionStep | AiActionStep,
  row: RunStep,
): Promise<StepOutcome> {
  // Attempts that neither failed nor were handed back ended with their worker's death.
  if (row.status === 'running' && row.attempt - row.failures - row.handovers >= MAX_TAKEOVERS) {
    throw new StepError(
      `the workers running ${step.name} stopped ${MAX_TAKEOVERS} times; giving up`,
      { code: 'worker_crashes' },
    );
  }
  const input = resolve(step.inputs, x.context, `step ${step.name} inputs`) as JsonObject;
  if (step.kind === 'plugin_action') checkInput(x, step, input);
  const started = Date.now();
  let current = row;
  // The failure recorded by the last attempt: the one to settle with, not to record again.
  let recorded: unknown;
  const result = await pRetry(
    async (attemptNumber) => {
      // A cancel requested during the backoff is seen here; during an attempt, by the heartbeat.
      if (attemptNumber > 1 && (await x.deps.store.runs.get(x.run.id))?.cancelRequestedAt != null) {
        throw new AbortError(new RunCancelledError());
      }
      try {
        const attempt = await attemptStep({
          env: x.deps,
          run: x.info,
          step,
          row: current,
          input,
          signal: x.signal,
          log: x.log,
        });
        current = attempt.row;
        return attempt.result;
      } catch (thrown) {
        // Whatever an attempt throws once the run is stopping (a timer's or a library's own
        // "operation was aborted") is the stop, not a failure of the step.
        const error: unknown = x.signal.aborted ? (x.signal.reason as unknown) : thrown;
        // A pause is not a failure: no attempt is counted and nothing is retried.
        if (isStop(error) || error instanceof StepPauseError) throw new AbortError(error as Error);
        current = (await x.deps.store.steps.fail(current.id, errorRecord(error))) ?? current;
        const willRetry = isRetryable(error) && current.failures < 1 + step.retryCount;
        await recordFailure(x, step, current, error, willRetry);
        recorded = error;
        if (!willRetry) throw new AbortError(error as Error);
        throw error;
      }
    },
    {
      retries: Math.max(0, step.retryCount - row.failures),
      factor: 2,
      minTimeout: x.deps.retry.baseMs,
      maxTimeout: x.deps.retry.maxMs,
      randomize: true,
      signal: x.signal,
    },
  ).then(
    (value) => ({ value }),
    (error: unknown) => {
      x.rows.set(step.name, current);
      if (error !== recorded || isStop(error)) throw error;
      return { failed: error };
    },
  );
  if ('failed' in result) return settleFailure(x, step, current, result.failed);
  return succeed(x, step, current, result.value, started);
}

function checkInput(x: Execution, step: PluginActionStep, input: JsonObject): void {
  const signature = x.deps.catalog.get(step.plugin, step.action);
  const parsed = signature?.input.safeParse(input, { reportInput: true });
  if (parsed === undefined || parsed.success) return;
  const problems = zodProblems(parsed.error).map(formatProblem).join('; ');
  throw new StepError(`step ${step.name} inputs for ${step.plugin}.${step.action}: ${problems}`, {
    code: 'invalid_input',
  });
}

async function recordFailure(
  x: Execution,
  step: Step,
  row: RunStep,
  error: unknown,
  willRetry: boolean,
): Promise<void> {
  const record = errorRecord(error);
  await x.deps.recorder.record({
    type: willRetry ? 'step.retrying' : 'step.failed',
    runId: x.run.id,
    step: step.name,
    level: willRetry ? 'warn' : 'error',
    message: willRetry
      ? `${step.name} failed (attempt ${row.attempt} of ${1 + step.retryCount}), retrying: ${record.message}`
      : `${step.name} failed: ${record.message}`,
    data: { ...record, attempt: row.attempt },
  });
}

/** A step that failed for good: `continue` moves on; `fail` and `rollback` end the run. */
function settleFailure(x: Execution, step: Step, row: RunStep, error: unknown): StepOutcome {
  x.rows.set(step.name, row);
  if (step.onError === 'continue') {
    recordStep(x.context, step, row);
    return { kind: 'done' };
  }
  return { kind: 'failed', error };
}
