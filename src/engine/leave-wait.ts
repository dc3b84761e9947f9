import type { Run, RunStatus } from '../store/repositories/runs.js';
import type { Repositories, Store } from '../store/store.js';
import { ranOutBeforeWaiting } from './run-deadline.js';

/** A decision refused because the run cannot go on, whatever is decided: why, for people. */
export interface CannotContinue {
  readonly outcome: 'cannot_continue';
  /** cancel_requested: it is stopping; ended: it finished; out_of_time: its time ran out. */
  readonly code: 'cancel_requested' | 'ended' | 'out_of_time';
  readonly status: RunStatus;
  /** A sentence front ends show as it is. */
  readonly reason: string;
}

/**
 * Why a decision on this run would change nothing, if it would: the run ended, someone asked to
 * cancel it, or it had used up its time before it began to wait. Undefined if it can go on.
 */
export function cannotContinue(run: Run): CannotContinue | undefined {
  const refuse = (code: CannotContinue['code'], reason: string): CannotContinue => ({
    outcome: 'cannot_continue',
    code,
    status: run.status,
    reason,
  });
  switch (run.status) {
    case 'succeeded':
      return refuse('ended', 'the run already succeeded');
    case 'cancelled':
      return refuse('ended', 'the run was cancelled');
    case 'failed': {
      const message = (run.error as { message?: unknown } | null)?.message;
      return refuse(
        'ended',
        `the run already failed${typeof message === 'string' ? `: ${message}` : ''}`,
      );
    }
    default:
      break;
  }
  if (run.cancelRequestedAt !== null)
    return refuse(
      'cancel_requested',
      `a cancel was requested at ${run.cancelRequestedAt.toISOString()}: the run is stopping`,
    );
  if (ranOutBeforeWaiting(run))
    return refuse(
      'out_of_time',
      `the run used up its time limit (deadline ${run.deadlineAt?.toISOString() ?? ''}) before it began to wait: it is ending`,
    );
  return undefined;
}

/** Thrown inside the transaction to undo the step's change when the run cannot leave its wait. */
class RunCannotLeaveWait extends Error {}

/**
 * Takes a waiting run out of its wait together with the step it waits at, in one transaction:
 * `settle` changes the step (returning null if the step no longer waits), then the run goes back
 * to the queue — only if it still waits and nobody asked to cancel it; otherwise the step's
 * change is undone too. Null means nothing changed: the caller explains why from the run as it
 * is now. Leaving 'waiting' moves the run's deadline on by the wait (runs.transition).
 */
export async function leaveWait<T>(
  store: Store,
  runId: string,
  settle: (tx: Repositories) => Promise<T | null>,
): Promise<T | null> {
  try {
    return await store.transaction(async (tx) => {
      const settled = await settle(tx);
      if (settled === null) return null;
      const queued = await tx.runs.transition(runId, 'queued', {
        from: ['waiting'],
        unlessCancelRequested: true,
      });
      if (queued === null) throw new RunCannotLeaveWait();
      return settled;
    });
  } catch (error) {
    if (error instanceof RunCannotLeaveWait) return null;
    throw error;
  }
}
