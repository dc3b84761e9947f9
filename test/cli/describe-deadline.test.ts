import { expect, it } from 'vitest';
import { describeDeadline, span } from '../../src/cli/describe-deadline.js';
import { effectiveDeadline } from '../../src/engine/run-deadline.js';
import type { Run } from '../../src/store/repositories/runs.js';

const at = (iso: string) => new Date(`2026-03-02T${iso}Z`);

/** A run of a 4h workflow created at 08:00 that began to wait for approval at 09:00. */
const waiting: Run = {
  id: '3f1c2a9e-0000-4000-8000-000000000001',
  workflowName: 'implement-task',
  workflowVersion: '1',
  workflowDigest: null,
  workflowDefinition: null,
  inputs: {},
  status: 'waiting',
  waitingFor: 'approval',
  error: null,
  channelId: null,
  userId: null,
  projectId: null,
  taskKey: 'PROJ-1',
  trigger: 'cli',
  idempotencyKey: null,
  cancelRequestedAt: null,
  deadlineAt: at('12:00:00'),
  waitingSince: at('09:00:00'),
  waitedMs: 0,
  traceContext: null,
  createdAt: at('08:00:00'),
  startedAt: at('08:00:00'),
  finishedAt: null,
  updatedAt: at('09:00:00'),
};

it('shows a waiting run’s clock stopped, with the time it has left and the deadline it would get', () => {
  const now = new Date('2026-03-03T07:30:00Z'); // approved the next morning
  expect(effectiveDeadline(waiting, now)).toEqual(new Date('2026-03-03T10:30:00Z'));
  expect(describeDeadline(waiting, now)).toBe(
    'Deadline: clock stopped while the run waits for approval: 3h of its 4h left (2026-03-03 10:30:00 if it went on now; 22h 30m waiting for decisions not counted)',
  );
});

it('shows a running run’s deadline after earlier waits, and the limit as the workflow set it', () => {
  // It went on at 07:30 the next day: the deadline moved on by the 22h 30m it waited.
  const running: Run = {
    ...waiting,
    status: 'running',
    waitingFor: null,
    waitingSince: null,
    deadlineAt: new Date('2026-03-03T10:30:00Z'),
    waitedMs: 22.5 * 3_600_000,
  };
  expect(effectiveDeadline(running, new Date('2026-03-03T08:00:00Z'))).toEqual(running.deadlineAt);
  expect(describeDeadline(running, new Date('2026-03-03T08:00:00Z'))).toBe(
    'Deadline: 2026-03-03 10:30:00 (4h of working time; 22h 30m waiting for decisions not counted)',
  );
});

it('says when a waiting run’s time had run out before it began to wait', () => {
  const late = { ...waiting, deadlineAt: at('08:59:59') };
  expect(describeDeadline(late, at('10:00:00'))).toBe(
    'Deadline: passed at 2026-03-02 08:59:59, before the run began to wait: it is ending',
  );
});

it('writes spans with their two largest units', () => {
  expect([span(0), span(45_000), span(3_723_000), span(90_061_000)]).toEqual([
    '0s',
    '45s',
    '1h 2m',
    '1d 1h',
  ]);
});
