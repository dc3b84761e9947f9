import type { Run } from '../store/repositories/runs.js';
import {
  effectiveDeadline,
  ranOutBeforeWaiting,
  timeLimitMs,
  waitedMs,
} from '../engine/run-deadline.js';

const when = (date: Date) => date.toISOString().replace('T', ' ').slice(0, 19);

/** A span for people: its two largest units, e.g. "3h 20m", "45s". */
export function span(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms / 1000));
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/**
 * The run's deadline as `aidev run` shows it, read the same way as the API's `deadline_at`
 * (src/engine/run-deadline.ts): working time only, the clock stopped while the run waits for
 * a person. Undefined when there is nothing to say (no limit, or an ended run that never waited).
 */
export function describeDeadline(run: Run, now = new Date()): string | undefined {
  const deadline = effectiveDeadline(run, now);
  const limit = timeLimitMs(run);
  if (deadline === null || limit === null) return undefined;
  const waited = waitedMs(run, now);
  const notCounted = waited > 0 ? `; ${span(waited)} waiting for decisions not counted` : '';
  switch (run.status) {
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      return waited > 0 ? `Time limit: ${span(limit)} of working time${notCounted}` : undefined;
    case 'waiting':
      if (ranOutBeforeWaiting(run))
        return `Deadline: passed at ${when(deadline)}, before the run began to wait: it is ending`;
      return `Deadline: clock stopped while the run waits for ${run.waitingFor ?? 'a decision'}: ${span(deadline.getTime() - now.getTime())} of its ${span(limit)} left (${when(deadline)} if it went on now${notCounted})`;
    case 'queued':
    case 'running':
      return `Deadline: ${when(deadline)} (${span(limit)} of working time${notCounted})`;
  }
}
