import type { Run } from '../store/repositories/runs.js';

/**
 * A run's time limit counts working time only: while it waits for a person (an approval gate,
 * a budget pause) its clock is stopped, and leaving the wait moves `deadlineAt` on by the wait
 * (runs.transition). These read the stored figures the same way for every front end (#16).
 */

/** Whether the run's clock is stopped now: it waits, and had time left when it began to. */
function clockStopped(run: Run): run is Run & { deadlineAt: Date; waitingSince: Date } {
  return (
    run.status === 'waiting' &&
    run.deadlineAt !== null &&
    run.waitingSince !== null &&
    run.waitingSince < run.deadlineAt
  );
}

/**
 * When the run's time runs out as things stand: for a waiting run, the deadline it would have
 * if it went on now (it moves on with the wait). Null when the run has no limit.
 */
export function effectiveDeadline(run: Run, now = new Date()): Date | null {
  if (!clockStopped(run)) return run.deadlineAt;
  return new Date(
    run.deadlineAt.getTime() + Math.max(0, now.getTime() - run.waitingSince.getTime()),
  );
}

/** Time waited for decisions that does not count against the limit, the current wait included. */
export function waitedMs(run: Run, now = new Date()): number {
  if (!clockStopped(run)) return run.waitedMs;
  return run.waitedMs + Math.max(0, now.getTime() - run.waitingSince.getTime());
}

/** The run's working-time limit, as set when it was created (the workflow's `timeout`). */
export function timeLimitMs(run: Run): number | null {
  if (run.deadlineAt === null) return null;
  return run.deadlineAt.getTime() - run.createdAt.getTime() - run.waitedMs;
}

/**
 * A waiting run whose time had run out before it began to wait: a decision cannot make it go
 * on (it would fail at once), so it is refused, and the sweep ends the run.
 */
export function ranOutBeforeWaiting(run: Run): boolean {
  return (
    run.status === 'waiting' &&
    run.deadlineAt !== null &&
    run.waitingSince !== null &&
    run.deadlineAt <= run.waitingSince
  );
}
