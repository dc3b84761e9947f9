import type { Logger } from '../log/create-logger.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { Run } from '../store/repositories/runs.js';
import type { JsonObject } from '../store/sql.js';
import { RUN_JOB, type Execution, type ExecutionDeps } from './execution.js';
import { rollback, type RollbackReport } from './rollback.js';
import { initialContext, type RunContext } from './run-context.js';
import { timeLimitMs } from './run-deadline.js';
import {
  errorRecord,
  RunCancelledError,
  RunDeadlineError,
  StepTakenOverError,
  WorkerStoppingError,
} from './step-errors.js';
import { endRunSpan, traceOfRun } from './run-spans.js';
import { runStep } from './step-runner.js';
import type { Step, Workflow } from './workflow-model.js';

/**
 * Executes a run as far as it can go: to its end, to an approval gate, or until the worker
 * stops. Every step's state is committed before the next one starts, so any worker can pick
 * the run up again from the first unfinished step.
 */
export async function executeRun(options: {
  deps: ExecutionDeps;
  runId: string;
  workflowOf: (run: Run) => Workflow;
  jobSignal: AbortSignal;
  log: Logger;
}): Promise<void> {
  const { deps, runId } = options;
  const run = await deps.store.runs.get(runId);
  if (
    run === null ||
    run.status === 'succeeded' ||
    run.status === 'failed' ||
    run.status === 'cancelled' ||
    run.status === 'waiting'
  )
    return;
  const log = options.log.child({ runId, workflow: run.workflowName });
  // The worker giving the job up (stopping, or its lock lost) stops everything; the run's
  // deadline stops its steps but not its on_failure hooks.
  const worker = new AbortController();
  const onJobAbort = () => worker.abort(new WorkerStoppingError(options.jobSignal.reason));
  options.jobSignal.addEventListener('abort', onJobAbort, { once: true });
  const deadline = new AbortController();
  const remaining = (run.deadlineAt?.getTime() ?? Number.POSITIVE_INFINITY) - Date.now();
  const timer = Number.isFinite(remaining)
    ? setTimeout(() => deadline.abort(new RunDeadlineError(limitOf(run))), Math.max(0, remaining))
    : undefined;
  try {
    const traceparent = await traceOfRun(deps, run);
    let workflow: Workflow;
    let context: RunContext;
    try {
      workflow = options.workflowOf(run);
      context = initialContext(run, workflow);
    } catch (error) {
      const failed = await deps.store.runs.transition(runId, 'failed', {
        from: ['queued', 'running'],
        error: errorRecord(error),
      });
      if (failed !== null) endRunSpan(deps, run, traceparent, 'failed');
      await deps.recorder.record({
        type: 'run.failed',
        runId,
        level: 'error',
        message: `Run could not start: ${errorRecord(error).message}`,
      });
      return;
    }
    const running = await deps.store.runs.transition(runId, 'running', {
      from: ['queued', 'running'],
    });
    if (running === null) return;
    const rows = new Map(
      (await deps.store.steps.listForRun(runId)).map((row) => [row.stepName, row]),
    );
    // Steps sent back by a rejected approval find the feedback under run.revisions.<step>.
    context.run = { ...(context.run as JsonObject), revisions: revisionsOf(rows.values()) };
    const x: Execution = {
      deps,
      run: running,
      workflow,
      context,
      rows,
      signal: AbortSignal.any([worker.signal, deadline.signal]),
      workerSignal: worker.signal,
      info: { id: run.id, workflow: workflow.name, channelId: run.channelId, userId: run.userId },
      log,
      traceparent,
    };
    const resumed = rows.size > 0;
    await deps.recorder.record({
      type: resumed ? 'run.resumed' : 'run.started',
      runId,
      message: resumed ? `Run resumed by ${deps.worker}` : `Run of ${workflow.name} started`,
      data: { worker: deps.worker, workflow: workflow.name, version: workflow.version },
    });
    await proceed(x);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.jobSignal.removeEventListener('abort', onJobAbort);
  }
}

async function proceed(x: Execution): Promise<void> {
  if (x.run.cancelRequestedAt !== null) return finishCancelled(x);
  for (const step of x.workflow.steps) {
    if (x.signal.aborted) return stopped(x, step, x.signal.reason);
    const outcome = await runStep(x, step);
    switch (outcome.kind) {
      case 'done':
        continue;
      case 'waiting':
        // Also when the gate was already open (a duplicate job, a sweep): the run waits again.
        await x.deps.store.runs.transition(x.run.id, 'waiting', {
          from: ['running'],
          waitingFor: outcome.waitingFor,
        });
        return;
      case 'failed': {
        const report = step.onError === 'rollback' ? await rollback(x, step) : undefined;
        return failRun(x, step, outcome.error, report);
      }
      case 'stopped':
        return stopped(x, step, outcome.reason);
    }
  }
  await ended(x);
  if (await x.deps.store.runs.transition(x.run.id, 'succeeded', { from: ['running'] }))
    endRunSpan(x.deps, x.run, x.traceparent, 'succeeded');
  await x.deps.recorder.record({
    type: 'run.succeeded',
    runId: x.run.id,
    message: 'Run succeeded',
    data: { outputs: summary(x) },
  });
}

/**
 * Frees what the run's agents kept on this machine (working copies) before the run is marked
 * ended, so that an ended run has nothing left behind; a failure here never fails the run.
 */
