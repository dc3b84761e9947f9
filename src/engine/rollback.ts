import type { JsonObject } from '../store/sql.js';
import type { Execution } from './execution.js';
import { errorRecord, isRetryable } from './step-errors.js';
import type { Step } from './workflow-model.js';

export interface RollbackReport {
  readonly undone: string[];
  readonly notUndone: { readonly step: string; readonly reason: string }[];
}

/**
 * Undoes, newest first, what the steps before `failed` did, using each action's declared
 * compensation (delete the branch, close the pull request, restore the task status). Steps
 * with nothing to undo are left as they are. A compensation that fails is reported, and the
 * rollback goes on with the others.
 */
export async function rollback(x: Execution, failed: Step): Promise<RollbackReport> {
  const report: RollbackReport = { undone: [], notUndone: [] };
  const done = x.workflow.steps.filter(
    (s) => s.index < failed.index && x.rows.get(s.name)?.status === 'succeeded',
  );
  for (const step of done.reverse()) {
    const row = x.rows.get(step.name);
    if (row === undefined || step.kind !== 'plugin_action') continue;
    const signature = x.deps.catalog.get(step.plugin, step.action);
    if (signature?.compensation === undefined) continue;
    const input = signature.compensation.input(row.inputs as never, row.outputs);
    try {
      await compensate(
        x,
        step.plugin,
        signature.compensation.action,
        input,
        `${row.idempotencyKey}:compensate`,
        step.name,
      );
      const rolledBack = await x.deps.store.steps.markRolledBack(row.id);
      if (rolledBack !== null) x.rows.set(step.name, rolledBack);
      report.undone.push(step.name);
      await x.deps.recorder.record({
        type: 'step.rolled_back',
        runId: x.run.id,
        step: step.name,
        message: `${step.name} undone with ${step.plugin}.${signature.compensation.action}`,
        data: { compensation: `${step.plugin}.${signature.compensation.action}`, input },
      });
    } catch (error) {
      const reason = errorRecord(error).message;
      report.notUndone.push({ step: step.name, reason });
      await x.deps.recorder.record({
        type: 'step.failed',
        runId: x.run.id,
        step: step.name,
        level: 'error',
        message: `could not undo ${step.name}: ${reason}`,
        data: { rollback: true, ...errorRecord(error) },
      });
    }
  }
  return report;
}

/** A compensation gets three tries on retryable errors: leaving a half-undone run is worse. */
async function compensate(
  x: Execution,
  plugin: string,
  action: string,
  input: JsonObject,
  key: string,
  step: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await x.deps.actions.run({
        run: x.info,
        step,
        attempt,
        idempotencyKey: key,
        signal: AbortSignal.timeout(60_000),
        log: x.log,
        plugin,
        action,
        input,
      });
      return;
    } catch (error) {
      if (attempt >= 3 || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, x.deps.retry.baseMs * attempt));
    }
  }
}
