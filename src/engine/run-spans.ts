import type { Run } from '../store/repositories/runs.js';
import type { Execution, ExecutionDeps } from './execution.js';
import { RunCancelledError, RunDeadlineError } from './step-errors.js';
import type { StepOutcome } from './step-runner.js';
import type { Step } from './workflow-model.js';

/**
 * Runs one execution of a step by this worker in a span of the run's trace (#20): a step
 * another worker takes over is a second span of the same trace. The span carries names and
 * counts, never the step's inputs or outputs.
 */
export function inStepSpan(
  x: Execution,
  step: Step,
  execute: () => Promise<StepOutcome>,
): Promise<StepOutcome> {
  return x.deps.monitoring.inSpan(
    {
      kind: 'step',
      name: `step ${step.name}`,
      ...(x.traceparent === undefined ? {} : { traceparent: x.traceparent }),
      attributes: {
        'aidev.run.id': x.run.id,
        'aidev.workflow': x.workflow.name,
        'aidev.step.name': step.name,
        'aidev.step.kind': step.kind,
        'aidev.worker': x.deps.worker,
        ...(step.kind === 'plugin_action'
          ? { 'aidev.action': `${step.plugin}.${step.action}` }
          : {}),
        ...(step.kind === 'ai_action' ? { 'aidev.agent': step.agent } : {}),
      },
    },
    async (span) => {
      const outcome = await execute();
      const name = outcomeOf(x, step, outcome);
      span.setAttributes({ 'aidev.step.outcome': name });
      if (name === 'failed') span.fail('the step failed');
      return outcome;
    },
  );
}

/** How the step's execution ended: its row's status, or why it stopped. */
function outcomeOf(x: Execution, step: Step, outcome: StepOutcome): string {
  switch (outcome.kind) {
    case 'done':
      return x.rows.get(step.name)?.status ?? 'succeeded';
    case 'stopped':
      if (outcome.reason instanceof RunCancelledError) return 'cancelled';
      return outcome.reason instanceof RunDeadlineError ? 'deadline' : 'handed_over';
    case 'waiting':
    case 'failed':
      return outcome.kind;
  }
}

/**
 * The run's trace: the one made when it was created, else (a run created while nothing was
 * exported) one made now and kept, unless another worker kept one first.
 */
export async function traceOfRun(deps: ExecutionDeps, run: Run): Promise<string | undefined> {
  if (run.traceContext !== null) return run.traceContext;
  const fresh = deps.monitoring.newRunTrace();
  return fresh === undefined ? undefined : deps.store.runs.adoptTrace(run.id, fresh);
}

/** The run ended (by this worker): its root span and duration. Never fails the run. */
export function endRunSpan(
  deps: ExecutionDeps,
  run: Run,
  traceparent: string | undefined,
  outcome: 'succeeded' | 'failed' | 'cancelled',
): void {
  try {
    deps.monitoring.endRun({
      ...(traceparent === undefined ? {} : { traceparent }),
      runId: run.id,
      workflow: run.workflowName,
      trigger: run.trigger,
      outcome,
      createdAt: run.createdAt,
    });
  } catch (error) {
    deps.logger.warn({ err: error, runId: run.id }, 'could not record the run’s span');
  }
}