async function ended(x: Execution): Promise<void> {
  try {
    await x.deps.agents.runEnded?.(x.run.id);
  } catch (error) {
    x.log.warn({ err: error }, 'could not remove what the run left behind');
  }
}

async function stopped(x: Execution, step: Step, reason: unknown): Promise<void> {
  if (reason instanceof RunCancelledError) return finishCancelled(x);
  if (reason instanceof RunDeadlineError) return failRun(x, step, reason);
  if (reason instanceof StepTakenOverError) {
    x.log.warn({ step: step.name }, 'another worker took this run over; leaving it to that worker');
    return;
  }
  // This worker is stopping (or lost the run's job): give the step and the run back.
  x.log.info(
    { step: step.name, reason: (reason as Error).message },
    'handing the run back to another worker',
  );
  const row = x.rows.get(step.name);
  if (row !== undefined) await x.deps.store.steps.release(row.id, x.deps.worker);
  await x.deps.jobs.enqueue(RUN_JOB, { runId: x.run.id });
}

/** Ends a failed run: runs the on_failure hooks (keeping written work), then records why. */
async function failRun(
  x: Execution,
  step: Step,
  error: unknown,
  report?: RollbackReport,
): Promise<void> {
  const record = errorRecord(error);
  (x.context.run as JsonObject).error = { ...record, step: step.name };
  const kept = await runFailureHooks(x);
  const details: JsonObject = { ...record, step: step.name };
  if (report !== undefined)
    details.rollback = { undone: report.undone, not_undone: report.notUndone };
  if (Object.keys(kept).length > 0) details.kept = kept;
  await ended(x);
  const failed = await x.deps.store.runs.transition(x.run.id, 'failed', {
    from: ['running', 'queued', 'waiting'],
    error: details,
  });
  if (failed !== null) endRunSpan(x.deps, x.run, x.traceparent, 'failed');
  const keptText = Object.keys(kept).length > 0 ? ` Work kept: ${describeKept(kept)}.` : '';
  const undone =
    report === undefined ? '' : ` Rolled back: ${report.undone.join(', ') || 'nothing to undo'}.`;
  await x.deps.recorder.record({
    type: 'run.failed',
    runId: x.run.id,
    step: step.name,
    level: 'error',
    message: `Run failed at ${step.name}: ${record.message}.${undone}${keptText}`,
    data: details,
  });
}

async function finishCancelled(x: Execution): Promise<void> {
  for (const row of x.rows.values()) {
    if (row.status === 'pending' || row.status === 'running' || row.status === 'waiting') {
      await x.deps.store.steps.cancel(row.id);
      await x.deps.recorder.record({
        type: 'step.cancelled',
        runId: x.run.id,
        step: row.stepName,
        message: `${row.stepName} cancelled`,
      });
    }
  }
  (x.context.run as JsonObject).error = { code: 'run_cancelled', message: 'the run was cancelled' };
  const kept = await runFailureHooks(x);
  const details: JsonObject = { code: 'run_cancelled', message: 'the run was cancelled' };
  if (Object.keys(kept).length > 0) details.kept = kept;
  await ended(x);
  const cancelled = await x.deps.store.runs.transition(x.run.id, 'cancelled', {
    from: ['running', 'queued', 'waiting'],
    error: details,
  });
  if (cancelled !== null) endRunSpan(x.deps, x.run, x.traceparent, 'cancelled');
  await x.deps.recorder.record({
    type: 'run.cancelled',
    runId: x.run.id,
    level: 'warn',
    message: 'Run cancelled',
    data: details,
  });
}

/** Runs on_failure steps; their failures are recorded but never stop the others. */
async function runFailureHooks(x: Execution): Promise<JsonObject> {
  const kept: JsonObject = {};
  const hooks: Execution = { ...x, signal: x.workerSignal };
  for (const step of x.workflow.onFailure) {
    try {
      const outcome = await runStep(hooks, step);
      const row = x.rows.get(step.name);
      if (outcome.kind === 'done' && row?.status === 'succeeded' && row.outputs !== null)
        kept[step.name] = row.outputs;
    } catch (error) {
      x.log.error({ err: error, step: step.name }, 'on_failure step failed');
    }
  }
  return kept;
}

/** Where the work was kept, for people: the links the hooks returned, else what they returned. */
function describeKept(kept: JsonObject): string {
  return Object.entries(kept)
    .map(([step, outputs]) => {
      const links = Object.entries((outputs ?? {}) as JsonObject)
        .filter(([key, value]) => key.endsWith('url') && typeof value === 'string')
        .map(([, value]) => value as string);
      return `${step}: ${links.length > 0 ? links.join(', ') : JSON.stringify(outputs)}`;
    })
    .join('; ');
}

/** The run's working-time limit: its deadline has moved on by every wait for a decision (#16). */
function limitOf(run: Run): number {
  return timeLimitMs(run) ?? 0;
}

/** What the run produced, by output name, for the final event. */
function summary(x: Execution): JsonObject {
  const names = x.workflow.steps.flatMap((s) => s.outputs.map((o) => o.to[0] ?? ''));
  const out: JsonObject = {};
  for (const name of names)
    if (name !== '' && Object.hasOwn(x.context, name))
      out[name] = x.context[name] as JsonObject[string];
  return out;
}

function revisionsOf(rows: Iterable<RunStep>): JsonObject {
  const revisions: JsonObject = {};
  for (const row of rows) if (row.revision !== null) revisions[row.stepName] = row.revision;
  return revisions;
}
