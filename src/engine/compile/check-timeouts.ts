import type { Step } from '../workflow-model.js';
import type { WorkflowIssue } from './issues.js';

/**
 * Warnings about timeouts that do not mean what they say, now that the run's `timeout` counts
 * working time only and time waiting for a decision is governed by the gate's own timeout (#16):
 *
 * 1. A working step whose `timeout` is longer than the run's: the run's deadline stops the step
 *    first, so the step's timeout never applies. (on_failure steps are not limited by the run's
 *    deadline, so they are left alone.)
 * 2. An approval gate with no `timeout`: the run's timeout no longer ends the wait, so the run
 *    waits until someone decides or cancels it.
 *
 * A gate timeout longer than the run's timeout (implement-task: 4h run, 24h gate) is fine and
 * not warned about: the wait does not count against the run.
 */
export function checkTimeouts(
  steps: readonly Step[],
  runTimeoutMs: number,
  runTimeoutSet: boolean,
): WorkflowIssue[] {
  const run = `the run's ${runTimeoutSet ? '' : 'default '}timeout (${formatDuration(runTimeoutMs)})`;
  const warnings: WorkflowIssue[] = [];
  steps.forEach((step, i) => {
    if (step.kind === 'approval') {
      if (step.timeoutMs === undefined)
        warnings.push({
          path: ['steps', i],
          message: `no timeout: time waiting for a decision does not count against ${run}, so the run waits until someone decides or cancels it; set timeout: (and on_timeout:) to end the wait`,
        });
    } else if (step.timeoutMs !== undefined && step.timeoutMs > runTimeoutMs) {
      warnings.push({
        path: ['steps', i, 'timeout'],
        message: `${formatDuration(step.timeoutMs)} is longer than ${run}: the run's deadline stops this step first, so this timeout never applies; lower it, or raise the workflow's timeout`,
      });
    }
  });
  return warnings;
}

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** A duration as a workflow file writes it, exactly: 4h, 90m, 1500ms. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
